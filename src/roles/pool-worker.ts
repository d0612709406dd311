// A pool worker process: one PoolRuntime per enabled pool, all sharing this fork's algorithm kernels.
// Several forks may run this role; node:cluster shares each stratum port between them.
import { createAlgorithmRegistry } from '../algorithms/registry.js';
import { assertNever } from '../ipc/messages.js';
import { instrumentPool } from '../metrics/pool-instrumentation.js';
import { PoolRuntime } from './pool-runtime.js';
import type { RoleContext } from './role-context.js';
import { untilShutdown } from './role-context.js';

export type { RoleContext } from './role-context.js';

/** How often connection counts go to the master for `status`. */
const STATUS_INTERVAL_MS = 5_000;

export async function runPoolWorker(ctx: RoleContext): Promise<void> {
  const algorithms = createAlgorithmRegistry({ logger: ctx.logger });
  const runtimes = ctx.config.pools
    .filter((pool) => pool.enabled)
    .map(
      (pool) =>
        new PoolRuntime({
          pool,
          global: ctx.config.global,
          forkId: ctx.forkId,
          algorithm: algorithms.get(pool.coin.algorithm),
          logger: ctx.logger,
        }),
    );
  for (const runtime of runtimes) {
    instrumentPool(runtime, ctx.metrics);
    runtime.on('block', (outcome) => {
      if (outcome.verdict === 'accepted') {
        ctx.logger.info(`block found and accepted at height ${outcome.candidate.height}: ${outcome.candidate.blockHash}`, {
          pool: runtime.pool.id,
          worker: outcome.candidate.workerName,
        });
      }
    });
  }

  const unsubscribe = ctx.ipc.onMessage((message) => {
    switch (message.type) {
      case 'config':
      case 'shutdown':
        return; // handled by the process entry
      case 'blocknotify':
        for (const runtime of runtimes) {
          if (runtime.pool.coin.id === message.coin || runtime.pool.id === message.coin) void runtime.onBlockNotify(message.blockHash);
        }
        return;
      case 'reloadpool':
        ctx.logger.warn(`reloadpool ${message.pool}: live reload is not implemented yet; restart the pool to apply changes`);
        return;
      case 'coinswitch':
        ctx.logger.warn(`coinswitch ${message.switchName} -> ${message.coin}: profit switching is not implemented yet`);
        return;
      default:
        assertNever(message);
    }
  });

  // A port that cannot be bound is fatal for this worker: the master restarts it with backoff and logs why.
  await Promise.all(runtimes.map((r) => r.start()));
  const sendStatus = () =>
    ctx.ipc.send({
      type: 'status',
      role: 'pool-worker',
      forkId: ctx.forkId,
      pools: runtimes.map((r) => ({ pool: r.pool.id, connections: r.connectionCount })),
    });
  sendStatus();
  const statusTimer = setInterval(sendStatus, STATUS_INTERVAL_MS);
  statusTimer.unref();

  await untilShutdown(ctx.shutdown);
  clearInterval(statusTimer);
  unsubscribe();
  await Promise.all(runtimes.map((r) => r.stop()));
  ctx.logger.info('pool worker stopped');
}
