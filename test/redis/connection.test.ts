// The Redis connection helpers against a real redis-server: waiting (bounded) for a client to become ready.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/log/logger.js';
import { connectInBackground, createRedisClient, readyOrTimeout } from '../../src/redis/connection.js';
import { findFreePort } from '../helpers/ports.js';
import { useRedis } from '../helpers/redis-suite.js';

const suite = useRedis();
const logger = createLogger({ level: 'error' });
logger.silent = true;

test('readyOrTimeout resolves once the client is ready, and after its timeout when Redis cannot be reached', async () => {
  const { host, port } = suite.server;
  const reachable = suite.track(createRedisClient({ host, port, socket: null, password: null, db: 0, keyPrefix: 'c:' }, { name: 'ready', logger }));
  connectInBackground(reachable, logger);
  await readyOrTimeout(reachable, 5000);
  assert.equal(reachable.status, 'ready');
  assert.equal(await reachable.ping(), 'PONG');

  const nowhere = await findFreePort([port]);
  const unreachable = suite.track(createRedisClient({ host, port: nowhere, socket: null, password: null, db: 0, keyPrefix: 'c:' }, { name: 'away', logger }));
  connectInBackground(unreachable, logger);
  const started = Date.now();
  await readyOrTimeout(unreachable, 300);
  assert.notEqual(unreachable.status, 'ready');
  assert.ok(Date.now() - started >= 250, 'waited for the timeout');
});
