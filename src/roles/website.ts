// Placeholder until the website is written: it only proves the supervisor can run, stop and restart this role.
import type { RoleContext } from './role-context.js';
import { untilShutdown } from './role-context.js';

export async function runWebsite(ctx: RoleContext): Promise<void> {
  ctx.logger.info('website started (placeholder, does nothing yet)');
  await untilShutdown(ctx.shutdown);
  ctx.logger.info('website stopped');
}
