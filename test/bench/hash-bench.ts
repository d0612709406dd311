// Micro-benchmark of the PoW kernels: run as `node .build/test/bench/hash-bench.js [--runs N]` after the test
// build. Prints a readable table, then one JSON line (for BENCHMARKS.md and scripts).
// CPU time comes from process.cpuUsage(), which counts every thread of the process, so the pool rows show
// the CPU cost of a hash including worker threads and message passing.
import { createHash, hash as oneShot, randomBytes, scryptSync } from 'node:crypto';
import { cpus } from 'node:os';
import { createHashPool } from '../../src/algorithms/hash-pool.js';
import { ScryptWasmKernel } from '../../src/algorithms/scrypt-wasm/kernel.js';
import { sha256d } from '../../src/algorithms/sha256d.js';

interface Row {
  readonly name: string;
  readonly hashesPerSecond: number;
  readonly cpuMicrosPerHash: number;
  readonly runs: number;
}

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function measure(name: string, count: number, body: () => void | Promise<void>): Promise<Row> {
  await body(); // warm-up: JIT, wasm tier-up, worker start
  const rates: number[] = [];
  const cpu: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await body();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const used = process.cpuUsage(cpu0);
    rates.push(count / seconds);
    cpu.push((used.user + used.system) / count);
  }
  return { name, hashesPerSecond: Math.round(median(rates)), cpuMicrosPerHash: median(cpu), runs: RUNS };
}

const SCRYPT_COUNT = 600;
const SHA_COUNT = 200_000;
const headers = Array.from({ length: SCRYPT_COUNT }, () => randomBytes(80));
const packed = Buffer.concat(headers);
const packedOut = Buffer.alloc(SCRYPT_COUNT * 32);
const kernel = ScryptWasmKernel.create();

const rows: Row[] = [];
rows.push(
  await measure('scrypt node:crypto (1 core)', SCRYPT_COUNT, () => {
    for (const h of headers) scryptSync(h, h, 32, { N: 1024, r: 1, p: 1 });
  }),
);
rows.push(
  await measure('scrypt wasm-simd single (1 core)', SCRYPT_COUNT, () => {
    for (const h of headers) kernel.hash(h);
  }),
);
rows.push(
  await measure('scrypt wasm-simd batch (1 core)', SCRYPT_COUNT, () => {
    kernel.hashMany(packed, SCRYPT_COUNT, packedOut);
  }),
);
const threads = Math.max(1, cpus().length);
for (const [label, prefer] of [
  ['wasm-simd', 'fast'],
  ['node:crypto', 'reference'],
] as const) {
  const pool = createHashPool({ threads, algorithm: 'scrypt', prefer });
  try {
    rows.push(
      await measure(`scrypt ${label} pool (${threads} threads)`, SCRYPT_COUNT, async () => {
        await Promise.all(headers.map((h) => pool.hash(h)));
      }),
    );
  } finally {
    await pool.close();
  }
}
const shaHeader = randomBytes(80);
rows.push(
  await measure('sha256d crypto.hash one-shot (1 core)', SHA_COUNT, () => {
    for (let i = 0; i < SHA_COUNT; i++) sha256d(shaHeader);
  }),
);
rows.push(
  await measure('sha256d two createHash (1 core)', SHA_COUNT, () => {
    for (let i = 0; i < SHA_COUNT; i++) {
      createHash('sha256').update(createHash('sha256').update(shaHeader).digest()).digest();
    }
  }),
);
// Keeps the one-shot import honest: the helper must be exactly two one-shot calls' worth of work.
if (!sha256d(shaHeader).equals(oneShot('sha256', oneShot('sha256', shaHeader, 'buffer'), 'buffer'))) {
  throw new Error('sha256d helper disagrees with crypto.hash');
}

/**
 * The speed-up measured in pairs: each pair times node:crypto and the batch kernel back to back (alternating which
 * goes first) on the same headers, so a machine that slows down or speeds up between the rows above does not skew
 * the ratio. The median of the pairs' ratios is the figure to quote.
 */
function cpuMicros(body: () => void): number {
  const cpu0 = process.cpuUsage();
  body();
  const used = process.cpuUsage(cpu0);
  return used.user + used.system;
}
const pairedRatios: number[] = [];
const pairHeaders = headers.slice(0, 300);
const pairPacked = Buffer.concat(pairHeaders);
const pairOut = Buffer.alloc(pairHeaders.length * 32);
for (let pair = 0; pair < 2 * RUNS + 1; pair++) {
  const runReference = () => cpuMicros(() => pairHeaders.forEach((h) => scryptSync(h, h, 32, { N: 1024, r: 1, p: 1 })));
  const runBatch = () => cpuMicros(() => kernel.hashMany(pairPacked, pairHeaders.length, pairOut));
  const [ref, fast] = pair % 2 === 0 ? [runReference(), runBatch()] : (([f, r]) => [r, f])([runBatch(), runReference()]);
  pairedRatios.push(ref / fast);
}

const byName = (prefix: string): Row => rows.find((r) => r.name.startsWith(prefix)) as Row;
const reference = byName('scrypt node:crypto (1 core)');
const batch = byName('scrypt wasm-simd batch');
const single = byName('scrypt wasm-simd single');
const summary = {
  runs: RUNS,
  cpu: cpus()[0]?.model ?? 'unknown',
  threads,
  scryptSpeedupPerCpuSecond: {
    batch: reference.cpuMicrosPerHash / batch.cpuMicrosPerHash,
    single: reference.cpuMicrosPerHash / single.cpuMicrosPerHash,
    batchPaired: median(pairedRatios),
    batchPairedRatios: pairedRatios,
  },
  rows,
};

const pad = (s: string, n: number): string => s.padEnd(n);
console.log(`${pad('kernel', 44)}${pad('hashes/s', 12)}CPU µs/hash`);
for (const r of rows) {
  console.log(`${pad(r.name, 44)}${pad(String(r.hashesPerSecond), 12)}${r.cpuMicrosPerHash.toFixed(2)}`);
}
console.log(
  `scrypt wasm/node:crypto per CPU-second: batch ${summary.scryptSpeedupPerCpuSecond.batch.toFixed(2)}x, ` +
    `single ${summary.scryptSpeedupPerCpuSecond.single.toFixed(2)}x (median of ${RUNS} runs)`,
);
console.log(
  `scrypt wasm batch/node:crypto per CPU-second, measured in back-to-back pairs: ${summary.scryptSpeedupPerCpuSecond.batchPaired.toFixed(2)}x ` +
    `(median of ${pairedRatios.length} pairs, range ${Math.min(...pairedRatios).toFixed(2)}-${Math.max(...pairedRatios).toFixed(2)}x)`,
);
console.log(JSON.stringify(summary));
