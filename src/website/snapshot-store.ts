// Reads and writes the website snapshots in Redis. Readers only GET/HGET/LRANGE fixed keys, so an answer costs
// the same however many shares the pool holds; the refresher writes everything of a pool in one fenced script.
import type { Redis } from 'ioredis';
import { PoolKeys, WebsiteKeys } from '../redis/keys.js';
import type { ComputedStats } from './compute-stats.js';
import { defineWebsiteScripts, type WebsiteScripts } from './lua-scripts.js';
import type { HistoryPoint, MinerHistoryPoint, MinerSnapshot, PoolSnapshot } from './types.js';

/** What the website reads. An interface so API tests can serve fixed snapshots without Redis. */
export interface SnapshotReader {
  pool(poolId: string): Promise<PoolSnapshot | null>;
  miner(poolId: string, address: string): Promise<MinerSnapshot | null>;
  history(poolId: string): Promise<HistoryPoint[]>;
  minerHistory(poolId: string, address: string): Promise<MinerHistoryPoint[]>;
  /** Bumped on every snapshot write; 0 before the first. */
  version(poolId: string): Promise<number>;
}

export class SnapshotStore implements SnapshotReader {
  private readonly keys = new Map<string, WebsiteKeys>();
  private readonly scripts: WebsiteScripts;

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {
    this.scripts = defineWebsiteScripts(redis);
  }

  keysOf(poolId: string): WebsiteKeys {
    let keys = this.keys.get(poolId);
    if (!keys) {
      keys = new WebsiteKeys(new PoolKeys(this.keyPrefix, poolId));
      this.keys.set(poolId, keys);
    }
    return keys;
  }

  async pool(poolId: string): Promise<PoolSnapshot | null> {
    const json = await this.redis.get(this.keysOf(poolId).snapshot);
    return json === null ? null : (JSON.parse(json) as PoolSnapshot);
  }

  async miner(poolId: string, address: string): Promise<MinerSnapshot | null> {
    const json = await this.redis.hget(this.keysOf(poolId).miners, address);
    return json === null ? null : (JSON.parse(json) as MinerSnapshot);
  }

  async history(poolId: string): Promise<HistoryPoint[]> {
    const items = await this.redis.lrange(this.keysOf(poolId).history, 0, -1);
    return items.map((s) => JSON.parse(s) as HistoryPoint);
  }

  async minerHistory(poolId: string, address: string): Promise<MinerHistoryPoint[]> {
    const json = await this.redis.hget(this.keysOf(poolId).minerHistory, address);
    return json === null ? [] : (JSON.parse(json) as MinerHistoryPoint[]);
  }

  async version(poolId: string): Promise<number> {
    return Number((await this.redis.get(this.keysOf(poolId).version)) ?? 0);
  }

  /** Every miner's stored history, for the refresher to extend. */
  async allMinerHistory(poolId: string): Promise<Map<string, MinerHistoryPoint[]>> {
    const all = await this.redis.hgetall(this.keysOf(poolId).minerHistory);
    return new Map(Object.entries(all).map(([address, json]) => [address, JSON.parse(json) as MinerHistoryPoint[]]));
  }

  async lastHistoryPoint(poolId: string): Promise<HistoryPoint | null> {
    const items = await this.redis.lrange(this.keysOf(poolId).history, -1, -1);
    return items.length ? (JSON.parse(items[0]) as HistoryPoint) : null;
  }

  /**
   * Writes a computed snapshot if `token` still holds the pool's lock. `minerHistories` are the complete histories
   * to store (already extended and trimmed); `addPoint` says whether the pool history gets this refresh's point.
   * Resolves with the new version, or 0 when the lock was lost and nothing was written.
   */
  async write(
    poolId: string,
    token: string,
    stats: ComputedStats,
    minerHistories: ReadonlyMap<string, readonly MinerHistoryPoint[]>,
    addPoint: boolean,
    historyMax: number,
  ): Promise<number> {
    const k = this.keysOf(poolId);
    const args: string[] = [token, JSON.stringify(stats.pool), addPoint ? JSON.stringify(stats.historyPoint) : '', String(historyMax)];
    for (const miner of stats.miners) {
      args.push(miner.address, JSON.stringify(miner), JSON.stringify(minerHistories.get(miner.address) ?? []));
    }
    return this.scripts.writeSnapshot([k.lock, k.snapshot, k.miners, k.history, k.minerHistory, k.version], args);
  }

  /** Takes the pool's refresher lock for `leaseMs` if nobody holds it. */
  async acquire(poolId: string, token: string, leaseMs: number): Promise<boolean> {
    return (await this.redis.set(this.keysOf(poolId).lock, token, 'PX', leaseMs, 'NX')) === 'OK';
  }

  async renew(poolId: string, token: string, leaseMs: number): Promise<boolean> {
    return (await this.scripts.renewLock(this.keysOf(poolId).lock, token, leaseMs)) === 1;
  }

  async release(poolId: string, token: string): Promise<void> {
    await this.scripts.releaseLock(this.keysOf(poolId).lock, token);
  }
}
