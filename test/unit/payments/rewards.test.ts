import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { computeCredits, pplnsWindow, splitProportionally, sumCredits } from '../../../src/payments/rewards.js';

/** A small deterministic generator so failures reproduce. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

describe('splitProportionally', () => {
  test('remainders go to the largest dropped fractions, ties by address', () => {
    // 10 units over work 1:1:1 -> 3 each, one left; all fractions equal, so the first address by name gets it.
    assert.deepEqual([...splitProportionally(10n, new Map([['c', 1n], ['a', 1n], ['b', 1n]]))], [['a', 4n], ['b', 3n], ['c', 3n]]);
    // 100 over 1:2:4 (total 7): 14.28, 28.57, 57.14 -> floors 14, 28, 57 (99); largest fraction is b's .57.
    assert.deepEqual([...splitProportionally(100n, new Map([['a', 1n], ['b', 2n], ['c', 4n]]))], [['a', 14n], ['b', 29n], ['c', 57n]]);
  });

  test('addresses with zero work get nothing and zero total is refused', () => {
    assert.deepEqual([...splitProportionally(5n, new Map([['a', 0n], ['b', 3n]]))], [['b', 5n]]);
    assert.throws(() => splitProportionally(5n, new Map([['a', 0n]])), RangeError);
    assert.throws(() => splitProportionally(5n, new Map([['a', -1n]])), RangeError);
  });

  test('random splits: exact sum, each credit within one unit of its exact share, order independent', () => {
    const next = lcg(42);
    for (let round = 0; round < 300; round++) {
      const n = 1 + (next() % 12);
      const weights = new Map<string, bigint>();
      for (let i = 0; i < n; i++) weights.set(`addr${next() % 50}`, BigInt(next() % 1_000_000) * BigInt(1 + (next() % 1000)) + 1n);
      const amount = BigInt(next()) * BigInt(next() % 100_000);
      const credits = splitProportionally(amount, weights);
      assert.equal(sumCredits(credits), amount);
      const total = [...weights.values()].reduce((a, b) => a + b, 0n);
      for (const [address, work] of weights) {
        const credit = credits.get(address) ?? 0n;
        // credit * total lies within one `total` of amount * work: floor or floor + 1.
        const exact = amount * work;
        assert.ok(credit * total <= exact + total && credit * total >= exact - total, `${address} ${credit}`);
      }
      const reversed = splitProportionally(amount, new Map([...weights].reverse()));
      assert.deepEqual([...reversed], [...credits]);
    }
  });
});

describe('pplnsWindow', () => {
  test('counts newest shares until the window is full and cuts the oldest one', () => {
    const shares = [
      { address: 'a', work: 5n },
      { address: 'b', work: 3n },
      { address: 'a', work: 4n },
      { address: 'c', work: 10n },
    ];
    const { weights, window } = pplnsWindow(shares, 10n);
    assert.deepEqual([...weights], [['a', 7n], ['b', 3n]]);
    assert.deepEqual(window.map((s) => s.work), [5n, 3n, 2n]);
  });

  test('fewer shares than the window: everything counts', () => {
    const { weights } = pplnsWindow([{ address: 'x', work: 2n }, { address: 'y', work: 1n }], 1000n);
    assert.deepEqual([...weights], [['x', 2n], ['y', 1n]]);
  });
});

describe('computeCredits', () => {
  test('PROP splits by round work, SOLO pays the finder, PPLNS by the window', () => {
    const round = new Map([['a', 1n], ['b', 3n]]);
    assert.deepEqual([...computeCredits({ scheme: 'PROP', amount: 400n, finder: 'b', roundWork: round }).credits], [['a', 100n], ['b', 300n]]);
    assert.deepEqual([...computeCredits({ scheme: 'SOLO', amount: 400n, finder: 'a', roundWork: round }).credits], [['a', 400n]]);
    const pplns = computeCredits({
      scheme: 'PPLNS',
      amount: 90n,
      finder: 'a',
      recentShares: [{ address: 'a', work: 1n }, { address: 'b', work: 2n }, { address: 'c', work: 100n }],
      windowWork: 9n,
    });
    assert.deepEqual([...pplns.credits], [['a', 10n], ['b', 20n], ['c', 60n]]);
    assert.equal(pplns.window?.length, 3);
  });

  test('an empty round pays the finder instead of losing the reward', () => {
    assert.deepEqual([...computeCredits({ scheme: 'PROP', amount: 7n, finder: 'f', roundWork: new Map() }).credits], [['f', 7n]]);
    assert.throws(() => computeCredits({ scheme: 'PPLNS', amount: 7n, finder: 'f' }), RangeError);
  });
});
