// The load generator behind `npm run bench`: stratum miners over TCP with shares computed ahead of time, so the
// measured phases spend this process's CPU on sockets only and leave the hashing to the pool.
import { readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { createHashPool } from '../../src/algorithms/hash-pool.js';
import { TestMiner, targetFromBitsHex, type MinerJob } from '../helpers/test-miner.js';

export interface PreparedShare {
  readonly params: readonly string[];
}

export interface LoadMiner {
  readonly miner: TestMiner;
  readonly worker: string;
  readonly job: MinerJob;
  readonly shares: PreparedShare[];
}

export async function connectMiners(port: number, count: number, worker: (i: number) => string): Promise<TestMiner[]> {
  const miners: TestMiner[] = [];
  const batch = 200;
  for (let start = 0; start < count; start += batch) {
    const group = await Promise.all(
      Array.from({ length: Math.min(batch, count - start) }, async (_, k) => {
        const miner = new TestMiner({ port });
        await miner.connect();
        await miner.login(worker(start + k));
        return miner;
      }),
    );
    miners.push(...group);
  }
  return miners;
}

/**
 * Grinds `perMiner` valid shares for each miner's current job that are NOT blocks (hash above the network
 * target), so submitting them never moves the chain and the job stays valid for the whole run.
 */
export async function prepareShares(miners: readonly TestMiner[], workers: readonly string[], perMiner: number): Promise<LoadMiner[]> {
  const pool = createHashPool({ threads: 2, algorithm: 'scrypt' });
  try {
    return await Promise.all(
      miners.map(async (miner, i) => {
        const job = miner.job!;
        const blockTarget = targetFromBitsHex(job.nbits);
        const shares: PreparedShare[] = [];
        let nonce = 0;
        while (shares.length < perMiner) {
          const extranonce2 = miner.nextExtranonce2();
          const batch = await Promise.all(
            Array.from({ length: 64 }, (_, k) => {
              const header = miner.header(job, extranonce2, job.ntime, nonce + k);
              return pool.hash(header).then((pow) => ({ nonce: nonce + k, pow }));
            }),
          );
          nonce += 64;
          for (const { nonce: n, pow } of batch) {
            const value = BigInt('0x' + Buffer.from(pow).reverse().toString('hex'));
            if (value > blockTarget && shares.length < perMiner) {
              shares.push({ params: [workers[i], job.jobId, extranonce2, job.ntime, n.toString(16).padStart(8, '0')] });
            }
          }
        }
        return { miner, worker: workers[i], job, shares };
      }),
    );
  } finally {
    await pool.close();
  }
}

export interface ThroughputResult {
  readonly accepted: number;
  readonly rejected: number;
  readonly seconds: number;
  /** Accepted answers per whole second of the run, in order. */
  readonly perSecond: number[];
}

/** Every miner keeps `window` submits in flight until its prepared shares run out. */
export async function blast(load: readonly LoadMiner[], window: number): Promise<ThroughputResult> {
  const started = performance.now();
  const buckets: number[] = [];
  let accepted = 0;
  let rejected = 0;
  await Promise.all(
    load.map(async (m) => {
      let next = 0;
      const lane = async () => {
        while (next < m.shares.length) {
          const share = m.shares[next++];
          const answer = await m.miner.submitRaw([...share.params]);
          if (answer.result === true) {
            accepted++;
            const second = Math.floor((performance.now() - started) / 1000);
            buckets[second] = (buckets[second] ?? 0) + 1;
          } else rejected++;
        }
      };
      await Promise.all(Array.from({ length: window }, lane));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { accepted, rejected, seconds, perSecond: Array.from(buckets, (b) => b ?? 0) };
}

export interface LatencyResult {
  readonly rate: number;
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly rejected: number;
  /** Each request's send time (ms since the phase started) and latency (ms), in send order. */
  readonly samples: readonly { readonly atMs: number; readonly ms: number }[];
}

/**
 * Submits at a fixed total rate spread over the miners; submit-to-answer latency. With `floorOnly`, sends a request
 * the pool answers without hashing or Redis instead (mining.suggest_difficulty): the latency floor of the
 * machine, the sockets and this process, for comparison.
 */
export async function paced(load: readonly LoadMiner[], rate: number, seconds: number, floorOnly = false): Promise<LatencyResult> {
  const total = Math.floor(rate * seconds);
  const samples: { atMs: number; ms: number }[] = [];
  const cursors = load.map(() => 0);
  let rejected = 0;
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const m = load[i % load.length];
    const share = floorOnly ? null : m.shares[cursors[i % load.length]++];
    if (!floorOnly && !share) break;
    const sent = performance.now();
    const sample = { atMs: sent - started, ms: 0 };
    samples.push(sample);
    inFlight.push(
      (share ? m.miner.submitRaw([...share.params]) : m.miner.request('mining.suggest_difficulty', [0.00001])).then((answer) => {
        sample.ms = performance.now() - sent;
        if (answer.result !== true) rejected++;
      }),
    );
  }
  await Promise.all(inFlight);
  const latencies = samples.map((s) => s.ms);
  latencies.sort((a, b) => a - b);
  const pick = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { rate, count: latencies.length, p50Ms: pick(0.5), p99Ms: pick(0.99), maxMs: latencies.at(-1) ?? 0, rejected, samples };
}

/** Resident set size of a process, bytes (from /proc). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb * 1024;
}

/** User + system CPU time of a process, seconds (from /proc; clock ticks are 100/s on Linux). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Reads are parsed before the next one starts, so every listening socket can read into the same buffer. */
const SHARED_READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
const NEWLINE = 0x0a;
const QUOTE = 0x22;
const NOTIFY_METHOD = Buffer.from('"mining.notify"', 'latin1');
const NOTIFY_PARAMS = Buffer.from('"params":["', 'latin1');

/**
 * A miner that only listens: subscribe and authorize in one write, then note when each new prevhash arrives.
 * Thousands of these measure the pool's broadcast, not this process's JSON and event plumbing.
 */
export class ListeningMiner {
  prevhash = '';
  receivedAt = 0;
  /** The unfinished last line of the previous read (copied: the read buffer is shared). */
  private pending: Buffer | null = null;
  private constructor(private readonly socket: import('node:net').Socket) {
    socket.on('error', () => undefined);
  }

  static connect(port: number, worker: string): Promise<ListeningMiner> {
    return new Promise((resolve, reject) => {
      let listener: ListeningMiner | null = null;
      // Reads land in one shared buffer and are parsed there as bytes, without the stream machinery, a Buffer per
      // read or a string per line: thousands of listeners on the pool's machine must cost as little CPU as the kernel
      // allows, since every microsecond they spend is one the pool does not get.
      const socket = netConnect({
        host: '127.0.0.1',
        port,
        onread: {
          buffer: SHARED_READ_BUFFER,
          callback: (nread: number) => {
            listener?.onRead(SHARED_READ_BUFFER, nread);
            return true;
          },
        },
      }, () => {
        socket.write(
          `{"id":1,"method":"mining.subscribe","params":["bench-listener"]}\n{"id":2,"method":"mining.authorize","params":[${JSON.stringify(worker)},"x"]}\n`,
        );
        listener = new ListeningMiner(socket);
        resolve(listener);
      });
      socket.once('error', reject);
    });
  }

  private onRead(read: Buffer, length: number): void {
    const at = performance.now();
    let bytes = read;
    let end = length;
    if (this.pending !== null) {
      bytes = Buffer.concat([this.pending, read.subarray(0, length)]);
      end = bytes.length;
      this.pending = null;
    }
    const lastNewline = end > 0 ? bytes.lastIndexOf(NEWLINE, end - 1) : -1;
    if (lastNewline + 1 < end) this.pending = Buffer.from(bytes.subarray(lastNewline + 1, end));
    if (lastNewline < 0) return;
    const notify = bytes.lastIndexOf(NOTIFY_METHOD, lastNewline);
    if (notify < 0) return;
    // params[1] of mining.notify is the prevhash: the second quoted string after `"params":[`.
    const params = bytes.indexOf(NOTIFY_PARAMS, notify) + NOTIFY_PARAMS.length;
    const firstEnd = bytes.indexOf(QUOTE, params);
    const start = bytes.indexOf(QUOTE, firstEnd + 1) + 1;
    this.prevhash = bytes.toString('latin1', start, bytes.indexOf(QUOTE, start));
    this.receivedAt = at;
  }

  close(): void {
    this.socket.destroy();
  }
}

export async function connectListeners(port: number, count: number, worker: (i: number) => string): Promise<ListeningMiner[]> {
  const listeners: ListeningMiner[] = [];
  for (let start = 0; start < count; start += 500) {
    listeners.push(...(await Promise.all(Array.from({ length: Math.min(500, count - start) }, (_, k) => ListeningMiner.connect(port, worker(start + k))))));
  }
  // Every listener holds its first job before anything is measured.
  const deadline = performance.now() + 30_000;
  while (listeners.some((l) => l.prevhash === '')) {
    if (performance.now() > deadline) throw new Error('listeners did not all receive a first job');
    await new Promise((r) => setTimeout(r, 50));
  }
  return listeners;
}
