// Turns share-side operations into script calls with their keys: the only place the share path spells KEYS/ARGV.
import type { BlockCandidate, BlockOutcome } from '../mining/block-submitter.js';
import { blockId, HASHRATE_BUCKET_MS, HASHRATE_WINDOW_MS, hashrateBucketOf, type InvalidKind, type PoolKeys, SHARE_LOG_MAX_LEN, WORKER_RETENTION_MS, WRITER_MARKER_TTL_SECONDS } from './keys.js';
import type { RedisScripts, ScriptCommand } from './script-loader.js';

export type RecordOp =
  | {
      readonly kind: 'share';
      readonly address: string;
      readonly worker: string;
      /** Work units (keys.ts), integer decimal string. */
      readonly units: string;
      readonly time: number;
    }
  | { readonly kind: 'invalid'; readonly address: string; readonly worker: string; readonly reason: InvalidKind; readonly time: number }
  | { readonly kind: 'block'; readonly candidate: BlockCandidate; readonly time: number }
  | { readonly kind: 'outcome'; readonly outcome: BlockOutcome; readonly time: number };

/** Script results shared by every record-* script (record-shares answers the number applied: 1 for one). */
export const APPLIED = 1;
export const ALREADY_APPLIED = 0;
/** An earlier operation of this writer has not been applied: nothing was written. */
export const GAP = -2;
/** record-block-outcome: the block is not recorded. */
export const NO_SUCH_BLOCK = -1;
/** record-block-outcome: verdict 'rejected', the round was merged back. */
export const MERGED_BACK = 2;

/** Operations that record-shares applies in runs (everything but blocks and their outcomes). */
export type ShareOp = Extract<RecordOp, { kind: 'share' | 'invalid' }>;

export function isShareOp(op: RecordOp): op is ShareOp {
  return op.kind === 'share' || op.kind === 'invalid';
}

/** Fixed leading KEYS of record-shares; then the operations' worker keys, then the call's hashrate buckets. */
const SHARE_FIXED_KEYS = 7;
/** ARGV of record-shares before the five per operation. */
const SHARE_HEAD_ARGS = 6;
const ARGS_PER_OP = 5;

export interface ShareStoreOptions {
  readonly scripts: RedisScripts;
  readonly keys: PoolKeys;
  /** Unique per recorder instance (process start): names its writer marker. */
  readonly writerId: string;
  readonly shareLogMaxLen?: number;
  /** How long a hashrate bucket outlives its last write (default: HASHRATE_WINDOW_MS plus one bucket). */
  readonly hashrateWindowMs?: number;
  /** How long a worker's counters and its place in the workers set outlive its last share (default WORKER_RETENTION_MS). */
  readonly workerRetentionMs?: number;
}

export class ShareStore {
  private readonly writerKey: string;
  private readonly recordShares: ScriptCommand;
  /** Key count placeholder, the fixed keys, then the head of ARGV: copied into each call's argument list. */
  private readonly fixedKeys: string[];
  private readonly headArgs: string[];
  private readonly ttl = String(WRITER_MARKER_TTL_SECONDS);

  constructor(private readonly options: ShareStoreOptions) {
    const k = options.keys;
    this.writerKey = k.writer(options.writerId);
    this.recordShares = options.scripts.variadic('record-shares');
    const cur = k.currentRound;
    this.fixedKeys = [this.writerKey, cur.addresses, cur.workers, cur.meta, k.shareLog, k.stats, k.workers];
    this.headArgs = [
      this.ttl,
      String(options.shareLogMaxLen ?? SHARE_LOG_MAX_LEN),
      String((options.hashrateWindowMs ?? HASHRATE_WINDOW_MS) + HASHRATE_BUCKET_MS),
      String(options.workerRetentionMs ?? WORKER_RETENTION_MS),
    ];
  }

  /**
   * Applies share operations numbered firstSeq, firstSeq+1, … in one script call. Resolves with the number applied
   * now (0 when all were applied before) or GAP.
   */
  applyMany(ops: readonly ShareOp[], firstSeq: number): Promise<number> {
    const n = ops.length;
    if (n === 0) return Promise.resolve(0);
    const k = this.options.keys;
    // The distinct hashrate buckets of the call's accepted shares: one in nearly every call (the shares of one
    // event-loop turn), more only when a drained outage queue spans minutes.
    let firstBucket = -1;
    let buckets: number[] | null = null;
    for (let i = 0; i < n; i++) {
      const op = ops[i];
      if (op.kind !== 'share') continue;
      const bucket = hashrateBucketOf(op.time);
      if (firstBucket === -1) firstBucket = bucket;
      else if (bucket !== firstBucket && (buckets ??= [firstBucket]).indexOf(bucket) === -1) buckets.push(bucket);
    }
    const m = buckets !== null ? buckets.length : firstBucket === -1 ? 0 : 1;
    // One flat argument list, written in place: [numkeys, KEYS…, ARGV…]. This runs for every share, so it avoids
    // per-share arrays and string building beyond the worker key.
    const keysEnd = 1 + SHARE_FIXED_KEYS + n + m;
    const args: (string | number)[] = new Array(keysEnd + SHARE_HEAD_ARGS + ARGS_PER_OP * n);
    args[0] = SHARE_FIXED_KEYS + n + m;
    const fixed = this.fixedKeys;
    for (let i = 0; i < SHARE_FIXED_KEYS; i++) args[1 + i] = fixed[i];
    if (buckets !== null) for (let j = 0; j < m; j++) args[1 + SHARE_FIXED_KEYS + n + j] = k.hashrateBucket(buckets[j]);
    else if (m === 1) args[1 + SHARE_FIXED_KEYS + n] = k.hashrateBucket(firstBucket);
    args[keysEnd] = firstSeq;
    args[keysEnd + 1] = this.headArgs[0];
    args[keysEnd + 2] = this.headArgs[1];
    args[keysEnd + 3] = this.headArgs[2];
    args[keysEnd + 4] = n;
    args[keysEnd + 5] = this.headArgs[3];
    let at = keysEnd + SHARE_HEAD_ARGS;
    for (let i = 0; i < n; i++) {
      const op = ops[i];
      args[1 + SHARE_FIXED_KEYS + i] = k.worker(op.worker);
      args[at++] = op.address;
      args[at++] = op.worker;
      args[at++] = op.kind === 'share' ? op.units : op.reason;
      args[at++] = op.time;
      // 1-based index among the call's bucket keys; 0 for a rejected share, which has no hashrate.
      args[at++] = op.kind !== 'share' ? 0 : buckets === null ? 1 : buckets.indexOf(hashrateBucketOf(op.time)) + 1;
    }
    return this.recordShares(...args).then(checkCode);
  }

  get writerId(): string {
    return this.options.writerId;
  }

  /**
   * Moves this writer's marker up to `last` when it is below (record-writer-advance.lua); resolves with the marker
   * found (-1: none). Only for operations Redis acknowledged and then lost: see ShareRecorder.
   */
  advanceMarker(last: number): Promise<number> {
    return this.options.scripts.run('record-writer-advance', [this.writerKey], [last, this.ttl]).then(checkCode);
  }

  /** Applies one operation numbered `seq`; resolves with the script's result code. */
  async apply(op: RecordOp, seq: number): Promise<number> {
    const { scripts, keys: k } = this.options;
    let result: unknown;
    switch (op.kind) {
      case 'share':
      case 'invalid':
        return this.applyMany([op], seq);
      case 'block': {
        const c = op.candidate;
        const closed = k.round(c.height, c.blockHash);
        const cur = k.currentRound;
        result = await scripts.run(
          'record-block',
          [this.writerKey, cur.addresses, cur.workers, cur.meta, closed.addresses, closed.workers, closed.meta, k.block(c.height, c.blockHash), k.blocksPending, k.shareLog],
          [seq, this.ttl, c.pool, c.height, c.blockHash, c.coinbaseTxid, c.reward.toString(), c.minerAddress, c.workerName,
            String(c.shareDifficulty), c.jobId, c.foundAt, op.time],
        );
        break;
      }
      case 'outcome': {
        const o = op.outcome;
        const c = o.candidate;
        const closed = k.round(c.height, c.blockHash);
        const cur = k.currentRound;
        result = await scripts.run(
          'record-block-outcome',
          [this.writerKey, k.block(c.height, c.blockHash), k.blocksPending, k.blocksRejected, closed.addresses, closed.workers, closed.meta, cur.addresses, cur.workers, cur.meta],
          [seq, this.ttl, o.verdict, op.time, o.confirmations ?? '', Math.round(o.submitMs), JSON.stringify(o.answers), blockId(c.height, c.blockHash), c.height],
        );
        break;
      }
    }
    return checkCode(result);
  }
}

function checkCode(result: unknown): number {
  if (typeof result !== 'number') throw new Error(`record script answered ${JSON.stringify(result)}`);
  return result;
}
