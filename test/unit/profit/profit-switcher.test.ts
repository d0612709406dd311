// The switcher's loop with its Redis answering through a fake: a round that fails (Redis not connected yet after a
// restart) is tried again soon, not a whole updateInterval later, and the pause grows while failures go on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProfitSwitchConfig } from '../../../src/config/types.js';
import { createLogger } from '../../../src/log/logger.js';
import { PriceCache, type PriceCacheRedis } from '../../../src/profit/price-cache.js';
import { ProfitSwitcher } from '../../../src/profit/profit-switcher.js';
import { ProfitKeys } from '../../../src/redis/keys.js';
import { waitFor } from '../../helpers/processes.js';

const logger = createLogger({ level: 'error', context: { role: 'test-profit-switcher' } });
logger.silent = true;

const config: ProfitSwitchConfig = {
  enabled: true,
  updateInterval: 600,
  marginPercent: 10,
  holdTime: 0,
  requestTimeoutMs: 1000,
  retries: 0,
  priceSources: [{ name: 'src', url: 'http://prices.invalid/', prices: { a: 'a', b: 'b' } }],
  switches: [{ name: 'sw', coins: ['a', 'b'], ports: [] }],
};

/** An in-memory Redis whose first `failures` commands fail the way ioredis does before it is connected. */
function fakeRedis(failures: number): PriceCacheRedis & { calls: number[] } {
  const data = new Map<string, string>();
  const calls: number[] = [];
  let left = failures;
  const gate = (): void => {
    calls.push(Date.now());
    if (left > 0) {
      left -= 1;
      throw new Error("Stream isn't writeable and enableOfflineQueue options is false");
    }
  };
  return {
    calls,
    get: async (key: string) => {
      gate();
      return data.get(key) ?? null;
    },
    set: (async (key: string, value: string, ...args: unknown[]) => {
      gate();
      if (args.includes('NX') && data.has(key)) return null;
      data.set(key, value);
      return 'OK';
    }) as PriceCacheRedis['set'],
    eval: async () => {
      gate();
      return 1;
    },
  };
}

function switcherOn(redis: PriceCacheRedis, sent: { coin: string; at: number }[], retryDelayMs?: number): ProfitSwitcher {
  return new ProfitSwitcher({
    config,
    cache: new PriceCache(redis, new ProfitKeys('t:')),
    network: async () => ({ reward: 100n, target: 1000n }),
    send: (_name, coin) => sent.push({ coin, at: Date.now() }),
    logger,
    // b is worth twice a at the same reward and difficulty: the first round that gets through moves to it.
    fetch: (async () => new Response(JSON.stringify({ a: 1, b: 2 }))) as typeof fetch,
    retryDelayMs,
  });
}

test('a round that fails because Redis is not connected yet is retried within moments, not after updateInterval', async () => {
  const redis = fakeRedis(1);
  const sent: { coin: string; at: number }[] = [];
  const switcher = switcherOn(redis, sent, 50);
  const started = Date.now();
  switcher.start();
  try {
    await waitFor(() => sent.length > 0, { timeoutMs: 3000, intervalMs: 10, what: 'a coinswitch after the failed first round' });
    assert.equal(sent[0].coin, 'b');
    assert.ok(sent[0].at - started < 2000, `decided ${sent[0].at - started} ms after start`);
  } finally {
    await switcher.stop();
  }
});

test('the retry pause doubles while rounds keep failing', async () => {
  // Each failed round stops at its first command (the lock), so every call here starts a round.
  const redis = fakeRedis(4);
  const sent: { coin: string; at: number }[] = [];
  const switcher = switcherOn(redis, sent, 40);
  switcher.start();
  try {
    await waitFor(() => sent.length > 0, { timeoutMs: 5000, intervalMs: 10, what: 'a coinswitch after four failed rounds' });
  } finally {
    await switcher.stop();
  }
  const gaps = redis.calls.slice(1, 5).map((at, i) => at - redis.calls[i]);
  // Timers never fire early by more than a millisecond of rounding.
  gaps.forEach((gap, i) => assert.ok(gap >= 40 * 2 ** i - 2, `pause ${i + 1} was ${gap} ms, want at least ${40 * 2 ** i}: ${gaps.join(', ')}`));
  assert.ok(gaps[3] < 2000, `the fourth pause (${gaps[3]} ms) is still far below updateInterval`);
  assert.equal(sent[0].coin, 'b');
});

test('a failed round returns false and a good one true', async () => {
  const sent: { coin: string; at: number }[] = [];
  const switcher = switcherOn(fakeRedis(1), sent);
  assert.equal(await switcher.round(), false);
  assert.equal(sent.length, 0);
  assert.equal(await switcher.round(), true);
  assert.deepEqual(sent.map((s) => s.coin), ['b']);
});

test('a switch state that cannot be read fails the round instead of starting over on the first coin and saving that', async () => {
  const redis = fakeRedis(0);
  const keys = new ProfitKeys('t:');
  const cache = new PriceCache(redis, keys);
  // The miners are on b (saved by an earlier switcher); a is now worth twice as much.
  await cache.writeState('sw', { coin: 'b', since: Date.now() - 3_600_000, leader: null }, 3600);
  let failStateRead = true;
  const get = redis.get;
  redis.get = async (key: string) => {
    if (key === keys.switchState('sw') && failStateRead) {
      failStateRead = false;
      throw new Error('Connection is closed.');
    }
    return get(key);
  };
  const sent: string[] = [];
  const switcher = new ProfitSwitcher({
    config,
    cache,
    network: async () => ({ reward: 100n, target: 1000n }),
    send: (_name, coin) => sent.push(coin),
    logger,
    fetch: (async () => new Response(JSON.stringify({ a: 2, b: 1 }))) as typeof fetch,
  });
  assert.equal(await switcher.round(), false);
  assert.equal(((await cache.readState('sw')) as { coin: string }).coin, 'b', 'the saved state is untouched');
  assert.equal(await switcher.round(), true);
  assert.deepEqual(sent, ['a'], 'restored on b, the switch moves the miners to a');
});
