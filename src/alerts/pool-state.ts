// The pool-level low-hashrate decision, pure like the worker one: fire once when the pool's hashrate (measured from the
// share recorder's hashrate buckets, as the website measures it) is below the configured minimum, resolve when it is
// back. An unknown hashrate (null) changes nothing.
import { reachable, toSend, type Decision, type FiringState } from './worker-state.js';

export interface HashrateObservation {
  readonly now: number;
  /** Hashes per second, or null when no fresh figure is available. */
  readonly hashrate: number | null;
}

export function decidePoolHashrate(
  state: FiringState | null,
  observation: HashrateObservation,
  minHashrate: number,
  notifiers: readonly string[],
): Decision {
  const { now, hashrate } = observation;
  if (minHashrate <= 0 || hashrate === null) return { next: state, actions: [] };
  if (hashrate >= minHashrate) {
    if (state === null) return { next: null, actions: [] };
    return { next: null, actions: [{ kind: 'resolve', deliveries: reachable(state.deliveries) }] };
  }
  if (state === null) {
    const next: FiringState = { status: 'firing', since: now, lastShare: now, hashrate, deliveries: {} };
    return { next, actions: notifiers.length > 0 ? [{ kind: 'fire', notifiers }] : [] };
  }
  const retry = toSend(state.deliveries, notifiers);
  return { next: state, actions: retry.length > 0 ? [{ kind: 'fire', notifiers: retry }] : [] };
}
