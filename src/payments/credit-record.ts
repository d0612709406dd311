// How one confirmed block was split, kept next to the block so the split can be exported and checked later.
import type { PaymentScheme } from '../config/types.js';

export interface CreditRecord {
  readonly pool: string;
  readonly height: number;
  readonly hash: string;
  readonly scheme: PaymentScheme;
  /** Coinbase value (subsidy + fees), base units. */
  readonly coinbaseValue: bigint;
  /** What the coinbase paid the pool address: the amount split among miners (recipients were paid in the coinbase). */
  readonly amount: bigint;
  readonly finder: string;
  /** Work units per address the split used. */
  readonly weights: ReadonlyMap<string, bigint>;
  readonly credits: ReadonlyMap<string, bigint>;
  /** PPLNS only: window size in work units and the network difficulty it came from. */
  readonly windowWork: bigint | null;
  readonly networkDifficulty: number | null;
  /** Share-log position of the block: the last share id before it (PPLNS windows end here). */
  readonly lastShareId: string | null;
  /** The round's share-log ranges [first, last] (its own plus rounds merged into it). */
  readonly ranges: readonly (readonly [string, string])[];
  readonly creditedAt: number;
}

const pairs = (m: ReadonlyMap<string, bigint>): [string, string][] => [...m].map(([k, v]) => [k, v.toString()]);
const unpairs = (p: [string, string][]): Map<string, bigint> => new Map(p.map(([k, v]) => [k, BigInt(v)]));

export function serializeCreditRecord(r: CreditRecord): string {
  return JSON.stringify({
    ...r,
    coinbaseValue: r.coinbaseValue.toString(),
    amount: r.amount.toString(),
    weights: pairs(r.weights),
    credits: pairs(r.credits),
    windowWork: r.windowWork === null ? null : r.windowWork.toString(),
  });
}

export function parseCreditRecord(text: string): CreditRecord {
  const raw = JSON.parse(text) as Record<string, unknown>;
  return {
    ...(raw as unknown as CreditRecord),
    coinbaseValue: BigInt(raw.coinbaseValue as string),
    amount: BigInt(raw.amount as string),
    weights: unpairs(raw.weights as [string, string][]),
    credits: unpairs(raw.credits as [string, string][]),
    windowWork: raw.windowWork === null ? null : BigInt(raw.windowWork as string),
  };
}
