// Coin amounts from config files -> integer base units, without ever passing through a binary float.
import BigNumber from 'bignumber.js';

/** Litecoin and Bitcoin both divide one coin into 10^8 base units. */
export const COIN_DECIMALS = 8;

const PLAIN_DECIMAL = /^\d+(\.\d+)?$/;

export class AmountError extends Error {
  override readonly name = 'AmountError';
}

/**
 * "0.1" -> "10000000". Strings must be plain decimals; numbers are read through their shortest round-trip decimal
 * form (what JSON5 saw in the file), so 0.1 means exactly 0.1 and not the float nearest to it.
 */
export function coinsToBaseUnits(amount: string | number, decimals: number = COIN_DECIMALS): string {
  let text: string;
  if (typeof amount === 'number') {
    if (!Number.isFinite(amount)) throw new AmountError('must be a finite amount');
    // BigNumber(number) would throw above 15 significant digits; String() gives the file's digits (maybe 1e-7 form).
    text = new BigNumber(String(amount)).toFixed();
  } else {
    text = amount.trim();
    if (!PLAIN_DECIMAL.test(text)) throw new AmountError('must be a decimal amount such as "0.5"');
  }
  const value = new BigNumber(text);
  if (!value.isFinite() || value.isNegative()) throw new AmountError('must be a positive amount');
  if ((value.decimalPlaces() ?? 0) > decimals) {
    throw new AmountError(`has more than ${decimals} decimal places`);
  }
  const units = value.shiftedBy(decimals);
  if (units.isZero()) throw new AmountError('must be a positive amount');
  return units.toFixed(0);
}
