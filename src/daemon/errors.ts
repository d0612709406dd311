// One error class for everything that can go wrong talking to a coin daemon. Callers branch on `code`
// (transport trouble vs. an answer) and, for answers, on the daemon's own `rpcCode`.

export type DaemonErrorCode =
  /** The deadline passed before a complete answer arrived (connect, headers and body all count). */
  | 'DAEMON_TIMEOUT'
  /** The socket failed: refused, reset, DNS, closed before the answer was complete. */
  | 'DAEMON_NETWORK'
  /** A non-2xx HTTP status without a JSON-RPC error body (401 bad credentials, 403 rpcallowip, 503 work queue full). */
  | 'DAEMON_HTTP'
  /** The daemon answered with a JSON-RPC error; `rpcCode` holds its code. */
  | 'DAEMON_RPC'
  /** The body was not JSON, not JSON-RPC shaped, too large, or did not match the request ids. */
  | 'DAEMON_BAD_RESPONSE'
  /** Every daemon of a set failed with a transport problem; `causes` holds each one's error. */
  | 'DAEMON_ALL_DOWN';

/** Bitcoin Core error codes the pool branches on (src/rpc/protocol.h in Bitcoin Core and Litecoin Core). */
export const RpcErrorCode = {
  MISC_ERROR: -1,
  TYPE_ERROR: -3,
  INVALID_ADDRESS_OR_KEY: -5,
  INVALID_PARAMETER: -8,
  CLIENT_NOT_CONNECTED: -9,
  CLIENT_IN_INITIAL_DOWNLOAD: -10,
  WALLET_ERROR: -4,
  WALLET_INSUFFICIENT_FUNDS: -6,
  WALLET_NOT_FOUND: -18,
  DESERIALIZATION_ERROR: -22,
  VERIFY_ERROR: -25,
  /** Answered while the daemon is still loading its block index: it is not really serving yet. */
  IN_WARMUP: -28,
  METHOD_NOT_FOUND: -32601,
  INVALID_REQUEST: -32600,
  PARSE_ERROR: -32700,
} as const;

export interface DaemonErrorDetails {
  /** `host:port` of the daemon, or the set's description for DAEMON_ALL_DOWN. */
  readonly daemon: string;
  readonly method: string;
  readonly rpcCode?: number | null;
  readonly httpStatus?: number | null;
  /**
   * False only when the request certainly never reached the daemon (the connection was never established), which
   * makes it safe to send a non-idempotent call such as submitblock or sendmany somewhere else.
   */
  readonly requestSent?: boolean;
  readonly causes?: readonly DaemonError[];
  readonly cause?: unknown;
}

export class DaemonError extends Error {
  override readonly name = 'DaemonError';
  readonly code: DaemonErrorCode;
  readonly daemon: string;
  readonly method: string;
  readonly rpcCode: number | null;
  readonly httpStatus: number | null;
  readonly requestSent: boolean;
  readonly causes: readonly DaemonError[];

  constructor(code: DaemonErrorCode, message: string, details: DaemonErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.daemon = details.daemon;
    this.method = details.method;
    this.rpcCode = details.rpcCode ?? null;
    this.httpStatus = details.httpStatus ?? null;
    this.requestSent = details.requestSent ?? true;
    this.causes = details.causes ?? [];
  }
}

export function isDaemonError(err: unknown): err is DaemonError {
  return err instanceof DaemonError;
}

/** True when `err` is the daemon's JSON-RPC answer with the given code, e.g. `isRpcError(err, -9)`. */
export function isRpcError(err: unknown, rpcCode?: number): err is DaemonError {
  return isDaemonError(err) && err.code === 'DAEMON_RPC' && (rpcCode === undefined || err.rpcCode === rpcCode);
}

/** RPC answers that mean "not serving now" rather than "no": loading its block index (every call), and for
 * getblocktemplate no peers (-9) or still in initial block download (-10), where a pool must not mine on its tip. */
const NOT_SERVING: ReadonlySet<number | null | undefined> = new Set([
  RpcErrorCode.IN_WARMUP,
  RpcErrorCode.CLIENT_NOT_CONNECTED,
  RpcErrorCode.CLIENT_IN_INITIAL_DOWNLOAD,
]);

/**
 * Whether the failure says "this daemon is not serving" (try another one, mark it down) rather than "this daemon
 * answered no". A primary restarted with -reindex or cut off from its peers must not keep the pool on a stale job
 * while a healthy backup is configured.
 */
export function isUnavailable(err: unknown): boolean {
  if (!isDaemonError(err)) return false;
  if (err.code === 'DAEMON_RPC') return NOT_SERVING.has(err.rpcCode);
  return err.code !== 'DAEMON_ALL_DOWN';
}
