// The master's merge of every process's registry, over a stand-in cluster channel (no forks): every series names its
// process and nothing is added up, the master's own metrics included, a silent child left out at the deadline, and
// counters that a child restart or a missed scrape never make fall.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterMetricsCollector } from '../../../src/metrics/cluster.js';
import { createProcessMetrics, forkSlotFromEnvironment } from '../../../src/metrics/process-registry.js';
import { FakeCluster, parseExposition, select, seriesId, type Sample } from './fake-cluster.js';

function one(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = select(samples, name, labels);
  assert.ok(found.length <= 1, `${name} ${JSON.stringify(labels)} matches ${found.length} series`);
  return found[0]?.value;
}

/**
 * What Prometheus' increase() counts over a run of scrapes (without its extrapolation): per series, each rise, and
 * after a fall (a counter reset) the whole new value; a scrape that lacks the series is a gap, not a zero.
 */
function prometheusIncrease(scrapes: readonly Sample[][], name: string, labels: Record<string, string>): number {
  const last = new Map<string, number>();
  let total = 0;
  for (const scrape of scrapes) {
    for (const sample of select(scrape, name, labels)) {
      const id = seriesId(sample);
      const before = last.get(id);
      if (before !== undefined) total += sample.value >= before ? sample.value - before : sample.value;
      last.set(id, sample.value);
    }
  }
  return total;
}

describe('cluster metrics collection', () => {
  test('every process\'s series carry its role and fork and nothing is added up; the master is included', async () => {
    const cluster = new FakeCluster();
    const master = createProcessMetrics('master');
    const a = createProcessMetrics('pool-worker', 0);
    const b = createProcessMetrics('pool-worker', 1);
    a.pool.shares.inc({ pool: 'ltc', result: 'valid', reason: 'ok' }, 3);
    b.pool.shares.inc({ pool: 'ltc', result: 'valid', reason: 'ok' }, 4);
    a.pool.networkHeight.set({ pool: 'ltc' }, 100);
    b.pool.networkHeight.set({ pool: 'ltc' }, 101);
    a.pool.daemonUp.set({ pool: 'ltc', daemon: 'd:1' }, 1);
    b.pool.daemonUp.set({ pool: 'ltc', daemon: 'd:1' }, 0);
    a.pool.shareCheckDuration.observe({ pool: 'ltc' }, 0.002);
    master.outbound.requests.inc({ target: 'telegram', method: 'sendMessage' });
    cluster.addChild(a);
    cluster.addChild(b);
    const collector = new ClusterMetricsCollector({ cluster, registry: master.registry, timeoutMs: 1000 });
    const text = await collector.collect();
    const samples = parseExposition(text);
    collector.close();

    const fork0 = { role: 'pool-worker', fork: '0' };
    const fork1 = { role: 'pool-worker', fork: '1' };
    assert.equal(one(samples, 'headframe_shares_total', { pool: 'ltc', result: 'valid', ...fork0 }), 3);
    assert.equal(one(samples, 'headframe_shares_total', { pool: 'ltc', result: 'valid', ...fork1 }), 4);
    assert.equal(one(samples, 'headframe_network_height', { pool: 'ltc', ...fork1 }), 101);
    assert.equal(one(samples, 'headframe_daemon_up', { daemon: 'd:1', ...fork0 }), 1);
    assert.equal(one(samples, 'headframe_daemon_up', { daemon: 'd:1', ...fork1 }), 0);
    assert.equal(one(samples, 'headframe_outbound_requests_total', { target: 'telegram', role: 'master', fork: '0' }), 1);
    assert.equal(select(samples, 'headframe_process_up', { role: 'pool-worker' }).length, 2);
    assert.equal(one(samples, 'headframe_process_up', { role: 'master' }), 1);
    assert.equal(one(samples, 'headframe_metrics_missing_processes'), 0);
    // Every series of every process says which process it is, default metrics and histogram buckets too.
    for (const s of samples) assert.ok(s.labels.role && s.labels.fork, `${s.name} ${JSON.stringify(s.labels)} names no process`);
    assert.equal(new Set(samples.map(seriesId)).size, samples.length, 'no series twice');
    // Per process: restarts show in its start time, which prom-client's own aggregation would have dropped.
    assert.equal(select(samples, 'process_start_time_seconds').length, 3);
    assert.equal(one(samples, 'headframe_share_check_duration_seconds_bucket', { le: '0.0025', ...fork0 }), 1);
    // One HELP and TYPE line per metric, however many processes report it.
    assert.equal(text.split('\n').filter((l) => l === '# TYPE headframe_shares_total counter').length, 1);
  });

  test('a fork that restarts or misses a scrape never makes a counter fall: increase() counts only what happened', async () => {
    const cluster = new FakeCluster();
    const master = createProcessMetrics('master');
    const forks = [0, 1, 2, 3].map((fork) => {
      const metrics = createProcessMetrics('pool-worker', fork);
      metrics.pool.blocksFound.inc({ pool: 'ltc' }, 3);
      metrics.pool.shareDifficulty.inc({ pool: 'ltc' }, 1000);
      return { metrics, child: cluster.addChild(metrics) };
    });
    const collector = new ClusterMetricsCollector({ cluster, registry: master.registry, timeoutMs: 200 });
    const scrapes: Sample[][] = [];
    const scrape = async () => scrapes.push(parseExposition(await collector.collect()));

    await scrape();
    forks[1].child.silent = true; // busy for one scrape
    await scrape();
    assert.equal(one(scrapes[1], 'headframe_metrics_missing_processes'), 1);
    forks[1].child.silent = false;
    // Fork 2 dies and its slot is filled again: a fresh registry, counting from zero.
    forks[2].child.exit();
    const restarted = createProcessMetrics('pool-worker', 2);
    restarted.pool.blocksFound.inc({ pool: 'ltc' }, 0);
    restarted.pool.shareDifficulty.inc({ pool: 'ltc' }, 0);
    cluster.addChild(restarted);
    await scrape();
    forks[0].metrics.pool.blocksFound.inc({ pool: 'ltc' });
    forks[0].metrics.pool.shareDifficulty.inc({ pool: 'ltc' }, 50);
    await scrape();
    restarted.pool.blocksFound.inc({ pool: 'ltc' });
    restarted.pool.shareDifficulty.inc({ pool: 'ltc' }, 20);
    await scrape();
    collector.close();

    assert.equal(prometheusIncrease(scrapes, 'headframe_blocks_found_total', { pool: 'ltc' }), 2, 'two blocks were found');
    assert.equal(prometheusIncrease(scrapes, 'headframe_share_difficulty_total', { pool: 'ltc' }), 70, 'the hashrate saw no spike');
    // Every series of a process that kept running only ever rises; the missed scrape is a gap in fork 1's.
    for (const name of ['headframe_blocks_found_total', 'headframe_share_difficulty_total']) {
      for (const fork of ['0', '1', '3']) {
        const values = scrapes.map((s) => one(s, name, { pool: 'ltc', fork }));
        const seen = values.filter((v): v is number => v !== undefined);
        for (let i = 1; i < seen.length; i++) assert.ok(seen[i] >= seen[i - 1], `${name} fork ${fork}: ${values.join(' ')}`);
        assert.equal(values[1] === undefined, fork === '1', `${name} fork ${fork}: ${values.join(' ')}`);
      }
      // The restarted slot continues its own series: one reset there, and nowhere else.
      assert.deepEqual(
        scrapes.map((s) => one(s, name, { pool: 'ltc', fork: '2' })),
        name === 'headframe_blocks_found_total' ? [3, 3, 0, 0, 1] : [1000, 1000, 0, 0, 20],
      );
    }
  });

  test('a child that does not answer is left out at the deadline and counted', async () => {
    const cluster = new FakeCluster();
    const master = createProcessMetrics('master');
    const live = createProcessMetrics('pool-worker');
    live.pool.blocksFound.inc({ pool: 'ltc' });
    const stuck = createProcessMetrics('website');
    cluster.addChild(live);
    cluster.addChild(stuck, true);
    const collector = new ClusterMetricsCollector({ cluster, registry: master.registry, timeoutMs: 300 });
    const started = Date.now();
    const samples = parseExposition(await collector.collect());
    const took = Date.now() - started;
    collector.close();
    assert.ok(took >= 280 && took < 1500, `collection took ${took} ms with a 300 ms deadline`);
    assert.equal(one(samples, 'headframe_blocks_found_total', { pool: 'ltc' }), 1);
    assert.equal(one(samples, 'headframe_process_up', { role: 'website' }), undefined);
    assert.equal(one(samples, 'headframe_metrics_missing_processes'), 1);
  });

  test('with no children the master still answers with its own metrics at once', async () => {
    const cluster = new FakeCluster();
    const master = createProcessMetrics('master');
    const collector = new ClusterMetricsCollector({ cluster, registry: master.registry, timeoutMs: 5000 });
    const started = Date.now();
    const text = await collector.collect();
    collector.close();
    assert.ok(Date.now() - started < 1000);
    assert.equal(one(parseExposition(text), 'headframe_process_up', { role: 'master' }), 1);
    assert.match(text, /^headframe_build_info\{version="[^"]+",nodejs="v20\.\d+\.\d+",role="master",fork="0"\} 1$/m);
  });

  test('a child\'s fork label is the slot the supervisor started it in', () => {
    assert.equal(forkSlotFromEnvironment({ HEADFRAME_FORK_ID: '3' }), 3);
    assert.equal(forkSlotFromEnvironment({}), 0);
    assert.equal(forkSlotFromEnvironment({ HEADFRAME_FORK_ID: 'x' }), 0);
  });
});
