// The registry each Headframe process (master or child) owns: prom-client's default process metrics, build info,
// and every Headframe metric definition. One per process, passed down explicitly; prom-client's global registry
// is never used.
import { readFileSync } from 'node:fs';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
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

/** A fresh registry with default metrics, build info and `headframe_process_up{role}` set for this process. */
export function createProcessMetrics(role: string): HeadframeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const buildInfo = new Gauge({
    name: 'headframe_build_info',
    help: 'Headframe version and Node.js runtime; always 1.',
    labelNames: ['version', 'nodejs'],
    aggregator: 'max',
    registers: [registry],
  });
  buildInfo.set({ version: packageVersion(), nodejs: process.version }, 1);
  const metrics = createMetrics(registry);
  metrics.processUp.set({ role }, 1);
  return metrics;
}
