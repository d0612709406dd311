import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RestartPolicy } from '../../../src/master/restart-policy.js';
import type { SupervisorTimings } from '../../../src/master/timings.js';

const timings: SupervisorTimings = {
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  stableAfterMs: 60_000,
  crashLoopWindowMs: 300_000,
  crashLoopThreshold: 5,
  startTimeoutMs: 30_000,
};

/** A clock the test moves by hand. */
function manualClock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** Starts the child, lets it live `ranFor` ms, kills it, waits the decided delay; returns the decisions. */
function cycle(policy: RestartPolicy, clock: ReturnType<typeof manualClock>, ranFor: number[]) {
  return ranFor.map((ms) => {
    policy.recordStart();
    clock.advance(ms);
    const decision = policy.recordExit();
    clock.advance(decision.delayMs);
    return decision;
  });
}

describe('RestartPolicy', () => {
  it('doubles the delay from the initial value for quick deaths', () => {
    const clock = manualClock();
    const policy = new RestartPolicy({ ...timings, crashLoopThreshold: 100 }, clock.now);
    const delays = cycle(policy, clock, [10, 10, 10, 10]).map((d) => d.delayMs);
    assert.deepEqual(delays, [1_000, 2_000, 4_000, 8_000]);
  });

  it('never waits longer than maxDelayMs', () => {
    const clock = manualClock();
    const policy = new RestartPolicy({ ...timings, crashLoopThreshold: 1_000, crashLoopWindowMs: 1 }, clock.now);
    const delays = cycle(policy, clock, Array(60).fill(5)).map((d) => d.delayMs);
    assert.deepEqual(delays.slice(0, 6), [1_000, 2_000, 4_000, 8_000, 16_000, 30_000]);
    assert.ok(delays.slice(5).every((d) => d === 30_000), 'capped, also after many deaths (no overflow to Infinity/NaN)');
  });

  it('reports how long the child ran', () => {
    const clock = manualClock();
    const policy = new RestartPolicy(timings, clock.now);
    const [decision] = cycle(policy, clock, [4_321]);
    assert.equal(decision.ranForMs, 4_321);
  });

  it('starts over at the initial delay after a stable run', () => {
    const clock = manualClock();
    const policy = new RestartPolicy({ ...timings, crashLoopThreshold: 100 }, clock.now);
    const delays = cycle(policy, clock, [10, 10, 10, 60_000, 10]).map((d) => d.delayMs);
    assert.deepEqual(delays, [1_000, 2_000, 4_000, 1_000, 2_000]);
  });

  it('a run just short of stableAfterMs does not reset the backoff', () => {
    const clock = manualClock();
    const policy = new RestartPolicy(timings, clock.now);
    const delays = cycle(policy, clock, [10, 59_999]).map((d) => d.delayMs);
    assert.deepEqual(delays, [1_000, 2_000]);
  });

  it('flags a crash loop at the threshold and then restarts only at the max delay', () => {
    const clock = manualClock();
    const policy = new RestartPolicy({ ...timings, initialDelayMs: 100, crashLoopThreshold: 3 }, clock.now);
    const decisions = cycle(policy, clock, [10, 10, 10, 10]);
    assert.deepEqual(
      decisions.map((d) => [d.crashLoop, d.recentDeaths, d.delayMs]),
      [
        [false, 1, 100],
        [false, 2, 200],
        [true, 3, 30_000],
        [true, 4, 30_000],
      ],
    );
  });

  it('forgets deaths older than the window', () => {
    const clock = manualClock();
    const policy = new RestartPolicy({ ...timings, crashLoopThreshold: 3, crashLoopWindowMs: 10_000 }, clock.now);
    cycle(policy, clock, [10, 10]);
    // A long stable run pushes the earlier deaths out of the window.
    const [late] = cycle(policy, clock, [120_000]);
    assert.equal(late.recentDeaths, 1);
    assert.equal(late.crashLoop, false);
    assert.equal(late.delayMs, 1_000);
  });

  it('a stable run inside a crash loop still waits the max delay while deaths remain in the window', () => {
    const clock = manualClock();
    const policy = new RestartPolicy({ ...timings, crashLoopThreshold: 3, crashLoopWindowMs: 1_000_000 }, clock.now);
    cycle(policy, clock, [10, 10]);
    const [third] = cycle(policy, clock, [70_000]);
    assert.equal(third.crashLoop, true);
    assert.equal(third.delayMs, 30_000);
  });

  it('a death without a recorded start counts as an immediate one', () => {
    const clock = manualClock();
    const policy = new RestartPolicy(timings, clock.now);
    const decision = policy.recordExit();
    assert.equal(decision.ranForMs, 0);
    assert.equal(decision.delayMs, 1_000);
  });
});
