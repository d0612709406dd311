// The website wired to a running pool the way src/roles/website.ts wires it: the pool's own Redis config through
// the shared client factory, network figures from the pool's daemons, the algorithm's multiplier from the
// registry. Only the timings are shortened so a test sees several refresh passes and chart points in seconds.
import type { Redis } from 'ioredis';
import { getAlgorithm } from '../../src/algorithms/registry.js';
import { createLogger } from '../../src/log/logger.js';
import { createRedisClient } from '../../src/redis/connection.js';
import { DaemonNetworkSource } from '../../src/website/network-source.js';
import type { StatsRefresher } from '../../src/website/refresher.js';
import { createWebsiteStack } from '../../src/website/site.js';
import type { SnapshotStore } from '../../src/website/snapshot-store.js';
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
  const network = new DaemonNetworkSource([pool], logger);
  const port = await findFreePort();
  const site = createWebsiteStack({
    pools: [pool],
    redis,
    keyPrefix: config.global.redis.keyPrefix,
    multiplierOf: (p) => getAlgorithm(p.coin.algorithm).multiplier,
    network,
    logger,
    host: '127.0.0.1',
    port,
    refreshIntervalMs: 400,
    historyStepSeconds: 1,
    historyHours: 24,
    windowSeconds: WINDOW_SECONDS,
    livePollMs: 250,
  });
  await site.server.listen();
  return {
    redis,
    store: site.store,
    refresher: site.refresher,
    baseUrl: `http://127.0.0.1:${port}`,
    stop: async () => {
      await site.close();
      network.close();
      redis.disconnect();
    },
  };
}
