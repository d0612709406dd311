// `npm run bench`: the pool as operators run it (a master process with one pool worker fork, real Redis, a real
// regtest litecoind pair) under load from this process. Prints medians and writes test-output/bench-*.json.
// Nothing here asserts a timing: the figures go to BENCHMARKS.md by hand, with the date and the machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { createWallet, mine, newAddress, startRegtestPair, type RegtestPair } from '../helpers/litecoind.js';
import { findFreePort } from '../helpers/ports.js';
import { measureBlocknotifyLatency } from './blocknotify-latency.js';
import { measureApiScaling } from './api-scaling.js';
import { measureBroadcastFloor } from './broadcast-floor.js';
import { writePoolDir } from '../helpers/pool-harness.js';
import { descendantsOf } from '../helpers/cleanup.js';
import { TestMiner, targetFromBitsHex } from '../helpers/test-miner.js';
import { blast, connectListeners, connectMiners, cpuSeconds, median, paced, prepareShares, rssBytes, type LoadMiner } from './loadgen.js';

const REPO = new URL('../../../', import.meta.url).pathname;
const log = (line: string) => process.stdout.write(`[bench] ${line}\n`);

interface Scenario {
  readonly name: string;
  readonly kernel: 'fast' | 'reference';
  readonly threads: number;
}

interface RunningPool {
  readonly port: number;
  readonly workerPid: number;
  readonly metricsPort: number;
  stop(): Promise<void>;
}

async function startPoolProcess(
  pair: RegtestPair,
  redis: RedisHandle,
  address: string,
  scenario: Scenario,
  cliPort: number,
  blockRefreshInterval = 1000,
  forks = 1,
): Promise<RunningPool> {
  const overSocket = process.argv.includes('--redis-socket');
  // The website role reads the share windows from Redis every refresh; off by default, as in the figures so far.
  const withWebsite = process.argv.includes('--website');
  const metricsPort = await findFreePort();
  const websitePort = withWebsite ? await findFreePort([metricsPort]) : 1;
  const dir = await writePoolDir({
    daemons: [pair.a],
    address,
    diff: 0.00001,
    global: {
      redis: { host: redis.host, port: redis.port, socket: overSocket ? redis.socket : null },
      clustering: { enabled: true, forks },
      hashing: { kernel: scenario.kernel, threads: scenario.threads },
      logging: { level: 'warn', json: false },
      metrics: { enabled: true, host: '127.0.0.1', port: metricsPort },
      website: { enabled: withWebsite, host: '127.0.0.1', port: websitePort },
      cliPort,
    },
    pool: { jobRebroadcastTimeout: 3600, connectionTimeout: 3600, blockRefreshInterval },
  });
  const master: ChildProcess = spawn(process.execPath, [join(REPO, 'dist', 'init.js'), '--config', dir.dir], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => master.on('exit', () => resolve()));
  let workerPid = 0;
  for (let i = 0; i < 100 && !workerPid; i++) {
    await new Promise((r) => setTimeout(r, 100));
    for (const pid of descendantsOf(master.pid!)) {
      try {
        if (readFileSync(`/proc/${pid}/environ`, 'latin1').includes('HEADFRAME_ROLE=pool-worker')) workerPid = pid;
      } catch {
        // gone already
      }
    }
  }
  if (!workerPid) throw new Error('pool worker process did not start');
  // The port opens once the worker has its first template.
  for (let i = 0; ; i++) {
    const probe = new TestMiner({ port: dir.stratumPort });
    try {
      await probe.connect();
      probe.close();
      break;
    } catch (err) {
      if (i > 100) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    port: dir.stratumPort,
    workerPid,
    metricsPort,
    stop: async () => {
      master.kill('SIGTERM');
      await exited;
      dir.remove();
    },
  };
}

/** Cumulative share-check histogram buckets (le -> count) from the master's /metrics: the pool's own view. */
async function shareCheckBuckets(pool: RunningPool): Promise<Map<string, number>> {
  const text = await scrapeMetrics(pool);
  const buckets = new Map<string, number>();
  // `le` as a whole label name: `role="..."` ends in "le=" too.
  for (const match of text.matchAll(/^headframe_share_check_duration_seconds_bucket\{(?:[^}]*,)?le="([^"]+)"[^}]*\} (\d+)/gm)) {
    buckets.set(match[1], (buckets.get(match[1]) ?? 0) + Number(match[2]));
  }
  return buckets;
}

/** The master's /metrics exposition (every process of the pool merged). */
async function scrapeMetrics(pool: RunningPool): Promise<string> {
  return (await fetch(`http://127.0.0.1:${pool.metricsPort}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
}

/**
 * Sum (s) and count of one histogram of the master's /metrics by the value of one label (summed over every other
 * label and every process): e.g. the pool's daemon calls by method, its job broadcasts by kind.
 */
async function histogramTotals(pool: RunningPool, metric: string, label: string): Promise<Map<string, { sum: number; count: number }>> {
  const text = await scrapeMetrics(pool);
  const totals = new Map<string, { sum: number; count: number }>();
  for (const match of text.matchAll(new RegExp(`^${metric}_(sum|count)\\{([^}]*)\\} ([0-9.e+-]+)`, 'gm'))) {
    const key = new RegExp(`(?:^|,)${label}="([^"]+)"`).exec(match[2])?.[1];
    if (!key) continue;
    const entry = totals.get(key) ?? { sum: 0, count: 0 };
    if (match[1] === 'sum') entry.sum += Number(match[3]);
    else entry.count += Number(match[3]);
    totals.set(key, entry);
  }
  return totals;
}

/** Mean (ms) per key of what a histogram recorded between two snapshots. */
function meansBetween(
  before: Map<string, { sum: number; count: number }>,
  after: Map<string, { sum: number; count: number }>,
): Record<string, { count: number; meanMs: number }> {
  const out: Record<string, { count: number; meanMs: number }> = {};
  for (const [key, { sum, count }] of after) {
    const earlier = before.get(key) ?? { sum: 0, count: 0 };
    const n = count - earlier.count;
    if (n > 0) out[key] = { count: n, meanMs: ((sum - earlier.sum) * 1000) / n };
  }
  return out;
}

/** Share of checks in a phase that took longer than each bucket bound, from two histogram snapshots. */
function slowerThan(before: Map<string, number>, after: Map<string, number>): Record<string, string> {
  const total = (after.get('+Inf') ?? 0) - (before.get('+Inf') ?? 0);
  const out: Record<string, string> = {};
  for (const le of ['0.0005', '0.001', '0.0025', '0.005']) {
    const within = (after.get(le) ?? 0) - (before.get(le) ?? 0);
    out[`>${Number(le) * 1000} ms`] = `${(((total - within) / Math.max(1, total)) * 100).toFixed(2)}%`;
  }
  return out;
}

/** Redis' own account of script calls (calls, µs inside Redis) from INFO commandstats. */
async function redisScriptStats(redis: RedisHandle): Promise<{ calls: number; usec: number }> {
  const client = new Redis({ host: redis.host, port: redis.port, lazyConnect: true, commandTimeout: 5000 });
  try {
    await client.connect();
    const info = await client.info('commandstats');
    let calls = 0;
    let usec = 0;
    for (const m of info.matchAll(/^cmdstat_(?:evalsha|eval|fcall):calls=(\d+),usec=(\d+)/gm)) {
      calls += Number(m[1]);
      usec += Number(m[2]);
    }
    return { calls, usec };
  } finally {
    client.disconnect();
  }
}

/**
 * Shares per miner sent at 500/s before anything is measured: a freshly started pool is still compiling its hot
 * paths and growing its heap, and a pool serves for days, so the first seconds are not what miners see.
 */
const WARM_UP_PER_MINER = 25;

async function shareThroughput(pool: RunningPool, address: string, rounds: number) {
  const workers = Array.from({ length: 100 }, (_, i) => `${address}.load${i}`);
  const miners = await connectMiners(pool.port, 100, (i) => workers[i]);
  const perRound = 120;
  const prepStarted = performance.now();
  const load = await prepareShares(miners, workers, perRound * rounds + WARM_UP_PER_MINER);
  log(`  prepared ${load.reduce((n, m) => n + m.shares.length, 0)} non-block shares in ${((performance.now() - prepStarted) / 1000).toFixed(1)} s`);
  const take = (n: number): LoadMiner[] => load.map((m) => ({ ...m, shares: m.shares.splice(0, n) }));
  await paced(take(WARM_UP_PER_MINER), 500, 5);

  const runs = [];
  for (let r = 0; r < rounds; r++) {
    const cpuBefore = cpuSeconds(pool.workerPid);
    const result = await blast(take(perRound), 4);
    const cpu = cpuSeconds(pool.workerPid) - cpuBefore;
    const rate = result.accepted / result.seconds;
    runs.push({ rate, accepted: result.accepted, rejected: result.rejected, perSecond: result.perSecond, cpuMicrosPerShare: (cpu * 1e6) / result.accepted });
    log(`  run ${r + 1}: ${rate.toFixed(0)} accepted/s (${result.accepted} in ${result.seconds.toFixed(2)} s, rejected ${result.rejected}), pool CPU ${((cpu * 1e6) / result.accepted).toFixed(0)} µs/share`);
  }
  for (const m of miners) m.close();
  return {
    acceptedPerSecondMedian: median(runs.map((r) => r.rate)),
    firstRun: runs[0].rate,
    lastRun: runs[runs.length - 1].rate,
    cpuMicrosPerShareMedian: median(runs.map((r) => r.cpuMicrosPerShare)),
    runs,
  };
}

/**
 * The stratum issue's latency point, 500 submits/s for 10 s, `repeats` times on fresh shares of one job after a
 * warm-up. Per run: client p50/p99, where its slow answers fall (bursts point at process pauses, a spread at a slow
 * step), the pool's own share-check histogram and Redis' time per script call; then the floor of the machine, the
 * sockets and this process (a request the pool answers without hashing or Redis).
 */
async function latencyRuns(pool: RunningPool, redis: RedisHandle, address: string, repeats: number) {
  const workers = Array.from({ length: 100 }, (_, i) => `${address}.lat${i}`);
  const miners = await connectMiners(pool.port, 100, (i) => workers[i]);
  const load = await prepareShares(miners, workers, WARM_UP_PER_MINER + 50 * repeats);
  const take = (n: number): LoadMiner[] => load.map((m) => ({ ...m, shares: m.shares.splice(0, n) }));
  await paced(take(WARM_UP_PER_MINER), 500, 5);
  const runs = [];
  for (let r = 0; r < repeats; r++) {
    const bucketsBefore = await shareCheckBuckets(pool);
    const scriptsBefore = await redisScriptStats(redis);
    const result = await paced(take(50), 500, 10);
    const scriptsAfter = await redisScriptStats(redis);
    const serverSide = slowerThan(bucketsBefore, await shareCheckBuckets(pool));
    const scriptCalls = scriptsAfter.calls - scriptsBefore.calls;
    const redisMicrosPerCall = (scriptsAfter.usec - scriptsBefore.usec) / Math.max(1, scriptCalls);
    const slow = result.samples.filter((s) => s.ms > 2.2);
    const slowSeconds = new Set(slow.map((s) => Math.floor(s.atMs / 100) / 10));
    log(
      `  run ${r + 1}: p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, max ${result.maxMs.toFixed(1)} ms; ` +
        `${slow.length} answers over 2.2 ms within ${slowSeconds.size} tenth-seconds; pool side slower than ${JSON.stringify(serverSide)}; ` +
        `Redis ${redisMicrosPerCall.toFixed(0)} µs per script call (${scriptCalls} calls)`,
    );
    if (process.env.BENCH_TRACE) {
      writeFileSync(join(REPO, 'test-output', `latency-trace-${r + 1}.json`), JSON.stringify(result.samples));
    }
    runs.push({ p50Ms: result.p50Ms, p99Ms: result.p99Ms, maxMs: result.maxMs, slowAnswers: slow.length, serverSide, scriptCalls, redisMicrosPerCall });
  }
  const floor = await paced(load, 500, 10, true);
  log(`  latency floor at 500/s (a request answered without hashing or Redis): p50 ${floor.p50Ms.toFixed(2)} ms, p99 ${floor.p99Ms.toFixed(2)} ms`);
  for (const m of miners) m.close();
  return { runs, p99MsMedian: median(runs.map((r) => r.p99Ms)), p50MsMedian: median(runs.map((r) => r.p50Ms)), floor };
}

/** Measured blocks (and floor lines) per broadcast scenario, after one warm-up each. */
const BROADCAST_REPEATS = 7;

/**
 * Time from a block found through the pool until the first and the last of `count` miners hold the next job. Blocks
 * come half a second apart (a real chain's are minutes apart); the first block after the miners connected is a
 * warm-up, reported on its own: the pool, the kernel and this process all pay once for thousands of fresh sockets.
 */
async function newJobLatency(pool: RunningPool, address: string, count: number, repeats: number) {
  const [trigger] = await connectMiners(pool.port, 1, () => `${address}.trigger`);
  const listeners = await connectListeners(pool.port, count - 1, (i) => `${address}.idle${i}`);
  const samples: { firstMs: number; lastMs: number }[] = [];
  let warmUp: { firstMs: number; lastMs: number } | null = null;
  for (let r = 0; r <= repeats; r++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const job = trigger.job!;
    const started = performance.now();
    const found = await trigger.mineShare({ worker: `${address}.trigger`, job, target: targetFromBitsHex(job.nbits) });
    if (found.answer.result !== true) throw new Error(`block share refused: ${JSON.stringify(found.answer.error)}`);
    await trigger.waitForJob((j) => j.prevhash !== job.prevhash);
    const deadline = performance.now() + 30_000;
    while (listeners.some((l) => l.prevhash === job.prevhash)) {
      if (performance.now() > deadline) throw new Error('not every miner received the new job');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const times = listeners.map((l) => l.receivedAt - started);
    const sample = { firstMs: Math.min(...times), lastMs: Math.max(...times) };
    if (r === 0) warmUp = sample;
    else samples.push(sample);
    log(`  ${r === 0 ? 'warm-up ' : ''}block -> first / last of ${count} miners has the new job: ${sample.firstMs.toFixed(1)} / ${sample.lastMs.toFixed(1)} ms`);
  }
  log(
    `  median of ${repeats} blocks: first miner ${median(samples.map((s) => s.firstMs)).toFixed(1)} ms, ` +
      `last miner ${median(samples.map((s) => s.lastMs)).toFixed(1)} ms`,
  );
  return {
    close: () => {
      trigger.close();
      for (const l of listeners) l.close();
    },
    miners: count,
    warmUp,
    samples,
    medianMs: median(samples.map((s) => s.lastMs)),
    medianFirstMs: median(samples.map((s) => s.firstMs)),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      'skip-api': { type: 'boolean' },
      // Comma-separated subset of: shares, latency (the 500/s point, five runs per hashing set-up), notify,
      // broadcast, api (default: all).
      only: { type: 'string' },
      // The pool reaches Redis over its unix socket instead of TCP loopback.
      'redis-socket': { type: 'boolean' },
      // The pool under test runs its website role too (stats refresher reading Redis every 10 s).
      website: { type: 'boolean' },
    },
  });
  const wanted = new Set((values.only ?? 'shares,latency,notify,broadcast,api').split(','));
  const rounds = values.quick ? 2 : 3;
  const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
  log(`machine: ${machine.cores} x ${machine.cpu}, ${machine.memoryGiB} GiB, node ${machine.node}`);
  log(`pool -> Redis over ${values['redis-socket'] ? 'its unix socket' : 'TCP loopback'}; website role ${values.website ? 'on' : 'off'}`);

  // Node A (the pool's daemon) tells the pool about new tips the way operators set it up.
  const cliPort = await findFreePort();
  const blocknotify = `-blocknotify=${join(REPO, 'scripts', 'blocknotify')} 127.0.0.1:${cliPort} litecoin %s`;
  const [redis, pair] = await Promise.all([
    startRedis(process.env.BENCH_REDIS_ARGS ? { extraArgs: process.env.BENCH_REDIS_ARGS.split(' ') } : {}),
    startRegtestPair({ a: { extraArgs: ['-maxtipage=4000000000', blocknotify] } }),
  ]);
  const wallet = await createWallet(pair.a, 'bench');
  const address = await newAddress(pair.a, wallet, 'bech32');
  const results: Record<string, unknown> = { date: new Date().toISOString(), machine, redisOver: values['redis-socket'] ? 'unix socket' : 'tcp', website: values.website === true };
  try {
    const scenarios: Scenario[] = [
      { name: 'node:crypto scrypt, hashing on the event loop', kernel: 'reference', threads: 0 },
      { name: 'wasm scrypt, hashing on the event loop', kernel: 'fast', threads: 0 },
      { name: 'wasm scrypt, 2 hashing threads', kernel: 'fast', threads: 2 },
    ];
    const throughput: Record<string, unknown> = {};
    for (const scenario of wanted.has('shares') ? scenarios : []) {
      log(`scenario: ${scenario.name} (1 pool worker fork, 100 connections)`);
      const pool = await startPoolProcess(pair, redis, address, scenario, cliPort);
      try {
        throughput[scenario.name] = await shareThroughput(pool, address, rounds);
      } finally {
        await pool.stop();
      }
    }
    results.throughput = throughput;

    if (wanted.has('latency')) {
      const latency: Record<string, unknown> = {};
      for (const scenario of scenarios) {
        log(`scenario: submit-to-answer latency at 500/s, ${values.quick ? 3 : 5} runs (${scenario.name})`);
        const pool = await startPoolProcess(pair, redis, address, scenario, cliPort);
        try {
          latency[scenario.name] = await latencyRuns(pool, redis, address, values.quick ? 3 : 5);
        } finally {
          await pool.stop();
        }
      }
      results.latency = latency;
    }

    if (wanted.has('notify')) {
      const notifyMiners = values.quick ? 200 : 1000;
      log(`scenario: blocknotify from the daemon to miners (${notifyMiners} miners, template polling off)`);
      const notified = await startPoolProcess(pair, redis, address, scenarios[1], cliPort, 60_000);
      try {
        const miners = await connectMiners(notified.port, notifyMiners, (i) => `${address}.notify${i}`);
        const samples = [];
        for (let r = 0; r < 5; r++) {
          const sample = await measureBlocknotifyLatency({ miners, mineBlock: async () => (await mine(pair.b, 1))[0] });
          samples.push(sample);
          log(`  block on the other node -> last of ${sample.miners} miners has the new job: ${sample.lastMs.toFixed(1)} ms (median miner ${sample.medianMs.toFixed(1)} ms)`);
        }
        results.blocknotify = {
          miners: miners.length,
          lastMsMedian: median(samples.map((s) => s.lastMs)),
          medianMsMedian: median(samples.map((s) => s.medianMs)),
          samples,
        };
        for (const m of miners) m.close();
      } finally {
        await notified.stop();
      }
    }

    if (wanted.has('broadcast')) {
      log('scenario: idle miners and new-job broadcast (wasm scrypt, on the event loop)');
      const pool = await startPoolProcess(pair, redis, address, scenarios[1], cliPort);
      try {
        await new Promise((r) => setTimeout(r, 1000));
        const baseRss = rssBytes(pool.workerPid);
        const callsBefore = await histogramTotals(pool, 'headframe_outbound_request_duration_seconds', 'method');
        const fanOutBefore = await histogramTotals(pool, 'headframe_job_broadcast_duration_seconds', 'kind');
        const broadcast = await newJobLatency(pool, address, values.quick ? 1000 : 5000, BROADCAST_REPEATS);
        const calls = meansBetween(callsBefore, await histogramTotals(pool, 'headframe_outbound_request_duration_seconds', 'method'));
        const fanOut = meansBetween(fanOutBefore, await histogramTotals(pool, 'headframe_job_broadcast_duration_seconds', 'kind'));
        const more = await connectListeners(pool.port, (values.quick ? 2000 : 10_000) - broadcast.miners, (i) => `${address}.more${i}`);
        const total = broadcast.miners + more.length;
        await new Promise((r) => setTimeout(r, 3000));
        const rss = rssBytes(pool.workerPid);
        results.idle = { miners: total, baseRssMiB: baseRss / 2 ** 20, rssMiB: rss / 2 ** 20, bytesPerMiner: (rss - baseRss) / total };
        log(`  ${total} idle miners: pool worker RSS ${(baseRss / 2 ** 20).toFixed(1)} MiB -> ${(rss / 2 ** 20).toFixed(1)} MiB, ${((rss - baseRss) / total / 1024).toFixed(2)} KiB per miner`);
        results.newJob = { miners: broadcast.miners, warmUp: broadcast.warmUp, samples: broadcast.samples, medianMs: broadcast.medianMs, medianFirstMs: broadcast.medianFirstMs };
        // Where the time goes: the daemon's own time for the block and the next template (before the first miner
        // has the job), then the pool's write loop over every miner (the pool's own histogram).
        results.newJobDaemonCalls = calls;
        results.newJobFanOut = fanOut;
        const show = (m: string) => (calls[m] ? `${m} ${calls[m].meanMs.toFixed(1)} ms mean over ${calls[m].count}` : `${m} not called`);
        log(`  daemon calls during the new blocks: ${show('submitblock')}, ${show('getblocktemplate')}`);
        const loop = fanOut['new-block'];
        log(`  pool write loop per new block (warm-up included): ${loop ? `${loop.meanMs.toFixed(1)} ms mean over ${loop.count}` : 'not measured'}`);
        broadcast.close();
        for (const m of more) m.close();
      } finally {
        await pool.stop();
      }
      // The machine's own floor for the same fan-out: a bare write loop to as many listening miners.
      const floor = await measureBroadcastFloor(values.quick ? 1000 : 5000, BROADCAST_REPEATS);
      results.newJobFloor = floor;
      log(
        `  floor (a bare Node server writing one notify-sized line to ${floor.miners} listeners, ${BROADCAST_REPEATS} times after a warm-up ` +
          `line at ${floor.warmUp?.lastMs.toFixed(1)} ms): last listener after ` +
          `${floor.samples.map((s) => s.lastMs.toFixed(1)).join(', ')} ms (median ${floor.lastMsMedian.toFixed(1)}); write loop median ${floor.loopMsMedian.toFixed(1)} ms`,
      );
      // The same with one pool worker per core (clustering.forks "auto" here): each fork writes to its own half of
      // the miners; the fork that did not find the block hears of it through the daemon's blocknotify.
      log('scenario: new-job broadcast with two pool worker forks');
      const forked = await startPoolProcess(pair, redis, address, scenarios[1], cliPort, 1000, 2);
      try {
        const broadcast2 = await newJobLatency(forked, address, values.quick ? 1000 : 5000, BROADCAST_REPEATS);
        results.newJobTwoForks = { miners: broadcast2.miners, warmUp: broadcast2.warmUp, samples: broadcast2.samples, medianMs: broadcast2.medianMs, medianFirstMs: broadcast2.medianFirstMs };
        broadcast2.close();
      } finally {
        await forked.stop();
      }
    }
  } finally {
    await Promise.all([pair.stop(), redis.stop()]);
  }
  if (wanted.has('api') && !values['skip-api']) {
    log('scenario: API answer time against shares in Redis (website snapshots)');
    const rows = await measureApiScaling(values.quick ? { shareCounts: [10_000, 100_000] } : {});
    for (const row of rows) {
      log(`  ${String(row.shares).padStart(8)} shares ${row.path.padEnd(28)} median ${row.medianMs.toFixed(2)} ms, p95 ${row.p95Ms.toFixed(2)} ms (refresh pass ${row.refreshMs.toFixed(0)} ms)`);
    }
    results.apiScaling = rows;
  }
  mkdirSync(join(REPO, 'test-output'), { recursive: true });
  const file = join(REPO, 'test-output', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  // Per-request samples stay out of the summary (BENCH_TRACE=1 writes them to their own files).
  writeFileSync(file, JSON.stringify(results, (key, value) => (key === 'samples' && Array.isArray(value) && value.length > 100 ? undefined : value), 2));
  log(`results written to ${file}`);
}

main().catch((err) => {
  process.stderr.write(`[bench] failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
