// The parts of a `getblocktemplate` answer (BIP22/23, segwit, Litecoin MWEB) that block assembly reads; the
// daemon client's full answer type (src/daemon/rpc-types.ts) extends these.

export interface TemplateTransaction {
  /** Full serialization (with witness when the transaction has one), hex. */
  readonly data: string;
  /** Non-witness hash in RPC order: what the merkle tree covers. */
  readonly txid: string;
  /** Witness hash in RPC order (equals txid without witness). Not used for the merkle tree. */
  readonly hash: string;
}

export interface BlockTemplate {
  readonly version: number;
  readonly rules: readonly string[];
  /** RPC hex order. */
  readonly previousblockhash: string;
  readonly transactions: readonly TemplateTransaction[];
  /** Subsidy plus fees, in the coin's base unit. */
  readonly coinbasevalue: number;
  /** Compact target, 8 hex chars. */
  readonly bits: string;
  readonly curtime: number;
  readonly height: number;
  /** Full target, 64 hex chars. */
  readonly target: string;
  readonly mintime: number;
  /** The complete witness commitment output script, hex; present on segwit chains. */
  readonly default_witness_commitment?: string;
  /** Litecoin MWEB extension block, hex; present once MWEB is active. */
  readonly mweb?: string;
}

const BITS_HEX = /^[0-9a-fA-F]{8}$/;

/** Parses the template's `bits` hex into the u32 the header carries. */
export function parseBits(bits: string): number {
  if (!BITS_HEX.test(bits)) throw new TypeError(`bits must be 8 hex chars: ${JSON.stringify(bits)}`);
  return Number.parseInt(bits, 16);
}

/**
 * Expands a compact target (nBits) to the full 256-bit target, as Bitcoin Core's `arith_uint256::SetCompact`.
 * A set sign bit, a zero mantissa or an overflow make the header invalid on-chain, so they are refused here.
 */
export function compactToTarget(bits: number): bigint {
  if (!Number.isInteger(bits) || bits < 0 || bits > 0xffffffff) throw new RangeError(`bits out of range: ${bits}`);
  const exponent = bits >>> 24;
  const mantissa = bits & 0x007fffff;
  if (bits & 0x00800000) throw new RangeError(`negative compact target: ${bits.toString(16)}`);
  if (mantissa === 0) throw new RangeError(`zero compact target: ${bits.toString(16)}`);
  const target =
    exponent <= 3 ? BigInt(mantissa >>> (8 * (3 - exponent))) : BigInt(mantissa) << BigInt(8 * (exponent - 3));
  if (target === 0n || target >= 1n << 256n) throw new RangeError(`compact target out of range: ${bits.toString(16)}`);
  return target;
}
