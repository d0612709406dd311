// Reads and writes the website snapshots in Redis. Readers only GET/HGET/LRANGE single keys, so an answer costs
// the same however many shares the pool holds or addresses it has paid; the refresher writes everything of a pool
// in one fenced script, in proportion to the miner set (miner-set.ts).
import type { Redis } from 'ioredis';
import { PaymentKeys, PoolKeys, unitsToDifficulty, WebsiteKeys } from '../redis/keys.js';
import { readChunked } from './chunked-read.js';
import { MINER_PAYMENTS_SHOWN, minerSnapshot, type ComputedStats } from './compute-stats.js';
import { defineWebsiteScripts, type WebsiteScripts } from './lua-scripts.js';
import { bigOr0, parseAddressPayments } from './redis-stats-source.js';
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

export interface SnapshotStoreOptions {
  /** Hours of chart history shown (the refresher's historyHours); older points of a miner who left are hidden. */
  readonly historyHours?: number;
  readonly now?: () => number;
}

/** Stored histories of the miner set, and which of them came from the earlier one-hash layout. */
export interface StoredMinerHistories {
  readonly histories: Map<string, MinerHistoryPoint[]>;
  /** Read from the earlier layout: written to their own keys by the next write, before that hash is deleted. */
  readonly carried: ReadonlySet<string>;
}

export class SnapshotStore implements SnapshotReader {
  private readonly keys = new Map<string, WebsiteKeys>();
  private readonly poolKeys = new Map<string, PoolKeys>();
  private readonly scripts: WebsiteScripts;
  private readonly historySeconds: number;
  private readonly now: () => number;

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    options: SnapshotStoreOptions = {},
  ) {
    this.scripts = defineWebsiteScripts(redis);
    this.historySeconds = (options.historyHours ?? 24) * 3600;
    this.now = options.now ?? Date.now;
  }

  private poolKeysOf(poolId: string): PoolKeys {
    let keys = this.poolKeys.get(poolId);
    if (!keys) {
      keys = new PoolKeys(this.keyPrefix, poolId);
      this.poolKeys.set(poolId, keys);
    }
    return keys;
  }

  keysOf(poolId: string): WebsiteKeys {
    let keys = this.keys.get(poolId);
    if (!keys) {
      keys = new WebsiteKeys(this.poolKeysOf(poolId));
      this.keys.set(poolId, keys);
    }
    return keys;
  }

  async pool(poolId: string): Promise<PoolSnapshot | null> {
    const json = await this.redis.get(this.keysOf(poolId).snapshot);
    return json === null ? null : (JSON.parse(json) as PoolSnapshot);
  }

  /** The miner set's snapshot, or for any other address an answer built now from its balances and payouts. */
  async miner(poolId: string, address: string): Promise<MinerSnapshot | null> {
    const json = await this.redis.hget(this.keysOf(poolId).miners, address);
    return json === null ? this.onDemand(poolId, address) : (JSON.parse(json) as MinerSnapshot);
  }

  /**
   * An address outside the miner set mines nothing now (the set holds every address hashing in the window), so
   * its figures are its balances, its round work and its payouts: a handful of single-key reads, the same whatever
   * the number of addresses the pool has ever paid.
   */
  private async onDemand(poolId: string, address: string): Promise<MinerSnapshot | null> {
    const pool = this.poolKeysOf(poolId);
    const pay = new PaymentKeys(pool);
    const replies = (await this.redis
      .pipeline()
      .hget(pay.immature, address)
      .hget(pay.unpaid, address)
      .hget(pay.paid, address)
      .hget(pool.currentRound.addresses, address)
      .lrange(pay.addressHistory(address), 0, MINER_PAYMENTS_SHOWN - 1)
      .get(this.keysOf(poolId).minerHistory(address))
      .exec()) ?? [];
    for (const [error] of replies) if (error) throw error;
    const value = (i: number): unknown => replies[i]?.[1];
    const balance = { immature: bigOr0(value(0)), unpaid: bigOr0(value(1)), paid: bigOr0(value(2)) };
    const roundShares = unitsToDifficulty(value(3) as string | null);
    const payments = parseAddressPayments((value(4) ?? []) as string[]);
    if (balance.immature === 0n && balance.unpaid === 0n && balance.paid === 0n && roundShares === 0 && payments.length === 0) return null;
    const now = this.now();
    return minerSnapshot({
      pool: poolId,
      address,
      now,
      hashrate: 0,
      history: this.recent(value(5) as string | null, now),
      roundShares,
      balance,
      workers: [],
      payments,
    });
  }

  async history(poolId: string): Promise<HistoryPoint[]> {
    const items = await this.redis.lrange(this.keysOf(poolId).history, 0, -1);
    return items.map((s) => JSON.parse(s) as HistoryPoint);
  }

  async minerHistory(poolId: string, address: string): Promise<MinerHistoryPoint[]> {
    return this.recent(await this.redis.get(this.keysOf(poolId).minerHistory(address)), this.now());
  }

  /** A stored history without the points past the span: a miner who left keeps its last points until they age out. */
  private recent(json: string | null, now: number): MinerHistoryPoint[] {
    if (json === null) return [];
    const oldest = Math.floor(now / 1000) - this.historySeconds;
    return (JSON.parse(json) as MinerHistoryPoint[]).filter((p) => p[0] >= oldest);
  }

  async version(poolId: string): Promise<number> {
    return Number((await this.redis.get(this.keysOf(poolId).version)) ?? 0);
  }

  /** The stored histories of `addresses` (the miner set), for the refresher to extend. */
  async minerHistories(poolId: string, addresses: readonly string[]): Promise<StoredMinerHistories> {
    const k = this.keysOf(poolId);
    const values = await readChunked<string | null>(this.redis, addresses.map((a) => k.minerHistory(a)), (pipe, chunk) => pipe.mget(...chunk));
    const histories = new Map<string, MinerHistoryPoint[]>();
    const missing: string[] = [];
    addresses.forEach((address, i) => {
      const json = values[i];
      if (json === null) missing.push(address);
      else histories.set(address, JSON.parse(json) as MinerHistoryPoint[]);
    });
    const carried = new Set<string>();
    if (missing.length > 0 && (await this.redis.exists(k.legacyMinerHistory)) === 1) {
      const legacy = await readChunked<string | null>(this.redis, missing, (pipe, chunk) => pipe.hmget(k.legacyMinerHistory, ...chunk));
      missing.forEach((address, i) => {
        const json = legacy[i];
        if (json === null) return;
        histories.set(address, JSON.parse(json) as MinerHistoryPoint[]);
        carried.add(address);
      });
    }
    return { histories, carried };
  }

  async lastHistoryPoint(poolId: string): Promise<HistoryPoint | null> {
    const items = await this.redis.lrange(this.keysOf(poolId).history, -1, -1);
    return items.length ? (JSON.parse(items[0]) as HistoryPoint) : null;
  }

  /**
   * Writes a computed snapshot if `token` still holds the pool's lock. `minerHistories` are the histories to store
   * (complete, already extended and trimmed): only those that changed, each kept `historyTtlSeconds` from now.
   * `addPoint` says whether the pool history gets this refresh's point.
   * Resolves with the new version, or 0 when the lock was lost and nothing was written.
   */
  async write(
    poolId: string,
    token: string,
    stats: ComputedStats,
    minerHistories: ReadonlyMap<string, readonly MinerHistoryPoint[]>,
    addPoint: boolean,
    historyMax: number,
    historyTtlSeconds: number,
  ): Promise<number> {
    const k = this.keysOf(poolId);
    const keys: string[] = [k.lock, k.snapshot, k.miners, k.history, k.version, k.legacyMinerHistory];
    const args: string[] = [
      token,
      JSON.stringify(stats.pool),
      addPoint ? JSON.stringify(stats.historyPoint) : '',
      String(historyMax),
      String(Math.max(1, Math.ceil(historyTtlSeconds))),
      String(minerHistories.size),
    ];
    for (const [address, points] of minerHistories) {
      keys.push(k.minerHistory(address));
      args.push(JSON.stringify(points));
    }
    for (const miner of stats.miners) args.push(miner.address, JSON.stringify(miner));
    return this.scripts.writeSnapshot(keys, args);
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
