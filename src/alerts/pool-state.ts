// The pool-level low-hashrate decision, pure like the worker one: fire once when the pool's hashrate (measured from the
// share recorder's hashrate buckets, as the website measures it) is below the configured minimum, resolve once it is
// RESOLVE_MARGIN above it (a pool hovering at the minimum would otherwise page and unpage every evaluation). An
// unknown hashrate (null) changes nothing; a minimum set to 0 while the alert fires resolves it.
import { reachable, toSend, type Decision, type FiringState } from './worker-state.js';

export interface HashrateObservation {
  readonly now: number;
  /** Hashes per second, or null when no fresh figure is available. */
  readonly hashrate: number | null;
}

/** The alert resolves at minimum x this, not at the minimum itself. */
export const RESOLVE_MARGIN = 1.1;

export function decidePoolHashrate(
  state: FiringState | null,
  observation: HashrateObservation,
  minHashrate: number,
  notifiers: readonly string[],
): Decision {
  const { now, hashrate } = observation;
  const resolved = (): Decision =>
    state === null ? { next: null, actions: [] } : { next: null, actions: [{ kind: 'resolve', deliveries: reachable(state.deliveries) }] };
  if (minHashrate <= 0) return resolved();
  if (hashrate === null) return { next: state, actions: [] };
  if (hashrate >= minHashrate * (state === null ? 1 : RESOLVE_MARGIN)) return resolved();
  if (state === null) {
    const next: FiringState = { status: 'firing', since: now, lastShare: now, hashrate, deliveries: {} };
    return { next, actions: notifiers.length > 0 ? [{ kind: 'fire', notifiers }] : [] };
  }
  const retry = toSend(state.deliveries, notifiers);
  return { next: state, actions: retry.length > 0 ? [{ kind: 'fire', notifiers: retry }] : [] };
}
