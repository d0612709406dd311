// One JSON POST with a hard deadline, counted in the outbound metrics. The AbortSignal covers connecting, the headers
// and reading the body, so a server that stalls anywhere fails the call at its deadline instead of hanging the caller.
import type { FailureReason, OutboundMetrics } from '../metrics/outbound.js';
import { recordCall } from '../metrics/outbound.js';

export class OutboundError extends Error {
  constructor(
    message: string,
    readonly reason: FailureReason,
    /** False only when the request certainly never reached the server; a timeout leaves it unknown. */
    readonly maybeDelivered: boolean,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'OutboundError';
  }
}

export interface PostOptions {
  /** Metric label: a small fixed name such as "telegram" or "webhook", never the URL (it may hold a token). */
  readonly target: string;
  readonly method: string;
  readonly timeoutMs: number;
  readonly metrics?: OutboundMetrics;
  /** This attempt repeats an earlier one (counted as a retry). */
  readonly retry?: boolean;
  /** Aborts early on shutdown. */
  readonly signal?: AbortSignal;
  /** Decides whether an answer counts as a failure; by default any non-2xx status is an "http" failure. */
  readonly classify?: (status: number, body: unknown) => FailureReason | null;
}

export interface PostResult {
  readonly status: number;
  /** Parsed JSON, or the raw text when the body is not JSON. */
  readonly body: unknown;
}

function defaultClassify(status: number): FailureReason | null {
  return status >= 200 && status < 300 ? null : 'http';
}

/** Resolves with any HTTP answer (the caller reads API errors from it); rejects with OutboundError on timeout or network failure. */
export async function postJson(url: string, payload: unknown, options: PostOptions): Promise<PostResult> {
  const started = performance.now();
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  let failure: FailureReason | null = null;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal,
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text for the error message
    }
    failure = (options.classify ?? defaultClassify)(response.status, body);
    return { status: response.status, body };
  } catch (error) {
    if (timeout.aborted) {
      failure = 'timeout';
      throw new OutboundError(`${options.target} ${options.method}: no answer within ${options.timeoutMs} ms`, 'timeout', true);
    }
    failure = 'network';
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    // Refused or unresolvable means nothing was sent; anything later (reset mid-answer) may have been delivered.
    const neverSent = cause === 'ECONNREFUSED' || cause === 'ENOTFOUND' || cause === 'EAI_AGAIN';
    throw new OutboundError(`${options.target} ${options.method}: ${cause ?? (error as Error).message}`, 'network', !neverSent);
  } finally {
    if (options.metrics) {
      recordCall(options.metrics, {
        target: options.target,
        method: options.method,
        durationMs: performance.now() - started,
        failure,
        retry: options.retry ?? false,
      });
    }
  }
}
