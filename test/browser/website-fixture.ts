// A website in this process on a real redis-server without a pool: a pool config loaded through the product's
// validator, the refresher with fixed network figures, and the server on a free port. For the API scaling bench,
// which needs a million shares in Redis (more than test miners can mine); the browser test runs over a real pool
// (pool-site.ts).
import { Redis } from 'ioredis';
import type { PoolConfig } from '../../src/config/types.js';
import { createLogger } from '../../src/log/logger.js';
import { PoolKeys } from '../../src/redis/keys.js';
import type { StatsRefresher } from '../../src/website/refresher.js';
import { createWebsiteStack } from '../../src/website/site.js';
import type { SnapshotStore } from '../../src/website/snapshot-store.js';
import type { NetworkInfo } from '../../src/website/types.js';
import { loadPoolDir, writePoolDir } from '../helpers/pool-harness.js';
import { findFreePort } from '../helpers/ports.js';
import type { RedisHandle } from '../helpers/redis-server.js';

export const KEY_PREFIX = 'hfweb:';
export const SCRYPT_MULTIPLIER = 65536;

export interface WebsiteFixture {
  readonly pool: PoolConfig;
  readonly redis: Redis;
  readonly keys: PoolKeys;
  readonly store: SnapshotStore;
  readonly refresher: StatsRefresher;
  readonly baseUrl: string;
  network: NetworkInfo;
  stop(): Promise<void>;
}

export async function startWebsiteFixture(redisHandle: RedisHandle, address: string): Promise<WebsiteFixture> {
  const dir = await writePoolDir({
    daemons: [{ host: '127.0.0.1', rpcPort: 1, user: 'u', password: 'p' }],
    address,
    rewardRecipients: { [address]: 1.5 },
    pool: { paymentProcessing: { enabled: false, paymentInterval: 60, minimumPayment: '0.01', scheme: 'PPLNS' } },
  });
  const config = await loadPoolDir(dir.dir);
  dir.remove();
  const pool = config.pools[0];
  const logger = createLogger({ level: 'warn', context: { role: 'test-website' } });
  const redis = new Redis({ host: redisHandle.host, port: redisHandle.port, commandTimeout: 2000, maxRetriesPerRequest: 1 });
  const fixture = {
    network: { height: 120, difficulty: 0.002, hashrate: 12345 } as NetworkInfo,
  } as { network: NetworkInfo };
  const port = await findFreePort();
  const site = createWebsiteStack({
    pools: [pool],
    redis,
    keyPrefix: KEY_PREFIX,
    multiplierOf: () => SCRYPT_MULTIPLIER,
    network: { read: async () => fixture.network },
    logger,
    host: '127.0.0.1',
    port,
    refreshIntervalMs: 500,
    historyStepSeconds: 1,
    historyHours: 24,
    windowSeconds: 300,
    livePollMs: 250,
  });
  await site.server.listen();
  return Object.assign(fixture, {
    pool,
    redis,
    keys: new PoolKeys(KEY_PREFIX, pool.id),
    store: site.store,
    refresher: site.refresher,
    baseUrl: `http://127.0.0.1:${port}`,
    stop: async () => {
      await site.close();
      redis.disconnect();
    },
  });
}
