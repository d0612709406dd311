// Every Redis key name Headframe uses, and the layout of what each one holds. Nothing else spells a key.
//
// Naming: `<keyPrefix>{<poolId>}:<name>`. The braces are a Redis Cluster hash tag: all of one pool's keys land in
// one slot, so every Lua script may touch any of them atomically (and a single Redis behaves the same).
//
// ── Work units ──────────────────────────────────────────────────────────────────────────────────────────────
// Share difficulty is a double; sums of doubles from many processes are not exact. Every credited amount of work
// is stored as an integer number of WORK UNITS: round(difficulty × WORK_SCALE), at least 1 for an accepted share.
// Sums use HINCRBY (exact signed 64-bit in Redis; scripts pass the numbers through as strings and never do
// arithmetic on them in Lua, whose numbers are doubles). WORK_SCALE = 10^4 keeps a whole round at Bitcoin's
// network difficulty (~1.2e14 → 1.2e18 units) under 2^63 (9.2e18) with room for bad luck, and credits share
// difficulties of 0.01 and up within 0.5 % (below 1/WORK_SCALE a share counts as one unit: regtest only).
//
// ── Per pool, share side (written by pool workers) ─────────────────────────────────────────────────────────
// round:current             HASH   miner address → work units credited in the open round.
// round:current:workers     HASH   full worker login ("address.worker") → work units in the open round.
// round:current:meta        HASH   work (sum of the above), shares (count), startedAt (ms, first share),
//                                  firstShareId (share-log stream id of the round's first share),
//                                  mergedRanges (space-separated "firstId/lastId" share-log ranges of rounds merged
//                                  back into this one, see below; absent when none).
// round:<height>:<hash>[:workers|:meta]
//                                  The same three keys, moved (RENAME) there atomically when a block candidate at
//                                  <height> with <hash> is recorded: one round per block hash, so two blocks at one
//                                  height never share a round. The meta gains closedAt (ms), lastShareId (share-log
//                                  id of the last share before the block; firstShareId..lastShareId is the round's
//                                  share list in the log, plus mergedRanges), height, hash.
// shares                    STREAM the pool's share log, one entry per accepted share in recording order:
//                                  a (miner address), w (worker login), d (work units), t (ms, pool clock).
//                                  Trimmed by count (XADD MAXLEN ~ shareLogMaxLen, default SHARE_LOG_MAX_LEN) to
//                                  bound memory; sized to cover a PPLNS window plus the shares of one payment
//                                  interval: the payment processor fixes a block's split (split:<height>:<hash>) on
//                                  its first pass after the block, not at maturity. Entry ids are Redis-time ordered.
// hashrate:<bucket>         HASH   worker login → work units of its accepted shares whose time (pool clock) falls in
//                                  bucket = floor(ms / HASHRATE_BUCKET_MS); expires HASHRATE_WINDOW_MS after its last
//                                  write. The website's hashrate window is the sum of the buckets it spans: its cost
//                                  follows the number of workers, never the number of shares (a stream of every
//                                  share read back each refresh held Redis for milliseconds at a time and showed up
//                                  in the miners' share latency).
// stats                     HASH   pool counters: valid, invalid (all rejected shares), and invalid by reason:
//                                  stale, duplicate, lowdiff, other; lastShare (ms of the last valid share).
// worker:<login>            HASH   per worker login: address, valid, invalid, stale, duplicate, lowdiff, other,
//                                  lastShare (ms, last valid share), lastInvalid (ms). Expires the worker retention
//                                  (WORKER_RETENTION_MS, longer when alerts remember workers longer) after its last
//                                  write: login names are the miners' choice, and every name ever used would stay.
// workers                   ZSET   worker login → ms of its last valid share (lists active workers, finds idle ones);
//                                  logins idle longer than the worker retention are removed as shares are recorded.
// writer:<writerId>         STRING the last operation sequence number applied by one recorder (one per process
//                                  start). Scripts skip an operation whose number is not above it, so a command that
//                                  timed out but had run is never applied twice when the outage queue resends it.
//                                  Expires WRITER_MARKER_TTL_SECONDS after its last write.
//
// ── Per pool, blocks ────────────────────────────────────────────────────────────────────────────────────────
// Block id: "<height>:<hash>" (hash in RPC byte order, lowercase hex).
// block:<height>:<hash>     HASH   pool, height, hash, coinbaseTxid (RPC order), reward (coinbase value in base
//                                  units, decimal string: subsidy + fees), finder (miner address), worker (login),
//                                  shareDiff (difficulty the hash reached), jobId, foundAt (ms),
//                                  round ("<height>:<hash>": the round:<height>:<hash> keys), roundWork (work units of
//                                  the round at close, decimal string), roundShares,
//                                  status: 'pending' until the payment side moves it on ('rejected' when the daemon
//                                  refused it; payment-side statuses are documented in its section),
//                                  verdict: '' until the submit outcome arrives, then 'accepted' | 'stale' |
//                                  'rejected' | 'unknown' (see BlockVerdict), verdictAt (ms), confirmations (may be
//                                  ''), submitMs, answers (JSON: [{daemon, answer}] from submitblock).
// blocks:pending            ZSET   block id → height. Recorded the moment the candidate is known (before the daemon
//                                  answers), so a crash after submitblock never loses a block. 'accepted', 'stale' and
//                                  'unknown' verdicts stay here for the payment side to classify against the chain.
// blocks:rejected           ZSET   block id → height. A block the daemon refused outright ('rejected'): it can never
//                                  pay, so its round's work is merged back into round:current (HINCRBY per address and
//                                  worker, meta work/shares added, its share-log range appended to mergedRanges) and
//                                  the round keys deleted. Miners keep their credit in the round that continues.
import type { ShareRejectReason } from '../mining/types.js';

export const WORK_SCALE = 10_000;

/** Default bound of the share log; ~100 bytes each, so ~100 MB per pool at the bound. */
export const SHARE_LOG_MAX_LEN = 1_000_000;
/** worker:<login> and the workers ZSET keep a worker this long after its last share (default; see ShareStore). */
export const WORKER_RETENTION_MS = 7 * 24 * 3600 * 1000;
/** How long hashrate buckets are kept (the website picks its window inside it). */
export const HASHRATE_WINDOW_MS = 15 * 60 * 1000;
/** Width of one hashrate bucket: a website window of W seconds is measured over W - 30 < w <= W seconds. */
export const HASHRATE_BUCKET_MS = 30_000;

export function hashrateBucketOf(ms: number): number {
  return Math.floor(ms / HASHRATE_BUCKET_MS);
}
export const WRITER_MARKER_TTL_SECONDS = 7 * 24 * 3600;

/** Credited difficulty → integer work units (see the file header). Returned as a decimal string for HINCRBY. */
export function toWorkUnits(difficulty: number): string {
  if (!Number.isFinite(difficulty) || difficulty <= 0) throw new RangeError(`share difficulty ${difficulty} is not positive`);
  const units = Math.round(difficulty * WORK_SCALE);
  if (units > Number.MAX_SAFE_INTEGER) throw new RangeError(`share difficulty ${difficulty} is too large to credit exactly`);
  return String(Math.max(1, units));
}

/** Work units as Redis returns them (decimal string) → share difficulty; 0 for a missing or unreadable value. */
export function unitsToDifficulty(units: string | null | undefined): number {
  const n = Number(units ?? 0);
  return Number.isFinite(n) ? n / WORK_SCALE : 0;
}

/** The four invalid-share counters, by stratum reject reason. */
export type InvalidKind = 'stale' | 'duplicate' | 'lowdiff' | 'other';

export function invalidKindOf(reason: ShareRejectReason): InvalidKind {
  switch (reason) {
    case 'job-not-found':
      return 'stale';
    case 'duplicate':
      return 'duplicate';
    case 'low-difficulty':
      return 'lowdiff';
    default:
      return 'other';
  }
}

export function blockId(height: number, hash: string): string {
  return `${height}:${hash}`;
}

/** Parses a block id from blocks:pending / blocks:rejected. */
export function parseBlockId(id: string): { height: number; hash: string } {
  const at = id.indexOf(':');
  const height = Number(id.slice(0, at));
  if (at <= 0 || !Number.isSafeInteger(height)) throw new Error(`malformed block id ${JSON.stringify(id)}`);
  return { height, hash: id.slice(at + 1) };
}

export interface RoundKeys {
  /** HASH address → work units. */
  readonly addresses: string;
  /** HASH worker login → work units. */
  readonly workers: string;
  /** HASH work, shares, startedAt, firstShareId, mergedRanges (+ closedAt, lastShareId, height, hash once closed). */
  readonly meta: string;
}

/** Key names of one pool. Build once per pool (the strings are reused for every share). */
export class PoolKeys {
  readonly base: string;
  readonly currentRound: RoundKeys;
  readonly shareLog: string;
  readonly stats: string;
  readonly workers: string;
  readonly blocksPending: string;
  readonly blocksRejected: string;

  constructor(
    readonly keyPrefix: string,
    readonly poolId: string,
  ) {
    if (poolId.length === 0 || /[{}\s]/.test(poolId)) throw new Error(`pool id ${JSON.stringify(poolId)} cannot be used in Redis keys`);
    this.base = `${keyPrefix}{${poolId}}:`;
    this.currentRound = this.roundKeys('current');
    this.shareLog = `${this.base}shares`;
    this.stats = `${this.base}stats`;
    this.workers = `${this.base}workers`;
    this.blocksPending = `${this.base}blocks:pending`;
    this.blocksRejected = `${this.base}blocks:rejected`;
  }

  /** The round closed by the block <height>:<hash>. */
  round(height: number, hash: string): RoundKeys {
    return this.roundKeys(blockId(height, hash));
  }

  worker(login: string): string {
    return `${this.base}worker:${login}`;
  }

  /** The hashrate bucket numbered `bucket` (see hashrateBucketOf). */
  hashrateBucket(bucket: number): string {
    return `${this.base}hashrate:${bucket}`;
  }

  block(height: number, hash: string): string {
    return `${this.base}block:${blockId(height, hash)}`;
  }

  writer(writerId: string): string {
    return `${this.base}writer:${writerId}`;
  }

  private roundKeys(name: string): RoundKeys {
    const addresses = `${this.base}round:${name}`;
    return { addresses, workers: `${addresses}:workers`, meta: `${addresses}:meta` };
  }

  // ── Payment side ───────────────────────────────────────────────────────────────────────────────────────────
  // The payment processor's keys are in PaymentKeys (next section).
}

// ── Per pool, payments (written only by the payment processor, under payments:lock) ─────────────────────────
// Amounts are base units as decimal strings. Every write script checks payments:lock against the caller's fencing
// token first, so a processor that lost its lock (paused, slow) can never write again.
// payments:fence            STRING counter; INCR gives each lock holder a fresh, ever-growing fencing token.
// payments:lock             STRING fencing token of the processor paying this pool (SET NX PX, renewed per step).
// payments:halt             STRING JSON {reason, at}: an intent could not be settled; nothing is paid for the pool
//                                  until an operator has checked the wallet and deleted this key. Shown by alerts.
// payments:intent           STRING JSON PaymentIntent (src/payments/payout.ts): written before sendmany, gains
//                                  sendStartedAt then txid, removed by the commit (or dropped when never sent).
// balances:unpaid           HASH   address → confirmed credits not yet paid (HINCRBY).
// balances:immature         HASH   address → credits of blocks still maturing (their stored splits); replaced whole
//                                  every run.
// balances:paid             HASH   address → total ever paid.
// payments:quarantine       HASH   address → JSON {reason, at}: rejected by the daemon; balance kept, not paid.
// payments:history          LIST   JSON {id, txid, paidAt, amount, recipients, rounds}, newest first, bounded.
// payments:address:<addr>   LIST   JSON {txid, paidAt, amount}, newest first, bounded.
// split:<height>:<hash>     STRING JSON BlockSplit (src/payments/credit-record.ts): the block's split, fixed on the
//                                  processor's first pass that finds the block on the main chain (the PPLNS window is
//                                  read from the share log then, long before maturity trims it away). Written once
//                                  (never replaced) while the block is pending; shown as immature balances; credited
//                                  as stored at maturity, when credit:<height>:<hash> takes its place; deleted with an
//                                  orphaned block.
// credit:<height>:<hash>    STRING JSON CreditRecord (src/payments/credit-record.ts): how a confirmed block was
//                                  split (scheme, amount, work per address, credits, share-log ranges) for export.
// blocks:credited           ZSET   block id → height: confirmed, credited to balances:unpaid, awaiting a payment.
// blocks:paid               ZSET   block id → height: its credits were in balances when a payment committed.
// blocks:orphaned           ZSET   block id → height: off the main chain for good; never paid, round merged back.
// block:<height>:<hash>     the payment side sets status: 'immature' | 'credited' | 'paid' | 'orphaned',
//                                  orphanChecks (consecutive off-chain checks), confirmations.
export const PAYMENT_HISTORY_MAX = 10_000;
export const ADDRESS_HISTORY_MAX = 1_000;

export class PaymentKeys {
  readonly fence: string;
  readonly lock: string;
  readonly halt: string;
  readonly intent: string;
  readonly unpaid: string;
  readonly immature: string;
  readonly paid: string;
  readonly quarantine: string;
  readonly history: string;
  readonly blocksCredited: string;
  readonly blocksPaid: string;
  readonly blocksOrphaned: string;

  constructor(readonly pool: PoolKeys) {
    const base = pool.base;
    this.fence = `${base}payments:fence`;
    this.lock = `${base}payments:lock`;
    this.halt = `${base}payments:halt`;
    this.intent = `${base}payments:intent`;
    this.unpaid = `${base}balances:unpaid`;
    this.immature = `${base}balances:immature`;
    this.paid = `${base}balances:paid`;
    this.quarantine = `${base}payments:quarantine`;
    this.history = `${base}payments:history`;
    this.blocksCredited = `${base}blocks:credited`;
    this.blocksPaid = `${base}blocks:paid`;
    this.blocksOrphaned = `${base}blocks:orphaned`;
  }

  addressHistory(address: string): string {
    return `${this.pool.base}payments:address:${address}`;
  }

  credit(height: number, hash: string): string {
    return `${this.pool.base}credit:${blockId(height, hash)}`;
  }

  split(height: number, hash: string): string {
    return `${this.pool.base}split:${blockId(height, hash)}`;
  }
}

// ── Per pool, website (written by the stats refresher, read by the website) ─────────────────────────────────
// website:lock              STRING token of the refresher computing this pool's stats (SET NX PX; renewed while
//                                  it runs). Every snapshot write checks the token, so a refresher that lost the
//                                  lock never overwrites a newer snapshot.
// website:snapshot          STRING JSON PoolSnapshot (src/website/types.ts): pool figures, recent blocks, payments.
// website:miners            HASH   miner address → JSON MinerSnapshot, for the miner set only (src/website/miner-set.ts:
//                                  active, listed workers, round work or owed money); replaced whole on every refresh,
//                                  so it is as large as that set. Other addresses are answered from their balances.
// website:history           LIST   JSON HistoryPoint [s, hashrate, miners, workers], oldest first, trimmed to a day.
// website:minerHistory:<address>
//                           STRING JSON array of MinerHistoryPoint [s, hashrate], oldest first, trimmed to the history
//                                  span. Rewritten only when it gains a point; expires one history span after that,
//                                  so a miner who left takes its chart with it.
// website:minerHistory      HASH   earlier layout (every address ever seen in one hash): read once to carry the miner
//                                  set's histories over, then deleted by the next snapshot write.
// website:version           STRING counter bumped by every snapshot write; the website polls it for live updates.
export class WebsiteKeys {
  readonly lock: string;
  readonly snapshot: string;
  readonly miners: string;
  readonly history: string;
  readonly legacyMinerHistory: string;
  readonly version: string;
  private readonly base: string;

  constructor(pool: PoolKeys) {
    const base = `${pool.base}website:`;
    this.base = base;
    this.lock = `${base}lock`;
    this.snapshot = `${base}snapshot`;
    this.miners = `${base}miners`;
    this.history = `${base}history`;
    this.legacyMinerHistory = `${base}minerHistory`;
    this.version = `${base}version`;
  }

  minerHistory(address: string): string {
    return `${this.base}minerHistory:${address}`;
  }
}

// ── Alerts (written only by the alert evaluator, under the global alerts:lock) ─────────────────────────────────
// <keyPrefix>alerts:lock    STRING token of the one evaluator running (SET NX PX, renewed every evaluation). Global,
//                                  not per pool: one evaluator serves every pool of every instance.
// alerts:workers            HASH   worker login → JSON FiringState (src/alerts/worker-state.ts) of each worker whose
//                                  offline alert is firing, with the per-notifier deliveries (Telegram message ids).
// alerts:pool               HASH   alert name (e.g. "hashrate-low") → JSON FiringState of pool-level alerts.
// alerts:notices            ZSET   notice id (e.g. "block:<height>:<hash>") → ms it was sent; trimmed to 30 days.
export class AlertKeys {
  readonly workers: string;
  readonly pool: string;
  readonly notices: string;

  constructor(pool: PoolKeys) {
    this.workers = `${pool.base}alerts:workers`;
    this.pool = `${pool.base}alerts:pool`;
    this.notices = `${pool.base}alerts:notices`;
  }

  static lock(keyPrefix: string): string {
    return `${keyPrefix}alerts:lock`;
  }
}

// ── Profit switching (written only by the profit switcher, under profit:lock) ───────────────────────────────
// Global, not per pool: one switcher compares coins of several pools.
// <keyPrefix>profit:lock    STRING token of the one switcher refreshing prices (SET NX PX, renewed every refresh).
// profit:prices             STRING JSON PriceSnapshot (src/profit/price-cache.ts): fetchedAt (ms) and coin id →
//                                  price as a decimal string, with the source it came from. SET EX (a few refresh
//                                  intervals), so stale prices vanish instead of steering switches forever.
// profit:switch:<name>      STRING JSON SwitchRecord: the coin the switch mines, since when (ms), and the leader
//                                  being held (coin, since) if any, so a restarted switcher neither forgets its
//                                  choice nor restarts the hold time from zero.
export class ProfitKeys {
  readonly lock: string;
  readonly prices: string;
  private readonly base: string;

  constructor(keyPrefix: string) {
    this.base = `${keyPrefix}profit:`;
    this.lock = `${this.base}lock`;
    this.prices = `${this.base}prices`;
  }

  switchState(name: string): string {
    return `${this.base}switch:${name}`;
  }
}
