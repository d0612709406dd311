import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TIMINGS, resolveTimings } from '../../../src/master/timings.js';

describe('resolveTimings', () => {
  it('uses the defaults when the variable is unset or blank', () => {
    assert.deepEqual(resolveTimings(undefined), DEFAULT_TIMINGS);
    assert.deepEqual(resolveTimings('  '), DEFAULT_TIMINGS);
  });

  it('overrides only the given fields', () => {
    const t = resolveTimings('{"initialDelayMs":50,"maxDelayMs":400}');
    assert.equal(t.initialDelayMs, 50);
    assert.equal(t.maxDelayMs, 400);
    assert.equal(t.stableAfterMs, DEFAULT_TIMINGS.stableAfterMs);
  });

  it('rejects malformed values instead of silently using defaults', () => {
    assert.throws(() => resolveTimings('{initialDelayMs:1'), /not valid JSON/);
    assert.throws(() => resolveTimings('{"initialDelayMS":50}'), /HEADFRAME_SUPERVISOR_TEST_TIMINGS/);
    assert.throws(() => resolveTimings('{"maxDelayMs":-1}'), /maxDelayMs/);
    assert.throws(() => resolveTimings('{"initialDelayMs":5000,"maxDelayMs":100}'), /exceeds maxDelayMs/);
  });
});
