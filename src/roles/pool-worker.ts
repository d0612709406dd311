// Placeholder pool worker: the real one (stratum servers, job managers) replaces this file. It logs each
// enabled pool it would serve and acknowledges the messages a pool worker must handle.
import { assertNever } from '../ipc/messages.js';
import type { RoleContext } from './role-context.js';
import { untilShutdown } from './role-context.js';

export type { RoleContext } from './role-context.js';

export async function runPoolWorker(ctx: RoleContext): Promise<void> {
  const pools = ctx.config.pools.filter((p) => p.enabled);
  for (const pool of pools) ctx.logger.info('pool worker started', { pool: pool.id });
  const unsubscribe = ctx.ipc.onMessage((message) => {
    switch (message.type) {
      case 'config':
      case 'shutdown':
        return; // handled by the process entry
      case 'blocknotify':
        ctx.logger.info(`blocknotify for ${message.coin}: ${message.blockHash}`);
        return;
      case 'reloadpool':
        ctx.logger.info(`reloadpool ${message.pool} (not supported by the placeholder)`);
        return;
      case 'coinswitch':
        ctx.logger.info(`coinswitch ${message.switchName} -> ${message.coin} (not supported by the placeholder)`);
        return;
      default:
        assertNever(message);
    }
  });
  ctx.ipc.send({ type: 'status', role: 'pool-worker', forkId: ctx.forkId, pools: pools.map((p) => ({ pool: p.id, connections: 0 })) });
  await untilShutdown(ctx.shutdown);
  unsubscribe();
  ctx.logger.info('pool worker stopped');
}
