/** A proof-of-work function. Adding an algorithm is one file implementing this plus its test vectors. */
export interface PowAlgorithm {
  readonly name: string;
  /**
   * NOMP's share multiplier: 1 for sha256d, 65536 for scrypt. A difficulty-1 share takes 2^32 / multiplier hashes
   * on average (65536 for scrypt, as cpuminer counts it), so hashrate = sum(difficulty) * 2^32 / multiplier / seconds.
   */
  readonly multiplier: number;
  /** Target of difficulty 1 for this algorithm's share scale. */
  readonly diff1: bigint;
  /** The 32-byte proof-of-work hash of an 80-byte block header, in the order the hash function outputs it. */
  hash(header: Buffer): Buffer;
}
