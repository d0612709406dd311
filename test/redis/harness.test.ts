// Proves the redis-server harness itself: later Redis-facing tests rely on isolation between servers,
// on data surviving a stop/start on the same port, and on nothing being left running.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { redisCommand, startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { assertNoProcessLeft, isPidAlive, waitFor } from '../helpers/processes.js';
import {
  AddressInUseError,
  findFreePort,
  isPortFree,
  PORT_MAX,
  PORT_MIN,
  retryOnAddressInUse,
} from '../helpers/ports.js';

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

  const beforeRestart = second.pid;
  await second.restart();
  assert.notEqual(second.pid, beforeRestart);
  assert.equal(await redisCommand(second.port, ['GET', 'harness:key']), '$11', 'bulk reply header of "from-second"');

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

async function occupy(port: number): Promise<Server> {
  const server = createServer();
  server.listen({ host: '127.0.0.1', port, exclusive: true });
  await once(server, 'listening');
  return server;
}

test('a taken port is reported as AddressInUseError, and startAgain does not silently move ports', async () => {
  const port = await findFreePort();
  assert.ok(port >= PORT_MIN && port <= PORT_MAX);
  const blocker = await occupy(port);
  try {
    assert.equal(await isPortFree(port), false);
    await assert.rejects(startRedis({ port }), AddressInUseError);
  } finally {
    blocker.close();
  }

  const redis = await startRedis();
  after(() => redis.stop());
  await redis.stopKeepingData();
  const squatter = await occupy(redis.port);
  try {
    await assert.rejects(redis.startAgain(), AddressInUseError);
  } finally {
    squatter.close();
  }
  assertNoProcessLeft(redis.pids);
  await redis.stop();
  assert.equal(existsSync(redis.dir), false);
});

test('retryOnAddressInUse retries only EADDRINUSE and gives up after the limit', async () => {
  let calls = 0;
  const value = await retryOnAddressInUse(async (attempt) => {
    calls += 1;
    if (attempt < 3) throw new AddressInUseError('taken');
    return attempt;
  });
  assert.equal(value, 3);
  assert.equal(calls, 3);

  calls = 0;
  await assert.rejects(
    retryOnAddressInUse(async () => {
      calls += 1;
      throw new Error('config broken');
    }),
    /config broken/,
  );
  assert.equal(calls, 1, 'other errors are not retried');

  calls = 0;
  await assert.rejects(
    retryOnAddressInUse(async () => {
      calls += 1;
      throw Object.assign(new Error('bind'), { code: 'EADDRINUSE' });
    }, 4),
    /still EADDRINUSE after 4 attempts/,
  );
  assert.equal(calls, 4);
});

// A test process that dies must not leave its redis-server behind, whichever way it dies.
for (const death of ['uncaught exception', 'SIGTERM', 'SIGKILL'] as const) {
  test(`redis-server dies with a test process killed by ${death}`, async () => {
    const helper = new URL('../helpers/redis-server.js', import.meta.url).href;
    const script = `
      import { startRedis } from ${JSON.stringify(helper)};
      const redis = await startRedis();
      console.log(JSON.stringify({ pid: redis.pid, dir: redis.dir, port: redis.port }));
      process.stdin.once('data', () => { throw new Error('test crashed'); });
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'pipe'] });
    after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    type Started = { pid: number; dir: string; port: number };
    const info = await waitFor(() => (out.includes('\n') ? (JSON.parse(out) as Started) : undefined), {
      timeoutMs: 10_000,
      what: 'the child test process to start redis',
      diagnostics: () => err,
    });
    assert.ok(isPidAlive(info.pid));
    const exited = once(child, 'exit');
    if (death === 'uncaught exception') child.stdin.write('crash\n');
    else child.kill(death);
    await exited;
    // SIGKILL leaves it to the kernel's parent-death signal, which is asynchronous: allow a moment.
    await waitFor(() => !isPidAlive(info.pid), { timeoutMs: 3000, what: `redis pid ${info.pid} to die` });
    if (death === 'SIGKILL') rmSync(info.dir, { recursive: true, force: true });
    else assert.equal(existsSync(info.dir), false, 'exit hooks remove the data dir');
  });
}
