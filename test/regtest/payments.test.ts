// Payments end to end on regtest: three miners mine through the pool (TestMiner over TCP) with different share
// counts, each scheme's block matures, a payment run pays exactly what the scheme says (checked through the wallet
// that owns the miners' addresses), reward recipients get their coinbase output with fees, a reorganized block is
// orphaned and never paid (its stored split removed with it), a round's export reproduces the payout, and a PPLNS
// block whose window is trimmed from the share log while it matures is paid the split fixed at first sight.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { createWallet, mine, newAddress, waitForSync, type RegtestPair } from '../helpers/litecoind.js';
import type { RedisHandle } from '../helpers/redis-server.js';
import { startPool, type RunningPool } from '../helpers/pool-harness.js';
import { TestMiner, targetFromBitsHex } from '../helpers/test-miner.js';
import { waitFor } from '../helpers/processes.js';
import { notifyPrevHash } from '../../src/blockchain/bitcoin/job-template.js';
import { toWorkUnits } from '../../src/redis/keys.js';
import type { PaymentScheme } from '../../src/config/types.js';
import { exportRound } from '../../src/payments/export.js';
import { computeCredits } from '../../src/payments/rewards.js';
import { parseCreditRecord } from '../../src/payments/credit-record.js';
import { MINERS_WALLET, POOL_WALLET, coinbaseOf, expectedSplit, redisClient, startProcessor, unitsAt, type ProcessorHandle } from './payments-support.js';
import { coinsToUnits } from '../../src/payments/amounts.js';
import { NO_MWEB, startMiningScene } from '../helpers/mining-scene.js';

/** Share target above the regtest block target: about one hash in four is a share that is not a block. */
const DIFF = 0.00002;
const UNIT = BigInt(toWorkUnits(DIFF));
/** 16 x regtest difficulty (4.66e-10) x 65536 (scrypt) x 10^4 work units = a window of 5 units, smaller than the round. */
const PPLNS_FACTOR = 16;
const RECIPIENT_PERCENT = 1.5;

interface Round {
  readonly scheme: PaymentScheme;
  readonly pool: RunningPool;
  readonly processor: ProcessorHandle;
  readonly miners: readonly string[];
  readonly recipient: string;
  readonly hash: string;
  readonly height: number;
  /** Submission order of every credited share, oldest first (the block share last). */
  readonly order: readonly string[];
}

describe('payments on regtest', { timeout: 300_000 }, () => {
  let pair: RegtestPair;
  let redis: RedisHandle;
  let client: Redis;
  let poolAddress: string;
  const rounds = new Map<PaymentScheme, Round>();
  const open: { close(): void }[] = [];
  const pools: RunningPool[] = [];

  before(async () => {
    ({ pair, redis, address: poolAddress } = await startMiningScene({ a: [NO_MWEB], b: [NO_MWEB] }));
    client = redisClient(redis);
    await createWallet(pair.a, MINERS_WALLET);
    await mine(pair.a, 101);
    await waitForSync(pair.a, pair.b);
    // A float for transaction fees, sent on A so it is in A's mempool at once: the first pool block collects its fee.
    await pair.a.rpc('sendtoaddress', [poolAddress, 5], await createWallet(pair.a, 'harness-miner'));
  });

  after(async () => {
    for (const o of open) o.close();
    client?.disconnect();
    for (const p of pools) await p.stop();
    await redis?.stop();
    await pair?.stop();
  });

  async function connect(pool: RunningPool, address: string): Promise<TestMiner> {
    const miner = new TestMiner({ port: pool.stratumPort });
    open.push(miner);
    await miner.connect();
    await miner.subscribe();
    const auth = await miner.authorize(`${address}.rig`);
    assert.equal(auth.result, true);
    return miner;
  }

  /** Starts a pool for `scheme`; miners submit counts[i] non-block shares each, in turn; miner 0 then finds a block. */
  async function mineRound(scheme: PaymentScheme, counts: readonly number[]): Promise<Round> {
    const recipient = await newAddress(pair.a, MINERS_WALLET);
    const daemon = { host: pair.a.host, port: pair.a.rpcPort, user: pair.a.user, password: pair.a.password, wallet: POOL_WALLET };
    const pool = await startPool({
      daemons: [pair.a],
      address: poolAddress,
      diff: DIFF,
      redis,
      keyPrefix: `pay-${scheme}:`,
      rewardRecipients: { [recipient]: RECIPIENT_PERCENT },
      pool: {
        paymentProcessing: { enabled: true, paymentInterval: 3600, minimumPayment: '0.00000001', scheme, pplnsWindowFactor: PPLNS_FACTOR, daemon },
      },
    });
    pools.push(pool);
    const best = await pair.a.rpc<string>('getbestblockhash');
    const miners: string[] = [];
    const order: string[] = [];
    for (const count of counts) {
      const address = await newAddress(pair.a, MINERS_WALLET);
      miners.push(address);
      const miner = await connect(pool, address);
      const job = await miner.waitForJob((j) => j.prevhash === notifyPrevHash(best));
      const blockTarget = targetFromBitsHex(job.nbits);
      for (let i = 0; i < count; i++) {
        const share = await miner.mineShare({ worker: `${address}.rig`, job, accept: (pow) => pow > blockTarget });
        assert.equal(share.answer.result, true, JSON.stringify(share.answer.error));
        order.push(address);
      }
      miner.close();
    }
    const finder = await connect(pool, miners[0]);
    const job = await finder.waitForJob((j) => j.prevhash === notifyPrevHash(best));
    const found = await finder.mineShare({ worker: `${miners[0]}.rig`, job, target: targetFromBitsHex(job.nbits) });
    assert.equal(found.answer.result, true);
    order.push(miners[0]);
    finder.close();
    await waitFor(async () => (await pair.a.rpc<string>('getbestblockhash')) === found.blockHash, { timeoutMs: 10_000, what: 'block accepted' });
    await waitFor(async () => (await client.zcard(pool.keys.blocksPending)) === 1, { timeoutMs: 10_000, what: 'block recorded' });
    await waitForSync(pair.a, pair.b);
    const height = (await pair.a.rpc<{ height: number }>('getblock', [found.blockHash])).height;
    const processor = startProcessor(pool.pool, redis, pool.keys.keyPrefix);
    open.push(processor);
    const round = { scheme, pool, processor, miners, recipient, hash: found.blockHash, height, order };
    rounds.set(scheme, round);
    return round;
  }

  /** Output amounts of a round's coinbase: total, to the recipient, to the pool address. */
  async function coinbaseSplit(round: Round): Promise<{ total: bigint; recipient: bigint; toPool: bigint }> {
    const coinbase = await coinbaseOf(pair.a, round.hash);
    const script = async (a: string) => (await pair.a.rpc<{ scriptPubKey: string }>('validateaddress', [a])).scriptPubKey;
    const [poolScript, recipientScript] = [await script(poolAddress), await script(round.recipient)];
    const sum = (hex?: string) => coinbase.vout.filter((o) => hex === undefined || o.scriptPubKey.hex === hex).reduce((s, o) => s + coinsToUnits(o.value), 0n);
    return { total: sum(), recipient: sum(recipientScript), toPool: sum(poolScript) };
  }

  /** What each scheme owes, from the submission order alone (independent of the pool's own records). */
  function expectedCredits(round: Round, toPool: bigint, windowWork: bigint): Map<string, bigint> {
    const work: Record<string, bigint> = {};
    if (round.scheme === 'SOLO') return new Map([[round.miners[0], toPool]]);
    if (round.scheme === 'PROP') {
      for (const a of round.order) work[a] = (work[a] ?? 0n) + UNIT;
      return expectedSplit(toPool, work);
    }
    let left = windowWork;
    for (const a of [...round.order].reverse()) {
      if (left === 0n) break;
      const w = UNIT < left ? UNIT : left;
      work[a] = (work[a] ?? 0n) + w;
      left -= w;
    }
    return expectedSplit(toPool, work);
  }

  test('PROP, PPLNS and SOLO: immature first, then each address is paid exactly what its scheme says', async () => {
    await mineRound('PROP', [3, 2, 1]);
    await mineRound('PPLNS', [3, 2, 1]);
    await mineRound('SOLO', [1, 2, 3]);
    const difficulty = (await pair.a.rpc<{ difficulty: number }>('getblock', [rounds.get('PPLNS')!.hash])).difficulty;
    const windowWork = BigInt(Math.ceil(PPLNS_FACTOR * difficulty * 65536 * 10_000));
    assert.equal(windowWork, 5n, 'the PPLNS window is shorter than the round, so the cut is exercised');

    const expected = new Map<PaymentScheme, Map<string, bigint>>();
    for (const round of rounds.values()) {
      const split = await coinbaseSplit(round);
      const credits = expectedCredits(round, split.toPool, windowWork);
      expected.set(round.scheme, credits);
      const summary = await round.processor.processor.runOnce();
      assert.equal(summary.immature, 1, `${round.scheme} block is immature`);
      assert.equal(summary.pending, 1, `${round.scheme} block still pending (the blocks_pending gauge)`);
      assert.equal(summary.payment?.status, 'nothing-due');
      const immature = await client.hgetall(round.processor.store.pay.immature);
      assert.deepEqual(immature, Object.fromEntries([...credits].map(([a, v]) => [a, v.toString()])), `${round.scheme} immature balances`);
    }

    await mine(pair.b, 100);
    await waitForSync(pair.a, pair.b);

    for (const round of rounds.values()) {
      const summary = await round.processor.processor.runOnce();
      assert.equal(summary.credited, 1, `${round.scheme} credited`);
      assert.equal(summary.pending, 0, `${round.scheme}: nothing pending once credited`);
      assert.equal(summary.payment?.status, 'paid', `${round.scheme}: ${JSON.stringify(summary.payment, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`);
      const split = await coinbaseSplit(round);
      const credits = expected.get(round.scheme)!;
      for (const [address, amount] of credits) {
        assert.equal(await unitsAt(pair.a, MINERS_WALLET, address), amount, `${round.scheme}: paid to ${address}`);
      }
      for (const address of round.miners.filter((m) => !credits.has(m))) {
        assert.equal(await unitsAt(pair.a, MINERS_WALLET, address), 0n, `${round.scheme}: ${address} earned nothing`);
      }
      const paid = [...credits.values()].reduce((a, b) => a + b, 0n);
      assert.equal(paid, split.toPool, `${round.scheme}: miners got exactly what the pool address received`);
      // The recipient's coinbase output: floor(total x 1.5 %), fees included; together with the pool output, the whole coinbase.
      assert.equal(split.recipient, (split.total * 15n) / 1000n);
      assert.equal(await unitsAt(pair.a, MINERS_WALLET, round.recipient), split.recipient, `${round.scheme}: recipient received its output`);
      assert.equal(split.recipient + split.toPool, split.total);
      assert.deepEqual(await client.hgetall(round.processor.store.pay.unpaid), {}, 'nothing left unpaid');
      assert.deepEqual(await client.hgetall(round.processor.store.pay.immature), {}, 'nothing immature');
    }
    // The fee float sat in the mempool when the PROP block was found: its fee is in that coinbase.
    const prop = rounds.get('PROP')!;
    const subsidy = 5_000_000_000n >> BigInt(Math.floor(prop.height / 150));
    assert.ok((await coinbaseSplit(prop)).total > subsidy, 'PROP coinbase carries transaction fees');
  });

  test('a round export reproduces the paid amounts', async () => {
    for (const scheme of ['PROP', 'PPLNS'] as const) {
      const round = rounds.get(scheme);
      assert.ok(round, 'the payment test ran first');
      const exported = await exportRound(round.processor.store, round.height, round.hash);
      assert.ok(exported && exported.complete, `${scheme} export is complete`);
      const shares = exported.shares.map((s) => ({ address: s.address, work: BigInt(s.work) }));
      const roundWork = new Map<string, bigint>();
      for (const s of shares) roundWork.set(s.address, (roundWork.get(s.address) ?? 0n) + s.work);
      const recomputed = computeCredits({
        scheme,
        amount: BigInt(exported.amount),
        finder: exported.finder,
        roundWork,
        recentShares: shares,
        windowWork: exported.windowWork === null ? undefined : BigInt(exported.windowWork),
      });
      for (const [address, amount] of recomputed.credits) {
        assert.equal(await unitsAt(pair.a, MINERS_WALLET, address), amount, `${scheme}: export gives what ${address} was paid`);
      }
      // PROP lists every share of the round; PPLNS the newest shares covering its 5-unit window (one unit each).
      assert.equal(exported.shares.length, scheme === 'PROP' ? round.order.length : 5);
      assert.deepEqual(exported.shares.map((s) => s.address), scheme === 'PROP' ? round.order : [...round.order].reverse().slice(0, 5));
    }
  });

  test('a reorganized block is orphaned after three checks, never paid, and its work returns to the PROP round', async () => {
    const prop = rounds.get('PROP');
    assert.ok(prop, 'the payment test ran first');
    const before = await client.hgetall(prop.processor.store.pay.paid);
    // A new round on the PROP pool: shares, then a block.
    const round = await mineRoundOn(prop, [2, 1]);
    assert.equal((await prop.processor.processor.runOnce()).immature, 1);
    const work = await client.hgetall(prop.pool.keys.round(round.height, round.hash).addresses);
    assert.ok(Object.keys(work).length > 0);
    const splitKey = prop.processor.store.pay.split(round.height, round.hash);
    assert.equal(await client.exists(splitKey), 1, 'split stored at first sight');

    for (const node of [pair.a, pair.b]) await node.rpc('invalidateblock', [round.hash]);
    await mine(pair.b, 2);
    await waitForSync(pair.a, pair.b);

    const statuses: string[] = [];
    for (let i = 0; i < 3; i++) {
      const summary = await prop.processor.processor.runOnce();
      statuses.push(summary.orphaned === 1 ? 'orphaned' : `missing:${await client.hget(prop.pool.keys.block(round.height, round.hash), 'orphanChecks')}`);
    }
    assert.deepEqual(statuses, ['missing:1', 'missing:2', 'orphaned']);
    assert.equal(await client.zscore(prop.processor.store.pay.blocksOrphaned, `${round.height}:${round.hash}`), String(round.height));
    assert.equal(await client.exists(prop.processor.store.pay.credit(round.height, round.hash)), 0, 'never credited');
    assert.equal(await client.exists(splitKey), 0, 'its split went with it');
    assert.deepEqual(await client.hgetall(prop.processor.store.pay.unpaid), {});
    assert.deepEqual(await client.hgetall(prop.processor.store.pay.immature), {});
    assert.deepEqual(await client.hgetall(prop.processor.store.pay.paid), before, 'nothing more paid');
    assert.deepEqual(await client.hgetall(prop.pool.keys.currentRound.addresses), work, 'the orphaned work is back in the current round');
  });

  test('a PPLNS block whose window is trimmed from the share log before it matures is paid the split fixed at first sight', async () => {
    const base = rounds.get('PPLNS');
    assert.ok(base, 'the payment test ran first');
    const round: Round = { ...base, ...(await mineRoundOn(base, [3, 2, 1])) };
    const { toPool } = await coinbaseSplit(round);
    const credits = expectedCredits(round, toPool, 5n);
    assert.equal(credits.size, 3, 'every miner of the round is inside the window');
    const shown = Object.fromEntries([...credits].map(([a, v]) => [a, v.toString()]));
    assert.equal((await round.processor.processor.runOnce()).immature, 1);
    assert.deepEqual(await client.hgetall(round.processor.store.pay.immature), shown, 'immature balances at first sight');

    // A busy pool's share log, hours later: only the two newest shares (the block's and the one before) are left.
    await client.xtrim(round.pool.keys.shareLog, 'MAXLEN', 2);
    assert.equal(await client.xlen(round.pool.keys.shareLog), 2);
    // A restarted processor (nothing held in memory) while the block matures, and at maturity.
    const restarted = startProcessor(round.pool.pool, redis, round.pool.keys.keyPrefix);
    open.push(restarted);
    assert.equal((await restarted.processor.runOnce()).immature, 1);
    assert.deepEqual(await client.hgetall(restarted.store.pay.immature), shown, 'immature balances after the trim');
    await mine(pair.b, 100);
    await waitForSync(pair.a, pair.b);
    const summary = await restarted.processor.runOnce();
    assert.equal(summary.credited, 1);
    assert.equal(summary.payment?.status, 'paid');
    for (const [address, amount] of credits) {
      assert.equal(await unitsAt(pair.a, MINERS_WALLET, address), amount, `paid to ${address}: its share of the window at first sight`);
    }
    assert.equal([...credits.values()].reduce((a, b) => a + b, 0n), toPool);
    const record = await restarted.store.creditRecordText(round.height, round.hash);
    assert.deepEqual(Object.fromEntries(parseCreditRecord(record!).credits), Object.fromEntries(credits), 'the credit record says so too');
    assert.equal(await client.exists(restarted.store.pay.split(round.height, round.hash)), 0, 'the credit record replaced the split');
    assert.deepEqual(await client.hgetall(restarted.store.pay.immature), {});
  });

  /** Another round on an existing pool (fresh miners): miners[0] finds the block after everyone's shares. */
  async function mineRoundOn(
    base: Round,
    counts: readonly number[],
  ): Promise<{ hash: string; height: number; miners: string[]; order: string[] }> {
    const best = await pair.a.rpc<string>('getbestblockhash');
    await base.pool.runtime.onBlockNotify(best);
    const miners: string[] = [];
    const order: string[] = [];
    for (const count of counts) {
      const address = await newAddress(pair.a, MINERS_WALLET);
      miners.push(address);
      const miner = await connect(base.pool, address);
      const job = await miner.waitForJob((j) => j.prevhash === notifyPrevHash(best));
      const blockTarget = targetFromBitsHex(job.nbits);
      for (let i = 0; i < count; i++) {
        const share = await miner.mineShare({ worker: `${address}.rig`, job, accept: (pow) => pow > blockTarget });
        assert.equal(share.answer.result, true);
        order.push(address);
      }
      miner.close();
    }
    const finder = await connect(base.pool, miners[0]);
    const job = await finder.waitForJob((j) => j.prevhash === notifyPrevHash(best));
    const found = await finder.mineShare({ worker: `${miners[0]}.rig`, job, target: targetFromBitsHex(job.nbits) });
    assert.equal(found.answer.result, true);
    order.push(miners[0]);
    finder.close();
    await waitFor(async () => (await pair.a.rpc<string>('getbestblockhash')) === found.blockHash, { timeoutMs: 10_000, what: 'block accepted' });
    await waitFor(async () => (await client.zcard(base.pool.keys.blocksPending)) === 1, { timeoutMs: 10_000, what: 'block recorded' });
    await waitForSync(pair.a, pair.b);
    const height = (await pair.a.rpc<{ height: number }>('getblock', [found.blockHash])).height;
    return { hash: found.blockHash, height, miners, order };
  }
});
