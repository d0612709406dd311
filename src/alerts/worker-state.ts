// The worker-offline decision, as a pure function: (state, now, last share, hashrate) -> (next state, actions).
// The evaluator stores the state in Redis and carries out the actions; nothing here does I/O or reads a clock.
//
// Only firing workers have a state. A worker is offline when its last valid share is at least `offlineAfterMs` old
// and less than `forgetAfterMs` old; past that it is gone for good and simply forgotten (its message stays, which is
// what an operator expects of a rig that was retired).
//
// Delivery bookkeeping is per notifier, so that a restart neither repeats nor forgets: a delivery is marked
// "sending" in Redis before the call and "sent" (with Telegram's message id) after it. A delivery found "sending"
// after a restart may or may not have arrived; it is never sent again (a duplicate page at 3 am is worse than a
// missing one, and the webhook copy still arrives), but it is still deleted/resolved when shares return. A call
// that certainly failed ("failed") is tried again on later evaluations, a bounded number of times.

export const MAX_DELIVERY_ATTEMPTS = 3;

export type DeliveryStatus = 'sending' | 'sent' | 'failed' | 'unknown';

export interface Delivery {
  readonly status: DeliveryStatus;
  /** What the notifier needs to take the message back (Telegram's message_id), when it returned one. */
  readonly ref: string | null;
  readonly attempts: number;
}

export interface FiringState {
  readonly status: 'firing';
  /** When the alert fired (ms). */
  readonly since: number;
  /** The last share time the alert is about (ms): a newer last share means the worker came back. */
  readonly lastShare: number;
  readonly hashrate: number | null;
  readonly deliveries: Readonly<Record<string, Delivery>>;
}

export type WorkerAlertState = FiringState | null;

export interface WorkerObservation {
  readonly now: number;
  /** Last valid share (ms), or null when the worker has no record any more. */
  readonly lastShare: number | null;
  /** Its recent hashrate in hashes/s, when known (goes into the message). */
  readonly hashrate: number | null;
}

export interface Thresholds {
  readonly offlineAfterMs: number;
  readonly forgetAfterMs: number;
}

export type WorkerAction =
  /** Send the offline message through these notifiers. */
  | { readonly kind: 'fire'; readonly notifiers: readonly string[] }
  /** Take back the offline message: every delivery that may have arrived. */
  | { readonly kind: 'resolve'; readonly deliveries: Readonly<Record<string, Delivery>> };

export interface Decision {
  readonly next: WorkerAlertState;
  readonly actions: readonly WorkerAction[];
}

/** Notifiers still to try: never tried, or certainly failed with attempts left. */
export function toSend(deliveries: Readonly<Record<string, Delivery>>, notifiers: readonly string[]): string[] {
  return notifiers.filter((name) => {
    const d = deliveries[name];
    return d === undefined || (d.status === 'failed' && d.attempts < MAX_DELIVERY_ATTEMPTS);
  });
}

/** Deliveries worth taking back: everything that may have reached someone. */
export function reachable(deliveries: Readonly<Record<string, Delivery>>): Record<string, Delivery> {
  return Object.fromEntries(Object.entries(deliveries).filter(([, d]) => d.status !== 'failed'));
}

function fire(observation: WorkerObservation, lastShare: number, notifiers: readonly string[]): { state: FiringState; action: WorkerAction } {
  return {
    state: { status: 'firing', since: observation.now, lastShare, hashrate: observation.hashrate, deliveries: {} },
    action: { kind: 'fire', notifiers },
  };
}

export function decideWorker(
  state: WorkerAlertState,
  observation: WorkerObservation,
  thresholds: Thresholds,
  notifiers: readonly string[],
): Decision {
  const { now, lastShare } = observation;
  const age = lastShare === null ? Infinity : now - lastShare;
  if (age >= thresholds.forgetAfterMs || lastShare === null) return { next: null, actions: [] };

  if (age < thresholds.offlineAfterMs) {
    if (state === null) return { next: null, actions: [] };
    return { next: null, actions: [{ kind: 'resolve', deliveries: reachable(state.deliveries) }] };
  }

  if (state === null) {
    const { state: next, action } = fire(observation, lastShare, notifiers);
    return { next, actions: notifiers.length > 0 ? [action] : [] };
  }
  if (lastShare > state.lastShare) {
    // Shares came back and stopped again between two evaluations: close the old alert, open a new one.
    const { state: next, action } = fire(observation, lastShare, notifiers);
    return { next, actions: [{ kind: 'resolve', deliveries: reachable(state.deliveries) }, action] };
  }
  const retry = toSend(state.deliveries, notifiers);
  return { next: state, actions: retry.length > 0 ? [{ kind: 'fire', notifiers: retry }] : [] };
}
