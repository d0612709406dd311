// The pages' live behaviour in headless Chromium, over the website on a real redis-server (no pool needed): a
// miner page left open redraws its chart on every refresh and must destroy the plots it replaces, and the live
// connection reconnects with growing, jittered pauses that only start over after a connection that lasted.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { base58CheckEncode } from '../../src/blockchain/bitcoin/base58.js';
import { hashrateBucketOf, WORK_SCALE } from '../../src/redis/keys.js';
import { waitFor } from '../helpers/processes.js';
import { useRedis } from '../helpers/redis-suite.js';
import { startWebsiteFixture, type WebsiteFixture } from './website-fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const POOL_ADDRESS = 'rltc1qelweu73yztyv6xlstznyrwarwvf6gmrljr7lg3';

/** A valid regtest P2PKH address (version 111). */
function minerAddress(): string {
  const payload = Buffer.alloc(21);
  payload[0] = 111;
  payload.writeUInt32BE(7, 17);
  return base58CheckEncode(payload);
}

// Runs in the page before its scripts: every uPlot built is counted, and so is every destroy() called on one.
const COUNT_PLOTS = `(() => {
  const stats = { created: 0, destroyed: 0 };
  window.__plots = stats;
  let real;
  Object.defineProperty(window, 'uPlot', {
    configurable: true,
    get() { return real; },
    set(value) {
      real = new Proxy(value, {
        construct(target, args, newTarget) {
          const plot = Reflect.construct(target, args, newTarget);
          stats.created += 1;
          const destroy = plot.destroy;
          let gone = false;
          plot.destroy = function (...rest) {
            if (!gone) { gone = true; stats.destroyed += 1; }
            return destroy.apply(this, rest);
          };
          return plot;
        },
      });
    },
  });
})();`;

// Runs in the page before its scripts: /ws is a fake the test opens and drops at will; each one notes when it was
// made and when it was dropped, on the page's (fake) clock.
const FAKE_SOCKETS = `(() => {
  const sockets = [];
  window.__sockets = sockets;
  class FakeSocket {
    constructor(url) { this.url = url; this.createdAt = Date.now(); this.droppedAt = null; sockets.push(this); }
    send() {}
    close() {}
    open() { this.onopen && this.onopen({}); }
    drop() { this.droppedAt = Date.now(); this.onclose && this.onclose({}); }
  }
  window.WebSocket = FakeSocket;
})();`;

describe('website live updates in the browser', { timeout: 60_000 }, () => {
  let site: WebsiteFixture;
  let browser: Browser;
  const pages: Page[] = [];
  after(async () => {
    for (const p of pages) await p.close().catch(() => undefined);
    await browser?.close();
    await site?.stop();
  });
  const redis = useRedis();

  before(async () => {
    site = await startWebsiteFixture(redis.server, POOL_ADDRESS);
    const address = minerAddress();
    const now = Date.now();
    const k = site.keys;
    await site.redis.hset(k.worker(`${address}.rig`), 'address', address, 'valid', '1', 'lastShare', String(now));
    await site.redis.zadd(k.workers, now, `${address}.rig`);
    await site.redis.hincrby(k.hashrateBucket(hashrateBucketOf(now)), `${address}.rig`, 2 * WORK_SCALE);
    await site.refresher.refreshOnce();
    site.refresher.start();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  async function newPage(): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage();
    pages.push(page);
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    return { page, problems };
  }

  test('a miner page left open keeps one live plot per chart however many refreshes it redraws', async () => {
    const { page, problems } = await newPage();
    await page.addInitScript(COUNT_PLOTS);
    await page.goto(`${site.baseUrl}/miner/${minerAddress()}`);
    await page.locator('[data-chart="miner-hashrate"] .uplot').first().waitFor({ timeout: 10_000 });
    const counts = () => page.evaluate('({ ...window.__plots })') as Promise<{ created: number; destroyed: number }>;
    // The refresher publishes every 500 ms and the page reloads its figures (and chart) on each.
    await waitFor(async () => (await counts()).created >= 6, { timeoutMs: 20_000, intervalMs: 100, what: 'six chart draws from live refreshes' });
    // Between loads: a load replaces the cards, then draws.
    const settled = await waitFor(
      async () => {
        const c = await counts();
        const roots = (await page.evaluate('document.querySelectorAll(".uplot").length')) as number;
        return roots === 1 && c.created - c.destroyed <= 1 ? { ...c, roots } : false;
      },
      { timeoutMs: 5000, intervalMs: 20, what: 'one plot alive' },
    ).catch(async (err: Error) => {
      const c = await counts();
      throw new Error(`${err.message}: ${c.created} plots created, ${c.destroyed} destroyed`);
    });
    assert.equal(settled.roots, 1, 'one chart in the page');
    assert.equal(settled.created - settled.destroyed, 1, `${settled.created} created, ${settled.destroyed} destroyed`);
    assert.deepEqual(problems, []);
  });

  test('the live connection backs off with jitter while it keeps being dropped, and starts over after a lasting one', async () => {
    const { page, problems } = await newPage();
    await page.clock.install();
    await page.addInitScript(FAKE_SOCKETS);
    await page.goto(`${site.baseUrl}/blocks`);
    const count = () => page.evaluate('window.__sockets.length') as Promise<number>;
    await waitFor(async () => (await count()) === 1, { timeoutMs: 5000, what: 'the first live connection' });

    /** Opens the newest socket, keeps it up `upMs`, drops it, and returns the pause before the page made the next. */
    async function cycle(upMs: number): Promise<number> {
      const n = await count();
      await page.evaluate(`window.__sockets[${n - 1}].open()`);
      if (upMs > 0) await page.clock.runFor(upMs);
      await page.evaluate(`window.__sockets[${n - 1}].drop()`);
      // Past the longest pause (30 s) on the page's clock: the reconnect timer has fired by then.
      await page.clock.runFor(31_000);
      assert.equal(await count(), n + 1, 'one new connection after the drop');
      return (await page.evaluate(`window.__sockets[${n}].createdAt - window.__sockets[${n - 1}].droppedAt`)) as number;
    }

    // Each connection is dropped as soon as it opens (what a server does to a page it finds too slow).
    const pauses: number[] = [];
    for (let i = 0; i < 6; i++) pauses.push(await cycle(0));
    const bases = [1000, 2000, 4000, 8000, 16000, 30000];
    pauses.forEach((pause, i) => {
      assert.ok(pause >= bases[i] / 2 && pause <= bases[i], `pause ${i + 1} was ${pause} ms, want ${bases[i] / 2}-${bases[i]}: ${pauses.join(', ')}`);
    });
    assert.ok(
      pauses.some((pause, i) => pause !== bases[i] && pause !== bases[i] / 2),
      `no random spread in ${pauses.join(', ')}`,
    );

    // A connection that lasted 31 s was a good one: the next drop starts the pauses over.
    const afterLasting = await cycle(31_000);
    assert.ok(afterLasting >= 500 && afterLasting <= 1000, `pause after a lasting connection was ${afterLasting} ms`);
    assert.deepEqual(problems, []);
  });
});
