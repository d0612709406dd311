// The registry each Headframe process (master or child) owns: prom-client's default process metrics, build info,
// and every Headframe metric definition. One per process, passed down explicitly; prom-client's global registry
// is never used.
import { readFileSync } from 'node:fs';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { FORK_ID_ENV } from '../master/supervisor.js';
import { createMetrics, type HeadframeMetrics } from './metrics.js';

function packageVersion(): string {
  // dist/metrics/ and .build/src/metrics/ sit two or three levels below the package root.
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'headframe' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not there; try the next level
    }
  }
  return 'unknown';
}

/**
 * The fork slot the supervisor started this child in (its environment). The master has none and is slot 0, like
 * every role that runs once.
 */
export function forkSlotFromEnvironment(env: NodeJS.ProcessEnv = process.env): number {
  const fork = Number(env[FORK_ID_ENV]);
  return Number.isInteger(fork) && fork >= 0 ? fork : 0;
}

/**
 * A fresh registry with default metrics, build info and `headframe_process_up` set for this process. Every series
 * it exports carries `role` and `fork`: the slot, not the pid, so a child restarted in the same slot continues its
 * predecessor's series (one counter reset, which Prometheus handles) instead of starting new ones each time.
 */
export function createProcessMetrics(role: string, fork: number = forkSlotFromEnvironment()): HeadframeMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ role, fork: String(fork) });
  collectDefaultMetrics({ register: registry });
  const buildInfo = new Gauge({
    name: 'headframe_build_info',
    help: 'Headframe version and Node.js runtime; always 1.',
    labelNames: ['version', 'nodejs'],
    registers: [registry],
  });
  buildInfo.set({ version: packageVersion(), nodejs: process.version }, 1);
  const metrics = createMetrics(registry);
  metrics.processUp.set({ role }, 1);
  return metrics;
}
