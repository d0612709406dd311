// Instrumentation shared by every call Headframe makes to another service (daemon RPC, Telegram, webhooks, price
// sources): requests started, retries, failures by reason and a duration histogram, per target and method.
// `target` names a small fixed set (a daemon's host:port, "telegram", "webhook", a price source), never a URL with
// tokens or ids in it.
import { Counter, Histogram, type Registry } from 'prom-client';

/** Why a call failed: no answer in time, a transport error, a non-2xx status, or the service said no. */
export type FailureReason = 'timeout' | 'network' | 'http' | 'api';

/** Seconds; the last bucket is the longest deadline any outbound call is given, so slower means it timed out. */
export const OUTBOUND_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface OutboundMetrics {
  readonly requests: Counter<'target' | 'method'>;
  readonly retries: Counter<'target' | 'method'>;
  readonly failures: Counter<'target' | 'method' | 'reason'>;
  readonly duration: Histogram<'target' | 'method'>;
}

export function createOutboundMetrics(registry: Registry): OutboundMetrics {
  const labelNames = ['target', 'method'] as const;
  return {
    requests: new Counter({
      name: 'headframe_outbound_requests_total',
      help: 'Outbound requests started (retries included).',
      labelNames,
      registers: [registry],
    }),
    retries: new Counter({
      name: 'headframe_outbound_retries_total',
      help: 'Outbound requests that repeated an earlier attempt.',
      labelNames,
      registers: [registry],
    }),
    failures: new Counter({
      name: 'headframe_outbound_failures_total',
      help: 'Outbound requests that failed, by reason (timeout, network, http, api).',
      labelNames: [...labelNames, 'reason'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'headframe_outbound_request_duration_seconds',
      help: 'Duration of outbound requests, failed ones included.',
      labelNames,
      buckets: OUTBOUND_BUCKETS,
      registers: [registry],
    }),
  };
}

export interface CallRecord {
  readonly target: string;
  readonly method: string;
  readonly durationMs: number;
  readonly failure: FailureReason | null;
  readonly retry: boolean;
}

/** Records one finished attempt. Call once per attempt, after it ended either way. */
export function recordCall(metrics: OutboundMetrics, call: CallRecord): void {
  const labels = { target: call.target, method: call.method };
  metrics.requests.inc(labels);
  if (call.retry) metrics.retries.inc(labels);
  if (call.failure) metrics.failures.inc({ ...labels, reason: call.failure });
  metrics.duration.observe(labels, call.durationMs / 1000);
}
