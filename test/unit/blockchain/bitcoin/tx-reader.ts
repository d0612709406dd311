// A minimal, independent reader of non-witness transactions, so tests check the coinbase bytes by parsing them
// rather than by comparing against bytes produced by the code under test.
export interface ParsedOutput {
  value: bigint;
  script: Buffer;
}

export interface ParsedTx {
  version: number;
  inputs: Array<{ prevout: Buffer; script: Buffer; sequence: number }>;
  outputs: ParsedOutput[];
  locktime: number;
  size: number;
}

export function readTx(buf: Buffer): ParsedTx {
  let at = 0;
  const varint = (): number => {
    const first = buf[at++];
    if (first < 0xfd) return first;
    if (first === 0xfd) return (at += 2), buf.readUInt16LE(at - 2);
    if (first === 0xfe) return (at += 4), buf.readUInt32LE(at - 4);
    return (at += 8), Number(buf.readBigUInt64LE(at - 8));
  };
  const take = (n: number): Buffer => {
    if (at + n > buf.length) throw new Error('truncated transaction');
    return buf.subarray(at, (at += n));
  };
  const version = take(4).readUInt32LE(0);
  const inputs = Array.from({ length: varint() }, () => {
    const prevout = take(36);
    const script = take(varint());
    return { prevout, script, sequence: take(4).readUInt32LE(0) };
  });
  const outputs = Array.from({ length: varint() }, () => {
    const value = take(8).readBigUInt64LE(0);
    return { value, script: take(varint()) };
  });
  const locktime = take(4).readUInt32LE(0);
  return { version, inputs, outputs, locktime, size: at };
}
