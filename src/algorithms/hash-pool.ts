import { Worker } from 'node:worker_threads';
import type { AlgorithmName } from '../config/types.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from './hash-pool-messages.js';
import type { RegistryLogger } from './registry.js';

export type HashPoolErrorCode = 'HASH_POOL_CLOSED' | 'HASH_POOL_TIMEOUT' | 'HASH_WORKER_FAILED';

export class HashPoolError extends Error {
  readonly code: HashPoolErrorCode;
  constructor(code: HashPoolErrorCode, message: string) {
    super(message);
    this.name = 'HashPoolError';
    this.code = code;
  }
}

export interface HashPoolOptions {
  readonly threads: number;
  readonly algorithm: AlgorithmName;
  /** Kernel choice inside each worker (each self-tests and falls back on its own). Default 'fast'. */
  readonly prefer?: 'fast' | 'reference';
  /** Most headers sent to one worker at once. Default 63 (a multiple of the scrypt kernel's three lanes). */
  readonly maxBatch?: number;
  /** Deadline for one batch; past it the worker is replaced and the batch fails. Default 10 s. */
  readonly batchTimeoutMs?: number;
  readonly logger?: RegistryLogger;
  /** Called once when the last worker has failed before it was ready (the pool is unusable from then on). */
  readonly onUnusable?: (reason: string) => void;
}

export interface HashPool {
  /**
   * PoW hash of an 80-byte header. Promises settle in the order hash() was called. Rejects at once with
   * HASH_WORKER_FAILED once the pool has no usable worker (see `usable`).
   */
  hash(header: Buffer): Promise<Buffer>;
  /** False once every worker failed before it was ready: such a worker is not replaced, so none ever will be. */
  readonly usable: boolean;
  /** Kernel name per worker once it reported ready ('starting' before). */
  kernels(): string[];
  /** Fails everything pending with HASH_POOL_CLOSED and stops the threads. */
  close(): Promise<void>;
}

interface Pending {
  readonly header: Buffer | null;
  result: Buffer | null;
  error: Error | null;
  readonly resolve: (hash: Buffer) => void;
  readonly reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  kernel: string;
  ready: boolean;
  batchId: number;
  batch: Pending[] | null;
  timer: NodeJS.Timeout | null;
}

const HEADER_BYTES = 80;

/**
 * A few worker threads hashing batches off the event loop. An idle pool sends a lone request at once (no
 * batch timer); under load, requests that arrive while the workers are busy go out together in the next batch,
 * split evenly across idle workers. Results are delivered strictly in request order, so a miner's answers keep
 * the order of its submits even when two workers finish out of order.
 */
export function createHashPool(options: HashPoolOptions): HashPool {
  return new WorkerHashPool(options);
}

/**
 * Hashes with `pool` while it has a usable worker, and with `fallback` (on the event loop) once it has none: the
 * shares keep being judged, only slower, when the threads cannot start.
 */
export function withFallback(pool: HashPool, fallback: (header: Buffer) => Promise<Buffer>): (header: Buffer) => Promise<Buffer> {
  return (header) => (pool.usable ? pool.hash(header) : fallback(header));
}

class WorkerHashPool implements HashPool {
  readonly #options: Required<Omit<HashPoolOptions, 'logger' | 'onUnusable'>> & Pick<HashPoolOptions, 'logger' | 'onUnusable'>;
  readonly #slots: Slot[] = [];
  readonly #queue: Pending[] = [];
  /** Every undelivered request in call order; the head is delivered as soon as it has an outcome. */
  #order: Pending[] = [];
  #orderHead = 0;
  #nextBatchId = 1;
  #closed = false;
  /** Why the last worker went, once there is none left. */
  #failure: string | null = null;

  constructor(options: HashPoolOptions) {
    if (!Number.isInteger(options.threads) || options.threads < 1) throw new RangeError('threads must be >= 1');
    this.#options = {
      prefer: 'fast',
      maxBatch: 63,
      batchTimeoutMs: 10_000,
      ...options,
    };
    for (let i = 0; i < options.threads; i++) this.#slots.push(this.#spawn());
  }

  hash(header: Buffer): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      if (this.#closed) {
        reject(new HashPoolError('HASH_POOL_CLOSED', 'hash pool is closed'));
        return;
      }
      const bad = header.length !== HEADER_BYTES;
      // Copied so a caller reusing its buffer cannot change a header that is still waiting for a batch.
      const entry: Pending = { header: bad ? null : Buffer.from(header), result: null, error: null, resolve, reject };
      this.#order.push(entry);
      if (bad) {
        entry.error = new RangeError(`header must be ${HEADER_BYTES} bytes, got ${header.length}`);
        this.#deliver();
        return;
      }
      if (this.#failure !== null) {
        // Queued with no worker left, it would never be answered and the queue would grow with every share.
        entry.error = new HashPoolError('HASH_WORKER_FAILED', `no hash worker left: ${this.#failure}`);
        this.#deliver();
        return;
      }
      this.#queue.push(entry);
      this.#dispatch();
    });
  }

  get usable(): boolean {
    return this.#failure === null;
  }

  kernels(): string[] {
    return this.#slots.map((s) => (s.ready ? s.kernel : 'starting'));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closed = new HashPoolError('HASH_POOL_CLOSED', 'hash pool closed');
    for (const entry of this.#order.slice(this.#orderHead)) if (!entry.result && !entry.error) entry.error = closed;
    this.#queue.length = 0;
    this.#deliver();
    await Promise.all(
      this.#slots.map(async (slot) => {
        if (slot.timer) clearTimeout(slot.timer);
        await slot.worker.terminate();
      }),
    );
  }

  #spawn(): Slot {
    const init: WorkerInit = { algorithm: this.#options.algorithm, prefer: this.#options.prefer };
    const worker = new Worker(new URL('./hash-worker.js', import.meta.url), { workerData: init });
    const slot: Slot = { worker, kernel: 'starting', ready: false, batchId: 0, batch: null, timer: null };
    worker.on('message', (msg: WorkerReply) => this.#onMessage(slot, msg));
    worker.on('error', (err) => this.#onWorkerGone(slot, `hash worker failed: ${err.message}`));
    worker.on('exit', (code) => this.#onWorkerGone(slot, `hash worker exited with code ${code}`));
    return slot;
  }

  #onMessage(slot: Slot, msg: WorkerReply): void {
    if (msg.type === 'ready') {
      slot.ready = true;
      slot.kernel = msg.kernel;
      for (const warning of msg.warnings) this.#options.logger?.warn(`hash worker: ${warning}`);
      return;
    }
    if (!slot.batch || msg.id !== slot.batchId) return;
    const batch = slot.batch;
    this.#finishBatch(slot);
    if (msg.type === 'done') {
      batch.forEach((entry, i) => {
        entry.result = Buffer.from(msg.hashes, i * 32, 32);
      });
    } else {
      const err = new HashPoolError('HASH_WORKER_FAILED', msg.message);
      for (const entry of batch) entry.error = err;
    }
    this.#deliver();
    this.#dispatch();
  }

  #onWorkerGone(slot: Slot, reason: string): void {
    const index = this.#slots.indexOf(slot);
    if (index < 0) return; // already replaced ('error' is followed by 'exit')
    const batch = slot.batch;
    const timedOut = slot.timer === null && batch !== null;
    this.#finishBatch(slot);
    if (batch) {
      const err = timedOut
        ? new HashPoolError('HASH_POOL_TIMEOUT', `hash batch exceeded ${this.#options.batchTimeoutMs} ms`)
        : new HashPoolError('HASH_WORKER_FAILED', reason);
      for (const entry of batch) entry.error = err;
      this.#deliver();
    }
    if (this.#closed) return;
    if (!slot.ready && !timedOut) {
      // A worker that crashes before it is ready would crash again: stop instead of spinning.
      this.#options.logger?.warn(`${reason} before it was ready; not replacing it`);
      this.#slots.splice(index, 1);
      void slot.worker.terminate();
      if (this.#slots.length === 0) {
        this.#failure = reason;
        const err = new HashPoolError('HASH_WORKER_FAILED', reason);
        for (const entry of this.#queue.splice(0)) entry.error = err;
        this.#deliver();
        this.#options.onUnusable?.(reason);
      }
      return;
    }
    this.#options.logger?.warn(`${reason}; replacing it`);
    this.#slots[index] = this.#spawn();
    this.#dispatch();
  }

  #finishBatch(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.batch = null;
  }

  #dispatch(): void {
    if (this.#closed) return;
    let idle = this.#slots.filter((s) => s.batch === null).length;
    for (const slot of this.#slots) {
      if (this.#queue.length === 0) return;
      if (slot.batch !== null) continue;
      const take = Math.min(this.#options.maxBatch, Math.ceil(this.#queue.length / idle));
      idle--;
      const batch = this.#queue.splice(0, take);
      const headers = new Uint8Array(batch.length * HEADER_BYTES);
      batch.forEach((entry, i) => headers.set(entry.header as Buffer, i * HEADER_BYTES));
      slot.batch = batch;
      slot.batchId = this.#nextBatchId++;
      slot.timer = setTimeout(() => {
        // Marking the timer consumed tells #onWorkerGone that this batch timed out.
        slot.timer = null;
        void slot.worker.terminate();
      }, this.#options.batchTimeoutMs);
      const request: WorkerRequest = { id: slot.batchId, count: batch.length, headers: headers.buffer };
      slot.worker.postMessage(request, [headers.buffer]);
    }
  }

  #deliver(): void {
    while (this.#orderHead < this.#order.length) {
      const entry = this.#order[this.#orderHead];
      if (entry.result) entry.resolve(entry.result);
      else if (entry.error) entry.reject(entry.error);
      else break;
      this.#orderHead++;
    }
    // Compact now and then so the delivered prefix does not grow without bound.
    if (this.#orderHead > 1024 && this.#orderHead * 2 > this.#order.length) {
      this.#order = this.#order.slice(this.#orderHead);
      this.#orderHead = 0;
    }
  }
}
