// Worker-thread side of the hash pool: builds its own registry (each thread self-tests and owns its kernel
// memory), then hashes batches of headers and answers with the hashes in the same order.
import { parentPort, workerData } from 'node:worker_threads';
import type { AlgorithmName } from '../config/types.js';
import { createAlgorithmRegistry } from './registry.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from './hash-pool-messages.js';

const init = workerData as WorkerInit;
const port = parentPort;
if (!port) throw new Error('hash-worker must run as a worker thread');

const warnings: string[] = [];
const registry = createAlgorithmRegistry({
  prefer: init.prefer,
  logger: { warn: (m, meta) => warnings.push(`${m} ${JSON.stringify(meta ?? {})}`), info: () => undefined },
});
const selected = registry.describe(init.algorithm as AlgorithmName);
const hashOne = selected.algorithm.hash;

port.postMessage({ type: 'ready', kernel: selected.kernel, warnings } satisfies WorkerReply);

port.on('message', (msg: WorkerRequest) => {
  try {
    const headers = new Uint8Array(msg.headers);
    const out = new Uint8Array(msg.count * 32);
    if (selected.hashMany) {
      selected.hashMany(headers, msg.count, out);
    } else {
      for (let i = 0; i < msg.count; i++) {
        out.set(hashOne(Buffer.from(msg.headers, i * 80, 80)), i * 32);
      }
    }
    port.postMessage({ type: 'done', id: msg.id, hashes: out.buffer } satisfies WorkerReply, [out.buffer]);
  } catch (err) {
    port.postMessage({ type: 'failed', id: msg.id, message: (err as Error).message } satisfies WorkerReply);
  }
});
