import { hash } from 'node:crypto';
import type { PowAlgorithm } from './types.js';

/**
 * Double SHA-256. The one-shot `crypto.hash` skips the Hash object that `createHash` builds per call,
 * which makes it roughly 1.5x cheaper on the share path.
 */
export function sha256d(buf: Buffer): Buffer {
  return hash('sha256', hash('sha256', buf, 'buffer'), 'buffer');
}

/** Bitcoin's difficulty-1 target (compact 0x1d00ffff); one share of difficulty 1 is 2^32 hashes on average. */
export const SHA256D_DIFF1 = 0x00000000ffff0000000000000000000000000000000000000000000000000000n;

export const sha256dAlgorithm: PowAlgorithm = Object.freeze({
  name: 'sha256d',
  multiplier: 1,
  diff1: SHA256D_DIFF1,
  hash: sha256d,
});
