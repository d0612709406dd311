// reloadpool as an operator runs it: edit a pool file, `scripts/cli reloadpool <pool>` against a real master process
// mining on a regtest pair. A good file is applied to that pool alone (its miners reconnect to the new difficulty, a
// second pool's miner never notices); a broken file is refused with its problems and the running config stays.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RegtestPair } from '../helpers/litecoind.js';
import { writePoolDir, type PoolDir } from '../helpers/pool-harness.js';
import type { RedisHandle } from '../helpers/redis-server.js';
import { findFreePorts } from '../helpers/ports.js';
import { TestMiner } from '../helpers/test-miner.js';
import { MasterProcess, stopMasterScene } from '../process/master-harness.js';
import { startMiningScene } from '../helpers/mining-scene.js';

const CLI = fileURLToPath(new URL('../../../scripts/cli', import.meta.url));
const OLD_DIFF = 0.0001;
const NEW_DIFF = 0.0003;

function cli(port: number, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(CLI, ['--port', String(port), '--timeout', '20000', ...args], { timeout: 25_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('reloadpool on a running master', { timeout: 90_000 }, () => {
  let pair: RegtestPair;
  let redis: RedisHandle;
  let dir: PoolDir;
  let master: MasterProcess;
  let address: string;
  let otherPort: number;
  let poolFile: string;
  const miners: TestMiner[] = [];

  /** A miner that is subscribed, authorized and holds a job, connecting until the port accepts (a reload rebinds it). */
  async function connectMiner(port: number, worker: string): Promise<TestMiner> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const miner = new TestMiner({ port });
      miners.push(miner);
      try {
        await miner.connect();
        await miner.login(`${address}.${worker}`, 'x', 10_000);
        return miner;
      } catch (err) {
        miner.close();
        if (Date.now() > deadline) throw err;
        await sleep(100);
      }
    }
  }

  before(async () => {
    ({ pair, redis, address } = await startMiningScene());
    dir = await writePoolDir({ daemons: [pair.a], address, redis, diff: OLD_DIFF, global: { logging: { level: 'info', json: false } } });
    poolFile = join(dir.dir, 'pool_configs', 'regtest.json');
    // A second pool on the same daemon (one pool per coin, so a copy of the coin under another id): a reload of the
    // first must not touch it.
    copyFileSync(join(dir.dir, 'coins', 'litecoin.json'), join(dir.dir, 'coins', 'litecoin2.json'));
    const pool = JSON.parse(readFileSync(poolFile, 'utf8')) as Record<string, unknown>;
    [otherPort] = await findFreePorts(1, [dir.stratumPort, dir.cliPort]);
    writeFileSync(join(dir.dir, 'pool_configs', 'other.json'), JSON.stringify({ ...pool, coin: 'litecoin2', ports: { [otherPort]: { diff: OLD_DIFF } } }));
    master = new MasterProcess(['--config', dir.dir], { HEADFRAME_TEST_IDLE_ROLES: '' });
    await master.allReady(['pool-worker/0']);
    await master.until('CLI listening', () => master.lines.some((l) => l.includes(`CLI listening on 127.0.0.1:${dir.cliPort}`)));
  });

  after(() => stopMasterScene({ miners, master, pair, redis, dir }));

  test('a changed difficulty is applied to the pool\'s connected miner without a reconnect; the other pool\'s miner is untouched', async () => {
    const miner = await connectMiner(dir.stratumPort, 'reloaded');
    const bystander = await connectMiner(otherPort, 'bystander');
    assert.equal(miner.difficulty, OLD_DIFF);
    const jobBefore = miner.job!.jobId;

    const pool = JSON.parse(readFileSync(poolFile, 'utf8')) as { ports: Record<string, { diff: number }> };
    pool.ports[String(dir.stratumPort)].diff = NEW_DIFF;
    writeFileSync(poolFile, JSON.stringify(pool, null, 2));
    const answer = await cli(dir.cliPort, ['--json', 'reloadpool', 'regtest']);
    assert.equal(answer.code, 0, answer.stderr);
    const parsed = JSON.parse(answer.stdout) as { ok: boolean; result: { pool: string; workers: number } };
    assert.deepEqual({ ok: parsed.ok, pool: parsed.result.pool, workers: parsed.result.workers }, { ok: true, pool: 'regtest', workers: 1 });

    // The reloaded pool's runtime is replaced under its miners: they stay connected and get the new difficulty and
    // a clean job from the new runtime (whose job ids continue past the old one's, so no old id names a new job).
    const next = await miner.waitForJob((j) => j.jobId !== jobBefore && j.clean, 10_000);
    assert.notEqual(next.jobId, jobBefore);
    assert.equal(miner.difficulty, NEW_DIFF);
    assert.equal(miner.closed, false, 'the reloaded pool dropped its miner');
    const share = await miner.mineShare({ worker: `${address}.reloaded` });
    assert.equal(share.answer.result, true, `share at the new difficulty: ${JSON.stringify(share.answer.error)}`);
    const stale = await miner.mineShare({ worker: `${address}.reloaded`, job: { ...next, jobId: jobBefore } });
    assert.equal((stale.answer.error as unknown[] | null)?.[0], 21, 'a share for a job of the old runtime is stale');
    const newcomer = await connectMiner(dir.stratumPort, 'after-reload');
    assert.equal(newcomer.difficulty, NEW_DIFF, 'the port accepts new miners at the new settings');

    assert.equal(bystander.closed, false, 'the other pool\'s miner was disconnected');
    assert.equal(bystander.difficulty, OLD_DIFF);
    const still = await bystander.mineShare({ worker: `${address}.bystander` });
    assert.equal(still.answer.result, true, `the other pool still takes shares: ${JSON.stringify(still.answer.error)}`);
  });

  test('a broken pool file is refused with its problems and the running config keeps serving', async () => {
    const connected = await connectMiner(dir.stratumPort, 'steady');
    assert.equal(connected.difficulty, NEW_DIFF);
    const good = readFileSync(poolFile, 'utf8');
    const pool = JSON.parse(good) as Record<string, unknown> & { ports: Record<string, { diff: unknown }> };
    pool.ports[String(dir.stratumPort)].diff = 'very hard';
    pool.daemons = [];
    writeFileSync(poolFile, JSON.stringify(pool, null, 2));

    const answer = await cli(dir.cliPort, ['reloadpool', 'regtest']);
    assert.equal(answer.code, 1, `refused with exit 1:\n${answer.stdout}${answer.stderr}`);
    assert.match(answer.stderr, /^error: .*invalid.*keeps its running config/m);
    const problems = answer.stderr.split('\n').filter((l) => l.startsWith('  '));
    assert.ok(problems.some((p) => p.includes('regtest.json') && p.includes('diff')), `the diff problem is listed:\n${answer.stderr}`);
    assert.ok(problems.some((p) => p.includes('regtest.json') && p.includes('daemons')), `the daemons problem is listed:\n${answer.stderr}`);

    // Nothing was restarted: the connected miner keeps its connection, difficulty and accepted shares.
    await sleep(500);
    assert.equal(connected.closed, false);
    assert.equal(connected.difficulty, NEW_DIFF);
    const share = await connected.mineShare({ worker: `${address}.steady` });
    assert.equal(share.answer.result, true, JSON.stringify(share.answer.error));
    const newcomer = await connectMiner(dir.stratumPort, 'newcomer');
    assert.equal(newcomer.difficulty, NEW_DIFF);

    // Fixing the file makes the pool reloadable again (the refusal left no half-applied state behind).
    writeFileSync(poolFile, good);
    const fixed = await cli(dir.cliPort, ['--json', 'reloadpool', 'regtest']);
    assert.equal(fixed.code, 0, fixed.stderr);
    const status = await cli(dir.cliPort, ['--json', 'status']);
    const pools = (JSON.parse(status.stdout) as { result: { pools: { pool: string; enabled: boolean }[] } }).result.pools;
    assert.deepEqual(pools.map((p) => [p.pool, p.enabled]).sort(), [['other', true], ['regtest', true]]);
  });

  test('a valid file whose daemon refuses the pool (wrong RPC password) is undone: connected miners keep their work', async () => {
    const loyal = await connectMiner(dir.stratumPort, 'loyal');
    assert.equal(loyal.difficulty, NEW_DIFF);
    const good = readFileSync(poolFile, 'utf8');
    const pool = JSON.parse(good) as { daemons: { password: string }[]; ports: Record<string, { diff: number }> };
    pool.daemons[0].password = 'not-the-password';
    pool.ports[String(dir.stratumPort)].diff = NEW_DIFF * 2;
    writeFileSync(poolFile, JSON.stringify(pool, null, 2));
    const linesBefore = master.lines.length;
    try {
      const answer = await cli(dir.cliPort, ['reloadpool', 'regtest']);
      // The file is valid, but the pool worker could not run it: the operator is told, with the worker's reason.
      assert.equal(answer.code, 1, `${answer.stdout}${answer.stderr}`);
      assert.match(answer.stderr, /keeps its running config/);
      assert.match(answer.stderr, /pool worker 0: no block template/);
      assert.ok(master.lines.slice(linesBefore).some((l) => /no block template .* going back to the previous one/.test(l)));
    } finally {
      writeFileSync(poolFile, good);
    }
    // The miner never moved to the runtime without work: same connection, same difficulty, shares still accepted.
    assert.equal(loyal.closed, false);
    assert.equal(loyal.difficulty, NEW_DIFF);
    const share = await loyal.mineShare({ worker: `${address}.loyal` });
    assert.equal(share.answer.result, true, JSON.stringify(share.answer.error));
    assert.equal((await connectMiner(dir.stratumPort, 'after-undo')).difficulty, NEW_DIFF, 'the port takes new miners again');
  });
});
