// A throwaway real Prometheus (Debian's `prometheus`) for tests: 127.0.0.1 on a free port, a temp data dir,
// scraping the given targets every second. Always stopped by stop(), killed with the test process otherwise.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findFreePort } from '../helpers/ports.js';
import { requireBinary, spawnLogged, type LoggedProcess } from '../helpers/processes.js';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const PROMTOOL_BIN = '/usr/bin/promtool';

/** prom-client default gauges whose names end in _total although they are gauges; promtool rejects exactly these. */
export const KNOWN_OFFENDERS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** Drops every line of the three known offenders (HELP, TYPE and samples), nothing else. */
export function withoutKnownOffenders(exposition: string): string {
  return exposition
    .split('\n')
    .filter((line) => !KNOWN_OFFENDERS.some((name) => new RegExp(`^(# (HELP|TYPE) )?${name}[ {]`).test(line)))
    .join('\n');
}


export interface QueryResult {
  readonly status: string;
  readonly errorType?: string;
  readonly error?: string;
  readonly data?: { readonly resultType: string; readonly result: readonly { metric: Record<string, string>; value: [number, string] }[] };
}

export class PrometheusHandle {
  constructor(
    readonly port: number,
    private readonly proc: LoggedProcess,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async query(expr: string): Promise<QueryResult> {
    const response = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(expr)}`, { signal: AbortSignal.timeout(5000) });
    return (await response.json()) as QueryResult;
  }

  /** Sum of every series' value for `expr`, or null when the query returns no series. */
  async value(expr: string): Promise<number | null> {
    const result = await this.query(expr);
    if (result.status !== 'success') throw new Error(`query ${expr} failed: ${result.errorType}: ${result.error}`);
    const series = result.data?.result ?? [];
    return series.length === 0 ? null : series.reduce((sum, s) => sum + Number(s.value[1]), 0);
  }

  /** Polls `expr` until `accept` holds for its value; fails with the last value and Prometheus' log tail. */
  async waitFor(expr: string, accept: (value: number | null) => boolean, timeoutMs = 20_000): Promise<number | null> {
    const deadline = Date.now() + timeoutMs;
    let last: number | null = null;
    while (Date.now() < deadline) {
      last = await this.value(expr);
      if (accept(last)) return last;
      await sleep(250);
    }
    throw new Error(`${expr} stayed at ${last} for ${timeoutMs} ms\n${this.proc.describeTail(20)}`);
  }

  async stop(): Promise<void> {
    await this.proc.stop({ graceMs: 3000 });
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Starts Prometheus scraping `targets` (host:port) at /metrics every second; resolves once it is ready. */
export async function startPrometheus(targets: readonly string[], extraConfig = ''): Promise<PrometheusHandle> {
  requireBinary(PROMETHEUS_BIN, 'prometheus');
  const dir = mkdtempSync(join(tmpdir(), 'headframe-prom-'));
  const port = await findFreePort();
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    '  - job_name: headframe',
    '    scrape_timeout: 900ms',
    '    static_configs:',
    `      - targets: [${targets.map((t) => JSON.stringify(t)).join(', ')}]`,
    extraConfig,
  ].join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), config);
  const proc = spawnLogged(
    PROMETHEUS_BIN,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { name: `prometheus:${port}`, cwd: dir },
  );
  const handle = new PrometheusHandle(port, proc, dir);
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const ready = await fetch(`${handle.url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      if (ready.ok) return handle;
    } catch {
      // not listening yet
    }
    if (proc.hasExited || Date.now() > deadline) {
      await handle.stop();
      throw new Error(`prometheus did not become ready\n${proc.describeTail(20)}`);
    }
    await sleep(100);
  }
}
