import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { sha256d, sha256dAlgorithm } from '../../../src/algorithms/sha256d.js';
import { targetFromBits, hashToBigIntLE } from '../../../src/algorithms/targets.js';
import { BITCOIN_HEADERS, LITECOIN_HEADERS } from '../../../src/algorithms/vectors.js';

const display = (hash: Buffer): string => Buffer.from(hash).reverse().toString('hex');

describe('sha256d', () => {
  for (const v of [...BITCOIN_HEADERS, ...LITECOIN_HEADERS]) {
    it(`hashes the ${v.label} header to its public block hash`, () => {
      const header = Buffer.from(v.header, 'hex');
      assert.equal(header.length, 80);
      assert.equal(display(sha256d(header)), v.blockHash);
    });
  }

  it('Bitcoin headers carry proof of work below the target in their bits', () => {
    for (const v of BITCOIN_HEADERS) {
      const header = Buffer.from(v.header, 'hex');
      assert.equal(header.readUInt32LE(72), v.bits);
      assert.ok(hashToBigIntLE(sha256dAlgorithm.hash(header)) <= targetFromBits(v.bits), v.label);
    }
  });

  it('equals two chained createHash calls on arbitrary lengths', () => {
    for (const len of [0, 1, 55, 56, 64, 80, 1000]) {
      const data = Buffer.alloc(len, len & 0xff);
      const inner = createHash('sha256').update(data).digest();
      assert.deepEqual(sha256d(data), createHash('sha256').update(inner).digest());
    }
  });

  it('declares Bitcoin share scale', () => {
    assert.equal(sha256dAlgorithm.name, 'sha256d');
    assert.equal(sha256dAlgorithm.multiplier, 1);
    assert.equal(sha256dAlgorithm.diff1, targetFromBits(0x1d00ffff));
  });
});
