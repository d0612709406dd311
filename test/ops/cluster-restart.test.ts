// A real Prometheus scraping the master's collector while a pool worker fork misses a scrape and another restarts in
// its slot: increase() over the whole run counts the blocks and share difficulty that were found, nothing more.
// Each scrape advances the scene one step, so what Prometheus sees does not depend on timing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClusterMetricsCollector } from '../../src/metrics/cluster.js';
import type { HeadframeMetrics } from '../../src/metrics/metrics.js';
import { createProcessMetrics } from '../../src/metrics/process-registry.js';
import { FakeCluster, type FakeChild } from '../unit/metrics/fake-cluster.js';
import { startPrometheus, type PrometheusHandle } from './prometheus.js';

const LAST_STEP = 10;

describe('a fork restart and a missed scrape, seen by a real Prometheus', { timeout: 60_000 }, () => {
  let server: Server;
  let prometheus: PrometheusHandle;
  let steps = 0;
  const cluster = new FakeCluster();
  const master = createProcessMetrics('master');
  const collector = new ClusterMetricsCollector({ cluster, registry: master.registry, timeoutMs: 200 });
  const forks: { metrics: HeadframeMetrics; child: FakeChild }[] = [];

  function startFork(fork: number, blocks: number, difficulty: number): void {
    const metrics = createProcessMetrics('pool-worker', fork);
    metrics.pool.blocksFound.inc({ pool: 'ltc' }, blocks);
    metrics.pool.shareDifficulty.inc({ pool: 'ltc' }, difficulty);
    forks[fork] = { metrics, child: cluster.addChild(metrics) };
  }

  /** The scene before scrape number `step` (1-based): 2 blocks and 70 difficulty found after the first scrape. */
  function advance(step: number): void {
    if (step === 4) forks[1].child.silent = true;
    if (step === 5) {
      forks[1].child.silent = false;
      forks[2].child.exit();
      startFork(2, 0, 0);
    }
    if (step === 6) {
      forks[0].metrics.pool.blocksFound.inc({ pool: 'ltc' });
      forks[0].metrics.pool.shareDifficulty.inc({ pool: 'ltc' }, 50);
    }
    if (step === 7) {
      forks[2].metrics.pool.blocksFound.inc({ pool: 'ltc' });
      forks[2].metrics.pool.shareDifficulty.inc({ pool: 'ltc' }, 20);
    }
  }

  before(async () => {
    for (const fork of [0, 1, 2, 3]) startFork(fork, 3, 1000);
    server = createServer((_req, res) => {
      advance(++steps);
      void collector.collect().then((body) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    prometheus = await startPrometheus([`127.0.0.1:${(server.address() as AddressInfo).port}`]);
  });

  after(async () => {
    collector.close();
    await prometheus?.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('increase() counts 2 blocks and 70 difficulty, and only the restarted slot\'s series reset', async () => {
    for (const deadline = Date.now() + 30_000; steps < LAST_STEP; ) {
      if (Date.now() > deadline) throw new Error(`only ${steps} scrapes in 30 s`);
      await sleep(200);
    }
    await prometheus.waitFor('count_over_time(headframe_metrics_missing_processes[1m])', (v) => (v ?? 0) >= LAST_STEP);
    // Every sample is inside the 1m range; extrapolation to its edges adds at most half a scrape interval each side,
    // about 10% over these ten scrapes. A master that summed the forks would show about 13 blocks and 3,400 difficulty.
    const blocks = await prometheus.value('sum(increase(headframe_blocks_found_total{pool="ltc"}[1m]))');
    assert.ok(blocks !== null && blocks > 1.9 && blocks < 2.5, `increase of blocks found: ${blocks}`);
    const difficulty = await prometheus.value('sum(increase(headframe_share_difficulty_total{pool="ltc"}[1m]))');
    assert.ok(difficulty !== null && difficulty > 66 && difficulty < 85, `increase of share difficulty: ${difficulty}`);
    const resets = await prometheus.query('sum by (fork) (resets(headframe_blocks_found_total{pool="ltc"}[1m]))');
    assert.deepEqual(
      Object.fromEntries((resets.data?.result ?? []).map((s) => [s.metric.fork, Number(s.value[1])])),
      { '0': 0, '1': 0, '2': 1, '3': 0 },
    );
    // The missed scrape is a gap in fork 1's series, not a lower value.
    assert.equal(await prometheus.value('min_over_time(headframe_blocks_found_total{pool="ltc",fork="1"}[1m])'), 3);
    assert.equal(await prometheus.value('max_over_time(headframe_metrics_missing_processes[1m])'), 1);
  });
});
