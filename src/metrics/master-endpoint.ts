// Wires the master's /metrics: its own registry, the collector that asks every child, and the listener on
// `global.metrics` (loopback by default: metrics reveal pool internals and are meant for a local Prometheus).
import cluster, { type Worker } from 'node:cluster';
import type { MetricsConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import { ClusterMetricsCollector, type ClusterPort } from './cluster.js';
import type { HeadframeMetrics } from './metrics.js';
import { createProcessMetrics } from './process-registry.js';
import { startMetricsServer } from './server.js';

export interface MasterMetrics {
  readonly metrics: HeadframeMetrics;
  readonly port: number;
  close(): Promise<void>;
}

const nodeCluster: ClusterPort = {
  workers: () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined),
  on: (event, listener) => cluster.on(event, listener),
  off: (event, listener) => cluster.off(event, listener),
};

export async function startMasterMetrics(config: MetricsConfig, logger: Logger): Promise<MasterMetrics> {
  const metrics = createProcessMetrics('master');
  const collector = new ClusterMetricsCollector({ cluster: nodeCluster, registry: metrics.registry });
  try {
    const server = await startMetricsServer({ host: config.host, port: config.port, collect: () => collector.collect(), logger });
    logger.info(`metrics on http://${config.host}:${server.port}/metrics`);
    return {
      metrics,
      port: server.port,
      close: async () => {
        collector.close();
        await server.close();
      },
    };
  } catch (error) {
    collector.close();
    throw error;
  }
}
