// The share check, in the order that rejects cheap mistakes before paying for a hash: sizes and hex,
// job, ntime window, version bits, duplicate (keyed on the header itself, so no encoding trick passes twice),
// then the hash against the block target first and the share target second.
import type { PowAlgorithm } from '../algorithms/types.js';
import { meetsTarget, difficultyToTarget, targetToLEBuffer } from '../algorithms/targets.js';
import { blockHashHex } from '../blockchain/bitcoin/hash.js';
import type { ActiveJob } from './job-manager.js';
import type { ShareRejectReason, ShareSubmission } from './types.js';

export interface Rejection {
  readonly ok: false;
  readonly code: 20 | 21 | 22 | 23;
  readonly reason: ShareRejectReason;
  readonly message: string;
}

/** A share that passed every check before the hash. */
export interface PreparedShare {
  readonly ok: true;
  readonly header: Buffer;
  readonly coinbase: Buffer;
  readonly difficulty: number;
  readonly blockTargetLE: Buffer;
}

export type ShareCheck =
  | Rejection
  | {
      readonly ok: true;
      readonly difficulty: number;
      readonly shareDifficulty: number;
      readonly header: Buffer;
      readonly coinbase: Buffer;
      /** Block hash in RPC order when the share meets the network target, else null. */
      readonly blockHash: string | null;
    };

export interface ShareValidatorOptions {
  readonly algorithm: PowAlgorithm;
  readonly extranonce1Size: number;
  readonly extranonce2Size: number;
  /** Seconds a share's ntime may run ahead of the pool's clock (Bitcoin Core allows two hours). */
  readonly maxFutureSeconds?: number;
  readonly now?: () => number;
}

const HEX8 = /^[0-9a-f]{8}$/;
const TWO_POW_32 = 2 ** 32;
/** Distinct share difficulties whose targets are cached; vardiff produces few, a bound keeps abuse harmless. */
const TARGET_CACHE_LIMIT = 4096;

function normalizeHex(share: ShareSubmission): ShareSubmission {
  return {
    ...share,
    extranonce2: share.extranonce2.toLowerCase(),
    ntime: share.ntime.toLowerCase(),
    nonce: share.nonce.toLowerCase(),
    versionBits: share.versionBits === null ? null : share.versionBits.toLowerCase(),
  };
}

function reject(code: 20 | 21 | 22 | 23, reason: ShareRejectReason, message: string): Rejection {
  return { ok: false, code, reason, message };
}

export class ShareValidator {
  private readonly targetCache = new Map<number, Buffer>();
  private readonly extranonce2Pattern: RegExp;
  private readonly extranonce1Pattern: RegExp;
  private readonly maxFutureSeconds: number;
  private readonly now: () => number;
  /** diff1 as a double, for the credited-difficulty estimate. */
  private readonly diff1: number;

  constructor(private readonly options: ShareValidatorOptions) {
    this.extranonce2Pattern = new RegExp(`^[0-9a-f]{${options.extranonce2Size * 2}}$`);
    this.extranonce1Pattern = new RegExp(`^[0-9a-f]{${options.extranonce1Size * 2}}$`);
    this.maxFutureSeconds = options.maxFutureSeconds ?? 7200;
    this.now = options.now ?? Date.now;
    this.diff1 = Number(options.algorithm.diff1);
  }

  /** The whole check with the algorithm's own (synchronous) hash. */
  check(submitted: ShareSubmission, job: ActiveJob | undefined): ShareCheck {
    const prepared = this.prepare(submitted, job);
    return prepared.ok ? this.judge(prepared, this.options.algorithm.hash(prepared.header)) : prepared;
  }

  /**
   * Every check that comes before the hash, ending with the duplicate check; the caller hashes
   * `header` (on this thread or another) and hands the hash to `judge`.
   */
  prepare(submitted: ShareSubmission, job: ActiveJob | undefined): PreparedShare | Rejection {
    // Hex is case-insensitive to miners; normalizing first means an upper-case resubmission builds the very
    // same header and meets the duplicate check instead of slipping past it.
    const share = normalizeHex(submitted);
    if (!this.extranonce2Pattern.test(share.extranonce2)) {
      return reject(20, 'bad-extranonce2', `Incorrect size of extranonce2: expected ${this.options.extranonce2Size * 2} hex characters`);
    }
    if (!job) return reject(21, 'job-not-found', 'Job not found');
    if (!HEX8.test(share.ntime)) return reject(20, 'bad-ntime', 'Incorrect size of ntime: expected 8 hex characters');
    const ntime = parseInt(share.ntime, 16);
    if (ntime < job.template.curtime || ntime > this.now() / 1000 + this.maxFutureSeconds) {
      return reject(20, 'ntime-out-of-range', 'ntime out of range');
    }
    if (!HEX8.test(share.nonce)) return reject(20, 'bad-nonce', 'Incorrect size of nonce: expected 8 hex characters');
    let version = job.template.version;
    if (share.versionBits !== null) {
      if (!HEX8.test(share.versionBits)) return reject(20, 'bad-version-bits', 'Invalid version bits: expected 8 hex characters');
      const bits = parseInt(share.versionBits, 16);
      if ((bits & ~share.versionMask) !== 0) return reject(20, 'bad-version-bits', 'Version bits outside the negotiated mask');
      version = ((version & ~share.versionMask) | (bits & share.versionMask)) >>> 0;
    }
    if (!this.extranonce1Pattern.test(share.extranonce1)) {
      return reject(20, 'internal-error', 'Connection has no valid extranonce1');
    }

    const coinbase = job.template.coinbase(Buffer.from(share.extranonce1, 'hex'), Buffer.from(share.extranonce2, 'hex'));
    const header = job.template.header(job.template.merkleRoot(coinbase), ntime, parseInt(share.nonce, 16), version);
    const key = seenKey(header);
    if (job.seenHeaders.has(key)) return reject(22, 'duplicate', 'Duplicate share');
    job.seenHeaders.add(key);
    return { ok: true, header, coinbase, difficulty: share.difficulty, blockTargetLE: job.blockTargetLE };
  }

  /** Block target first, then the share target. */
  judge(prepared: PreparedShare, hash: Buffer): ShareCheck {
    const shareDifficulty = this.hashDifficulty(hash);
    const isBlock = meetsTarget(hash, prepared.blockTargetLE);
    if (!isBlock && !meetsTarget(hash, this.shareTarget(prepared.difficulty))) {
      return reject(23, 'low-difficulty', `Low difficulty share of ${shareDifficulty.toPrecision(6)}`);
    }
    return {
      ok: true,
      difficulty: prepared.difficulty,
      shareDifficulty,
      header: prepared.header,
      coinbase: prepared.coinbase,
      blockHash: isBlock ? blockHashHex(prepared.header) : null,
    };
  }

  private shareTarget(difficulty: number): Buffer {
    let target = this.targetCache.get(difficulty);
    if (!target) {
      if (this.targetCache.size >= TARGET_CACHE_LIMIT) this.targetCache.clear();
      target = targetToLEBuffer(difficultyToTarget(difficulty, this.options.algorithm));
      this.targetCache.set(difficulty, target);
    }
    return target;
  }

  /** diff1 / hash from the hash's top 64 bits: plenty of precision for logs and stats, no bigint per share. */
  private hashDifficulty(hash: Buffer): number {
    const top = hash.readUInt32LE(28) * TWO_POW_32 + hash.readUInt32LE(24);
    if (top === 0) return Number.POSITIVE_INFINITY;
    return this.diff1 / (top * 2 ** 192);
  }
}

/** The duplicate-check key of a header: its 80 bytes as a string (a Set of strings compares by content). */
const seenKey = (header: Buffer): string => header.toString('latin1');

/** Takes a share back out of its job's duplicate set, for a share that was never judged or never recorded. */
export function forgetShare(job: Pick<ActiveJob, 'seenHeaders'>, header: Buffer): void {
  job.seenHeaders.delete(seenKey(header));
}
