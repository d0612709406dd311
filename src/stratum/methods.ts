// The stratum methods other than submit. Every handler validates its params itself and answers exactly once;
// anything a hostile miner can put in `params` ends in an error 20, never an exception.
import type { VarDiffConfig } from '../config/types.js';
import type { StratumBackend } from '../mining/types.js';
import type { Connection } from './connection.js';
import { ERR_UNAUTHORIZED, stratumError, StratumErrorCode, unsupportedMethod } from './errors.js';
import type { RequestId } from './messages.js';
import { clamp } from './vardiff.js';

/** BIP310 bits the pool lets miners roll (the range ASICs use; see design/protocol.md). */
export const POOL_VERSION_MASK = 0x1fffe000;

/** Longest `address.worker` login accepted; real ones are well under 150 characters. */
export const MAX_LOGIN_LENGTH = 256;

/** What the methods need from their server. */
export interface MethodHost {
  readonly backend: StratumBackend;
  /** Null on a fixed-difficulty port. */
  readonly varDiff: VarDiffConfig | null;
  /** Answers error 20 with `message` and counts the line as malformed. */
  badParams(conn: Connection, id: RequestId, message: string): void;
  /** Makes `diff` the connection's difficulty; tells the miner at once when it already receives jobs. */
  applyDifficulty(conn: Connection, diff: number): void;
  /** Sends the difficulty and the current job (clean) to a connection that just became ready. */
  sendInitialWork(conn: Connection): void;
  submit(conn: Connection, id: RequestId, params: unknown): Promise<void> | undefined;
}

/** Routes one request. Returns a promise only for methods answered asynchronously. */
export function dispatchMethod(
  host: MethodHost,
  conn: Connection,
  id: RequestId,
  method: string,
  params: unknown,
): Promise<void> | undefined {
  switch (method) {
    case 'mining.submit':
      return host.submit(conn, id, params);
    case 'mining.subscribe':
      subscribe(host, conn, id, params);
      return undefined;
    case 'mining.authorize':
      authorize(host, conn, id, params);
      return undefined;
    case 'mining.configure':
      configure(host, conn, id, params);
      return undefined;
    case 'mining.suggest_difficulty':
      suggestDifficulty(host, conn, id, params);
      return undefined;
    case 'mining.extranonce.subscribe':
      // We never change a live connection's extranonce, so accepting the subscription promises nothing.
      conn.reply(id, true);
      return undefined;
    case 'mining.get_transactions':
      // Miners cannot use the list for anything we would honour; an empty one keeps old clients happy.
      conn.reply(id, []);
      return undefined;
    default:
      conn.replyError(id, unsupportedMethod(method));
      return undefined;
  }
}

/** `params` as a list: a missing or null params means none. Anything else that is not an array: null. */
export function paramList(params: unknown): readonly unknown[] | null {
  if (params === undefined || params === null) return [];
  return Array.isArray(params) ? params : null;
}

function isAbsent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

function subscribe(host: MethodHost, conn: Connection, id: RequestId, params: unknown): void {
  const p = paramList(params);
  if (p === null || (!isAbsent(p[0]) && typeof p[0] !== 'string') || (!isAbsent(p[1]) && typeof p[1] !== 'string')) {
    host.badParams(conn, id, 'subscribe expects ["user agent", "session id"], both optional strings');
    return;
  }
  const session = conn.session;
  // A repeated subscribe gets the same extranonce1: handing out another would orphan the miner's current work.
  if (session.extranonce1 === null) session.extranonce1 = host.backend.allocateExtranonce1();
  const wasReady = session.ready;
  session.subscribed = true;
  const sid = conn.id.toString(16);
  conn.reply(id, [
    [
      ['mining.set_difficulty', sid],
      ['mining.notify', sid],
    ],
    session.extranonce1,
    host.backend.extranonce2Size,
  ]);
  if (!wasReady && session.ready) host.sendInitialWork(conn);
}

function authorize(host: MethodHost, conn: Connection, id: RequestId, params: unknown): void {
  const p = paramList(params);
  const login = p?.[0];
  if (p === null || typeof login !== 'string' || login.length === 0 || login.length > MAX_LOGIN_LENGTH) {
    host.badParams(conn, id, `authorize expects ["address.worker", "password"], login 1-${MAX_LOGIN_LENGTH} chars`);
    return;
  }
  const password = p[1];
  if (!isAbsent(password) && typeof password !== 'string') {
    host.badParams(conn, id, 'authorize password must be a string');
    return;
  }
  const dot = login.indexOf('.');
  const typed = dot === -1 ? login : login.slice(0, dot);
  const address = typed.length === 0 ? null : host.backend.payoutAddress(typed);
  if (address === null) {
    conn.replyError(id, ERR_UNAUTHORIZED);
    return;
  }
  const credited = address === typed ? login : address + login.slice(typed.length);
  const session = conn.session;
  const wasReady = session.ready;
  if (!session.addWorker(login, credited, address)) {
    conn.replyError(id, stratumError(StratumErrorCode.Other, 'Too many workers on this connection'));
    return;
  }
  conn.reply(id, true);
  const suggested = typeof password === 'string' ? difficultyFromPassword(password) : null;
  if (suggested !== null) session.suggestedDifficulty = suggested;
  if (suggested !== null && host.varDiff !== null) host.applyDifficulty(conn, clampToPort(host.varDiff, suggested));
  if (!wasReady && session.ready) host.sendInitialWork(conn);
}

/** The `d=<diff>` option of a password such as "x,d=512"; null when absent or not a positive number. */
export function difficultyFromPassword(password: string): number | null {
  for (const part of password.split(',')) {
    const token = part.trim();
    if (!token.startsWith('d=')) continue;
    const value = Number(token.slice(2));
    if (Number.isFinite(value) && value > 0) return value;
  }
  return null;
}

function clampToPort(varDiff: VarDiffConfig, diff: number): number {
  return clamp(diff, varDiff.minDiff, varDiff.maxDiff);
}

function suggestDifficulty(host: MethodHost, conn: Connection, id: RequestId, params: unknown): void {
  const p = paramList(params);
  const value = p?.[0];
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    host.badParams(conn, id, 'suggest_difficulty expects [positive number]');
    return;
  }
  conn.reply(id, true);
  conn.session.suggestedDifficulty = value;
  // Fixed-difficulty ports promise one difficulty to everyone on them: a suggestion is acknowledged, not applied.
  if (host.varDiff !== null) host.applyDifficulty(conn, clampToPort(host.varDiff, value));
}

const HEX_MASK = /^[0-9a-fA-F]{1,8}$/;

function configure(host: MethodHost, conn: Connection, id: RequestId, params: unknown): void {
  const p = paramList(params);
  const extensions = p?.[0];
  const options = p?.[1] ?? {};
  if (
    !Array.isArray(extensions) ||
    extensions.length > 32 ||
    !extensions.every((e) => typeof e === 'string' && e.length <= 64) ||
    typeof options !== 'object' ||
    Array.isArray(options)
  ) {
    host.badParams(conn, id, 'configure expects [["extension", ...], {options}]');
    return;
  }
  // Null prototype: an extension named "__proto__" must become a key, not replace the prototype.
  const result: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const ext of extensions as string[]) {
    if (ext !== 'version-rolling') {
      result[ext] = false;
      continue;
    }
    const requested = (options as Record<string, unknown>)['version-rolling.mask'];
    if (!isAbsent(requested) && (typeof requested !== 'string' || !HEX_MASK.test(requested))) {
      result[ext] = 'version-rolling.mask must be up to 8 hex digits';
      continue;
    }
    const minerMask = typeof requested === 'string' ? Number.parseInt(requested, 16) : 0xffffffff;
    const mask = (POOL_VERSION_MASK & minerMask) >>> 0;
    conn.session.versionMask = mask;
    result[ext] = true;
    result['version-rolling.mask'] = mask.toString(16).padStart(8, '0');
  }
  conn.reply(id, result);
}
