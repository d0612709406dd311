// Redis side of the alert evaluator: the evaluator lock, stored alert states, sent notices, and the read-only views
// of what the share recorder and payment processor write (worker last shares, pending blocks, payment halt).
import type { Redis } from 'ioredis';
import { readHashrateWindow } from '../redis/hashrate-window.js';
import { AlertKeys, PaymentKeys, PoolKeys } from '../redis/keys.js';
import type { FiringState } from './worker-state.js';

/** Takes the lock, or renews it when this token already holds it. 1 when held afterwards. */
const ACQUIRE_OR_RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

const NOTICE_RETENTION_MS = 30 * 24 * 3600 * 1000;

export interface BlockRecord {
  readonly id: string;
  readonly height: number;
  readonly hash: string;
  readonly verdict: string;
  readonly foundAt: number;
  readonly reward: string;
  readonly worker: string;
}

interface PoolKeySet {
  readonly keys: PoolKeys;
  readonly alerts: AlertKeys;
  readonly payments: PaymentKeys;
}

function parseState(json: string | null): FiringState | null {
  if (json === null) return null;
  try {
    return JSON.parse(json) as FiringState;
  } catch {
    return null;
  }
}

export class AlertStore {
  private readonly lockKey: string;
  private readonly pools = new Map<string, PoolKeySet>();

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {
    this.lockKey = AlertKeys.lock(keyPrefix);
  }

  async acquireLock(token: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(ACQUIRE_OR_RENEW, 1, this.lockKey, token, String(ttlMs))) === 1;
  }

  async releaseLock(token: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.lockKey, token);
  }

  /** Worker login -> last valid share (ms) for every worker that shared at or after `sinceMs`. */
  async lastShares(pool: string, sinceMs: number): Promise<Map<string, number>> {
    const flat = await this.redis.zrangebyscore(this.keysOf(pool).keys.workers, Math.floor(sinceMs), '+inf', 'WITHSCORES');
    const result = new Map<string, number>();
    for (let i = 0; i + 1 < flat.length; i += 2) result.set(flat[i], Number(flat[i + 1]));
    return result;
  }

  async workerStates(pool: string): Promise<Map<string, FiringState>> {
    const raw = await this.redis.hgetall(this.keysOf(pool).alerts.workers);
    const result = new Map<string, FiringState>();
    for (const [login, json] of Object.entries(raw)) {
      try {
        result.set(login, JSON.parse(json) as FiringState);
      } catch {
        // A corrupt entry would fire again; dropping it is the lesser harm and the evaluator logs nothing per share.
      }
    }
    return result;
  }

  async saveWorkerState(pool: string, login: string, state: FiringState | null): Promise<void> {
    const key = this.keysOf(pool).alerts.workers;
    if (state === null) await this.redis.hdel(key, login);
    else await this.redis.hset(key, login, JSON.stringify(state));
  }

  async poolState(pool: string, name: string): Promise<FiringState | null> {
    return parseState(await this.redis.hget(this.keysOf(pool).alerts.pool, name));
  }

  async savePoolState(pool: string, name: string, state: FiringState | null): Promise<void> {
    const key = this.keysOf(pool).alerts.pool;
    if (state === null) await this.redis.hdel(key, name);
    else await this.redis.hset(key, name, JSON.stringify(state));
  }

  /** The pool's credited share difficulty over the last `windowSeconds` (the website's window, read the same way). */
  async poolWindow(pool: string, now: number, windowSeconds: number): Promise<{ difficulty: number; seconds: number }> {
    const window = await readHashrateWindow(this.redis, this.keysOf(pool).keys, now, windowSeconds);
    let difficulty = 0;
    for (const d of window.difficulty.values()) difficulty += d;
    return { difficulty, seconds: window.seconds };
  }

  /** Records a notice as sent; false when it already was (so it is sent once across restarts and instances). */
  async claimNotice(pool: string, id: string, now: number): Promise<boolean> {
    const key = this.keysOf(pool).alerts.notices;
    const added = await this.redis.zadd(key, 'NX', now, id);
    if (added === 1) await this.redis.zremrangebyscore(key, '-inf', now - NOTICE_RETENTION_MS);
    return added === 1;
  }

  /** Blocks waiting for maturity, with the fields a notice needs. */
  async pendingBlocks(pool: string): Promise<BlockRecord[]> {
    const { keys } = this.keysOf(pool);
    const ids = await this.redis.zrange(keys.blocksPending, 0, -1);
    const records: BlockRecord[] = [];
    for (const id of ids) {
      const at = id.indexOf(':');
      const height = Number(id.slice(0, at));
      const hash = id.slice(at + 1);
      const [verdict, foundAt, reward, worker] = await this.redis.hmget(keys.block(height, hash), 'verdict', 'foundAt', 'reward', 'worker');
      records.push({ id, height, hash, verdict: verdict ?? '', foundAt: Number(foundAt ?? 0), reward: reward ?? '0', worker: worker ?? '' });
    }
    return records;
  }

  /** The payment processor's halt record ({reason, at}), or null while payments run. */
  async paymentHalt(pool: string): Promise<{ reason: string; at: number } | null> {
    const raw = await this.redis.get(this.keysOf(pool).payments.halt);
    if (raw === null) return null;
    try {
      const parsed = JSON.parse(raw) as { reason?: unknown; at?: unknown };
      return { reason: String(parsed.reason ?? 'unknown'), at: Number(parsed.at ?? 0) };
    } catch {
      return { reason: raw, at: 0 };
    }
  }

  private keysOf(pool: string): PoolKeySet {
    let entry = this.pools.get(pool);
    if (!entry) {
      const keys = new PoolKeys(this.keyPrefix, pool);
      entry = { keys, alerts: new AlertKeys(keys), payments: new PaymentKeys(keys) };
      this.pools.set(pool, entry);
    }
    return entry;
  }
}
