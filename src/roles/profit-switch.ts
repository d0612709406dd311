// The profit switcher process: prices from the configured sources into Redis, each switched coin's next block
// from its pool's daemons, and a coinswitch to the master whenever the switch should mine something else.
import { DaemonSet } from '../daemon/daemon-set.js';
import { PriceCache } from '../profit/price-cache.js';
import { ProfitSwitcher } from '../profit/profit-switcher.js';
import { connectInBackground, createRedisClient, readyOrTimeout } from '../redis/connection.js';
import { ProfitKeys } from '../redis/keys.js';
import type { RoleContext } from './role-context.js';
import { untilShutdown } from './role-context.js';
import { daemonRequestRecorder, instrumentedFetch } from '../metrics/instrumented-fetch.js';

/** Longest wait for Redis before the first round; a round that still fails is retried soon (see ProfitSwitcher). */
const REDIS_READY_TIMEOUT_MS = 5_000;

export async function runProfitSwitch(ctx: RoleContext): Promise<void> {
  const { global, pools } = ctx.config;
  const config = global.profitSwitch;
  if (config.switches.length === 0) ctx.logger.warn('profit switch enabled but no switches are configured: nothing to do');

  const daemons = new Map<string, { set: DaemonSet; rules: string[] }>();
  for (const coin of new Set(config.switches.flatMap((s) => s.coins))) {
    const pool = pools.find((p) => p.enabled && p.coin.id === coin);
    if (!pool) continue; // config rules guarantee one; a reload may have disabled it since
    const rules = pool.coin.mweb ? ['mweb', 'segwit'] : pool.coin.segwit ? ['segwit'] : [];
    const onEvent = daemonRequestRecorder(ctx.metrics.outbound);
    daemons.set(coin, { set: new DaemonSet(pool.daemons, { logger: ctx.logger.child({ pool: pool.id }), onEvent }), rules });
  }

  const sourceNames = new Map(config.priceSources.map((s) => [s.url, s.name]));
  const redis = createRedisClient(global.redis, { name: 'profit-switch', logger: ctx.logger });
  connectInBackground(redis, ctx.logger);
  const switcher = new ProfitSwitcher({
    config,
    cache: new PriceCache(redis, new ProfitKeys(global.redis.keyPrefix)),
    network: async (coin) => {
      const entry = daemons.get(coin);
      if (!entry) throw new Error(`no enabled pool mines ${coin}`);
      const template = await entry.set.call('getblocktemplate', [{ rules: entry.rules }]);
      return { reward: BigInt(template.coinbasevalue), target: BigInt(`0x${template.target}`) };
    },
    send: (switchName, coin) => ctx.ipc.send({ type: 'coinswitch', role: 'profit-switch', forkId: ctx.forkId, switchName, coin }),
    logger: ctx.logger,
    // Metric label per source name: the URL may carry an API key.
    fetch: instrumentedFetch(ctx.metrics.outbound, (url) => `price:${sourceNames.get(url) ?? 'unknown'}`),
    onPriceRetry: (source) => ctx.metrics.outbound.retries.inc({ target: `price:${source}`, method: 'GET' }),
  });
  // The client fails commands until it is connected: a first round started at once would only fail.
  await readyOrTimeout(redis, REDIS_READY_TIMEOUT_MS);
  switcher.start();
  ctx.logger.info(`profit switch started: ${config.switches.map((s) => `${s.name} (${s.coins.join(', ')})`).join('; ') || 'no switches'}`);

  await untilShutdown(ctx.shutdown);
  await switcher.stop();
  for (const { set } of daemons.values()) set.close();
  redis.disconnect();
  ctx.logger.info('profit switch stopped');
}
