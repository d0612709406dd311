// Computes every pool's website snapshot on an interval. Any number of website processes may run one; a lock per
// pool (SET NX PX, renewed each pass, checked by the write script) makes exactly one of them do the work, and a
// successor takes over within one lease when the holder dies. The loop is single-flight: the next pass is timed
// from the end of the previous one, so a slow Redis never stacks passes.
import { randomUUID } from 'node:crypto';
import type { PoolConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import { computeStats, owedAddresses } from './compute-stats.js';
import { minerAddresses } from './miner-set.js';
import type { SnapshotStore } from './snapshot-store.js';
import type { MinerHistoryPoint, NetworkSource, StatsSource } from './types.js';

export interface RefresherOptions {
  readonly pools: readonly PoolConfig[];
  /** Share multiplier of each pool's algorithm (see hashrate.ts). */
  readonly multiplierOf: (pool: PoolConfig) => number;
  readonly store: SnapshotStore;
  readonly source: StatsSource;
  readonly network: NetworkSource;
  readonly logger: Logger;
  /** Milliseconds between passes. */
  readonly intervalMs: number;
  /** Seconds between stored chart points (the charts need a point every few minutes, not every pass). */
  readonly historyStepSeconds: number;
  /** Hours of chart history kept. */
  readonly historyHours: number;
  readonly now?: () => number;
}

export class StatsRefresher {
  private readonly token = randomUUID();
  private readonly held = new Set<string>();
  /**
   * Per pool, the miner histories as this process last wrote them, kept while it holds the lock without a break
   * (only the holder writes them): a pass then reads from Redis only the histories of miners new to the set, not a
   * day of points for every miner every ten seconds.
   */
  private readonly histories = new Map<string, Map<string, MinerHistoryPoint[]>>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly options: RefresherOptions) {
    this.log = options.logger.child({ component: 'stats-refresher' });
    this.now = options.now ?? Date.now;
  }

  /** A lease long enough to survive one slow pass, short enough for a quick takeover after a crash. */
  private get leaseMs(): number {
    return Math.max(3 * this.options.intervalMs, 5000);
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.refreshOnce()
        .then(() => undefined)
        .catch((err: unknown) => {
          this.log.warn(`stats refresh failed: ${(err as Error).message}`);
        })
        .finally(() => {
          this.running = null;
          this.schedule(this.options.intervalMs);
        });
    }, delayMs);
  }

  /** One pass over every pool this process holds (or can take) the lock of. Returns the pools it wrote. */
  async refreshOnce(): Promise<string[]> {
    const written: string[] = [];
    for (const pool of this.options.pools) {
      if (this.stopped) break;
      try {
        if (await this.claim(pool.id)) {
          if (await this.refreshPool(pool)) written.push(pool.id);
        }
      } catch (err) {
        // A failed write may or may not have been applied: the next pass reads the histories back.
        this.histories.delete(pool.id);
        this.log.warn(`stats for pool ${pool.id} not refreshed: ${(err as Error).message}`);
      }
    }
    return written;
  }

  private async claim(poolId: string): Promise<boolean> {
    const { store } = this.options;
    if (this.held.has(poolId)) {
      if (await store.renew(poolId, this.token, this.leaseMs)) return true;
      this.held.delete(poolId);
      this.log.info(`lost the stats lock of pool ${poolId} to another refresher`);
    }
    if (await store.acquire(poolId, this.token, this.leaseMs)) {
      // Another refresher may have written histories since this one last held the lock.
      this.histories.delete(poolId);
      this.held.add(poolId);
      this.log.info(`computing stats for pool ${poolId}`);
      return true;
    }
    return false;
  }

  private async refreshPool(pool: PoolConfig): Promise<boolean> {
    const { store, source, network, historyStepSeconds, historyHours } = this.options;
    const now = this.now();
    const [raw, net, lastPoint] = await Promise.all([source.readPool(pool.id, now), network.read(pool.id), store.lastHistoryPoint(pool.id)]);
    const addresses = [...minerAddresses({ window: raw.window, workers: raw.workers, roundShares: raw.roundShares, owed: owedAddresses(raw.balances) })];
    const known = this.histories.get(pool.id) ?? new Map<string, MinerHistoryPoint[]>();
    const { histories: stored, carried } = await store.minerHistories(pool.id, addresses.filter((a) => !known.has(a)));
    const nowSeconds = Math.floor(now / 1000);
    const oldest = nowSeconds - historyHours * 3600;
    const trimmed = new Map<string, MinerHistoryPoint[]>();
    for (const address of addresses) {
      trimmed.set(address, (known.get(address) ?? stored.get(address) ?? []).filter((p) => p[0] >= oldest));
    }
    const stats = computeStats({ pool, multiplier: this.options.multiplierOf(pool), raw, network: net, now, minerHistory: trimmed });

    const addPoint = lastPoint === null || nowSeconds - lastPoint[0] >= historyStepSeconds;
    // A history is rewritten only when it gains a point (once per step, not once per pass); each write renews its
    // lifetime, so the history of a miner who left the set expires once its last point is out of the span.
    const changed = new Map<string, MinerHistoryPoint[]>();
    for (const miner of stats.miners) {
      const points = trimmed.get(miner.address) ?? [];
      const last = points.at(-1);
      const point = stats.minerPoints.get(miner.address);
      if (point && (last === undefined || nowSeconds - last[0] >= historyStepSeconds)) {
        points.push(point);
        changed.set(miner.address, points);
      } else if (carried.has(miner.address)) {
        changed.set(miner.address, points);
      }
    }
    const historyMax = Math.ceil((historyHours * 3600) / historyStepSeconds) + 1;
    const version = await store.write(pool.id, this.token, stats, changed, addPoint, historyMax, historyHours * 3600);
    if (version === 0) {
      this.held.delete(pool.id);
      this.histories.delete(pool.id);
      return false;
    }
    // Miners that left the set drop out here; their stored histories expire on their own.
    this.histories.set(pool.id, trimmed);
    return true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    for (const poolId of this.held) {
      await this.options.store.release(poolId, this.token).catch(() => undefined);
    }
    this.held.clear();
  }
}
