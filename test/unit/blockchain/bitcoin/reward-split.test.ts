import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { percentToFraction, splitReward } from '../../../../src/blockchain/bitcoin/reward-split.js';

describe('percentToFraction', () => {
  it('reads the decimal a JS number prints, exactly', () => {
    assert.deepEqual(percentToFraction(1.5), { numerator: 15n, denominator: 1000n });
    assert.deepEqual(percentToFraction(0.1), { numerator: 1n, denominator: 1000n });
    assert.deepEqual(percentToFraction(33.333333), { numerator: 33333333n, denominator: 100_000_000n });
    assert.deepEqual(percentToFraction(0), { numerator: 0n, denominator: 100n });
  });
  it('handles exponent notation', () => {
    assert.deepEqual(percentToFraction(1e-7), { numerator: 1n, denominator: 1_000_000_000n });
    assert.deepEqual(percentToFraction(1e21), { numerator: 10n ** 21n, denominator: 100n });
  });
  it('refuses negative, NaN and infinite percents', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) assert.throws(() => percentToFraction(bad), RangeError);
  });
});

describe('splitReward', () => {
  it('pays 1.5 %, 0.1 % and 33.333333 % by floor and gives the pool the exact remainder', () => {
    const total = 5_000_000_007n;
    const split = splitReward(total, [1.5, 0.1, 33.333333]);
    // 5_000_000_007 * 0.015 = 75_000_000.105; * 0.001 = 5_000_000.007; * 0.33333333 = 1_666_666_652.33...
    assert.deepEqual(split.recipients, [75_000_000n, 5_000_000n, 1_666_666_652n]);
    assert.equal(split.pool, 3_253_333_355n);
    assert.equal(split.recipients.reduce((a, b) => a + b, split.pool), total);
  });

  it('sums exactly to the total for many totals', () => {
    for (let total = 0n; total < 2_000n; total += 7n) {
      const split = splitReward(total, [1.5, 0.1, 33.333333]);
      assert.equal(split.recipients.reduce((a, b) => a + b, split.pool), total);
      assert.ok(split.pool >= 0n && split.recipients.every((r) => r >= 0n));
    }
  });

  it('avoids the float error of total * percent / 100', () => {
    // 10000 * 4.35 / 100 is 434.99999999999994 in floating point; the exact answer is 435.
    assert.deepEqual(splitReward(10_000n, [4.35]).recipients, [435n]);
  });

  it('gives everything to the pool without recipients', () => {
    assert.deepEqual(splitReward(1_250_000_000n, []), { recipients: [], pool: 1_250_000_000n });
  });

  it('refuses recipients adding up to 100 percent or more', () => {
    assert.throws(() => splitReward(100n, [50, 50]), RangeError);
    assert.throws(() => splitReward(100n, [99.9999999, 0.0000001]), RangeError);
    assert.doesNotThrow(() => splitReward(100n, [99.9999999]));
  });

  it('refuses a negative total', () => {
    assert.throws(() => splitReward(-1n, []), RangeError);
  });
});
