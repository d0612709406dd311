// Pool runtime events -> metric values, driven by a plain emitter standing in for a PoolRuntime.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Registry } from 'prom-client';
import { createMetrics } from '../../../src/metrics/metrics.js';
import { daemonFailureReason, instrumentPool, networkDifficulty, shareQueueHook, type InstrumentedPool } from '../../../src/metrics/pool-instrumentation.js';
import { targetFromBits } from '../../../src/algorithms/targets.js';
import type { ShareEvent } from '../../../src/stratum/events.js';

function runtime(daemons: readonly string[] = ['10.0.0.2:9332']): EventEmitter & InstrumentedPool {
  const emitter = new EventEmitter() as EventEmitter & InstrumentedPool;
  const list = daemons.map((d) => ({ host: d.split(':')[0], port: Number(d.split(':')[1]) }));
  Object.assign(emitter, { pool: { id: 'ltc', daemons: list } });
  return emitter;
}

/** Every exported series of one metric, as `labels -> value` (label values joined by commas). */
async function series(registry: Registry, name: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await registry.getSingleMetric(name)!.get()).values) out[Object.values(v.labels).join(',')] = v.value;
  return out;
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

  test('share records Redis acknowledged and then lost are counted, across recorders of one pool', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry);
    const first = shareQueueHook(metrics, 'ltc');
    assert.equal(await value(registry, 'headframe_share_records_lost_in_redis_total', { pool: 'ltc' }), 0, 'exported from the start');
    first({ queued: 0, lostInRedis: 16 });
    first({ queued: 0, lostInRedis: 16 });
    // A reloaded pool's recorder counts from zero again: the counter goes on from where it was.
    shareQueueHook(metrics, 'ltc')({ queued: 0, lostInRedis: 3 });
    assert.equal(await value(registry, 'headframe_share_records_lost_in_redis_total', { pool: 'ltc' }), 19);
  });

  test('a reload to another daemon drops the replaced daemon\'s series when the old runtime stops', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry);
    const old = runtime(['10.0.0.2:9332', '10.0.0.9:9332']);
    instrumentPool(old, metrics, 65536);
    old.emit('daemon', { type: 'down', daemon: '10.0.0.2:9332', error: new Error('x') });
    old.emit('template', { height: 500, target: targetFromBits('1d00ffff') });
    // reloadpool: daemon 10.0.0.2 replaced by 10.0.0.3, 10.0.0.9 kept. Until the old runtime stops it serves.
    const fresh = runtime(['10.0.0.3:9332', '10.0.0.9:9332']);
    instrumentPool(fresh, metrics, 65536);
    fresh.emit('daemon', { type: 'down', daemon: '10.0.0.9:9332', error: new Error('starting') });
    fresh.emit('daemon', { type: 'up', daemon: '10.0.0.9:9332', downMs: 5 });
    fresh.emit('template', { height: 501, target: targetFromBits('1d00ffff') });
    assert.deepEqual(await series(registry, 'headframe_daemon_up'), { 'ltc,10.0.0.2:9332': 0, 'ltc,10.0.0.9:9332': 1 });
    assert.equal(await value(registry, 'headframe_network_height', { pool: 'ltc' }), 500);

    old.emit('stopping');
    assert.deepEqual(await series(registry, 'headframe_daemon_up'), { 'ltc,10.0.0.9:9332': 1, 'ltc,10.0.0.3:9332': 1 });
    assert.equal(await value(registry, 'headframe_network_height', { pool: 'ltc' }), 501);
    // What the stopped runtime still reports changes nothing.
    old.emit('daemon', { type: 'down', daemon: '10.0.0.9:9332', error: new Error('closing') });
    assert.equal(await value(registry, 'headframe_daemon_up', { daemon: '10.0.0.9:9332' }), 1);
    fresh.emit('daemon', { type: 'down', daemon: '10.0.0.3:9332', error: new Error('x') });
    assert.equal(await value(registry, 'headframe_daemon_up', { daemon: '10.0.0.3:9332' }), 0);
  });

  test('a runtime discarded by a failed reload never overwrites the gauges of the runtime that stays', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry);
    const kept = runtime(['10.0.0.2:9332']);
    instrumentPool(kept, metrics, 65536);
    kept.emit('template', { height: 500, target: targetFromBits('1d00ffff') });
    kept.emit('broadcast', { cleanJobs: true, miners: 40, seconds: 0.01 });
    kept.emit('recorder', { queued: 7 });
    kept.emit('connect', { connectionId: 1, ip: '1.2.3.4' });

    // The reloaded config names a daemon that refuses the pool, so it never gets a template and is stopped.
    const discarded = runtime(['10.0.0.66:9332']);
    instrumentPool(discarded, metrics, 1);
    discarded.emit('daemon', { type: 'down', daemon: '10.0.0.66:9332', error: new Error('401') });
    discarded.emit('template', { height: 1, target: targetFromBits('207fffff') });
    discarded.emit('broadcast', { cleanJobs: true, miners: 0, seconds: 0 });
    discarded.emit('recorder', { queued: 0, droppedShares: 2 });
    discarded.emit('share', share({ ok: true, difficulty: 0.5, shareDifficulty: 0.9, blockHash: null }));
    discarded.emit('stopping');

    assert.deepEqual(await series(registry, 'headframe_daemon_up'), { 'ltc,10.0.0.2:9332': 1 });
    assert.equal(await value(registry, 'headframe_network_height', { pool: 'ltc' }), 500);
    assert.equal(await value(registry, 'headframe_network_difficulty', { pool: 'ltc' }), 1);
    assert.equal(await value(registry, 'headframe_job_broadcast_miners', { pool: 'ltc' }), 40);
    assert.equal(await value(registry, 'headframe_share_queue_length', { pool: 'ltc' }), 7);
    assert.equal(await value(registry, 'headframe_pool_hashes_per_share_difficulty', { pool: 'ltc' }), 65536);
    assert.equal(await value(registry, 'headframe_stratum_connections', { pool: 'ltc' }), 1);
    // Its events were real all the same: counters keep them.
    assert.equal(await value(registry, 'headframe_share_records_refused_total', { kind: 'share' }), 2);
    assert.equal(await value(registry, 'headframe_shares_total', { result: 'valid' }), 1);

    // The kept runtime goes on owning them.
    kept.emit('daemon', { type: 'down', daemon: '10.0.0.2:9332', error: new Error('x') });
    kept.emit('recorder', { queued: 0 });
    assert.deepEqual(await series(registry, 'headframe_daemon_up'), { 'ltc,10.0.0.2:9332': 0 });
    assert.equal(await value(registry, 'headframe_share_queue_length', { pool: 'ltc' }), 0);
  });

  test('a pool whose last runtime stops (disabled by a reload) exports no daemon or template gauges; counters stay', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry);
    const rt = runtime(['10.0.0.2:9332']);
    instrumentPool(rt, metrics, 65536);
    rt.emit('template', { height: 500, target: targetFromBits('1d00ffff') });
    rt.emit('daemon', { type: 'down', daemon: '10.0.0.2:9332', error: new Error('x') });
    rt.emit('block', { verdict: 'accepted', candidate: { reward: 1n }, answers: [], confirmations: 1, submitMs: 3 });
    rt.emit('stopping');
    rt.emit('stopping');
    for (const name of ['headframe_daemon_up', 'headframe_network_height', 'headframe_network_difficulty', 'headframe_share_queue_length', 'headframe_pool_hashes_per_share_difficulty']) {
      assert.deepEqual(await series(registry, name), {}, name);
    }
    assert.equal(await value(registry, 'headframe_blocks_found_total', { pool: 'ltc' }), 1);

    // Enabled again later: a runtime on its own owns the gauges at once.
    const again = runtime(['10.0.0.2:9332']);
    instrumentPool(again, metrics, 65536);
    assert.deepEqual(await series(registry, 'headframe_daemon_up'), { 'ltc,10.0.0.2:9332': 1 });
  });
});
