import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scryptNodeAlgorithm, scryptPowNode } from '../../../src/algorithms/scrypt.js';
import { sha256d } from '../../../src/algorithms/sha256d.js';
import { hashToBigIntLE, targetFromBits } from '../../../src/algorithms/targets.js';
import { LITECOIN_HEADERS } from '../../../src/algorithms/vectors.js';

const display = (hash: Buffer): string => Buffer.from(hash).reverse().toString('hex');

describe('scrypt (node:crypto reference)', () => {
  for (const v of LITECOIN_HEADERS) {
    it(`${v.label}: block hash matches and the scrypt PoW is below the target from its bits`, () => {
      const header = Buffer.from(v.header, 'hex');
      assert.equal(display(sha256d(header)), v.blockHash);
      assert.equal(header.readUInt32LE(72), v.bits);
      const pow = scryptPowNode(header);
      assert.equal(pow.length, 32);
      assert.ok(hashToBigIntLE(pow) <= targetFromBits(v.bits), `${display(pow)} above target`);
      if (v.powHash) assert.equal(display(pow), v.powHash);
    });
  }

  it('a header with a changed nonce no longer meets the Litecoin target', () => {
    const v = LITECOIN_HEADERS[2];
    const header = Buffer.from(v.header, 'hex');
    header.writeUInt32LE((header.readUInt32LE(76) + 1) >>> 0, 76);
    assert.ok(hashToBigIntLE(scryptPowNode(header)) > targetFromBits(v.bits));
  });

  it('declares the cpuminer/NOMP share scale', () => {
    assert.equal(scryptNodeAlgorithm.name, 'scrypt');
    assert.equal(scryptNodeAlgorithm.multiplier, 65536);
    assert.equal(scryptNodeAlgorithm.diff1, 0xffffn << 224n);
  });
});
