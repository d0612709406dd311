import { createHash } from 'node:crypto';

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const DIGIT = new Map([...ALPHABET].map((ch, i) => [ch, i]));

/** Thrown for any string that is not valid Base58Check; the message names the first defect found. */
export class Base58Error extends Error {
  override readonly name = 'Base58Error';
}

function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

/** Raw Base58 decode (leading '1's become leading zero bytes, as Bitcoin defines it). */
export function base58Decode(text: string): Buffer {
  if (text.length === 0) throw new Base58Error('empty string');
  let value = 0n;
  let leadingZeros = 0;
  let seenNonZero = false;
  for (const ch of text) {
    const digit = DIGIT.get(ch);
    if (digit === undefined) throw new Base58Error(`character "${ch}" is not Base58`);
    if (!seenNonZero && digit === 0) leadingZeros++;
    else seenNonZero = true;
    value = value * 58n + BigInt(digit);
  }
  const hex = value === 0n ? '' : value.toString(16);
  const body = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  return Buffer.concat([Buffer.alloc(leadingZeros), body]);
}

/** Base58Check of `payload` (its checksum appended): the inverse of base58CheckDecode. */
export function base58CheckEncode(payload: Uint8Array): string {
  const raw = Buffer.concat([payload, sha256(sha256(payload)).subarray(0, 4)]);
  let value = BigInt(`0x${raw.toString('hex') || '0'}`);
  let text = '';
  while (value > 0n) {
    text = ALPHABET[Number(value % 58n)] + text;
    value /= 58n;
  }
  let leadingZeros = 0;
  while (leadingZeros < raw.length && raw[leadingZeros] === 0) leadingZeros++;
  return '1'.repeat(leadingZeros) + text;
}

/** Decodes Base58Check and returns the payload without its 4-byte checksum. */
export function base58CheckDecode(text: string): Buffer {
  const raw = base58Decode(text);
  if (raw.length < 5) throw new Base58Error('too short for a checksum');
  const payload = raw.subarray(0, raw.length - 4);
  const checksum = raw.subarray(raw.length - 4);
  const expected = sha256(sha256(payload)).subarray(0, 4);
  if (!checksum.equals(expected)) throw new Base58Error('checksum mismatch');
  return Buffer.from(payload);
}

