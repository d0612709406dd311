import { scryptSync } from 'node:crypto';
import type { PowAlgorithm } from './types.js';

/** Litecoin's scrypt parameters: N=1024, r=1, p=1, 32-byte output; the header is both password and salt. */
export const SCRYPT_POW_PARAMS = Object.freeze({ N: 1024, r: 1, p: 1 });

/**
 * Share difficulty 1 for scrypt as cpuminer and NOMP count it (sha256d's diff1 scaled by 65536), so a
 * difficulty-1 scrypt share is 65536 hashes on average.
 */
export const SCRYPT_DIFF1 = 0x0000ffff00000000000000000000000000000000000000000000000000000000n;

/** Reference scrypt PoW hash via OpenSSL; slow (~350 µs) but trusted, so it anchors the fast kernel's self-test. */
export function scryptPowNode(header: Buffer): Buffer {
  return scryptSync(header, header, 32, SCRYPT_POW_PARAMS);
}

export const scryptNodeAlgorithm: PowAlgorithm = Object.freeze({
  name: 'scrypt',
  multiplier: 65536,
  diff1: SCRYPT_DIFF1,
  hash: scryptPowNode,
});
