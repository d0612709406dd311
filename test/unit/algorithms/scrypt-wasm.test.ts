import assert from 'node:assert/strict';
import { randomBytes, scryptSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { ScryptWasmKernel, wasmSimdSupported } from '../../../src/algorithms/scrypt-wasm/kernel.js';
import { sha256d } from '../../../src/algorithms/sha256d.js';
import { hashToBigIntLE, targetFromBits } from '../../../src/algorithms/targets.js';
import { LITECOIN_HEADERS } from '../../../src/algorithms/vectors.js';

const reference = (header: Buffer): Buffer => scryptSync(header, header, 32, { N: 1024, r: 1, p: 1 });
const display = (hash: Buffer): string => Buffer.from(hash).reverse().toString('hex');

describe('WebAssembly scrypt kernel', () => {
  const kernel = ScryptWasmKernel.create();

  it('runs on this Node (SIMD validated)', () => {
    assert.equal(wasmSimdSupported(), true);
    assert.equal(kernel.name, 'wasm-simd');
    assert.ok(kernel.maxBatch >= 3);
  });

  it('matches node:crypto on the real Litecoin mainnet headers, whose PoW is below their target', () => {
    for (const v of LITECOIN_HEADERS) {
      const header = Buffer.from(v.header, 'hex');
      assert.equal(display(sha256d(header)), v.blockHash);
      const pow = kernel.hash(header);
      assert.deepEqual(pow, reference(header), v.label);
      assert.ok(hashToBigIntLE(pow) <= targetFromBits(v.bits), v.label);
      if (v.powHash) assert.equal(display(pow), v.powHash);
    }
  });

  it('equals crypto.scryptSync on 10,000 random headers (batch path)', () => {
    const count = 10_000;
    const headers = randomBytes(count * 80);
    const out = Buffer.alloc(count * 32);
    kernel.hashMany(headers, count, out);
    for (let i = 0; i < count; i++) {
      const header = headers.subarray(i * 80, i * 80 + 80);
      const got = out.subarray(i * 32, i * 32 + 32);
      if (!got.equals(reference(header))) assert.fail(`mismatch on header ${header.toString('hex')}`);
    }
  });

  it('equals crypto.scryptSync one header at a time (single-lane path) and for every batch tail size', () => {
    for (let i = 0; i < 64; i++) {
      const header = randomBytes(80);
      assert.deepEqual(kernel.hash(header), reference(header));
    }
    for (let count = 0; count <= 7; count++) {
      const headers = randomBytes(count * 80);
      const out = Buffer.alloc(count * 32);
      kernel.hashMany(headers, count, out);
      for (let i = 0; i < count; i++) {
        const header = headers.subarray(i * 80, i * 80 + 80);
        assert.deepEqual(out.subarray(i * 32, i * 32 + 32), reference(header), `count ${count} index ${i}`);
      }
    }
  });

  it('crosses the kernel batch window without mixing results', () => {
    const count = 131;
    const headers = randomBytes(count * 80);
    const out = Buffer.alloc(count * 32);
    kernel.hashMany(headers, count, out);
    for (const i of [0, 62, 63, 64, 125, 126, 127, 130]) {
      assert.deepEqual(out.subarray(i * 32, i * 32 + 32), reference(headers.subarray(i * 80, i * 80 + 80)), `index ${i}`);
    }
  });

  it('does not depend on earlier calls (no state leaks between hashes)', () => {
    const header = randomBytes(80);
    const first = kernel.hash(header);
    kernel.hashMany(randomBytes(5 * 80), 5, Buffer.alloc(5 * 32));
    assert.deepEqual(kernel.hash(header), first);
  });

  it('refuses headers that are not 80 bytes', () => {
    assert.throws(() => kernel.hash(Buffer.alloc(79)), RangeError);
    assert.throws(() => kernel.hashMany(Buffer.alloc(160), 3, Buffer.alloc(96)), RangeError);
    assert.throws(() => kernel.hashMany(Buffer.alloc(160), 2, Buffer.alloc(63)), RangeError);
  });
});
