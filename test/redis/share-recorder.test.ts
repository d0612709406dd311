// The recorder's outage queue against a real redis-server that goes away: every share answered "kept" is in Redis
// afterwards exactly once, in order; a full queue refuses shares instead of confirming them; a hung server's
// timed-out commands that run later are not applied twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useRedis } from '../helpers/redis-suite.js';
import { waitFor } from '../helpers/processes.js';
import { createLogger, type Logger } from '../../src/log/logger.js';
import { createRedisClient } from '../../src/redis/connection.js';
import { PoolKeys } from '../../src/redis/keys.js';
import { RedisScripts } from '../../src/redis/script-loader.js';
import { ShareStore, type RecordOp, type ShareOp } from '../../src/redis/share-store.js';
import { ShareRecorder, type QueueState, type RecordStore } from '../../src/shares/share-recorder.js';
import { PoolRecording } from '../../src/shares/pool-recording.js';
import type { GlobalConfig, PoolConfig } from '../../src/config/types.js';
import { EventEmitter } from 'node:events';
import { Registry } from 'prom-client';
import { createMetrics } from '../../src/metrics/metrics.js';
import { instrumentPool, type InstrumentedPool } from '../../src/metrics/pool-instrumentation.js';
import type { BlockCandidate } from '../../src/mining/block-submitter.js';
import { captureLog } from '../helpers/log-capture.js';

const logger = createLogger({ level: 'error' });
const suite = useRedis();

async function setup(
  prefix: string,
  options: {
    maxQueue?: number;
    maxInvalidQueue?: number;
    commandTimeoutMs?: number;
    maxBatch?: number;
    wrap?: (store: RecordStore) => RecordStore;
    onQueueChange?: (s: QueueState) => void;
    logger?: Logger;
  } = {},
) {
  const client = createRedisClient(
    { host: suite.server.host, port: suite.server.port, socket: null, password: null, db: 0, keyPrefix: prefix },
    { name: prefix, logger, commandTimeoutMs: options.commandTimeoutMs ?? 1000, maxReconnectDelayMs: 200 },
  );
  suite.track(client);
  await client.connect();
  const keys = new PoolKeys(prefix, 'ltc');
  const states: QueueState[] = [];
  const recorder = new ShareRecorder({
    store: (options.wrap ?? ((x) => x))(new ShareStore({ scripts: new RedisScripts(client), keys, writerId: 'w1' })),
    logger: options.logger ?? logger,
    maxQueue: options.maxQueue,
    maxInvalidQueue: options.maxInvalidQueue,
    maxBatch: options.maxBatch,
    retryMinMs: 50,
    retryMaxMs: 200,
    onQueueChange: (s) => {
      states.push(s);
      options.onQueueChange?.(s);
    },
  });
  return { client, keys, recorder, states };
}

function candidate(height: number, hash: string): BlockCandidate {
  return { pool: 'ltc', height, blockHash: hash, coinbaseTxid: 'c'.repeat(64), reward: 5_000_000_000n, minerAddress: 'A', workerName: 'A.1', shareDifficulty: 2, jobId: '1', foundAt: 1 };
}

test('shares kept during a redis outage are all written, once, when it returns', { timeout: 30_000 }, async () => {
  const { client, keys, recorder, states } = await setup('out1:');
  let kept = 0;
  const record = async (n: number) => {
    const results = await Promise.all(Array.from({ length: n }, (_, i) => recorder.recordShare(i % 2 ? 'A' : 'B', i % 2 ? 'A.1' : 'B.1', 1)));
    kept += results.filter(Boolean).length;
    assert.ok(results.every(Boolean));
  };
  await record(100);
  assert.equal(recorder.state.mode, 'live');
  await suite.server.stopKeepingData();
  await record(150);
  recorder.recordInvalid('A', 'A.1', 'duplicate');
  void recorder.recordBlock(candidate(10, 'ab'.repeat(32)));
  await record(50);
  assert.equal(recorder.state.mode, 'queued');
  assert.ok(recorder.state.queued >= 200, `queued ${recorder.state.queued}`);
  await suite.server.startAgain();
  await waitFor(() => recorder.state.mode === 'live', { timeoutMs: 15_000, intervalMs: 50, what: 'queue drained' });
  assert.equal(recorder.state.queued, 0);
  assert.ok(states.some((s) => s.queued > 0) && states.at(-1)!.queued === 0);

  // 100 + 150 went into the round the block closed (in order), 50 into the new round.
  const closed = keys.round(10, 'ab'.repeat(32));
  assert.equal(await client.hget(closed.meta, 'shares'), '250');
  assert.equal(await client.hget(keys.currentRound.meta, 'shares'), '50');
  assert.equal(await client.hget(keys.stats, 'valid'), String(kept));
  assert.equal(await client.xlen(keys.shareLog), kept);
  assert.deepEqual(await client.hmget(keys.stats, 'invalid', 'duplicate'), ['1', '1']);
  assert.equal(await client.zcard(keys.blocksPending), 1);
});


test('shares redis acknowledged and then lost in a restart are logged and skipped; the queue is written once, in order', { timeout: 30_000 }, async () => {
  const { logger: captured, lines } = captureLog('info');
  const { client, keys, recorder } = await setup('lost1:', { logger: captured });
  assert.ok((await Promise.all(Array.from({ length: 10 }, () => recorder.recordShare('A', 'A.1', 1)))).every(Boolean));
  // From here Redis acknowledges writes it will not have after a restart (as after an AOF fsynced every second
  // or an RDB, or a failover to a lagging replica): numbers 11..26 are answered, then lost.
  await client.config('SET', 'appendonly', 'no');
  let restarted = false;
  try {
    const lost = Array.from({ length: 15 }, () => recorder.recordShare('B', 'B.1', 1));
    recorder.recordInvalid('B', 'B.1', 'duplicate');
    assert.ok((await Promise.all(lost)).every(Boolean));
    assert.equal(await client.get(keys.writer('w1')), '26');
    await suite.server.stopKeepingData();
    const queued = [
      ...Array.from({ length: 5 }, () => recorder.recordShare('C', 'C.1', 1)),
      recorder.recordBlock(candidate(13, '12'.repeat(32))),
      ...Array.from({ length: 5 }, () => recorder.recordShare('C', 'C.1', 1)),
    ];
    assert.ok((await Promise.all(queued)).every(Boolean));
    assert.equal(recorder.state.mode, 'queued');
    await suite.server.startAgain();
    restarted = true;
  } finally {
    if (!restarted) await suite.server.startAgain();
  }
  await waitFor(() => recorder.state.mode === 'live' && recorder.state.queued === 0, { timeoutMs: 10_000, intervalMs: 50, what: 'queue drained' });

  assert.equal(recorder.state.lostInRedis, 16);
  const loud = lines.filter((l) => l.level === 'error');
  assert.equal(loud.length, 1, JSON.stringify(lines));
  assert.match(loud[0].message, /writer w1: redis lost 16 share operations .*numbers 11\.\.26/);
  // The 10 shares Redis kept and the 10 queued after the loss, each once; the block closed the round between them.
  assert.equal(await client.get(keys.writer('w1')), '37');
  assert.equal(await client.hget(keys.stats, 'valid'), '20');
  assert.equal(await client.hget(keys.stats, 'invalid'), null);
  assert.equal(await client.xlen(keys.shareLog), 20);
  const closed = keys.round(13, '12'.repeat(32));
  assert.deepEqual(await client.hgetall(closed.addresses), { A: String(10 * 10_000), C: String(5 * 10_000) });
  assert.deepEqual(await client.hgetall(keys.currentRound.addresses), { C: String(5 * 10_000) });
  assert.equal(await client.zcard(keys.blocksPending), 1);
});

test('a full queue refuses new shares (the miner hears "not accepted") but never a block', { timeout: 30_000 }, async () => {
  const { client, keys, recorder } = await setup('out2:', { maxQueue: 5 });
  await suite.server.stopKeepingData();
  const first = await Promise.all(Array.from({ length: 5 }, () => recorder.recordShare('A', 'A.1', 1)));
  assert.deepEqual(first, [true, true, true, true, true]);
  assert.equal(await recorder.recordShare('A', 'A.1', 1), false);
  assert.equal(await recorder.recordBlock(candidate(11, 'cd'.repeat(32))), true);
  assert.equal(recorder.state.droppedShares, 1);
  assert.equal(recorder.state.queued, 6);
  await suite.server.startAgain();
  await waitFor(() => recorder.state.mode === 'live', { timeoutMs: 15_000, intervalMs: 50, what: 'queue drained' });
  assert.equal(await client.hget(keys.round(11, 'cd'.repeat(32)).meta, 'shares'), '5');
  assert.equal(await client.zscore(keys.blocksPending, `11:${'cd'.repeat(32)}`), '11');
});

test('commands that time out on a hung server and run later are not counted twice', { timeout: 30_000 }, async () => {
  const { client, keys, recorder } = await setup('out3:', { commandTimeoutMs: 200 });
  await Promise.all(Array.from({ length: 20 }, () => recorder.recordShare('A', 'A.1', 1)));
  suite.server.freeze();
  let kept = 20;
  try {
    // These reach the frozen server's socket and time out; the recorder queues and resends them.
    const answers = await Promise.all(Array.from({ length: 30 }, () => recorder.recordShare('A', 'A.1', 1)));
    kept += answers.filter(Boolean).length;
    await new Promise((r) => setTimeout(r, 600));
    const more = await Promise.all(Array.from({ length: 10 }, () => recorder.recordShare('A', 'A.1', 1)));
    kept += more.filter(Boolean).length;
  } finally {
    suite.server.thaw();
  }
  await waitFor(() => recorder.state.mode === 'live' && recorder.state.queued === 0, { timeoutMs: 15_000, intervalMs: 50, what: 'queue drained' });
  assert.equal(kept, 60);
  assert.equal(await client.hget(keys.stats, 'valid'), '60');
  assert.equal(await client.hget(keys.currentRound.addresses, 'A'), String(60 * 10_000));
  assert.equal(await client.xlen(keys.shareLog), 60);
});

test('the shares of one event-loop turn go in one call; a block between them splits the run and keeps the order', async () => {
  const calls: string[] = [];
  const wrap = (store: RecordStore): RecordStore => ({
    writerId: store.writerId,
    advanceMarker: (last: number) => store.advanceMarker(last),
    apply: (op: RecordOp, seq: number) => {
      calls.push(`${op.kind}@${seq}`);
      return store.apply(op, seq);
    },
    applyMany: (ops: readonly ShareOp[], first: number) => {
      calls.push(`${ops.length}@${first}`);
      return store.applyMany(ops, first);
    },
  });
  const { client, keys, recorder } = await setup('batch1:', { maxBatch: 128, wrap });
  const turn = (n: number, address = 'A') => Array.from({ length: n }, () => recorder.recordShare(address, `${address}.1`, 1));
  const first = turn(300);
  recorder.recordInvalid('A', 'A.1', 'low-difficulty');
  assert.deepEqual(await Promise.all(first), Array(300).fill(true));
  // 256 went out at the bound as two full calls; the rest and the invalid share at the end of the turn.
  assert.deepEqual(calls, ['128@1', '128@129', '45@257']);

  calls.length = 0;
  const before = turn(10, 'B');
  const block = recorder.recordBlock(candidate(12, 'ef'.repeat(32)));
  const after = turn(5, 'C');
  assert.deepEqual(await Promise.all([...before, block, ...after]), Array(16).fill(true));
  assert.deepEqual(calls, ['10@302', 'block@312', '5@313']);
  const closed = keys.round(12, 'ef'.repeat(32));
  assert.deepEqual(await client.hgetall(closed.addresses), { A: String(300 * 10_000), B: String(10 * 10_000) });
  assert.deepEqual(await client.hgetall(keys.currentRound.addresses), { C: String(5 * 10_000) });
  assert.deepEqual(await client.hmget(keys.stats, 'valid', 'invalid', 'lowdiff'), ['315', '1', '1']);
  assert.equal(recorder.state.queued, 0);
});

test('queue length and refused records reach the pool metrics', { timeout: 30_000 }, async () => {
  const registry = new Registry();
  const metrics = createMetrics(registry);
  const runtime = Object.assign(new EventEmitter(), { pool: { id: 'ltc', daemons: [] } }) as EventEmitter & InstrumentedPool;
  instrumentPool(runtime, metrics, 65536);
  const { recorder } = await setup('metrics1:', { maxQueue: 3, maxInvalidQueue: 1, onQueueChange: (s) => runtime.emit('recorder', s) });
  const read = async (name: string, labels: Record<string, string>) =>
    (await registry.getSingleMetric(name)!.get()).values.find((v) => Object.entries(labels).every(([k, x]) => (v.labels as Record<string, unknown>)[k] === x))?.value;
  assert.equal(await read('headframe_share_records_refused_total', { pool: 'ltc', kind: 'share' }), 0);

  await suite.server.stopKeepingData();
  let restarted = false;
  try {
    // The first write fails and switches the recorder to queueing; from then on the bound applies.
    assert.equal(await recorder.recordShare('A', 'A.1', 1), true);
    assert.deepEqual(await Promise.all([1, 2, 3, 4].map(() => recorder.recordShare('A', 'A.1', 1))), [true, true, false, false]);
    // Rejected shares have their own bound (one here): the second is refused, the shares' room is untouched.
    recorder.recordInvalid('A', 'A.1', 'duplicate');
    recorder.recordInvalid('A', 'A.1', 'duplicate');
    assert.equal(await read('headframe_share_queue_length', { pool: 'ltc' }), 4);
    assert.equal(await read('headframe_share_records_refused_total', { pool: 'ltc', kind: 'share' }), 2);
    assert.equal(await read('headframe_share_records_refused_total', { pool: 'ltc', kind: 'invalid' }), 1);
    await suite.server.startAgain();
    restarted = true;
  } finally {
    if (!restarted) await suite.server.startAgain();
  }
  await waitFor(() => recorder.state.mode === 'live', { timeoutMs: 15_000, intervalMs: 50, what: 'queue drained' });
  assert.equal(await read('headframe_share_queue_length', { pool: 'ltc' }), 0);
  assert.equal(await read('headframe_share_records_refused_total', { pool: 'ltc', kind: 'share' }), 2);
});

test('redis.socket: shares are recorded over the unix socket (host and port unused)', { timeout: 15_000 }, async () => {
  // Port 1 has nothing listening: the only way to reach Redis is the socket path.
  const client = createRedisClient(
    { host: '127.0.0.1', port: 1, socket: suite.server.socket, password: null, db: 0, keyPrefix: 'sock:' },
    { name: 'sock', logger, commandTimeoutMs: 1000 },
  );
  suite.track(client);
  await client.connect();
  assert.match(await client.client('INFO') as string, /addr=\/[^ ]*redis\.sock/);
  const keys = new PoolKeys('sock:', 'ltc');
  const recorder = new ShareRecorder({ store: new ShareStore({ scripts: new RedisScripts(client), keys, writerId: 'w1' }), logger });
  const results = await Promise.all(Array.from({ length: 40 }, (_, i) => recorder.recordShare(i % 2 ? 'A' : 'B', i % 2 ? 'A.1' : 'B.1', 2)));
  assert.ok(results.every(Boolean));
  const round = await client.hgetall(keys.currentRound.addresses);
  assert.deepEqual(round, { A: '400000', B: '400000' });
});

test("a pool's shareLogMaxLength bounds its share log", { timeout: 30_000 }, async () => {
  const client = createRedisClient(
    { host: suite.server.host, port: suite.server.port, socket: null, password: null, db: 0, keyPrefix: 'cap:' },
    { name: 'cap', logger, commandTimeoutMs: 2000 },
  );
  suite.track(client);
  await client.connect();
  const pool = { id: 'ltc', paymentProcessing: { shareLogMaxLength: 100 } } as unknown as PoolConfig;
  const global = { instanceId: 0, redis: { keyPrefix: 'cap:' }, alerts: { workerForgetAfter: 28_800 } } as unknown as GlobalConfig;
  const recording = new PoolRecording({ pool, global, forkId: 0, logger, scripts: new RedisScripts(client) });
  const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => recording.recorder.recordShare('A', `A.${i % 3}`, 1)));
  assert.ok(results.every(Boolean));
  await recording.close();
  const length = await client.xlen(recording.keys.shareLog);
  // Trimmed with MAXLEN ~: whole stream nodes (100 entries each by default) go, so the log keeps 100 to 200.
  assert.ok(length >= 100 && length <= 200, `share log holds ${length} of 1000 shares`);
});
