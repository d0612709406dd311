// The website in headless Chromium over real pool activity on regtest: test miners mine shares and a block through
// the pool, the block matures and the real payment processor credits and pays it from the pool wallet, the stats
// refresher runs on its interval. Then every page's figures must equal the API's (and the API's the chain's and
// the wallet's), charts are drawn, a block found through the pool reaches an open page over the websocket, a
// hostile worker name stays text, and the console stays clean.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { notifyPrevHash } from '../../src/blockchain/bitcoin/job-template.js';
import { coinsToUnits } from '../../src/payments/amounts.js';
import { toWorkUnits, WORK_SCALE } from '../../src/redis/keys.js';
import { createWallet, mine, newAddress, waitForSync, type RegtestPair } from '../helpers/litecoind.js';
import { startPool, type RunningPool } from '../helpers/pool-harness.js';
import { waitFor } from '../helpers/processes.js';
import type { RedisHandle } from '../helpers/redis-server.js';
import { TestMiner, targetFromBitsHex } from '../helpers/test-miner.js';
import { coinbaseOf, fundPoolFromB, MINERS_WALLET, POOL_WALLET, paymentTxids, startProcessor, unitsAt } from '../regtest/payments-support.js';
import { startPoolSite, WINDOW_SECONDS, type PoolSite } from './pool-site.js';
import { startMiningScene } from '../helpers/mining-scene.js';
import { findFreePorts } from '../helpers/ports.js';
import { selfSignedCertificate } from '../helpers/tls-files.js';

const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = new URL('../../../test-output/', import.meta.url).pathname;
/** Share target a bit easier than regtest's block target, so most shares found are not blocks. */
const DIFF = 0.00002;
/** Scrypt's share multiplier, written out here so the test does not take the product's word for it. */
const SCRYPT_MULTIPLIER = 65536;
const XSS = '<img src=x onerror=alert(1)>';

interface PoolJson {
  id: string;
  hashrate: number;
  miners: number;
  workers: number;
  windowSeconds: number;
  network: { height: number; difficulty: number };
}
interface MinerJson {
  address: string;
  hashrate: number;
  averageHashrate: number;
  roundShares: number;
  immature: string;
  unpaid: string;
  paid: string;
  payments: { txid: string; amount: string }[];
}
interface BlockJson {
  height: number;
  hash: string;
  status: string;
  reward: string;
  confirmations: number | null;
  maturity: number;
}
interface Paged<T> {
  items: T[];
  total: number;
}

describe('website over real mining and payments', { timeout: 120_000 }, () => {
  let pair: RegtestPair;
  let redis: RedisHandle;
  let pool: RunningPool;
  let tlsPortNumber = 0;
  let tlsDir = '';
  let site: PoolSite;
  let browser: Browser;
  let poolAddress: string;
  let addr1: string;
  let addr2: string;
  const miners = new Map<string, TestMiner>();
  /** Accepted shares per worker login, counted from the pool's answers. */
  const accepted = new Map<string, number>();

  async function connectMiner(login: string): Promise<TestMiner> {
    const miner = new TestMiner({ port: pool.stratumPort });
    miners.set(login, miner);
    await miner.connect();
    await miner.login(login);
    return miner;
  }

  function count(login: string): void {
    accepted.set(login, (accepted.get(login) ?? 0) + 1);
  }

  /** Valid shares that are not blocks, so the round stays open. */
  async function mineShares(login: string, n: number): Promise<void> {
    const miner = miners.get(login)!;
    for (let i = 0; i < n; i++) {
      const job = await miner.waitForJob();
      const blockTarget = targetFromBitsHex(job.nbits);
      const share = await miner.mineShare({ worker: login, job, accept: (pow) => pow > blockTarget });
      assert.equal(share.answer.result, true, `share of ${login}: ${JSON.stringify(share.answer.error)}`);
      count(login);
    }
  }

  /** Every miner holds a job built on `hash` (the pool's next job after a block). */
  async function allOnTip(hash: string): Promise<void> {
    for (const m of miners.values()) await m.waitForJob((j) => j.prevhash === notifyPrevHash(hash));
  }

  /** One block through the pool; returns once the daemon has it as its tip and every miner has the next job. */
  async function mineBlock(login: string): Promise<{ height: number; hash: string; acceptedAt: number }> {
    const miner = miners.get(login)!;
    const job = await miner.waitForJob();
    const found = await miner.mineShare({ worker: login, job, target: targetFromBitsHex(job.nbits) });
    assert.equal(found.answer.result, true, `block share answered ${JSON.stringify(found.answer.error)}`);
    count(login);
    await waitFor(async () => (await pair.a.rpc<string>('getbestblockhash')) === found.blockHash, { timeoutMs: 10_000, what: 'daemon to take the block' });
    const acceptedAt = Date.now();
    const height = await pair.a.rpc<number>('getblockcount');
    return { height, hash: found.blockHash, acceptedAt };
  }

  async function api<T>(path: string): Promise<T> {
    const res = await fetch(`${site.baseUrl}${path}`, { signal: AbortSignal.timeout(5000) });
    assert.equal(res.status, 200, path);
    return (await res.json()) as T;
  }

  /** Opens a page and collects console errors, page errors and dialogs (an alert would mean injected script ran). */
  async function open(path: string): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    const res = await page.goto(`${site.baseUrl}${path}`);
    assert.ok(res, path);
    return { page, problems };
  }

  const statValue = (page: Page, scope: string, name: string): Promise<string | null> =>
    page.locator(`${scope} [data-stat="${name}"]`).getAttribute('data-value');

  let paidBlock: { height: number; hash: string };
  let paymentTxid: string;

  before(async () => {
    ({ pair, redis, address: poolAddress } = await startMiningScene());
    await createWallet(pair.a, MINERS_WALLET);
    addr1 = await newAddress(pair.a, MINERS_WALLET, 'bech32');
    addr2 = await newAddress(pair.a, MINERS_WALLET, 'bech32');
    await fundPoolFromB(pair, poolAddress);

    const daemon = { host: pair.a.host, port: pair.a.rpcPort, user: pair.a.user, password: pair.a.password, wallet: POOL_WALLET };
    // A plain port (the lower number: the one the miners below use) and a TLS port the getting-started page lists.
    const [plainPort, tlsPort] = (await findFreePorts(2)).sort((a, b) => a - b);
    tlsPortNumber = tlsPort;
    tlsDir = mkdtempSync(join(tmpdir(), 'headframe-site-tls-'));
    const tlsFiles = await selfSignedCertificate(tlsDir);
    pool = await startPool({
      daemons: [pair.a],
      address: poolAddress,
      redis,
      ports: { [String(plainPort)]: { diff: DIFF }, [String(tlsPort)]: { diff: DIFF, tls: tlsFiles } },
      pool: { paymentProcessing: { enabled: true, paymentInterval: 3600, minimumPayment: '0.00000001', scheme: 'PROP', daemon } },
    });
    site = await startPoolSite(pool);
    site.refresher.start();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    mkdirSync(OUTPUT, { recursive: true });

    // Round 1: three workers of two addresses, then addr2 finds a block through the pool.
    for (const login of [`${addr1}.rig1`, `${addr1}.${XSS}`, `${addr2}.rigB`]) await connectMiner(login);
    await mineShares(`${addr1}.rig1`, 5);
    await mineShares(`${addr1}.${XSS}`, 2);
    await mineShares(`${addr2}.rigB`, 3);
    paidBlock = await mineBlock(`${addr2}.rigB`);
    // The block matures on B; the pool's next job builds on the new tip.
    await waitForSync(pair.a, pair.b);
    await mine(pair.b, 100);
    const tip = await waitForSync(pair.a, pair.b);
    await pool.runtime.onBlockNotify(tip);
    await allOnTip(tip);

    // The real payment path: classify against the chain, credit the round, pay from the pool wallet, commit.
    const payments = startProcessor(pool.pool, redis, pool.config.global.redis.keyPrefix);
    try {
      const run = await payments.processor.runOnce();
      assert.equal(run.status, 'done');
      assert.equal(run.credited, 1, JSON.stringify(run, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));
    } finally {
      payments.close();
    }
    const sent = await paymentTxids(pair.a, POOL_WALLET);
    assert.equal(sent.length, 1, 'one payment transaction left the pool wallet');
    paymentTxid = sent[0];

    // Round 2 is open: shares after the block.
    await mineShares(`${addr1}.rig1`, 2);
    await mineShares(`${addr2}.rigB`, 1);

    // The running refresher picks everything up; its history gains a point per second.
    let seen = 'no snapshot yet';
    await waitFor(
      async () => {
        const [{ items }, payList, history, { pools }] = await Promise.all([
          api<Paged<BlockJson>>('/api/v1/pools/regtest/blocks'),
          api<Paged<unknown>>('/api/v1/pools/regtest/payments'),
          api<{ points: unknown[] }>('/api/v1/pools/regtest/history'),
          api<{ pools: PoolJson[] }>('/api/v1/pools'),
        ]);
        // A snapshot taken before the last shares were recorded must not be the one frozen: every accepted share
        // is inside the hashrate window, so the hashrate says whether the snapshot has them all.
        const shares = [...accepted.values()].reduce((a, b) => a + b, 0);
        const expected = pools[0] && ((shares * Number(toWorkUnits(DIFF))) / WORK_SCALE) * 2 ** 32 / SCRYPT_MULTIPLIER / pools[0].windowSeconds;
        const complete = pools[0] !== undefined && Math.abs(pools[0].hashrate - expected) < 1e-6 * expected;
        seen = `blocks ${items.map((b) => `${b.height}:${b.status}`).join(',')}; payments ${payList.total}; workers ${pools[0]?.workers}; points ${history.points.length}; all shares ${complete}`;
        return complete && items.some((b) => b.status === 'confirmed') && payList.total === 1 && pools[0]?.workers === 3 && history.points.length >= 2;
      },
      { timeoutMs: 15_000, what: 'the refresher to publish the paid block, the payment and the workers', diagnostics: () => `last seen: ${seen}` },
    );
    // Freeze the figures: pages and the API are compared against one snapshot.
    await site.refresher.stop();
  });

  after(async () => {
    for (const m of miners.values()) m.close();
    await browser?.close();
    await site?.stop();
    await pool?.stop();
    await pair?.stop();
    await redis?.stop();
    if (tlsDir) rmSync(tlsDir, { recursive: true, force: true });
  });

  test('home shows the API figures, the chain height and a drawn chart; the hashrate follows the one formula', async () => {
    const { pools } = await api<{ pools: PoolJson[] }>('/api/v1/pools');
    assert.equal(pools.length, 1);
    const p = pools[0];
    // Every accepted share is credited round(diff × WORK_SCALE) work units (at least one); hashrate is that work
    // × 2^32 / multiplier over the window: the 30-second hashrate buckets it spans, just under the configured one.
    const shares = [...accepted.values()].reduce((a, b) => a + b, 0);
    assert.ok(p.windowSeconds > WINDOW_SECONDS - 30 && p.windowSeconds <= WINDOW_SECONDS, `window ${p.windowSeconds} s`);
    const expected = ((shares * Number(toWorkUnits(DIFF))) / WORK_SCALE) * 2 ** 32 / SCRYPT_MULTIPLIER / p.windowSeconds;
    assert.ok(Math.abs(p.hashrate - expected) < 1e-6 * expected, `${p.hashrate} vs ${expected} (${shares} shares)`);
    assert.equal(p.miners, 2);
    assert.equal(p.workers, 3);
    assert.equal(p.network.height, await pair.a.rpc<number>('getblockcount'), 'network height from the daemon');

    const { page, problems } = await open('/');
    const scope = `[data-pool="${p.id}"]`;
    await page.locator(`${scope} [data-chart="hashrate"] canvas`).first().waitFor({ timeout: 5000 });
    assert.equal(Number(await statValue(page, scope, 'hashrate')), p.hashrate);
    assert.equal(await page.locator(`${scope} [data-stat="miners"] .value`).textContent(), '2');
    assert.equal(await page.locator(`${scope} [data-stat="workers"] .value`).textContent(), '3');
    assert.equal(await page.locator(`${scope} [data-stat="networkHeight"] .value`).textContent(), String(p.network.height));
    assert.equal(Number(await statValue(page, scope, 'networkDifficulty')), p.network.difficulty);
    assert.equal(await statValue(page, scope, 'lastBlock'), String(paidBlock.height));
    assert.ok(Number(await page.locator(`${scope} [data-chart="hashrate"]`).getAttribute('data-points')) >= 2);
    await page.screenshot({ path: `${OUTPUT}website-home.png`, fullPage: true });
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('per-address page: figures equal the API and the wallet, a hostile worker name is shown as text', async () => {
    const { miner } = await api<{ miner: MinerJson }>(`/api/v1/pools/regtest/miners/${addr1}`);
    // What the payment really sent to the address, read from the miners' wallet.
    assert.equal(miner.paid, (await unitsAt(pair.a, MINERS_WALLET, addr1)).toString());
    assert.ok(BigInt(miner.paid) > 0n);
    assert.equal(miner.unpaid, '0');
    assert.deepEqual(miner.payments.map((x) => x.txid), [paymentTxid]);
    assert.equal(miner.roundShares, (2 * Number(toWorkUnits(DIFF))) / WORK_SCALE, 'round 2 holds only the shares after the block');
    // Another spelling of the same address (upper-case bech32) finds the same balances.
    const upper = await api<{ miner: MinerJson }>(`/api/v1/pools/regtest/miners/${addr1.toUpperCase()}`);
    assert.deepEqual({ address: upper.miner.address, paid: upper.miner.paid }, { address: addr1, paid: miner.paid });
    const nomp = await api<{ miner: string; paid: string }>(`/api/worker_stats?${addr1.toUpperCase()}`);
    assert.deepEqual({ miner: nomp.miner, paid: nomp.paid }, { miner: addr1, paid: miner.paid });

    const { page, problems } = await open(`/miner/${addr1}`);
    const scope = '[data-pool="regtest"]';
    await page.locator(`${scope} [data-chart="miner-hashrate"] canvas`).first().waitFor({ timeout: 5000 });
    assert.equal(Number(await statValue(page, scope, 'hashrate')), miner.hashrate);
    assert.equal(Number(await statValue(page, scope, 'roundShares')), miner.roundShares);
    assert.equal(Number(await statValue(page, scope, 'averageHashrate')), miner.averageHashrate);
    assert.equal(await statValue(page, scope, 'unpaid'), miner.unpaid);
    assert.equal(await statValue(page, scope, 'immature'), miner.immature);
    assert.equal(await statValue(page, scope, 'paid'), miner.paid);
    assert.match((await page.locator(`${scope} table`).last().textContent()) ?? '', new RegExp(paymentTxid.slice(0, 12)));
    const names = await page.locator(`${scope} tr[data-worker] td:first-child`).allTextContents();
    assert.deepEqual(names.sort(), [`${addr1}.${XSS}`, `${addr1}.rig1`].sort());
    assert.equal(await page.locator('main img').count(), 0, 'the worker name became an element');
    await page.screenshot({ path: `${OUTPUT}website-miner.png`, fullPage: true });
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('blocks and payments pages show the paid block and the real payment transaction', async () => {
    const blocks = await api<Paged<BlockJson>>('/api/v1/pools/regtest/blocks');
    const ours = blocks.items.find((b) => b.hash === paidBlock.hash);
    assert.ok(ours, 'the block found through the pool is listed');
    assert.equal(ours.status, 'confirmed');
    const coinbase = await coinbaseOf(pair.a, paidBlock.hash);
    assert.equal(ours.reward, coinbase.vout.reduce((sum, o) => sum + coinsToUnits(o.value), 0n).toString(), 'reward is the coinbase value');

    const bp = await open('/blocks');
    const row = bp.page.locator(`tr[data-block="${paidBlock.height}:${paidBlock.hash}"]`);
    await row.waitFor({ timeout: 5000 });
    assert.equal(await row.getAttribute('data-status'), 'confirmed');
    assert.equal(await bp.page.locator('tr[data-block]').count(), blocks.items.length);
    assert.deepEqual(bp.problems, []);
    await bp.page.close();

    const payments = await api<Paged<{ txid: string; amount: string; recipients: number }>>('/api/v1/pools/regtest/payments');
    assert.equal(payments.total, 1);
    const [payment] = payments.items;
    assert.equal(payment.txid, paymentTxid);
    assert.equal(payment.recipients, 2);
    const received = (await unitsAt(pair.a, MINERS_WALLET, addr1)) + (await unitsAt(pair.a, MINERS_WALLET, addr2));
    assert.equal(payment.amount, received.toString(), 'the payment amount is what the miners received');
    const pp = await open('/payments');
    const prow = pp.page.locator(`tr[data-txid="${paymentTxid}"]`);
    await prow.waitFor({ timeout: 5000 });
    assert.equal(await prow.locator('td').nth(2).textContent(), '2');
    assert.deepEqual(pp.problems, []);
    await pp.page.close();
  });

  test('a block found through the pool reaches the open blocks page through the websocket', async () => {
    site.refresher.start();
    const { page, problems } = await open('/blocks');
    await page.locator(`tr[data-block="${paidBlock.height}:${paidBlock.hash}"]`).waitFor({ timeout: 5000 });
    await page.locator('#live.on').waitFor({ timeout: 5000 });
    const before = await page.locator('tr[data-block]').count();
    const block = await mineBlock(`${addr1}.rig1`);
    const row = page.locator(`tr[data-block="${block.height}:${block.hash}"]`);
    await row.waitFor({ timeout: 5000 });
    assert.ok(Date.now() - block.acceptedAt < 5000, `${Date.now() - block.acceptedAt} ms`);
    assert.equal(await row.getAttribute('data-status'), 'pending');
    assert.equal(await page.locator('tr[data-block]').count(), before + 1);
    assert.equal(page.url(), `${site.baseUrl}/blocks`, 'no reload: the page stayed');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('the processor marks the new block immature: immature balances and confirmations reach the pages', async () => {
    const payments = startProcessor(pool.pool, redis, pool.config.global.redis.keyPrefix);
    try {
      const run = await payments.processor.runOnce();
      assert.equal(run.immature, 1, 'the block found through the pool is immature');
      assert.equal(run.credited, 0);
    } finally {
      payments.close();
    }
    const pending = await waitFor(
      async () => {
        const { items } = await api<Paged<BlockJson>>('/api/v1/pools/regtest/blocks');
        const b = items.find((x) => x.status === 'pending');
        const [m1, m2] = await Promise.all([addr1, addr2].map((a) => api<{ miner: MinerJson }>(`/api/v1/pools/regtest/miners/${a}`)));
        return b && b.confirmations === 1 && BigInt(m1.miner.immature) > 0n ? { block: b, immature: [m1.miner.immature, m2.miner.immature] } : undefined;
      },
      { timeoutMs: 10_000, what: 'the refresher to publish the immature block and balances' },
    );
    // No fee and no reward recipients: the whole coinbase is credited to the round's miners.
    const coinbase = await coinbaseOf(pair.a, pending.block.hash);
    const reward = coinbase.vout.reduce((sum, o) => sum + coinsToUnits(o.value), 0n);
    assert.equal(pending.block.reward, reward.toString());
    assert.equal(BigInt(pending.immature[0]) + BigInt(pending.immature[1]), reward, 'immature balances add up to the reward');

    const mp = await open(`/miner/${addr1}`);
    await mp.page.locator('[data-pool="regtest"] [data-stat="immature"]').waitFor({ timeout: 5000 });
    assert.equal(await statValue(mp.page, '[data-pool="regtest"]', 'immature'), pending.immature[0]);
    assert.deepEqual(mp.problems, []);
    await mp.page.close();

    const bp = await open('/blocks');
    const row = bp.page.locator(`tr[data-block="${pending.block.height}:${pending.block.hash}"]`);
    await row.waitFor({ timeout: 5000 });
    const status = row.locator('td').nth(2);
    assert.equal((await status.textContent())?.trim(), `1 / ${pending.block.maturity}`);
    assert.equal(await status.locator('progress').getAttribute('value'), '1');
    assert.deepEqual(bp.problems, []);
    await bp.page.close();
  });

  test('getting started, API and unknown pages render without console errors; bad input answers 4xx', async () => {
    for (const path of ['/getting-started', '/api']) {
      const { page, problems } = await open(path);
      await page.waitForLoadState('networkidle');
      assert.deepEqual(problems, [], path);
      if (path === '/getting-started') {
        assert.match((await page.locator(`tr[data-port="${pool.stratumPort}"]`).textContent()) ?? '', new RegExp(`stratum\\+tcp://127\\.0\\.0\\.1:${pool.stratumPort}`));
        assert.match((await page.locator(`tr[data-port="${tlsPortNumber}"]`).textContent()) ?? '', new RegExp(`stratum\\+ssl://127\\.0\\.0\\.1:${tlsPortNumber}`));
      }
      await page.close();
    }
    const res = await fetch(`${site.baseUrl}/no/such/page`, { signal: AbortSignal.timeout(5000) });
    assert.equal(res.status, 404);
    const apiRes = await fetch(`${site.baseUrl}/api/nope`, { signal: AbortSignal.timeout(5000) });
    assert.equal(apiRes.status, 404);
    assert.equal(((await apiRes.json()) as { error: string }).error, 'not_found');
    const bad = await fetch(`${site.baseUrl}/api/v1/pools/regtest/miners/notanaddress`, { signal: AbortSignal.timeout(5000) });
    assert.equal(bad.status, 400);
  });
});
