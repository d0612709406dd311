// Pool runtime events -> metric values, driven by a plain emitter standing in for a PoolRuntime.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Registry } from 'prom-client';
import { createMetrics } from '../../../src/metrics/metrics.js';
import { daemonFailureReason, instrumentPool, networkDifficulty, shareQueueHook, type InstrumentedPool } from '../../../src/metrics/pool-instrumentation.js';
import { targetFromBits } from '../../../src/algorithms/targets.js';
import type { ShareEvent } from '../../../src/stratum/events.js';

function runtime(): EventEmitter & InstrumentedPool {
  const emitter = new EventEmitter() as EventEmitter & InstrumentedPool;
  Object.assign(emitter, { pool: { id: 'ltc', daemons: [{ host: '10.0.0.2', port: 9332 }] } });
  return emitter;
}

function share(outcome: ShareEvent['outcome']): ShareEvent {
  return { submission: {} as ShareEvent['submission'], outcome, latencyMs: 2 };
}

async function value(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  // A histogram's _sum, _count and _bucket series belong to the metric of the base name.
  const metric = registry.getSingleMetric(name) ?? registry.getSingleMetric(name.replace(/_(sum|count|bucket)$/, ''));
  const values = (await metric!.get()).values;
  return values.find((v) => Object.entries(labels).every(([k, x]) => (v.labels as Record<string, unknown>)[k] === x) && (!('metricName' in v) || v.metricName === name))?.value;
}

describe('pool instrumentation', () => {
  test('network difficulty from the template target matches getdifficulty', () => {
    assert.equal(networkDifficulty(targetFromBits('1d00ffff')), 1);
    // Litecoin regtest's powLimit bits: getdifficulty reports 4.656542373906925e-10.
    assert.ok(Math.abs(networkDifficulty(targetFromBits('207fffff')) / 4.656542373906925e-10 - 1) < 1e-12);
  });

  test('daemon error codes map to outbound failure reasons', () => {
    assert.equal(daemonFailureReason(null), null);
    assert.equal(daemonFailureReason('DAEMON_TIMEOUT'), 'timeout');
    assert.equal(daemonFailureReason('DAEMON_HTTP'), 'http');
    assert.equal(daemonFailureReason('DAEMON_RPC'), 'api');
    assert.equal(daemonFailureReason('DAEMON_NETWORK'), 'network');
  });

  test('events become shares by result, difficulty, connections, blocks, height and daemon calls', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry);
    const rt = runtime();
    instrumentPool(rt, metrics, 65536);
    assert.equal(await value(registry, 'headframe_daemon_up', { daemon: '10.0.0.2:9332' }), 1);
    assert.equal(await value(registry, 'headframe_pool_hashes_per_share_difficulty', { pool: 'ltc' }), 65536);

    rt.emit('connect', { connectionId: 1, ip: '1.2.3.4' });
    rt.emit('connect', { connectionId: 2, ip: '1.2.3.4' });
    rt.emit('disconnect', { connectionId: 1, ip: '1.2.3.4', reason: 'client-closed' });
    rt.emit('share', share({ ok: true, difficulty: 0.5, shareDifficulty: 0.9, blockHash: null }));
    rt.emit('share', share({ ok: true, difficulty: 0.25, shareDifficulty: 0.3, blockHash: null }));
    rt.emit('share', share({ ok: false, code: 21, reason: 'job-not-found', message: 'Job not found' }));
    rt.emit('share', share({ ok: false, code: 22, reason: 'duplicate', message: 'Duplicate share' }));
    rt.emit('share', share({ ok: false, code: 23, reason: 'low-difficulty', message: 'Low difficulty share' }));
    rt.emit('template', { height: 500, target: targetFromBits('1d00ffff') });
    rt.emit('broadcast', { cleanJobs: true, miners: 5000, seconds: 0.08 });
    rt.emit('broadcast', { cleanJobs: false, miners: 4999, seconds: 0.07 });
    rt.emit('block', { verdict: 'accepted', candidate: { reward: 1_250_000_000n }, answers: [], confirmations: 1, submitMs: 3 });
    rt.emit('block', { verdict: 'rejected', candidate: { reward: 1_250_000_000n }, answers: [], confirmations: null, submitMs: 3 });
    rt.emit('daemon', { type: 'request', daemon: '10.0.0.2:9332', method: 'getblocktemplate', durationMs: 12, errorCode: 'DAEMON_TIMEOUT', retry: true });
    rt.emit('daemon', { type: 'down', daemon: '10.0.0.2:9332', error: new Error('x') });

    assert.equal(await value(registry, 'headframe_stratum_connections', { pool: 'ltc' }), 1);
    assert.equal(await value(registry, 'headframe_shares_total', { result: 'valid', reason: 'ok' }), 2);
    assert.equal(await value(registry, 'headframe_shares_total', { result: 'stale' }), 1);
    assert.equal(await value(registry, 'headframe_shares_total', { result: 'duplicate' }), 1);
    assert.equal(await value(registry, 'headframe_shares_total', { result: 'invalid', reason: 'low-difficulty' }), 1);
    assert.equal(await value(registry, 'headframe_share_difficulty_total', { pool: 'ltc' }), 0.75);
    assert.equal(await value(registry, 'headframe_network_height', { pool: 'ltc' }), 500);
    assert.equal(await value(registry, 'headframe_job_broadcast_duration_seconds_sum', { kind: 'new-block' }), 0.08);
    assert.equal(await value(registry, 'headframe_job_broadcast_duration_seconds_count', { kind: 'update' }), 1);
    assert.equal(await value(registry, 'headframe_job_broadcast_miners', { pool: 'ltc' }), 4999);
    assert.equal(await value(registry, 'headframe_network_difficulty', { pool: 'ltc' }), 1);
    assert.equal(await value(registry, 'headframe_blocks_found_total', { pool: 'ltc' }), 1);
    assert.equal(await value(registry, 'headframe_block_submissions_total', { verdict: 'rejected' }), 1);
    assert.equal(await value(registry, 'headframe_mined_base_units_total', { pool: 'ltc' }), 1_250_000_000);
    assert.equal(await value(registry, 'headframe_outbound_failures_total', { target: '10.0.0.2:9332', reason: 'timeout' }), 1);
    assert.equal(await value(registry, 'headframe_outbound_retries_total', { method: 'getblocktemplate' }), 1);
    assert.equal(await value(registry, 'headframe_daemon_up', { daemon: '10.0.0.2:9332' }), 0);

    // A reloaded pool's new runtime is instrumented again without resetting what was counted.
    instrumentPool(runtime(), metrics, 65536);
    assert.equal(await value(registry, 'headframe_stratum_connections', { pool: 'ltc' }), 1);
    assert.equal(await value(registry, 'headframe_blocks_found_total', { pool: 'ltc' }), 1);

    shareQueueHook(metrics, 'ltc')({ queued: 17 });
    assert.equal(await value(registry, 'headframe_share_queue_length', { pool: 'ltc' }), 17);
  });
});
