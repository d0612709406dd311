// JSON-RPC over HTTP to one coin daemon. Every call has a deadline; every failure becomes a DaemonError.
import http from 'node:http';
import type { DaemonConfig } from '../config/types.js';
import type { Logger } from '../log/logger.js';
import { DaemonError } from './errors.js';
import { httpPost } from './http-post.js';
import { parseBatchAnswer, parseSingleAnswer } from './response.js';
import {
  isRepeatable,
  type BatchItem,
  type RpcMethod,
  type RpcParams,
  type RpcRequest,
  type RpcResult,
} from './rpc-types.js';

export interface RpcClientOptions {
  readonly logger: Logger;
  /** Bitcoin-family daemons speak 1.0; Bitcoin Core 28+ also accepts 2.0. */
  readonly jsonRpcVersion?: '1.0' | '2.0';
  /** Upper bound on pooled keep-alive sockets to this daemon (default 4; bitcoind serves 4 RPC threads by default). */
  readonly maxSockets?: number;
  /**
   * Idle pooled sockets are closed after this many ms (default 10 000). It must stay below the daemon's own idle
   * close (bitcoind -rpcservertimeout, 30 s) so we rarely pick a socket the daemon is just closing.
   */
  readonly idleSocketMs?: number;
  /** Answers above this size are refused (default 64 MiB; a verbose getblock of a full block is a few MB). */
  readonly maxResponseBytes?: number;
  /** Called after every HTTP exchange, for metrics: duration and the error code or null on success. */
  readonly onRequest?: (info: RequestInfo) => void;
}

export interface RequestInfo {
  readonly daemon: string;
  readonly method: string;
  readonly durationMs: number;
  /** Null when the daemon answered; an RPC error answer is still an answer, so it is reported here too. */
  readonly error: DaemonError | null;
  /** True for the one extra attempt made after a pooled socket turned out to be closed. */
  readonly retry: boolean;
}

export interface CallOptions {
  /** Send to `/wallet/<name>`: `true` uses the daemon's configured wallet (the root path when none is configured). */
  readonly wallet?: string | true;
  /** Overrides the daemon's `timeoutMs` for this call (e.g. a longer one for sendmany). */
  readonly timeoutMs?: number;
}

interface Exchange {
  readonly method: string;
  readonly body: string;
  readonly repeatable: boolean;
  readonly options: CallOptions | undefined;
}

export class RpcClient {
  /** `host:port`, used in errors, logs and metric labels. */
  readonly label: string;
  private readonly config: DaemonConfig;
  private readonly log: Logger;
  private readonly version: '1.0' | '2.0';
  private readonly maxResponseBytes: number;
  private readonly onRequest: ((info: RequestInfo) => void) | undefined;
  private readonly auth: string;
  /** Reused sockets for repeatable calls; one-off calls get a connection of their own (see send()). */
  private readonly agent: http.Agent;
  private nextId = 1;

  constructor(config: DaemonConfig, options: RpcClientOptions) {
    this.config = config;
    this.label = `${config.host}:${config.port}`;
    this.log = options.logger.child({ component: 'daemon', daemon: this.label });
    this.version = options.jsonRpcVersion ?? '1.0';
    this.maxResponseBytes = options.maxResponseBytes ?? 64 * 1024 * 1024;
    this.onRequest = options.onRequest;
    this.auth = `Basic ${Buffer.from(`${config.user}:${config.password}`).toString('base64')}`;
    this.agent = new http.Agent({
      keepAlive: true,
      maxSockets: options.maxSockets ?? 4,
      maxFreeSockets: options.maxSockets ?? 4,
      timeout: options.idleSocketMs ?? 10_000,
    });
  }

  /** A call the pool knows the shape of: params and result are typed by the method name. */
  call<M extends RpcMethod>(method: M, params: RpcParams<M>, options?: CallOptions): Promise<RpcResult<M>> {
    return this.callRaw<RpcResult<M>>(method, params, options);
  }

  /** Any other call; the caller states what it expects back. */
  async callRaw<T = unknown>(method: string, params: readonly unknown[] = [], options?: CallOptions): Promise<T> {
    const id = this.nextId++;
    const body = JSON.stringify(this.envelope(id, method, params));
    return this.exchange({ method, body, repeatable: isRepeatable(method), options }, (status, text) =>
      parseSingleAnswer(status, text, id, { daemon: this.label, method }) as T,
    );
  }

  /**
   * Several calls in one HTTP request. Resolves with one item per call, in the order given; an RPC error for one entry
   * is an `{ok: false}` item. Rejects only when the exchange as a whole failed (timeout, network, bad answer).
   */
  async batch(calls: readonly RpcRequest[], options?: CallOptions): Promise<BatchItem[]> {
    if (calls.length === 0) return [];
    const firstId = this.nextId;
    this.nextId += calls.length;
    const ids = calls.map((_, i) => firstId + i);
    const body = JSON.stringify(calls.map((c, i) => this.envelope(ids[i], c.method, c.params ?? [])));
    const method = batchLabel(calls);
    const repeatable = calls.every((c) => isRepeatable(c.method));
    return this.exchange({ method, body, repeatable, options }, (status, text) =>
      parseBatchAnswer(status, text, ids, calls, { daemon: this.label, method }),
    );
  }

  /** Closes pooled sockets; calls still in flight finish or time out on their own. */
  close(): void {
    this.agent.destroy();
  }

  private envelope(id: number, method: string, params: readonly unknown[]): Record<string, unknown> {
    return { jsonrpc: this.version, id, method, params };
  }

  private path(options: CallOptions | undefined): string {
    const wallet = options?.wallet === true ? this.config.wallet : options?.wallet;
    return wallet ? `/wallet/${encodeURIComponent(wallet)}` : '/';
  }

  /**
   * Repeatable calls use the keep-alive pool and get one more try when the pooled socket had been closed by the
   * daemon. One-off calls (submitblock, sendmany) open their own connection, so a stale socket can never fail them and
   * their outcome is never in doubt because of our pooling.
   */
  private async exchange<R>(ex: Exchange, parse: (status: number, body: string) => R): Promise<R> {
    const timeoutMs = ex.options?.timeoutMs ?? this.config.timeoutMs;
    const deadline = Date.now() + timeoutMs;
    const headers = { Authorization: this.auth, 'Content-Type': 'application/json' };
    for (let attempt = 0; ; attempt++) {
      const started = Date.now();
      const outcome = await httpPost({
        host: this.config.host,
        port: this.config.port,
        path: this.path(ex.options),
        headers,
        body: ex.body,
        timeoutMs: Math.max(1, deadline - started),
        agent: ex.repeatable ? this.agent : false,
        maxResponseBytes: this.maxResponseBytes,
        daemon: this.label,
        method: ex.method,
      });
      if (!outcome.ok && outcome.staleSocket && ex.repeatable && attempt === 0 && Date.now() < deadline) {
        // Counted for metrics, but not a failure worth a warning: the daemon closed an idle socket, nothing more.
        this.onRequest?.({
          daemon: this.label,
          method: ex.method,
          durationMs: Date.now() - started,
          error: outcome.error,
          retry: false,
        });
        this.log.debug('pooled socket was closed by the daemon, sending again', { method: ex.method });
        continue;
      }
      let result: R;
      try {
        if (!outcome.ok) throw outcome.error;
        result = parse(outcome.status, outcome.body);
      } catch (err) {
        this.report(ex.method, started, err, attempt);
        throw err;
      }
      this.report(ex.method, started, null, attempt);
      return result;
    }
  }

  private report(method: string, started: number, err: unknown, attempt: number): void {
    const ms = Date.now() - started;
    const error = err instanceof DaemonError ? err : null;
    this.onRequest?.({ daemon: this.label, method, durationMs: ms, error, retry: attempt > 0 });
    if (!error) {
      this.log.debug('rpc answered', { method, ms });
      return;
    }
    const meta = { method, ms, code: error.code, rpcCode: error.rpcCode, httpStatus: error.httpStatus };
    // An RPC error is an answer the caller branches on and logs if it matters; transport trouble is ours to report.
    if (error.code === 'DAEMON_RPC') this.log.debug(`rpc error: ${error.message}`, meta);
    else this.log.warn(`rpc failed: ${error.message}`, meta);
  }
}

function batchLabel(calls: readonly RpcRequest[]): string {
  const methods = [...new Set(calls.map((c) => c.method))];
  return `batch(${methods.join(',')})`;
}
