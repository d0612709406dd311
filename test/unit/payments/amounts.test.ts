import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AmountConversionError, coinsToUnits, unitsToCoins } from '../../../src/payments/amounts.js';

describe('daemon amounts <-> base units', () => {
  test('floats that are not exact in binary convert to the printed decimal', () => {
    assert.equal(coinsToUnits(0.1), 10_000_000n);
    assert.equal(coinsToUnits(0.3), 30_000_000n);
    assert.equal(coinsToUnits(12.5), 1_250_000_000n);
    assert.equal(coinsToUnits(0.00000001), 1n);
    assert.equal(coinsToUnits(-0.00012345), -12_345n);
    // 0.1 + 0.2 in float math is 0.30000000000000004: shows why the conversion rounds the text, not the double.
    assert.equal(coinsToUnits(0.1 + 0.2), 30_000_000n);
  });

  test('every 8-decimal amount up to the 84M supply survives JSON parse and back', () => {
    const samples = ['83999999.99999999', '20999999.97690000', '12345678.12345678', '1.00000001', '0.99999999'];
    for (const text of samples) {
      const parsed = JSON.parse(text) as number;
      assert.equal(coinsToUnits(parsed), BigInt(text.replace('.', '')), text);
    }
  });

  test('refuses amounts finer than a base unit and non-numbers', () => {
    assert.throws(() => coinsToUnits(0.000000015), AmountConversionError);
    assert.throws(() => coinsToUnits(Number.NaN), AmountConversionError);
    assert.throws(() => coinsToUnits('abc'), AmountConversionError);
  });

  test('units -> coin text is exact and reads back', () => {
    assert.equal(unitsToCoins(1n), '0.00000001');
    assert.equal(unitsToCoins(1_250_000_000n), '12.50000000');
    assert.equal(unitsToCoins(0n), '0.00000000');
    assert.equal(unitsToCoins(-5n), '-0.00000005');
    for (const units of [7n, 123_456_789n, 8_399_999_999_999_999n]) assert.equal(coinsToUnits(unitsToCoins(units)), units);
  });
});
