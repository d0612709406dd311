// A pool worker process: one PoolRuntime per enabled pool (kept in a PoolSet with the switching ports), all sharing
// this fork's algorithm kernels.
// Several forks may run this role; node:cluster shares each stratum port between them.
import { createHashPool, withFallback } from '../algorithms/hash-pool.js';
import { createAlgorithmRegistry } from '../algorithms/registry.js';
import { createTickBatcher } from '../algorithms/tick-batcher.js';
import { assertNever } from '../ipc/messages.js';
import { instrumentPool } from '../metrics/pool-instrumentation.js';
import { connectInBackground, createRedisClient } from '../redis/connection.js';
import { RedisScripts } from '../redis/script-loader.js';
import { PoolSet } from './pool-set.js';
import type { RoleContext } from './role-context.js';
import { untilShutdown } from './role-context.js';

export type { RoleContext } from './role-context.js';

/** How often connection counts go to the master for `status`. */
const STATUS_INTERVAL_MS = 5_000;

export async function runPoolWorker(ctx: RoleContext): Promise<void> {
  const { hashing } = ctx.config.global;
  const algorithms = createAlgorithmRegistry({ prefer: hashing.kernel, logger: ctx.logger });
  // Scrypt is where hashing dominates a share's cost; sha256d hashes faster inline than a thread hop takes.
  const scryptPool =
    hashing.threads > 0 && ctx.config.pools.some((p) => p.enabled && p.coin.algorithm === 'scrypt')
      ? createHashPool({
          threads: hashing.threads,
          algorithm: 'scrypt',
          prefer: hashing.kernel,
          logger: ctx.logger,
          onUnusable: (reason) => ctx.logger.error(`scrypt hash threads failed to start (${reason}); hashing on the event loop instead`),
        })
      : null;
  // On the event loop, a kernel with a batch path hashes each turn's shares (of every pool) together.
  const scrypt = algorithms.describe('scrypt');
  const onLoop = scrypt.hashMany ? createTickBatcher({ hashMany: scrypt.hashMany, hashOne: scrypt.algorithm.hash }) : undefined;
  const scryptHasher = scryptPool ? withFallback(scryptPool, onLoop ?? (async (header) => scrypt.algorithm.hash(header))) : onLoop;
  // One Redis connection for every pool of this process (each pool keeps its own recorder, numbering and queue).
  // Connected in the background: a Redis that is down at start must not keep stratum from serving.
  const redisClient = createRedisClient(ctx.config.global.redis, { name: `headframe-pool-worker-${ctx.forkId}`, logger: ctx.logger });
  const redis = new RedisScripts(redisClient);
  connectInBackground(redisClient, ctx.logger);
  const pools = new PoolSet({
    redis,
    hasherFor: (algorithm) => (algorithm === 'scrypt' ? scryptHasher : undefined),
    pools: ctx.config.pools,
    global: ctx.config.global,
    forkId: ctx.forkId,
    algorithms,
    logger: ctx.logger,
    onRuntime: (runtime) => {
      instrumentPool(runtime, ctx.metrics, algorithms.get(runtime.pool.coin.algorithm).multiplier);
      // A ban decided here holds in every fork: node:cluster hands a reconnect to any of them.
      runtime.on('ban', (event) => {
        if (event.reason !== 'external') {
          ctx.ipc.send({ type: 'ban', role: 'pool-worker', forkId: ctx.forkId, pool: runtime.pool.id, ip: event.ip, seconds: event.seconds });
        }
      });
      // The other forks mine the same chain: they move to the next block now, not at their next poll.
      runtime.on('blockAccepted', (candidate) =>
        ctx.ipc.send({ type: 'blockfound', role: 'pool-worker', forkId: ctx.forkId, coin: runtime.pool.coin.id, blockHash: candidate.blockHash }),
      );
      runtime.on('block', (outcome) => {
        if (outcome.verdict === 'accepted') {
          ctx.logger.info(`block found and accepted at height ${outcome.candidate.height}: ${outcome.candidate.blockHash}`, {
            pool: runtime.pool.id,
            worker: outcome.candidate.workerName,
          });
        }
      });
    },
  });

  const unsubscribe = ctx.ipc.onMessage((message) => {
    switch (message.type) {
      case 'config':
      case 'shutdown':
        return; // handled by the process entry
      case 'blocknotify':
        pools.blockNotify(message.coin, message.blockHash);
        return;
      case 'reloadpool':
        void pools.reload(message.pool).then(
          (outcome) => ctx.ipc.send({ type: 'reloaded', role: 'pool-worker', forkId: ctx.forkId, pool: message.pool.id, reloadId: message.reloadId, ...outcome }),
          (err: Error) =>
            ctx.ipc.send({ type: 'reloaded', role: 'pool-worker', forkId: ctx.forkId, pool: message.pool.id, reloadId: message.reloadId, ok: false, error: err.message }),
        );
        return;
      case 'coinswitch':
        pools.coinSwitch(message.switchName, message.coin);
        return;
      case 'ban':
        pools.banIp(message.pool, message.ip, message.seconds);
        return;
      default:
        assertNever(message);
    }
  });

  // A port that cannot be bound is fatal for this worker: the master restarts it with backoff and logs why.
  await pools.start();
  const sendStatus = () =>
    ctx.ipc.send({
      type: 'status',
      role: 'pool-worker',
      forkId: ctx.forkId,
      pools: pools.all.map((r) => ({ pool: r.pool.id, connections: r.connectionCount })),
    });
  sendStatus();
  const statusTimer = setInterval(sendStatus, STATUS_INTERVAL_MS);
  statusTimer.unref();

  await untilShutdown(ctx.shutdown);
  clearInterval(statusTimer);
  unsubscribe();
  // After the pools: their recorders have flushed what they could to Redis.
  await pools.stop();
  redisClient.disconnect();
  await scryptPool?.close();
  ctx.logger.info('pool worker stopped');
}
