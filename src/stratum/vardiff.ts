// Variable difficulty for one connection. Pure: every method takes the time (ms) from the caller, so tests
// drive it with a fake clock and the server drives it from its own clock.
import type { VarDiffConfig } from '../config/types.js';

/** Share timestamps kept per connection; enough to average out luck without costing idle miners anything. */
const RING_SIZE = 16;

/**
 * A miner silent for this many retarget periods is lowered on the next tick even without a share,
 * so a device that cannot reach the current difficulty is not stuck until the connection timeout.
 */
export const IDLE_RETARGET_FACTOR = 2;

export class VarDiff {
  private current: number;
  /** When the current difficulty took effect (connect, or the last change). */
  private windowStart: number;
  /** When the difficulty was last evaluated, changed or not. */
  private lastCheck: number;
  /** Newest share time, or windowStart before any share at this difficulty. */
  private lastShare: number;
  /** Timestamps of the newest shares at the current difficulty; allocated on the first share. */
  private ring: Float64Array | null = null;
  /** Shares at the current difficulty (may exceed RING_SIZE; the ring keeps the newest). */
  private count = 0;
  private sinceCheck = 0;
  private readonly config: VarDiffConfig;

  constructor(config: VarDiffConfig, initialDiff: number, now: number) {
    this.config = config;
    this.current = clamp(initialDiff, config.minDiff, config.maxDiff);
    this.windowStart = this.lastCheck = this.lastShare = now;
  }

  get difficulty(): number {
    return this.current;
  }

  /** Sets the difficulty from outside (a miner's suggestion), clamped, and starts a fresh window. */
  reset(diff: number, now: number): number {
    this.current = clamp(diff, this.config.minDiff, this.config.maxDiff);
    this.restartWindow(now);
    return this.current;
  }

  /**
   * Records a share the backend judged (accepted or rejected: both prove hashing at this difficulty).
   * Returns the new difficulty when this share completes a retarget that changes it, otherwise null.
   */
  recordShare(now: number): number | null {
    if (this.ring === null) this.ring = new Float64Array(RING_SIZE);
    this.ring[this.count % RING_SIZE] = now;
    this.count += 1;
    this.sinceCheck += 1;
    this.lastShare = now;
    // A fast miner is retargeted as soon as a ring's worth of shares arrived, not only every retargetTime.
    const due = now - this.lastCheck >= this.config.retargetTime * 1000 || this.sinceCheck >= RING_SIZE;
    if (!due) return null;
    return this.evaluate(this.averageInterval(now), now, false);
  }

  /**
   * Called periodically. Lowers the difficulty of a miner that has sent nothing for IDLE_RETARGET_FACTOR
   * retarget periods; returns the new difficulty or null.
   */
  tick(now: number): number | null {
    const silentMs = now - this.lastShare;
    if (silentMs < this.config.retargetTime * 1000 * IDLE_RETARGET_FACTOR) return null;
    // The true interval is at least the silence so far: a lower bound, so it may only ever lower.
    return this.evaluate(silentMs, now, true);
  }

  /** Milliseconds between shares: over the ring once it is full, before that since the difficulty took effect. */
  private averageInterval(now: number): number {
    if (this.count < RING_SIZE) return (now - this.windowStart) / this.count;
    const ring = this.ring as Float64Array;
    const oldest = ring[this.count % RING_SIZE];
    return (now - oldest) / (RING_SIZE - 1);
  }

  private evaluate(avgIntervalMs: number, now: number, lowerOnly: boolean): number | null {
    const { targetTime, variancePercent, maxChangeFactor, minDiff, maxDiff } = this.config;
    this.lastCheck = now;
    this.sinceCheck = 0;
    const targetMs = targetTime * 1000;
    if (Math.abs(avgIntervalMs - targetMs) <= (targetMs * variancePercent) / 100) return null;
    // Shares in the same millisecond would divide by zero; the factor cap bounds the step anyway.
    const ratio = avgIntervalMs > 0 ? targetMs / avgIntervalMs : maxChangeFactor;
    const next = clamp(this.current * clamp(ratio, 1 / maxChangeFactor, maxChangeFactor), minDiff, maxDiff);
    if (next === this.current || (lowerOnly && next > this.current)) return null;
    this.current = next;
    this.restartWindow(now);
    return next;
  }

  /** Intervals measured at the old difficulty say nothing about the new one: start over. */
  private restartWindow(now: number): void {
    this.windowStart = this.lastCheck = this.lastShare = now;
    this.count = 0;
    this.sinceCheck = 0;
  }
}

export function clamp(value: number, min: number, max: number): number {
  return value < min ? min : value > max ? max : value;
}
