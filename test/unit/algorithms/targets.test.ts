import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { scryptNodeAlgorithm } from '../../../src/algorithms/scrypt.js';
import { sha256dAlgorithm } from '../../../src/algorithms/sha256d.js';
import {
  difficultyToTarget,
  hashToBigIntLE,
  hashToDifficulty,
  meetsTarget,
  targetFromBits,
  targetToDifficulty,
  targetToLEBuffer,
} from '../../../src/algorithms/targets.js';

describe('targetFromBits', () => {
  it('expands the compact encodings used by Bitcoin and Litecoin', () => {
    assert.equal(targetFromBits(0x1d00ffff), 0xffffn << 208n);
    assert.equal(targetFromBits('1d00ffff'), 0xffffn << 208n);
    assert.equal(targetFromBits('1e0ffff0'), 0x0ffff0n << 216n);
    assert.equal(targetFromBits(0x1b04864c), 0x04864cn << 192n);
    // regtest's powLimit
    assert.equal(targetFromBits('207fffff'), 0x7fffffn << 232n);
  });

  it('shifts right for exponents below 3', () => {
    assert.equal(targetFromBits(0x03123456), 0x123456n);
    assert.equal(targetFromBits(0x02123456), 0x1234n);
    assert.equal(targetFromBits(0x01123456), 0x12n);
    assert.equal(targetFromBits(0x00123456), 0n);
  });

  it('refuses malformed, negative and overflowing encodings', () => {
    assert.throws(() => targetFromBits('1d00fff'), RangeError);
    assert.throws(() => targetFromBits('zz00ffff'), RangeError);
    assert.throws(() => targetFromBits(0x1d80ffff), RangeError);
    assert.throws(() => targetFromBits(0x22123456), RangeError);
    assert.throws(() => targetFromBits(-1), RangeError);
    assert.throws(() => targetFromBits(1.5), RangeError);
  });
});

describe('difficulty <-> target', () => {
  it('divides diff1 exactly for integer difficulties', () => {
    for (const diff of [1, 2, 3, 7, 1000, 65536, 123456789]) {
      assert.equal(difficultyToTarget(diff, sha256dAlgorithm), sha256dAlgorithm.diff1 / BigInt(diff));
      assert.equal(difficultyToTarget(diff, scryptNodeAlgorithm), scryptNodeAlgorithm.diff1 / BigInt(diff));
    }
  });

  it('uses the exact binary value of fractional difficulties', () => {
    // 0.05 as a double is 3602879701896397 / 2^56.
    assert.equal(
      difficultyToTarget(0.05, scryptNodeAlgorithm),
      (scryptNodeAlgorithm.diff1 << 56n) / 3602879701896397n,
    );
    assert.equal(difficultyToTarget(0.5, sha256dAlgorithm), sha256dAlgorithm.diff1 * 2n);
    assert.equal(difficultyToTarget(1 / 65536, sha256dAlgorithm), scryptNodeAlgorithm.diff1);
  });

  it('caps tiny difficulties at the largest 256-bit target', () => {
    assert.equal(difficultyToTarget(1e-30, scryptNodeAlgorithm), (1n << 256n) - 1n);
  });

  it('rejects non-positive and non-finite difficulties', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => difficultyToTarget(bad, sha256dAlgorithm), RangeError);
    }
  });

  it('round-trips through targetToDifficulty', () => {
    for (const diff of [0.001, 0.05, 1, 1.5, 512, 16384.25, 1e9, 5.2e13]) {
      const back = targetToDifficulty(difficultyToTarget(diff, scryptNodeAlgorithm), scryptNodeAlgorithm);
      assert.ok(Math.abs(back - diff) / diff < 1e-12, `${diff} -> ${back}`);
    }
  });

  it('reports the Bitcoin genesis block at difficulty 1 and a real network target correctly', () => {
    assert.equal(targetToDifficulty(targetFromBits(0x1d00ffff), sha256dAlgorithm), 1);
    // Bitcoin block 100000 had difficulty 14484.162361225399 (bits 1b04864c).
    const d = targetToDifficulty(targetFromBits(0x1b04864c), sha256dAlgorithm);
    assert.ok(Math.abs(d - 14484.162361225399) < 1e-9, String(d));
  });

  it('gives a hash its own difficulty', () => {
    const hash = targetToLEBuffer(sha256dAlgorithm.diff1 / 4n);
    assert.equal(hashToDifficulty(hash, sha256dAlgorithm), 4);
    assert.equal(hashToDifficulty(Buffer.alloc(32), sha256dAlgorithm), Number.POSITIVE_INFINITY);
  });
});

describe('hash comparison', () => {
  it('reads hashes as little-endian integers', () => {
    const hash = Buffer.alloc(32);
    hash[0] = 1;
    assert.equal(hashToBigIntLE(hash), 1n);
    hash[31] = 0x80;
    assert.equal(hashToBigIntLE(hash), (0x80n << 248n) + 1n);
    assert.throws(() => hashToBigIntLE(Buffer.alloc(31)), RangeError);
  });

  it('targetToLEBuffer is the inverse of hashToBigIntLE', () => {
    for (let i = 0; i < 200; i++) {
      const bytes = randomBytes(32);
      assert.deepEqual(targetToLEBuffer(hashToBigIntLE(bytes)), bytes);
    }
    assert.throws(() => targetToLEBuffer(1n << 256n), RangeError);
    assert.throws(() => targetToLEBuffer(-1n), RangeError);
  });

  it('meetsTarget agrees with bigint comparison, including ties and low-byte differences', () => {
    for (let i = 0; i < 2000; i++) {
      const target = randomBytes(32);
      const hash = Buffer.from(target);
      const mode = i % 4;
      if (mode === 1) hash[i % 32] ^= 1 << (i % 8);
      else if (mode === 2) randomBytes(32).copy(hash);
      else if (mode === 3) hash.fill(0, 16 + (i % 16));
      const want = hashToBigIntLE(hash) <= hashToBigIntLE(target);
      assert.equal(meetsTarget(hash, target), want, `${hash.toString('hex')} vs ${target.toString('hex')}`);
    }
  });

  it('meetsTarget decides shares by the share target built from a difficulty', () => {
    const targetLE = targetToLEBuffer(difficultyToTarget(2, sha256dAlgorithm));
    assert.equal(meetsTarget(targetToLEBuffer(sha256dAlgorithm.diff1 / 2n), targetLE), true);
    assert.equal(meetsTarget(targetToLEBuffer(sha256dAlgorithm.diff1 / 2n + 1n), targetLE), false);
  });
});
