// Builds the alerting pieces from the config and runs the evaluator. The master runs it (every deployment has a
// master, while the website and payment processor are optional); the Redis lock keeps it to one evaluator when
// several instances share a Redis.
import { getAlgorithm } from '../algorithms/registry.js';
import type { ResolvedConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import type { OutboundMetrics } from '../metrics/outbound.js';
import { connectInBackground, createRedisClient } from '../redis/connection.js';
import { AlertStore } from './alert-store.js';
import { AlertEvaluator } from './evaluator.js';
import type { Notifier } from './notifier.js';
import { TelegramNotifier } from './telegram.js';
import { WebhookNotifier } from './webhook.js';

export interface RunningAlerts {
  stop(): Promise<void>;
}

const REDIS_TIMEOUT_MS = 5_000;

export function buildNotifiers(config: ResolvedConfig['global']['alerts'], metrics?: OutboundMetrics, signal?: AbortSignal): Notifier[] {
  const notifiers: Notifier[] = [];
  if (config.telegram) notifiers.push(new TelegramNotifier(config.telegram, { metrics, signal }));
  config.webhooks.forEach((hook, i) => notifiers.push(new WebhookNotifier(`webhook:${i}`, hook, { metrics, signal })));
  return notifiers;
}

export function startAlerts(config: ResolvedConfig, logger: Logger, metrics?: OutboundMetrics): RunningAlerts {
  const { redis: rc, alerts } = config.global;
  const redis = createRedisClient(rc, { name: 'headframe-alerts', logger, connectTimeoutMs: REDIS_TIMEOUT_MS, commandTimeoutMs: REDIS_TIMEOUT_MS });
  connectInBackground(redis, logger);
  const shutdown = new AbortController();
  const notifiers = buildNotifiers(alerts, metrics, shutdown.signal);
  if (notifiers.length === 0) logger.warn('alerts are enabled but neither telegram nor webhooks are configured: alerts are only recorded');
  const multipliers = new Map(config.pools.map((p) => [p.id, getAlgorithm(p.coin.algorithm).multiplier]));
  const evaluator = new AlertEvaluator({
    store: new AlertStore(redis, rc.keyPrefix),
    config: alerts,
    pools: config.pools.filter((p) => p.enabled).map((p) => p.id),
    multiplierOf: (id) => multipliers.get(id) ?? 1,
    notifiers,
    logger,
  });
  evaluator.start();
  return {
    stop: async () => {
      // Let calls in flight finish up to their own deadlines, so their outcome is recorded before exit.
      await evaluator.stop();
      shutdown.abort();
      redis.disconnect();
    },
  };
}
