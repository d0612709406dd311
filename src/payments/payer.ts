// Paying balances: settle any open intent first, then intent -> sendmany -> commit. Only the commit moves money in
// Redis, so an intent that never reached the wallet is dropped and one that did is committed: never twice, never lost.
import { canonicalAddressOrNull } from '../blockchain/bitcoin/address.js';
import type { PoolConfig } from '../config/types.js';
import type { RpcClient } from '../daemon/rpc-client.js';
import { isDaemonError, RpcErrorCode } from '../daemon/errors.js';
import type { Logger } from '../log/logger.js';
import { unitsToCoins } from './amounts.js';
import { newIntent, planPayouts, type Payee, type PaymentIntent } from './payout.js';
import { decideSettlement, lookUpIntent, type Settlement } from './reconcile.js';
import type { PaymentStore } from './store.js';

/**
 * Where a test may have the process SIGKILL itself, to prove a crash at that point neither double pays nor loses:
 * three points of a payment, and either side of storing a block's split (processor.ts).
 */
export type KillPoint = 'after-intent' | 'after-send' | 'before-commit' | 'before-split-store' | 'after-split-store';

export interface PayerOptions {
  readonly pool: PoolConfig;
  readonly store: PaymentStore;
  readonly rpc: RpcClient;
  readonly logger: Logger;
  readonly now: () => number;
  readonly maxOutputs: number;
  /** Deadline of the sendmany call. */
  readonly sendTimeoutMs: number;
  /** Called at each kill point; the role wires it to the test-only environment hook. */
  readonly killPoint?: (point: KillPoint) => void;
  /** Renews the lock; throws when it was lost, which ends the run before any further step. */
  readonly keepLock: () => Promise<void>;
}

export type PayResult =
  | { readonly status: 'paid'; readonly txid: string; readonly payees: readonly Payee[] }
  | { readonly status: 'nothing-due' }
  | { readonly status: 'failed'; readonly reason: string }
  | { readonly status: 'waiting'; readonly reason: string }
  | { readonly status: 'halted'; readonly reason: string };

/** Sends that failed with a -5 are retried without the rejected address this many times in one run. */
const SEND_ATTEMPTS = 3;

export class Payer {
  private readonly log: Logger;

  constructor(private readonly o: PayerOptions) {
    this.log = o.logger.child({ component: 'payer' });
  }

  private get sendGraceMs(): number {
    return this.o.sendTimeoutMs + 30_000;
  }

  /** Settles an intent left by an earlier run. Returns null when nothing stands in the way of paying now. */
  async settleOpenIntent(token: string): Promise<PayResult | null> {
    const intent = await this.o.store.intent();
    if (!intent) return null;
    this.log.warn(`payment intent ${intent.id} has no committed result; checking the wallet`);
    const lookup = await lookUpIntent(this.o.rpc, true, intent);
    const result = await this.apply(token, intent, decideSettlement(intent, lookup, this.o.now(), this.sendGraceMs));
    // A dropped intent sent nothing: this run may go on and pay.
    return result === 'retry' ? null : result;
  }

  async payDue(token: string, rounds: readonly string[]): Promise<PayResult> {
    const minimum = BigInt(this.o.pool.paymentProcessing.minimumPayment);
    for (let attempt = 1; attempt <= SEND_ATTEMPTS; attempt++) {
      const [balances, quarantined] = await Promise.all([this.o.store.unpaidBalances(), this.o.store.quarantined()]);
      const planned = planPayouts({ balances, minimumPayment: minimum, quarantined, maxOutputs: this.o.maxOutputs });
      const payees: Payee[] = [];
      for (const payee of planned) {
        const problem = await this.addressProblem(payee.address);
        if (problem === null) payees.push(payee);
        else await this.setAside(token, payee.address, problem);
      }
      if (payees.length === 0) return { status: 'nothing-due' };
      const result = await this.send(token, newIntent(this.o.pool.id, payees, rounds, this.o.now()));
      if (result !== 'retry') return result;
    }
    return { status: 'failed', reason: `sendmany kept rejecting addresses after ${SEND_ATTEMPTS} attempts` };
  }

  private async send(token: string, fresh: PaymentIntent): Promise<PayResult | 'retry'> {
    const { store } = this.o;
    await this.o.keepLock();
    if (!(await store.writeIntent(token, fresh))) return { status: 'waiting', reason: 'another payment intent is open' };
    this.o.killPoint?.('after-intent');
    const sending: PaymentIntent = { ...fresh, sendStartedAt: this.o.now() };
    await this.o.keepLock();
    if (!(await store.writeIntent(token, sending))) {
      // Halted or replaced since the intent was written: nothing was sent, and this run sends nothing.
      return { status: 'waiting', reason: `intent ${fresh.id} could not be marked as sending` };
    }
    const amounts = Object.fromEntries(sending.payees.map((p) => [p.address, unitsToCoins(p.amount)]));
    let txid: string;
    try {
      txid = await this.o.rpc.callRaw<string>('sendmany', ['', amounts, 1, sending.comment], {
        wallet: true,
        timeoutMs: this.o.sendTimeoutMs,
      });
    } catch (err) {
      return this.sendFailed(token, sending, err);
    }
    this.o.killPoint?.('after-send');
    const sent: PaymentIntent = { ...sending, txid };
    // Recording the txid is a convenience for the next lookup; the commit below is what counts.
    await store.writeIntent(token, sent).catch((err: Error) => this.log.warn(`could not record txid ${txid}: ${err.message}`));
    this.o.killPoint?.('before-commit');
    return this.apply(token, sent, { action: 'commit', txid });
  }

  /**
   * Of the payees that spell `named`'s destination, the one to set aside: a spelling other than the canonical one,
   * which new shares are no longer credited to. The daemon names whichever came later in the request, and setting the
   * canonical spelling aside would hold back every future payout of that miner.
   */
  private oldSpelling(named: string, intent: PaymentIntent): string {
    const network = this.o.pool.coin.networks[this.o.pool.network];
    const canonical = (address: string): string | null => canonicalAddressOrNull(address, network);
    const destination = canonical(named);
    if (destination === null) return named;
    const old = intent.payees.find((p) => p.address !== destination && canonical(p.address) === destination);
    return old?.address ?? named;
  }

  private async sendFailed(token: string, intent: PaymentIntent, err: unknown): Promise<PayResult | 'retry'> {
    const message = err instanceof Error ? err.message : String(err);
    // An RPC error is the wallet's answer: it created no transaction. So is a request that never left this host.
    if (isDaemonError(err) && (err.code === 'DAEMON_RPC' || !err.requestSent)) {
      await this.o.store.dropIntent(token, intent.id);
      // -5: an address the daemon cannot pay. -8 "duplicated address": two balances that spell one destination
      // differently (kept apart before authorize made spellings canonical). Either way, setting an address aside lets
      // everyone else be paid; the operator sees why in the quarantine.
      const duplicated = err.rpcCode === RpcErrorCode.INVALID_PARAMETER && message.includes('duplicated address');
      if (err.code === 'DAEMON_RPC' && (err.rpcCode === RpcErrorCode.INVALID_ADDRESS_OR_KEY || duplicated)) {
        const named = intent.payees.find((p) => message.includes(p.address));
        if (named) {
          const aside = duplicated ? this.oldSpelling(named.address, intent) : named.address;
          await this.setAside(token, aside, `sendmany refused it: ${message}`);
          return 'retry';
        }
      }
      this.log.error(`sendmany failed, nothing was sent (intent ${intent.id}): ${message}`);
      return { status: 'failed', reason: message };
    }
    this.log.error(`sendmany outcome unknown for intent ${intent.id} (${message}); checking the wallet`);
    const lookup = await lookUpIntent(this.o.rpc, true, intent);
    return this.apply(token, intent, decideSettlement(intent, lookup, this.o.now(), this.sendGraceMs));
  }

  private async apply(token: string, intent: PaymentIntent, settlement: Settlement): Promise<PayResult | 'retry'> {
    switch (settlement.action) {
      case 'commit': {
        await this.o.keepLock();
        if (!(await this.o.store.commit(token, intent, settlement.txid, this.o.now()))) {
          this.log.warn(`intent ${intent.id} was already settled elsewhere; ${settlement.txid} not committed again`);
          return { status: 'waiting', reason: `intent ${intent.id} no longer open` };
        }
        const total = intent.payees.reduce((s, p) => s + p.amount, 0n);
        this.log.info(`paid ${unitsToCoins(total)} to ${intent.payees.length} addresses in ${settlement.txid}`);
        return { status: 'paid', txid: settlement.txid, payees: intent.payees };
      }
      case 'drop':
        await this.o.store.dropIntent(token, intent.id);
        this.log.warn(`payment intent ${intent.id} never reached the wallet; dropped (balances unchanged)`);
        return 'retry';
      case 'wait':
        this.log.warn(`payments for ${this.o.pool.id} wait: ${settlement.reason}`);
        return { status: 'waiting', reason: settlement.reason };
      case 'halt':
        await this.o.store.halt(token, settlement.reason, this.o.now());
        this.log.error(`PAYMENTS HALTED for pool ${this.o.pool.id}: ${settlement.reason}. Check the wallet, then delete ${this.o.store.pay.halt}.`);
        return { status: 'halted', reason: settlement.reason };
    }
  }

  private async addressProblem(address: string): Promise<string | null> {
    const info = await this.o.rpc.call('validateaddress', [address]);
    if (!info.isvalid) return `validateaddress: invalid${info.error ? ` (${info.error})` : ''}`;
    if (info.ismweb === true || !info.scriptPubKey) return 'validateaddress: no output script (MWEB addresses cannot be paid)';
    return null;
  }

  private async setAside(token: string, address: string, reason: string): Promise<void> {
    await this.o.store.quarantine(token, address, reason, this.o.now());
    this.log.error(`address ${address} set aside, balance kept: ${reason}`);
  }
}
