// The mining side of one pool as the stratum layer sees it: extranonces, address checks, the current job and
// the share check. Block candidates leave here for the submitter the moment they are found; the miner's answer
// does not wait for the daemon. An accepted share is answered only once the sink has kept it (recorded or queued),
// so a crash never loses a share a miner was told counts.
import { EventEmitter } from 'node:events';
import type { PoolConfig } from '../config/types.js';
import type { PowAlgorithm } from '../algorithms/types.js';
import { canonicalAddressOrNull } from '../blockchain/bitcoin/address.js';
import { sha256d } from '../algorithms/sha256d.js';
import type { Logger } from '../log/logger.js';
import type { BlockCandidate, BlockOutcome, BlockSubmitter } from './block-submitter.js';
import type { ExtranonceAllocator } from './extranonce.js';
import type { JobManager } from './job-manager.js';
import { forgetShare, ShareValidator, type ShareCheck } from './share-validator.js';
import type { JobNotification, ShareOutcome, ShareRejectReason, ShareSubmission, StratumBackend } from './types.js';

/** Where shares and blocks are kept (the Redis share recorder in a pool worker). Calls are ordered. */
export interface ShareSink {
  /** Resolves true once the share is kept, false when it cannot be (the miner is told it was not accepted). */
  recordShare(address: string, worker: string, difficulty: number): Promise<boolean>;
  recordInvalid(address: string, worker: string, reason: ShareRejectReason): void;
  recordBlock(candidate: BlockCandidate): Promise<boolean>;
  recordBlockOutcome(outcome: BlockOutcome): Promise<boolean>;
}

const NOT_RECORDED: ShareOutcome = { ok: false, code: 20, reason: 'internal-error', message: 'Share could not be recorded, please retry' };

export interface PoolBackendEvents {
  blockCandidate: [candidate: BlockCandidate];
  /** A daemon took the block (submitblock answered null); `block` follows once the outcome is confirmed. */
  blockAccepted: [candidate: BlockCandidate];
  block: [outcome: BlockOutcome];
}

export interface PoolBackendOptions {
  readonly pool: PoolConfig;
  readonly algorithm: PowAlgorithm;
  readonly jobs: JobManager;
  readonly extranonces: ExtranonceAllocator;
  readonly submitter: BlockSubmitter;
  readonly extranonce1Size: number;
  readonly extranonce2Size: number;
  readonly logger: Logger;
  readonly sink: ShareSink;
  readonly now?: () => number;
  /** Hashes headers off the event loop (a worker-thread pool); without it the algorithm hashes inline. */
  readonly hasher?: (header: Buffer) => Promise<Buffer>;
}

export class PoolBackend extends EventEmitter<PoolBackendEvents> implements StratumBackend {
  readonly extranonce2Size: number;
  private readonly validator: ShareValidator;
  private readonly network;
  private readonly log: Logger;
  /** Address checks are pure but not free (base58/bech32 + sha256); miners re-authorize the same few addresses. */
  private readonly addressCache = new Map<string, string | null>();
  /** Shares being checked and blocks being submitted: work whose records must reach the sink before it closes. */
  private working = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: PoolBackendOptions) {
    super();
    this.extranonce2Size = options.extranonce2Size;
    this.network = options.pool.coin.networks[options.pool.network];
    this.log = options.logger.child({ component: 'shares' });
    this.validator = new ShareValidator({
      algorithm: options.algorithm,
      extranonce1Size: options.extranonce1Size,
      extranonce2Size: options.extranonce2Size,
      now: options.now,
    });
  }

  allocateExtranonce1(): string {
    return this.options.extranonces.allocate();
  }

  releaseExtranonce1(extranonce1: string): void {
    this.options.extranonces.release(extranonce1);
  }

  payoutAddress(address: string): string | null {
    let payout = this.addressCache.get(address);
    if (payout === undefined) {
      payout = canonicalAddressOrNull(address, this.network);
      if (this.addressCache.size > 10_000) this.addressCache.clear();
      this.addressCache.set(address, payout);
    }
    return payout;
  }

  currentJob(): JobNotification | null {
    return this.options.jobs.currentJob?.notification ?? null;
  }

  async submitShare(share: ShareSubmission): Promise<ShareOutcome> {
    this.working++;
    try {
      return await this.checkAndKeep(share);
    } finally {
      this.workDone();
    }
  }

  /**
   * Resolves once every share in check and every block in submission has handed its records to the sink (or after
   * `timeoutMs`), with how many were still unfinished. A reload closes the old runtime's recorder only after this:
   * a share that was hashing while its miner moved to the new runtime is still recorded and answered true.
   */
  settle(timeoutMs: number): Promise<number> {
    if (this.working === 0) return Promise.resolve(0);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve(this.working);
      };
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
        resolve(this.working);
      }, timeoutMs);
      this.idleWaiters.push(done);
    });
  }

  private workDone(): void {
    if (--this.working > 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  private async checkAndKeep(share: ShareSubmission): Promise<ShareOutcome> {
    const job = this.options.jobs.getJob(share.jobId);
    const hasher = this.options.hasher;
    let check: ShareCheck;
    if (hasher) {
      const prepared = this.validator.prepare(share, job);
      if (prepared.ok) {
        let hash: Buffer;
        try {
          hash = await hasher(prepared.header);
        } catch (err) {
          // Never judged: the miner is told to retry (internal error), so the retry must not be a duplicate.
          if (job) forgetShare(job, prepared.header);
          throw err;
        }
        check = this.validator.judge(prepared, hash);
      } else {
        check = prepared;
      }
    } else {
      check = this.validator.check(share, job);
    }
    if (!check.ok) {
      this.options.sink.recordInvalid(share.minerAddress, share.workerName, check.reason);
      return check;
    }
    // Issued before the block record, so the finding share belongs to the round the block closes.
    const recorded = this.options.sink.recordShare(share.minerAddress, share.workerName, check.difficulty);
    if (check.blockHash && job) {
      const candidate: BlockCandidate = {
        pool: this.options.pool.id,
        height: job.template.height,
        blockHash: check.blockHash,
        coinbaseTxid: Buffer.from(sha256d(check.coinbase)).reverse().toString('hex'),
        reward: job.template.coinbaseValue,
        minerAddress: share.minerAddress,
        workerName: share.workerName,
        shareDifficulty: check.shareDifficulty,
        jobId: share.jobId,
        foundAt: (this.options.now ?? Date.now)(),
      };
      const blockHex = job.template.serializeBlock(check.header, check.coinbase).toString('hex');
      this.emit('blockCandidate', candidate);
      // Recorded the moment it is known, next to submitblock: a crash in between never loses a block.
      void this.options.sink.recordBlock(candidate);
      this.working++;
      void this.submitBlock(candidate, blockHex).finally(() => this.workDone());
    }
    if (!(await recorded)) {
      // NOT_RECORDED asks for a retry, which must not then be refused as a duplicate. A block keeps its place in the
      // seen set: it is already at the daemons, and a second submission would only be a "duplicate" there.
      if (job && !check.blockHash) forgetShare(job, check.header);
      return NOT_RECORDED;
    }
    return { ok: true, difficulty: check.difficulty, shareDifficulty: check.shareDifficulty, blockHash: check.blockHash };
  }

  private async submitBlock(candidate: BlockCandidate, blockHex: string): Promise<void> {
    try {
      // Our own block moved the chain: fetch the next template the moment a daemon took it, rather than waiting
      // for the confirming lookup, a poll or blocknotify.
      let refreshed = false;
      const outcome = await this.options.submitter.submit(candidate, blockHex, () => {
        refreshed = true;
        void this.options.jobs.refresh('block-found', candidate.blockHash);
        this.emit('blockAccepted', candidate);
      });
      void this.options.sink.recordBlockOutcome(outcome);
      this.emit('block', outcome);
      // A daemon that answered "duplicate" or "inconclusive" did not trigger the early refresh, yet the chain moved.
      if (!refreshed && outcome.verdict !== 'rejected') void this.options.jobs.refresh('block-found', candidate.blockHash);
    } catch (err) {
      this.log.error(`block ${candidate.blockHash} submission failed: ${(err as Error).message}`);
    }
  }
}
