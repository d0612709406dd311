// One scrape sees the whole pool: the master asks every child for its registry over the cluster IPC channel and
// puts the answers next to its own registry in one exposition.
//
// Nothing is added up. Every process labels its series with its role and fork slot (process-registry.ts), so each
// series belongs to one process: a child that restarts resets only its own series, and a child that misses a scrape
// leaves a gap in its own. A sum taken here would fall by a child's whole lifetime total in either case, and
// Prometheus reads that fall as a counter reset, counting everything after it as new (blocks that were never found, a
// hashrate spike). Aggregation across processes is the queries' job (`sum by (pool)`, `max by (pool)`).
//
// Why not AggregatorRegistry#clusterMetrics(): it leaves out the master's own metrics, reads prom-client's global
// registry list (module state), and fails the whole scrape after a fixed 5 s when one child is busy. Here a child that
// does not answer within the deadline is left out of that scrape (and counted), so a stuck fork cannot blind the
// operator to the others. The messages carry no `hf` tag, so our IPC routers pass over them as foreign.
import type { Worker } from 'node:cluster';
import { AggregatorRegistry, Gauge, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client';

const REQUEST = 'headframe:metrics-req';
const RESPONSE = 'headframe:metrics-res';

type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

interface MetricsRequest {
  readonly type: typeof REQUEST;
  readonly id: number;
}

interface MetricsResponse {
  readonly type: typeof RESPONSE;
  readonly id: number;
  readonly metrics?: MetricsJson;
  readonly error?: string;
}

/** The IPC end a child uses (its `process`). */
export interface ParentPort {
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
  send?(message: unknown): boolean;
}

/** Child side: answers the master's metric requests with this process's registry. Returns the unsubscribe. */
export function answerMetricRequests(registry: Registry, port: ParentPort = process as unknown as ParentPort): () => void {
  const listener = (message: unknown): void => {
    const request = message as Partial<MetricsRequest> | null;
    if (request?.type !== REQUEST || typeof request.id !== 'number') return;
    const id = request.id;
    registry.getMetricsAsJSON().then(
      (metrics) => port.send?.({ type: RESPONSE, id, metrics } satisfies MetricsResponse),
      (error: unknown) => port.send?.({ type: RESPONSE, id, error: String(error) } satisfies MetricsResponse),
    );
  };
  port.on('message', listener);
  return () => port.off('message', listener);
}

/** The master's view of its cluster: which children exist and how to hear from them. */
export interface ClusterPort {
  workers(): readonly Worker[];
  on(event: 'message', listener: (worker: Worker, message: unknown) => void): unknown;
  off(event: 'message', listener: (worker: Worker, message: unknown) => void): unknown;
}

export interface ClusterCollectorOptions {
  readonly cluster: ClusterPort;
  /** The master's own registry, merged into every scrape. */
  readonly registry: Registry;
  /** How long a scrape waits for children (default 2000 ms, well below Prometheus' default 10 s scrape timeout). */
  readonly timeoutMs?: number;
}

interface Pending {
  readonly waiting: Set<number>;
  readonly answers: MetricsJson[];
  readonly finish: () => void;
}

/**
 * With every series labelled by its process, aggregate() only has to put one metric's series from every process under
 * one HELP and TYPE. 'first' makes sure it combines nothing: prom-client's own aggregators would average or omit some
 * default metrics (process_start_time_seconds, which shows restarts per process).
 */
function asOwnSeries(metrics: MetricsJson): MetricsJson {
  return metrics.map((metric) => ({ ...metric, aggregator: 'first' }));
}

export class ClusterMetricsCollector {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly timeoutMs: number;
  private readonly missing: Gauge;
  private readonly onMessage = (worker: Worker, message: unknown): void => this.receive(worker, message);

  constructor(private readonly options: ClusterCollectorOptions) {
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.missing = new Gauge({
      name: 'headframe_metrics_missing_processes',
      help: 'Child processes that did not answer the last metrics collection in time.',
      registers: [options.registry],
    });
    options.cluster.on('message', this.onMessage);
  }

  /** Prometheus text exposition of every process that answered in time, merged. */
  async collect(): Promise<string> {
    const id = this.nextId++;
    const targets = this.options.cluster.workers().filter((w) => w.isConnected());
    const answers: MetricsJson[] = [];
    const waiting = new Set<number>();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(finish, this.timeoutMs);
      function finish(): void {
        clearTimeout(timer);
        resolve();
      }
      this.pending.set(id, { waiting, answers, finish });
      for (const worker of targets) {
        try {
          if (worker.send({ type: REQUEST, id } satisfies MetricsRequest)) waiting.add(worker.id);
        } catch {
          // A child that exited between the listing and the send is simply left out of this scrape.
        }
      }
      if (waiting.size === 0) finish();
    });
    this.pending.delete(id);
    this.missing.set(waiting.size);
    const own = await this.options.registry.getMetricsAsJSON();
    return AggregatorRegistry.aggregate([own, ...answers].map(asOwnSeries)).metrics();
  }

  close(): void {
    this.options.cluster.off('message', this.onMessage);
    for (const p of this.pending.values()) p.finish();
  }

  private receive(worker: Worker, message: unknown): void {
    const response = message as Partial<MetricsResponse> | null;
    if (response?.type !== RESPONSE || typeof response.id !== 'number') return;
    const pending = this.pending.get(response.id);
    if (!pending || !pending.waiting.delete(worker.id)) return;
    if (Array.isArray(response.metrics)) pending.answers.push(response.metrics);
    if (pending.waiting.size === 0) pending.finish();
  }
}
