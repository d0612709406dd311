// Hashes the shares that arrive within one event-loop turn as one batch. The WebAssembly scrypt kernel hashes
// several headers side by side about twice as fast per header as one at a time, and under load many shares from
// different miners land in the same turn; a lone share waits only for setImmediate.
export type BatchHash = (headers: Uint8Array, count: number, out: Uint8Array) => void;

const HEADER_BYTES = 80;
const HASH_BYTES = 32;

export function createTickBatcher(options: {
  readonly hashMany: BatchHash;
  /** Single-header path for a batch of one. */
  readonly hashOne: (header: Buffer) => Buffer;
  readonly maxBatch?: number;
}): (header: Buffer) => Promise<Buffer> {
  const maxBatch = options.maxBatch ?? 63;
  const input = new Uint8Array(maxBatch * HEADER_BYTES);
  let headers: Buffer[] = [];
  let waiters: { resolve: (hash: Buffer) => void; reject: (err: unknown) => void }[] = [];
  let scheduled = false;

  const flush = (): void => {
    scheduled = false;
    const batchHeaders = headers;
    const batchWaiters = waiters;
    headers = [];
    waiters = [];
    for (let start = 0; start < batchHeaders.length; start += maxBatch) {
      const count = Math.min(maxBatch, batchHeaders.length - start);
      try {
        if (count === 1) {
          batchWaiters[start].resolve(options.hashOne(batchHeaders[start]));
          continue;
        }
        for (let i = 0; i < count; i++) input.set(batchHeaders[start + i], i * HEADER_BYTES);
        // A fresh output per batch: each share keeps its 32-byte view after the next batch runs.
        const out = Buffer.allocUnsafe(count * HASH_BYTES);
        options.hashMany(input.subarray(0, count * HEADER_BYTES), count, out);
        for (let i = 0; i < count; i++) batchWaiters[start + i].resolve(out.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES));
      } catch (err) {
        for (let i = 0; i < count; i++) batchWaiters[start + i].reject(err);
      }
    }
  };

  return (header: Buffer) =>
    new Promise<Buffer>((resolve, reject) => {
      if (header.length !== HEADER_BYTES) {
        reject(new RangeError(`header must be ${HEADER_BYTES} bytes, got ${header.length}`));
        return;
      }
      headers.push(header);
      waiters.push({ resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
}
