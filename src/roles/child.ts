// Process entry of a cluster child: says hello to the master, waits for the config (its first message),
// then runs the role named in its environment until told to shut down.
import type { ResolvedConfig } from '../config/types.js';
import { createChildIpc } from '../ipc/channel.js';
import type { ChildRole, MasterToChild } from '../ipc/messages.js';
import { assertNever } from '../ipc/messages.js';
import { createLogger } from '../log/logger.js';
import { answerMetricRequests } from '../metrics/cluster.js';
import { createProcessMetrics } from '../metrics/process-registry.js';
import type { RoleMain } from './role-context.js';
import { untilShutdown } from './role-context.js';

/**
 * Test hook: a child whose role equals this variable exits with code 1 right after receiving its config,
 * so process tests can watch the supervisor back off. Unset in production.
 */
export const TEST_CRASH_ROLE_ENV = 'HEADFRAME_TEST_CRASH_ROLE';
/**
 * Test hook: comma-separated roles that run an idle stand-in (waits for shutdown, touches nothing) instead of
 * the real role, so supervision tests do not depend on Redis, daemons or free stratum ports. Unset in production.
 */
export const TEST_IDLE_ROLES_ENV = 'HEADFRAME_TEST_IDLE_ROLES';

const idleStandIn: RoleMain = async (ctx) => {
  ctx.logger.info(`idle stand-in running (${TEST_IDLE_ROLES_ENV})`);
  await untilShutdown(ctx.shutdown);
};

// Imported lazily so a child loads only its own role's dependencies (express for the website, ...).
const ROLES: Readonly<Record<ChildRole, () => Promise<RoleMain>>> = {
  'pool-worker': async () => (await import('./pool-worker.js')).runPoolWorker,
  'payment-processor': async () => (await import('./payment-processor.js')).runPaymentProcessor,
  website: async () => (await import('./website.js')).runWebsite,
  'profit-switch': async () => (await import('./profit-switch.js')).runProfitSwitch,
};

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export async function runChild(role: ChildRole, forkId: number): Promise<void> {
  let logger = createLogger({ context: { role, fork: forkId } });
  const controller = new AbortController();
  let started = false;
  const ipc = createChildIpc(process, (reason) => logger.warn(`invalid IPC message from master: ${reason}`));

  const stop = (why: string): void => {
    if (controller.signal.aborted) return;
    logger.info(`shutting down (${why})`);
    controller.abort();
    // Nothing started yet, so nothing to wind down.
    if (!started) process.exit(0);
  };
  // Ctrl-C reaches the whole process group: wind down gracefully, the master coordinates the rest.
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // node:cluster already exits a worker whose master vanished; this covers a disconnect it treats as expected.
  process.on('disconnect', () => stop('master disconnected'));

  const config = await new Promise<ResolvedConfig>((resolve) => {
    ipc.onMessage((message: MasterToChild) => {
      switch (message.type) {
        case 'shutdown':
          stop('shutdown message');
          return;
        case 'config':
          if (started) return;
          if (message.role !== role || message.forkId !== forkId) {
            logger.error(`config addressed to ${message.role}/${message.forkId}, expected ${role}/${forkId}`);
            process.exit(1);
          }
          started = true;
          resolve(deepFreeze(message.config));
          return;
        case 'blocknotify':
        case 'reloadpool':
        case 'coinswitch':
        case 'ban':
          return; // for the role's own listener
        default:
          assertNever(message);
      }
    });
    ipc.send({ type: 'hello', role, forkId, pid: process.pid });
  });

  logger = createLogger({ level: config.global.logging.level, json: config.global.logging.json, context: { role, fork: forkId } });
  logger.info(`started (pid ${process.pid})`);
  if (process.env[TEST_CRASH_ROLE_ENV] === role) {
    logger.error(`exiting at start because ${TEST_CRASH_ROLE_ENV}=${role}`);
    process.exit(1);
  }

  // The listener registered above keeps turning shutdown messages into the abort for the role's whole life.
  const idle = (process.env[TEST_IDLE_ROLES_ENV] ?? '').split(',').includes(role);
  const main = idle ? idleStandIn : await ROLES[role]();
  const metrics = createProcessMetrics(role);
  // Answered even while the role starts, so a scrape never waits on a slow start.
  answerMetricRequests(metrics.registry);
  ipc.send({ type: 'ready', role, forkId, pid: process.pid });
  try {
    await main({ config, logger, forkId, ipc, shutdown: controller.signal, metrics });
  } catch (error) {
    logger.error(`role failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  }
  if (!controller.signal.aborted) {
    logger.error('role returned without being asked to stop');
    process.exit(1);
  }
  logger.info('stopped');
  process.exit(0);
}
