// CPU the pool process spends recording accepted shares in Redis: run as
// `node .build/test/bench/recording-cost.js [--runs N] [--shares N] [--concurrency N]` after the test build.
// A real redis-server (its own process, so its CPU is not counted) and the production path: createRedisClient →
// RedisScripts → ShareStore → ShareRecorder.recordShare. Shares arrive in bursts of `concurrency` calls per
// event-loop turn (many miners' shares checked in one turn), each burst awaited before the next, like a loaded pool
// where answers gate the next submissions. CPU comes from process.cpuUsage() (user + system, every thread of this
// process) around each run, divided by the shares of that run; the median of the runs is reported.
import { cpus } from 'node:os';
import { startRedis } from '../helpers/redis-server.js';
import { createLogger } from '../../src/log/logger.js';
import { createRedisClient } from '../../src/redis/connection.js';
import { PoolKeys } from '../../src/redis/keys.js';
import { RedisScripts } from '../../src/redis/script-loader.js';
import { ShareStore } from '../../src/redis/share-store.js';
import { ShareRecorder } from '../../src/shares/share-recorder.js';

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

const RUNS = arg('runs', 7);
const SHARES = arg('shares', 20_000);
const CONCURRENCY = arg('concurrency', 100);
/** Distinct worker logins the shares spread over (each has its own worker key). */
const WORKERS = 200;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(): Promise<void> {
  const redis = await startRedis();
  const logger = createLogger({ level: 'error' });
  const client = createRedisClient({ host: redis.host, port: redis.port, socket: null, password: null, db: 0, keyPrefix: 'bench:' }, { name: 'bench', logger });
  try {
    await client.connect();
    const keys = new PoolKeys('bench:', 'ltc');
    const recorder = new ShareRecorder({
      store: new ShareStore({ scripts: new RedisScripts(client), keys, writerId: 'bench' }),
      logger,
    });
    const addresses = Array.from({ length: WORKERS }, (_, i) => `rbench${String(i).padStart(3, '0')}address`);
    const logins = addresses.map((a, i) => `${a}.rig${i % 7}`);
    let n = 0;
    const burst = async (count: number): Promise<void> => {
      const answers: Promise<boolean>[] = [];
      for (let i = 0; i < count; i++, n++) answers.push(recorder.recordShare(addresses[n % WORKERS], logins[n % WORKERS], 0.5 + (n % 13)));
      const kept = await Promise.all(answers);
      if (!kept.every(Boolean)) throw new Error('a share was not recorded');
    };
    const run = async (): Promise<void> => {
      for (let done = 0; done < SHARES; done += CONCURRENCY) await burst(Math.min(CONCURRENCY, SHARES - done));
    };

    await run(); // warm-up: JIT, script cache
    const perShare: number[] = [];
    const rates: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const cpu0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      await run();
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const used = process.cpuUsage(cpu0);
      perShare.push((used.user + used.system) / SHARES);
      rates.push(SHARES / seconds);
      console.log(`run ${r + 1}: ${((used.user + used.system) / SHARES).toFixed(2)} µs CPU/share, ${Math.round(SHARES / seconds)} shares/s`);
    }
    const valid = Number(await client.hget(keys.stats, 'valid'));
    if (valid !== SHARES * (RUNS + 1)) throw new Error(`redis counted ${valid} shares, expected ${SHARES * (RUNS + 1)}`);
    const result = {
      cpuMicrosPerShareMedian: Number(median(perShare).toFixed(2)),
      sharesPerSecondMedian: Math.round(median(rates)),
      runs: RUNS,
      sharesPerRun: SHARES,
      concurrency: CONCURRENCY,
      machine: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}, node ${process.version}`,
    };
    console.log(`median: ${result.cpuMicrosPerShareMedian} µs CPU per recorded share (${result.sharesPerSecondMedian} shares/s)`);
    console.log(JSON.stringify(result));
    await recorder.close(5000);
  } finally {
    client.disconnect();
    await redis.stop();
  }
}

await main();
