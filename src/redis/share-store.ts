// Turns share-side operations into script calls with their keys: the only place the share path spells KEYS/ARGV.
import type { BlockCandidate, BlockOutcome } from '../mining/block-submitter.js';
import { blockId, HASHRATE_WINDOW_MS, type InvalidKind, type PoolKeys, SHARE_LOG_MAX_LEN, WRITER_MARKER_TTL_SECONDS } from './keys.js';
import type { RedisScripts } from './script-loader.js';

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

/** Script results shared by every record-* script. */
export const APPLIED = 1;
export const ALREADY_APPLIED = 0;
/** An earlier operation of this writer has not been applied: nothing was written. */
export const GAP = -2;
/** record-block-outcome: the block is not recorded. */
export const NO_SUCH_BLOCK = -1;
/** record-block-outcome: verdict 'rejected', the round was merged back. */
export const MERGED_BACK = 2;

export interface ShareStoreOptions {
  readonly scripts: RedisScripts;
  readonly keys: PoolKeys;
  /** Unique per recorder instance (process start): names its writer marker. */
  readonly writerId: string;
  readonly shareLogMaxLen?: number;
  readonly hashrateWindowMs?: number;
}

export class ShareStore {
  private readonly writerKey: string;
  private readonly shareKeys: string[];
  private readonly shareLogMaxLen: string;
  private readonly hashrateWindowMs: string;
  private readonly ttl = String(WRITER_MARKER_TTL_SECONDS);

  constructor(private readonly options: ShareStoreOptions) {
    const k = options.keys;
    this.writerKey = k.writer(options.writerId);
    // Built once: only the worker key changes per share (index 7).
    this.shareKeys = [this.writerKey, k.currentRound.addresses, k.currentRound.workers, k.currentRound.meta, k.shareLog, k.hashrate, k.stats, '', k.workers];
    this.shareLogMaxLen = String(options.shareLogMaxLen ?? SHARE_LOG_MAX_LEN);
    this.hashrateWindowMs = String(options.hashrateWindowMs ?? HASHRATE_WINDOW_MS);
  }

  /** Applies one operation numbered `seq`; resolves with the script's result code. */
  async apply(op: RecordOp, seq: number): Promise<number> {
    const { scripts, keys: k } = this.options;
    let result: unknown;
    switch (op.kind) {
      case 'share': {
        const keys = this.shareKeys.slice();
        keys[7] = k.worker(op.worker);
        result = await scripts.run('record-share', keys, [
          seq, this.ttl, op.address, op.worker, op.units, op.time, this.shareLogMaxLen, this.hashrateWindowMs,
        ]);
        break;
      }
      case 'invalid':
        result = await scripts.run('record-invalid', [this.writerKey, k.stats, k.worker(op.worker)], [seq, this.ttl, op.reason, op.address, op.time]);
        break;
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
    if (typeof result !== 'number') throw new Error(`record script for ${op.kind} answered ${JSON.stringify(result)}`);
    return result;
  }
}
