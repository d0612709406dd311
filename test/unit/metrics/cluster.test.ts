// The master's merge of every process's registry, over a stand-in cluster channel (no forks): sums, max and min
// aggregation, the master's own metrics included, a silent child left out at the deadline.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Worker } from 'node:cluster';
import { answerMetricRequests, ClusterMetricsCollector, type ClusterPort, type ParentPort } from '../../../src/metrics/cluster.js';
import { createProcessMetrics } from '../../../src/metrics/process-registry.js';
import type { HeadframeMetrics } from '../../../src/metrics/metrics.js';

class FakeCluster extends EventEmitter implements ClusterPort {
  readonly list: Worker[] = [];
  workers(): readonly Worker[] {
    return this.list;
  }
  override on(event: 'message', listener: (worker: Worker, message: unknown) => void): this {
    return super.on(event, listener);
  }
  override off(event: 'message', listener: (worker: Worker, message: unknown) => void): this {
    return super.off(event, listener);
  }

  /** A child process: its registry answers requests the master sends to it, unless `silent`. */
  addChild(metrics: HeadframeMetrics, silent = false): void {
    const id = this.list.length + 1;
    const childPort = new EventEmitter() as EventEmitter & ParentPort;
    const worker = {
      id,
      isConnected: () => true,
      send: (message: unknown) => {
        if (!silent) setImmediate(() => childPort.emit('message', message));
        return true;
      },
    } as unknown as Worker;
    childPort.send = (message: unknown) => {
      setImmediate(() => this.emit('message', worker, message));
      return true;
    };
    answerMetricRequests(metrics.registry, childPort);
    this.list.push(worker);
  }
}

function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`) || (labels === '' && l.startsWith(`${name} `)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('cluster metrics collection', () => {
  test('counters add up, heights take the max, daemon health the min, and the master is included', async () => {
    const cluster = new FakeCluster();
    const master = createProcessMetrics('master');
    const a = createProcessMetrics('pool-worker');
    const b = createProcessMetrics('pool-worker');
    a.pool.shares.inc({ pool: 'ltc', result: 'valid', reason: 'ok' }, 3);
    b.pool.shares.inc({ pool: 'ltc', result: 'valid', reason: 'ok' }, 4);
    a.pool.shareDifficulty.inc({ pool: 'ltc' }, 0.5);
    b.pool.shareDifficulty.inc({ pool: 'ltc' }, 0.25);
    a.pool.networkHeight.set({ pool: 'ltc' }, 100);
    b.pool.networkHeight.set({ pool: 'ltc' }, 101);
    a.pool.daemonUp.set({ pool: 'ltc', daemon: 'd:1' }, 1);
    b.pool.daemonUp.set({ pool: 'ltc', daemon: 'd:1' }, 0);
    a.pool.connections.set({ pool: 'ltc' }, 2);
    b.pool.connections.set({ pool: 'ltc' }, 5);
    master.outbound.requests.inc({ target: 'telegram', method: 'sendMessage' });
    cluster.addChild(a);
    cluster.addChild(b);
    const collector = new ClusterMetricsCollector({ cluster, registry: master.registry, timeoutMs: 1000 });
    const text = await collector.collect();
    collector.close();

    assert.equal(sample(text, 'headframe_shares_total', 'pool="ltc",result="valid",reason="ok"'), 7);
    assert.equal(sample(text, 'headframe_share_difficulty_total', 'pool="ltc"'), 0.75);
    assert.equal(sample(text, 'headframe_network_height', 'pool="ltc"'), 101);
    assert.equal(sample(text, 'headframe_daemon_up', 'pool="ltc",daemon="d:1"'), 0);
    assert.equal(sample(text, 'headframe_stratum_connections', 'pool="ltc"'), 7);
    assert.equal(sample(text, 'headframe_outbound_requests_total', 'target="telegram",method="sendMessage"'), 1);
    assert.equal(sample(text, 'headframe_process_up', 'role="pool-worker"'), 2);
    assert.equal(sample(text, 'headframe_process_up', 'role="master"'), 1);
    assert.equal(sample(text, 'headframe_metrics_missing_processes', ''), 0);
    // One HELP and TYPE line per metric, however many processes report it.
    assert.equal(text.split('\n').filter((l) => l === '# TYPE headframe_shares_total counter').length, 1);
    assert.match(text, /^process_cpu_user_seconds_total \d/m);
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
    const text = await collector.collect();
    const took = Date.now() - started;
    collector.close();
    assert.ok(took >= 280 && took < 1500, `collection took ${took} ms with a 300 ms deadline`);
    assert.equal(sample(text, 'headframe_blocks_found_total', 'pool="ltc"'), 1);
    assert.equal(sample(text, 'headframe_process_up', 'role="website"'), undefined);
    assert.equal(sample(text, 'headframe_metrics_missing_processes', ''), 1);
  });

  test('with no children the master still answers with its own metrics at once', async () => {
    const cluster = new FakeCluster();
    const master = createProcessMetrics('master');
    const collector = new ClusterMetricsCollector({ cluster, registry: master.registry, timeoutMs: 5000 });
    const started = Date.now();
    const text = await collector.collect();
    collector.close();
    assert.ok(Date.now() - started < 1000);
    assert.equal(sample(text, 'headframe_process_up', 'role="master"'), 1);
    assert.match(text, /^headframe_build_info\{version="[^"]+",nodejs="v20\.\d+\.\d+"\} 1$/m);
  });
});
