// Records shares and blocks of one pool in Redis, in order, and keeps them in a bounded in-memory queue while Redis
// is away. A share is reported recorded once Redis acknowledged it or once it sits in the queue; when the queue is
// full a new share is refused (the miner hears "not accepted") rather than confirmed and lost.
//
// Exactly once, in order: every operation carries a number from this recorder, and the scripts apply operation n
// only right after n-1 (see record-shares.lua). A command that timed out but ran is skipped when resent; one that
// arrives after a missing predecessor writes nothing and is resent after it. Blocks and their outcomes are never
// refused by the bound: they are rare and carry the money.
//
// Redis can lose writes it acknowledged (a restart from an AOF fsynced every second or from an RDB, a failover to a
// lagging replica): its marker then sits behind numbers this recorder saw applied, and every later operation would
// answer GAP for good. When the oldest unwritten operation answers GAP while nothing of this recorder is in flight,
// every earlier number was acknowledged, so nothing can still fill the gap: the recorder logs the lost numbers and
// moves the marker up to them (record-writer-advance.lua), then writes the queue in order as usual.
//
// Cost: the shares (valid and rejected) recorded within one event-loop turn go to Redis as ONE record-shares call
// (flushed from setImmediate, i.e. after every socket read of that turn was handled), so the pool's CPU per share is
// a few argument slots rather than a command, a promise chain and a socket write each. Blocks and outcomes flush the
// run before them and go alone, keeping the order of operations on the one connection.
import type { BlockCandidate, BlockOutcome } from '../mining/block-submitter.js';
import type { Logger } from '../log/logger.js';
import { invalidKindOf, toWorkUnits } from '../redis/keys.js';
import type { ShareRejectReason } from '../mining/types.js';
import { GAP, isShareOp, MERGED_BACK, NO_SUCH_BLOCK, type RecordOp, type ShareOp } from '../redis/share-store.js';

export interface RecordStore {
  /** Names the marker in Redis; for log lines. */
  readonly writerId: string;
  apply(op: RecordOp, seq: number): Promise<number>;
  /** Share operations numbered firstSeq, firstSeq+1, … in one call; resolves with GAP or anything else for "kept". */
  applyMany(ops: readonly ShareOp[], firstSeq: number): Promise<number>;
  /** Moves the marker up to `last` if it is below; resolves with the marker found (-1: none). */
  advanceMarker(last: number): Promise<number>;
}

export interface QueueState {
  /** 'live': operations go straight to Redis; 'queued': they wait in order for Redis to return. */
  readonly mode: 'live' | 'queued';
  /** Operations waiting (shares, invalid-share counts, blocks). */
  readonly queued: number;
  /** Accepted shares refused since start because the queue was full. */
  readonly droppedShares: number;
  /** Invalid-share counts not recorded since start because their own bound (maxInvalidQueue) was full. */
  readonly droppedInvalid: number;
  /** Operations Redis acknowledged and then lost (restart without them, failover), since start. */
  readonly lostInRedis: number;
}

export interface ShareRecorderOptions {
  readonly store: RecordStore;
  readonly logger: Logger;
  /** Most shares and blocks kept while Redis is away; blocks count but are never refused (default 200,000: ~60 MB at worst). */
  readonly maxQueue?: number;
  /** Most rejected-share counts kept while Redis is away, on top of maxQueue (default a tenth of it). */
  readonly maxInvalidQueue?: number;
  /** Operations sent at once when the queue drains. */
  readonly drainBatch?: number;
  /** Most share operations in one record-shares call (a bigger turn is split into several calls). */
  readonly maxBatch?: number;
  /** First and longest pause between drain attempts while Redis is still away. */
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
  /** Milliseconds between "still queued" log lines. */
  readonly reportEveryMs?: number;
  readonly onQueueChange?: (state: QueueState) => void;
  readonly now?: () => number;
}

interface Entry {
  readonly op: RecordOp;
  readonly seq: number;
  /** Settles the caller's promise once the operation is acknowledged or queued; cleared after. */
  done: ((recorded: boolean) => void) | null;
}

const RECORDED: Promise<boolean> = Promise.resolve(true);
const REFUSED: Promise<boolean> = Promise.resolve(false);

export class ShareRecorder {
  private nextSeq = 1;
  /** Waiting operations, ascending by seq. */
  private queue: Entry[] = [];
  /** Of them, rejected-share counts (bounded by maxInvalidQueue). */
  private queuedInvalid = 0;
  /** Of them, the head entries drain() has sent and awaits answers for. */
  private drainSending = 0;
  /** Live share operations of the current event-loop turn, ascending and consecutive by seq; sent by flush(). */
  private pending: Entry[] = [];
  private flushScheduled = false;
  private readonly flushNow = (): void => {
    this.flushScheduled = false;
    this.flush();
  };
  private inflight = 0;
  private mode: 'live' | 'queued' = 'live';
  private draining = false;
  /** No new operations are taken (close() called). */
  private closed = false;
  /** Nothing more is sent either (close() gave up waiting): what is left was reported lost and must stay so. */
  private stopped = false;
  private droppedShares = 0;
  private droppedInvalid = 0;
  private lostInRedis = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private reportTimer: NodeJS.Timeout | null = null;
  private queuedSince = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly log: Logger;
  private readonly maxQueue: number;
  private readonly maxInvalidQueue: number;
  private readonly maxBatch: number;
  private readonly now: () => number;

  constructor(private readonly options: ShareRecorderOptions) {
    this.log = options.logger.child({ component: 'share-recorder' });
    this.maxQueue = options.maxQueue ?? 200_000;
    this.maxInvalidQueue = options.maxInvalidQueue ?? Math.max(1, Math.ceil(this.maxQueue / 10));
    this.maxBatch = Math.max(1, options.maxBatch ?? 256);
    this.now = options.now ?? Date.now;
  }

  get state(): QueueState {
    return {
      mode: this.mode,
      queued: this.queue.length,
      droppedShares: this.droppedShares,
      droppedInvalid: this.droppedInvalid,
      lostInRedis: this.lostInRedis,
    };
  }

  /** Resolves true once the share is in Redis or in the queue, false when it could not be kept (queue full). */
  recordShare(address: string, worker: string, difficulty: number): Promise<boolean> {
    return this.submit({ kind: 'share', address, worker, units: toWorkUnits(difficulty), time: this.now() }, true);
  }

  /** Counts a rejected share; nobody waits on it. */
  recordInvalid(address: string, worker: string, reason: ShareRejectReason): void {
    void this.submit({ kind: 'invalid', address, worker, reason: invalidKindOf(reason), time: this.now() }, true, false);
  }

  /** Call the moment a candidate is known (before the daemon answers), after its finding share. */
  recordBlock(candidate: BlockCandidate): Promise<boolean> {
    return this.submit({ kind: 'block', candidate, time: this.now() }, false);
  }

  recordBlockOutcome(outcome: BlockOutcome): Promise<boolean> {
    return this.submit({ kind: 'outcome', outcome, time: this.now() }, false);
  }

  /**
   * Stops taking new operations and waits (up to `timeoutMs`) for everything in flight and queued to reach Redis.
   * Resolves with the number of operations not acknowledged by then (logged when not zero).
   *
   * `keepDraining` (a pool reload: the process goes on, and so does the worker's Redis client): what is still queued
   * (miners were told their shares were kept, and a block record carries the money) goes on being written in the
   * background when Redis returns, exactly once by this recorder's own numbering. Without it (the process is exiting)
   * nothing more is sent after the wait, so what it reports lost stays lost.
   */
  async close(timeoutMs: number, keepDraining = false): Promise<number> {
    this.closed = true;
    if (this.busy) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.idleWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (keepDraining && this.busy) {
      const left = this.queue.length + this.inflight + this.pending.length;
      this.log.warn(`closing with ${left} share operations not yet in Redis: they are written when it answers again`);
      return left;
    }
    this.stopped = true;
    this.stopTimers();
    for (const wake of this.idleWaiters.splice(0)) wake();
    for (const entry of this.pending) {
      entry.done?.(false);
      entry.done = null;
    }
    const unsent = this.queue.length - this.drainSending + this.pending.length;
    const unanswered = this.inflight + this.drainSending;
    this.pending = [];
    if (unsent > 0) this.log.error(`closing with ${unsent} share operations never written to Redis: they are lost`);
    if (unanswered > 0) this.log.error(`closing with ${unanswered} share operations sent to Redis but not answered: Redis may or may not have them`);
    return unsent + unanswered;
  }

  private get busy(): boolean {
    return this.inflight > 0 || this.queue.length > 0 || this.pending.length > 0;
  }

  /** `wait`: the caller awaits the answer (an invalid-share count is fire-and-forget: no promise per share). */
  private submit(op: RecordOp, bounded: boolean, wait = true): Promise<boolean> {
    if (this.closed) {
      this.log.error(`recorder closed: ${op.kind} not recorded`);
      return REFUSED;
    }
    if (this.mode === 'live') {
      const entry: Entry = { op, seq: this.nextSeq++, done: null };
      const answer = wait ? new Promise<boolean>((resolve) => (entry.done = resolve)) : RECORDED;
      if (isShareOp(op)) {
        this.pending.push(entry);
        if (this.pending.length >= this.maxBatch) this.flush();
        else if (!this.flushScheduled) {
          this.flushScheduled = true;
          setImmediate(this.flushNow);
        }
      } else {
        // Its predecessors leave first: operations reach the connection in number order.
        this.flush();
        this.send([entry]);
      }
      return answer;
    }
    // Rejected-share counts have a bound of their own and do not count against the shares': a burst of rejects
    // (stale work after a new block, one miner's flood of duplicates under made-up worker names) can then never
    // make the pool refuse valid shares sooner. Folding repeats into one queued count would save memory only for
    // one worker's consecutive rejects, which interleave with everyone else's; this bound holds whatever the
    // pattern, and Redis still gets exactly the counts kept (each refused one is counted in droppedInvalid).
    // No number is taken by a refused operation: it leaves no gap that would hold back the ones after it.
    if (bounded && op.kind === 'invalid' && this.queuedInvalid >= this.maxInvalidQueue) {
      this.droppedInvalid++;
      this.changed();
      return REFUSED;
    }
    if (bounded && op.kind === 'share' && this.queue.length - this.queuedInvalid >= this.maxQueue) {
      this.droppedShares++;
      this.changed();
      return REFUSED;
    }
    this.enqueue({ op, seq: this.nextSeq++, done: null });
    this.changed();
    return RECORDED;
  }

  /** Sends this turn's share operations (in calls of at most maxBatch). */
  private flush(): void {
    if (this.pending.length === 0 || this.stopped) return;
    const entries = this.pending;
    this.pending = [];
    for (let from = 0; from < entries.length; from += this.maxBatch) {
      this.send(from === 0 && entries.length <= this.maxBatch ? entries : entries.slice(from, from + this.maxBatch));
    }
  }

  /** One store call for `entries`: a single block/outcome, or a run of consecutive share operations. */
  private call(entries: readonly Entry[]): Promise<number> {
    const first = entries[0];
    if (!isShareOp(first.op)) return this.options.store.apply(first.op, first.seq);
    const ops: ShareOp[] = new Array(entries.length);
    for (let i = 0; i < entries.length; i++) ops[i] = entries[i].op as ShareOp;
    return this.options.store.applyMany(ops, first.seq);
  }

  private send(entries: Entry[]): void {
    this.inflight += entries.length;
    this.call(entries).then(
      (code) => {
        this.inflight -= entries.length;
        if (code === GAP) this.requeue(entries, 'an earlier operation is missing');
        else for (const entry of entries) this.acknowledged(entry, code);
        this.afterSettle();
      },
      (err: Error) => {
        this.inflight -= entries.length;
        this.requeue(entries, err.message);
        this.afterSettle();
      },
    );
  }

  private acknowledged(entry: Entry, code: number): void {
    entry.done?.(true);
    entry.done = null;
    if (entry.op.kind === 'outcome') {
      const c = entry.op.outcome.candidate;
      if (code === NO_SUCH_BLOCK) this.log.error(`outcome of block ${c.blockHash} at ${c.height}: block not recorded in Redis`);
      else if (code === MERGED_BACK) this.log.warn(`block ${c.blockHash} at ${c.height} rejected by the daemon: its round was merged back into the current round`);
    }
  }

  /**
   * Live operations failed: from now on everything waits in order (they are kept even beyond the bound, and so is
   * this turn's unsent run: all of them already hold numbers, and a number never sent would stall the ones after it).
   */
  private requeue(entries: readonly Entry[], why: string): void {
    if (this.stopped) {
      // Sent before close() gave up and failed since: already reported as possibly lost, never resent.
      for (const entry of entries) {
        entry.done?.(false);
        entry.done = null;
      }
      return;
    }
    if (this.mode === 'live') {
      this.mode = 'queued';
      this.queuedSince = this.now();
      this.log.warn(`redis write failed (${why}): queueing shares in memory until redis is back`);
      this.reportTimer = setInterval(() => this.report(), this.options.reportEveryMs ?? 5000);
      this.reportTimer.unref();
    }
    const moved = this.pending;
    this.pending = [];
    for (const list of [entries, moved]) {
      for (const entry of list) {
        this.enqueue(entry);
        entry.done?.(true);
        entry.done = null;
      }
    }
    this.changed();
  }

  /** Inserts by seq (nearly always at the end). */
  private enqueue(entry: Entry): void {
    let i = this.queue.length;
    while (i > 0 && this.queue[i - 1].seq > entry.seq) i--;
    this.queue.splice(i, 0, entry);
    if (entry.op.kind === 'invalid') this.queuedInvalid++;
  }

  private afterSettle(): void {
    if (this.inflight > 0 || this.stopped) return;
    if (this.mode === 'queued') this.scheduleDrain(0);
    else this.notifyIdle();
  }

  private scheduleDrain(delayMs: number): void {
    if (this.draining || this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.drain();
    }, delayMs);
    this.retryTimer.unref();
  }

  /**
   * Resends the queue from its head, in order, until it is empty; backs off while Redis is still away. Stops when
   * close() gives up (checked after every await: a closed recorder must not write what it reported lost).
   */
  private async drain(): Promise<void> {
    if (this.draining || this.inflight > 0 || this.stopped) return;
    this.draining = true;
    let delay = this.options.retryMinMs ?? 200;
    const maxDelay = this.options.retryMaxMs ?? 2000;
    const batchSize = this.options.drainBatch ?? 500;
    let written = 0;
    try {
      while (this.queue.length > 0 && !this.stopped) {
        const batch = this.queue.slice(0, batchSize);
        const calls = groupCalls(batch, this.maxBatch);
        this.drainSending = batch.length;
        const results = await Promise.allSettled(calls.map((entries) => this.call(entries)));
        this.drainSending = 0;
        const applied = new Set<Entry>();
        let failure: string | null = null;
        results.forEach((r, i) => {
          if (r.status === 'fulfilled' && r.value !== GAP) {
            for (const entry of calls[i]) {
              applied.add(entry);
              this.acknowledged(entry, r.value);
            }
          } else if (failure === null) {
            failure = r.status === 'rejected' ? (r.reason as Error).message : 'an earlier operation is missing';
          }
        });
        if (applied.size > 0) {
          this.queue = this.queue.filter((e) => !applied.has(e));
          for (const entry of applied) if (entry.op.kind === 'invalid') this.queuedInvalid--;
          written += applied.size;
          this.changed();
        }
        if (this.stopped) break;
        // Only the head's GAP proves a loss: a later call's GAP just means an earlier call of this batch failed.
        // drain() runs only while no live call is in flight, and its own calls of this batch have all answered.
        const head = results[0];
        if (head.status === 'fulfilled' && head.value === GAP && this.inflight === 0) {
          const moved = await this.skipLost(calls[0][0].seq);
          if (this.stopped) break;
          if (moved) continue;
        }
        if (failure !== null) {
          this.log.debug(`queue drain paused: ${String(failure)}; retrying in ${delay} ms`);
          await new Promise((r) => setTimeout(r, delay).unref());
          delay = Math.min(maxDelay, delay * 2);
        } else {
          delay = this.options.retryMinMs ?? 200;
        }
      }
    } finally {
      this.draining = false;
      this.drainSending = 0;
    }
    if (this.stopped) return;
    this.mode = 'live';
    this.stopTimers();
    this.log.info(`redis back: ${written} queued share operations written after ${this.now() - this.queuedSince} ms`);
    this.changed();
    this.notifyIdle();
  }

  /**
   * The head operation `head` answered GAP with nothing of this recorder in flight: every number before it was
   * acknowledged, so Redis lost the ones its marker is missing. Moves the marker up to head - 1 (only forward,
   * atomically) and says what was lost. Resolves true when the head can be resent at once.
   */
  private async skipLost(head: number): Promise<boolean> {
    const last = head - 1;
    let found: number;
    try {
      found = await this.options.store.advanceMarker(last);
    } catch (err) {
      this.log.debug(`moving the writer marker past lost operations failed: ${(err as Error).message}`);
      return false;
    }
    const writer = this.options.store.writerId;
    if (found >= last) {
      // Something applied the missing numbers meanwhile (a command that had timed out but ran late): nothing lost.
      this.log.debug(`writer ${writer}: marker already at ${found} when moving it to ${last}`);
    } else if (found < 0) {
      this.log.error(`writer ${writer}: redis lost this recorder's marker after answering that operations before ${head} ` +
        `were missing; an unknown number of operations 1..${last} it had acknowledged may be gone (shares, rejected-share ` +
        `counts or blocks). Writing the ${this.queue.length} queued operations from ${head} on`);
    } else {
      const lost = last - found;
      this.lostInRedis += lost;
      this.changed();
      this.log.error(`writer ${writer}: redis lost ${lost} share operations it had acknowledged (numbers ${found + 1}..${last}: ` +
        `shares, rejected-share counts or blocks written before it restarted from older data or failed over to a lagging ` +
        `replica); they are gone from redis. Moved the marker past them; writing the ${this.queue.length} queued operations ` +
        `from ${head} on`);
    }
    return true;
  }

  private report(): void {
    if (this.mode !== 'queued') return;
    this.log.warn(`redis unavailable for ${Math.round((this.now() - this.queuedSince) / 1000)} s: ${this.queue.length} share operations queued, ` +
      `${this.droppedShares} shares refused (queue full)`);
  }

  private changed(): void {
    this.options.onQueueChange?.(this.state);
  }

  /** Resolves once nothing is queued or in flight any more, or the recorder stopped for good. */
  drained(): Promise<void> {
    if (!this.busy || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private notifyIdle(): void {
    if (this.busy) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private stopTimers(): void {
    if (this.reportTimer) clearInterval(this.reportTimer);
    this.reportTimer = null;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }
}

/**
 * Splits queued entries into store calls: blocks and outcomes alone, share operations in runs of consecutive
 * numbers (record-shares numbers a run from its first) of at most `max`.
 */
export function groupCalls<E extends { readonly op: RecordOp; readonly seq: number }>(entries: readonly E[], max: number): E[][] {
  const calls: E[][] = [];
  let run: E[] | null = null;
  for (const entry of entries) {
    if (!isShareOp(entry.op)) {
      calls.push([entry]);
      run = null;
      continue;
    }
    if (run && run.length < max && run[run.length - 1].seq + 1 === entry.seq) {
      run.push(entry);
    } else {
      run = [entry];
      calls.push(run);
    }
  }
  return calls;
}
