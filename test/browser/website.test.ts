// Every page in headless Chromium against a real Redis: figures equal the API's, charts are drawn, a new block
// reaches an open page through the websocket, miner-controlled names stay text, and the console stays clean.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { recordBlock, recordShares, SCRYPT_MULTIPLIER, startWebsiteFixture, type WebsiteFixture } from './website-fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = new URL('../../../test-output/', import.meta.url).pathname;
const ADDR1 = 'rltc1q2ajprc33kwcqwdpjcyl9d66syha6pmehxn9e3f';
const ADDR2 = 'rltc1qh77sl9pddj3xhp8jrkrze2x9lf9tx5tg9e30q8';
const POOL_ADDR = 'rltc1qelweu73yztyv6xlstznyrwarwvf6gmrljr7lg3';
const XSS = '<img src=x onerror=alert(1)>';

let redis: RedisHandle;
let site: WebsiteFixture;
let browser: Browser;

before(async () => {
  redis = await startRedis();
  site = await startWebsiteFixture(redis, POOL_ADDR);
  await recordShares(site, `${ADDR1}.rig1`, 0.5, 20);
  await recordShares(site, `${ADDR1}.${XSS}`, 0.25, 4);
  await recordShares(site, `${ADDR2}.rigB`, 1, 10);
  await recordBlock(site, 101, 'aa'.repeat(32), ADDR2, `${ADDR2}.rigB`, 5_000_000_000n);
  await site.refresher.refreshOnce();
  // A second pass a step later gives the charts two points.
  await new Promise((r) => setTimeout(r, 1100));
  await site.refresher.refreshOnce();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  mkdirSync(OUTPUT, { recursive: true });
});

after(async () => {
  await browser?.close();
  await site?.stop();
  await redis?.stop();
});

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

async function statValue(page: Page, scope: string, name: string): Promise<string | null> {
  return page.locator(`${scope} [data-stat="${name}"]`).getAttribute('data-value');
}

test('home shows the API figures and a drawn 24 h chart', async () => {
  const { pools } = await api<{ pools: Record<string, unknown>[] }>('/api/v1/pools');
  assert.equal(pools.length, 1);
  const p = pools[0] as { id: string; hashrate: number; miners: number; workers: number; windowSeconds: number; network: { height: number; difficulty: number } };
  // One formula: credited difficulty in the window × 2^32 / multiplier / window.
  const expected = ((20 * 0.5 + 4 * 0.25 + 10 * 1) * 2 ** 32) / SCRYPT_MULTIPLIER / 300;
  assert.ok(Math.abs(p.hashrate - expected) < 1e-6, `${p.hashrate} vs ${expected}`);
  assert.equal(p.miners, 2);
  assert.equal(p.workers, 3);

  const { page, problems } = await open('/');
  const scope = `[data-pool="${p.id}"]`;
  await page.locator(`${scope} [data-chart="hashrate"] canvas`).first().waitFor({ timeout: 5000 });
  assert.equal(Number(await statValue(page, scope, 'hashrate')), p.hashrate);
  assert.equal(await page.locator(`${scope} [data-stat="miners"] .value`).textContent(), '2');
  assert.equal(await page.locator(`${scope} [data-stat="workers"] .value`).textContent(), '3');
  assert.equal(await page.locator(`${scope} [data-stat="networkHeight"] .value`).textContent(), String(p.network.height));
  assert.equal(Number(await statValue(page, scope, 'networkDifficulty')), p.network.difficulty);
  assert.equal(await statValue(page, scope, 'lastBlock'), '101');
  assert.ok(Number(await page.locator(`${scope} [data-chart="hashrate"]`).getAttribute('data-points')) >= 2);
  await page.screenshot({ path: `${OUTPUT}website-home.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('per-address page: figures equal the API, a hostile worker name is shown as text', async () => {
  const { miner } = await api<{ miner: { hashrate: number; roundShares: number; unpaid: string; averageHashrate: number } }>(
    `/api/v1/pools/regtest/miners/${ADDR1}`,
  );
  const { page, problems } = await open(`/miner/${ADDR1}`);
  const scope = '[data-pool="regtest"]';
  await page.locator(`${scope} [data-chart="miner-hashrate"] canvas`).first().waitFor({ timeout: 5000 });
  assert.equal(Number(await statValue(page, scope, 'hashrate')), miner.hashrate);
  assert.equal(Number(await statValue(page, scope, 'roundShares')), miner.roundShares);
  assert.equal(Number(await statValue(page, scope, 'averageHashrate')), miner.averageHashrate);
  assert.equal(await statValue(page, scope, 'unpaid'), miner.unpaid);
  const names = await page.locator(`${scope} tr[data-worker] td:first-child`).allTextContents();
  assert.deepEqual(names.sort(), [`${ADDR1}.${XSS}`, `${ADDR1}.rig1`].sort());
  assert.equal(await page.locator('main img').count(), 0, 'the worker name became an element');
  await page.screenshot({ path: `${OUTPUT}website-miner.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('a new block reaches the open blocks page through the websocket', async () => {
  const { page, problems } = await open('/blocks');
  await page.locator('tr[data-block^="101:"]').waitFor({ timeout: 5000 });
  await page.locator('#live.on').waitFor({ timeout: 5000 });
  const hash = 'bb'.repeat(32);
  await recordBlock(site, 102, hash, ADDR1, `${ADDR1}.rig1`, 5_000_000_000n);
  const started = Date.now();
  await site.refresher.refreshOnce();
  await page.locator(`tr[data-block="102:${hash}"]`).waitFor({ timeout: 5000 });
  assert.ok(Date.now() - started < 5000);
  assert.equal(await page.locator('tr[data-block]').count(), 2);
  assert.deepEqual(problems, []);
  await page.close();
});

test('getting started, payments, API and unknown pages render without console errors', async () => {
  for (const path of ['/getting-started', '/payments', '/api']) {
    const { page, problems } = await open(path);
    await page.waitForLoadState('networkidle');
    assert.deepEqual(problems, [], path);
    if (path === '/getting-started') {
      const port = site.pool.ports[0].port;
      assert.match((await page.locator(`tr[data-port="${port}"]`).textContent()) ?? '', new RegExp(`stratum\\+tcp://127\\.0\\.0\\.1:${port}`));
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
