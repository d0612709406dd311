// Turns the daemon's block templates into stratum jobs. A new previous block makes a clean job (every older job is
// dropped, so shares for them are stale); the same block is re-templated on jobRebroadcastTimeout so miners pick up
// new transactions and a fresh curtime. Template fetches are single-flight: a blocknotify that arrives while a
// fetch is running queues exactly one more fetch instead of a pile of them.
import { randomBytes } from 'node:crypto';
import type { PoolConfig } from '../config/types.js';
import type { DaemonSet } from '../daemon/daemon-set.js';
import type { BlockTemplate } from '../daemon/rpc-types.js';
import type { Logger } from '../log/logger.js';
import { JOB_SALT_BYTES } from '../blockchain/bitcoin/coinbase.js';
import { JobTemplate } from '../blockchain/bitcoin/job-template.js';
import type { CoinbaseRecipient } from '../blockchain/bitcoin/reward-split.js';
import { targetToLEBuffer } from '../algorithms/targets.js';
import type { JobNotification } from './types.js';

/** A job miners may still submit shares for. */
export interface ActiveJob {
  readonly template: JobTemplate;
  readonly notification: JobNotification;
  /** Network target as the 32-byte little-endian buffer the share check compares against. */
  readonly blockTargetLE: Buffer;
  /** Headers already submitted for this job (80-byte latin1 strings): the duplicate check. */
  readonly seenHeaders: Set<string>;
}

export interface JobManagerOptions {
  readonly pool: PoolConfig;
  readonly daemons: DaemonSet;
  readonly payoutScript: Buffer;
  readonly recipients: readonly CoinbaseRecipient[];
  readonly extranonce1Size: number;
  readonly extranonce2Size: number;
  readonly logger: Logger;
  /** Called with every new job, in order. */
  readonly onJob: (job: JobNotification, active: ActiveJob) => void;
  readonly now?: () => number;
  /**
   * Number of the first job minus one (default 0). A reloaded pool's new manager starts past the old one's ids, so
   * a share that a switching-port miner (who stays connected) sends for an old job is "job not found", never
   * judged against an unrelated new job that happens to reuse its id.
   */
  readonly jobNumberBase?: number;
}

/** Same-block jobs kept for in-flight shares after a refresh; older ones answer "job not found". */
const MAX_SAME_BLOCK_JOBS = 8;

export type RefreshReason = 'start' | 'poll' | 'blocknotify' | 'block-found' | 'rebroadcast';

/** How long templates from a shorter chain than the current job's are ignored before the pool follows them. */
export const LOWER_TIP_GRACE_MS = 10_000;

export class JobManager {
  private readonly jobs = new Map<string, ActiveJob>();
  private current: ActiveJob | null = null;
  private jobCounter = 0;
  private lastJobAt = 0;
  private inFlight: Promise<void> | null = null;
  /** The follow-up fetch queued behind the running one, with the new tip its caller named (if any). */
  private again: { readonly reason: RefreshReason; readonly tip: string | null } | null = null;
  /**
   * The tip the running fetch was started after (a block this pool just had accepted, a blocknotify): its template
   * builds on that block, so another announcement of the same block needs no fetch of its own.
   */
  private fetchingTip: string | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private lastFailureLog = 0;
  /** When templates first came back on a shorter chain than the current job's (see LOWER_TIP_GRACE_MS). */
  private lowerTipSince: number | null = null;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly rules: string[];

  constructor(private readonly options: JobManagerOptions) {
    this.now = options.now ?? Date.now;
    this.jobCounter = options.jobNumberBase ?? 0;
    this.log = options.logger.child({ component: 'jobs' });
    this.rules = options.pool.coin.mweb ? ['mweb', 'segwit'] : options.pool.coin.segwit ? ['segwit'] : [];
  }

  /**
   * Fetches a first template, then polls: a daemon that does not answer yet (still starting) is asked again every
   * second until it does. Resolves after the first attempt, whether or not it gave a job.
   */
  async start(): Promise<void> {
    await this.refresh('start');
    this.schedulePoll();
  }

  stop(): void {
    this.stopped = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  get currentJob(): ActiveJob | null {
    return this.current;
  }

  getJob(jobId: string): ActiveJob | undefined {
    return this.jobs.get(jobId);
  }

  /**
   * Fetches a template now. Concurrent calls share the running fetch plus at most one follow-up. `tipHash` (RPC
   * byte order) names the block that caused the call: when the current job already builds on it, or the running
   * fetch started after it, nothing more is fetched. The pool's own block reaches it three times (its submit
   * answer, the daemon's blocknotify, the relay from another fork): one getblocktemplate is enough.
   */
  refresh(reason: RefreshReason, tipHash: string | null = null): Promise<void> {
    if (tipHash !== null && this.current?.template.prevHashRpc === tipHash) return Promise.resolve();
    if (this.inFlight) {
      if (tipHash !== null && tipHash === this.fetchingTip) return this.inFlight;
      this.again = { reason, tip: tipHash };
      return this.inFlight;
    }
    this.inFlight = this.fetchLoop(reason, tipHash).finally(() => {
      this.inFlight = null;
      this.fetchingTip = null;
    });
    return this.inFlight;
  }

  private async fetchLoop(first: RefreshReason, firstTip: string | null): Promise<void> {
    let next: { readonly reason: RefreshReason; readonly tip: string | null } | null = { reason: first, tip: firstTip };
    while (next && !this.stopped) {
      this.fetchingTip = next.tip;
      this.again = null;
      await this.fetchOnce(next.reason);
      next = this.again;
    }
  }

  private async fetchOnce(reason: RefreshReason): Promise<void> {
    let template: BlockTemplate;
    try {
      template = await this.options.daemons.call('getblocktemplate', [{ rules: this.rules }]);
    } catch (err) {
      // Polling retries on its own; log at most every 10 s so a dead daemon does not flood the log.
      const now = this.now();
      if (now - this.lastFailureLog > 10_000) {
        this.lastFailureLog = now;
        this.log.warn(`getblocktemplate failed (${reason}): ${(err as Error).message}`, { code: (err as { code?: string }).code });
      }
      return;
    }
    this.consider(template, reason);
  }

  /** Decides whether a template becomes a new job. Public for tests that feed templates directly. */
  consider(template: BlockTemplate, reason: RefreshReason): void {
    const now = this.now();
    const newBlock = !this.current || this.current.template.prevHashRpc !== template.previousblockhash;
    const behind = newBlock && this.current !== null && template.height < this.current.template.height;
    if (!behind) this.lowerTipSince = null;
    const rebroadcastDue = now - this.lastJobAt >= this.options.pool.jobRebroadcastTimeout * 1000;
    if (!newBlock && !rebroadcastDue && reason !== 'rebroadcast') return;
    if (!newBlock && this.current && template.height < this.current.template.height) return;
    if (behind && this.current) {
      // A backup daemon that lags a block (the primary failed over) would switch every miner back to the old tip and
      // clear their live jobs until the primary answers again. A shorter chain that persists is followed after all.
      this.lowerTipSince ??= now;
      if (now - this.lowerTipSince < LOWER_TIP_GRACE_MS) {
        this.log.warn(`template at height ${template.height} is behind the current job's ${this.current.template.height}: not followed yet`, { prev: template.previousblockhash });
        return;
      }
    }
    this.lowerTipSince = null;

    const jobId = (++this.jobCounter).toString(16);
    let jobTemplate: JobTemplate;
    try {
      jobTemplate = new JobTemplate(template, {
        jobId,
        payoutScript: this.options.payoutScript,
        recipients: this.options.recipients,
        poolTag: this.options.pool.poolTag,
        extranonce1Size: this.options.extranonce1Size,
        extranonce2Size: this.options.extranonce2Size,
        mweb: this.options.pool.coin.mweb,
        jobSalt: randomBytes(JOB_SALT_BYTES),
      });
    } catch (err) {
      this.log.error(`cannot build a job from the template at height ${template.height}: ${(err as Error).message}`);
      return;
    }
    const notification: JobNotification = { jobId, params: jobTemplate.notifyParams(newBlock), cleanJobs: newBlock };
    const active: ActiveJob = {
      template: jobTemplate,
      notification,
      blockTargetLE: targetToLEBuffer(jobTemplate.target),
      seenHeaders: new Set(),
    };
    if (newBlock) this.jobs.clear();
    this.jobs.set(jobId, active);
    while (this.jobs.size > MAX_SAME_BLOCK_JOBS) {
      const oldest = this.jobs.keys().next().value as string;
      this.jobs.delete(oldest);
    }
    this.current = active;
    this.lastJobAt = now;
    if (newBlock) {
      this.log.info(`new block template at height ${template.height}: job ${jobId} with ${template.transactions.length} transactions`, {
        prev: template.previousblockhash,
        reason,
      });
    }
    this.options.onJob(notification, active);
  }

  private schedulePoll(): void {
    if (this.stopped) return;
    const interval = this.options.pool.blockRefreshInterval;
    // Without polling (blocknotify only) the rebroadcast timer still needs a tick.
    let delay = interval > 0 ? interval : this.options.pool.jobRebroadcastTimeout * 1000;
    // Until the first template arrives (daemon still starting), keep asking every second.
    if (!this.current) delay = Math.min(delay, 1000);
    this.pollTimer = setTimeout(() => {
      const due = this.now() - this.lastJobAt >= this.options.pool.jobRebroadcastTimeout * 1000;
      void this.refresh(due ? 'rebroadcast' : 'poll').finally(() => this.schedulePoll());
    }, delay);
    this.pollTimer.unref();
  }
}
