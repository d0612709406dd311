// Turns a daemon's HTTP answer into a result or a DaemonError. bitcoind-family daemons send JSON-RPC errors with
// HTTP 500 (404 for an unknown method) and a JSON body, so the body is read whatever the status.
import { DaemonError } from './errors.js';
import type { BatchItem, RpcRequest } from './rpc-types.js';

interface Context {
  readonly daemon: string;
  readonly method: string;
}

export function parseSingleAnswer(status: number, body: string, id: number, ctx: Context): unknown {
  const parsed = parseJson(body);
  if (isObject(parsed)) {
    const rpcError = errorOf(parsed, ctx);
    if (rpcError) throw rpcError;
  }
  if (status !== 200) throw httpError(status, body, ctx);
  if (!isObject(parsed)) throw bad(ctx, `answer is not a JSON-RPC object: ${snippet(body)}`);
  if (parsed.id !== id) throw bad(ctx, `answer id ${JSON.stringify(parsed.id)} does not match request id ${id}`);
  if (!('result' in parsed)) throw bad(ctx, 'answer has neither result nor error');
  return parsed.result;
}

/** Answers come back matched to their request by id; the daemon's order is not relied on. */
export function parseBatchAnswer(
  status: number,
  body: string,
  ids: readonly number[],
  calls: readonly RpcRequest[],
  ctx: Context,
): BatchItem[] {
  const parsed = parseJson(body);
  // A single error object instead of an array: the daemon refused the batch as a whole.
  if (isObject(parsed)) {
    const rpcError = errorOf(parsed, ctx);
    if (rpcError) throw rpcError;
  }
  if (status !== 200) throw httpError(status, body, ctx);
  if (!Array.isArray(parsed)) throw bad(ctx, `batch answer is not an array: ${snippet(body)}`);
  const slot = new Map(ids.map((id, i) => [id, i]));
  const items: (BatchItem | undefined)[] = new Array(ids.length).fill(undefined);
  for (const entry of parsed) {
    const index = isObject(entry) && typeof entry.id === 'number' ? slot.get(entry.id) : undefined;
    if (!isObject(entry) || index === undefined || items[index] !== undefined) {
      throw bad(ctx, `batch answer has an entry for no pending request: ${snippet(JSON.stringify(entry))}`);
    }
    const entryCtx = { daemon: ctx.daemon, method: calls[index].method };
    const rpcError = errorOf(entry, entryCtx);
    if (rpcError) items[index] = { ok: false, error: rpcError };
    else if ('result' in entry) items[index] = { ok: true, result: entry.result };
    else throw bad(ctx, `batch entry ${entry.id} has neither result nor error`);
  }
  const missing = items.findIndex((item) => item === undefined);
  if (missing >= 0) throw bad(ctx, `batch answer lacks an entry for ${calls[missing].method} (id ${ids[missing]})`);
  return items as BatchItem[];
}

function errorOf(answer: Record<string, unknown>, ctx: Context): DaemonError | null {
  const error = answer.error;
  if (error === null || error === undefined) return null;
  if (isObject(error) && typeof error.code === 'number') {
    const message = typeof error.message === 'string' ? error.message : '(no message)';
    return new DaemonError('DAEMON_RPC', `${ctx.daemon} ${ctx.method}: rpc error ${error.code} ${message}`, {
      daemon: ctx.daemon,
      method: ctx.method,
      rpcCode: error.code,
    });
  }
  return bad(ctx, `malformed error field: ${snippet(JSON.stringify(error))}`);
}

const HTTP_HINTS: Readonly<Record<number, string>> = {
  401: 'check rpcuser/rpcpassword',
  403: "the daemon's rpcallowip does not include this host",
  503: "the daemon's RPC work queue is full",
};

function httpError(status: number, body: string, ctx: Context): DaemonError {
  const hint = HTTP_HINTS[status] ? ` (${HTTP_HINTS[status]})` : '';
  const text = body.trim() ? `: ${snippet(body)}` : '';
  return new DaemonError('DAEMON_HTTP', `${ctx.daemon} ${ctx.method}: HTTP ${status}${hint}${text}`, {
    daemon: ctx.daemon,
    method: ctx.method,
    httpStatus: status,
  });
}

function bad(ctx: Context, message: string): DaemonError {
  return new DaemonError('DAEMON_BAD_RESPONSE', `${ctx.daemon} ${ctx.method}: ${message}`, {
    daemon: ctx.daemon,
    method: ctx.method,
  });
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Keeps log lines short and on one line, whatever the daemon (or something pretending to be one) sent. */
function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 160)}...` : flat;
}
