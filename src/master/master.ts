// The master's handle on its children: start, relay messages to them, stop. Built by roles/master.ts.
import type { ResolvedConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import type { ChildInfo, Supervisor } from './supervisor.js';

const BLOCK_HASH = /^[0-9a-f]{64}$/;

export class Master {
  private stopped: Promise<void> | null = null;

  constructor(
    readonly config: ResolvedConfig,
    private readonly logger: Logger,
    private readonly supervisor: Supervisor,
  ) {}

  start(): void {
    this.supervisor.start();
  }

  children(): ChildInfo[] {
    return this.supervisor.children();
  }

  /**
   * Passes a daemon's new-block notification to every pool worker (each serves every enabled pool).
   * `coin` is the coin id (coin file name); returns how many workers it reached, 0 when no enabled pool mines it.
   */
  relayBlockNotify(coin: string, blockHash: string): number {
    const hash = blockHash.toLowerCase();
    if (!BLOCK_HASH.test(hash)) {
      this.logger.warn(`blocknotify ignored: block hash ${JSON.stringify(blockHash)} is not 64 hex digits`);
      return 0;
    }
    if (!this.config.pools.some((p) => p.enabled && p.coin.id === coin)) {
      this.logger.warn(`blocknotify ignored: no enabled pool mines ${JSON.stringify(coin)}`);
      return 0;
    }
    return this.supervisor.sendToRole('pool-worker', { type: 'blocknotify', coin, blockHash: hash });
  }

  /** Idempotent: a second signal during shutdown waits for the first shutdown instead of starting another. */
  stop(): Promise<void> {
    this.stopped ??= this.supervisor.stop(this.config.global.shutdownTimeoutMs);
    return this.stopped;
  }
}
