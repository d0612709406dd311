// Splitting the coinbase value between reward recipients and the pool, in exact integers.
// Percentages arrive as JS numbers (1.5 means 1.5 %). Multiplying money by a float would round differently across
// machines and lose litoshis, so each percent is read back from its shortest decimal string as an exact fraction.

export interface CoinbaseRecipient {
  /** Output script (scriptPubKey) to pay. */
  readonly script: Buffer;
  /** Percent of the coinbase value, e.g. 1.5 for 1.5 %. */
  readonly percent: number;
}

/** An exact fraction numerator / denominator of a whole. */
interface Fraction {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

const DECIMAL = /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/;

/** `percent` / 100 as an exact fraction of its shortest round-trip decimal representation. */
export function percentToFraction(percent: number): Fraction {
  if (!Number.isFinite(percent) || percent < 0) throw new RangeError(`percent must be a finite number >= 0: ${percent}`);
  const match = DECIMAL.exec(String(percent));
  if (!match) throw new RangeError(`unreadable percent: ${percent}`);
  const [, whole, fraction = '', exponentText = '0'] = match;
  let numerator = BigInt(whole + fraction);
  let scale = fraction.length - Number(exponentText);
  if (scale < 0) {
    numerator *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { numerator, denominator: 100n * 10n ** BigInt(scale) };
}

export interface RewardSplit {
  /** Amount per recipient, in the order given. */
  readonly recipients: readonly bigint[];
  /** What is left for the pool: total minus every recipient amount, so outputs sum exactly to the total. */
  readonly pool: bigint;
}

/**
 * Each recipient gets floor(total * percent / 100); the pool output takes the remainder, including every rounding
 * litoshi. Percentages must add up to strictly less than 100 so the pool output never goes to zero or below.
 */
export function splitReward(total: bigint, percents: readonly number[]): RewardSplit {
  if (total < 0n) throw new RangeError(`coinbase value must not be negative: ${total}`);
  const fractions = percents.map(percentToFraction);
  assertBelowWhole(fractions);
  const recipients = fractions.map((f) => (total * f.numerator) / f.denominator);
  const pool = recipients.reduce((left, amount) => left - amount, total);
  return { recipients, pool };
}

function assertBelowWhole(fractions: readonly Fraction[]): void {
  if (fractions.length === 0) return;
  const common = fractions.reduce((d, f) => (d > f.denominator ? d : f.denominator), 1n);
  // Every denominator is 100 * 10^k, so the largest is a multiple of all of them.
  const sum = fractions.reduce((acc, f) => acc + f.numerator * (common / f.denominator), 0n);
  if (sum >= common) throw new RangeError('reward recipients must add up to less than 100 percent');
}
