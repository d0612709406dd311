// The hashrate window that the website and the pool-hashrate alert both measure: the per-worker work of the
// 30-second buckets the share recorder keeps (keys.ts), over the buckets inside the last `windowSeconds`.
import type { Redis } from 'ioredis';
import { HASHRATE_BUCKET_MS, hashrateBucketOf, type PoolKeys, unitsToDifficulty } from './keys.js';

export interface HashrateWindow {
  /** Credited share difficulty per worker login inside the window. */
  readonly difficulty: Map<string, number>;
  /** Seconds the buckets read span, from the start of the oldest to now: just under the window asked for. */
  readonly seconds: number;
}

/** The window the website shows and the low-hashrate alert compares, unless configured otherwise. */
export const DEFAULT_HASHRATE_WINDOW_SECONDS = 300;

/** The shortest window worth reading: the buckets after the one holding the window's start are never empty. */
export const MIN_HASHRATE_WINDOW_SECONDS = (2 * HASHRATE_BUCKET_MS) / 1000;

/** Reads the buckets after the one holding `now - windowSeconds` up to the one still filling (one pipeline). */
export async function readHashrateWindow(redis: Redis, keys: PoolKeys, now: number, windowSeconds: number): Promise<HashrateWindow> {
  const newest = hashrateBucketOf(now);
  const oldest = hashrateBucketOf(now - Math.max(windowSeconds, MIN_HASHRATE_WINDOW_SECONDS) * 1000) + 1;
  const pipe = redis.pipeline();
  for (let bucket = oldest; bucket <= newest; bucket++) pipe.hgetall(keys.hashrateBucket(bucket));
  const replies = (await pipe.exec()) ?? [];
  const difficulty = new Map<string, number>();
  for (const [error, fields] of replies) {
    if (error) throw error;
    for (const [login, units] of Object.entries(fields as Record<string, string>)) {
      difficulty.set(login, (difficulty.get(login) ?? 0) + unitsToDifficulty(units));
    }
  }
  return { difficulty, seconds: (now - oldest * HASHRATE_BUCKET_MS) / 1000 };
}
