// Which coin pays more per hash, in exact integers. Expected coins per hash are reward / (difficulty x 2^32 x k)
// with k fixed per algorithm; difficulty is diff1 / target, and a switch compares coins of one algorithm, so
// the score reward x price x target ranks coins exactly as earnings per hash do, with nothing to round.
/** Prices are scaled to integers with this many decimals (normalizePrice allows no more). */
export const PRICE_DECIMALS = 18;

export interface CoinEconomics {
  /** Coinbase value of the next block in base units (subsidy + fees). */
  readonly reward: bigint;
  /** Network target (a larger target is an easier block). */
  readonly target: bigint;
  /** Price as a plain decimal string. */
  readonly price: string;
}

export function scalePrice(price: string): bigint {
  const [whole, fraction = ''] = price.split('.');
  return BigInt(whole + fraction.padEnd(PRICE_DECIMALS, '0'));
}

/** Proportional to expected value earned per hash (for coins of one algorithm). */
export function profitScore(coin: CoinEconomics): bigint {
  return coin.reward * scalePrice(coin.price) * coin.target;
}

/** Whether `challenger` beats `current` by more than marginPercent (basis-point resolution). */
export function beatsByMargin(challenger: bigint, current: bigint, marginPercent: number): boolean {
  const bp = BigInt(Math.round(marginPercent * 100));
  return challenger * 10_000n > current * (10_000n + bp);
}

/**
 * How much more the best coin pays than `base`, in percent with two decimals, for logs ("12.34").
 * Returns null when base scores zero.
 */
export function leadPercent(challenger: bigint, base: bigint): string | null {
  if (base <= 0n) return null;
  const hundredths = ((challenger - base) * 10_000n) / base;
  const sign = hundredths < 0n ? '-' : '';
  const abs = hundredths < 0n ? -hundredths : hundredths;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}
