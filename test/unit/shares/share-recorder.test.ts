// The recorder's ordering rules against an in-memory store that answers like the record-* scripts (apply n only
// right after n-1, GAP otherwise), so calls can be held, failed or made to lose writes at will: operations Redis
// lost are skipped only when nothing earlier can still arrive, a closed recorder writes nothing more, and rejected
// shares never take the room of valid ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { captureLog } from '../../helpers/log-capture.js';
import { waitFor } from '../../helpers/processes.js';
import type { BlockCandidate } from '../../../src/mining/block-submitter.js';
import { GAP, type RecordOp, type ShareOp } from '../../../src/redis/share-store.js';
import { ShareRecorder, type RecordStore, type ShareRecorderOptions } from '../../../src/shares/share-recorder.js';

class FakeRedis implements RecordStore {
  readonly writerId = 'fake-writer';
  marker: number | null = null;
  /** Operations applied, in the order they were written. */
  readonly written: { seq: number; op: RecordOp }[] = [];
  /** advanceMarker() arguments. */
  readonly advances: number[] = [];
  down = false;
  calls = 0;
  /** Calls whose first number is in here fail once (a command lost with its connection). */
  readonly failOnce = new Set<number>();
  private readonly gates = new Map<number, Promise<void>>();

  /** The next call whose first number is `seq` waits until the returned function is called. */
  hold(seq: number): () => void {
    let release!: () => void;
    this.gates.set(seq, new Promise<void>((r) => (release = r)));
    return release;
  }

  apply(op: RecordOp, seq: number): Promise<number> {
    return this.run([op], seq);
  }

  applyMany(ops: readonly ShareOp[], firstSeq: number): Promise<number> {
    return this.run(ops, firstSeq);
  }

  async advanceMarker(last: number): Promise<number> {
    this.advances.push(last);
    await Promise.resolve();
    if (this.down) throw new Error('connection refused');
    const found = this.marker ?? -1;
    if (found < last) this.marker = last;
    return found;
  }

  private async run(ops: readonly RecordOp[], first: number): Promise<number> {
    this.calls++;
    const gate = this.gates.get(first);
    if (gate) {
      this.gates.delete(first);
      await gate;
    }
    await Promise.resolve();
    if (this.down) throw new Error('connection refused');
    if (this.failOnce.delete(first)) throw new Error('connection reset');
    let skip = 0;
    if (this.marker !== null) {
      if (first > this.marker + 1) return GAP;
      skip = this.marker + 1 - first;
      if (skip >= ops.length) return 0;
    }
    for (let i = skip; i < ops.length; i++) this.written.push({ seq: first + i, op: ops[i] });
    this.marker = first + ops.length - 1;
    return ops.length - skip;
  }
}


function recorderOn(store: FakeRedis, options: Partial<ShareRecorderOptions> = {}) {
  const { logger, lines } = captureLog();
  const recorder = new ShareRecorder({ store, logger, retryMinMs: 5, retryMaxMs: 20, ...options });
  return { recorder, lines };
}

function candidate(height: number): BlockCandidate {
  return { pool: 'ltc', height, blockHash: 'ab'.repeat(32), coinbaseTxid: 'c'.repeat(64), reward: 1n, minerAddress: 'A', workerName: 'A.1', shareDifficulty: 1, jobId: '1', foundAt: 1 };
}

const turn = (recorder: ShareRecorder, n: number, address = 'A') => Promise.all(Array.from({ length: n }, () => recorder.recordShare(address, `${address}.1`, 1)));
const drained = (recorder: ShareRecorder) =>
  waitFor(() => recorder.state.mode === 'live' && recorder.state.queued === 0, { timeoutMs: 3000, intervalMs: 5, what: 'queue drained' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('operations redis acknowledged and lost are logged and skipped; everything queued is then written once, in order', async () => {
  const store = new FakeRedis();
  const { recorder, lines } = recorderOn(store, { maxBatch: 4, drainBatch: 6 });
  assert.ok((await turn(recorder, 10)).every(Boolean));
  assert.equal(store.marker, 10);
  // A restart from older data: 5..10 were acknowledged, and are gone.
  store.marker = 4;
  const before = store.written.length;
  const first = turn(recorder, 6, 'B');
  const block = recorder.recordBlock(candidate(7));
  const after = turn(recorder, 5, 'C');
  assert.ok([...(await first), await block, ...(await after)].every(Boolean));
  await drained(recorder);

  assert.deepEqual(store.advances, [10]);
  assert.deepEqual(store.written.slice(before).map((w) => w.seq), Array.from({ length: 12 }, (_, i) => 11 + i));
  assert.deepEqual(store.written.slice(before).map((w) => w.op.kind === 'share' ? w.op.address : w.op.kind), [...'BBBBBB', 'block', ...'CCCCC']);
  assert.equal(store.marker, 22);
  assert.equal(recorder.state.lostInRedis, 6);
  const loud = lines.filter((l) => l.level === 'error');
  assert.equal(loud.length, 1, JSON.stringify(lines));
  assert.match(loud[0].message, /writer fake-writer: redis lost 6 share operations .*numbers 5\.\.10/);
});

test('a GAP behind an earlier call still in flight waits for it: nothing is skipped', async () => {
  const store = new FakeRedis();
  const { recorder } = recorderOn(store);
  assert.ok((await turn(recorder, 1)).every(Boolean));
  const release = store.hold(2);
  // One turn: the share's call is held, the block's call behind it answers GAP and is queued.
  const share = recorder.recordShare('A', 'A.1', 1);
  const block = recorder.recordBlock(candidate(7));
  assert.equal(await block, true);
  assert.equal(recorder.state.mode, 'queued');
  await sleep(60);
  assert.deepEqual(store.advances, []);
  assert.deepEqual(store.written.map((w) => w.seq), [1]);
  release();
  assert.equal(await share, true);
  await drained(recorder);
  assert.deepEqual(store.advances, []);
  assert.deepEqual(store.written.map((w) => `${w.op.kind}@${w.seq}`), ['share@1', 'share@2', 'block@3']);
  assert.equal(recorder.state.lostInRedis, 0);
});

test('in a drain, GAPs behind a failed call of the same batch are not a loss: nothing is skipped', async () => {
  const store = new FakeRedis();
  const { recorder, lines } = recorderOn(store, { maxBatch: 2, drainBatch: 10 });
  assert.ok((await turn(recorder, 1)).every(Boolean));
  store.down = true;
  assert.ok((await turn(recorder, 6)).every(Boolean));
  assert.equal(recorder.state.mode, 'queued');
  // The drain's first call of calls [2,3] [4,5] [6,7] is lost on the way; the two after it answer GAP.
  store.failOnce.add(2);
  store.down = false;
  await drained(recorder);
  assert.deepEqual(store.advances, []);
  assert.deepEqual(store.written.map((w) => w.seq), [1, 2, 3, 4, 5, 6, 7]);
  assert.equal(lines.filter((l) => l.level === 'error').length, 0);
});

test('a closed recorder stops draining: what it reported lost is never written', async () => {
  const store = new FakeRedis();
  const { recorder, lines } = recorderOn(store);
  store.down = true;
  assert.ok((await turn(recorder, 5)).every(Boolean));
  assert.equal(recorder.state.queued, 5);
  assert.equal(await recorder.close(30), 5);
  const callsAtClose = store.calls;
  store.down = false;
  // Ten times the longest back-off: the old loop would have written them by now.
  await sleep(200);
  assert.equal(store.calls, callsAtClose);
  assert.deepEqual(store.written, []);
  assert.equal(recorder.state.mode, 'queued');
  assert.ok(lines.some((l) => l.level === 'error' && /5 share operations never written to Redis: they are lost/.test(l.message)));
  assert.equal(await recorder.recordShare('A', 'A.1', 1), false);
});

test('a recorder closed by a reload keeps draining: its queued shares and block reach Redis once it answers, in order', async () => {
  const store = new FakeRedis();
  const { recorder, lines } = recorderOn(store);
  store.down = true;
  assert.ok((await turn(recorder, 4)).every(Boolean));
  assert.equal(await recorder.recordBlock(candidate(9)), true);
  assert.equal(await recorder.close(30, true), 5);
  assert.ok(lines.some((l) => l.level === 'warn' && /5 share operations not yet in Redis: they are written when it answers again/.test(l.message)));
  assert.equal(await recorder.recordShare('A', 'A.1', 1), false, 'closed: no new operations');
  store.down = false;
  await drained(recorder);
  assert.deepEqual(store.written.map((w) => [w.seq, w.op.kind]), [[1, 'share'], [2, 'share'], [3, 'share'], [4, 'share'], [5, 'block']]);
});

test('rejected shares have their own bound while queued: a burst of them never refuses a valid share', async () => {
  const store = new FakeRedis();
  const { recorder } = recorderOn(store, { maxQueue: 5, maxInvalidQueue: 3 });
  store.down = true;
  assert.equal(await recorder.recordShare('A', 'A.1', 1), true);
  assert.equal(recorder.state.mode, 'queued');
  for (let i = 0; i < 10; i++) recorder.recordInvalid('A', `A.${i % 2}`, i % 2 ? 'duplicate' : 'job-not-found');
  assert.equal(recorder.state.droppedInvalid, 7);
  assert.deepEqual(await turn(recorder, 5), [true, true, true, true, false]);
  assert.equal(recorder.state.droppedShares, 1);
  // Blocks are never refused, by either bound.
  assert.equal(await recorder.recordBlock(candidate(7)), true);
  assert.equal(recorder.state.queued, 5 + 3 + 1);
  store.down = false;
  await drained(recorder);
  const kinds = store.written.map((w) => w.op.kind);
  assert.equal(kinds.filter((k) => k === 'share').length, 5);
  assert.deepEqual(store.written.filter((w) => w.op.kind === 'invalid').map((w) => (w.op as { reason: string }).reason), ['stale', 'duplicate', 'stale']);
  assert.deepEqual(store.written.map((w) => w.seq), Array.from({ length: 9 }, (_, i) => i + 1));

  // Drained, the rejected shares' room is free again.
  store.down = true;
  assert.equal(await recorder.recordShare('A', 'A.1', 1), true);
  for (let i = 0; i < 3; i++) recorder.recordInvalid('A', 'A.1', 'duplicate');
  assert.equal(recorder.state.droppedInvalid, 7);
  store.down = false;
  await drained(recorder);
  assert.equal(store.written.length, 13);
});
