// The website's parts wired together: snapshot store, stats refresher and HTTP/websocket server over one Redis
// client. The website role and the tests build this same stack; only timings and the network source differ.
import type { Redis } from 'ioredis';
import type { PoolConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import { poolInfoOf } from './pool-info.js';
import { RedisStatsSource } from './redis-stats-source.js';
import { StatsRefresher } from './refresher.js';
import { WebsiteServer } from './server.js';
import { SnapshotStore } from './snapshot-store.js';
import type { NetworkSource } from './types.js';

export interface WebsiteStackOptions {
  readonly pools: readonly PoolConfig[];
  readonly redis: Redis;
  readonly keyPrefix: string;
  /** Share multiplier of each pool's algorithm (see hashrate.ts). */
  readonly multiplierOf: (pool: PoolConfig) => number;
  readonly network: NetworkSource;
  readonly logger: Logger;
  readonly host: string;
  readonly port: number;
  readonly refreshIntervalMs: number;
  readonly historyStepSeconds: number;
  readonly historyHours: number;
  /** Hashrate window (default: RedisStatsSource's). */
  readonly windowSeconds?: number;
  /** Milliseconds between live snapshot checks (default: WebsiteServer's). */
  readonly livePollMs?: number;
}

export interface WebsiteStack {
  readonly store: SnapshotStore;
  readonly refresher: StatsRefresher;
  readonly server: WebsiteServer;
  /** Stops the refresher and the server; the Redis client and the network source stay the caller's. */
  close(): Promise<void>;
}

export function createWebsiteStack(options: WebsiteStackOptions): WebsiteStack {
  const { pools, redis, keyPrefix, logger } = options;
  const store = new SnapshotStore(redis, keyPrefix, { historyHours: options.historyHours });
  const refresher = new StatsRefresher({
    pools,
    multiplierOf: options.multiplierOf,
    store,
    source: new RedisStatsSource(redis, { keyPrefix, windowSeconds: options.windowSeconds }),
    network: options.network,
    logger,
    intervalMs: options.refreshIntervalMs,
    historyStepSeconds: options.historyStepSeconds,
    historyHours: options.historyHours,
  });
  const server = new WebsiteServer({ pools: pools.map(poolInfoOf), store, host: options.host, port: options.port, logger, livePollMs: options.livePollMs });
  return {
    store,
    refresher,
    server,
    close: async () => {
      await refresher.stop();
      await server.close();
    },
  };
}
