// What a notifier (Telegram, webhook) is asked to deliver. Alerts open and close (worker offline, pool hashrate low);
// notices only inform (block found, payments halted).

export interface Alert {
  /** Stable id of what the alert is about, e.g. "worker-offline:ltc:Labc.rig1". */
  readonly id: string;
  readonly kind: 'worker-offline' | 'pool-hashrate-low';
  readonly pool: string;
  /** Worker login for worker alerts. */
  readonly worker: string | null;
  /** Human-readable one-liner. */
  readonly text: string;
  /** When the condition began (ms). */
  readonly since: number;
  readonly details: Readonly<Record<string, string | number | null>>;
}

export interface Notice {
  readonly id: string;
  readonly kind: 'block-found' | 'payments-halted';
  readonly pool: string;
  readonly text: string;
  readonly at: number;
  readonly details: Readonly<Record<string, string | number | null>>;
}

export interface Notifier {
  /** Key of this notifier's delivery in stored alert state ("telegram", "webhook:0", ...). */
  readonly name: string;
  /**
   * Delivers a firing alert. Resolves with what resolve() needs to take it back (a message id) or null;
   * rejects with an OutboundError when it could not deliver.
   */
  fire(alert: Alert): Promise<string | null>;
  /** Takes the alert back; `ref` is what fire() returned. Resolves when done (or nothing is left to do). */
  resolve(alert: Alert, ref: string | null): Promise<void>;
  notice(notice: Notice): Promise<void>;
}
