// Address -> output script for Bitcoin-family coins: Base58Check (P2PKH, P2SH), bech32 v0 (P2WPKH, P2WSH) and
// bech32m v1 (P2TR). Everything else is refused, because an address we cannot turn into a script the network will let
// its owner spend is money burnt: MWEB addresses (no scriptPubKey), other networks, and future witness versions.
import type { NetworkParams } from '../../config/types.js';
import { Base58Error, base58CheckDecode, base58CheckEncode } from './base58.js';
import { Bech32Error, bech32Prefix, decodeSegwitAddress } from './bech32.js';

export class AddressError extends Error {
  override readonly name = 'AddressError';
  readonly code = 'ERR_ADDRESS';
}

const OP_DUP = 0x76;
const OP_HASH160 = 0xa9;
const OP_EQUALVERIFY = 0x88;
const OP_CHECKSIG = 0xac;
const OP_EQUAL = 0x87;
const OP_1 = 0x51;
/** Far above any real address (MWEB ones run to about 120 characters); bounds the work spent on hostile input. */
const MAX_ADDRESS_LENGTH = 200;

/** Bech32 strings also fit Base58's alphabet now and then, so a bech32 shape is recognised before trying Base58. */
const BECH32_SHAPE = /^[a-z0-9]+1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{6,}$/;

function segwitScript(address: string, network: NetworkParams): Buffer {
  let decoded;
  try {
    decoded = decodeSegwitAddress(network.bech32, address);
  } catch (err) {
    if (err instanceof Bech32Error) throw new AddressError(`invalid bech32 address: ${err.message}`);
    throw err;
  }
  const { version, program } = decoded;
  if (version === 0) return Buffer.concat([Buffer.from([0x00, program.length]), program]);
  if (version === 1 && program.length === 32) return Buffer.concat([Buffer.from([OP_1, 32]), program]);
  // Valid per BIP350 but without spending rules yet: coins sent there could be taken by anyone after a soft fork.
  throw new AddressError(`witness version ${version} with a ${program.length}-byte program is not a payable output type`);
}

function foreignBech32(address: string, network: NetworkParams): AddressError | null {
  if (!BECH32_SHAPE.test(address.toLowerCase())) return null;
  const hrp = bech32Prefix(address);
  if (hrp === null) return null;
  if (hrp.includes('mweb')) {
    return new AddressError(`MWEB address ("${hrp}" prefix) cannot receive pool payouts: it has no output script`);
  }
  return new AddressError(`prefix "${hrp}" belongs to another network (expected "${network.bech32}")`);
}

function base58Script(address: string, network: NetworkParams): Buffer {
  let payload: Buffer;
  try {
    payload = base58CheckDecode(address);
  } catch (err) {
    if (err instanceof Base58Error) throw foreignBech32(address, network) ?? new AddressError(`invalid address: ${err.message}`);
    throw err;
  }
  if (payload.length !== 21) throw new AddressError(`Base58 payload of ${payload.length} bytes (expected 21)`);
  const version = payload[0];
  const hash = payload.subarray(1);
  if (version === network.pubKeyHash) {
    return Buffer.concat([Buffer.from([OP_DUP, OP_HASH160, 20]), hash, Buffer.from([OP_EQUALVERIFY, OP_CHECKSIG])]);
  }
  if (network.scriptHash.includes(version)) {
    return Buffer.concat([Buffer.from([OP_HASH160, 20]), hash, Buffer.from([OP_EQUAL])]);
  }
  throw new AddressError(`version byte ${version} does not belong to this network`);
}

/** The scriptPubKey that pays `address` on `network`; throws AddressError saying why an address is refused. */
export function addressToOutputScript(address: string, network: NetworkParams): Buffer {
  if (typeof address !== 'string' || address.length === 0) throw new AddressError('empty address');
  if (address.length > MAX_ADDRESS_LENGTH) throw new AddressError(`longer than ${MAX_ADDRESS_LENGTH} characters`);
  if (address.trim() !== address) throw new AddressError('address has surrounding whitespace');
  if (address.toLowerCase().startsWith(`${network.bech32}1`)) return segwitScript(address, network);
  return base58Script(address, network);
}

/**
 * The one spelling of `address` that balances, payouts and stats are keyed by: bech32 in lower case (BIP173 allows
 * all upper case too) and P2SH with the network's first script-hash version (Litecoin's `M...`, which its daemon
 * prints, rather than the legacy `3...` it still accepts). Two spellings of one output must never become two
 * balances: the daemon refuses a sendmany that names one destination twice, and every payout would fail with it.
 * Throws AddressError like addressToOutputScript.
 */
export function canonicalAddress(address: string, network: NetworkParams): string {
  addressToOutputScript(address, network);
  if (address.toLowerCase().startsWith(`${network.bech32}1`)) return address.toLowerCase();
  const payload = base58CheckDecode(address);
  const preferred = network.scriptHash[0];
  if (payload[0] === network.pubKeyHash || payload[0] === preferred) return address;
  payload[0] = preferred;
  return base58CheckEncode(payload);
}

/** canonicalAddress, or null for an address the network cannot pay (empty, too long, foreign, MWEB, malformed). */
export function canonicalAddressOrNull(address: string, network: NetworkParams): string | null {
  try {
    return canonicalAddress(address, network);
  } catch (err) {
    if (err instanceof AddressError) return null;
    throw err;
  }
}

export function isValidAddress(address: string, network: NetworkParams): boolean {
  try {
    addressToOutputScript(address, network);
    return true;
  } catch (err) {
    if (err instanceof AddressError) return false;
    throw err;
  }
}
