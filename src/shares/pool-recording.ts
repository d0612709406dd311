// The share recording of one pool in a pool worker: its Redis scripts (on a shared client or one of its own), its
// keys, and a recorder with a writer id unique to this process start.
import { randomBytes } from 'node:crypto';
import type { GlobalConfig, PoolConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import { connectInBackground, createRedisClient } from '../redis/connection.js';
import { PoolKeys, WORKER_RETENTION_MS } from '../redis/keys.js';
import { RedisScripts } from '../redis/script-loader.js';
import { ShareStore } from '../redis/share-store.js';
import { type QueueState, ShareRecorder } from './share-recorder.js';

export interface PoolRecordingOptions {
  readonly pool: PoolConfig;
  readonly global: GlobalConfig;
  readonly forkId: number;
  readonly logger: Logger;
  /** A client shared by the worker's pools; without it the pool opens its own from global.redis. */
  readonly scripts?: RedisScripts;
  readonly onQueueChange?: (state: QueueState) => void;
  /** Longest wait on stop for queued and in-flight records to reach Redis. */
  readonly closeTimeoutMs?: number;
}

export class PoolRecording {
  readonly keys: PoolKeys;
  readonly recorder: ShareRecorder;
  readonly writerId: string;
  private readonly scripts: RedisScripts;
  private readonly ownsClient: boolean;

  constructor(private readonly options: PoolRecordingOptions) {
    const { pool, global } = options;
    this.keys = new PoolKeys(global.redis.keyPrefix, pool.id);
    // Unique per process start, so a restarted worker never collides with its predecessor's numbering.
    this.writerId = `${global.instanceId}.${options.forkId}.${process.pid}.${Date.now().toString(36)}.${randomBytes(3).toString('hex')}`;
    this.ownsClient = options.scripts === undefined;
    this.scripts =
      options.scripts ??
      new RedisScripts(createRedisClient(global.redis, { name: `headframe-pool-${pool.id}-${options.forkId}`, logger: options.logger }));
    this.recorder = new ShareRecorder({
      store: new ShareStore({
        scripts: this.scripts,
        keys: this.keys,
        writerId: this.writerId,
        shareLogMaxLen: pool.paymentProcessing.shareLogMaxLength,
        // The offline alert looks workers up in the workers set until workerForgetAfter: keep them at least that long.
        workerRetentionMs: Math.max(WORKER_RETENTION_MS, Math.round((global.alerts.workerForgetAfter + 24 * 3600) * 1000)),
      }),
      logger: options.logger,
      onQueueChange: options.onQueueChange,
    });
  }

  start(): void {
    if (this.ownsClient && this.scripts.client.status === 'wait') connectInBackground(this.scripts.client, this.options.logger);
  }

  /** Waits for queued records (bounded), then closes the client when it is ours. */
  /**
   * Waits for queued and in-flight records (bounded). `final` (the process is exiting): nothing more is written
   * after that. Otherwise (a reload) records still queued keep being written on the worker's shared Redis client.
   */
  async close(final = true): Promise<void> {
    await this.recorder.close(this.options.closeTimeoutMs ?? 5000, !final && !this.ownsClient);
    if (this.ownsClient) this.scripts.client.disconnect();
  }
}
