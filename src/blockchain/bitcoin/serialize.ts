// Bitcoin wire-format primitives: CompactSize varints, little-endian integers and script pushes.
// Everything here is consensus-relevant: a single wrong byte makes the daemon reject the block.

const OP_0 = 0x00;
const OP_1 = 0x51;
const OP_PUSHDATA1 = 0x4c;
const OP_PUSHDATA2 = 0x4d;
const OP_PUSHDATA4 = 0x4e;
const MAX_U64 = (1n << 64n) - 1n;

/** Bytes a CompactSize varint takes for `n`. */
export function varintLength(n: number): number {
  assertUint(n, 'varint');
  if (n < 0xfd) return 1;
  if (n <= 0xffff) return 3;
  if (n <= 0xffffffff) return 5;
  return 9;
}

/** Writes `n` as a CompactSize varint at `offset`; returns the offset after it. */
export function writeVarint(out: Buffer, n: number, offset: number): number {
  const size = varintLength(n);
  if (size === 1) {
    out[offset] = n;
  } else if (size === 3) {
    out[offset] = 0xfd;
    out.writeUInt16LE(n, offset + 1);
  } else if (size === 5) {
    out[offset] = 0xfe;
    out.writeUInt32LE(n, offset + 1);
  } else {
    out[offset] = 0xff;
    out.writeBigUInt64LE(BigInt(n), offset + 1);
  }
  return offset + size;
}

/** `n` as a CompactSize varint. */
export function varint(n: number): Buffer {
  const out = Buffer.allocUnsafe(varintLength(n));
  writeVarint(out, n, 0);
  return out;
}

export function u32le(n: number): Buffer {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`u32 out of range: ${n}`);
  const out = Buffer.allocUnsafe(4);
  out.writeUInt32LE(n, 0);
  return out;
}

export function u64le(n: bigint): Buffer {
  if (n < 0n || n > MAX_U64) throw new RangeError(`u64 out of range: ${n}`);
  const out = Buffer.allocUnsafe(8);
  out.writeBigUInt64LE(n, 0);
  return out;
}

/**
 * The minimal CScriptNum encoding of `n` (little-endian magnitude, sign in the top bit of the last byte; a zero
 * byte is appended when the magnitude's top bit is already set, so 128 is `80 00`, not `80`).
 */
export function scriptNumBytes(n: number): Buffer {
  if (!Number.isSafeInteger(n)) throw new RangeError(`script number must be a safe integer: ${n}`);
  if (n === 0) return Buffer.alloc(0);
  const negative = n < 0;
  let magnitude = Math.abs(n);
  const bytes: number[] = [];
  while (magnitude > 0) {
    bytes.push(magnitude % 256);
    magnitude = Math.floor(magnitude / 256);
  }
  const last = bytes.length - 1;
  if (bytes[last] & 0x80) bytes.push(negative ? 0x80 : 0x00);
  else if (negative) bytes[last] |= 0x80;
  return Buffer.from(bytes);
}

/**
 * The script Bitcoin Core's `CScript() << n` produces: OP_0 for 0, OP_1NEGATE/OP_1..OP_16 for -1 and 1..16,
 * otherwise a push of the minimal CScriptNum. BIP34 compares the coinbase scriptSig prefix with exactly this.
 */
export function scriptNumPush(n: number): Buffer {
  if (n === 0) return Buffer.from([OP_0]);
  if (n === -1) return Buffer.from([0x4f]);
  if (Number.isInteger(n) && n >= 1 && n <= 16) return Buffer.from([OP_1 + n - 1]);
  return pushData(scriptNumBytes(n));
}

/** Bytes the smallest push opcode for `length` data bytes takes (without the data). */
export function pushOpcodeLength(length: number): number {
  assertUint(length, 'push length');
  if (length < OP_PUSHDATA1) return 1;
  if (length <= 0xff) return 2;
  if (length <= 0xffff) return 3;
  return 5;
}

/** Writes the smallest push opcode for `length` data bytes at `offset`; returns the offset after it. */
export function writePushOpcode(out: Buffer, length: number, offset: number): number {
  const size = pushOpcodeLength(length);
  if (size === 1) {
    out[offset] = length;
  } else if (size === 2) {
    out[offset] = OP_PUSHDATA1;
    out[offset + 1] = length;
  } else if (size === 3) {
    out[offset] = OP_PUSHDATA2;
    out.writeUInt16LE(length, offset + 1);
  } else {
    out[offset] = OP_PUSHDATA4;
    out.writeUInt32LE(length, offset + 1);
  }
  return offset + size;
}

/** A data push of arbitrary bytes with the smallest push opcode (an empty push is a lone OP_0). */
export function pushData(data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(pushOpcodeLength(data.length) + data.length);
  const at = writePushOpcode(out, data.length, 0);
  data.copy(out, at);
  return out;
}

/** A transaction output: value (u64 LE) ‖ varint(script length) ‖ script. */
export function txOutput(value: bigint, script: Buffer): Buffer {
  return Buffer.concat([u64le(value), varint(script.length), script]);
}

function assertUint(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative safe integer: ${n}`);
}
