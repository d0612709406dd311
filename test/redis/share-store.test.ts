// The record-* scripts against a real redis-server: exact sums under concurrency from several connections,
// operations applied once and in order, block rounds keyed by height and hash, a rejected block's round merged back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { useRedis } from '../helpers/redis-suite.js';
import { hashrateBucketOf, PoolKeys, toWorkUnits, WRITER_MARKER_TTL_SECONDS } from '../../src/redis/keys.js';
import { RedisScripts } from '../../src/redis/script-loader.js';
import { ALREADY_APPLIED, APPLIED, GAP, MERGED_BACK, NO_SUCH_BLOCK, ShareStore, type RecordOp } from '../../src/redis/share-store.js';
import { parseBlockRecord, parseRoundMeta, parseShareLogEntry } from '../../src/redis/records.js';
import type { BlockCandidate, BlockOutcome } from '../../src/mining/block-submitter.js';

const suite = useRedis();
const client = (): Promise<Redis> => suite.client({ enableAutoPipelining: true });

function share(address: string, worker: string, difficulty: number, time = Date.now()): RecordOp {
  return { kind: 'share', address, worker, units: toWorkUnits(difficulty), time };
}

function candidate(keys: PoolKeys, height: number, hash: string, finder = 'addrA'): BlockCandidate {
  return {
    pool: keys.poolId,
    height,
    blockHash: hash,
    coinbaseTxid: 'c'.repeat(64),
    reward: 312_500_000n + BigInt(height),
    minerAddress: finder,
    workerName: `${finder}.rig`,
    shareDifficulty: 1.5,
    jobId: 'j1',
    foundAt: 1_700_000_000_000,
  };
}

function outcome(c: BlockCandidate, verdict: BlockOutcome['verdict']): BlockOutcome {
  return { candidate: c, verdict, answers: [{ daemon: 'd1', answer: verdict === 'rejected' ? 'bad-cb-amount' : null }], confirmations: verdict === 'accepted' ? 1 : null, submitMs: 3.4 };
}

test('1,000 concurrent share records from four connections sum exactly', async () => {
  const keys = new PoolKeys('t1:', 'ltc');
  const addresses = ['addrA', 'addrB', 'addrC'];
  const stores = await Promise.all(
    [0, 1, 2, 3].map(async (i) => new ShareStore({ scripts: new RedisScripts(await client()), keys, writerId: `w${i}` })),
  );
  // Difficulties whose float sum is inexact (0.1 + 0.2 …): the recorded integer units must still add up exactly.
  const diffs = [0.1, 0.2, 0.3, 1.7, 1024, 0.0001];
  const expectAddr = new Map<string, bigint>();
  const expectWorker = new Map<string, bigint>();
  const expectWorkerCount = new Map<string, number>();
  const seqs = [1, 1, 1, 1];
  const calls: Promise<number>[] = [];
  for (let i = 0; i < 1000; i++) {
    const s = i % 4;
    const address = addresses[i % 3];
    const worker = `${address}.rig${i % 5}`;
    const op = share(address, worker, diffs[i % diffs.length]);
    if (op.kind !== 'share') throw new Error('unreachable');
    expectAddr.set(address, (expectAddr.get(address) ?? 0n) + BigInt(op.units));
    expectWorker.set(worker, (expectWorker.get(worker) ?? 0n) + BigInt(op.units));
    expectWorkerCount.set(worker, (expectWorkerCount.get(worker) ?? 0) + 1);
    calls.push(stores[s].apply(op, seqs[s]++));
  }
  const results = await Promise.all(calls);
  assert.deepEqual(new Set(results), new Set([APPLIED]));

  const c = await client();
  const byAddr = await c.hgetall(keys.currentRound.addresses);
  assert.deepEqual(new Map(Object.entries(byAddr).map(([k, v]) => [k, BigInt(v)])), expectAddr);
  const byWorker = await c.hgetall(keys.currentRound.workers);
  assert.deepEqual(new Map(Object.entries(byWorker).map(([k, v]) => [k, BigInt(v)])), expectWorker);
  const total = [...expectAddr.values()].reduce((a, b) => a + b, 0n);
  const meta = parseRoundMeta(await c.hgetall(keys.currentRound.meta));
  assert.equal(meta.work, total);
  assert.equal(meta.shares, 1000);
  assert.equal(await c.xlen(keys.shareLog), 1000);
  // The hashrate buckets hold the same work per worker (the run may have crossed a bucket boundary).
  const bucketed = new Map<string, bigint>();
  for (const key of await c.keys(`${keys.base}hashrate:*`)) {
    for (const [worker, units] of Object.entries(await c.hgetall(key))) bucketed.set(worker, (bucketed.get(worker) ?? 0n) + BigInt(units));
  }
  assert.deepEqual(bucketed, expectWorker);
  assert.equal(await c.hget(keys.stats, 'valid'), '1000');
  for (const [worker, count] of expectWorkerCount) {
    assert.equal(await c.hget(keys.worker(worker), 'valid'), String(count), worker);
  }
  assert.equal(await c.zcard(keys.workers), expectWorkerCount.size);
  // The share log reproduces the round: its entries sum to the same work per address.
  const log = (await c.xrange(keys.shareLog, '-', '+')).map(([id, f]) => parseShareLogEntry(id, f));
  const fromLog = new Map<string, bigint>();
  for (const e of log) fromLog.set(e.address, (fromLog.get(e.address) ?? 0n) + e.work);
  assert.deepEqual(fromLog, expectAddr);
  assert.equal(meta.firstShareId, log[0].id);
});

test('an operation is applied once, and never ahead of a missing predecessor', async () => {
  const keys = new PoolKeys('t2:', 'ltc');
  const store = new ShareStore({ scripts: new RedisScripts(await client()), keys, writerId: 'w' });
  assert.equal(await store.apply(share('a', 'a.1', 1), 1), APPLIED);
  assert.equal(await store.apply(share('a', 'a.1', 1), 1), ALREADY_APPLIED);
  assert.equal(await store.apply(share('a', 'a.1', 1), 3), GAP);
  assert.equal(await store.apply({ kind: 'invalid', address: 'a', worker: 'a.1', reason: 'stale', time: 1 }, 2), APPLIED);
  assert.equal(await store.apply(share('a', 'a.1', 1), 3), APPLIED);
  const c = await client();
  assert.equal(await c.hget(keys.currentRound.addresses, 'a'), String(2 * 10_000));
  assert.equal(await c.xlen(keys.shareLog), 2);
  assert.deepEqual(await c.hmget(keys.worker('a.1'), 'valid', 'invalid', 'stale', 'duplicate'), ['2', '1', '1', null]);
  assert.deepEqual(await c.hmget(keys.stats, 'valid', 'invalid', 'stale'), ['2', '1', '1']);
});

test('worker counters expire after the retention, and logins idle longer leave the workers set', async () => {
  const keys = new PoolKeys('tret:', 'ltc');
  const store = new ShareStore({ scripts: new RedisScripts(await client()), keys, writerId: 'w', workerRetentionMs: 60_000 });
  const t = 1_800_000_000_000;
  assert.equal(await store.apply(share('a', 'a.old', 1, t), 1), APPLIED);
  // A name only ever used by a rejected share: miners choose names, so these must not pile up forever.
  assert.equal(await store.apply({ kind: 'invalid', address: 'a', worker: 'a.tried', reason: 'lowdiff', time: t }, 2), APPLIED);
  const c = await client();
  for (const login of ['a.old', 'a.tried']) {
    const ttl = await c.pttl(keys.worker(login));
    assert.ok(ttl > 50_000 && ttl <= 60_000, `${login} expires in ${ttl} ms`);
  }
  assert.equal(await store.apply(share('a', 'a.kept', 1, t + 30_000), 3), APPLIED);
  assert.equal(await store.apply(share('a', 'a.new', 1, t + 60_001), 4), APPLIED);
  assert.deepEqual((await c.zrange(keys.workers, 0, -1)).sort(), ['a.kept', 'a.new'], 'a.old was idle for longer than the retention');
});

test('without a marker (Redis came back empty) only a first operation applies: a later one is a gap until the marker is moved', async () => {
  const keys = new PoolKeys('tnomark:', 'ltc');
  const scripts = new RedisScripts(await client());
  const store = new ShareStore({ scripts, keys, writerId: 'w' });
  const c = await client();
  assert.equal(await store.apply(share('a', 'a.1', 1), 1), APPLIED);
  await c.del(keys.writer('w'));
  // Operation 2 failed on its way and 3 reached the emptied Redis: applying 3 would make 2 look applied later.
  assert.equal(await store.apply(share('a', 'a.1', 1), 3), GAP);
  const block = { kind: 'block', candidate: candidate(keys, 7, 'e'.repeat(64)), time: Date.now() } as const;
  assert.equal(await store.apply(block, 3), GAP, 'the block scripts follow the same rule');
  assert.equal(await store.advanceMarker(1), -1, 'no marker was found');
  assert.equal(await store.apply(share('a', 'a.1', 1), 2), APPLIED);
  assert.equal(await store.apply(share('a', 'a.1', 1), 3), APPLIED);
  assert.equal(await c.hget(keys.currentRound.addresses, 'a'), String(3 * 10_000));
  // A new recorder's first operation needs no marker.
  const fresh = new ShareStore({ scripts, keys, writerId: 'w2' });
  assert.equal(await fresh.apply(share('b', 'b.1', 1), 1), APPLIED);
});

test('blocks close their round under height and hash; two blocks at one height get two rounds', async () => {
  const keys = new PoolKeys('t3:', 'ltc');
  const store = new ShareStore({ scripts: new RedisScripts(await client()), keys, writerId: 'w' });
  const c = await client();
  let seq = 1;
  await store.apply(share('addrA', 'addrA.rig', 2), seq++);
  await store.apply(share('addrB', 'addrB.rig', 3), seq++);
  const first = candidate(keys, 100, 'aa'.repeat(32));
  assert.equal(await store.apply({ kind: 'block', candidate: first, time: 5 }, seq++), APPLIED);
  await store.apply(share('addrB', 'addrB.rig', 7), seq++);
  const second = candidate(keys, 100, 'bb'.repeat(32), 'addrB');
  assert.equal(await store.apply({ kind: 'block', candidate: second, time: 6 }, seq++), APPLIED);
  // The same block again (e.g. a second daemon path) changes nothing.
  assert.equal(await store.apply({ kind: 'block', candidate: second, time: 7 }, seq++), ALREADY_APPLIED);

  const r1 = keys.round(100, first.blockHash);
  const r2 = keys.round(100, second.blockHash);
  assert.deepEqual(await c.hgetall(r1.addresses), { addrA: '20000', addrB: '30000' });
  assert.deepEqual(await c.hgetall(r2.addresses), { addrB: '70000' });
  assert.deepEqual(await c.hgetall(r2.workers), { 'addrB.rig': '70000' });
  assert.equal(await c.exists(keys.currentRound.addresses, keys.currentRound.workers, keys.currentRound.meta), 0);
  assert.deepEqual(await c.zrange(keys.blocksPending, 0, -1, 'WITHSCORES'), [`100:${first.blockHash}`, '100', `100:${second.blockHash}`, '100']);

  const rec = parseBlockRecord(await c.hgetall(keys.block(100, first.blockHash)));
  assert.equal(rec.pool, 'ltc');
  assert.equal(rec.height, 100);
  assert.equal(rec.hash, first.blockHash);
  assert.equal(rec.coinbaseTxid, first.coinbaseTxid);
  assert.equal(rec.reward, 312_500_100n);
  assert.equal(rec.finder, 'addrA');
  assert.equal(rec.worker, 'addrA.rig');
  assert.equal(rec.shareDiff, 1.5);
  assert.equal(rec.foundAt, first.foundAt);
  assert.equal(rec.round, `100:${first.blockHash}`);
  assert.equal(rec.roundWork, 50_000n);
  assert.equal(rec.roundShares, 2);
  assert.equal(rec.status, 'pending');
  assert.equal(rec.verdict, '');

  // The closed rounds' share-log ranges hold exactly their shares.
  const m1 = parseRoundMeta(await c.hgetall(r1.meta));
  const m2 = parseRoundMeta(await c.hgetall(r2.meta));
  assert.equal((await c.xrange(keys.shareLog, m1.firstShareId!, m1.lastShareId!)).length, 2);
  assert.equal((await c.xrange(keys.shareLog, m2.firstShareId!, m2.lastShareId!)).length, 1);

  assert.equal(await store.apply({ kind: 'outcome', outcome: outcome(first, 'accepted'), time: 9 }, seq++), APPLIED);
  const after = parseBlockRecord(await c.hgetall(keys.block(100, first.blockHash)));
  assert.equal(after.verdict, 'accepted');
  assert.equal(after.verdictAt, 9);
  assert.equal(after.confirmations, 1);
  assert.equal(after.status, 'pending');
  assert.deepEqual(after.answers, [{ daemon: 'd1', answer: null }]);
  const unknown = candidate(keys, 101, 'cc'.repeat(32));
  assert.equal(await store.apply({ kind: 'outcome', outcome: outcome(unknown, 'accepted'), time: 9 }, seq++), NO_SUCH_BLOCK);
});

test("a block the daemon rejected gives its round back to the current one", async () => {
  const keys = new PoolKeys('t4:', 'ltc');
  const store = new ShareStore({ scripts: new RedisScripts(await client()), keys, writerId: 'w' });
  const c = await client();
  let seq = 1;
  await store.apply(share('addrA', 'addrA.rig', 2), seq++);
  await store.apply(share('addrB', 'addrB.x', 3), seq++);
  const bad = candidate(keys, 200, 'dd'.repeat(32));
  await store.apply({ kind: 'block', candidate: bad, time: 1 }, seq++);
  // Shares keep arriving while the daemon thinks.
  await store.apply(share('addrA', 'addrA.rig', 1), seq++);
  await store.apply(share('addrC', 'addrC.y', 4), seq++);
  assert.equal(await store.apply({ kind: 'outcome', outcome: outcome(bad, 'rejected'), time: 2 }, seq++), MERGED_BACK);

  assert.deepEqual(await c.hgetall(keys.currentRound.addresses), { addrA: '30000', addrB: '30000', addrC: '40000' });
  assert.deepEqual(await c.hgetall(keys.currentRound.workers), { 'addrA.rig': '30000', 'addrB.x': '30000', 'addrC.y': '40000' });
  const meta = parseRoundMeta(await c.hgetall(keys.currentRound.meta));
  assert.equal(meta.work, 100_000n);
  assert.equal(meta.shares, 4);
  assert.equal(meta.mergedRanges.length, 1);
  const [from, to] = meta.mergedRanges[0];
  const merged = (await c.xrange(keys.shareLog, from, to)).map(([id, f]) => parseShareLogEntry(id, f));
  assert.deepEqual(merged.map((e) => e.address), ['addrA', 'addrB']);

  const r = keys.round(200, bad.blockHash);
  assert.equal(await c.exists(r.addresses, r.workers, r.meta), 0);
  assert.equal(await c.zscore(keys.blocksPending, `200:${bad.blockHash}`), null);
  assert.equal(await c.zscore(keys.blocksRejected, `200:${bad.blockHash}`), '200');
  const rec = parseBlockRecord(await c.hgetall(keys.block(200, bad.blockHash)));
  assert.equal(rec.status, 'rejected');
  assert.equal(rec.verdict, 'rejected');
  // A resent outcome (same number) does not merge twice.
  assert.equal(await store.apply({ kind: 'outcome', outcome: outcome(bad, 'rejected'), time: 2 }, seq - 1), ALREADY_APPLIED);
  assert.equal(await c.hget(keys.currentRound.addresses, 'addrA'), '30000');
});

test('record-shares applies a run once however resends regroup it, valid and rejected shares in order', async () => {
  const keys = new PoolKeys('t5:', 'ltc');
  const store = new ShareStore({ scripts: new RedisScripts(await client()), keys, writerId: 'w' });
  const c = await client();
  const invalid = (reason: 'stale' | 'lowdiff', time = 7): RecordOp => ({ kind: 'invalid', address: 'addrA', worker: 'addrA.rig', reason, time });
  const ops = [
    share('addrA', 'addrA.rig', 1, 1), share('addrB', 'addrB.x', 2, 2), invalid('stale', 3), share('addrA', 'addrA.rig', 3, 4),
    share('addrB', 'addrB.y', 4, 5), invalid('lowdiff', 6), share('addrA', 'addrA.rig', 5, 7), share('addrC', 'addrC.z', 6, 8),
  ] as Extract<RecordOp, { kind: 'share' | 'invalid' }>[];
  assert.equal(await store.applyMany(ops.slice(0, 5), 1), 5);
  // A timed-out call resent in another grouping: only the operations not applied yet are written.
  assert.equal(await store.applyMany(ops.slice(2, 8), 3), 3);
  assert.equal(await store.applyMany(ops, 1), ALREADY_APPLIED);
  assert.equal(await store.applyMany([share('addrA', 'addrA.rig', 1)] as typeof ops, 10), GAP);

  assert.deepEqual(await c.hgetall(keys.currentRound.addresses), { addrA: '90000', addrB: '60000', addrC: '60000' });
  assert.deepEqual(await c.hgetall(keys.currentRound.workers), { 'addrA.rig': '90000', 'addrB.x': '20000', 'addrB.y': '40000', 'addrC.z': '60000' });
  const meta = parseRoundMeta(await c.hgetall(keys.currentRound.meta));
  assert.equal(meta.work, 210_000n);
  assert.equal(meta.shares, 6);
  assert.equal(meta.startedAt, 1);
  const log = (await c.xrange(keys.shareLog, '-', '+')).map(([id, f]) => parseShareLogEntry(id, f));
  assert.deepEqual(log.map((e) => [e.address, e.work]), [['addrA', 10_000n], ['addrB', 20_000n], ['addrA', 30_000n], ['addrB', 40_000n], ['addrA', 50_000n], ['addrC', 60_000n]]);
  assert.equal(meta.firstShareId, log[0].id);
  // Pool times 1..8 ms: every accepted share in bucket 0, which expires a retention window after its last write.
  assert.deepEqual(await c.hgetall(keys.hashrateBucket(0)), { 'addrA.rig': '90000', 'addrB.x': '20000', 'addrB.y': '40000', 'addrC.z': '60000' });
  assert.ok((await c.pttl(keys.hashrateBucket(0))) > 15 * 60 * 1000);
  assert.deepEqual(await c.hmget(keys.stats, 'valid', 'invalid', 'stale', 'lowdiff', 'duplicate', 'lastShare'), ['6', '2', '1', '1', null, '8']);
  assert.deepEqual(await c.hmget(keys.worker('addrA.rig'), 'valid', 'invalid', 'stale', 'lowdiff', 'lastShare', 'lastInvalid'), ['3', '2', '1', '1', '7', '6']);
  assert.equal(await c.zscore(keys.workers, 'addrC.z'), '8');
  assert.equal(await c.get(keys.writer('w')), '8');
});

test('record-shares credits each accepted share to the hashrate bucket of its own time, also in a run spanning minutes', async () => {
  const keys = new PoolKeys('t9:', 'ltc');
  const store = new ShareStore({ scripts: new RedisScripts(await client()), keys, writerId: 'w' });
  const c = await client();
  // A drained outage queue: shares from three 30-second buckets (and a rejected one) applied in one call.
  const base = 1_800_000_000_000;
  const ops = [
    share('addrA', 'addrA.rig', 1, base + 1_000),
    share('addrB', 'addrB.rig', 2, base + 31_000),
    { kind: 'invalid', address: 'addrA', worker: 'addrA.rig', reason: 'stale', time: base + 32_000 },
    share('addrA', 'addrA.rig', 3, base + 65_000),
    share('addrA', 'addrA.rig', 4, base + 2_000),
  ] as Extract<RecordOp, { kind: 'share' | 'invalid' }>[];
  assert.equal(await store.applyMany(ops, 1), 5);
  const bucket = (ms: number) => c.hgetall(keys.hashrateBucket(hashrateBucketOf(base + ms)));
  assert.deepEqual(await bucket(0), { 'addrA.rig': '50000' });
  assert.deepEqual(await bucket(31_000), { 'addrB.rig': '20000' });
  assert.deepEqual(await bucket(65_000), { 'addrA.rig': '30000' });
  assert.equal(await c.hget(keys.stats, 'stale'), '1');
});

test('record-writer-advance moves a marker behind lost operations forward only, atomically, and says what it found', async () => {
  const keys = new PoolKeys('t10:', 'ltc');
  const store = new ShareStore({ scripts: new RedisScripts(await client()), keys, writerId: 'w' });
  const c = await client();
  for (let seq = 1; seq <= 3; seq++) assert.equal(await store.apply(share('a', 'a.1', 1), seq), APPLIED);
  // Redis came back without 4..9: 10 would wait for them for good.
  assert.equal(await store.apply(share('a', 'a.1', 1), 10), GAP);
  assert.equal(await store.advanceMarker(9), 3);
  assert.equal(await c.get(keys.writer('w')), '9');
  const ttl = await c.ttl(keys.writer('w'));
  assert.ok(ttl > 0 && ttl <= WRITER_MARKER_TTL_SECONDS, `marker expires in ${ttl} s`);
  // Never backwards: an applied operation must not apply again.
  assert.equal(await store.advanceMarker(5), 9);
  assert.equal(await c.get(keys.writer('w')), '9');
  assert.equal(await store.apply(share('a', 'a.1', 1), 9), ALREADY_APPLIED);
  assert.equal(await store.apply(share('a', 'a.1', 1), 10), APPLIED);
  assert.equal(await c.hget(keys.stats, 'valid'), '4');
  // No marker at all: set, and reported as none.
  const fresh = new ShareStore({ scripts: new RedisScripts(await client()), keys, writerId: 'w2' });
  assert.equal(await fresh.advanceMarker(4), -1);
  assert.equal(await c.get(keys.writer('w2')), '4');
});
