// Bench: time from a block found elsewhere to the last of N connected miners holding the job built on it, through
// the real notify path (daemon -blocknotify -> scripts/blocknotify -> CLI listener -> IPC -> pool worker), or any
// `notify` the caller wires in.
import { notifyPrevHash } from '../../src/blockchain/bitcoin/job-template.js';
import type { TestMiner } from '../helpers/test-miner.js';

export interface BlocknotifyLatencyOptions {
  /** Connected, subscribed and authorized miners that already hold a job. */
  readonly miners: readonly TestMiner[];
  /**
   * Makes a block on a node the pool does not mine with (e.g. `generatetoaddress` on node B of a regtest pair) and
   * resolves with its hash. With the daemon started with -blocknotify, nothing else is needed; otherwise `notify`.
   */
  readonly mineBlock: () => Promise<string>;
  /** Optional explicit notification (e.g. run scripts/blocknotify), called right after the block is made. */
  readonly notify?: (blockHash: string) => Promise<void>;
  readonly timeoutMs?: number;
}

export interface BlocknotifyLatency {
  /** Block made (mineBlock resolved) to the last miner receiving the new job, in ms. */
  readonly lastMs: number;
  /** Same, to the median miner. */
  readonly medianMs: number;
  readonly miners: number;
}

/** Measures one block; call it a few times and keep the median for a stable number. */
export async function measureBlocknotifyLatency(options: BlocknotifyLatencyOptions): Promise<BlocknotifyLatency> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  // Listeners go in before the block exists, so no job can slip past between the block and the wait.
  let expected: string | null = null;
  const early: { miner: TestMiner; prevhash: string; at: number }[] = [];
  const onJobs = options.miners.map((miner) => {
    const listener = (job: { prevhash: string; receivedAt: number }): void => {
      early.push({ miner, prevhash: job.prevhash, at: job.receivedAt });
    };
    miner.on('job', listener);
    return () => miner.off('job', listener);
  });
  try {
    const hash = await options.mineBlock();
    const start = performance.now();
    expected = notifyPrevHash(hash);
    if (options.notify) await options.notify(hash);
    const deadline = start + timeoutMs;
    const arrival = new Map<TestMiner, number>();
    for (;;) {
      for (const e of early) if (e.prevhash === expected && !arrival.has(e.miner)) arrival.set(e.miner, e.at);
      if (arrival.size === options.miners.length) break;
      if (performance.now() > deadline) {
        throw new Error(`${options.miners.length - arrival.size} of ${options.miners.length} miners had no job on ${hash} after ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const times = [...arrival.values()].map((at) => Math.max(0, at - start)).sort((a, b) => a - b);
    return { lastMs: times[times.length - 1], medianMs: times[Math.floor(times.length / 2)], miners: times.length };
  } finally {
    for (const off of onJobs) off();
  }
}
