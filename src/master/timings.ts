// Supervisor timings. Production uses the defaults; tests shorten them through the environment variable
// HEADFRAME_SUPERVISOR_TEST_TIMINGS (a JSON object with any subset of the fields below), which is read only by
// the master and is deliberately not a config-file setting: operators have no reason to tune these.
import { z } from 'zod';

export interface SupervisorTimings {
  /** Delay before the first restart of a child that died. */
  readonly initialDelayMs: number;
  /** Ceiling of the doubling restart delay. */
  readonly maxDelayMs: number;
  /** A child that ran at least this long before dying starts again from initialDelayMs. */
  readonly stableAfterMs: number;
  /** Deaths of one child within this window count towards a crash loop. */
  readonly crashLoopWindowMs: number;
  /** This many deaths within the window is a crash loop: restart only at maxDelayMs and log errors. */
  readonly crashLoopThreshold: number;
  /** A child that has not reported ready this long after being forked is killed (and restarted with backoff). */
  readonly startTimeoutMs: number;
}

export const DEFAULT_TIMINGS: SupervisorTimings = {
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  stableAfterMs: 60_000,
  crashLoopWindowMs: 300_000,
  crashLoopThreshold: 5,
  startTimeoutMs: 30_000,
};

export const TIMINGS_ENV = 'HEADFRAME_SUPERVISOR_TEST_TIMINGS';

const ms = z.number().int().positive();
const overridesSchema = z
  .object({
    initialDelayMs: ms,
    maxDelayMs: ms,
    stableAfterMs: ms,
    crashLoopWindowMs: ms,
    crashLoopThreshold: z.number().int().min(1),
    startTimeoutMs: ms,
  })
  .partial()
  .strict();

/** Defaults merged with the overrides in `raw` (the env value); a malformed value is an error, not ignored. */
export function resolveTimings(raw: string | undefined): SupervisorTimings {
  if (raw === undefined || raw.trim() === '') return DEFAULT_TIMINGS;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error(`${TIMINGS_ENV}: not valid JSON`);
  }
  const parsed = overridesSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${TIMINGS_ENV}: ${z.prettifyError(parsed.error).replace(/\s+/g, ' ')}`);
  const timings = { ...DEFAULT_TIMINGS, ...parsed.data };
  if (timings.initialDelayMs > timings.maxDelayMs) throw new Error(`${TIMINGS_ENV}: initialDelayMs exceeds maxDelayMs`);
  return timings;
}
