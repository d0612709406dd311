// Telegram and webhook notifiers against local HTTP servers: answers, 429 retry_after, deadlines, metrics.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { TelegramNotifier } from '../../../src/alerts/telegram.js';
import { WebhookNotifier } from '../../../src/alerts/webhook.js';
import { OutboundError } from '../../../src/alerts/post-json.js';
import type { Alert } from '../../../src/alerts/notifier.js';
import { createOutboundMetrics, type OutboundMetrics } from '../../../src/metrics/outbound.js';
import { TelegramStandIn } from './telegram-stand-in.js';
import { findFreePort } from '../../helpers/ports.js';

const ALERT: Alert = {
  id: 'worker-offline:ltc:Labc.rig1',
  kind: 'worker-offline',
  pool: 'ltc',
  worker: 'Labc.rig1',
  text: 'Worker Labc.rig1 on pool ltc is offline',
  since: 1,
  details: {},
};

async function counterValue(metrics: OutboundMetrics, name: 'requests' | 'retries' | 'failures', labels: Record<string, string>): Promise<number> {
  const values = (await metrics[name].get()).values;
  return values.filter((v) => Object.entries(labels).every(([k, x]) => (v.labels as Record<string, unknown>)[k] === x)).reduce((s, v) => s + v.value, 0);
}

describe('Telegram notifier', () => {
  const api = new TelegramStandIn();
  let metrics: OutboundMetrics;
  let telegram: TelegramNotifier;

  before(() => api.start());
  after(() => api.stop());
  beforeEach(() => {
    api.calls.length = 0;
    api.override = null;
    metrics = createOutboundMetrics(new Registry());
    telegram = new TelegramNotifier({ botToken: '123:SECRET', chatId: '-1001', apiBaseUrl: api.baseUrl, timeoutMs: 400 }, { metrics });
  });

  test('sendMessage on fire returns the message id; deleteMessage with it on resolve', async () => {
    const ref = await telegram.fire(ALERT);
    assert.equal(ref, '100');
    assert.deepEqual(api.calls.map((c) => [c.token, c.method]), [['123:SECRET', 'sendMessage']]);
    assert.equal(api.calls[0].body.chat_id, '-1001');
    assert.match(String(api.calls[0].body.text), /Labc\.rig1 on pool ltc is offline/);
    await telegram.resolve(ALERT, ref);
    assert.deepEqual(api.deleted().map((c) => c.body), [{ chat_id: '-1001', message_id: 100 }]);
    assert.equal(await counterValue(metrics, 'requests', { target: 'telegram' }), 2);
    assert.equal(await counterValue(metrics, 'failures', { target: 'telegram' }), 0);
  });

  test('"message to delete not found" counts as resolved', async () => {
    await telegram.resolve(ALERT, '999');
    assert.equal(api.deleted().length, 1);
    assert.equal(await counterValue(metrics, 'failures', { target: 'telegram', method: 'deleteMessage', reason: 'api' }), 1);
  });

  test('429 is retried after retry_after seconds, and counted as a retry', async () => {
    api.override = (call, i) =>
      i === 0 ? { status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } } } : undefined;
    const ref = await telegram.fire(ALERT);
    assert.match(ref ?? '', /^\d+$/, 'a message id came back');
    assert.equal(api.sent().length, 2);
    const gap = api.calls[1].at - api.calls[0].at;
    assert.ok(gap >= 950, `second attempt ${gap} ms after the 429, expected >= 1000 ms`);
    assert.equal(await counterValue(metrics, 'retries', { target: 'telegram', method: 'sendMessage' }), 1);
  });

  test('other API errors fail at once as certainly undelivered', async () => {
    api.override = () => ({ status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } });
    await assert.rejects(telegram.fire(ALERT), (e: unknown) => e instanceof OutboundError && e.reason === 'api' && !e.maybeDelivered && /blocked/.test(e.message));
    assert.equal(api.sent().length, 1);
  });

  test('a stalled API fails the call at its deadline, as a timeout that may have been delivered', async () => {
    api.override = () => 'stall';
    const started = Date.now();
    await assert.rejects(telegram.fire(ALERT), (e: unknown) => e instanceof OutboundError && e.reason === 'timeout' && e.maybeDelivered);
    const took = Date.now() - started;
    assert.ok(took >= 380 && took < 1500, `failed after ${took} ms, deadline 400 ms`);
    assert.equal(await counterValue(metrics, 'failures', { target: 'telegram', reason: 'timeout' }), 1);
    const hist = (await metrics.duration.get()).values.find((v) => v.metricName?.endsWith('_count') && v.labels.method === 'sendMessage');
    assert.equal(hist?.value, 1);
  });

  test('a refused connection is a network failure that certainly was not delivered', async () => {
    // A free port nobody listens on (fetch refuses some low ports outright, which would test something else).
    const port = await findFreePort();
    const closed = new TelegramNotifier({ botToken: 't', chatId: '1', apiBaseUrl: `http://127.0.0.1:${port}`, timeoutMs: 400 }, { metrics });
    await assert.rejects(closed.fire(ALERT), (e: unknown) => e instanceof OutboundError && e.reason === 'network' && !e.maybeDelivered);
  });
});

describe('webhook notifier', () => {
  let server: Server;
  const bodies: unknown[] = [];
  let status = 200;

  before(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        bodies.push(JSON.parse(raw));
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('posts firing and resolved JSON; a non-2xx answer is an http failure', async () => {
    const metrics = createOutboundMetrics(new Registry());
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const hook = new WebhookNotifier('webhook:0', { url, timeoutMs: 1000 }, { metrics });
    assert.equal(await hook.fire(ALERT), null);
    await hook.resolve(ALERT);
    assert.deepEqual((bodies[0] as { status: string; alert: Alert }).status, 'firing');
    assert.deepEqual((bodies[0] as { alert: Alert }).alert, ALERT);
    assert.equal((bodies[1] as { status: string }).status, 'resolved');
    status = 500;
    await assert.rejects(hook.fire(ALERT), (e: unknown) => e instanceof OutboundError && e.reason === 'http' && e.status === 500);
    assert.equal(await counterValue(metrics, 'failures', { target: 'webhook', reason: 'http' }), 1);
    assert.equal(await counterValue(metrics, 'requests', { target: 'webhook' }), 3);
  });
});
