// Deciding what a pending block is from what the daemon says about it. Pure: the processor gathers the facts.
// A block is orphaned only after several consecutive checks found it off the main chain of a synced daemon,
// because one failed lookup (a restarting daemon, a short reorg race) must never throw away a real block.

export interface PendingBlockRef {
  readonly height: number;
  /** RPC byte order. */
  readonly hash: string;
}

export interface ChainFacts {
  /** The daemon has caught up with its peers (not in initial download, every known header has its block). */
  readonly synced: boolean;
  /** `getblockhash(height)`: the main chain's block at the height, null when the chain is not that long yet. */
  readonly mainHashAtHeight: string | null;
  /** `getblock(hash).confirmations`: -1 off the main chain, null when the daemon does not know the block. */
  readonly confirmations: number | null;
}

export interface ClassifyRules {
  /** Coinbase maturity from the coin config: the reward is spendable once confirmations exceed it. */
  readonly coinbaseMaturity: number;
  /** Consecutive off-chain checks before a block is declared orphaned. */
  readonly orphanAfterChecks: number;
}

export type BlockClass =
  | { readonly status: 'immature'; readonly confirmations: number }
  | { readonly status: 'confirmed'; readonly confirmations: number }
  /** Off the main chain, but not yet for long enough: `misses` consecutive checks so far. */
  | { readonly status: 'missing'; readonly misses: number }
  | { readonly status: 'orphaned'; readonly misses: number }
  /** Nothing can be concluded this time (daemon not synced, answers disagree); the miss count stays as it was. */
  | { readonly status: 'unchanged'; readonly reason: string };

export function classifyBlock(
  block: PendingBlockRef,
  facts: ChainFacts,
  previousMisses: number,
  rules: ClassifyRules,
): BlockClass {
  const onMainChain = facts.confirmations !== null && facts.confirmations >= 1;
  if (onMainChain) {
    // getblock and getblockhash are two calls: a reorg between them leaves them disagreeing; ask again next run.
    if (facts.mainHashAtHeight !== block.hash) return { status: 'unchanged', reason: 'main chain changed between calls' };
    const confirmations = facts.confirmations as number;
    // Bitcoin Core lets a coinbase be spent at depth maturity + 1 (its wallet says "generate" from then on).
    if (confirmations > rules.coinbaseMaturity) {
      if (!facts.synced) return { status: 'unchanged', reason: 'daemon is not synced' };
      return { status: 'confirmed', confirmations };
    }
    return { status: 'immature', confirmations };
  }
  if (!facts.synced) return { status: 'unchanged', reason: 'daemon is not synced' };
  if (facts.mainHashAtHeight === block.hash) {
    return { status: 'unchanged', reason: 'getblockhash names the block but getblock does not see it on the main chain' };
  }
  const misses = previousMisses + 1;
  return misses >= rules.orphanAfterChecks ? { status: 'orphaned', misses } : { status: 'missing', misses };
}

/**
 * At most one block per height may ever be confirmed. The main-chain check above already guarantees it within one
 * run; this also holds it against heights confirmed in earlier runs, demoting any second claimant so it is neither
 * paid nor orphaned until an operator looks at it.
 */
export function onePerHeight<T extends PendingBlockRef>(
  results: readonly { readonly block: T; readonly cls: BlockClass }[],
  confirmedHeights: ReadonlySet<number>,
): { block: T; cls: BlockClass }[] {
  const taken = new Set(confirmedHeights);
  return results.map(({ block, cls }) => {
    if (cls.status !== 'confirmed') return { block, cls };
    if (taken.has(block.height)) {
      return { block, cls: { status: 'unchanged', reason: `another block at height ${block.height} is already confirmed` } };
    }
    taken.add(block.height);
    return { block, cls };
  });
}
