// Turns one block into its split: what the pool address received, and who gets how much of it. Computed once per
// block, on the processor's first pass that finds it on the main chain, and stored (split:<height>:<hash>): the
// round, the coinbase and the network difficulty never change after that, but the share log a PPLNS window is read
// from is trimmed by count, and by maturity (100+ blocks) the window's shares may be gone.
import { getAlgorithm } from '../algorithms/registry.js';
import type { PoolConfig } from '../config/types.js';
import type { BlockRecord } from '../redis/records.js';
import type { ChainReader } from './chain.js';
import { pplnsWindowWork } from './chain.js';
import type { BlockSplit } from './credit-record.js';
import { computeCredits, sumCredits, type ShareEntry } from './rewards.js';
import type { PaymentStore } from './store.js';

export async function splitBlock(
  pool: PoolConfig,
  block: BlockRecord,
  store: PaymentStore,
  chain: ChainReader,
  poolScript: string,
  now: number,
): Promise<BlockSplit> {
  const payout = await chain.coinbasePayout(block.coinbaseTxid, block.hash, poolScript);
  const scheme = pool.paymentProcessing.scheme;
  const { work, meta } = await store.round(block.height, block.hash);
  const ranges: (readonly [string, string])[] = [];
  if (meta.firstShareId && meta.lastShareId) ranges.push([meta.firstShareId, meta.lastShareId]);
  ranges.push(...meta.mergedRanges);
  // Where the block sits in the share log: its round's last share, or (an empty round) the time it closed.
  const lastShareId = meta.lastShareId ?? `${meta.closedAt ?? block.foundAt}-0`;

  let windowWork: bigint | null = null;
  let networkDifficulty: number | null = null;
  let recentShares: ShareEntry[] | undefined;
  if (scheme === 'PPLNS') {
    networkDifficulty = await chain.difficulty(block.hash);
    windowWork = pplnsWindowWork(pool.paymentProcessing.pplnsWindowFactor, networkDifficulty, getAlgorithm(pool.coin.algorithm).multiplier);
    recentShares = await collectWindow(store, lastShareId, windowWork);
  }
  const result = computeCredits({
    scheme,
    amount: payout.toPool,
    finder: block.finder,
    roundWork: work,
    recentShares,
    windowWork: windowWork ?? undefined,
  });
  if (sumCredits(result.credits) !== payout.toPool) {
    throw new Error(`credits of block ${block.height}:${block.hash} do not add up to ${payout.toPool}`);
  }
  return {
    pool: pool.id,
    height: block.height,
    hash: block.hash,
    scheme,
    coinbaseValue: payout.coinbaseValue,
    amount: payout.toPool,
    finder: block.finder,
    weights: result.weights,
    credits: result.credits,
    windowWork,
    networkDifficulty,
    lastShareId,
    ranges,
    splitAt: now,
  };
}

/** Reads the share log backwards just far enough to cover the window. */
export async function collectWindow(store: PaymentStore, lastShareId: string, windowWork: bigint): Promise<ShareEntry[]> {
  const shares: ShareEntry[] = [];
  let covered = 0n;
  for await (const entry of store.sharesBackFrom(lastShareId)) {
    shares.push({ address: entry.address, work: entry.work });
    covered += entry.work;
    if (covered >= windowWork) break;
  }
  return shares;
}
