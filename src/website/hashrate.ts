// The one hashrate formula of the pool: every page, API answer and chart point goes through it, so the numbers a
// miner compares (pool total, own address, each worker) always add up.

/**
 * Hashes per second behind `difficultySum` of credited shares over `windowSeconds`.
 * A difficulty-1 share takes 2^32 / multiplier hashes on average (multiplier 65536 for scrypt, 1 for sha256d).
 */
export function hashrateOf(difficultySum: number, windowSeconds: number, multiplier: number): number {
  if (!(windowSeconds > 0) || !(difficultySum > 0)) return 0;
  return (difficultySum * 2 ** 32) / multiplier / windowSeconds;
}

/**
 * Work expected for one block, in share-difficulty units: network difficulty is on sha256d's scale, so for an
 * algorithm whose share difficulty 1 is `multiplier` times easier, one block takes difficulty x multiplier.
 */
export function blockWorkOf(networkDifficulty: number, multiplier: number): number {
  return networkDifficulty * multiplier;
}
