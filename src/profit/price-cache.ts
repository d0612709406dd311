// Prices shared through Redis: the switcher writes one snapshot per refresh (with an expiry, so a dead switcher's
// prices disappear rather than steer anything), every process reads it with one GET.
import type { ProfitKeys } from '../redis/keys.js';

export interface PriceSnapshot {
  /** Ms since the epoch of the refresh that produced it. */
  readonly fetchedAt: number;
  /** Coin id -> price (decimal string) and the source it came from. */
  readonly prices: Readonly<Record<string, { readonly price: string; readonly source: string }>>;
}

/** The ioredis calls used here (tests can pass the real client). */
export interface PriceCacheRedis {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ex: 'EX', seconds: number): Promise<unknown>;
  set(key: string, value: string, px: 'PX', ms: number, nx: 'NX'): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: string[]): Promise<unknown>;
}

// Renews the lock only while it is still ours: a plain SET would steal a lock another switcher took meanwhile.
const RENEW_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export class PriceCache {
  constructor(
    private readonly redis: PriceCacheRedis,
    private readonly keys: ProfitKeys,
  ) {}

  async write(snapshot: PriceSnapshot, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.keys.prices, JSON.stringify(snapshot), 'EX', Math.max(1, Math.ceil(ttlSeconds)));
  }

  /** The latest snapshot, or null when none is cached (expired, never written, or unreadable). */
  async read(): Promise<PriceSnapshot | null> {
    const raw = await this.redis.get(this.keys.prices);
    if (raw === null) return null;
    try {
      const value = JSON.parse(raw) as PriceSnapshot;
      if (typeof value.fetchedAt !== 'number' || typeof value.prices !== 'object' || value.prices === null) return null;
      return value;
    } catch {
      return null;
    }
  }

  /** Takes or renews the refresher lock for `ms`; false when another process holds it. */
  async lock(token: string, ms: number): Promise<boolean> {
    if ((await this.redis.set(this.keys.lock, token, 'PX', ms, 'NX')) === 'OK') return true;
    return (await this.redis.eval(RENEW_LOCK, 1, this.keys.lock, token, String(ms))) === 1;
  }

  /** Gives the refresher lock up if `token` still holds it (a stopping switcher: its successor refreshes at once). */
  async release(token: string): Promise<void> {
    await this.redis.eval(RELEASE_LOCK, 1, this.keys.lock, token);
  }

  async readState(name: string): Promise<unknown> {
    const raw = await this.redis.get(this.keys.switchState(name));
    if (raw === null) return null;
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return null;
    }
  }

  async writeState(name: string, state: unknown, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.keys.switchState(name), JSON.stringify(state), 'EX', Math.max(1, Math.ceil(ttlSeconds)));
  }
}
