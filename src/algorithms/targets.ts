// Target arithmetic for share and block checks. A PoW hash is read as a little-endian 256-bit integer and
// passes when it is <= the target. bigint is used where exactness matters (config-time conversions); the
// per-share comparison works on a precomputed little-endian buffer so it allocates nothing.

const MAX_TARGET = (1n << 256n) - 1n;
const TWO_POW_64 = 2 ** 64;

/** Anything carrying a difficulty-1 target (every PowAlgorithm does). */
export interface HasDiff1 {
  readonly diff1: bigint;
}

/**
 * Expands Bitcoin's compact `nBits` encoding (number, or the 8-hex-char string a block template carries).
 * Negative or overflowing encodings never appear in a valid header, so they are refused rather than clamped.
 */
export function targetFromBits(bits: number | string): bigint {
  let compact: number;
  if (typeof bits === 'string') {
    if (!/^[0-9a-fA-F]{8}$/.test(bits)) throw new RangeError(`bits must be 8 hex characters, got "${bits}"`);
    compact = Number.parseInt(bits, 16);
  } else {
    if (!Number.isInteger(bits) || bits < 0 || bits > 0xffffffff) throw new RangeError(`bits out of range: ${bits}`);
    compact = bits;
  }
  const exponent = compact >>> 24;
  const mantissa = compact & 0x007fffff;
  if (mantissa !== 0 && (compact & 0x00800000) !== 0) throw new RangeError(`bits encode a negative target: ${bits}`);
  const target =
    exponent <= 3 ? BigInt(mantissa >>> (8 * (3 - exponent))) : BigInt(mantissa) << BigInt(8 * (exponent - 3));
  if (target > MAX_TARGET) throw new RangeError(`bits encode a target above 2^256: ${bits}`);
  return target;
}

/** Splits a finite positive double into an exact integer mantissa and a power-of-two exponent. */
function exactRational(value: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased !== 0) mantissa |= 1n << 52n;
  const exponent = (biased === 0 ? 1 : biased) - 1075;
  return { mantissa, exponent };
}

/**
 * Share target for a stratum difficulty: floor(diff1 / difficulty), computed exactly from the double's binary
 * value so fractional difficulties (0.05 on regtest) do not lose bits. Capped at 2^256 - 1.
 */
export function difficultyToTarget(difficulty: number, algorithm: HasDiff1): bigint {
  if (!Number.isFinite(difficulty) || difficulty <= 0) throw new RangeError(`difficulty must be > 0, got ${difficulty}`);
  const { mantissa, exponent } = exactRational(difficulty);
  const target =
    exponent >= 0
      ? algorithm.diff1 / (mantissa << BigInt(exponent))
      : (algorithm.diff1 << BigInt(-exponent)) / mantissa;
  return target > MAX_TARGET ? MAX_TARGET : target;
}

/** diff1 / target as a double (the difficulty a target represents). */
export function targetToDifficulty(target: bigint, algorithm: HasDiff1): number {
  if (target <= 0n) throw new RangeError('target must be > 0');
  // Scaling by 2^64 before the integer division keeps ~64 significant bits for targets far above diff1.
  return Number((algorithm.diff1 << 64n) / target) / TWO_POW_64;
}

/** Reads a 32-byte hash as a little-endian unsigned integer. */
export function hashToBigIntLE(hash: Buffer): bigint {
  if (hash.length !== 32) throw new RangeError(`hash must be 32 bytes, got ${hash.length}`);
  return BigInt(`0x${Buffer.from(hash).reverse().toString('hex')}`);
}

/** The difficulty a hash actually reached (what a share is worth if credited at its own value). */
export function hashToDifficulty(hash: Buffer, algorithm: HasDiff1): number {
  const value = hashToBigIntLE(hash);
  return value === 0n ? Number.POSITIVE_INFINITY : targetToDifficulty(value, algorithm);
}

/** Encodes a target as the 32-byte little-endian buffer `meetsTarget` compares against. */
export function targetToLEBuffer(target: bigint): Buffer {
  if (target < 0n || target > MAX_TARGET) throw new RangeError('target must fit in 256 unsigned bits');
  const out = Buffer.alloc(32);
  let rest = target;
  for (let i = 0; i < 32; i++) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

/**
 * hash <= target, both 32-byte little-endian. Walks 32-bit words from the most significant end, so the
 * usual failing share is decided by the first word without any allocation.
 */
export function meetsTarget(hash: Buffer, targetLE: Buffer): boolean {
  if (hash.length !== 32 || targetLE.length !== 32) throw new RangeError('hash and target must be 32 bytes');
  for (let offset = 28; offset >= 0; offset -= 4) {
    const h = hash.readUInt32LE(offset);
    const t = targetLE.readUInt32LE(offset);
    if (h !== t) return h < t;
  }
  return true;
}
