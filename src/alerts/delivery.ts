// Carries out an alert decision: marks deliveries "sending" in Redis before any call, calls the notifiers in
// parallel (each with its own deadline), records what each returned, and takes messages back on resolve.
import type { Logger } from '../log/logger.js';
import type { Alert, Notifier } from './notifier.js';
import { OutboundError } from './post-json.js';
import type { Decision, Delivery, FiringState, WorkerAction } from './worker-state.js';

/** Where one alert's state lives and how it reads as a message. */
export interface AlertSlot {
  readonly label: string;
  save(state: FiringState | null): Promise<void>;
  alert(state: FiringState): Alert;
}

export class AlertDelivery {
  constructor(
    private readonly notifiers: readonly Notifier[],
    private readonly log: Logger,
  ) {}

  get names(): string[] {
    return this.notifiers.map((n) => n.name);
  }

  async apply(slot: AlertSlot, state: FiringState | null, decision: Decision): Promise<void> {
    if (decision.actions.length === 0) {
      if (decision.next !== state) await slot.save(decision.next);
      return;
    }
    let current: FiringState | null = state;
    for (const action of decision.actions) {
      if (action.kind === 'resolve') {
        await this.resolve(slot, current!, action);
        current = null;
      } else {
        // A fire action either opens a new alert (decision.next is fresh) or retries failed deliveries of the open one.
        if (current === null || current.since !== decision.next!.since) current = decision.next!;
        current = await this.fire(slot, current, action.notifiers);
      }
    }
    await slot.save(current);
  }

  private async fire(slot: AlertSlot, state: FiringState, names: readonly string[]): Promise<FiringState> {
    const targets = this.notifiers.filter((n) => names.includes(n.name));
    const deliveries: Record<string, Delivery> = { ...state.deliveries };
    for (const n of targets) deliveries[n.name] = { status: 'sending', ref: null, attempts: (state.deliveries[n.name]?.attempts ?? 0) + 1 };
    // Written before any call: a crash from here on leaves "sending", which is never sent again.
    await slot.save({ ...state, deliveries });
    const alert = slot.alert(state);
    await Promise.all(
      targets.map(async (n) => {
        const attempts = deliveries[n.name].attempts;
        try {
          deliveries[n.name] = { status: 'sent', ref: await n.fire(alert), attempts };
        } catch (error) {
          const unknown = !(error instanceof OutboundError) || error.maybeDelivered;
          deliveries[n.name] = { status: unknown ? 'unknown' : 'failed', ref: null, attempts };
          this.log.warn(`${n.name}: alert ${slot.label} not delivered: ${(error as Error).message}`);
        }
      }),
    );
    return { ...state, deliveries };
  }

  private async resolve(slot: AlertSlot, state: FiringState, action: Extract<WorkerAction, { kind: 'resolve' }>): Promise<void> {
    const alert = slot.alert(state);
    await Promise.all(
      this.notifiers
        .filter((n) => action.deliveries[n.name] !== undefined)
        .map((n) =>
          n.resolve(alert, action.deliveries[n.name].ref).catch((error: unknown) =>
            this.log.warn(`${n.name}: could not resolve alert ${slot.label}: ${(error as Error).message}`),
          ),
        ),
    );
  }
}
