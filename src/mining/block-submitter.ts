// Sends a block candidate to every healthy daemon at once (latency decides orphan risk) and asks the daemon
// whether the block is now on its main chain. Only a daemon's own word makes a block "accepted".
import type { DaemonSet } from '../daemon/daemon-set.js';
import type { BlockInfo } from '../daemon/rpc-types.js';
import type { Logger } from '../log/logger.js';

export interface BlockCandidate {
  readonly pool: string;
  readonly height: number;
  /** RPC byte order. */
  readonly blockHash: string;
  /** RPC byte order. */
  readonly coinbaseTxid: string;
  /** Coinbase value (subsidy plus fees) in base units. */
  readonly reward: bigint;
  readonly minerAddress: string;
  readonly workerName: string;
  /** Difficulty the finding share was credited at. */
  readonly shareDifficulty: number;
  readonly jobId: string;
  readonly foundAt: number;
}

export type BlockVerdict =
  /** On the daemon's main chain. */
  | 'accepted'
  /** Valid, but another block at this height won (submitblock "inconclusive" or off the main chain). */
  | 'stale'
  /** The daemon refused it (high-hash, bad-cb-..., decode failure). */
  | 'rejected'
  /** No daemon could be asked; the block may or may not be in. */
  | 'unknown';

export interface BlockOutcome {
  readonly candidate: BlockCandidate;
  readonly verdict: BlockVerdict;
  /** What each daemon answered to submitblock: null (accepted) or its reason/error text. */
  readonly answers: readonly { readonly daemon: string; readonly answer: string | null }[];
  readonly confirmations: number | null;
  readonly submitMs: number;
}

export class BlockSubmitter {
  private readonly log: Logger;

  constructor(
    private readonly daemons: DaemonSet,
    logger: Logger,
  ) {
    this.log = logger.child({ component: 'blocks' });
  }

  /**
   * `onSubmitted` runs as soon as the daemons have answered submitblock, before the confirming getblock: a daemon
   * that took the block already builds on it, so the next template can be fetched in parallel.
   */
  async submit(candidate: BlockCandidate, blockHex: string, onSubmitted?: () => void): Promise<BlockOutcome> {
    const started = performance.now();
    this.log.info(`block candidate ${candidate.blockHash} at height ${candidate.height} from ${candidate.workerName}: submitting`);
    const replies = await this.daemons.callAll<string | null>('submitblock', [blockHex]);
    const submitMs = performance.now() - started;
    if (replies.some((r) => r.ok && holdsBlock(r.result))) onSubmitted?.();
    const answers = replies.map((r) => ({
      daemon: r.daemon,
      answer: r.ok ? r.result : `${r.error.code}${r.error.rpcCode !== undefined && r.error.rpcCode !== null ? ` ${r.error.rpcCode}` : ''}: ${r.error.message}`,
    }));

    let info: BlockInfo | null = null;
    try {
      info = await this.daemons.call('getblock', [candidate.blockHash, 1]);
    } catch {
      // Not known to the daemon (or no daemon answered): the submit answers decide below.
    }
    const verdict = decideVerdict(info, replies.map((r) => (r.ok ? r.result : undefined)));
    const outcome: BlockOutcome = { candidate, verdict, answers, confirmations: info?.confirmations ?? null, submitMs };
    const line = `block ${candidate.blockHash} at height ${candidate.height}: ${verdict} (submit ${submitMs.toFixed(1)} ms)`;
    if (verdict === 'accepted') this.log.info(line, { answers });
    else this.log.warn(line, { answers });
    return outcome;
  }
}

/** submitblock answers that mean the daemon holds the block as valid: taken now, or already known ("duplicate"). */
const holdsBlock = (answer: string | null | undefined): boolean => answer === null || answer === 'duplicate';

/**
 * `undefined` in `answers` marks a daemon that could not be reached. Without the confirming lookup, a block any daemon
 * holds stays 'unknown' for the payment side to classify against the chain: 'rejected' drops it for good, so it is
 * kept for answers that refuse the block outright.
 */
export function decideVerdict(info: BlockInfo | null, answers: readonly (string | null | undefined)[]): BlockVerdict {
  if (info) return info.confirmations >= 1 ? 'accepted' : 'stale';
  if (answers.some(holdsBlock)) return 'unknown';
  if (answers.some((a) => a === 'inconclusive')) return 'stale';
  if (answers.some((a) => typeof a === 'string')) return 'rejected';
  return 'unknown';
}
