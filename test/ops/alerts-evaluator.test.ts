// The alert evaluator on a real Redis, with shares recorded by the product's own record-share script and a local
// stand-in for the Telegram API. Time is injected (evaluations at chosen instants), so thresholds cost no waiting.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { AlertStore } from '../../src/alerts/alert-store.js';
import { AlertEvaluator } from '../../src/alerts/evaluator.js';
import { buildNotifiers } from '../../src/alerts/start-alerts.js';
import type { AlertsConfig } from '../../src/config/types.js';
import { createLogger } from '../../src/log/logger.js';
import { HASHRATE_BUCKET_MS, PoolKeys, WORK_SCALE } from '../../src/redis/keys.js';
import { RedisScripts } from '../../src/redis/script-loader.js';
import { ShareStore } from '../../src/redis/share-store.js';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { TelegramStandIn } from '../unit/alerts/telegram-stand-in.js';

const PREFIX = 'hf-alerts:';
const POOL = 'ltc';
const ADDRESS = 'rltc1qexampleaddress';
const T0 = 1_800_000_000_000;
const logger = createLogger({ level: (process.env.HEADFRAME_TEST_LOG as 'debug' | undefined) ?? 'error', context: { role: 'test' } });

describe('alert evaluator on Redis with a Telegram stand-in', { timeout: 60_000 }, () => {
  let redis: RedisHandle;
  const clients: Redis[] = [];
  const api = new TelegramStandIn();
  let shares: ShareStore;
  let seq = 0;
  let config: AlertsConfig;

  function client(): Redis {
    const c = new Redis({ host: '127.0.0.1', port: redis.port, commandTimeout: 2000, maxRetriesPerRequest: 1 });
    clients.push(c);
    return c;
  }

  function evaluator(at: { now: number }): AlertEvaluator {
    return new AlertEvaluator({
      store: new AlertStore(client(), PREFIX),
      config,
      pools: [POOL],
      multiplierOf: () => 65536,
      notifiers: buildNotifiers(config),
      logger,
      now: () => at.now,
    });
  }

  async function share(worker: string, time: number): Promise<void> {
    await shares.apply({ kind: 'share', address: ADDRESS, worker: `${ADDRESS}.${worker}`, units: '10000', time }, ++seq);
  }

  const sentFor = (worker: string) => api.sent().filter((c) => String(c.body.text).includes(`.${worker} `));

  before(async () => {
    redis = await startRedis();
    await api.start();
    config = {
      enabled: true,
      evaluateInterval: 1,
      workerOfflineAfter: 10,
      workerForgetAfter: 3600,
      minPoolHashrate: 0,
      telegram: { botToken: '42:TEST', chatId: '-100', apiBaseUrl: api.baseUrl, timeoutMs: 500 },
      webhooks: [],
    };
    shares = new ShareStore({ scripts: new RedisScripts(client()), keys: new PoolKeys(PREFIX, POOL), writerId: 'test' });
  });

  after(async () => {
    for (const c of clients) c.disconnect();
    await api.stop();
    await redis?.stop();
  });

  test('one sendMessage per offline worker after the threshold, the matching deleteMessage when it resumes, nothing twice across a restart', async () => {
    const clock = { now: T0 };
    await share('rig1', T0);
    await share('rig2', T0);
    let first = evaluator(clock);

    clock.now = T0 + 9_999;
    assert.equal(await first.runOnce(), true);
    assert.equal(api.calls.length, 0, 'nothing before the threshold');

    clock.now = T0 + 10_000;
    await first.runOnce();
    clock.now = T0 + 12_000;
    await first.runOnce();
    assert.equal(sentFor('rig1').length, 1);
    assert.equal(sentFor('rig2').length, 1);
    assert.equal(api.calls.length, 2);

    // A second evaluator (another instance) does nothing while the first holds the lock.
    const rival = evaluator(clock);
    assert.equal(await rival.runOnce(), false);

    // Restart while both alerts are firing: the old evaluator goes away, a new one with a new connection takes over.
    await first.stop();
    first = evaluator(clock);
    clock.now = T0 + 20_000;
    assert.equal(await first.runOnce(), true);
    assert.equal(api.calls.length, 2, 'a restarted evaluator sends nothing again');

    // rig1 resumes: its message (id from the stored state) is deleted; rig2 stays firing.
    await share('rig1', T0 + 21_000);
    clock.now = T0 + 22_000;
    await first.runOnce();
    assert.deepEqual(api.deleted().map((c) => c.body.message_id), [sentFor('rig1')[0].messageId]);
    await first.runOnce();
    assert.equal(api.calls.length, 3, 'resolved once, nothing more');

    await first.stop();
    await rival.stop();
  });

  test('a stalled Telegram call fails at its deadline without holding up another worker; it is not resent', async () => {
    api.calls.length = 0;
    const clock = { now: T0 + 100_000 };
    await share('slow', clock.now);
    await share('fast', clock.now);
    api.override = (call) => (String(call.body.text).includes('.slow ') ? 'stall' : undefined);
    const ev = evaluator(clock);
    clock.now += 10_000;
    const started = Date.now();
    await ev.runOnce();
    const took = Date.now() - started;
    assert.ok(took >= 450 && took < 2000, `evaluation took ${took} ms with a 500 ms deadline`);
    assert.equal(sentFor('fast').length, 1);
    assert.equal(sentFor('slow').length, 1);
    const fastAnsweredWithin = sentFor('fast')[0].at - started;
    assert.ok(fastAnsweredWithin < 400, `fast worker's alert went out ${fastAnsweredWithin} ms into the evaluation`);
    const states = await client().hgetall(`${PREFIX}{${POOL}}:alerts:workers`);
    const fast = JSON.parse(states[`${ADDRESS}.fast`]) as { deliveries: Record<string, { status: string; ref: string | null }> };
    const slow = JSON.parse(states[`${ADDRESS}.slow`]) as { deliveries: Record<string, { status: string }> };
    assert.equal(fast.deliveries.telegram.status, 'sent');
    assert.match(fast.deliveries.telegram.ref ?? '', /^\d+$/);
    assert.equal(slow.deliveries.telegram.status, 'unknown', 'a timed-out send may have arrived');

    api.override = null;
    clock.now += 5_000;
    await ev.runOnce();
    assert.equal(sentFor('slow').length, 1, 'a send that may have arrived is not repeated');
    await ev.stop();
  });

  test('a worker past workerForgetAfter is dropped without a message', async () => {
    api.calls.length = 0;
    const clock = { now: T0 + 200_000 };
    await share('gone', clock.now);
    const ev = evaluator(clock);
    clock.now += 11_000;
    await ev.runOnce();
    assert.equal(sentFor('gone').length, 1);
    clock.now += 3_600_000;
    await ev.runOnce();
    const states = await client().hgetall(`${PREFIX}{${POOL}}:alerts:workers`);
    assert.equal(states[`${ADDRESS}.gone`], undefined);
    assert.equal(api.deleted().length, 0);
    await ev.stop();
  });

  test('the pool hashrate of the last 5 minutes (the share recorder\'s buckets, no website needed) below minPoolHashrate fires once and resolves', async () => {
    api.calls.length = 0;
    // At a bucket boundary the window read is nine whole 30-second buckets: 270 s.
    const clock = { now: Math.ceil((T0 + 10_000_000) / HASHRATE_BUCKET_MS) * HASHRATE_BUCKET_MS };
    const ev = new AlertEvaluator({
      store: new AlertStore(client(), PREFIX),
      config: { ...config, minPoolHashrate: 1e6 },
      pools: [POOL],
      multiplierOf: () => 65536,
      notifiers: buildNotifiers(config),
      logger,
      now: () => clock.now,
    });
    /** A share whose work makes `hashrate` over the 270 s window at scrypt's multiplier. */
    const shareWorth = (worker: string, hashrate: number, time: number) =>
      shares.apply({ kind: 'share', address: ADDRESS, worker: `${ADDRESS}.${worker}`, units: String(Math.round(((hashrate * 270 * 65536) / 2 ** 32) * WORK_SCALE)), time }, ++seq);
    const aboutPool = () => api.sent().filter((c) => String(c.body.text).includes(`Pool ${POOL} hashrate`));
    await shareWorth('rig-a', 2e6, clock.now - 60_000);
    await ev.runOnce();
    assert.equal(aboutPool().length, 0);
    // Five minutes on, the window holds only a smaller share.
    clock.now += 300_000;
    await shareWorth('rig-b', 3.5e5, clock.now - 1_000);
    await ev.runOnce();
    await ev.runOnce();
    assert.equal(aboutPool().length, 1);
    assert.match(String(aboutPool()[0].body.text), /350\.0 kH\/s, below the 1\.00 MH\/s minimum/);
    await shareWorth('rig-b', 5e6, clock.now - 500);
    await ev.runOnce();
    assert.ok(api.deleted().some((c) => c.body.message_id === aboutPool()[0].messageId), 'the pool alert is resolved');
    assert.equal(aboutPool().length, 1, 'fired once');
    await ev.stop();
  });

  test('a whole farm going offline is told a few messages at a time, not thousands at once', async () => {
    api.calls.length = 0;
    api.maxInFlight = 0;
    api.delayMs = 20;
    const clock = { now: T0 + 20_000_000 };
    const farm = Array.from({ length: 40 }, (_, i) => `farm${i}`);
    for (const rig of farm) await share(rig, clock.now);
    const ev = evaluator(clock);
    try {
      clock.now += 10_000;
      await ev.runOnce();
      assert.equal(farm.filter((rig) => sentFor(rig).length === 1).length, farm.length, 'every rig got its message');
      assert.ok(api.maxInFlight > 1 && api.maxInFlight <= 8, `at most 8 calls at once, saw ${api.maxInFlight}`);
    } finally {
      api.delayMs = 0;
      await ev.stop();
    }
  });

  test('an alert still firing when minPoolHashrate is set to 0 is taken back', async () => {
    api.calls.length = 0;
    const clock = { now: Math.ceil((T0 + 30_000_000) / HASHRATE_BUCKET_MS) * HASHRATE_BUCKET_MS };
    const withMinimum = (minPoolHashrate: number) =>
      new AlertEvaluator({
        store: new AlertStore(client(), PREFIX),
        config: { ...config, minPoolHashrate },
        pools: [POOL],
        multiplierOf: () => 65536,
        notifiers: buildNotifiers(config),
        logger,
        now: () => clock.now,
      });
    const low = withMinimum(1e15);
    await low.runOnce();
    await low.stop();
    const fired = api.sent().filter((c) => String(c.body.text).includes(`Pool ${POOL} hashrate`));
    assert.equal(fired.length, 1);
    const off = withMinimum(0);
    clock.now += 1_000;
    await off.runOnce();
    await off.stop();
    assert.deepEqual(api.deleted().map((c) => c.body.message_id), [fired[0].messageId]);
  });

  test('a run longer than the lock renews it: another instance does not evaluate (and alert) the same workers meanwhile', async () => {
    api.calls.length = 0;
    api.delayMs = 60;
    const clock = { now: T0 + 40_000_000 };
    const farm = Array.from({ length: 48 }, (_, i) => `herd${i}`);
    for (const rig of farm) await share(rig, clock.now);
    clock.now += 10_000;
    const withTtl = (lockTtlMs: number) =>
      new AlertEvaluator({ store: new AlertStore(client(), PREFIX), config, pools: [POOL], multiplierOf: () => 65536, notifiers: buildNotifiers(config), logger, now: () => clock.now, lockTtlMs });
    const first = withTtl(300);
    const rival = withTtl(300);
    try {
      // Six rounds of eight calls of 60 ms: about 360 ms, past the 300 ms lock.
      const running = first.runOnce();
      await new Promise((resolve) => setTimeout(resolve, 330));
      assert.equal(await rival.runOnce(), false, 'the lock is still held: it was renewed during the run');
      assert.equal(await running, true);
      assert.equal(farm.filter((rig) => sentFor(rig).length === 1).length, farm.length, 'one message per rig, none twice');
    } finally {
      api.delayMs = 0;
      await first.stop();
      await rival.stop();
    }
  });
});
