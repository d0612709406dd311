// Splitting a block's reward among miners: PROP, PPLNS and SOLO in exact integers (base units and work units).
// Everything here is pure so a miner holding a round's export can run the same functions and get the same credits.
import type { PaymentScheme } from '../config/types.js';

/** One share (or several of one address merged) with its work in integer work units. */
export interface ShareEntry {
  readonly address: string;
  readonly work: bigint;
}

export interface RewardInput {
  readonly scheme: PaymentScheme;
  /** Base units to distribute: what the pool address received in the coinbase (recipients are already paid there). */
  readonly amount: bigint;
  /** Address of the miner whose share found the block. */
  readonly finder: string;
  /** PROP: work per address in the block's round. */
  readonly roundWork?: ReadonlyMap<string, bigint>;
  /** PPLNS: shares up to and including the block's share, newest first. */
  readonly recentShares?: Iterable<ShareEntry>;
  /** PPLNS: window size in work units (pplnsWindowWork: factor x network difficulty x multiplier). */
  readonly windowWork?: bigint;
}

export interface RewardResult {
  /** Work each address is paid for, sorted by address. */
  readonly weights: ReadonlyMap<string, bigint>;
  /** Base units per address, sorted by address; the values add up to `amount` exactly. */
  readonly credits: ReadonlyMap<string, bigint>;
  /** PPLNS: the shares that fell inside the window, newest first, the oldest one cut to fit. */
  readonly window?: readonly ShareEntry[];
}

/**
 * The remainder rule: every address first gets floor(amount x work / total). The base units left over (fewer than
 * the number of addresses) go one each to the addresses with the largest dropped fractions; equal fractions are
 * ordered by address (plain string order). So credits always add up to `amount` and the result depends on nothing
 * but the inputs.
 */
export function splitProportionally(amount: bigint, weights: ReadonlyMap<string, bigint>): Map<string, bigint> {
  if (amount < 0n) throw new RangeError(`amount must not be negative: ${amount}`);
  const entries = [...weights].filter(([, work]) => {
    if (work < 0n) throw new RangeError(`work must not be negative: ${work}`);
    return work > 0n;
  });
  const total = entries.reduce((sum, [, work]) => sum + work, 0n);
  if (total === 0n) throw new RangeError('cannot split by zero total work');
  const parts = entries.map(([address, work]) => ({
    address,
    base: (amount * work) / total,
    dropped: (amount * work) % total,
  }));
  let left = amount - parts.reduce((sum, p) => sum + p.base, 0n);
  const byDropped = [...parts].sort((x, y) =>
    x.dropped === y.dropped ? compareText(x.address, y.address) : x.dropped > y.dropped ? -1 : 1,
  );
  const extra = new Set<string>();
  for (const p of byDropped) {
    if (left === 0n) break;
    extra.add(p.address);
    left -= 1n;
  }
  return sortedMap(parts.map((p) => [p.address, p.base + (extra.has(p.address) ? 1n : 0n)]));
}

/**
 * The PPLNS window: walks back from the block's share until `windowWork` work units are covered; the oldest share
 * counts only for the part that fits. With fewer shares than the window, every share counts.
 */
export function pplnsWindow(newestFirst: Iterable<ShareEntry>, windowWork: bigint): { weights: Map<string, bigint>; window: ShareEntry[] } {
  if (windowWork <= 0n) throw new RangeError(`PPLNS window must be positive: ${windowWork}`);
  const weights = new Map<string, bigint>();
  const window: ShareEntry[] = [];
  let left = windowWork;
  for (const share of newestFirst) {
    if (left === 0n) break;
    if (share.work <= 0n) continue;
    const work = share.work < left ? share.work : left;
    left -= work;
    window.push({ address: share.address, work });
    weights.set(share.address, (weights.get(share.address) ?? 0n) + work);
  }
  return { weights: sortedMap([...weights]), window };
}

/**
 * Credits for one block. A round without any work (its shares were lost) pays the finder, who certainly worked on
 * it, instead of leaving the reward unassigned.
 */
export function computeCredits(input: RewardInput): RewardResult {
  let weights: Map<string, bigint>;
  let window: ShareEntry[] | undefined;
  switch (input.scheme) {
    case 'SOLO':
      weights = new Map([[input.finder, 1n]]);
      break;
    case 'PROP':
      weights = sortedMap([...(input.roundWork ?? new Map<string, bigint>())].filter(([, w]) => w > 0n));
      break;
    case 'PPLNS': {
      if (input.windowWork === undefined) throw new RangeError('PPLNS needs windowWork');
      ({ weights, window } = pplnsWindow(input.recentShares ?? [], input.windowWork));
      break;
    }
    default:
      throw new RangeError(`unknown payment scheme ${String(input.scheme)}`);
  }
  if (weights.size === 0) weights = new Map([[input.finder, 1n]]);
  const credits = splitProportionally(input.amount, weights);
  return window === undefined ? { weights, credits } : { weights, credits, window };
}

/** Sum of a credit map, for the invariant checks callers make before writing money. */
export function sumCredits(credits: ReadonlyMap<string, bigint>): bigint {
  let sum = 0n;
  for (const v of credits.values()) sum += v;
  return sum;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedMap(entries: [string, bigint][]): Map<string, bigint> {
  return new Map(entries.sort(([a], [b]) => compareText(a, b)));
}
