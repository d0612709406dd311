// mining.submit: shape and authorization checks here, the share itself is judged by the mining backend.
import { performance } from 'node:perf_hooks';
import type { ShareOutcome, ShareSubmission, StratumBackend } from '../mining/types.js';
import type { Connection } from './connection.js';
import { ERR_INTERNAL, ERR_NOT_SUBSCRIBED, ERR_UNAUTHORIZED, stratumError } from './errors.js';
import type { RequestId } from './messages.js';
import { MAX_LOGIN_LENGTH } from './methods.js';

/** Upper bounds on the submit strings; the backend checks exact sizes and hex, these only keep garbage small. */
const MAX_JOB_ID = 64;
const MAX_HEX_PARAM = 64;

const SHAPE_MESSAGE =
  'submit expects ["worker", "job id", "extranonce2", "ntime", "nonce"] and optionally "version bits", all strings';

export interface SubmitHost {
  readonly backend: StratumBackend;
  readonly port: number;
  badParams(conn: Connection, id: RequestId, message: string): void;
  /** A submit that never reached the backend because its worker is not authorized here. */
  onUnauthorizedSubmit(conn: Connection): void;
  /** The backend's verdict, after the miner got its answer. */
  onShareJudged(conn: Connection, submission: ShareSubmission, outcome: ShareOutcome, latencyMs: number): void;
  onBackendFailure(conn: Connection, submission: ShareSubmission, error: unknown): void;
}

function isShortString(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= max;
}

export function handleSubmit(
  host: SubmitHost,
  conn: Connection,
  id: RequestId,
  params: unknown,
): Promise<void> | undefined {
  if (!Array.isArray(params) || (params.length !== 5 && params.length !== 6)) {
    host.badParams(conn, id, SHAPE_MESSAGE);
    return undefined;
  }
  const [worker, jobId, extranonce2, ntime, nonce] = params as unknown[];
  const versionBits: unknown = params.length === 6 ? params[5] : null;
  if (
    !isShortString(worker, MAX_LOGIN_LENGTH) ||
    !isShortString(jobId, MAX_JOB_ID) ||
    !isShortString(extranonce2, MAX_HEX_PARAM) ||
    !isShortString(ntime, MAX_HEX_PARAM) ||
    !isShortString(nonce, MAX_HEX_PARAM) ||
    (versionBits !== null && !isShortString(versionBits, MAX_HEX_PARAM))
  ) {
    host.badParams(conn, id, SHAPE_MESSAGE);
    return undefined;
  }
  const session = conn.session;
  if (!session.subscribed || session.extranonce1 === null) {
    conn.replyError(id, ERR_NOT_SUBSCRIBED);
    return undefined;
  }
  const authorized = session.worker(worker);
  if (authorized === null) {
    // Never credited, never even checked: the name belongs to whoever authorized it elsewhere.
    conn.replyError(id, ERR_UNAUTHORIZED);
    host.onUnauthorizedSubmit(conn);
    return undefined;
  }
  const submission: ShareSubmission = {
    jobId,
    extranonce1: session.extranonce1,
    extranonce2,
    ntime,
    nonce,
    versionBits,
    versionMask: session.versionMask,
    difficulty: session.difficultyFor(jobId),
    workerName: authorized.credited,
    minerAddress: authorized.address,
    ip: conn.ip,
    port: host.port,
  };
  return judge(host, conn, id, submission);
}

/** Never rejects: the connection counts its requests in flight on this promise. */
async function judge(host: SubmitHost, conn: Connection, id: RequestId, submission: ShareSubmission): Promise<void> {
  const started = performance.now();
  // Taken before the first await: the answer keeps its place among this miner's pipelined requests.
  const answer = conn.holdAnswer();
  let outcome: ShareOutcome;
  try {
    outcome = await host.backend.submitShare(submission);
  } catch (error) {
    answer.replyError(id, ERR_INTERNAL);
    host.onBackendFailure(conn, submission, error);
    return;
  }
  const latencyMs = performance.now() - started;
  try {
    if (outcome.ok) answer.reply(id, true);
    else answer.replyError(id, stratumError(outcome.code, outcome.message));
    host.onShareJudged(conn, submission, outcome, latencyMs);
  } catch (error) {
    host.onBackendFailure(conn, submission, error);
  }
}
