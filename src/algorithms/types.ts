/** A proof-of-work function. Adding an algorithm is one file implementing this plus its test vectors. */
export interface PowAlgorithm {
  readonly name: string;
  /**
   * Hashes per unit of share difficulty relative to sha256d's diff1 scale: 1 for sha256d, 65536 for scrypt
   * (scrypt share difficulty 1 means 2^32 * 65536 hashes... as cpuminer counts it).
   */
  readonly multiplier: number;
  /** Target of difficulty 1 for this algorithm's share scale. */
  readonly diff1: bigint;
  /** The 32-byte proof-of-work hash of an 80-byte block header, in the order the hash function outputs it. */
  hash(header: Buffer): Buffer;
}
