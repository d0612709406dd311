// The website process: serves pages, the JSON API and live updates from Redis snapshots, and takes part in
// computing them (one website process per pool holds the refresher lock). Composition only.
import { getAlgorithm } from '../algorithms/registry.js';
import { connectInBackground, createRedisClient, readyOrTimeout } from '../redis/connection.js';
import { DaemonNetworkSource } from '../website/network-source.js';
import { createWebsiteStack } from '../website/site.js';
import type { RoleContext } from './role-context.js';
import { untilShutdown } from './role-context.js';
import { reportSnapshotHashrate } from '../metrics/website-metrics.js';

/** Seconds between snapshot refreshes; the pages' live figures are at most this old. */
const REFRESH_INTERVAL_MS = 10_000;
/** One chart point per 5 minutes: 288 points for a day. */
const HISTORY_STEP_SECONDS = 300;
const HISTORY_HOURS = 24;

export async function runWebsite(ctx: RoleContext): Promise<void> {
  const { config, logger } = ctx;
  const pools = config.pools.filter((p) => p.enabled);
  const { redis: rc, website } = config.global;
  // The shared factory: bounded timeouts, backoff with jitter, fail-fast while Redis is away (an API call then
  // answers an error at once instead of hanging), and one log line per outage instead of one per reconnect attempt.
  const redis = createRedisClient(rc, { name: 'website', logger, commandTimeoutMs: 5000, connectTimeoutMs: 5000, maxReconnectDelayMs: 5000 });
  connectInBackground(redis, logger);

  const network = new DaemonNetworkSource(pools, logger);
  const site = createWebsiteStack({
    pools,
    redis,
    keyPrefix: rc.keyPrefix,
    // Only multipliers are needed here: the reference algorithms' table, no kernel selection.
    multiplierOf: (pool) => getAlgorithm(pool.coin.algorithm).multiplier,
    network,
    logger,
    host: website.host,
    port: website.port,
    refreshIntervalMs: REFRESH_INTERVAL_MS,
    historyStepSeconds: HISTORY_STEP_SECONDS,
    historyHours: HISTORY_HOURS,
  });

  await site.server.listen();
  // The first pass waits (briefly) for Redis: started at once it fails and logs a warning on every start.
  await readyOrTimeout(redis, 5000);
  site.refresher.start();
  const stopHashrateMetric = reportSnapshotHashrate(ctx.metrics, pools.map((p) => p.id), site.store);
  await untilShutdown(ctx.shutdown);
  stopHashrateMetric();
  await site.close();
  network.close();
  redis.disconnect();
  logger.info('website stopped');
}
