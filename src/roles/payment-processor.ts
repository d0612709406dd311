// The payment processor role: one single-flight loop per pool with payments enabled. A run starts only after the
// previous one finished and the interval passed, so a slow run can never overlap the next (the Redis lock also keeps
// other processors, on this host or another, out).
import { setTimeout as delay } from 'node:timers/promises';
import type { PoolConfig } from '../config/types.js';
import { RpcClient } from '../daemon/rpc-client.js';
import type { Logger } from '../log/logger.js';
import type { HeadframeMetrics } from '../metrics/metrics.js';
import type { KillPoint } from '../payments/payer.js';
import { PoolPaymentProcessor, type RunSummary } from '../payments/processor.js';
import { PaymentScripts } from '../payments/scripts.js';
import { PaymentStore } from '../payments/store.js';
import { createRedisClient } from '../redis/connection.js';
import { rpcRequestRecorder } from '../metrics/instrumented-fetch.js';
import type { RoleContext } from './role-context.js';
import { untilShutdown } from './role-context.js';

/**
 * Test hook, unset in production: `after-intent`, `after-send` or `before-commit` makes the process SIGKILL itself at
 * that point of its first payment, so tests can prove a crash there neither pays twice nor loses a credit.
 */
export const TEST_PAYMENT_KILL_POINT_ENV = 'HEADFRAME_TEST_PAYMENT_KILL_POINT';

function killPointHook(logger: Logger): ((point: KillPoint) => void) | undefined {
  const wanted = process.env[TEST_PAYMENT_KILL_POINT_ENV];
  if (!wanted) return undefined;
  return (point) => {
    if (point !== wanted) return;
    logger.warn(`${TEST_PAYMENT_KILL_POINT_ENV}=${point}: killing this process now`);
    process.kill(process.pid, 'SIGKILL');
  };
}

function count(metrics: HeadframeMetrics, pool: string, summary: RunSummary): void {
  const m = metrics.payments;
  const result = summary.payment && summary.status === 'done' ? summary.payment.status : summary.status;
  m.runs.inc({ pool, result });
  m.halted.set({ pool }, summary.status === 'halted' ? 1 : 0);
  if (summary.credited > 0) metrics.pool.blocksConfirmed.inc({ pool }, summary.credited);
  if (summary.orphaned > 0) metrics.pool.blocksOrphaned.inc({ pool }, summary.orphaned);
  if (summary.pending !== null) metrics.pool.blocksPending.set({ pool }, summary.pending);
  if (summary.payment?.status === 'paid') {
    m.payments.inc({ pool });
    // Counters are doubles; any real payout is far below 2^53 base units, so the sum stays exact.
    m.paidBaseUnits.inc({ pool }, Number(summary.payment.payees.reduce((s, p) => s + p.amount, 0n)));
  }
  if (summary.status === 'done') m.lastSuccess.set({ pool }, Date.now() / 1000);
}

async function poolLoop(
  processor: PoolPaymentProcessor,
  pool: PoolConfig,
  logger: Logger,
  metrics: HeadframeMetrics,
  signal: AbortSignal,
): Promise<void> {
  // From zero, so increase() sees the first confirmed or orphaned block of a pool.
  metrics.pool.blocksConfirmed.inc({ pool: pool.id }, 0);
  metrics.pool.blocksOrphaned.inc({ pool: pool.id }, 0);
  while (!signal.aborted) {
    try {
      const summary = await processor.runOnce();
      count(metrics, pool.id, summary);
      logger.debug(`payment run for ${pool.id}: ${JSON.stringify(summary, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
    } catch (err) {
      // A daemon or Redis outage ends this run; the next one starts over from what Redis holds.
      metrics.payments.runs.inc({ pool: pool.id, result: 'error' });
      logger.error(`payment run for ${pool.id} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    // Ends early (rejecting with AbortError, ignored) when the role shuts down.
    await delay(pool.paymentProcessing.paymentInterval * 1000, undefined, { signal }).catch(() => undefined);
  }
}

export async function runPaymentProcessor(ctx: RoleContext): Promise<void> {
  const pools = ctx.config.pools.filter((p) => p.enabled && p.paymentProcessing.enabled);
  if (pools.length === 0) {
    ctx.logger.info('no pool has payment processing enabled; idle');
    await untilShutdown(ctx.shutdown);
    return;
  }
  const global = ctx.config.global;
  const redis = createRedisClient(global.redis, { name: `payment-processor-${ctx.forkId}`, logger: ctx.logger });
  await redis.connect().catch((err: Error) => ctx.logger.warn(`redis not reachable yet (${err.message}); runs retry`));
  const scripts = new PaymentScripts(redis);
  const killPoint = killPointHook(ctx.logger);
  const clients: RpcClient[] = [];
  const loops = pools.map((pool) => {
    const rpc = new RpcClient(pool.paymentProcessing.daemon, { logger: ctx.logger, onRequest: rpcRequestRecorder(ctx.metrics.outbound) });
    clients.push(rpc);
    const processor = new PoolPaymentProcessor({
      pool,
      store: new PaymentStore(redis, scripts, global.redis.keyPrefix, pool.id),
      rpc,
      logger: ctx.logger,
      killPoint,
    });
    ctx.logger.info(`payments for ${pool.id}: ${pool.paymentProcessing.scheme} every ${pool.paymentProcessing.paymentInterval} s`);
    return poolLoop(processor, pool, ctx.logger, ctx.metrics, ctx.shutdown);
  });
  await Promise.all(loops);
  for (const c of clients) c.close();
  redis.disconnect();
  ctx.logger.info('payment processor stopped');
}
