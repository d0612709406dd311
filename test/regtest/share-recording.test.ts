// Shares answered `true` by a real pool are in Redis: after the master's pool worker is SIGKILLed under load, and after
// Redis was away for 10 seconds while miners kept submitting (stratum kept serving from the outage queue).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { RegtestPair } from '../helpers/litecoind.js';
import { startPool, writePoolDir } from '../helpers/pool-harness.js';
import { MasterProcess } from '../process/master-harness.js';
import { TEST_IDLE_ROLES_ENV } from '../../src/roles/child.js';
import type { RedisHandle } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/processes.js';
import { TestMiner, targetFromBitsHex } from '../helpers/test-miner.js';
import { PoolKeys } from '../../src/redis/keys.js';
import { startMiningScene } from '../helpers/mining-scene.js';

/** Above regtest's block target: about a quarter of the hashes are shares that are not blocks. */
const DIFF = 0.00002;
const MINERS = 4;

interface Load {
  /** Shares the pool answered true. */
  readonly trues: () => number;
  /** Answers still outstanding (at most one per miner). */
  readonly inFlight: () => number;
  readonly answeredDuring: (from: number, to: number) => number;
  stop(): Promise<void>;
}

/** MINERS miners, each submitting valid non-block shares one after another, counting the pool's answers. */
async function startLoad(port: number, address: string): Promise<Load> {
  let stopped = false;
  let trues = 0;
  let inFlight = 0;
  const trueTimes: number[] = [];
  const miners: TestMiner[] = [];
  const loops: Promise<void>[] = [];
  for (let i = 0; i < MINERS; i++) {
    const miner = new TestMiner({ port });
    miners.push(miner);
    await miner.connect();
    const worker = `${address}.load${i}`;
    await miner.login(worker);
    const closed = new Promise<null>((resolve) => miner.once('close', () => resolve(null)));
    loops.push(
      (async () => {
        while (!stopped && !miner.closed) {
          const job = miner.job!;
          const blockTarget = targetFromBitsHex(job.nbits);
          inFlight++;
          const found = await Promise.race([miner.mineShare({ worker, job, accept: (pow) => pow > blockTarget }), closed]);
          if (found === null) return; // the pool died with this answer outstanding: it stays counted in flight
          inFlight--;
          if (found.answer.result === true) {
            trues++;
            trueTimes.push(Date.now());
          }
        }
      })(),
    );
  }
  return {
    trues: () => trues,
    inFlight: () => inFlight,
    answeredDuring: (from, to) => trueTimes.filter((t) => t >= from && t <= to).length,
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
      for (const m of miners) m.close();
    },
  };
}

/** The port opens once the worker holds its first template: retry the first connection until then. */
async function startLoadWhenListening(port: number, address: string): Promise<Load> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await startLoad(port, address);
    } catch (err) {
      if (attempt >= 100) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('share recording through a real pool', { timeout: 120_000 }, () => {
  let pair: RegtestPair;
  let redis: RedisHandle;
  let reader: Redis;
  let address: string;

  before(async () => {
    ({ pair, redis, address } = await startMiningScene());
    reader = new Redis({ host: redis.host, port: redis.port, lazyConnect: true, maxRetriesPerRequest: 1 });
    // The outage test stops this Redis on purpose; the reader reconnects by itself.
    reader.on('error', () => undefined);
    await reader.connect();
  });

  after(async () => {
    reader?.disconnect();
    await redis?.stop();
    await pair?.stop();
  });

  test('a master-forked pool worker SIGKILLed under share load lost no share it answered true', async () => {
    const keyPrefix = 'kill:';
    const dir = await writePoolDir({
      daemons: [pair.a],
      address,
      diff: DIFF,
      redis,
      keyPrefix,
      // info: the master's "child ... ready (pid N)" lines name the worker to kill.
      global: { logging: { level: 'info', json: false } },
    });
    // The real entry, as operators start it: the master forks the pool worker and respawns it after the kill.
    const master = new MasterProcess(['--config', dir.dir], { [TEST_IDLE_ROLES_ENV]: '' });
    try {
      const workerPid = (await master.allReady(['pool-worker/0'])).get('pool-worker/0')!;
      const load = await startLoadWhenListening(dir.stratumPort, address);
      await waitFor(() => load.trues() >= 300, { timeoutMs: 30_000, intervalMs: 20, what: '300 accepted shares' });
      process.kill(workerPid, 'SIGKILL');
      await load.stop();
      const trues = load.trues();
      const inFlight = load.inFlight();

      const keys = new PoolKeys(keyPrefix, 'regtest');
      const recorded = Number(await reader.hget(keys.stats, 'valid'));
      const logged = await reader.xlen(keys.shareLog);
      assert.ok(recorded >= trues, `Redis holds ${recorded} shares, miners were told ${trues} were accepted`);
      assert.ok(recorded <= trues + inFlight, `Redis holds ${recorded}, more than ${trues} accepted + ${inFlight} in flight`);
      assert.equal(logged, recorded, 'share log and counters agree');
      assert.equal(await reader.hget(keys.currentRound.meta, 'shares'), String(recorded));
      console.log(`SIGKILL under load: ${trues} answered true, ${inFlight} in flight, ${recorded} in Redis`);

      // The master brings a new worker up; its shares add to the same round.
      await master.until('a new pool worker', () => master.readies().some((r) => r.key === 'pool-worker/0' && r.pid !== workerPid), 20_000);
      const after = await startLoadWhenListening(dir.stratumPort, address);
      await waitFor(() => after.trues() >= 20, { timeoutMs: 30_000, intervalMs: 20, what: '20 shares on the new worker' });
      await after.stop();
      await waitFor(async () => Number(await reader.hget(keys.stats, 'valid')) >= recorded + after.trues(), {
        timeoutMs: 5_000, intervalMs: 50, what: 'the new worker\'s shares in Redis',
      });
      master.signal('SIGTERM');
      assert.equal((await master.exit(15_000)).code, 0);
    } finally {
      await master.cleanup();
      dir.remove();
    }
  });

  test('redis away for 10 s under share load: stratum keeps serving and every accepted share lands', async () => {
    const pool = await startPool({ daemons: [pair.a], address, diff: DIFF, redis, keyPrefix: 'outage:' });
    let load: Load | undefined;
    try {
      load = await startLoad(pool.stratumPort, address);
      await waitFor(() => load!.trues() >= 50, { timeoutMs: 20_000, intervalMs: 20, what: '50 accepted shares' });
      await redis.stopKeepingData();
      const downAt = Date.now();
      await new Promise((r) => setTimeout(r, 10_000));
      const upAt = Date.now();
      await redis.startAgain();
      const duringOutage = load.answeredDuring(downAt, upAt);
      assert.ok(duringOutage >= 20, `only ${duringOutage} shares answered true while Redis was away`);
      await waitFor(() => pool.runtime.recording.recorder.state.mode === 'live', { timeoutMs: 15_000, intervalMs: 50, what: 'queue drained' });
      await load.stop();
      const trues = load.trues();
      await waitFor(() => pool.runtime.recording.recorder.state.queued === 0, { timeoutMs: 5_000, intervalMs: 50, what: 'queue empty' });

      await reader.connect().catch(() => undefined);
      await waitFor(async () => (await reader.ping().catch(() => '')) === 'PONG', { timeoutMs: 5_000, intervalMs: 100, what: 'reader back' });
      const recorded = Number(await reader.hget(pool.keys.stats, 'valid'));
      assert.equal(recorded, trues, `Redis holds ${recorded} shares, miners were told ${trues}`);
      assert.equal(await reader.xlen(pool.keys.shareLog), trues);
      const perWorker = await Promise.all(Array.from({ length: MINERS }, (_, i) => reader.hget(pool.keys.worker(`${address}.load${i}`), 'valid')));
      assert.equal(perWorker.reduce((s, v) => s + Number(v), 0), trues);
    } finally {
      await load?.stop();
      await pool.stop();
    }
  });
});
