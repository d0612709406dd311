// Proves the redis-server harness itself: later Redis-facing tests rely on isolation between servers,
// on data surviving a stop/start on the same port, and on nothing being left running.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { assertNoProcessLeft, isPidAlive } from '../helpers/processes.js';
import { isPortFree } from '../helpers/ports.js';

function client(handle: RedisHandle): Redis {
  // Fail fast instead of queueing forever: a harness bug should surface as an error, not a hang.
  return new Redis(handle.port, handle.host, { maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: true });
}

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

test('two redis servers run side by side, keep data across a restart and leave nothing behind', async () => {
  const [first, second] = await Promise.all([startRedis(), startRedis()]);
  after(() => Promise.all([first.stop(), second.stop()]));
  assert.notEqual(first.port, second.port);
  assert.notEqual(first.dir, second.dir);
  assert.equal(first.url, `redis://127.0.0.1:${first.port}`);

  const a = client(first);
  const b = client(second);
  try {
    await Promise.all([a.connect(), b.connect()]);
    await a.set('harness:key', 'from-first');
    await b.set('harness:key', 'from-second');
    assert.equal(await a.get('harness:key'), 'from-first');
    assert.equal(await b.get('harness:key'), 'from-second');
  } finally {
    a.disconnect();
    b.disconnect();
  }

  const firstPid = first.pid;
  await first.stopKeepingData();
  assert.equal(first.running, false);
  assert.equal(isPidAlive(firstPid), false);
  assert.ok(await refusesConnections(first.port), 'port must refuse while the server is down');
  assert.ok(existsSync(first.dir), 'data dir is kept for startAgain');

  await first.startAgain();
  assert.notEqual(first.pid, firstPid);
  const again = client(first);
  try {
    await again.connect();
    assert.equal(await again.get('harness:key'), 'from-first');
  } finally {
    again.disconnect();
  }

  const pids = [...first.pids, ...second.pids];
  await Promise.all([first.stop(), second.stop()]);
  assertNoProcessLeft(pids);
  assert.ok(await refusesConnections(first.port));
  assert.ok(await refusesConnections(second.port));
  assert.ok(await isPortFree(second.port));
  assert.equal(existsSync(first.dir), false);
  assert.equal(existsSync(second.dir), false);
  // stop() is idempotent so after() hooks can always call it.
  await first.stop();
});

test('a frozen redis accepts TCP but does not answer, and thaws with its data', async () => {
  const redis = await startRedis();
  after(() => redis.stop());
  const c = new Redis(redis.port, redis.host, { maxRetriesPerRequest: 0, commandTimeout: 300, lazyConnect: true });
  try {
    await c.connect();
    await c.set('k', 'v');
    redis.freeze();
    await assert.rejects(c.get('k'), /timed out/i);
    redis.thaw();
    const fresh = client(redis);
    try {
      await fresh.connect();
      assert.equal(await fresh.get('k'), 'v');
    } finally {
      fresh.disconnect();
    }
  } finally {
    c.disconnect();
  }
  const pid = redis.pid;
  await redis.stop();
  assert.equal(isPidAlive(pid), false);
});
