// Which balances get paid this run, and the payment intent that is written before any coins move.
import { randomUUID } from 'node:crypto';

export interface Payee {
  readonly address: string;
  readonly amount: bigint;
}

export interface PayoutPlanInput {
  /** Confirmed, unpaid balance per address in base units. */
  readonly balances: ReadonlyMap<string, bigint>;
  readonly minimumPayment: bigint;
  /** Addresses set aside (rejected by the daemon); their balances stay where they are. */
  readonly quarantined: ReadonlySet<string>;
  /** Outputs per transaction; larger balances go first, the rest waits for the next run. */
  readonly maxOutputs: number;
}

/**
 * Balances at or above the minimum, largest first (ties by address), at most maxOutputs of them. Smaller balances
 * are carried forward untouched.
 */
export function planPayouts(input: PayoutPlanInput): Payee[] {
  const due = [...input.balances]
    .filter(([address, amount]) => amount >= input.minimumPayment && amount > 0n && !input.quarantined.has(address))
    .sort(([a, x], [b, y]) => (x === y ? (a < b ? -1 : a > b ? 1 : 0) : x > y ? -1 : 1));
  return due.slice(0, input.maxOutputs).map(([address, amount]) => ({ address, amount }));
}

/** Recorded before sendmany; settled (committed or dropped) before the pool pays anything else. */
export interface PaymentIntent {
  readonly id: string;
  readonly pool: string;
  readonly createdAt: number;
  readonly payees: readonly Payee[];
  /** Credited blocks (`height:hash`) whose credits are in these balances; they move to "paid" with the commit. */
  readonly rounds: readonly string[];
  /** The sendmany comment: how the wallet's transaction is found again when its txid was never recorded. */
  readonly comment: string;
  /** Set just before sendmany is called: until then the intent certainly sent nothing. */
  readonly sendStartedAt: number | null;
  /** Set right after sendmany answered. */
  readonly txid: string | null;
}

export function newIntent(pool: string, payees: readonly Payee[], rounds: readonly string[], now: number): PaymentIntent {
  const id = randomUUID();
  return { id, pool, createdAt: now, payees, rounds, comment: intentComment(pool, id), sendStartedAt: null, txid: null };
}

export function intentComment(pool: string, id: string): string {
  return `headframe payment ${pool} ${id}`;
}

export function intentTotal(intent: Pick<PaymentIntent, 'payees'>): bigint {
  return intent.payees.reduce((sum, p) => sum + p.amount, 0n);
}

/** JSON with amounts as decimal strings (JSON has no bigint, and a number would lose units above 2^53). */
export function serializeIntent(intent: PaymentIntent): string {
  return JSON.stringify({ ...intent, payees: intent.payees.map((p) => ({ address: p.address, amount: p.amount.toString() })) });
}

export function parseIntent(text: string): PaymentIntent {
  const raw = JSON.parse(text) as Omit<PaymentIntent, 'payees'> & { payees: { address: string; amount: string }[] };
  if (typeof raw.id !== 'string' || !Array.isArray(raw.payees) || typeof raw.comment !== 'string') {
    throw new Error(`unreadable payment intent: ${text.slice(0, 200)}`);
  }
  return { ...raw, payees: raw.payees.map((p) => ({ address: p.address, amount: BigInt(p.amount) })) };
}
