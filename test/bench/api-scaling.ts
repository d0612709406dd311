// API answer time against the number of shares in Redis: the website serves snapshots, so the answer time should
// stay flat from 10 thousand to 1 million shares while only the refresher's pass grows.
// Call: `await measureApiScaling()` (or with options) from the bench script; it starts and stops its own Redis.
import { performance } from 'node:perf_hooks';
import { hashrateBucketOf, WORK_SCALE } from '../../src/redis/keys.js';
import { startRedis } from '../helpers/redis-server.js';
import { startWebsiteFixture, type WebsiteFixture } from '../browser/website-fixture.js';

export interface ApiScalingOptions {
  /** Share counts to measure at, in increasing order (shares are added between steps). */
  readonly shareCounts?: readonly number[];
  /** Requests per path per step. */
  readonly requests?: number;
  /** Distinct miner addresses the shares are spread over. */
  readonly workers?: number;
}

export interface ApiScalingRow {
  readonly shares: number;
  readonly path: string;
  readonly medianMs: number;
  readonly p95Ms: number;
  /** How long the refresher's pass took at this size (grows with shares; pages never wait on it). */
  readonly refreshMs: number;
}

const ADDRESS = 'rltc1q2ajprc33kwcqwdpjcyl9d66syha6pmehxn9e3f';
const POOL_ADDRESS = 'rltc1qelweu73yztyv6xlstznyrwarwvf6gmrljr7lg3';

async function addShares(site: WebsiteFixture, count: number, workers: number): Promise<void> {
  const units = String(WORK_SCALE);
  const now = Date.now();
  for (let done = 0; done < count; ) {
    const batch = Math.min(10_000, count - done);
    const pipe = site.redis.pipeline();
    for (let i = 0; i < batch; i += 1) {
      const login = `${ADDRESS}.w${(done + i) % workers}`;
      pipe.hincrby(site.keys.hashrateBucket(hashrateBucketOf(now)), login, units);
      pipe.xadd(site.keys.shareLog, '*', 'a', ADDRESS, 'w', login, 'd', units, 't', String(now));
    }
    for (let w = 0; w < workers; w += 1) {
      pipe.hset(site.keys.worker(`${ADDRESS}.w${w}`), 'address', ADDRESS, 'lastShare', String(now));
      pipe.zadd(site.keys.workers, now, `${ADDRESS}.w${w}`);
    }
    pipe.hincrby(site.keys.currentRound.addresses, ADDRESS, batch * WORK_SCALE);
    await pipe.exec();
    done += batch;
  }
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export async function measureApiScaling(options: ApiScalingOptions = {}): Promise<ApiScalingRow[]> {
  const counts = options.shareCounts ?? [10_000, 100_000, 1_000_000];
  const requests = options.requests ?? 200;
  const workers = options.workers ?? 50;
  const redis = await startRedis({ extraArgs: ['--appendonly', 'no'] });
  const site = await startWebsiteFixture(redis, POOL_ADDRESS);
  const paths = ['/api/v1/pools', '/api/stats', `/api/v1/pools/${site.pool.id}/miners/${ADDRESS}`, `/api/v1/pools/${site.pool.id}/blocks`];
  const rows: ApiScalingRow[] = [];
  try {
    let have = 0;
    for (const target of counts) {
      await addShares(site, target - have, workers);
      have = target;
      const refreshStart = performance.now();
      await site.refresher.refreshOnce();
      const refreshMs = performance.now() - refreshStart;
      for (const path of paths) {
        const times: number[] = [];
        for (let i = 0; i < requests; i += 1) {
          const start = performance.now();
          const res = await fetch(`${site.baseUrl}${path}`, { signal: AbortSignal.timeout(5000) });
          await res.arrayBuffer();
          if (!res.ok) throw new Error(`${path} answered ${res.status}`);
          times.push(performance.now() - start);
        }
        times.sort((a, b) => a - b);
        rows.push({ shares: target, path, medianMs: percentile(times, 0.5), p95Ms: percentile(times, 0.95), refreshMs });
      }
    }
  } finally {
    await site.stop();
    await redis.stop();
  }
  return rows;
}
