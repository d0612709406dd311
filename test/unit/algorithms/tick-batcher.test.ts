import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, scryptSync } from 'node:crypto';
import { createTickBatcher } from '../../../src/algorithms/tick-batcher.js';
import { createAlgorithmRegistry } from '../../../src/algorithms/registry.js';

const reference = (h: Buffer) => scryptSync(h, h, 32, { N: 1024, r: 1, p: 1 });

test('shares arriving in one turn are hashed as batches, each answered with its own hash', async () => {
  const fast = createAlgorithmRegistry().describe('scrypt');
  assert.ok(fast.hashMany, `the scrypt kernel ${fast.kernel} offers batch hashing`);
  const batches: number[] = [];
  const hash = createTickBatcher({
    hashMany: (input, count, out) => {
      batches.push(count);
      fast.hashMany!(input, count, out);
    },
    hashOne: fast.algorithm.hash,
    maxBatch: 8,
  });
  const headers = Array.from({ length: 21 }, () => randomBytes(80));
  const hashes = await Promise.all(headers.map((h) => hash(h)));
  hashes.forEach((h, i) => assert.deepEqual(h, reference(headers[i]), `header ${i}`));
  assert.deepEqual(batches, [8, 8, 5], 'split at maxBatch, all in one turn');

  const lone = randomBytes(80);
  assert.deepEqual(await hash(lone), reference(lone));
  assert.deepEqual(batches, [8, 8, 5], 'a lone header takes the single-header path');
});

test('a kernel failure rejects only that batch, and a wrong-sized header is refused', async () => {
  let fail = true;
  const hash = createTickBatcher({
    hashMany: (_input, count, out) => {
      if (fail) throw new Error('kernel broke');
      out.fill(7, 0, count * 32);
    },
    hashOne: () => Buffer.alloc(32, 1),
  });
  const failed = await Promise.allSettled([hash(randomBytes(80)), hash(randomBytes(80))]);
  assert.deepEqual(failed.map((r) => r.status), ['rejected', 'rejected']);
  fail = false;
  const ok = await Promise.all([hash(randomBytes(80)), hash(randomBytes(80))]);
  assert.deepEqual(ok[1], Buffer.alloc(32, 7));
  await assert.rejects(hash(randomBytes(79)), /80 bytes/);
});
