// Bech32 (BIP173) and bech32m (BIP350) strings, plus the segwit address rules layered on them.

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const CHARSET_INDEX = new Map([...CHARSET].map((ch, i) => [ch, i]));
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
const BECH32_CONST = 1;
const BECH32M_CONST = 0x2bc830a3;
/** BIP173 caps a segwit address at 90 characters so the checksum keeps its error-detection guarantees. */
const MAX_LENGTH = 90;

export type Bech32Encoding = 'bech32' | 'bech32m';

export class Bech32Error extends Error {
  override readonly name = 'Bech32Error';
}

export interface Bech32Decoded {
  readonly hrp: string;
  /** 5-bit words, without the 6-word checksum. */
  readonly words: readonly number[];
  readonly encoding: Bech32Encoding;
}

export interface SegwitDecoded {
  readonly version: number;
  readonly program: Buffer;
}

function polymod(values: readonly number[]): number {
  let chk = 1;
  for (const value of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ value;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GENERATOR[i];
  }
  return chk >>> 0;
}

function hrpExpand(hrp: string): number[] {
  const codes = [...hrp].map((ch) => ch.charCodeAt(0));
  return [...codes.map((c) => c >> 5), 0, ...codes.map((c) => c & 31)];
}

/** Splits off the human-readable part without checking anything else (used to name a foreign prefix in errors). */
export function bech32Prefix(text: string): string | null {
  const sep = text.lastIndexOf('1');
  return sep > 0 ? text.slice(0, sep).toLowerCase() : null;
}

export function bech32Decode(text: string): Bech32Decoded {
  if (text.length > MAX_LENGTH) throw new Bech32Error(`longer than ${MAX_LENGTH} characters`);
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    if (code < 33 || code > 126) throw new Bech32Error('contains a character outside US-ASCII 33-126');
  }
  if (text !== text.toLowerCase() && text !== text.toUpperCase()) throw new Bech32Error('mixes upper and lower case');
  const lower = text.toLowerCase();
  const sep = lower.lastIndexOf('1');
  if (sep < 1) throw new Bech32Error('has no human-readable part');
  if (lower.length - sep - 1 < 6) throw new Bech32Error('data part shorter than the checksum');
  const hrp = lower.slice(0, sep);
  const data: number[] = [];
  for (const ch of lower.slice(sep + 1)) {
    const value = CHARSET_INDEX.get(ch);
    if (value === undefined) throw new Bech32Error(`character "${ch}" is not in the bech32 alphabet`);
    data.push(value);
  }
  const check = polymod([...hrpExpand(hrp), ...data]);
  let encoding: Bech32Encoding;
  if (check === BECH32_CONST) encoding = 'bech32';
  else if (check === BECH32M_CONST) encoding = 'bech32m';
  else throw new Bech32Error('checksum mismatch');
  return { hrp, words: data.slice(0, -6), encoding };
}

/** Regroups bits; `pad` false enforces BIP173's rule that leftover bits are fewer than `from` and all zero. */
export function convertBits(data: readonly number[], from: number, to: number, pad: boolean): number[] {
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  const maxv = (1 << to) - 1;
  for (const value of data) {
    if (value < 0 || value >> from !== 0) throw new Bech32Error('value out of range');
    acc = (acc << from) | value;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push((acc >> bits) & maxv);
    }
    acc &= (1 << bits) - 1;
  }
  if (pad) {
    if (bits > 0) out.push((acc << (to - bits)) & maxv);
  } else if (bits >= from || ((acc << (to - bits)) & maxv) !== 0) {
    throw new Bech32Error('invalid padding in the data part');
  }
  return out;
}

/** Decodes a segwit address for one human-readable part, applying BIP173/BIP350 version and length rules. */
export function decodeSegwitAddress(expectedHrp: string, address: string): SegwitDecoded {
  const decoded = bech32Decode(address);
  if (decoded.hrp !== expectedHrp) {
    throw new Bech32Error(`prefix "${decoded.hrp}" is not this network's "${expectedHrp}"`);
  }
  if (decoded.words.length < 1) throw new Bech32Error('has no witness version');
  const version = decoded.words[0];
  if (version > 16) throw new Bech32Error(`witness version ${version} does not exist`);
  const program = Buffer.from(convertBits(decoded.words.slice(1), 5, 8, false));
  if (program.length < 2 || program.length > 40) {
    throw new Bech32Error(`witness program of ${program.length} bytes (must be 2-40)`);
  }
  if (version === 0 && program.length !== 20 && program.length !== 32) {
    throw new Bech32Error(`version 0 witness program of ${program.length} bytes (must be 20 or 32)`);
  }
  const wanted: Bech32Encoding = version === 0 ? 'bech32' : 'bech32m';
  if (decoded.encoding !== wanted) {
    throw new Bech32Error(`witness version ${version} must use ${wanted}, not ${decoded.encoding}`);
  }
  return { version, program };
}

