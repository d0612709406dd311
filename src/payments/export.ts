// A paid (or credited) round as JSON a miner can check: the shares the split used, the rule, and the credits.
// Recomputing with src/payments/rewards.ts (or by hand with the rule below) gives the credited amounts exactly.
import { parseCreditRecord, type CreditRecord } from './credit-record.js';
import type { PaymentStore } from './store.js';

export const SPLIT_RULE =
  'credit = floor(amount * work / totalWork) per address; the units left over go one each to the addresses with the ' +
  'largest remainder (amount * work mod totalWork), ties by address in plain string order. PROP: work of the round ' +
  "(all shares listed). PPLNS: newest shares first until windowWork is covered, the oldest one counted only for the " +
  'part that fits. SOLO: the finder takes the amount. A split with no work at all pays the finder.';

export interface ExportedShare {
  readonly id: string;
  readonly address: string;
  readonly worker: string;
  /** Work units (share difficulty x WORK_SCALE, rounded, at least 1), decimal string. */
  readonly work: string;
  readonly time: number;
}

export interface RoundExport {
  readonly pool: string;
  readonly height: number;
  readonly hash: string;
  readonly scheme: CreditRecord['scheme'];
  readonly rule: string;
  readonly coinbaseValue: string;
  /** What the pool address received in the coinbase and the miners shared. */
  readonly amount: string;
  readonly finder: string;
  readonly windowWork: string | null;
  readonly networkDifficulty: number | null;
  /** PROP: oldest first. PPLNS: newest first, as the window is counted. */
  readonly shares: readonly ExportedShare[];
  /** False when part of the share log was trimmed away since the round was credited. */
  readonly complete: boolean;
  readonly credits: Readonly<Record<string, string>>;
  readonly creditedAt: number;
}

export async function exportRound(store: PaymentStore, height: number, hash: string): Promise<RoundExport | null> {
  const text = await store.creditRecordText(height, hash);
  if (text === null) return null;
  const record = parseCreditRecord(text);
  let shares: ExportedShare[] = [];
  let complete = true;
  if (record.scheme === 'PPLNS' && record.windowWork !== null && record.lastShareId !== null) {
    const window = await collectWindowEntries(store, record.lastShareId, record.windowWork);
    shares = window;
    const covered = window.reduce((s, e) => s + BigInt(e.work), 0n);
    complete = covered >= record.windowWork || sumWeights(record) === covered;
  } else if (record.scheme !== 'SOLO') {
    for (const [first, last] of record.ranges) {
      const entries = await store.sharesBetween(first, last);
      shares.push(...entries.map(toExported));
    }
    const perAddress = new Map<string, bigint>();
    for (const s of shares) perAddress.set(s.address, (perAddress.get(s.address) ?? 0n) + BigInt(s.work));
    complete = [...record.weights].every(([address, work]) => perAddress.get(address) === work) && perAddress.size === record.weights.size;
  }
  return {
    pool: record.pool,
    height: record.height,
    hash: record.hash,
    scheme: record.scheme,
    rule: SPLIT_RULE,
    coinbaseValue: record.coinbaseValue.toString(),
    amount: record.amount.toString(),
    finder: record.finder,
    windowWork: record.windowWork === null ? null : record.windowWork.toString(),
    networkDifficulty: record.networkDifficulty,
    shares,
    complete,
    credits: Object.fromEntries([...record.credits].map(([a, v]) => [a, v.toString()])),
    creditedAt: record.creditedAt,
  };
}

function toExported(e: { id: string; address: string; worker: string; work: bigint; time: number }): ExportedShare {
  return { id: e.id, address: e.address, worker: e.worker, work: e.work.toString(), time: e.time };
}

function sumWeights(record: CreditRecord): bigint {
  let sum = 0n;
  for (const w of record.weights.values()) sum += w;
  return sum;
}

async function collectWindowEntries(store: PaymentStore, lastShareId: string, windowWork: bigint): Promise<ExportedShare[]> {
  const out: ExportedShare[] = [];
  let covered = 0n;
  for await (const entry of store.sharesBackFrom(lastShareId)) {
    out.push(toExported(entry));
    covered += entry.work;
    if (covered >= windowWork) break;
  }
  return out;
}
