// Profit switching end to end: two regtest chains configured as two coins of one algorithm ("litecoin" and a copy
// "litecoin2"), a local HTTP price feed the test steers, and a real master process running the pool worker and the
// profit switcher. A miner connected once to the switching port must be moved by prices alone, get the other chain's
// work as a clean job, and have its shares and blocks land in the rounds of the coin each one was mined for.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createWallet, mine, newAddress, startRegtestPair, type RegtestPair } from '../helpers/litecoind.js';
import { writePoolDir, type PoolDir } from '../helpers/pool-harness.js';
import { startRedis, type RedisHandle } from '../helpers/redis-server.js';
import { findFreePorts } from '../helpers/ports.js';
import { waitFor } from '../helpers/processes.js';
import { TestMiner, targetFromBitsHex, type MinerJob } from '../helpers/test-miner.js';
import { MasterProcess } from '../process/master-harness.js';
import { notifyPrevHash } from '../../src/blockchain/bitcoin/job-template.js';
import { PoolKeys, ProfitKeys, blockId } from '../../src/redis/keys.js';

const CLI = fileURLToPath(new URL('../../../scripts/cli', import.meta.url));
/** Share difficulty below regtest's block difficulty (~3e-5): some valid shares are not blocks. */
const DIFF = 0.00002;
/** Prices are served as strings, the way exchanges often do, to keep them exact. */
type Prices = { litecoin: string; litecoin2: string };

describe('profit switching between two regtest chains', { timeout: 90_000 }, () => {
  let chain1: RegtestPair;
  let chain2: RegtestPair;
  let redisServer: RedisHandle;
  let redis: Redis;
  let dir: PoolDir;
  let master: MasterProcess;
  let priceServer: Server;
  let switchPort: number;
  let address: string;
  let keys1: PoolKeys;
  let keys2: PoolKeys;
  let profitKeys: ProfitKeys;
  let miner: TestMiner;
  let prices: Prices = { litecoin: '100', litecoin2: '50' };
  const priceRequests: { url: string; served: Prices }[] = [];

  before(async () => {
    [chain1, chain2, redisServer] = await Promise.all([
      startRegtestPair({ a: { extraArgs: ['-maxtipage=4000000000'] } }),
      startRegtestPair({ a: { extraArgs: ['-maxtipage=4000000000'] } }),
      startRedis(),
    ]);
    // Both chains start from the same genesis: a few blocks on chain 2 make their jobs tell apart by prevhash.
    await mine(chain2.b, 3);
    address = await newAddress(chain1.a, await createWallet(chain1.a, 'pool'), 'bech32');

    priceServer = createServer((req, res) => {
      priceRequests.push({ url: req.url ?? '', served: prices });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: { litecoin: { usd: prices.litecoin }, litecoin2: { usd: prices.litecoin2 } } }));
    });
    await new Promise<void>((resolve) => priceServer.listen(0, '127.0.0.1', resolve));
    const pricePort = (priceServer.address() as { port: number }).port;

    dir = await writePoolDir({ daemons: [chain1.a], address, diff: DIFF, redis: redisServer });
    const [pool2Port, swPort] = await findFreePorts(2, [dir.stratumPort, dir.cliPort]);
    switchPort = swPort;
    const poolFile = join(dir.dir, 'pool_configs', 'regtest.json');
    const pool1 = JSON.parse(readFileSync(poolFile, 'utf8')) as Record<string, unknown>;
    copyFileSync(join(dir.dir, 'coins', 'litecoin.json'), join(dir.dir, 'coins', 'litecoin2.json'));
    const daemon2 = { host: chain2.a.host, port: chain2.a.rpcPort, user: chain2.a.user, password: chain2.a.password, timeoutMs: 5000 };
    writeFileSync(
      join(dir.dir, 'pool_configs', 'regtest2.json'),
      JSON.stringify({ ...pool1, coin: 'litecoin2', daemons: [daemon2], ports: { [pool2Port]: { diff: DIFF } } }),
    );
    const configFile = join(dir.dir, 'config.json');
    const global = JSON.parse(readFileSync(configFile, 'utf8')) as { redis: { keyPrefix: string } } & Record<string, unknown>;
    global.logging = { level: 'info', json: false };
    global.profitSwitch = {
      enabled: true,
      updateInterval: 1,
      marginPercent: 5,
      holdTime: 1,
      requestTimeoutMs: 2000,
      retries: 1,
      priceSources: [{ name: 'local', url: `http://127.0.0.1:${pricePort}/v1/prices`, prices: { litecoin: 'data.litecoin.usd', litecoin2: 'data.litecoin2.usd' } }],
      switches: { scrypt: { coins: ['litecoin', 'litecoin2'], ports: { [switchPort]: { diff: DIFF } } } },
    };
    writeFileSync(configFile, JSON.stringify(global, null, 2));
    keys1 = new PoolKeys(global.redis.keyPrefix, 'regtest');
    keys2 = new PoolKeys(global.redis.keyPrefix, 'regtest2');
    profitKeys = new ProfitKeys(global.redis.keyPrefix);
    redis = new Redis({ host: redisServer.host, port: redisServer.port, lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();

    master = new MasterProcess(['--config', dir.dir], { HEADFRAME_TEST_IDLE_ROLES: '' });
    await master.allReady(['pool-worker/0', 'profit-switch/0']);
    await master.until('switching port listening', () => master.lines.some((l) => l.includes(`switching stratum listening on ${switchPort}`)), 15_000);
    miner = new TestMiner({ port: switchPort });
    await miner.connect();
    await miner.subscribe();
    // One login per phase, so Redis shows which coin credited which phase's shares.
    for (const worker of ['before', 'switched', 'late', 'back', 'during-reload', 'after-undone-reload']) {
      assert.equal((await miner.authorize(`${address}.${worker}`)).result, true);
    }
    await miner.waitForJob();
  });

  after(async () => {
    miner?.close();
    await master?.cleanup();
    redis?.disconnect();
    priceServer?.close();
    priceServer?.closeAllConnections();
    await Promise.all([chain1?.stop(), chain2?.stop(), redisServer?.stop()]);
    dir?.remove();
  });

  /** Served prices and waits until the switcher has fetched them at least `rounds` times. */
  async function setPrices(next: Prices, rounds = 1): Promise<void> {
    prices = next;
    const seen = priceRequests.length;
    await waitFor(() => priceRequests.slice(seen).filter((r) => r.served === next).length >= rounds, {
      timeoutMs: 10_000,
      what: `${rounds} price fetch(es) of ${JSON.stringify(next)}`,
    });
  }

  const coinOf = (job: MinerJob): string => job.jobId.slice(0, 2);

  async function bestPrevhash(pair: RegtestPair): Promise<string> {
    return notifyPrevHash(await pair.a.rpc<string>('getbestblockhash'));
  }

  async function nonBlockShare(job: MinerJob, worker: string): Promise<void> {
    const blockTarget = targetFromBitsHex(job.nbits);
    const share = await miner.mineShare({ worker: `${address}.${worker}`, job, accept: (pow) => pow > blockTarget });
    assert.equal(share.answer.result, true, `share ${worker}: ${JSON.stringify(share.answer.error)}`);
  }

  test('starts on the first coin; a lead inside the margin moves nobody', async () => {
    assert.equal(coinOf(miner.job!), '00');
    assert.equal(miner.job!.prevhash, await bestPrevhash(chain1));
    await nonBlockShare(miner.job!, 'before');
    assert.ok(Number(await redis.hget(keys1.currentRound.workers, `${address}.before`)) > 0, 'share credited to litecoin');

    const jobsBefore = miner.jobs.length;
    // 4 % better: under the 5 % margin, for longer than the hold time.
    await setPrices({ litecoin: '100', litecoin2: '104' }, 3);
    assert.deepEqual(miner.jobs.slice(jobsBefore).filter((j) => coinOf(j) !== '00'), []);
    const cached = JSON.parse((await redis.get(profitKeys.prices)) ?? 'null') as { prices: Record<string, { price: string }> };
    assert.deepEqual({ a: cached.prices.litecoin.price, b: cached.prices.litecoin2.price }, { a: '100', b: '104' });
    assert.ok(priceRequests.every((r) => r.url === '/v1/prices'));
  });

  test('a price change moves the miner to the other chain; its shares and block land in that coin\'s rounds', async () => {
    await setPrices({ litecoin: '100', litecoin2: '300' });
    const job = await miner.waitForJob((j) => coinOf(j) === '01', 10_000);
    assert.equal(job.clean, true, 'the switch must discard the other coin\'s work');
    assert.equal(job.prevhash, await bestPrevhash(chain2));
    const state = JSON.parse((await redis.get(profitKeys.switchState('scrypt'))) ?? 'null') as { coin: string };
    assert.equal(state.coin, 'litecoin2');

    await nonBlockShare(job, 'switched');
    assert.ok(Number(await redis.hget(keys2.currentRound.workers, `${address}.switched`)) > 0, 'share credited to litecoin2');
    assert.equal(await redis.hget(keys1.currentRound.workers, `${address}.switched`), null, 'nothing credited to litecoin');

    const chain1Best = await chain1.a.rpc<string>('getbestblockhash');
    const found = await miner.mineShare({ worker: `${address}.switched`, job, target: targetFromBitsHex(job.nbits) });
    assert.equal(found.answer.result, true, JSON.stringify(found.answer.error));
    await waitFor(async () => (await chain2.a.rpc<string>('getbestblockhash')) === found.blockHash, {
      timeoutMs: 10_000,
      what: `chain 2 to accept ${found.blockHash}`,
    });
    assert.equal(await chain1.a.rpc<string>('getbestblockhash'), chain1Best, 'chain 1 did not move');
    const height = await chain2.a.rpc<number>('getblockcount');
    const id = blockId(height, found.blockHash);
    assert.notEqual(await redis.zscore(keys2.blocksPending, id), null, 'block pending in litecoin2');
    assert.equal(await redis.zscore(keys1.blocksPending, id), null);
    const block = await redis.hgetall(keys2.block(height, found.blockHash));
    assert.equal(block.finder, address);
    assert.equal(block.worker, `${address}.switched`);
    // The block closed litecoin2's round, which holds the switched shares and none mined for litecoin.
    const round = await redis.hgetall(keys2.round(height, found.blockHash).workers);
    assert.deepEqual(Object.keys(round), [`${address}.switched`]);
    assert.ok(Number(round[`${address}.switched`]) >= 2);
    // The pool's next job on chain 2 follows its own block.
    await miner.waitForJob((j) => coinOf(j) === '01' && j.prevhash === notifyPrevHash(found.blockHash), 10_000);
  });

  test('moving back: a share mined on the old coin\'s job still credits the coin it was mined for', async () => {
    const old = miner.job!;
    assert.equal(coinOf(old), '01');
    await setPrices({ litecoin: '1000', litecoin2: '300' });
    const back = await miner.waitForJob((j) => coinOf(j) === '00', 10_000);
    assert.equal(back.clean, true);
    assert.equal(back.prevhash, await bestPrevhash(chain1));

    await nonBlockShare(old, 'late');
    assert.ok(Number(await redis.hget(keys2.currentRound.workers, `${address}.late`)) > 0, 'late share credited to litecoin2');
    assert.equal(await redis.hget(keys1.currentRound.workers, `${address}.late`), null);
    await nonBlockShare(back, 'back');
    assert.ok(Number(await redis.hget(keys1.currentRound.workers, `${address}.back`)) > 0, 'share credited to litecoin');
    assert.equal(await redis.hget(keys2.currentRound.workers, `${address}.back`), null);
  });

  test('reloadpool of the mined coin\'s pool: the switching-port miner gets the new pool\'s job and keeps mining', async () => {
    assert.equal(coinOf(miner.job!), '00');
    const reloadedAt = performance.now();
    const answer = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(CLI, ['--port', String(dir.cliPort), 'reloadpool', 'regtest'], { timeout: 20_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, out: stdout + stderr });
      });
    });
    assert.equal(answer.code, 0, answer.out);
    // The reloaded pool numbers its jobs afresh: the miner's old job ids mean nothing to it, so a clean job must come.
    const fresh = await miner.waitForJob((j) => j.receivedAt > reloadedAt && coinOf(j) === '00', 10_000).catch((err: Error) => {
      throw new Error(`${err.message}; master log:\n${master.lines.slice(-15).join('\n')}`);
    });
    assert.equal(fresh.clean, true);
    assert.equal(miner.closed, false, 'a switching-port miner stays connected through a reload');
    await nonBlockShare(fresh, 'back');
  });

  test('while a reload waits for its first template, switching-port shares on the current job are still accepted', async () => {
    assert.equal(coinOf(miner.job!), '00');
    const poolFile = join(dir.dir, 'pool_configs', 'regtest.json');
    const good = readFileSync(poolFile, 'utf8');
    const pool = JSON.parse(good) as { daemons: { password: string }[] };
    pool.daemons[0].password = 'not-the-password';
    writeFileSync(poolFile, JSON.stringify(pool, null, 2));
    try {
      const answer = new Promise<{ code: number; out: string }>((resolve) => {
        execFile(CLI, ['--port', String(dir.cliPort), 'reloadpool', 'regtest'], { timeout: 30_000 }, (error, stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, out: stdout + stderr });
        });
      });
      // The new runtime is up and waits (5 s) for a template its daemon will not give: the old one still serves.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await nonBlockShare(miner.job!, 'during-reload');
      const done = await answer;
      assert.equal(done.code, 1, done.out);
    } finally {
      writeFileSync(poolFile, good);
    }
    await nonBlockShare(miner.job!, 'after-undone-reload');
  });
});
