// Settling a payment intent whose outcome was never committed (crash, timeout) against the wallet's own record.
// Decisions are pure; looking the transaction up is a small wallet adapter below.
import type { RpcClient } from '../daemon/rpc-client.js';
import { isRpcError, RpcErrorCode } from '../daemon/errors.js';
import type { PaymentIntent } from './payout.js';

export type WalletLookup =
  | { readonly kind: 'found'; readonly txid: string; readonly confirmations: number; readonly abandoned: boolean }
  | { readonly kind: 'not-found' }
  /** Several wallet transactions carry the intent's comment: something outside this processor sent too. */
  | { readonly kind: 'ambiguous'; readonly txids: readonly string[] };

export type Settlement =
  | { readonly action: 'commit'; readonly txid: string }
  /** Certainly nothing was sent: forget the intent, balances were never touched. */
  | { readonly action: 'drop' }
  /** A send may still be completing in the daemon: look again next run, pay nothing meanwhile. */
  | { readonly action: 'wait'; readonly reason: string }
  /** Nobody can tell what happened without a human: stop paying this pool. */
  | { readonly action: 'halt'; readonly reason: string };

/**
 * `sendGraceMs` is how long after sendmany was started a missing wallet transaction still counts as "in flight"
 * (look again later). Past it, an unanswered send without a wallet transaction halts: only a human can rule out a
 * transaction that is still coming. An intent that never started its send is simply dropped.
 */
export function decideSettlement(intent: PaymentIntent, lookup: WalletLookup, now: number, sendGraceMs: number): Settlement {
  if (lookup.kind === 'ambiguous') {
    return { action: 'halt', reason: `several wallet transactions carry intent ${intent.id}: ${lookup.txids.join(', ')}` };
  }
  if (lookup.kind === 'found') {
    if (intent.txid !== null && intent.txid !== lookup.txid) {
      return { action: 'halt', reason: `intent ${intent.id} recorded txid ${intent.txid} but the wallet has ${lookup.txid}` };
    }
    if (lookup.confirmations < 0 || lookup.abandoned) {
      return { action: 'halt', reason: `payment ${lookup.txid} of intent ${intent.id} is conflicted or abandoned` };
    }
    return { action: 'commit', txid: lookup.txid };
  }
  if (intent.txid !== null) {
    return { action: 'halt', reason: `sendmany answered ${intent.txid} for intent ${intent.id} but the wallet does not know it` };
  }
  if (intent.sendStartedAt === null) return { action: 'drop' };
  if (now - intent.sendStartedAt < sendGraceMs) {
    return { action: 'wait', reason: `sendmany for intent ${intent.id} started ${now - intent.sendStartedAt} ms ago` };
  }
  // The send was started and never answered, and the wallet shows nothing: most likely nothing was sent, but a
  // daemon slower than our deadline could still create it. Paying again on "most likely" is how pools double pay.
  return {
    action: 'halt',
    reason: `sendmany for intent ${intent.id} was started but never answered, and the wallet has no transaction commented "${intent.comment}"`,
  };
}

interface WalletTx {
  readonly txid: string;
  readonly confirmations: number;
  readonly abandoned?: boolean;
  readonly comment?: string;
  readonly category?: string;
}

/** How many recent wallet entries are searched for the intent comment (a sendmany makes one entry per output). */
const SCAN_ENTRIES = 5000;
const PAGE = 500;

/** Finds the intent's transaction: by txid when one was recorded, else by the comment sendmany stored in the wallet. */
export async function lookUpIntent(rpc: RpcClient, wallet: string | true, intent: PaymentIntent): Promise<WalletLookup> {
  if (intent.txid !== null) {
    try {
      const tx = await rpc.callRaw<WalletTx>('gettransaction', [intent.txid], { wallet });
      return { kind: 'found', txid: tx.txid, confirmations: tx.confirmations, abandoned: tx.abandoned === true };
    } catch (err) {
      if (isRpcError(err, RpcErrorCode.INVALID_ADDRESS_OR_KEY)) return { kind: 'not-found' };
      throw err;
    }
  }
  const matches = new Map<string, WalletTx>();
  for (let skip = 0; skip < SCAN_ENTRIES; skip += PAGE) {
    const page = await rpc.callRaw<WalletTx[]>('listtransactions', ['*', PAGE, skip, true], { wallet });
    for (const entry of page) {
      if (entry.category === 'send' && entry.comment === intent.comment) matches.set(entry.txid, entry);
    }
    if (page.length < PAGE) break;
  }
  if (matches.size > 1) return { kind: 'ambiguous', txids: [...matches.keys()] };
  const [only] = matches.values();
  if (!only) return { kind: 'not-found' };
  return { kind: 'found', txid: only.txid, confirmations: only.confirmations, abandoned: only.abandoned === true };
}
