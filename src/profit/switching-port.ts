// The stratum listeners of one switch inside a pool worker: a StratumServer per switching port on a
// SwitchingBackend. It relays the selected coin's jobs, moves every miner at a coinswitch with a clean job, and
// reports each share to the pool of the coin it was mined for (that pool's events are where shares are counted).
import type { SwitchConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import type { ExtranonceAllocator } from '../mining/extranonce.js';
import type { JobNotification } from '../mining/types.js';
import type { PoolRuntime } from '../roles/pool-runtime.js';
import { createStratumListeners } from '../stratum/listeners.js';
import type { StratumServer } from '../stratum/server.js';
import { SwitchingBackend } from './switching-backend.js';

export interface SwitchingPortOptions {
  readonly switch: SwitchConfig;
  /** The running runtime of the enabled pool mining `coin` (pools can be reloaded, so asked each time). */
  readonly runtimeOf: (coin: string) => PoolRuntime | undefined;
  readonly extranonces: ExtranonceAllocator;
  readonly extranonce2Size: number;
  readonly logger: Logger;
  readonly host?: string;
}

export class SwitchingPort {
  readonly name: string;
  readonly backend: SwitchingBackend;
  private readonly servers: StratumServer[];
  private readonly attached = new Map<string, { runtime: PoolRuntime; onJob: (job: JobNotification) => void }>();
  private readonly log: Logger;

  constructor(private readonly options: SwitchingPortOptions) {
    const sw = options.switch;
    this.name = sw.name;
    this.log = options.logger.child({ switch: sw.name });
    this.backend = new SwitchingBackend({
      coins: sw.coins,
      backendOf: (coin) => options.runtimeOf(coin)?.backend,
      extranonces: options.extranonces,
      extranonce2Size: options.extranonce2Size,
    });
    // Connection limits and banning follow the switch's first pool: the switch has no pool file of its own.
    const first = options.runtimeOf(sw.coins[0])?.pool;
    if (!first) throw new Error(`switch ${sw.name}: no running pool for its first coin ${sw.coins[0]}`);
    this.servers = createStratumListeners({ ports: sw.ports, limits: first, backend: this.backend, logger: this.log, host: options.host });
    for (const server of this.servers) {
      server.on('share', (event) => {
        const decoded = this.backend.decodeJobId(event.submission.jobId);
        const runtime = decoded ? options.runtimeOf(decoded.coin) : undefined;
        // Re-emitted as the mining pool's own share, with the pool's job id, so it lands in that coin's round.
        if (decoded && runtime) runtime.emit('share', { ...event, submission: { ...event.submission, jobId: decoded.jobId } });
      });
      server.on('ban', (event) => this.log.warn(`banned ${event.ip} for ${event.seconds} s (${event.reason})`));
    }
    for (const coin of sw.coins) this.attach(coin);
  }

  get selected(): string {
    return this.backend.selected;
  }

  get connectionCount(): number {
    return this.servers.reduce((sum, s) => sum + s.connectionCount, 0);
  }

  get ports(): number[] {
    return this.servers.map((s) => s.port);
  }

  /** (Re)subscribes to the coin's current runtime; called for every coin at start and after a pool reload. */
  attach(coin: string): void {
    const previous = this.attached.get(coin);
    if (previous) previous.runtime.off('job', previous.onJob);
    this.attached.delete(coin);
    const runtime = this.options.runtimeOf(coin);
    if (!runtime) return;
    const onJob = (job: JobNotification): void => {
      if (this.backend.selected !== coin) return;
      const wrapped = this.backend.wrap(coin, job, false);
      for (const server of this.servers) server.broadcastJob(wrapped);
    };
    runtime.on('job', onJob);
    this.attached.set(coin, { runtime, onJob });
    // A reloaded pool sent its first job before this subscription existed, and it numbers jobs afresh: the miners'
    // work from the old runtime is unknown to it, so they need its job now, clean (not at the next block).
    if (previous && previous.runtime !== runtime && this.backend.selected === coin) {
      const job = this.backend.currentJobClean();
      if (job) for (const server of this.servers) server.broadcastJob(job);
    }
  }

  /** Moves every miner to `coin` with a clean job; false when the switch does not list it. */
  select(coin: string): boolean {
    if (coin === this.backend.selected) return true;
    const from = this.backend.selected;
    if (!this.backend.select(coin)) return false;
    const job = this.backend.currentJobClean();
    if (job) for (const server of this.servers) server.broadcastJob(job);
    this.log.info(`switched ${from} -> ${coin}${job ? '' : ' (no job from its pool yet; miners get one with its first template)'}`);
    return true;
  }

  async listen(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.listen()));
    this.log.info(`switching stratum listening on ${this.ports.join(', ')} (mining ${this.selected})`);
  }

  async close(): Promise<void> {
    for (const [, { runtime, onJob }] of this.attached) runtime.off('job', onJob);
    this.attached.clear();
    await Promise.all(this.servers.map((s) => s.close()));
  }
}
