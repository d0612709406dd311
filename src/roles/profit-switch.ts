// Placeholder until the profit switch is written: it only proves the supervisor can run, stop and restart this role.
import type { RoleContext } from './role-context.js';
import { untilShutdown } from './role-context.js';

export async function runProfitSwitch(ctx: RoleContext): Promise<void> {
  ctx.logger.info('profit switch started (placeholder, does nothing yet)');
  await untilShutdown(ctx.shutdown);
  ctx.logger.info('profit switch stopped');
}
