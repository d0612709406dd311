import assert from 'node:assert/strict';
import { randomBytes, scryptSync } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { createHashPool, HashPoolError, withFallback, type HashPool } from '../../../src/algorithms/hash-pool.js';
import type { AlgorithmName } from '../../../src/config/types.js';
import { sha256d } from '../../../src/algorithms/sha256d.js';

const reference = (header: Buffer): Buffer => scryptSync(header, header, 32, { N: 1024, r: 1, p: 1 });
/** Every worker thread of a pool for it throws while it builds its registry, before its 'ready' message. */
const BROKEN = 'no-such-algorithm' as AlgorithmName;

/** The promise's outcome, or 'pending' if it has none within `ms` (a hash that is never answered). */
async function settledWithin<T>(promise: Promise<T>, ms: number): Promise<PromiseSettledResult<T> | 'pending'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'pending'>((resolve) => {
    timer = setTimeout(() => resolve('pending'), ms);
  });
  const outcome = await Promise.race([
    promise.then(
      (value): PromiseSettledResult<T> => ({ status: 'fulfilled', value }),
      (reason: unknown): PromiseSettledResult<T> => ({ status: 'rejected', reason }),
    ),
    late,
  ]);
  clearTimeout(timer);
  return outcome;
}

async function untilNoWorkerLeft(pool: HashPool): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (pool.kernels().length > 0) {
    assert.ok(Date.now() < deadline, `workers still there: ${pool.kernels().join(', ')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('hash pool', () => {
  const pools: HashPool[] = [];
  const open = (...args: Parameters<typeof createHashPool>): HashPool => {
    const pool = createHashPool(...args);
    pools.push(pool);
    return pool;
  };
  after(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  it('returns correct scrypt hashes, settled in call order, from concurrent callers on two threads', async () => {
    const pool = open({ threads: 2, algorithm: 'scrypt' });
    const callers = 4;
    const perCaller = 50;
    const headers: Buffer[] = [];
    const settled: number[] = [];
    const promises: Promise<Buffer>[] = [];
    // Callers interleave their submits; each waits a tick now and then so batches of different sizes form.
    for (let round = 0; round < perCaller; round++) {
      for (let c = 0; c < callers; c++) {
        const index = headers.length;
        const header = randomBytes(80);
        headers.push(header);
        promises.push(
          pool.hash(header).then((hash) => {
            settled.push(index);
            return hash;
          }),
        );
      }
      if (round % 7 === 0) await new Promise((r) => setImmediate(r));
    }
    const hashes = await Promise.all(promises);
    assert.deepEqual(settled, headers.map((_, i) => i));
    hashes.forEach((hash, i) => assert.deepEqual(hash, reference(headers[i]), `header ${i}`));
    assert.deepEqual(pool.kernels(), ['wasm-simd', 'wasm-simd']);
  });

  it('answers a lone request without waiting for a batch to fill', async () => {
    const pool = open({ threads: 1, algorithm: 'scrypt' });
    await pool.hash(randomBytes(80)); // start-up and self-test out of the way
    const header = randomBytes(80);
    const start = process.hrtime.bigint();
    const hash = await pool.hash(header);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    assert.deepEqual(hash, reference(header));
    // One hash is well under a millisecond; a batch timer would show up as a fixed delay. Generous for a busy box.
    assert.ok(ms < 50, `lone request took ${ms} ms`);
  });

  it('copies the header, so reusing the caller buffer does not change a queued hash', async () => {
    const pool = open({ threads: 1, algorithm: 'sha256d' });
    const buf = randomBytes(80);
    const original = Buffer.from(buf);
    const pending = pool.hash(buf);
    buf.fill(0);
    assert.deepEqual(await pending, sha256d(original));
  });

  it('rejects a malformed header in its place in the order without disturbing neighbours', async () => {
    const pool = open({ threads: 1, algorithm: 'sha256d', prefer: 'reference' });
    const good = [randomBytes(80), randomBytes(80)];
    const events: string[] = [];
    const a = pool.hash(good[0]).then(() => events.push('a'));
    const bad = pool.hash(Buffer.alloc(81)).catch((err: Error) => {
      events.push('bad');
      return err;
    });
    const c = pool.hash(good[1]).then((h) => {
      events.push('c');
      return h;
    });
    const [, err, hashC] = await Promise.all([a, bad, c]);
    assert.ok(err instanceof RangeError);
    assert.deepEqual(events, ['a', 'bad', 'c']);
    assert.deepEqual(hashC, sha256d(good[1]));
    assert.deepEqual(pool.kernels(), ['node:crypto']);
  });

  it('fails a batch that misses its deadline with HASH_POOL_TIMEOUT', async () => {
    const pool = open({ threads: 1, algorithm: 'scrypt', prefer: 'reference', batchTimeoutMs: 1 });
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => pool.hash(randomBytes(80))));
    assert.ok(results.length > 0);
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      assert.ok(r.reason instanceof HashPoolError);
      assert.equal(r.reason.code, 'HASH_POOL_TIMEOUT');
    }
  });

  it('close() fails pending work with HASH_POOL_CLOSED and refuses new work', async () => {
    const pool = open({ threads: 1, algorithm: 'scrypt', prefer: 'reference' });
    const settled = Promise.allSettled(Array.from({ length: 20 }, () => pool.hash(randomBytes(80))));
    await pool.close();
    const results = await settled;
    const rejected = results.filter((r) => r.status === 'rejected');
    assert.ok(rejected.length > 0, 'some work was still pending at close');
    for (const r of rejected) assert.equal((r.reason as HashPoolError).code, 'HASH_POOL_CLOSED');
    await assert.rejects(pool.hash(randomBytes(80)), (err: HashPoolError) => err.code === 'HASH_POOL_CLOSED');
  });

  it('once every worker failed before it was ready, hash() rejects at once instead of queueing forever', async () => {
    const reasons: string[] = [];
    const pool = open({ threads: 2, algorithm: BROKEN, onUnusable: (reason) => reasons.push(reason) });
    // Sent while the workers start: answered (with the failure), not left waiting.
    const early = await settledWithin(pool.hash(randomBytes(80)), 10_000);
    if (early === 'pending') assert.fail('a hash sent while the workers started was never answered');
    assert.equal(early.status, 'rejected');
    await untilNoWorkerLeft(pool);
    for (let i = 0; i < 3; i++) {
      const later = await settledWithin(pool.hash(randomBytes(80)), 1000);
      if (later === 'pending') assert.fail(`hash ${i} after the last worker failed was never answered`);
      assert.equal(later.status, 'rejected');
      assert.ok(later.reason instanceof HashPoolError);
      assert.equal(later.reason.code, 'HASH_WORKER_FAILED');
      assert.match(later.reason.message, /unknown algorithm/);
    }
    assert.equal(pool.usable, false);
    assert.equal(reasons.length, 1, 'reported once, when the last worker went');
    assert.match(reasons[0], /unknown algorithm/);
  });

  it('a working pool stays usable', async () => {
    const pool = open({ threads: 1, algorithm: 'sha256d' });
    await pool.hash(randomBytes(80));
    assert.equal(pool.usable, true);
  });

  it('withFallback hashes in the pool while it is usable and on the event loop once it is not', async () => {
    const fallbackCalls: Buffer[] = [];
    const fallback = async (header: Buffer) => {
      fallbackCalls.push(header);
      return sha256d(header);
    };
    const good = open({ threads: 1, algorithm: 'sha256d' });
    const header = randomBytes(80);
    assert.deepEqual(await withFallback(good, fallback)(header), sha256d(header));
    assert.equal(fallbackCalls.length, 0, 'a usable pool does the hashing');

    const broken = open({ threads: 1, algorithm: BROKEN });
    const hasher = withFallback(broken, fallback);
    await untilNoWorkerLeft(broken);
    const headers = [randomBytes(80), randomBytes(80)];
    const hashes = await Promise.all(headers.map((h) => hasher(h)));
    hashes.forEach((hash, i) => assert.deepEqual(hash, sha256d(headers[i])));
    assert.equal(fallbackCalls.length, 2);
  });

  it('refuses a thread count below one', () => {
    assert.throws(() => createHashPool({ threads: 0, algorithm: 'scrypt' }), RangeError);
  });
});
