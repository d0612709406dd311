// Typed views of the hashes and stream entries described in keys.ts, and their parsers. Parsers fail loudly on a
// malformed record: a block or round that cannot be read must stop a payment, never be guessed.

export interface BlockRecord {
  readonly pool: string;
  readonly height: number;
  readonly hash: string;
  readonly coinbaseTxid: string;
  /** Coinbase value in base units. */
  readonly reward: bigint;
  readonly finder: string;
  readonly worker: string;
  readonly shareDiff: number;
  readonly jobId: string;
  readonly foundAt: number;
  /** "<height>:<hash>": PoolKeys.round(height, hash) holds its shares. */
  readonly round: string;
  readonly roundWork: bigint;
  readonly roundShares: number;
  /** 'pending' | 'rejected' from the share side; the payment side adds its own. */
  readonly status: string;
  /** '' until the submit outcome arrived. */
  readonly verdict: '' | 'accepted' | 'stale' | 'rejected' | 'unknown';
  readonly verdictAt: number | null;
  readonly confirmations: number | null;
  readonly submitMs: number | null;
  readonly answers: readonly { readonly daemon: string; readonly answer: string | null }[];
}

export interface RoundMeta {
  readonly work: bigint;
  readonly shares: number;
  readonly startedAt: number | null;
  readonly firstShareId: string | null;
  /** Set once the round was closed by a block. */
  readonly lastShareId: string | null;
  readonly closedAt: number | null;
  /** Share-log ranges [firstId, lastId] of rounds merged back into this one (rejected blocks, orphans). */
  readonly mergedRanges: readonly (readonly [string, string])[];
}

/** One share-log (STREAM `shares`) entry. */
export interface ShareLogEntry {
  readonly id: string;
  readonly address: string;
  readonly worker: string;
  readonly work: bigint;
  readonly time: number;
}

function need(hash: Record<string, string>, field: string, what: string): string {
  const value = hash[field];
  if (value === undefined) throw new Error(`${what}: field ${field} missing`);
  return value;
}

function int(value: string, field: string, what: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`${what}: field ${field} is not an integer: ${JSON.stringify(value)}`);
  return n;
}

function optionalInt(value: string | undefined): number | null {
  if (value === undefined || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function big(value: string, field: string, what: string): bigint {
  if (!/^-?\d+$/.test(value)) throw new Error(`${what}: field ${field} is not an integer: ${JSON.stringify(value)}`);
  return BigInt(value);
}

const VERDICTS = new Set(['', 'accepted', 'stale', 'rejected', 'unknown']);

/** Parses HGETALL of block:<height>:<hash>; `what` names it in errors. */
export function parseBlockRecord(hash: Record<string, string>, what = 'block record'): BlockRecord {
  const verdict = hash.verdict ?? '';
  if (!VERDICTS.has(verdict)) throw new Error(`${what}: unknown verdict ${JSON.stringify(verdict)}`);
  let answers: BlockRecord['answers'] = [];
  if (hash.answers) {
    const parsed: unknown = JSON.parse(hash.answers);
    if (!Array.isArray(parsed)) throw new Error(`${what}: answers is not a list`);
    answers = parsed as BlockRecord['answers'];
  }
  return {
    pool: need(hash, 'pool', what),
    height: int(need(hash, 'height', what), 'height', what),
    hash: need(hash, 'hash', what),
    coinbaseTxid: need(hash, 'coinbaseTxid', what),
    reward: big(need(hash, 'reward', what), 'reward', what),
    finder: need(hash, 'finder', what),
    worker: need(hash, 'worker', what),
    shareDiff: Number(need(hash, 'shareDiff', what)),
    jobId: need(hash, 'jobId', what),
    foundAt: int(need(hash, 'foundAt', what), 'foundAt', what),
    round: need(hash, 'round', what),
    roundWork: big(need(hash, 'roundWork', what), 'roundWork', what),
    roundShares: int(need(hash, 'roundShares', what), 'roundShares', what),
    status: need(hash, 'status', what),
    verdict: verdict as BlockRecord['verdict'],
    verdictAt: optionalInt(hash.verdictAt),
    confirmations: optionalInt(hash.confirmations),
    submitMs: optionalInt(hash.submitMs),
    answers,
  };
}

/** Parses HGETALL of a round's :meta hash (an empty hash is an empty round). */
export function parseRoundMeta(hash: Record<string, string>, what = 'round meta'): RoundMeta {
  const ranges = (hash.mergedRanges ?? '')
    .split(' ')
    .filter((r) => r.length > 0)
    .map((r): readonly [string, string] => {
      const [first, last] = r.split('/');
      if (!first || !last) throw new Error(`${what}: malformed merged range ${JSON.stringify(r)}`);
      return [first, last];
    });
  return {
    work: hash.work === undefined ? 0n : big(hash.work, 'work', what),
    shares: hash.shares === undefined ? 0 : int(hash.shares, 'shares', what),
    startedAt: optionalInt(hash.startedAt),
    firstShareId: hash.firstShareId || null,
    lastShareId: hash.lastShareId || null,
    closedAt: optionalInt(hash.closedAt),
    mergedRanges: ranges,
  };
}

/** Parses one XRANGE entry of the share log: [id, [field, value, ...]]. */
export function parseShareLogEntry(id: string, fields: readonly string[]): ShareLogEntry {
  const map: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) map[fields[i]] = fields[i + 1];
  const what = `share log entry ${id}`;
  return {
    id,
    address: need(map, 'a', what),
    worker: need(map, 'w', what),
    work: big(need(map, 'd', what), 'd', what),
    time: int(need(map, 't', what), 't', what),
  };
}

/** Parses HGETALL of round:<id> or round:<id>:workers: field → work units. */
export function parseWorkHash(hash: Record<string, string>, what = 'round'): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const [field, value] of Object.entries(hash)) out.set(field, big(value, field, what));
  return out;
}
