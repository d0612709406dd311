import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  pushData,
  scriptNumBytes,
  scriptNumPush,
  txOutput,
  u32le,
  u64le,
  varint,
  varintLength,
} from '../../../../src/blockchain/bitcoin/serialize.js';

const hex = (b: Buffer): string => b.toString('hex');

describe('scriptNumPush (CScript() << n)', () => {
  // Expected bytes follow Bitcoin Core's CScriptNum::serialize and CScript::push_int64.
  const cases: Array<[number, string]> = [
    [0, '00'],
    [1, '51'],
    [16, '60'],
    [17, '0111'],
    [127, '017f'],
    [128, '028000'],
    [255, '02ff00'],
    [256, '020001'],
    [500, '02f401'],
    [32767, '02ff7f'],
    [32768, '03008000'],
    [8388607, '03ffff7f'],
    [8388608, '0400008000'],
    [2_500_000, '03a02526'],
    [-1, '4f'],
    [-128, '028080'],
  ];
  for (const [n, expected] of cases) {
    it(`encodes ${n} as ${expected}`, () => assert.equal(hex(scriptNumPush(n)), expected));
  }

  it('uses OP_1..OP_16 for every height from 1 to 16', () => {
    for (let n = 1; n <= 16; n++) assert.deepEqual([...scriptNumPush(n)], [0x50 + n]);
  });

  it('never emits a redundant trailing byte', () => {
    for (const n of [17, 100, 127, 128, 200, 255, 256, 1000, 32767, 32768, 65535, 65536, 2 ** 31 - 1]) {
      const bytes = scriptNumBytes(n);
      const last = bytes[bytes.length - 1];
      // A trailing 0x00 is only allowed when the previous byte's top bit needs shielding from the sign bit.
      if (last === 0x00) assert.ok(bytes.length > 1 && (bytes[bytes.length - 2] & 0x80) !== 0, `n=${n}`);
      let decoded = 0;
      for (let i = bytes.length - 1; i >= 0; i--) decoded = decoded * 256 + bytes[i];
      assert.equal(decoded, n);
    }
  });

  it('refuses non-integers', () => {
    assert.throws(() => scriptNumPush(1.5), RangeError);
  });
});

describe('varint', () => {
  const cases: Array<[number, string]> = [
    [0, '00'],
    [1, '01'],
    [252, 'fc'],
    [253, 'fdfd00'],
    [0xffff, 'fdffff'],
    [0x10000, 'fe00000100'],
    [0xffffffff, 'feffffffff'],
    [0x100000000, 'ff0000000001000000'],
  ];
  for (const [n, expected] of cases) {
    it(`encodes ${n} as ${expected}`, () => {
      assert.equal(hex(varint(n)), expected);
      assert.equal(varintLength(n), expected.length / 2);
    });
  }
  it('refuses negative and fractional counts', () => {
    assert.throws(() => varint(-1), RangeError);
    assert.throws(() => varint(0.5), RangeError);
  });
});

describe('integers and pushes', () => {
  it('writes little-endian u32 and u64', () => {
    assert.equal(hex(u32le(0x01020304)), '04030201');
    assert.equal(hex(u64le(5_000_000_000n)), '00f2052a01000000');
    assert.throws(() => u32le(2 ** 32), RangeError);
    assert.throws(() => u64le(-1n), RangeError);
  });

  it('pushes data with the smallest opcode', () => {
    assert.equal(hex(pushData(Buffer.from('abcd', 'hex'))), '02abcd');
    assert.equal(hex(pushData(Buffer.alloc(75, 1))).slice(0, 2), '4b');
    assert.equal(hex(pushData(Buffer.alloc(76, 1))).slice(0, 4), '4c4c');
    assert.equal(hex(pushData(Buffer.alloc(256, 1))).slice(0, 6), '4d0001');
    assert.equal(pushData(Buffer.alloc(300)).length, 303);
  });

  it('serializes an output as value, script length, script', () => {
    const script = Buffer.from('76a914c398efa9c392ba6013c5e04ee729755ef7f58b3288ac', 'hex');
    // Output 0 of Bitcoin block 100000's second transaction (5.56 BTC).
    assert.equal(hex(txOutput(556_000_000n, script)), '00e3232100000000' + '19' + script.toString('hex'));
  });
});
