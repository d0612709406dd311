// When to restart one supervised child. Pure apart from the injected clock, so the policy is unit-tested
// without processes. One instance per child slot (role + fork id); it survives the child's restarts.
import type { SupervisorTimings } from './timings.js';

export type Clock = () => number;

export interface RestartDecision {
  readonly delayMs: number;
  /** How long the child that just died had been running. */
  readonly ranForMs: number;
  /** Deaths within the crash-loop window, this one included. */
  readonly recentDeaths: number;
  readonly crashLoop: boolean;
}

export class RestartPolicy {
  private startedAt: number | null = null;
  /** Restarts since the last stable run; the exponent of the delay. */
  private consecutive = 0;
  private deaths: number[] = [];

  constructor(
    private readonly timings: SupervisorTimings,
    private readonly clock: Clock = Date.now,
  ) {}

  recordStart(): void {
    this.startedAt = this.clock();
  }

  /** Records a death and says how long to wait before starting the child again. */
  recordExit(): RestartDecision {
    const now = this.clock();
    const ranForMs = this.startedAt === null ? 0 : Math.max(0, now - this.startedAt);
    this.startedAt = null;
    if (ranForMs >= this.timings.stableAfterMs) this.consecutive = 0;

    this.deaths.push(now);
    const windowStart = now - this.timings.crashLoopWindowMs;
    this.deaths = this.deaths.filter((t) => t > windowStart);
    const crashLoop = this.deaths.length >= this.timings.crashLoopThreshold;

    // 2 ** consecutive grows without bound; cap the exponent so the product stays a finite number.
    const exponent = Math.min(this.consecutive, 40);
    const backoff = Math.min(this.timings.initialDelayMs * 2 ** exponent, this.timings.maxDelayMs);
    this.consecutive += 1;
    return {
      delayMs: crashLoop ? this.timings.maxDelayMs : backoff,
      ranForMs,
      recentDeaths: this.deaths.length,
      crashLoop,
    };
  }
}
