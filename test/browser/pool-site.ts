// The website wired to a running pool the way src/roles/website.ts wires it: the pool's own Redis config through
// the shared client factory, network figures from the pool's daemons, the algorithm's multiplier from the
// registry. Only the timings are shortened so a test sees several refresh passes and chart points in seconds.
import type { Redis } from 'ioredis';
import { createAlgorithmRegistry } from '../../src/algorithms/registry.js';
import { createLogger } from '../../src/log/logger.js';
import { createRedisClient } from '../../src/redis/connection.js';
import { DaemonNetworkSource } from '../../src/website/network-source.js';
import { poolInfoOf } from '../../src/website/pool-info.js';
import { RedisStatsSource } from '../../src/website/redis-stats-source.js';
import { StatsRefresher } from '../../src/website/refresher.js';
import { WebsiteServer } from '../../src/website/server.js';
import { SnapshotStore } from '../../src/website/snapshot-store.js';
import type { RunningPool } from '../helpers/pool-harness.js';
import { findFreePort } from '../helpers/ports.js';

export const WINDOW_SECONDS = 300;

export interface PoolSite {
  readonly redis: Redis;
  readonly store: SnapshotStore;
  readonly refresher: StatsRefresher;
  readonly baseUrl: string;
  stop(): Promise<void>;
}

export async function startPoolSite(running: RunningPool): Promise<PoolSite> {
  const { pool, config } = running;
  const logger = createLogger({ level: (process.env.HEADFRAME_TEST_LOG as 'debug' | undefined) ?? 'warn', context: { role: 'test-website' } });
  const redis = createRedisClient(config.global.redis, { name: 'test-website', logger, commandTimeoutMs: 5000 });
  await redis.connect();
  const store = new SnapshotStore(redis, config.global.redis.keyPrefix);
  const network = new DaemonNetworkSource([pool], logger);
  const registry = createAlgorithmRegistry({ prefer: 'reference' });
  const refresher = new StatsRefresher({
    pools: [pool],
    multiplierOf: (p) => registry.get(p.coin.algorithm).multiplier,
    store,
    source: new RedisStatsSource(redis, { keyPrefix: config.global.redis.keyPrefix, windowSeconds: WINDOW_SECONDS }),
    network,
    logger,
    intervalMs: 400,
    historyStepSeconds: 1,
    historyHours: 24,
  });
  const port = await findFreePort();
  const server = new WebsiteServer({ pools: [poolInfoOf(pool)], store, host: '127.0.0.1', port, logger, livePollMs: 250 });
  await server.listen();
  return {
    redis,
    store,
    refresher,
    baseUrl: `http://127.0.0.1:${port}`,
    stop: async () => {
      await refresher.stop();
      await server.close();
      network.close();
      redis.disconnect();
    },
  };
}
