// Daemon amounts arrive as JSON numbers in coins (12.5, 0.00012345). Money must never go through float arithmetic,
// so a number is read back through its shortest round-trip decimal text and shifted by the coin's decimals as text.
import BigNumber from 'bignumber.js';
import { COIN_DECIMALS } from '../config/amount.js';

export class AmountConversionError extends Error {
  override readonly name = 'AmountConversionError';
}

/**
 * Coins (as the daemon printed them) -> base units. Negative amounts are allowed (wallet "send" entries are negative).
 * For every amount below 2^53 base units the nearest double is closer than half a base unit to the printed decimal,
 * so rounding the decimal text to whole units gives back exactly what the daemon printed; anything further off
 * means the value did not come from a daemon amount and is refused rather than guessed.
 */
export function coinsToUnits(amount: number | string, decimals: number = COIN_DECIMALS): bigint {
  const text = typeof amount === 'number' ? numberText(amount) : amount.trim();
  const value = new BigNumber(text);
  if (!value.isFinite()) throw new AmountConversionError(`not an amount: ${String(amount)}`);
  const shifted = value.shiftedBy(decimals);
  const units = shifted.integerValue(BigNumber.ROUND_HALF_EVEN);
  if (!shifted.minus(units).abs().isLessThan('0.000001')) {
    throw new AmountConversionError(`${String(amount)} has more than ${decimals} decimal places`);
  }
  return BigInt(units.toFixed(0));
}

/** Base units -> the exact decimal text in coins ("0.12345678"), which sendmany accepts as an amount string. */
export function unitsToCoins(units: bigint, decimals: number = COIN_DECIMALS): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals);
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

function numberText(amount: number): string {
  if (!Number.isFinite(amount)) throw new AmountConversionError(`not a finite amount: ${amount}`);
  // String() is the shortest text that reads back as the same double; BigNumber(number) would refuse > 15 digits.
  return String(amount);
}
