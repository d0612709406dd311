// The whole operations path on a running pool: a master process (real entry, real pool worker) on a regtest pair and
// a real Redis, a test miner mining shares and a block through it, a real Prometheus scraping the master's /metrics,
// and the master's alert evaluator talking to a Telegram stand-in across a master restart.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { RegtestPair } from '../helpers/litecoind.js';
import { writePoolDir, type PoolDir } from '../helpers/pool-harness.js';
import { findFreePort } from '../helpers/ports.js';
import type { RedisHandle } from '../helpers/redis-server.js';
import { TestMiner, targetFromBitsHex } from '../helpers/test-miner.js';
import { MasterProcess } from '../process/master-harness.js';
import { TelegramStandIn } from '../unit/alerts/telegram-stand-in.js';
import { PROMTOOL_BIN, startPrometheus, withoutKnownOffenders, type PrometheusHandle } from './prometheus.js';
import { startMiningScene } from '../helpers/mining-scene.js';

const PREFIX = 'hf-scrape:';
const CLI = fileURLToPath(new URL('../../../scripts/cli', import.meta.url));

/** "ready" means the role started; the stratum listener opens a moment later. */
function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('a running pool, scraped by a real Prometheus', { timeout: 120_000 }, () => {
  let pair: RegtestPair;
  let redis: RedisHandle;
  let prometheus: PrometheusHandle;
  let dir: PoolDir;
  let metricsPort: number;
  let address: string;
  const masters: MasterProcess[] = [];
  const miners: TestMiner[] = [];
  const telegram = new TelegramStandIn();
  let client: Redis;

  async function startMaster(): Promise<MasterProcess> {
    // Real roles this time: the process harness stands in idle ones unless told otherwise.
    const master = new MasterProcess(['--config', dir.dir], { HEADFRAME_TEST_IDLE_ROLES: '' });
    masters.push(master);
    await master.until('pool worker ready', () => master.readies().some((r) => r.key === 'pool-worker/0'), 20_000);
    for (const deadline = Date.now() + 15_000; ; ) {
      const ok =
        (await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { signal: AbortSignal.timeout(3000) }).then((r) => r.ok, () => false)) &&
        (await canConnect(dir.stratumPort));
      if (ok) return master;
      if (Date.now() > deadline) throw new Error(`master metrics never answered\n${master.lines.slice(-20).join('\n')}`);
      await sleep(100);
    }
  }

  async function stopMaster(master: MasterProcess): Promise<void> {
    master.signal('SIGTERM');
    await master.exit(15_000);
  }

  before(async () => {
    [{ pair, redis, address }] = await Promise.all([startMiningScene(), telegram.start()]);
    metricsPort = await findFreePort();
    dir = await writePoolDir({
      daemons: [pair.a],
      address,
      diff: 0.00002,
      global: {
        // info: the process harness reads the master's "child ... ready" lines.
        logging: { level: 'info', json: false },
        redis: { host: '127.0.0.1', port: redis.port, keyPrefix: PREFIX },
        metrics: { enabled: true, host: '127.0.0.1', port: metricsPort },
        alerts: {
          enabled: true,
          evaluateInterval: 0.25,
          workerOfflineAfter: 2,
          workerForgetAfter: 3600,
          telegram: { botToken: '7:SCRAPE', chatId: '-42', apiBaseUrl: telegram.baseUrl, timeoutMs: 2000 },
        },
      },
    });
    client = new Redis({ host: '127.0.0.1', port: redis.port, commandTimeout: 2000, maxRetriesPerRequest: 1 });
    await startMaster();
    prometheus = await startPrometheus([`127.0.0.1:${metricsPort}`]);
  });

  after(async () => {
    for (const m of miners) m.close();
    for (const m of masters) await m.cleanup();
    client?.disconnect();
    await prometheus?.stop();
    await telegram.stop();
    await redis?.stop();
    await pair?.stop();
    dir?.remove();
  });

  test('PromQL returns the shares, connections and blocks the test miner produced, and the exposition passes promtool', async () => {
    const miner = new TestMiner({ port: dir.stratumPort });
    miners.push(miner);
    await miner.connect();
    const worker = `${address}.rig1`;
    const job = await miner.login(worker);
    const blockTarget = targetFromBitsHex(job.nbits);
    for (let i = 0; i < 3; i++) {
      const share = await miner.mineShare({ worker, job, accept: (pow) => pow > blockTarget });
      assert.equal(share.answer.result, true);
    }
    const block = await miner.mineShare({ worker, job, target: blockTarget });
    assert.equal(block.answer.result, true);

    assert.equal(await prometheus.waitFor('up{job="headframe"}', (v) => v === 1), 1);
    const valid = await prometheus.waitFor('sum(headframe_shares_total{pool="regtest",result="valid"})', (v) => (v ?? 0) >= 4);
    assert.equal(valid, 4);
    assert.equal(await prometheus.waitFor('sum(headframe_stratum_connections{pool="regtest"})', (v) => v === 1), 1);
    assert.equal(await prometheus.waitFor('sum(headframe_blocks_found_total{pool="regtest"})', (v) => v === 1), 1);
    assert.ok(((await prometheus.value('sum(headframe_mined_base_units_total{pool="regtest"})')) ?? 0) > 0);
    assert.ok(((await prometheus.value('max(headframe_network_height{pool="regtest"})')) ?? 0) >= 1);
    assert.equal(await prometheus.value('min(headframe_daemon_up{pool="regtest"})'), 1);
    assert.ok(((await prometheus.value('sum(headframe_outbound_requests_total{method="getblocktemplate"})')) ?? 0) > 0, 'daemon RPC is instrumented');
    assert.equal(await prometheus.value('sum(headframe_process_up{role="pool-worker"})'), 1);
    assert.equal(await prometheus.value('sum(headframe_process_up{role="master"})'), 1);
    // A forked child labels its series with the slot the supervisor started it in.
    assert.equal(await prometheus.value('count(headframe_shares_total{pool="regtest",result="valid",role="pool-worker",fork="0"})'), 1);
    assert.equal(await prometheus.value('count(headframe_shares_total{pool="regtest",result="valid"})'), 1);

    const exposition = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    const lint = await new Promise<{ code: number; out: string }>((resolve) => {
      const child = execFile(PROMTOOL_BIN, ['check', 'metrics'], { timeout: 10_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? 1 : 0, out: stdout + stderr }),
      );
      child.stdin!.end(withoutKnownOffenders(exposition));
    });
    assert.equal(lint.code, 0, lint.out);
  });

  test('a stopped miner gets one Telegram message, none again after a master restart, and its deletion when it resumes', async () => {
    // rig1 stopped submitting at the end of the previous test; the pool recorded its shares in Redis.
    const login = `${address}.rig1`;
    const aboutRig1 = () => telegram.sent().filter((c) => String(c.body.text).includes(`Worker ${login} `));
    for (const deadline = Date.now() + 15_000; aboutRig1().length === 0; ) {
      if (Date.now() > deadline) throw new Error(`no offline alert for ${login}; calls: ${JSON.stringify(telegram.calls)}`);
      await sleep(100);
    }
    const [alert] = aboutRig1();
    assert.equal(alert.token, '7:SCRAPE');
    assert.equal(alert.body.chat_id, '-42');
    // The block the miner found was announced once as well.
    const blockNotices = () => telegram.sent().filter((c) => /^Block \d+ found on pool regtest/.test(String(c.body.text)));
    for (const deadline = Date.now() + 5_000; blockNotices().length === 0 && Date.now() < deadline; ) await sleep(100);
    assert.equal(blockNotices().length, 1);
    // Outbound calls to Telegram show up in the pool's metrics.
    await prometheus.waitFor('sum(headframe_outbound_requests_total{target="telegram",method="sendMessage"})', (v) => v === 2);

    // Restart the alerting process (the master, with its pool worker) while the alert fires.
    const lockKey = `${PREFIX}alerts:lock`;
    const oldToken = await client.get(lockKey);
    assert.ok(oldToken);
    for (const m of miners) m.close();
    await stopMaster(masters[masters.length - 1]);
    assert.equal(await client.get(lockKey), null, 'a stopping master releases the evaluator lock');
    await startMaster();
    for (const deadline = Date.now() + 10_000; ; ) {
      const token = await client.get(lockKey);
      if (token && token !== oldToken) break;
      if (Date.now() > deadline) throw new Error('the restarted master never took the evaluator lock');
      await sleep(100);
    }
    await sleep(1000); // several evaluations
    assert.equal(aboutRig1().length, 1, 'nothing sent twice after the restart');
    assert.equal(blockNotices().length, 1, 'the block is not announced again');

    // The miner comes back and submits a share: the alert's message is deleted.
    const miner = new TestMiner({ port: dir.stratumPort });
    miners.push(miner);
    await miner.connect();
    const job = await miner.login(login);
    const blockTarget = targetFromBitsHex(job.nbits);
    assert.equal((await miner.mineShare({ worker: login, job, accept: (pow) => pow > blockTarget })).answer.result, true);
    for (const deadline = Date.now() + 10_000; telegram.deleted().length === 0; ) {
      if (Date.now() > deadline) throw new Error('no deleteMessage after the miner resumed');
      await sleep(100);
    }
    await sleep(750);
    assert.deepEqual(telegram.deleted().map((c) => c.body.message_id), [alert.messageId]);
    assert.equal(aboutRig1().length, 1);
    assert.equal(await client.hget(`${PREFIX}{regtest}:alerts:workers`, login), null);
  });

  test('daemon_up shows only the daemons of the running config: a reload that is undone leaves none, a swap drops the old', async () => {
    const poolFile = join(dir.dir, 'pool_configs', 'regtest.json');
    const original = readFileSync(poolFile, 'utf8');
    const daemonUp = async (): Promise<Record<string, number>> => {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
      const up: Record<string, number> = {};
      for (const [, daemon, value] of text.matchAll(/^headframe_daemon_up\{pool="regtest",daemon="([^"]+)"[^}]*\} (\S+)$/gm)) up[daemon] = Number(value);
      return up;
    };
    const reload = async (daemons: readonly { host: string; rpcPort: number; user: string; password: string }[]): Promise<void> => {
      const pool = JSON.parse(original) as Record<string, unknown>;
      pool.daemons = daemons.map((d) => ({ host: d.host, port: d.rpcPort, user: d.user, password: d.password, timeoutMs: 1000 }));
      writeFileSync(poolFile, JSON.stringify(pool, null, 2));
      await new Promise<void>((resolve) => execFile(CLI, ['--port', String(dir.cliPort), '--timeout', '20000', 'reloadpool', 'regtest'], { timeout: 25_000 }, () => resolve()));
    };
    const a = `${pair.a.host}:${pair.a.rpcPort}`;
    const b = `${pair.b.host}:${pair.b.rpcPort}`;
    assert.deepEqual(await daemonUp(), { [a]: 1 });

    // Nothing listens there: the new runtime never gets a template and the reload is undone after its deadline.
    const nowhere = { host: '127.0.0.1', rpcPort: await findFreePort(), user: 'x', password: 'x' };
    await reload([nowhere]);
    for (const deadline = Date.now() + 15_000; !masters[masters.length - 1].lines.some((l) => l.includes('going back to the previous one')); ) {
      if (Date.now() > deadline) throw new Error(`the reload was not undone\n${masters[masters.length - 1].lines.slice(-20).join('\n')}`);
      await sleep(100);
    }
    assert.deepEqual(await daemonUp(), { [a]: 1 }, 'the discarded config\'s daemon is not exported');

    await reload([pair.b]);
    for (const deadline = Date.now() + 15_000; ; ) {
      const up = await daemonUp();
      if (up[a] === undefined && up[b] === 1) break;
      if (Date.now() > deadline) throw new Error(`daemon_up after the swap: ${JSON.stringify(up)}`);
      await sleep(100);
    }
    assert.deepEqual(await daemonUp(), { [b]: 1 });
  });
});
