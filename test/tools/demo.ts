// `npm run demo`: a private Redis, a regtest litecoind pair, the Headframe master with the shipped example
// config (pointed at them), and a CPU miner mining real regtest blocks through the pool. Ctrl-C stops it all.
// Options: --blocks N stops after N blocks accepted by the daemon (used by the demo's own test).
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import JSON5 from 'json5';
import { startRedis } from '../helpers/redis-server.js';
import { createWallet, newAddress, startRegtestPair } from '../helpers/litecoind.js';
import { findFreePorts } from '../helpers/ports.js';
import { TestMiner, targetFromBitsHex } from '../helpers/test-miner.js';

const REPO = new URL('../../../', import.meta.url).pathname;
const say = (line: string) => process.stdout.write(`[demo] ${line}\n`);

function readJson5(path: string): Record<string, unknown> {
  return JSON5.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { blocks: { type: 'string' } } });
  const stopAfter = values.blocks ? Number(values.blocks) : Infinity;

  say('starting redis-server and a regtest litecoind pair');
  const [redis, pair] = await Promise.all([
    startRedis(),
    // A huge -maxtipage lets the daemon hand out templates from the genesis block on.
    startRegtestPair({ a: { extraArgs: ['-maxtipage=4000000000'] } }),
  ]);
  const wallet = await createWallet(pair.a, 'demo');
  const poolAddress = await newAddress(pair.a, wallet, 'bech32');
  const minerAddress = await newAddress(pair.a, wallet, 'bech32');

  const dir = mkdtempSync(join(tmpdir(), 'headframe-demo-'));
  mkdirSync(join(dir, 'coins'));
  mkdirSync(join(dir, 'pool_configs'));
  for (const coin of readdirSync(join(REPO, 'coins'))) copyFileSync(join(REPO, 'coins', coin), join(dir, 'coins', coin));
  const [stratumPort, cliPort, websitePort, metricsPort] = await findFreePorts(4);
  const global = readJson5(join(REPO, 'config.json'));
  Object.assign(global, {
    redis: { ...(global.redis as object), host: redis.host, port: redis.port },
    // One CPU miner needs one pool worker; "auto" would start one per core of the machine.
    clustering: { enabled: true, forks: 1 },
    cliPort,
    website: { ...(global.website as object), port: websitePort },
    metrics: { ...(global.metrics as object), port: metricsPort },
  });
  const pool = readJson5(join(REPO, 'pool_configs', 'litecoin-regtest.json'));
  const ports = pool.ports as Record<string, unknown>;
  Object.assign(pool, {
    address: poolAddress,
    ports: { [String(stratumPort)]: Object.values(ports)[0] },
    daemons: [{ host: pair.a.host, port: pair.a.rpcPort, user: pair.a.user, password: pair.a.password, wallet }],
    paymentProcessing: { ...(pool.paymentProcessing as object), daemon: { host: pair.a.host, port: pair.a.rpcPort, user: pair.a.user, password: pair.a.password, wallet } },
  });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(global, null, 2));
  writeFileSync(join(dir, 'pool_configs', 'litecoin-regtest.json'), JSON.stringify(pool, null, 2));

  say(`starting the pool: node dist/init.js --config ${dir}`);
  const master = spawn(process.execPath, [join(REPO, 'dist', 'init.js'), '--config', dir], { stdio: ['ignore', 'inherit', 'inherit'] });
  const masterExited = new Promise<number | null>((resolve) => master.on('exit', (code) => resolve(code)));

  let stopping = false;
  const miner = new TestMiner({ port: stratumPort });
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping: miner, pool, daemons, redis');
    miner.close();
    master.kill('SIGINT');
    const exitCode = await Promise.race([masterExited, new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
    if (exitCode === null) master.kill('SIGKILL');
    await Promise.all([pair.stop(), redis.stop()]);
    rmSync(dir, { recursive: true, force: true });
    say(`pool exited with ${String(exitCode)}; all stopped`);
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  void masterExited.then((code) => {
    if (!stopping) {
      say(`the pool exited unexpectedly (${String(code)})`);
      void shutdown(1);
    }
  });

  // The stratum port opens once the pool worker has started.
  for (let attempt = 0; ; attempt++) {
    try {
      await miner.connect();
      break;
    } catch (err) {
      if (attempt > 150) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  await miner.subscribe();
  const worker = `${minerAddress}.demo-cpu`;
  await miner.authorize(worker);
  await miner.waitForJob();
  say(`CPU miner connected as ${worker}`);

  let blocks = 0;
  while (!stopping && blocks < stopAfter) {
    const job = miner.job!;
    const found = await miner.mineShare({ worker, job, maxHashes: 5_000_000 });
    if (stopping) break;
    if (found.answer.result !== true) {
      if (found.answer.error?.[0] !== 21) say(`share rejected: ${JSON.stringify(found.answer.error)}`);
      continue;
    }
    if (found.powValue <= targetFromBitsHex(job.nbits)) {
      // The daemon has the final word: wait until it reports our block as its best.
      const deadline = Date.now() + 10_000;
      let best = '';
      while (Date.now() < deadline && best !== found.blockHash) {
        best = await pair.a.rpc<string>('getbestblockhash');
        if (best !== found.blockHash) await new Promise((r) => setTimeout(r, 100));
      }
      if (best === found.blockHash) {
        blocks++;
        const height = await pair.a.rpc<number>('getblockcount');
        say(`block ${blocks} accepted by litecoind at height ${height}: ${found.blockHash}`);
      }
      await miner.waitForJob((j) => j.jobId !== job.jobId, 15_000).catch(() => undefined);
    }
    // Keep the log readable: a couple of shares a second is plenty for a demo.
    await new Promise((r) => setTimeout(r, 400));
  }
  await shutdown(0);
}

main().catch((err) => {
  process.stderr.write(`[demo] failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
