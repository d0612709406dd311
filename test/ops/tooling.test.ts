// Operations files checked by the real tools: promtool (exposition lint, rule unit tests), a real Prometheus running
// every dashboard panel's PromQL, docker-compose validating the stack, dockerfilelint on the image, and the compose
// stack's config.json through the product's own validator.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import { loadConfig } from '../../src/config/load.js';
import { ClusterMetricsCollector } from '../../src/metrics/cluster.js';
import { createProcessMetrics } from '../../src/metrics/process-registry.js';
import { instrumentPool, type InstrumentedPool } from '../../src/metrics/pool-instrumentation.js';
import { targetFromBits } from '../../src/algorithms/targets.js';
import { KNOWN_OFFENDERS, PROMTOOL_BIN, startPrometheus, withoutKnownOffenders, type PrometheusHandle } from './prometheus.js';
import { requireBinary } from '../helpers/processes.js';
import { FakeCluster } from '../unit/metrics/fake-cluster.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(cmd: string, args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { cwd: options.cwd ?? ROOT, env: options.env ?? process.env, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (options.input !== undefined) child.stdin!.end(options.input);
  });
}

/**
 * The master's /metrics for a pool with every kind of Headframe series populated, as a busy cluster would have it:
 * the master, two pool worker forks, a payment processor and a website, merged by the real collector.
 */
function populatedExposition(): { text: () => Promise<string> } {
  const cluster = new FakeCluster();
  const master = createProcessMetrics('master');
  const workers = [0, 1].map((fork) => {
    const metrics = createProcessMetrics('pool-worker', fork);
    const rt = new EventEmitter() as EventEmitter & InstrumentedPool;
    Object.assign(rt, { pool: { id: 'ltc', daemons: [{ host: '127.0.0.1', port: 9332 }] } });
    instrumentPool(rt, metrics, 65536);
    cluster.addChild(metrics);
    return rt;
  });
  const payments = createProcessMetrics('payment-processor', 0);
  const website = createProcessMetrics('website', 0);
  cluster.addChild(payments);
  cluster.addChild(website);
  const collector = new ClusterMetricsCollector({ cluster, registry: master.registry, timeoutMs: 2000 });
  const tick = () => {
    for (const rt of workers) {
      rt.emit('connect', { connectionId: 1, ip: '127.0.0.1' });
      rt.emit('share', { submission: {}, outcome: { ok: true, difficulty: 0.5, shareDifficulty: 1, blockHash: null }, latencyMs: 1.5 });
      rt.emit('share', { submission: {}, outcome: { ok: false, code: 23, reason: 'low-difficulty', message: 'low' }, latencyMs: 1 });
      rt.emit('template', { height: 1234, target: targetFromBits('1b0404cb') });
      rt.emit('broadcast', { cleanJobs: true, miners: 5000, seconds: 0.08 });
      rt.emit('block', { verdict: 'accepted', candidate: { reward: 1_250_000_000n }, answers: [], confirmations: 1, submitMs: 2 });
      rt.emit('daemon', { type: 'request', daemon: '127.0.0.1:9332', method: 'getblocktemplate', durationMs: 8, errorCode: null, retry: false });
      rt.emit('daemon', { type: 'request', daemon: '127.0.0.1:9332', method: 'submitblock', durationMs: 5000, errorCode: 'DAEMON_TIMEOUT', retry: false });
    }
    website.pool.poolHashrate.set({ pool: 'ltc' }, 1.5e6);
    payments.pool.blocksPending.set({ pool: 'ltc' }, 1);
    payments.pool.blocksConfirmed.inc({ pool: 'ltc' });
    payments.pool.blocksOrphaned.inc({ pool: 'ltc' }, 0);
    payments.payments.payments.inc({ pool: 'ltc' });
    payments.payments.paidBaseUnits.inc({ pool: 'ltc' }, 99_000_000);
    payments.payments.halted.set({ pool: 'ltc' }, 0);
    payments.payments.runs.inc({ pool: 'ltc', result: 'ok' });
    payments.payments.lastSuccess.set({ pool: 'ltc' }, Date.now() / 1000);
    master.outbound.requests.inc({ target: 'telegram', method: 'sendMessage' });
    master.outbound.retries.inc({ target: 'telegram', method: 'sendMessage' }, 0);
  };
  tick();
  return {
    text: async () => {
      tick();
      return collector.collect();
    },
  };
}

describe('operations tooling', { timeout: 60_000 }, () => {
  test('the exposition passes promtool check metrics, apart from prom-client\'s three known offenders', async () => {
    requireBinary(PROMTOOL_BIN, 'prometheus');
    const text = await populatedExposition().text();
    const clean = await run(PROMTOOL_BIN, ['check', 'metrics'], { input: withoutKnownOffenders(text) });
    assert.equal(clean.code, 0, `promtool: ${clean.stdout}${clean.stderr}`);
    // The filter removes only those three: the raw exposition fails on exactly them.
    const raw = await run(PROMTOOL_BIN, ['check', 'metrics'], { input: text });
    const complaints = `${raw.stdout}${raw.stderr}`.trim().split('\n').map((l) => l.split(' ')[0]);
    assert.deepEqual([...new Set(complaints)].sort(), KNOWN_OFFENDERS);
  });

  test('alert rules pass promtool check rules and their unit tests', async () => {
    const check = await run(PROMTOOL_BIN, ['check', 'rules', 'deploy/prometheus/rules/headframe.rules.yml']);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /SUCCESS: 8 rules found/);
    const tests = await run(PROMTOOL_BIN, ['test', 'rules', 'deploy/prometheus/tests/headframe.rules.test.yml']);
    assert.equal(tests.code, 0, tests.stdout + tests.stderr);
    assert.match(tests.stdout, /SUCCESS/);
  });

  test('docker-compose validates the stack, and refuses it without a Grafana admin password', async () => {
    const bin = requireBinary('/usr/bin/docker-compose', 'docker-compose');
    const env = { ...process.env, GRAFANA_ADMIN_PASSWORD: 'correct horse battery staple' };
    const ok = await run(bin, ['-f', 'docker-compose.yml', 'config', '-q'], { env });
    assert.equal(ok.code, 0, ok.stderr);
    const { GRAFANA_ADMIN_PASSWORD: _unused, ...withoutPassword } = env;
    const refused = await run(bin, ['-f', 'docker-compose.yml', 'config', '-q'], { env: withoutPassword });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /GRAFANA_ADMIN_PASSWORD/);
    const resolved = await run(bin, ['-f', 'docker-compose.yml', 'config'], { env });
    // Every published port is bound to loopback (docker-compose 1.29 prints them as host_ip:published:target/proto).
    const ports = [...resolved.stdout.matchAll(/^\s+- (\S+:\d+\/tcp)$/gm)].map((m) => m[1]);
    assert.equal(ports.length, 5, resolved.stdout);
    for (const port of ports) assert.match(port, /^127\.0\.0\.1:\d+:\d+\/tcp$/);
  });

  test('dockerfilelint finds nothing in the Dockerfile, which is multi-stage, non-root and health-checked', async () => {
    const lint = await run(join(ROOT, 'node_modules/.bin/dockerfilelint'), ['--output', 'json', 'Dockerfile']);
    assert.equal(lint.code, 0, lint.stdout);
    const report = JSON.parse(lint.stdout) as { totalIssues: number };
    assert.equal(report.totalIssues, 0, lint.stdout);
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    assert.equal(dockerfile.match(/^FROM /gm)?.length, 2);
    assert.match(dockerfile, /^USER node$/m);
    assert.match(dockerfile, /^HEALTHCHECK /m);
  });

  test('the compose stack\'s config.json passes the product\'s validator with the shipped coins and pools', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headframe-compose-config-'));
    try {
      copyFileSync(join(ROOT, 'deploy/compose/config.json'), join(dir, 'config.json'));
      cpSync(join(ROOT, 'coins'), join(dir, 'coins'), { recursive: true });
      cpSync(join(ROOT, 'pool_configs'), join(dir, 'pool_configs'), { recursive: true });
      const result = await loadConfig(dir);
      assert.ok(result.ok, result.ok ? '' : result.problems.join('\n'));
      assert.equal(result.config.global.redis.host, 'redis');
      assert.equal(result.config.global.metrics.port, 9101);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Grafana dashboard', { timeout: 60_000 }, () => {
  const dashboard = JSON.parse(readFileSync(join(ROOT, 'deploy/grafana/dashboards/headframe.json'), 'utf8')) as {
    uid: string;
    panels: { id: number; title: string; datasource: { uid: string }; gridPos: { x: number; w: number }; targets: { expr: string; datasource: { uid: string } }[] }[];
  };
  let server: Server;
  let prometheus: PrometheusHandle;

  before(async () => {
    const source = populatedExposition();
    server = createServer((_req, res) => {
      void source.text().then((body) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    prometheus = await startPrometheus([`127.0.0.1:${(server.address() as AddressInfo).port}`]);
  });

  after(async () => {
    await prometheus?.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('panels have unique ids, fit the grid and use the provisioned datasource uid', () => {
    const datasource = readFileSync(join(ROOT, 'deploy/grafana/provisioning/datasources/prometheus.yml'), 'utf8');
    const uid = /^\s+uid: (\S+)$/m.exec(datasource)?.[1];
    assert.equal(uid, 'headframe-prometheus');
    const provider = readFileSync(join(ROOT, 'deploy/grafana/provisioning/dashboards/headframe.yml'), 'utf8');
    const compose = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
    const path = /path: (\S+)/.exec(provider)?.[1];
    assert.ok(path && compose.includes(`./deploy/grafana/dashboards:${path}:ro`), 'the provider reads the folder compose mounts');
    const ids = dashboard.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(dashboard.panels.length >= 10);
    for (const panel of dashboard.panels) {
      assert.equal(panel.datasource.uid, uid, panel.title);
      assert.ok(panel.gridPos.x + panel.gridPos.w <= 24, panel.title);
      assert.ok(panel.targets.length > 0, panel.title);
      for (const t of panel.targets) assert.equal(t.datasource.uid, uid, panel.title);
    }
  });

  test('every panel query runs on a real Prometheus, and the core panels show data', async () => {
    // Grafana's variables, as Grafana would expand them for "All pools".
    const expand = (expr: string) => expr.replaceAll('$__rate_interval', '1m').replaceAll('$pool', '.*');
    // rate() needs two scrapes of every fork's series.
    await prometheus.waitFor('min(count_over_time(headframe_shares_total{result="valid"}[1m]))', (v) => v !== null && v >= 2);
    assert.equal(await prometheus.value('count(headframe_shares_total{result="valid"})'), 2, 'one series per pool worker fork');
    const withData = new Set<string>();
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        const result = await prometheus.query(expand(target.expr));
        assert.equal(result.status, 'success', `${panel.title}: ${target.expr}: ${result.errorType} ${result.error}`);
        if ((result.data?.result.length ?? 0) > 0) withData.add(panel.title);
        // Panels show pools, daemons, targets and roles: each process's series are aggregated away, never one line per fork.
        for (const series of result.data?.result ?? []) {
          assert.ok(!('fork' in series.metric), `${panel.title}: ${target.expr} returns per-fork series ${JSON.stringify(series.metric)}`);
          if ('role' in series.metric) assert.match(target.expr, /by \(role\)/, `${panel.title}: ${target.expr} returns per-role series`);
        }
      }
    }
    // Aggregates read as one value per pool: connections add up over the forks, a height is the same in each.
    const expr = (title: string, i = 0) => expand(dashboard.panels.find((p) => p.title === title)!.targets[i].expr);
    // Both forks had the same connects; one query, so both sides read the same scrape.
    assert.equal(await prometheus.value(`(${expr('Connected miners')}) / on (pool) max by (pool) (headframe_stratum_connections)`), 2);
    assert.equal(await prometheus.value(expr('Network height')), 1234);
    assert.equal(await prometheus.value(expr('Daemons up')), 1);
    const core = ['Processes up', 'Daemons up', 'Connected miners', 'Hashrate', 'Share rate by result', 'Rejected shares by reason', 'Blocks per hour', 'Mined coins per hour', 'Paid per hour', 'Network difficulty', 'Network height', 'RPC latency p90', 'Outbound failures', 'Share check latency p99', 'New-block job broadcast time (mean per fork)'];
    for (const title of core) assert.ok(withData.has(title), `${title} shows no data; panels with data: ${[...withData].join(', ')}`);
  });
});
