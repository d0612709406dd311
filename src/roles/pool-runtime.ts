// One enabled pool inside a pool worker process: its daemons, job manager, share backend, block submitter and one
// stratum listener per configured port. Composition only; the parts hold the logic.
import { EventEmitter } from 'node:events';
import type { GlobalConfig, PoolConfig } from '../config/types.js';
import type { PowAlgorithm } from '../algorithms/types.js';
import { addressToOutputScript } from '../blockchain/bitcoin/address.js';
import { DaemonSet, type DaemonSetEvent } from '../daemon/daemon-set.js';
import type { Logger } from '../log/logger.js';
import { BlockSubmitter } from '../mining/block-submitter.js';
import { ExtranonceAllocator } from '../mining/extranonce.js';
import { JobManager } from '../mining/job-manager.js';
import { PoolBackend, type PoolBackendEvents } from '../mining/pool-backend.js';
import { createStratumListeners } from '../stratum/listeners.js';
import type { BanEvent, ConnectEvent, DisconnectEvent, JobBroadcast, ShareEvent } from '../stratum/events.js';
import type { StratumServer } from '../stratum/server.js';
import type { JobNotification } from '../mining/types.js';
import type { RedisScripts } from '../redis/script-loader.js';
import { PoolRecording } from '../shares/pool-recording.js';
import type { QueueState } from '../shares/share-recorder.js';

export const EXTRANONCE1_SIZE = 4;
export const EXTRANONCE2_SIZE = 4;

/** The backend's block events (relayed as they are), plus the pool's own. */
export interface PoolRuntimeEvents extends PoolBackendEvents {
  share: [event: ShareEvent];
  // For metrics (src/metrics/pool-instrumentation.ts): connections, bans, daemon calls and new templates.
  connect: [event: ConnectEvent];
  disconnect: [event: DisconnectEvent];
  ban: [event: BanEvent];
  daemon: [event: DaemonSetEvent];
  template: [template: { readonly height: number; readonly target: bigint }];
  /** A job written to this pool's own ports: to how many miners, in how long (the synchronous fan-out). */
  broadcast: [broadcast: JobBroadcast];
  /** Every job this pool's own ports get; switching ports mining this pool's coin relay it too. */
  job: [job: JobNotification];
  /** The share recorder's outage queue changed (queued count, refused shares). */
  recorder: [state: QueueState];
  /** stop() began: from now on the runtime's gauges (daemon health, height...) describe nothing that serves the pool. */
  stopping: [];
}

export interface PoolRuntimeOptions {
  readonly pool: PoolConfig;
  readonly global: GlobalConfig;
  readonly forkId: number;
  readonly algorithm: PowAlgorithm;
  readonly logger: Logger;
  /** Address stratum listeners bind to (all interfaces by default: miners connect from elsewhere). */
  readonly stratumHost?: string;
  /**
   * One allocator for every pool of a worker: a switching-port miner keeps its extranonce1 when moved to another
   * coin, so the pools it can move between must never hand the same value to someone else. Default: a fresh one.
   */
  readonly extranonces?: ExtranonceAllocator;
  /** Hashes share headers off the event loop; without it the algorithm hashes inline. */
  readonly hasher?: (header: Buffer) => Promise<Buffer>;
  /** Redis scripts on a client shared by the worker's pools; default: a connection of its own from global.redis. */
  readonly redis?: RedisScripts;
  /** How many runtimes of this pool ran in this process before (0 at start, +1 per reload): keeps job ids apart. */
  readonly generation?: number;
}

/** Job ids of one generation: 65,536 jobs (one refresh a minute for 45 days) before they reach the next one's. */
const JOBS_PER_GENERATION = 0x10000;

/** Longest wait on stop for share checks and block submissions in progress (a submitblock can take seconds). */
const SETTLE_TIMEOUT_MS = 10_000;

export class PoolRuntime extends EventEmitter<PoolRuntimeEvents> {
  readonly pool: PoolConfig;
  private readonly daemons: DaemonSet;
  private readonly jobs: JobManager;
  /** The share side, also used by switching ports that mine this pool's coin. */
  readonly backend: PoolBackend;
  private readonly servers: StratumServer[];
  private readonly log: Logger;
  /** Shares, rounds and blocks in Redis. */
  readonly recording: PoolRecording;

  constructor(options: PoolRuntimeOptions) {
    super();
    const { pool } = options;
    this.pool = pool;
    this.log = options.logger.child({ pool: pool.id });
    const network = pool.coin.networks[pool.network];
    this.recording = new PoolRecording({
      pool,
      global: options.global,
      forkId: options.forkId,
      logger: this.log,
      scripts: options.redis,
      onQueueChange: (state) => this.emit('recorder', state),
    });
    this.daemons = new DaemonSet(pool.daemons, {
      logger: this.log,
      onEvent: (event) => {
        this.emit('daemon', event);
        if (event.type === 'down') this.log.warn(`daemon ${event.daemon} down: ${event.error.message}`);
        else if (event.type === 'up') this.log.info(`daemon ${event.daemon} up again after ${event.downMs} ms`);
      },
    });
    this.jobs = new JobManager({
      pool,
      daemons: this.daemons,
      payoutScript: addressToOutputScript(pool.address, network),
      recipients: pool.rewardRecipients.map((r) => ({ script: addressToOutputScript(r.address, network), percent: r.percent })),
      extranonce1Size: EXTRANONCE1_SIZE,
      extranonce2Size: EXTRANONCE2_SIZE,
      logger: this.log,
      jobNumberBase: (options.generation ?? 0) * JOBS_PER_GENERATION,
      onJob: (job, active) => {
        const started = performance.now();
        let miners = 0;
        for (const server of this.servers) miners += server.broadcastJob(job);
        this.emit('broadcast', { cleanJobs: job.cleanJobs, miners, seconds: (performance.now() - started) / 1000 });
        this.emit('job', job);
        this.emit('template', { height: active.template.height, target: active.template.target });
      },
    });
    this.backend = new PoolBackend({
      pool,
      algorithm: options.algorithm,
      jobs: this.jobs,
      extranonces: options.extranonces ?? new ExtranonceAllocator(options.global.instanceId, options.forkId),
      submitter: new BlockSubmitter(this.daemons, this.log),
      extranonce1Size: EXTRANONCE1_SIZE,
      extranonce2Size: EXTRANONCE2_SIZE,
      logger: this.log,
      hasher: options.hasher,
      sink: this.recording.recorder,
    });
    this.backend.on('blockCandidate', (candidate) => this.emit('blockCandidate', candidate));
    this.backend.on('blockAccepted', (candidate) => this.emit('blockAccepted', candidate));
    this.backend.on('block', (outcome) => this.emit('block', outcome));

    this.servers = createStratumListeners({
      ports: pool.ports,
      limits: pool,
      backend: this.backend,
      logger: this.log,
      host: options.stratumHost,
    });
    for (const server of this.servers) {
      server.on('share', (event) => this.emit('share', event));
      server.on('ban', (event) => {
        if (event.reason !== 'external') this.log.warn(`banned ${event.ip} for ${event.seconds} s (${event.reason})`);
        this.emit('ban', event);
      });
      server.on('connect', (event) => this.emit('connect', event));
      server.on('disconnect', (event) => this.emit('disconnect', event));
    }
  }

  /** Starts listening at once; miners get work as soon as the first template arrives. */
  async start(): Promise<void> {
    // Redis connects in the background: while it is away, shares wait in the recorder's queue.
    this.recording.start();
    await Promise.all(this.servers.map((s) => s.listen()));
    this.log.info(`stratum listening on ${this.servers.map((s) => s.port).join(', ')}`);
    await this.jobs.start();
  }

  /** Bans `ip` on every port of this pool, as another pool worker decided (its connections here close). */
  banIp(ip: string, seconds: number): void {
    this.log.warn(`banned ${ip} for ${seconds} s (by another pool worker)`);
    // The ports share one ban list: banned (and counted) once, connections closed on every port.
    const [first, ...others] = this.servers;
    first?.banIp(ip, seconds, 'external');
    for (const server of others) server.closeConnectionsFrom(ip);
  }

  /** Takes over `other`'s running bans (a reload's outgoing runtime): a reload must not pardon anyone. */
  adoptBans(other: PoolRuntime): void {
    if (this.servers[0] && other.servers[0]) this.servers[0].banList.adopt(other.servers[0].banList);
  }

  /** Resolves true once the runtime holds a job (at once if it does), false after `timeoutMs` without one or when it stops. */
  firstJob(timeoutMs: number): Promise<boolean> {
    if (this.backend.currentJob() !== null) return Promise.resolve(true);
    return new Promise((resolve) => {
      const settle = (got: boolean): void => {
        clearTimeout(timer);
        this.off('job', onJob);
        this.off('stopping', onStopping);
        resolve(got);
      };
      const onJob = (): void => settle(true);
      const onStopping = (): void => settle(false);
      const timer = setTimeout(() => settle(false), timeoutMs);
      this.once('job', onJob);
      this.once('stopping', onStopping);
    });
  }

  /** A new block on the network (daemon blocknotify relayed by the master): fetch a template now. */
  onBlockNotify(blockHash: string): Promise<void> {
    this.log.debug(`blocknotify ${blockHash}`);
    return this.jobs.refresh('blocknotify', blockHash.toLowerCase());
  }

  get connectionCount(): number {
    return this.servers.reduce((sum, s) => sum + s.connectionCount, 0);
  }

  /** Closes the listeners; the connected miners stay until handOverTo() or stop(). */
  stopAccepting(): void {
    for (const server of this.servers) server.stopAccepting();
  }

  resumeAccepting(): Promise<void> {
    return Promise.all(this.servers.map((s) => s.resumeAccepting())).then(() => undefined);
  }

  /**
   * Moves this runtime's miners to `successor` (a reload of the same pool): each port's miners to the successor's
   * listener on that port; miners on a port the successor no longer has are disconnected. Returns how many moved.
   */
  handOverTo(successor: PoolRuntime): number {
    let moved = 0;
    // Bans this runtime decided since the successor started take effect there too.
    successor.adoptBans(this);
    for (const server of this.servers) {
      const next = successor.servers.find((s) => s.port === server.port);
      if (next) moved += server.handOver(next);
    }
    return moved;
  }

  /** `replaced`: a reload replaced this runtime, the process goes on (its unwritten share records keep draining). */
  async stop(replaced = false): Promise<void> {
    this.emit('stopping');
    this.jobs.stop();
    await Promise.all(this.servers.map((s) => s.close()));
    // After the listeners no new shares arrive; shares still hashing and blocks still at the daemon hand their
    // records over before the recorder stops taking them (after a reload's hand-over their miners are still here).
    const unfinished = await this.backend.settle(SETTLE_TIMEOUT_MS);
    if (unfinished > 0) this.log.warn(`stopping with ${unfinished} share check(s) or block submission(s) unfinished`);
    await this.recording.close(!replaced);
    this.daemons.close();
  }
}
