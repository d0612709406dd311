import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { VarDiffConfig } from '../../../src/config/types.js';
import { IDLE_RETARGET_FACTOR, VarDiff } from '../../../src/stratum/vardiff.js';

const config: VarDiffConfig = {
  minDiff: 1,
  maxDiff: 1024,
  targetTime: 10,
  retargetTime: 60,
  variancePercent: 30,
  maxChangeFactor: 4,
};

/** Feeds shares every `intervalMs` and returns each difficulty change in order. */
function feed(vd: VarDiff, start: number, intervalMs: number, shares: number): { changes: number[]; end: number } {
  const changes: number[] = [];
  let now = start;
  for (let i = 0; i < shares; i += 1) {
    now += intervalMs;
    const next = vd.recordShare(now);
    if (next !== null) changes.push(next);
  }
  return { changes, end: now };
}

test('a miner submitting far too fast is raised, by at most maxChangeFactor per step, up to maxDiff', () => {
  const vd = new VarDiff(config, 8, 0);
  // One share per second against a 10 s target: ten times too fast.
  const { changes } = feed(vd, 0, 1000, 200);
  assert.ok(changes.length >= 2, `expected several raises, got ${changes.join(',')}`);
  assert.equal(changes[0], 32, 'first step capped at 4x');
  for (let i = 1; i < changes.length; i += 1) {
    assert.ok(changes[i] > changes[i - 1] && changes[i] <= changes[i - 1] * 4);
  }
  assert.ok(vd.difficulty <= config.maxDiff);
});

test('a fast miner is retargeted after a ring of shares, before retargetTime elapses', () => {
  const vd = new VarDiff(config, 8, 0);
  const { changes, end } = feed(vd, 0, 100, 16);
  assert.deepEqual(changes, [32]);
  assert.ok(end < config.retargetTime * 1000);
});

test('a miner submitting too slowly is lowered, clamped at minDiff', () => {
  const vd = new VarDiff(config, 64, 0);
  // One share every 40 s against a 10 s target: the estimate says divide by 4.
  const { changes } = feed(vd, 0, 40_000, 12);
  assert.equal(changes[0], 16);
  assert.deepEqual(changes, [16, 4, 1]);
  assert.equal(vd.difficulty, config.minDiff);
});

test('a miner within the variance band keeps its difficulty', () => {
  const vd = new VarDiff(config, 64, 0);
  const { changes } = feed(vd, 0, 11_000, 100);
  assert.deepEqual(changes, []);
  assert.equal(vd.difficulty, 64);
});

test('the ratio, not just the direction, sets the step', () => {
  const vd = new VarDiff(config, 100, 0);
  // Every 5 s against 10 s: twice too fast, retargeted after 60 s -> 200.
  const { changes } = feed(vd, 0, 5000, 12);
  assert.deepEqual(changes, [200]);
});

test('a silent miner is lowered by tick after IDLE_RETARGET_FACTOR retarget periods, never raised', () => {
  const vd = new VarDiff(config, 256, 0);
  const idleMs = config.retargetTime * 1000 * IDLE_RETARGET_FACTOR;
  assert.equal(vd.tick(idleMs - 1), null);
  assert.equal(vd.tick(idleMs), 64);
  // The next lowering needs another full silent period.
  assert.equal(vd.tick(idleMs + 1000), null);
  assert.equal(vd.tick(idleMs * 2), 16);
});

test('tick leaves a miner that shares regularly alone', () => {
  const vd = new VarDiff(config, 64, 0);
  const { end } = feed(vd, 0, 10_000, 30);
  assert.equal(vd.tick(end + 1000), null);
  assert.equal(vd.difficulty, 64);
});

test('reset clamps a suggested difficulty into the port range', () => {
  const vd = new VarDiff(config, 8, 0);
  assert.equal(vd.reset(1e9, 0), config.maxDiff);
  assert.equal(vd.reset(0.0001, 0), config.minDiff);
  assert.equal(new VarDiff(config, 5000, 0).difficulty, config.maxDiff);
});
