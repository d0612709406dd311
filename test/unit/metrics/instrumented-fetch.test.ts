import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { createOutboundMetrics } from '../../../src/metrics/outbound.js';
import { daemonRequestRecorder, instrumentedFetch, rpcRequestRecorder } from '../../../src/metrics/instrumented-fetch.js';
import { DaemonError } from '../../../src/daemon/errors.js';

async function count(metric: { get(): Promise<{ values: { labels: Record<string, unknown>; value: number; metricName?: string }[] }> }, labels: Record<string, string>): Promise<number> {
  const values = (await metric.get()).values.filter((v) => !v.metricName || v.metricName.endsWith('_count'));
  return values.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((s, v) => s + v.value, 0);
}

test('instrumented fetch labels calls by source name, and counts HTTP errors, timeouts and network failures', async () => {
  const registry = new Registry();
  const metrics = createOutboundMetrics(registry);
  const answers: (Response | Error)[] = [new Response('{}', { status: 200 }), new Response('no', { status: 503 }), new DOMException('timed out', 'TimeoutError'), new TypeError('fetch failed')];
  const fake: typeof fetch = async () => {
    const next = answers.shift()!;
    if (next instanceof Error) throw next;
    return next;
  };
  const names = new Map([['https://prices.example/api?key=SECRET', 'example']]);
  const f = instrumentedFetch(metrics, (url) => `price:${names.get(url) ?? 'unknown'}`, fake);
  const url = 'https://prices.example/api?key=SECRET';
  assert.equal((await f(url)).status, 200);
  assert.equal((await f(url)).status, 503);
  await assert.rejects(f(url), { name: 'TimeoutError' });
  await assert.rejects(f(url), TypeError);
  assert.equal(await count(metrics.requests, { target: 'price:example', method: 'GET' }), 4);
  assert.equal(await count(metrics.failures, { target: 'price:example', reason: 'http' }), 1);
  assert.equal(await count(metrics.failures, { target: 'price:example', reason: 'timeout' }), 1);
  assert.equal(await count(metrics.failures, { target: 'price:example', reason: 'network' }), 1);
  assert.equal(await count(metrics.duration, { target: 'price:example' }), 4);
  assert.ok(!(await registry.metrics()).includes('SECRET'), 'no URL (and no key in it) reaches the exposition');
});

test('daemon request events outside a pool runtime are recorded the same way', async () => {
  const metrics = createOutboundMetrics(new Registry());
  const record = daemonRequestRecorder(metrics);
  record({ type: 'request', daemon: '10.0.0.9:9332', method: 'getblocktemplate', durationMs: 40, errorCode: 'DAEMON_HTTP', retry: true });
  record({ type: 'up', daemon: '10.0.0.9:9332', downMs: 5 });
  assert.equal(await count(metrics.requests, { target: '10.0.0.9:9332' }), 1);
  assert.equal(await count(metrics.retries, { method: 'getblocktemplate' }), 1);
  assert.equal(await count(metrics.failures, { reason: 'http' }), 1);
});

test('wallet RPC calls (the payment processor\'s RpcClient) are recorded with their failure reason', async () => {
  const metrics = createOutboundMetrics(new Registry());
  const record = rpcRequestRecorder(metrics);
  record({ daemon: '127.0.0.1:19443', method: 'sendmany', durationMs: 120, error: null, retry: false });
  const refused = new DaemonError('DAEMON_RPC', 'Invalid address', { daemon: '127.0.0.1:19443', method: 'sendmany' });
  record({ daemon: '127.0.0.1:19443', method: 'sendmany', durationMs: 3, error: refused, retry: false });
  const slow = new DaemonError('DAEMON_TIMEOUT', 'no answer within 30000 ms', { daemon: '127.0.0.1:19443', method: 'gettransaction' });
  record({ daemon: '127.0.0.1:19443', method: 'gettransaction', durationMs: 30_000, error: slow, retry: true });
  assert.equal(await count(metrics.requests, { target: '127.0.0.1:19443', method: 'sendmany' }), 2);
  assert.equal(await count(metrics.failures, { method: 'sendmany', reason: 'api' }), 1);
  assert.equal(await count(metrics.failures, { method: 'gettransaction', reason: 'timeout' }), 1);
  assert.equal(await count(metrics.retries, { method: 'gettransaction' }), 1);
});
