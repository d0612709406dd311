// How one block is split. The split is fixed (split:<height>:<hash>) the first time the processor finds the block on
// the main chain, because a PPLNS window read at maturity may already have been trimmed from the share log; at
// maturity exactly that split is credited and kept next to the block (credit:<height>:<hash>) for export.
import type { PaymentScheme } from '../config/types.js';

export interface BlockSplit {
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
  /** When the split was computed (ms). */
  readonly splitAt: number;
}

export interface CreditRecord extends BlockSplit {
  readonly creditedAt: number;
}

const pairs = (m: ReadonlyMap<string, bigint>): [string, string][] => [...m].map(([k, v]) => [k, v.toString()]);
const unpairs = (p: [string, string][]): Map<string, bigint> => new Map(p.map(([k, v]) => [k, BigInt(v)]));

function serialize(r: BlockSplit & { creditedAt?: number }): string {
  return JSON.stringify({
    ...r,
    coinbaseValue: r.coinbaseValue.toString(),
    amount: r.amount.toString(),
    weights: pairs(r.weights),
    credits: pairs(r.credits),
    windowWork: r.windowWork === null ? null : r.windowWork.toString(),
  });
}

function parse(text: string): BlockSplit & { creditedAt?: number } {
  const raw = JSON.parse(text) as Record<string, unknown>;
  return {
    ...(raw as unknown as BlockSplit),
    coinbaseValue: BigInt(raw.coinbaseValue as string),
    amount: BigInt(raw.amount as string),
    weights: unpairs(raw.weights as [string, string][]),
    credits: unpairs(raw.credits as [string, string][]),
    windowWork: raw.windowWork === null ? null : BigInt(raw.windowWork as string),
    // Credit records written before splits were stored were computed at crediting time.
    splitAt: typeof raw.splitAt === 'number' ? raw.splitAt : (raw.creditedAt as number),
  };
}

export function serializeSplit(s: BlockSplit): string {
  const { creditedAt: _, ...split } = s as BlockSplit & { creditedAt?: number };
  return serialize(split);
}

export function parseSplit(text: string): BlockSplit {
  const { creditedAt: _, ...split } = parse(text);
  return split;
}

export function serializeCreditRecord(r: CreditRecord): string {
  return serialize(r);
}

export function parseCreditRecord(text: string): CreditRecord {
  const record = parse(text);
  return { ...record, creditedAt: record.creditedAt as number };
}
