// Pure profit-switch parts: prices from JSON, exact scores, and when a switch happens.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { extractPrices, fetchPrices, normalizePrice, readPath } from '../../../src/profit/price-source.js';
import { beatsByMargin, leadPercent, profitScore, scalePrice } from '../../../src/profit/profitability.js';
import { decideSwitch, type SwitchState } from '../../../src/profit/switch-decision.js';

describe('price sources', () => {
  test('normalizePrice keeps plain positive decimals and refuses everything else', () => {
    assert.equal(normalizePrice(84.12), '84.12');
    assert.equal(normalizePrice(1e-7), '0.0000001');
    assert.equal(normalizePrice(1.23e-7), '0.000000123');
    assert.equal(normalizePrice(1e21), null, 'beyond 15 integer digits');
    assert.equal(normalizePrice(' 0.5 '), '0.5');
    for (const bad of [0, -1, Number.NaN, Infinity, '1e5', '-2', 'abc', '0.000', null, {}, '1.2.3']) {
      assert.equal(normalizePrice(bad), null, JSON.stringify(bad));
    }
  });

  test('normalizePrice cuts a price with more than 18 fraction digits to 18, exactly, instead of refusing it', () => {
    // A full-precision double as JSON.parse gives it: 21 fraction digits.
    const parsed = JSON.parse('{"p": 0.000012345678901234567}').p as number;
    assert.equal(normalizePrice(parsed), '0.000012345678901234');
    assert.equal(normalizePrice('0.000012345678901234567'), '0.000012345678901234');
    assert.equal(normalizePrice('71.1234567890123456789'), '71.123456789012345678', 'cut, not rounded through a float');
    assert.equal(normalizePrice('1.999999999999999999999'), '1.999999999999999999');
    assert.equal(normalizePrice(' 2.50 '), '2.50', 'at most 18 digits: unchanged');
    assert.equal(normalizePrice('0.0000000000000000001'), null, 'nothing left above 1e-18');
    assert.equal(normalizePrice(1e-19), null);
    assert.equal(normalizePrice('1.'), null);
    assert.equal(scalePrice(normalizePrice(parsed) as string), 12_345_678_901_234n);
  });

  test('readPath follows objects and arrays and never walks the prototype', () => {
    const body = { data: [{ ltc: { usd: 70 } }] };
    assert.equal(readPath(body, 'data.0.ltc.usd'), 70);
    assert.equal(readPath(body, 'data.1.ltc'), undefined);
    assert.equal(readPath(body, 'constructor'), undefined);
  });

  test('extractPrices reports coins without a usable price', () => {
    const source = { name: 's', url: 'http://x', prices: { litecoin: 'a.usd', other: 'b.usd', third: 'c' } };
    const { prices, missing } = extractPrices(source, { a: { usd: '71.5' }, b: { usd: 'n/a' } });
    assert.deepEqual([...prices], [['litecoin', '71.5']]);
    assert.deepEqual(missing, ['other', 'third']);
  });

  test('fetchPrices retries a bounded number of times and reports the last error', async () => {
    let calls = 0;
    const failing = (async () => {
      calls++;
      return new Response('oops', { status: 503 });
    }) as typeof fetch;
    let retries = 0;
    const result = await fetchPrices(
      { name: 's', url: 'http://x', prices: { a: 'a' } },
      { timeoutMs: 100, retries: 2, retryDelayMs: 1, fetch: failing, onRetry: () => retries++ },
    );
    assert.deepEqual(result, { ok: false, error: 'HTTP 503', attempts: 3 });
    assert.equal(calls, 3);
    assert.equal(retries, 2, 'each repeated attempt is reported (the outbound retry metric)');
  });

  test('fetchPrices gives up on a hanging source at the deadline', async () => {
    const hanging = ((_url: string, init: RequestInit) =>
      new Promise((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason)))) as unknown as typeof fetch;
    // AbortSignal.timeout's timer does not keep the process alive; a real socket would.
    const keepAlive = setTimeout(() => undefined, 5000);
    const started = Date.now();
    const result = await fetchPrices({ name: 's', url: 'http://x', prices: { a: 'a' } }, { timeoutMs: 80, retries: 1, retryDelayMs: 1, fetch: hanging });
    assert.equal(result.ok, false);
    assert.match((result as { error: string }).error, /no answer within 80 ms/);
    assert.ok(Date.now() - started < 1000);
    clearTimeout(keepAlive);
  });

  test('fetchPrices leaves nothing on the long-lived signal it is given, however many attempts it makes', async () => {
    const lifetime = new AbortController();
    const failing = (async () => new Response('oops', { status: 503 })) as typeof fetch;
    const source = { name: 's', url: 'http://x', prices: { a: 'a' } };
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      // A source that stays down: many rounds of several attempts each, all on the switcher's one signal.
      for (let round = 0; round < 8; round++) {
        const result = await fetchPrices(source, { timeoutMs: 1000, retries: 3, retryDelayMs: 1, fetch: failing, signal: lifetime.signal });
        assert.equal(result.ok, false);
        assert.equal(getEventListeners(lifetime.signal, 'abort').length, 0, `abort listeners left after round ${round + 1}`);
      }
      // Where Node keeps the signals AbortSignal.any() derives from this one (an internal; checked when present).
      const dependants = Object.getOwnPropertySymbols(lifetime.signal).find((k) => k.description === 'kDependantSignals');
      if (dependants) {
        const set = (lifetime.signal as unknown as Record<symbol, Set<unknown> | undefined>)[dependants];
        assert.equal(set?.size ?? 0, 0, 'per-attempt signals registered on the long-lived one');
      }
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(warnings.filter((w) => w.name === 'MaxListenersExceededWarning'), []);
    } finally {
      process.off('warning', onWarning);
    }
  });

  test('aborting the long-lived signal ends a hanging request and the pause before a retry at once', async () => {
    const lifetime = new AbortController();
    const hanging = ((_url: string, init: RequestInit) =>
      new Promise((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason)))) as unknown as typeof fetch;
    setTimeout(() => lifetime.abort(), 50);
    const started = Date.now();
    const result = await fetchPrices(
      { name: 's', url: 'http://x', prices: { a: 'a' } },
      { timeoutMs: 10_000, retries: 2, retryDelayMs: 10_000, fetch: hanging, signal: lifetime.signal },
    );
    assert.equal(result.ok, false);
    assert.equal(result.attempts, 1);
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    assert.equal(getEventListeners(lifetime.signal, 'abort').length, 0);
  });
});

describe('profitability', () => {
  test('scores rank by reward x price / difficulty exactly', () => {
    assert.equal(scalePrice('1.5'), 1_500_000_000_000_000_000n);
    const a = profitScore({ reward: 5_000_000_000n, target: 1000n, price: '2' });
    const b = profitScore({ reward: 5_000_000_000n, target: 2000n, price: '1' }); // half the price, half the difficulty
    assert.equal(a, b);
    const c = profitScore({ reward: 5_000_000_000n, target: 2000n, price: '1.000000000000000001' });
    assert.ok(c > a, 'an 18th-decimal difference still counts');
  });

  test('margin is strict and has basis-point resolution', () => {
    assert.equal(beatsByMargin(105n, 100n, 5), false);
    assert.equal(beatsByMargin(106n, 100n, 5), true);
    assert.equal(beatsByMargin(10_051n, 10_000n, 0.5), true);
    assert.equal(beatsByMargin(10_050n, 10_000n, 0.5), false);
    assert.equal(beatsByMargin(101n, 100n, 0), true);
    assert.equal(leadPercent(150n, 100n), '50.00');
    assert.equal(leadPercent(90n, 100n), '-10.00');
    assert.equal(leadPercent(1n, 0n), null);
  });
});

describe('switch decisions', () => {
  const start: SwitchState = { coin: 'a', since: 0, leader: null };
  const scores = (a: bigint | null, b: bigint | null) => new Map([['a', a], ['b', b]]);

  test('a coin must beat the current one by the margin for the whole hold time', () => {
    let d = decideSwitch({ state: start, scores: scores(100n, 120n), marginPercent: 10, holdTimeMs: 1000, now: 10 });
    assert.equal(d.switchTo, null);
    assert.deepEqual(d.state.leader, { coin: 'b', since: 10 });
    d = decideSwitch({ state: d.state, scores: scores(100n, 120n), marginPercent: 10, holdTimeMs: 1000, now: 1009 });
    assert.equal(d.switchTo, null, 'one millisecond short');
    d = decideSwitch({ state: d.state, scores: scores(100n, 120n), marginPercent: 10, holdTimeMs: 1000, now: 1010 });
    assert.equal(d.switchTo, 'b');
    assert.deepEqual(d.state, { coin: 'b', since: 1010, leader: null });
  });

  test('dropping under the margin resets the hold', () => {
    let d = decideSwitch({ state: start, scores: scores(100n, 120n), marginPercent: 10, holdTimeMs: 1000, now: 0 });
    d = decideSwitch({ state: d.state, scores: scores(100n, 105n), marginPercent: 10, holdTimeMs: 1000, now: 500 });
    assert.equal(d.state.leader, null);
    d = decideSwitch({ state: d.state, scores: scores(100n, 120n), marginPercent: 10, holdTimeMs: 1000, now: 1200 });
    assert.equal(d.switchTo, null, 'the hold starts again at 1200');
    assert.deepEqual(d.state.leader, { coin: 'b', since: 1200 });
  });

  test('no switch without a score for the current coin; unpriced challengers are ignored', () => {
    assert.equal(decideSwitch({ state: start, scores: scores(null, 500n), marginPercent: 0, holdTimeMs: 0, now: 1 }).switchTo, null);
    assert.equal(decideSwitch({ state: start, scores: scores(100n, null), marginPercent: 0, holdTimeMs: 0, now: 1 }).switchTo, null);
    assert.equal(decideSwitch({ state: start, scores: scores(100n, 101n), marginPercent: 0, holdTimeMs: 0, now: 1 }).switchTo, 'b');
  });
});
