// The daemons of one pool, with failover. A daemon that fails at the transport level (or is still warming up) is
// marked down and left alone until a background probe finds it answering again, so a hanging daemon costs one
// timeout, not one per call. An RPC error is the daemon's answer: it is thrown to the caller, never failed over.
import type { DaemonConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import { DaemonError, isUnavailable, RpcErrorCode, type DaemonErrorCode } from './errors.js';
import { RpcClient, type CallOptions, type RpcClientOptions } from './rpc-client.js';
import { isRepeatable, type RpcMethod, type RpcParams, type RpcResult } from './rpc-types.js';

export interface DaemonSetOptions {
  readonly logger: Logger;
  /** Passed to each daemon's RpcClient. */
  readonly client?: Omit<RpcClientOptions, 'logger' | 'onRequest'>;
  /** First re-probe of a down daemon after this many ms (default 500), doubling per failed probe... */
  readonly probeMinMs?: number;
  /** ...up to this many ms (default 15 000). */
  readonly probeMaxMs?: number;
  /** A cheap call every daemon answers (default getblockcount). */
  readonly probeMethod?: string;
  /** Up/down transitions, every HTTP exchange and every failover, for logs and metrics. Must not throw. */
  readonly onEvent?: (event: DaemonSetEvent) => void;
}

export type DaemonSetEvent =
  | { readonly type: 'down'; readonly daemon: string; readonly error: DaemonError }
  | { readonly type: 'up'; readonly daemon: string; readonly downMs: number }
  | {
      readonly type: 'request';
      readonly daemon: string;
      readonly method: string;
      readonly durationMs: number;
      /** Null when the daemon answered with a result. */
      readonly errorCode: DaemonErrorCode | null;
      readonly retry: boolean;
    }
  | { readonly type: 'failover'; readonly method: string; readonly from: string; readonly to: string };

export interface DaemonHealth {
  readonly daemon: string;
  readonly up: boolean;
  readonly lastError: {
    readonly code: DaemonErrorCode;
    readonly message: string;
    readonly rpcCode: number | null;
    readonly at: number;
  } | null;
  /** Smoothed duration of answered calls, ms; null before the first answer. */
  readonly latencyMs: number | null;
  readonly lastAnswerAt: number | null;
  readonly downSince: number | null;
  /** Transport failures (calls and probes) since the daemon last answered. */
  readonly failures: number;
  readonly nextProbeAt: number | null;
}

/** What one daemon said to a `callAll`. */
export type DaemonAnswer<T> =
  | { readonly daemon: string; readonly ok: true; readonly result: T }
  | { readonly daemon: string; readonly ok: false; readonly error: DaemonError };

interface Member {
  readonly client: RpcClient;
  up: boolean;
  failures: number;
  lastError: DaemonHealth['lastError'];
  latencyMs: number | null;
  lastAnswerAt: number | null;
  downSince: number | null;
  probeTimer: NodeJS.Timeout | null;
  nextProbeAt: number | null;
  /**
   * The call a daemon answered "not serving" (-9 no peers, -10 initial block download): its probe repeats that call,
   * since such a daemon answers the usual cheap probe and would flap back up every probe.
   */
  probeCall: { readonly method: string; readonly params: readonly unknown[] } | null;
}

/** Weight of the newest sample in the smoothed latency. */
const LATENCY_WEIGHT = 0.3;

export class DaemonSet {
  private readonly members: readonly Member[];
  private readonly log: Logger;
  private readonly probeMinMs: number;
  private readonly probeMaxMs: number;
  private readonly probeMethod: string;
  private readonly onEvent: ((event: DaemonSetEvent) => void) | undefined;
  private closed = false;

  constructor(daemons: readonly DaemonConfig[], options: DaemonSetOptions) {
    if (daemons.length === 0) throw new Error('a DaemonSet needs at least one daemon');
    this.log = options.logger.child({ component: 'daemons' });
    this.probeMinMs = options.probeMinMs ?? 500;
    this.probeMaxMs = options.probeMaxMs ?? 15_000;
    this.probeMethod = options.probeMethod ?? 'getblockcount';
    this.onEvent = options.onEvent;
    this.members = daemons.map((config) => ({
      client: new RpcClient(config, {
        ...options.client,
        logger: options.logger,
        onRequest: (info) =>
          this.emit({
            type: 'request',
            daemon: info.daemon,
            method: info.method,
            durationMs: info.durationMs,
            errorCode: info.error?.code ?? null,
            retry: info.retry,
          }),
      }),
      up: true,
      failures: 0,
      lastError: null,
      latencyMs: null,
      lastAnswerAt: null,
      downSince: null,
      probeTimer: null,
      nextProbeAt: null,
      probeCall: null,
    }));
  }

  /** `host:port` of every daemon, in configured order. */
  get daemons(): readonly string[] {
    return this.members.map((m) => m.client.label);
  }

  call<M extends RpcMethod>(method: M, params: RpcParams<M>, options?: CallOptions): Promise<RpcResult<M>> {
    return this.callRaw<RpcResult<M>>(method, params, options);
  }

  /**
   * Sends to the first daemon that is up, in configured order (the operator's preference), and moves to the next one
   * when a daemon is unavailable. Down daemons are tried only when none is up. Calls that change state (submitblock,
   * sendmany) move on only when the request certainly never left: a timeout leaves their outcome unknown, and sending
   * them again elsewhere could pay twice, so that error is thrown as it is.
   */
  async callRaw<T = unknown>(method: string, params: readonly unknown[] = [], options?: CallOptions): Promise<T> {
    const repeatable = isRepeatable(method);
    const causes: DaemonError[] = [];
    let previous: Member | null = null;
    for (const member of this.candidates()) {
      if (previous) this.emit({ type: 'failover', method, from: previous.client.label, to: member.client.label });
      try {
        return await this.attempt(member, () => member.client.callRaw<T>(method, params, options), { method, params });
      } catch (err) {
        if (!(err instanceof DaemonError) || !isUnavailable(err)) throw err;
        if (!repeatable && err.requestSent) throw err;
        causes.push(err);
        previous = member;
      }
    }
    throw allDown(method, causes);
  }

  /**
   * Sends to every daemon that is up (to all when none is), in parallel, and reports each answer. For submitblock:
   * each daemon should hear about a found block, and one daemon's failure must not hide another's acceptance.
   */
  async callAll<T = unknown>(
    method: string,
    params: readonly unknown[] = [],
    options?: CallOptions,
  ): Promise<DaemonAnswer<T>[]> {
    const up = this.members.filter((m) => m.up);
    const targets = up.length > 0 ? up : this.members;
    return Promise.all(
      targets.map(async (member): Promise<DaemonAnswer<T>> => {
        const daemon = member.client.label;
        try {
          const result = await this.attempt(member, () => member.client.callRaw<T>(method, params, options), { method, params });
          return { daemon, ok: true, result };
        } catch (err) {
          if (err instanceof DaemonError) return { daemon, ok: false, error: err };
          throw err;
        }
      }),
    );
  }

  health(): DaemonHealth[] {
    return this.members.map((m) => ({
      daemon: m.client.label,
      up: m.up,
      lastError: m.lastError,
      latencyMs: m.latencyMs === null ? null : Math.round(m.latencyMs),
      lastAnswerAt: m.lastAnswerAt,
      downSince: m.downSince,
      failures: m.failures,
      nextProbeAt: m.nextProbeAt,
    }));
  }

  /** Stops probes and closes pooled sockets. Calls in flight finish or time out on their own. */
  close(): void {
    this.closed = true;
    for (const m of this.members) {
      if (m.probeTimer) clearTimeout(m.probeTimer);
      m.probeTimer = null;
      m.nextProbeAt = null;
      m.client.close();
    }
  }

  private candidates(): readonly Member[] {
    const up = this.members.filter((m) => m.up);
    return up.length > 0 ? up : this.members;
  }

  private async attempt<T>(member: Member, send: () => Promise<T>, call: Member['probeCall']): Promise<T> {
    const started = Date.now();
    try {
      const result = await send();
      this.answered(member, Date.now() - started);
      return result;
    } catch (err) {
      if (err instanceof DaemonError) {
        member.lastError = { code: err.code, message: err.message, rpcCode: err.rpcCode, at: Date.now() };
        if (isUnavailable(err)) {
          // Loading its block index (-28) fails every call, the cheap probe included; the others fail only calls like this one.
          // Only a call safe to repeat becomes a probe (never a submitblock or a sendmany).
          if (err.code === 'DAEMON_RPC' && err.rpcCode !== RpcErrorCode.IN_WARMUP && call && isRepeatable(call.method)) member.probeCall = call;
          this.markDown(member, err);
        }
        else if (err.code === 'DAEMON_RPC') this.answered(member, Date.now() - started);
      }
      throw err;
    }
  }

  private answered(member: Member, ms: number): void {
    member.probeCall = null;
    member.latencyMs = member.latencyMs === null ? ms : member.latencyMs + LATENCY_WEIGHT * (ms - member.latencyMs);
    member.lastAnswerAt = Date.now();
    member.failures = 0;
    if (member.probeTimer) clearTimeout(member.probeTimer);
    member.probeTimer = null;
    member.nextProbeAt = null;
    if (member.up) return;
    const downMs = Date.now() - (member.downSince ?? Date.now());
    member.up = true;
    member.downSince = null;
    this.log.info('daemon is answering again', { daemon: member.client.label, downMs });
    this.emit({ type: 'up', daemon: member.client.label, downMs });
  }

  private markDown(member: Member, error: DaemonError): void {
    member.failures += 1;
    if (member.up) {
      member.up = false;
      member.downSince = Date.now();
      this.log.warn('daemon marked down', { daemon: member.client.label, code: error.code, error: error.message });
      this.emit({ type: 'down', daemon: member.client.label, error });
    }
    this.scheduleProbe(member);
  }

  private scheduleProbe(member: Member): void {
    if (this.closed || member.probeTimer) return;
    const delay = Math.min(this.probeMaxMs, this.probeMinMs * 2 ** Math.min(member.failures - 1, 30));
    member.nextProbeAt = Date.now() + delay;
    member.probeTimer = setTimeout(() => {
      member.probeTimer = null;
      member.nextProbeAt = null;
      if (this.closed || member.up) return;
      // attempt() marks the daemon up, or down again with the next, longer delay.
      const call = member.probeCall ?? { method: this.probeMethod, params: [] };
      this.attempt(member, () => member.client.callRaw(call.method, call.params), call).catch(() => undefined);
    }, delay);
    // Probes must never keep a process alive that is otherwise done.
    member.probeTimer.unref();
  }

  private emit(event: DaemonSetEvent): void {
    if (!this.onEvent) return;
    try {
      this.onEvent(event);
    } catch (err) {
      this.log.error('daemon event handler threw', { event: event.type, error: String(err) });
    }
  }
}

function allDown(method: string, causes: readonly DaemonError[]): DaemonError {
  const detail = causes.map((c) => `${c.daemon}: ${c.code}`).join(', ');
  return new DaemonError('DAEMON_ALL_DOWN', `${method}: no daemon available (${detail})`, {
    daemon: causes.map((c) => c.daemon).join(','),
    method,
    requestSent: causes.some((c) => c.requestSent),
    causes,
  });
}
