// Per-connection stratum state. Kept to a handful of fields: 10,000 idle miners must stay cheap.
import type { VarDiff } from './vardiff.js';

/** Jobs whose difficulty a session remembers; older jobs are stale for the mining layer anyway. */
export const JOB_DIFF_SLOTS = 16;

/** Worker names one connection may authorize; proxies multiplex a few, nobody honest needs more. */
export const MAX_WORKERS_PER_CONNECTION = 64;

const WORKER_STRIDE = 3;

export class Session {
  subscribed = false;
  extranonce1: string | null = null;
  /**
   * Authorized logins as triples: the login as the miner sends it, the login shares are credited to (its address part
   * in canonical spelling) and that address; null until the first authorize.
   */
  private workers: string[] | null = null;
  /** The difficulty in force for new work. */
  difficulty: number;
  /** The difficulty the miner was last told (0 before any set_difficulty). */
  sentDifficulty = 0;
  /** BIP310 mask negotiated by mining.configure (0 when the miner never asked). */
  versionMask = 0;
  /** The miner's own wish (mining.suggest_difficulty or a `d=` password), kept for a reload that turns its port vardiff. */
  suggestedDifficulty: number | null = null;
  /** Replaced when the connection moves to a reloaded pool's listener (its port settings may differ). */
  vardiff: VarDiff | null;
  /** Ring of (jobId, difficulty when sent), allocated with the first job. */
  private jobIds: string[] | null = null;
  private jobDiffs: Float64Array | null = null;
  private jobCursor = 0;

  constructor(difficulty: number, vardiff: VarDiff | null) {
    this.difficulty = difficulty;
    this.vardiff = vardiff;
  }

  /** Subscribed and at least one worker authorized: the connection receives jobs. */
  get ready(): boolean {
    return this.subscribed && this.workers !== null;
  }

  get workerCount(): number {
    return this.workers === null ? 0 : this.workers.length / WORKER_STRIDE;
  }

  /** The credited login and address of a login this connection authorized, or null when it never did. */
  worker(login: string): { readonly credited: string; readonly address: string } | null {
    const w = this.workers;
    if (w === null) return null;
    for (let i = 0; i < w.length; i += WORKER_STRIDE) if (w[i] === login) return { credited: w[i + 1], address: w[i + 2] };
    return null;
  }

  /** Returns false when the connection already holds MAX_WORKERS_PER_CONNECTION other logins. */
  addWorker(login: string, credited: string, address: string): boolean {
    if (this.worker(login) !== null) return true;
    if (this.workers === null) this.workers = [];
    if (this.workers.length / WORKER_STRIDE >= MAX_WORKERS_PER_CONNECTION) return false;
    this.workers.push(login, credited, address);
    return true;
  }

  /** Remembers the difficulty in force when `jobId` was sent to this miner. */
  recordJob(jobId: string, difficulty: number): void {
    // '' marks an empty slot; the mining layer never issues it as an id.
    if (jobId.length === 0) return;
    if (this.jobIds === null || this.jobDiffs === null) {
      this.jobIds = new Array<string>(JOB_DIFF_SLOTS).fill('');
      this.jobDiffs = new Float64Array(JOB_DIFF_SLOTS);
    }
    // A re-sent job keeps its slot so the ring is not filled with duplicates.
    for (let i = 0; i < JOB_DIFF_SLOTS; i += 1) {
      if (this.jobIds[i] === jobId) {
        this.jobDiffs[i] = Math.min(this.jobDiffs[i], difficulty);
        return;
      }
    }
    this.jobIds[this.jobCursor] = jobId;
    this.jobDiffs[this.jobCursor] = difficulty;
    this.jobCursor = (this.jobCursor + 1) % JOB_DIFF_SLOTS;
  }

  /**
   * The difficulty a share for `jobId` is judged at: the lower of the one in force when the job was sent and
   * the current one, so work in flight across a difficulty change in either direction still counts.
   */
  difficultyFor(jobId: string): number {
    const ids = this.jobIds;
    const diffs = this.jobDiffs;
    if (ids !== null && diffs !== null && jobId.length > 0) {
      for (let i = 0; i < JOB_DIFF_SLOTS; i += 1) {
        if (ids[i] === jobId) return Math.min(diffs[i], this.difficulty);
      }
    }
    return this.difficulty;
  }
}
