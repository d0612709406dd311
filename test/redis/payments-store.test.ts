// The payment scripts against a real redis-server: fencing, a block's split stored once and credited as stored,
// exactly-once crediting, orphan merge-back, the intent lifecycle and the commit's balance and history moves.
import { before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { useRedis } from '../helpers/redis-suite.js';
import { PaymentScripts, isFenced } from '../../src/payments/scripts.js';
import { PaymentStore } from '../../src/payments/store.js';
import { newIntent } from '../../src/payments/payout.js';
import { parseCreditRecord, parseSplit, serializeSplit, type BlockSplit } from '../../src/payments/credit-record.js';
import { blockId } from '../../src/redis/keys.js';

const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);

describe('payment scripts', () => {
  const redis = useRedis();
  let client: Redis;
  let store: PaymentStore;

  before(async () => {
    client = await redis.client({ commandTimeout: 2000 });
    store = new PaymentStore(client, new PaymentScripts(client), 'test:', 'ltc');
  });
  beforeEach(async () => {
    await client.flushall();
  });

  /** A pending block with its closed round, laid out as the share side records it. */
  async function seedBlock(height: number, hash: string, work: Record<string, string>): Promise<void> {
    const k = store.keys;
    const round = k.round(height, hash);
    await client.hset(k.block(height, hash), {
      pool: 'ltc', height: String(height), hash, coinbaseTxid: 'c'.repeat(64), reward: '5000000000', finder: 'addr1',
      worker: 'addr1.w', shareDiff: '1', jobId: '1', foundAt: '1000', round: blockId(height, hash),
      roundWork: '0', roundShares: '0', status: 'pending', verdict: 'accepted',
    });
    await client.hset(round.addresses, work);
    await client.hset(round.workers, Object.fromEntries(Object.entries(work).map(([a, w]) => [`${a}.w`, w])));
    await client.hset(round.meta, { work: String(Object.values(work).reduce((s, w) => s + BigInt(w), 0n)), shares: '3', firstShareId: '1-0', lastShareId: '5-0', closedAt: '6' });
    await client.zadd(k.blocksPending, height, blockId(height, hash));
  }

  function splitOf(height: number, hash: string, credits: [string, bigint][]): BlockSplit {
    return {
      pool: 'ltc', height, hash, scheme: 'PROP', coinbaseValue: 100n, amount: credits.reduce((s, [, v]) => s + v, 0n), finder: 'addr1',
      weights: new Map(credits.map(([a]) => [a, 1n])), credits: new Map(credits), windowWork: null, networkDifficulty: null,
      lastShareId: '5-0', ranges: [['1-0', '5-0']], splitAt: 7,
    };
  }

  test('one lock holder at a time; a stale token can no longer write', async () => {
    const first = await store.acquireLock(60_000);
    assert.ok(first);
    assert.equal(await store.acquireLock(60_000), null, 'second acquire refused while held');
    await store.releaseLock(first);
    const second = await store.acquireLock(60_000);
    assert.ok(second && BigInt(second) > BigInt(first), 'tokens grow');
    await assert.rejects(store.setImmature(first, new Map([['x', 1n]])), (err) => isFenced(err));
    assert.equal(await store.renewLock(first, 1000), false);
    await store.setImmature(second, new Map([['x', 1n]]));
    assert.deepEqual(await client.hgetall(store.pay.immature), { x: '1' });
  });

  test('a split is stored once: a second store keeps the first; a stale token or a block no longer pending stores nothing', async () => {
    await seedBlock(10, HASH_A, { addr1: '3', addr2: '1' });
    const stale = (await store.acquireLock(60_000))!;
    await store.releaseLock(stale);
    const token = (await store.acquireLock(60_000))!;
    const first = splitOf(10, HASH_A, [['addr1', 75n], ['addr2', 25n]]);
    // What a re-run computes from a share log trimmed since the first run: it must not replace the stored split.
    const recomputed = splitOf(10, HASH_A, [['addr1', 100n]]);
    await assert.rejects(store.storeSplit(stale, first), (err) => isFenced(err));
    assert.equal(await store.splitText(10, HASH_A), null, 'a fenced store writes nothing');

    assert.equal(await store.storeSplit(token, first), serializeSplit(first));
    assert.equal(await store.storeSplit(token, recomputed), serializeSplit(first), 'the stored split is answered');
    assert.equal(await store.splitText(10, HASH_A), serializeSplit(first), 'and kept');
    assert.deepEqual([...parseSplit((await store.splitText(10, HASH_A))!).credits], [['addr1', 75n], ['addr2', 25n]]);

    await seedBlock(11, HASH_B, { addr1: '1' });
    await client.zrem(store.keys.blocksPending, blockId(11, HASH_B));
    assert.equal(await store.storeSplit(token, splitOf(11, HASH_B, [['addr1', 1n]])), null, 'not pending: nothing stored');
    assert.equal(await client.exists(store.pay.split(11, HASH_B)), 0);
  });

  test('the credit is the stored split: any other split text is refused and nothing is written', async () => {
    await seedBlock(10, HASH_A, { addr1: '3', addr2: '1' });
    const token = (await store.acquireLock(60_000))!;
    const split = splitOf(10, HASH_A, [['addr1', 75n], ['addr2', 25n]]);
    const other = serializeSplit(splitOf(10, HASH_A, [['addr1', 100n]]));
    await assert.rejects(store.credit(token, other, 101, 8), /SPLIT/, 'no split stored yet');
    const text = (await store.storeSplit(token, split))!;
    await assert.rejects(store.credit(token, other, 101, 8), /SPLIT/, 'not the stored split');
    assert.deepEqual(await client.hgetall(store.pay.unpaid), {});
    assert.equal(await client.zscore(store.keys.blocksPending, blockId(10, HASH_A)), '10', 'still pending');
    assert.equal(await client.exists(store.pay.credit(10, HASH_A)), 0);

    const record = await store.credit(token, text, 101, 8);
    assert.deepEqual(record && [...record.credits], [['addr1', 75n], ['addr2', 25n]]);
    assert.equal(record?.splitAt, 7);
    assert.equal(record?.creditedAt, 8);
    assert.equal(await client.exists(store.pay.split(10, HASH_A)), 0, 'the credit record takes the split\'s place');
  });

  test('a block is credited exactly once, and the credit record reads back', async () => {
    await seedBlock(10, HASH_A, { addr1: '3', addr2: '1' });
    const token = (await store.acquireLock(60_000))!;
    const split = splitOf(10, HASH_A, [['addr1', 75n], ['addr2', 25n]]);
    const text = (await store.storeSplit(token, split))!;
    assert.ok(await store.credit(token, text, 101, 8));
    assert.equal(await store.credit(token, text, 101, 8), null, 'second credit is a no-op');
    assert.deepEqual(await client.hgetall(store.pay.unpaid), { addr1: '75', addr2: '25' });
    assert.equal(await client.zcard(store.keys.blocksPending), 0);
    assert.equal(await client.zscore(store.pay.blocksCredited, blockId(10, HASH_A)), '10');
    assert.equal(await client.hget(store.keys.block(10, HASH_A), 'status'), 'credited');
    const back = parseCreditRecord((await store.creditRecordText(10, HASH_A))!);
    assert.deepEqual([...back.credits], [['addr1', 75n], ['addr2', 25n]]);
    assert.deepEqual(await store.confirmedHeights([10, 11]), new Set([10]));
  });

  test('an orphaned round returns its work to the current round, with its share-log range, and its split is removed', async () => {
    await seedBlock(20, HASH_B, { addr1: '4', addr3: '2' });
    await client.hset(store.keys.currentRound.addresses, { addr1: '10' });
    await client.hset(store.keys.currentRound.meta, { work: '10', shares: '1', firstShareId: '9-0' });
    const token = (await store.acquireLock(60_000))!;
    const split = splitOf(20, HASH_B, [['addr1', 67n], ['addr3', 33n]]);
    const text = (await store.storeSplit(token, split))!;
    const pending = await store.pendingBlocks();
    assert.equal(pending.length, 1);
    assert.equal(await store.orphan(token, pending[0].record, 3), true);
    assert.equal(await store.orphan(token, pending[0].record, 3), false, 'merged only once');
    assert.equal(await client.exists(store.pay.split(20, HASH_B)), 0, 'the split went with the block');
    assert.equal(await store.storeSplit(token, split), null, 'and cannot come back');
    assert.equal(await store.credit(token, text, 101, 8), null, 'nor be credited');
    assert.deepEqual(await client.hgetall(store.pay.unpaid), {});
    assert.deepEqual(await client.hgetall(store.keys.currentRound.addresses), { addr1: '14', addr3: '2' });
    assert.deepEqual(await client.hgetall(store.keys.currentRound.workers), { 'addr1.w': '4', 'addr3.w': '2' });
    const meta = await client.hgetall(store.keys.currentRound.meta);
    assert.equal(meta.work, '16');
    assert.equal(meta.shares, '4');
    assert.equal(meta.mergedRanges, '1-0/5-0');
    assert.equal(await client.exists(store.keys.round(20, HASH_B).addresses), 0);
    assert.equal(await client.zscore(store.pay.blocksOrphaned, blockId(20, HASH_B)), '20');
    assert.equal(await client.hget(store.keys.block(20, HASH_B), 'status'), 'orphaned');
  });

  test('intent: one open at a time, updated in place, refused while halted; commit moves money once', async () => {
    await seedBlock(10, HASH_A, { addr1: '1' });
    const token = (await store.acquireLock(60_000))!;
    const split = (await store.storeSplit(token, splitOf(10, HASH_A, [['addr1', 700n], ['addr2', 300n]])))!;
    assert.ok(await store.credit(token, split, 101, 8));
    const intent = newIntent('ltc', [{ address: 'addr1', amount: 700n }, { address: 'addr2', amount: 300n }], [blockId(10, HASH_A)], 1);
    assert.equal(await store.writeIntent(token, intent), true);
    assert.equal(await store.writeIntent(token, newIntent('ltc', [], [], 2)), false, 'a second intent is refused');
    assert.equal(await store.writeIntent(token, { ...intent, sendStartedAt: 5 }), true, 'the open one can be updated');
    assert.equal((await store.intent())?.sendStartedAt, 5);
    assert.deepEqual((await store.intent())?.payees, intent.payees);

    assert.equal(await store.commit(token, intent, 'f'.repeat(64), 1234), true);
    assert.equal(await store.commit(token, intent, 'f'.repeat(64), 1234), false, 'second commit is a no-op');
    assert.deepEqual(await client.hgetall(store.pay.unpaid), {});
    assert.deepEqual(await client.hgetall(store.pay.paid), { addr1: '700', addr2: '300' });
    assert.equal(await store.intent(), null);
    const history = (await client.lrange(store.pay.history, 0, -1)).map((t) => JSON.parse(t) as Record<string, unknown>);
    assert.equal(history.length, 1);
    assert.deepEqual([history[0].txid, history[0].amount, history[0].recipients], ['f'.repeat(64), '1000', 2]);
    const mine = JSON.parse((await client.lindex(store.pay.addressHistory('addr2'), 0))!) as Record<string, unknown>;
    assert.deepEqual(mine, { txid: 'f'.repeat(64), paidAt: 1234, amount: '300' });
    assert.equal(await client.zscore(store.pay.blocksPaid, blockId(10, HASH_A)), '10');
    assert.equal(await client.hget(store.keys.block(10, HASH_A), 'status'), 'paid');

    await store.halt(token, 'test', 1);
    assert.equal(await store.writeIntent(token, newIntent('ltc', [], [], 3)), false, 'halted pools write no intent');
  });

  test('a commit that would overdraw a balance writes nothing', async () => {
    const token = (await store.acquireLock(60_000))!;
    await client.hset(store.pay.unpaid, { addr1: '50', addr2: '10' });
    const intent = newIntent('ltc', [{ address: 'addr1', amount: 50n }, { address: 'addr2', amount: 11n }], [], 1);
    await store.writeIntent(token, intent);
    await assert.rejects(store.commit(token, intent, 'e'.repeat(64), 1), /BALANCE addr2/);
    assert.deepEqual(await client.hgetall(store.pay.unpaid), { addr1: '50', addr2: '10' });
    assert.ok(await store.intent(), 'intent still open');
    assert.equal(await store.dropIntent(token, intent.id), true);
    assert.equal(await store.intent(), null);
  });
});
