// Hashing and byte-order helpers shared by the block-assembly code.
// "Internal" order is the raw digest as it sits in headers and merkle trees; "RPC" order is the reversed hex the
// daemon prints for txids and block hashes.
import { sha256d } from '../../algorithms/sha256d.js';

export { sha256d };

const HASH_HEX = /^[0-9a-fA-F]{64}$/;

/** A 32-byte hash given in RPC hex order, as internal-order bytes. */
export function rpcHexToInternal(hex: string): Buffer {
  if (!HASH_HEX.test(hex)) throw new TypeError(`not a 32-byte hash hex: ${JSON.stringify(hex)}`);
  return Buffer.from(hex, 'hex').reverse();
}

/** Internal-order hash bytes as RPC hex (what getblock/getbestblockhash print). */
export function internalToRpcHex(hash: Buffer): string {
  return Buffer.from(hash).reverse().toString('hex');
}

/** The block hash in RPC hex order: sha256d of the 80-byte header, reversed (for every coin, scrypt ones too). */
export function blockHashHex(header: Buffer): string {
  return internalToRpcHex(sha256d(header));
}
