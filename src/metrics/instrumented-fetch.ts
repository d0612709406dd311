// Outbound instrumentation for code that takes a `fetch` (price sources), a DaemonSet `onEvent` (daemons outside
// a pool runtime, e.g. the profit switcher's) or an RpcClient `onRequest` (the payment processor's wallet daemon),
// without changing that code.
import type { DaemonSetEvent } from '../daemon/daemon-set.js';
import type { RequestInfo } from '../daemon/rpc-client.js';
import { daemonFailureReason } from './pool-instrumentation.js';
import { recordCall, type FailureReason, type OutboundMetrics } from './outbound.js';

/**
 * A fetch that records every call under `target` (a fixed name such as "price:coingecko", never the URL: it may carry
 * an API key). The duration covers the answer's headers; a caller's own deadline (AbortSignal) still covers the body.
 */
export function instrumentedFetch(metrics: OutboundMetrics, target: string | ((url: string) => string), base: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const started = performance.now();
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const label = typeof target === 'string' ? target : target(url);
    const method = init?.method ?? 'GET';
    let failure: FailureReason | null = null;
    try {
      const response = await base(input, init);
      if (!response.ok) failure = 'http';
      return response;
    } catch (error) {
      failure = (error as Error).name === 'TimeoutError' || init?.signal?.reason?.name === 'TimeoutError' ? 'timeout' : 'network';
      throw error;
    } finally {
      recordCall(metrics, { target: label, method, durationMs: performance.now() - started, failure, retry: false });
    }
  };
}

/** An RpcClient `onRequest` that records each call (target = the daemon's host:port). */
export function rpcRequestRecorder(metrics: OutboundMetrics): (info: RequestInfo) => void {
  return (info) =>
    recordCall(metrics, {
      target: info.daemon,
      method: info.method,
      durationMs: info.durationMs,
      failure: daemonFailureReason(info.error?.code ?? null),
      retry: info.retry,
    });
}

/** A DaemonSet `onEvent` that records each daemon request (target = the daemon's host:port). */
export function daemonRequestRecorder(metrics: OutboundMetrics): (event: DaemonSetEvent) => void {
  return (event) => {
    if (event.type !== 'request') return;
    recordCall(metrics, {
      target: event.daemon,
      method: event.method,
      durationMs: event.durationMs,
      failure: daemonFailureReason(event.errorCode),
      retry: event.retry,
    });
  };
}
