// The payment processor SIGKILLed in the middle of a payment (after the intent, after sendmany, before the commit),
// then started again: every address is paid exactly once and no credit is lost. The same on either side of storing a
// block's PPLNS split: one split is stored, and it is what gets paid even after the share log lost the window. Also:
// two processors on one Redis, only one pays.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { createWallet, mine, newAddress, waitForSync, type RegtestPair } from '../helpers/litecoind.js';
import type { RedisHandle } from '../helpers/redis-server.js';
import { loadPoolDir, writePoolDir, type PoolDir } from '../helpers/pool-harness.js';
import { spawnLogged } from '../helpers/processes.js';
import { PoolKeys } from '../../src/redis/keys.js';
import type { PoolConfig } from '../../src/config/types.js';
import { TEST_PAYMENT_KILL_POINT_ENV } from '../../src/roles/payment-processor.js';
import { newIntent } from '../../src/payments/payout.js';
import { parseSplit } from '../../src/payments/credit-record.js';
import {
  MINERS_WALLET,
  POOL_WALLET,
  expectedSplit,
  fundPoolFromB,
  recordMinedBlock,
  redisClient,
  startProcessor,
  txidsPaying,
  unitsAt,
  coinbaseOf,
} from './payments-support.js';
import { NO_MWEB, startMiningScene } from '../helpers/mining-scene.js';

const CHILD = fileURLToPath(new URL('./payments-crash-child.js', import.meta.url));

describe('payment crash safety and refusals', { timeout: 240_000 }, () => {
  let pair: RegtestPair;
  let redis: RedisHandle;
  let client: Redis;
  let poolAddress: string;
  const dirs: PoolDir[] = [];

  before(async () => {
    // Hundreds of blocks get mined here.
    ({ pair, redis, address: poolAddress } = await startMiningScene({ a: [NO_MWEB], b: [NO_MWEB] }));
    client = redisClient(redis);
    await createWallet(pair.a, MINERS_WALLET);
    await fundPoolFromB(pair, poolAddress);
  });

  after(async () => {
    client?.disconnect();
    for (const d of dirs) d.remove();
    await redis?.stop();
    await pair?.stop();
  });

  /** A pool config dir paying from the pool wallet with `payments` (scheme and its settings), and its keys. */
  async function paymentPool(prefix: string, payments: Record<string, unknown>): Promise<{ dir: PoolDir; pool: PoolConfig; keys: PoolKeys }> {
    const daemon = { host: pair.a.host, port: pair.a.rpcPort, user: pair.a.user, password: pair.a.password, wallet: POOL_WALLET };
    const dir = await writePoolDir({
      daemons: [pair.a],
      address: poolAddress,
      redis,
      keyPrefix: prefix,
      pool: { paymentProcessing: { enabled: true, paymentInterval: 3600, minimumPayment: '0.00000001', daemon, ...payments } },
    });
    dirs.push(dir);
    const pool = (await loadPoolDir(dir.dir)).pools[0];
    return { dir, pool, keys: new PoolKeys(prefix, pool.id) };
  }

  /** A pool config dir paying from the pool wallet, its keys, three fresh miner addresses and one mature block. */
  async function preparePool(
    prefix: string,
    extraWork: Record<string, bigint> | ((miners: readonly string[]) => Record<string, bigint>) = {},
  ): Promise<{ dir: PoolDir; pool: PoolConfig; keys: PoolKeys; credits: Map<string, bigint> }> {
    const { dir, pool, keys } = await paymentPool(prefix, { scheme: 'PROP' });
    const miners = [await newAddress(pair.a, MINERS_WALLET), await newAddress(pair.a, MINERS_WALLET), await newAddress(pair.a, MINERS_WALLET)];
    const work = { [miners[0]]: 3n, [miners[1]]: 2n, [miners[2]]: 1n, ...(typeof extraWork === 'function' ? extraWork(miners) : extraWork) };
    const block = await recordMinedBlock(pair.a, client, keys, poolAddress, work);
    await waitForSync(pair.a, pair.b);
    await mine(pair.b, 100);
    await waitForSync(pair.a, pair.b);
    const coinbase = await coinbaseOf(pair.a, block.hash);
    const toPool = block.reward; // no reward recipients: the pool address takes the whole coinbase
    assert.ok(coinbase.vout.length >= 1);
    return { dir, pool, keys, credits: expectedSplit(toPool, work) };
  }

  /**
   * A PPLNS pool dir (factor 16: a 5-unit window on regtest) and one immature block whose round is in the share log,
   * oldest first: m2 3, m0 2, m1 2, m2 1, m0 1 work units (m0 found the block). Newest first the window takes m0 1,
   * m2 1, m1 2 and 1 of m0's 2: weights m0 2, m1 2, m2 1; m2's first share falls outside.
   */
  async function preparePplnsBlock(
    prefix: string,
  ): Promise<{ dir: PoolDir; pool: PoolConfig; keys: PoolKeys; block: { height: number; hash: string }; credits: Map<string, bigint> }> {
    const { dir, pool, keys } = await paymentPool(prefix, { scheme: 'PPLNS', pplnsWindowFactor: 16 });
    const m = [await newAddress(pair.a, MINERS_WALLET), await newAddress(pair.a, MINERS_WALLET), await newAddress(pair.a, MINERS_WALLET)];
    const ids: string[] = [];
    for (const [miner, units] of [[m[2], 3], [m[0], 2], [m[1], 2], [m[2], 1], [m[0], 1]] as const) {
      ids.push((await client.xadd(keys.shareLog, '*', 'a', miner, 'w', `${miner}.rig`, 'd', String(units), 't', String(Date.now())))!);
    }
    const block = await recordMinedBlock(pair.a, client, keys, poolAddress, { [m[0]]: 3n, [m[1]]: 2n, [m[2]]: 4n });
    await client.hset(keys.round(block.height, block.hash).meta, { firstShareId: ids[0], lastShareId: ids[ids.length - 1] });
    await waitForSync(pair.a, pair.b);
    return { dir, pool, keys, block, credits: expectedSplit(block.reward, { [m[0]]: 2n, [m[1]]: 2n, [m[2]]: 1n }) };
  }

  async function runChildUntilKilled(configDir: string, point: string): Promise<void> {
    const child = spawnLogged(process.execPath, [CHILD, configDir], {
      name: `payment-processor(${point})`,
      env: { ...process.env, [TEST_PAYMENT_KILL_POINT_ENV]: point },
    });
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([
      child.exited,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`child did not die at ${point}\n${child.describeTail()}`)), 60_000);
      }),
    ]).finally(() => {
      clearTimeout(timer);
      return child.stop({ graceMs: 1000 });
    });
    assert.equal(exit.signal, 'SIGKILL', `child exit ${JSON.stringify(exit)}\n${child.describeTail()}`);
  }

  async function assertPaidOnce(pool: PoolConfig, keys: PoolKeys, credits: Map<string, bigint>): Promise<void> {
    const addresses = [...credits.keys()];
    assert.equal((await txidsPaying(pair.a, MINERS_WALLET, addresses)).length, 1, 'exactly one payment transaction');
    for (const [address, amount] of credits) {
      assert.equal(await unitsAt(pair.a, MINERS_WALLET, address), amount, `received by ${address}`);
    }
    const h = startProcessor(pool, redis, keys.keyPrefix);
    try {
      assert.equal(await h.store.intent(), null, 'no open intent');
      const unpaid = await h.store.unpaidBalances();
      for (const address of addresses) assert.equal(unpaid.get(address), undefined, `nothing left unpaid for ${address}`);
      const paid = await client.hgetall(h.store.pay.paid);
      for (const [address, amount] of credits) assert.equal(paid[address], amount.toString());
      assert.equal(await client.llen(h.store.pay.history), 1);
    } finally {
      h.close();
    }
  }

  for (const point of ['after-intent', 'after-send', 'before-commit'] as const) {
    test(`killed ${point}: the restarted processor pays each address exactly once`, async () => {
      const { dir, pool, keys, credits } = await preparePool(`crash-${point}:`);
      await runChildUntilKilled(dir.dir, point);

      const h = startProcessor(pool, redis, keys.keyPrefix);
      try {
        // The dead process still holds the lock until its lease runs out; let it run out now instead of in minutes.
        assert.ok(await client.exists(h.store.pay.lock), 'the killed process held the lock');
        await client.pexpire(h.store.pay.lock, 1);
        await new Promise((resolve) => setTimeout(resolve, 20));
        const open = await h.store.intent();
        assert.ok(open, 'the killed run left its intent behind');
        assert.deepEqual(new Map(open.payees.map((p) => [p.address, p.amount])), credits);
        const sent = await txidsPaying(pair.a, MINERS_WALLET, [...credits.keys()]);
        assert.equal(sent.length, point === 'after-intent' ? 0 : 1, 'wallet state at the kill point');
        if (point === 'before-commit') assert.equal(open.txid, sent[0]);
        if (point === 'after-send') assert.equal(open.txid, null);
        // Credits are still unpaid in Redis: only the commit moves them.
        assert.deepEqual(await h.store.unpaidBalances(), credits);

        const summary = await h.processor.runOnce();
        assert.equal(summary.status, 'done');
        assert.equal(summary.payment?.status, point === 'after-intent' ? 'paid' : 'nothing-due');
        // A second run finds nothing to do.
        assert.equal((await h.processor.runOnce()).payment?.status, 'nothing-due');
      } finally {
        h.close();
      }
      await assertPaidOnce(pool, keys, credits);
    });
  }

  for (const point of ['before-split-store', 'after-split-store'] as const) {
    const when = point === 'before-split-store' ? 'between computing a PPLNS split and storing it' : 'right after storing a PPLNS split';
    test(`killed ${when}: one split is stored, kept when the share log loses the window, and paid at maturity`, async () => {
      const { dir, pool, keys, block, credits } = await preparePplnsBlock(`split-${point}:`);
      await runChildUntilKilled(dir.dir, point);

      const h = startProcessor(pool, redis, keys.keyPrefix);
      try {
        await client.pexpire(h.store.pay.lock, 1);
        await new Promise((resolve) => setTimeout(resolve, 20));
        assert.deepEqual(await client.hgetall(h.store.pay.immature), {}, 'the killed run never got as far as the immature balances');
        let text = await h.store.splitText(block.height, block.hash);
        if (point === 'before-split-store') {
          assert.equal(text, null, 'nothing was stored before the kill');
          assert.equal((await h.processor.runOnce()).immature, 1);
          text = await h.store.splitText(block.height, block.hash);
        }
        assert.ok(text !== null, 'the split is stored');
        const split = parseSplit(text);
        assert.equal(split.windowWork, 5n);
        assert.deepEqual(split.credits, credits);

        // Hours of shares later the window is gone from the share log: a re-run must keep what is stored.
        await client.xtrim(keys.shareLog, 'MAXLEN', 0);
        assert.equal((await h.processor.runOnce()).immature, 1);
        assert.equal(await h.store.splitText(block.height, block.hash), text, 'the stored split is neither recomputed nor replaced');
        assert.deepEqual(await h.store.unpaidBalances(), new Map());
        assert.deepEqual(
          await client.hgetall(h.store.pay.immature),
          Object.fromEntries([...credits].map(([a, v]) => [a, v.toString()])),
          'immature balances from the stored split',
        );

        await mine(pair.b, 100);
        await waitForSync(pair.a, pair.b);
        const summary = await h.processor.runOnce();
        assert.equal(summary.credited, 1);
        assert.equal(summary.payment?.status, 'paid');
      } finally {
        h.close();
      }
      await assertPaidOnce(pool, keys, credits);
    });
  }

  test('an address the daemon rejects is set aside with its balance kept; the others are paid', async () => {
    const bad = 'rltc1qnotanaddress0000000000000000000000';
    const { pool, keys, credits } = await preparePool('bad-address:', { [bad]: 4n });
    const h = startProcessor(pool, redis, keys.keyPrefix);
    try {
      const summary = await h.processor.runOnce();
      assert.equal(summary.payment?.status, 'paid');
      const reason = JSON.parse((await client.hget(h.store.pay.quarantine, bad)) ?? '{}') as { reason?: string };
      assert.match(reason.reason ?? '', /validateaddress/);
      assert.deepEqual(await h.store.unpaidBalances(), new Map([[bad, credits.get(bad)]]), 'its balance is kept');
      assert.equal((await h.processor.runOnce()).payment?.status, 'nothing-due', 'and it is not retried blindly');
    } finally {
      h.close();
    }
    const good = new Map([...credits].filter(([a]) => a !== bad));
    for (const [address, amount] of good) assert.equal(await unitsAt(pair.a, MINERS_WALLET, address), amount);
    assert.equal((await txidsPaying(pair.a, MINERS_WALLET, [...good.keys()])).length, 1);
  });

  test('two spellings of one address (balances from before canonical logins): the old spelling is set aside, the rest paid', async () => {
    let spellings: string[] = [];
    const { pool, keys, credits } = await preparePool('spellings:', (miners) => {
      spellings = [miners[0], miners[0].toUpperCase()];
      return { [spellings[1]]: 4n };
    });
    assert.notEqual(spellings[0], spellings[1], 'a bech32 address, which has an upper-case spelling');
    const h = startProcessor(pool, redis, keys.keyPrefix);
    let setAside: string;
    try {
      const summary = await h.processor.runOnce();
      assert.equal(summary.payment?.status, 'paid');
      const quarantined = Object.keys(await client.hgetall(h.store.pay.quarantine));
      assert.equal(quarantined.length, 1);
      setAside = quarantined[0];
      // The daemon names the later key (here the canonical spelling): the old spelling is the one set aside, so the
      // address new shares are credited to keeps being paid.
      assert.equal(setAside, spellings[1], 'the upper-case (old) spelling is set aside, never the canonical one');
      const reason = JSON.parse((await client.hget(h.store.pay.quarantine, setAside)) ?? '{}') as { reason?: string };
      assert.match(reason.reason ?? '', /duplicated address/);
      assert.deepEqual(await h.store.unpaidBalances(), new Map([[setAside, credits.get(setAside)]]), 'its balance is kept');
    } finally {
      h.close();
    }
    const paidSpelling = spellings.find((a) => a !== setAside)!;
    // One destination, whichever spelling the payment named.
    assert.equal(await unitsAt(pair.a, MINERS_WALLET, spellings[0]), credits.get(paidSpelling));
    for (const address of [...credits.keys()].filter((a) => !spellings.includes(a))) {
      assert.equal(await unitsAt(pair.a, MINERS_WALLET, address), credits.get(address));
    }
  });

  test('while payments are halted a new block still gets its split fixed, and is paid exactly that once they resume', async () => {
    const { pool, keys, credits } = await preparePool('halted-split:');
    const h = startProcessor(pool, redis, keys.keyPrefix);
    try {
      await client.set(h.store.pay.halt, JSON.stringify({ reason: 'operator check', at: Date.now() }));
      assert.equal((await h.processor.runOnce()).status, 'halted');
      const [block] = await h.store.pendingBlocks();
      const stored = await client.get(h.store.pay.split(block.record.height, block.record.hash));
      assert.ok(stored, 'the split is fixed although nothing may be paid');
      assert.deepEqual(await h.store.unpaidBalances(), new Map(), 'nothing credited while halted');
      await client.del(h.store.pay.halt);
      const resumed = await h.processor.runOnce();
      assert.equal(resumed.payment?.status, 'paid');
    } finally {
      h.close();
    }
    await assertPaidOnce(pool, keys, credits);
  });

  test('an intent the wallet cannot account for halts the pool until an operator clears it', async () => {
    const { pool, keys, credits } = await preparePool('halt:');
    const h = startProcessor(pool, redis, keys.keyPrefix);
    try {
      // Credit the block first, then leave an intent behind whose txid the wallet has never seen.
      assert.equal((await h.processor.runOnce()).payment?.status, 'paid');
      const token = (await h.store.acquireLock(10_000))!;
      const ghost = { ...newIntent(pool.id, [{ address: [...credits.keys()][0], amount: 1n }], [], Date.now()), sendStartedAt: Date.now(), txid: 'ab'.repeat(32) };
      assert.equal(await h.store.writeIntent(token, ghost), true);
      await h.store.releaseLock(token);
      const paidBefore = await client.hgetall(h.store.pay.paid);

      const summary = await h.processor.runOnce();
      assert.equal(summary.status, 'halted');
      assert.match(JSON.parse((await client.get(h.store.pay.halt))!).reason as string, /does not know it/);
      assert.equal((await h.processor.runOnce()).status, 'halted', 'later runs do nothing');
      assert.ok(await h.store.intent(), 'the intent stays for the operator to inspect');
      assert.deepEqual(await client.hgetall(h.store.pay.paid), paidBefore);
    } finally {
      h.close();
    }
  });

  test('two processors on one Redis: only one pays', async () => {
    const { pool, keys, credits } = await preparePool('two-processors:');
    const first = startProcessor(pool, redis, keys.keyPrefix);
    const second = startProcessor(pool, redis, keys.keyPrefix);
    try {
      // Both connected first, so the two runs really start together.
      await Promise.all([first.client.ping(), second.client.ping()]);
      const results = await Promise.all([first.processor.runOnce(), second.processor.runOnce()]);
      assert.equal(results.filter((r) => r.payment?.status === 'paid').length, 1, 'exactly one run paid');
      const statuses = results.map((r) => r.status).sort();
      assert.deepEqual(statuses, ['done', 'locked']);
      assert.equal(results.find((r) => r.status === 'done')?.payment?.status, 'paid');
    } finally {
      first.close();
      second.close();
    }
    await assertPaidOnce(pool, keys, credits);
  });
});
