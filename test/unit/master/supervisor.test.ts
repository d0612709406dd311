import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Worker } from 'node:cluster';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../../src/log/logger.js';
import { planChildren } from '../../../src/master/child-plan.js';
import { Supervisor } from '../../../src/master/supervisor.js';
import type { SupervisorTimings } from '../../../src/master/timings.js';
import { Master } from '../../../src/master/master.js';
import { pool, resolvedConfig } from './resolved-config.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PoolConfig, ResolvedConfig } from '../../../src/config/types.js';
import { loadConfig } from '../../../src/config/load.js';
import { writePoolDir, type PoolDir } from '../../helpers/pool-harness.js';

const HASH = 'AB'.repeat(32);
const timings: SupervisorTimings = {
  initialDelayMs: 5,
  maxDelayMs: 40,
  stableAfterMs: 10_000,
  crashLoopWindowMs: 10_000,
  crashLoopThreshold: 100,
  startTimeoutMs: 10_000,
};

/** Stands in for a cluster Worker: records what the supervisor sends, lets the test play the child. */
class FakeWorker extends EventEmitter {
  static nextPid = 1000;
  readonly sent: Array<Record<string, unknown>> = [];
  readonly signals: string[] = [];
  connected = true;
  readonly process = {
    pid: FakeWorker.nextPid++,
    kill: (signal: string): boolean => {
      this.signals.push(signal);
      if (signal === 'SIGKILL') setImmediate(() => this.die(null, 'SIGKILL'));
      return true;
    },
  };

  constructor(readonly env: Record<string, string>) {
    super();
  }

  send = (message: Record<string, unknown>, _h: undefined, _o: object, callback: (e: Error | null) => void): boolean => {
    this.sent.push(message);
    callback(null);
    return true;
  };

  isConnected(): boolean {
    return this.connected;
  }

  /** Plays the child's side of the handshake. */
  handshake(): void {
    const role = this.env.HEADFRAME_ROLE;
    const forkId = Number(this.env.HEADFRAME_FORK_ID);
    this.emit('message', { hf: 1, type: 'hello', role, forkId, pid: this.process.pid });
    this.emit('message', { hf: 1, type: 'ready', role, forkId, pid: this.process.pid });
  }

  die(code: number | null, signal: string | null): void {
    this.connected = false;
    this.emit('exit', code, signal);
  }

  types(): unknown[] {
    return this.sent.map((m) => m.type);
  }
}

// Every supervisor a test builds is stopped afterwards: its start and restart timers would otherwise go on
// forking fake children and keep the test process alive.
const supervisors: Supervisor[] = [];
afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((s) => s.stop(50)));
});

function setup(options: { autoExitOnShutdown?: boolean; config?: ResolvedConfig; failForks?: number; reloadAnswerTimeoutMs?: number } = {}) {
  let failForks = options.failForks ?? 0;
  const config = options.config ?? resolvedConfig({ pools: [pool('ltc')], clustering: { enabled: true, forks: 2 }, website: true });
  const workers: FakeWorker[] = [];
  let master: Master | null = null;
  const supervisor = new Supervisor({
    // Wired as roles/master.ts wires them.
    onRequest: (from, request) => {
      if (request.type === 'reloaded') master?.onReloaded(from.forkId, request.reloadId, request.ok, request.error);
    },
    onReady: (child) => {
      if (child.role === 'pool-worker') master?.catchUpReloads(child);
    },
    config,
    specs: planChildren(config),
    logger: createLogger({ level: 'error' }),
    timings,
    killGraceMs: 200,
    fork: (env) => {
      if (failForks > 0) {
        failForks--;
        throw new Error('spawn ENOMEM');
      }
      const worker = new FakeWorker(env);
      if (options.autoExitOnShutdown !== false) {
        const send = worker.send;
        worker.send = (message, h, o, cb) => {
          if (message.type === 'shutdown') setImmediate(() => worker.die(0, null));
          return send(message, h, o, cb);
        };
      }
      workers.push(worker);
      return worker as unknown as Worker;
    },
  });
  supervisors.push(supervisor);
  master = new Master(config, createLogger({ level: 'error' }), supervisor, options.reloadAnswerTimeoutMs);
  return { config, workers, supervisor, master };
}

describe('Supervisor with fake workers', () => {
  it('forks one child per slot and answers hello with that slot’s config', () => {
    const { workers, supervisor, config } = setup();
    supervisor.start();
    assert.deepEqual(
      workers.map((w) => w.env),
      [
        { HEADFRAME_ROLE: 'pool-worker', HEADFRAME_FORK_ID: '0' },
        { HEADFRAME_ROLE: 'pool-worker', HEADFRAME_FORK_ID: '1' },
        { HEADFRAME_ROLE: 'website', HEADFRAME_FORK_ID: '0' },
      ],
    );
    workers[1].handshake();
    assert.deepEqual(workers[1].sent, [{ type: 'config', config, role: 'pool-worker', forkId: 1, hf: 1 }]);
    assert.equal(workers[0].sent.length, 0, 'no config before hello');
    assert.deepEqual(
      supervisor.children().map((c) => [c.role, c.forkId, c.ready]),
      [
        ['pool-worker', 0, false],
        ['pool-worker', 1, true],
        ['website', 0, false],
      ],
    );
  });

  it('ignores foreign messages and messages claiming another slot', () => {
    const { workers, supervisor } = setup();
    supervisor.start();
    workers[0].emit('message', { cmd: 'NODE_CLUSTER', act: 'online' });
    workers[0].emit('message', { hf: 1, type: 'ready', role: 'website', forkId: 0, pid: 1 });
    assert.equal(supervisor.children()[0].ready, false);
    assert.equal(supervisor.children()[2].ready, false);
  });

  it('restarts a dead child in the same slot after the backoff delay', async () => {
    const { workers, supervisor } = setup();
    supervisor.start();
    for (const w of workers) w.handshake();
    workers[1].die(null, 'SIGKILL');
    assert.equal(workers.length, 3, 'not restarted synchronously');
    await sleep(30);
    assert.equal(workers.length, 4);
    assert.deepEqual(workers[3].env, { HEADFRAME_ROLE: 'pool-worker', HEADFRAME_FORK_ID: '1' });
    assert.equal(supervisor.children()[1].restarts, 1);
    assert.equal(supervisor.children()[1].pid, workers[3].process.pid);
    await supervisor.stop(200);
  });

  it('a fork that throws, or a child that never started (error without a pid), is retried after the backoff', async () => {
    const { workers, supervisor } = setup({ failForks: 1 });
    supervisor.start();
    // The first slot's fork threw; the other two started.
    assert.deepEqual(workers.map((w) => w.env.HEADFRAME_FORK_ID + w.env.HEADFRAME_ROLE), ['1pool-worker', '0website']);
    await sleep(30);
    assert.equal(workers.length, 3);
    assert.deepEqual(workers[2].env, { HEADFRAME_ROLE: 'pool-worker', HEADFRAME_FORK_ID: '0' });
    (workers[1].process as { pid: number | undefined }).pid = undefined;
    workers[1].emit('error', new Error('spawn EAGAIN'));
    await sleep(30);
    assert.equal(workers.length, 4);
    assert.deepEqual(workers[3].env, { HEADFRAME_ROLE: 'website', HEADFRAME_FORK_ID: '0' });
    await supervisor.stop(200);
  });

  it('relays blocknotify to ready pool workers of a coin an enabled pool mines', () => {
    const { workers, supervisor, master } = setup();
    supervisor.start();
    for (const w of workers) w.handshake();
    assert.equal(master.relayBlockNotify('litecoin', HASH), 2);
    for (const w of workers.slice(0, 2)) {
      assert.deepEqual(w.sent.at(-1), { type: 'blocknotify', coin: 'litecoin', blockHash: HASH.toLowerCase(), hf: 1 });
    }
    assert.deepEqual(workers[2].types(), ['config'], 'the website gets no blocknotify');
    assert.equal(master.relayBlockNotify('bitcoin', HASH), 0, 'no pool mines it');
    assert.equal(master.relayBlockNotify('litecoin', 'zz'), 0, 'malformed hash');
    workers[0].die(1, null);
    assert.equal(master.relayBlockNotify('litecoin', HASH), 1, 'a dead worker is skipped');
  });

  it('stop() sends shutdown to every child and resolves once all exited, without restarting', async () => {
    const { workers, supervisor } = setup();
    supervisor.start();
    for (const w of workers) w.handshake();
    await supervisor.stop(500);
    for (const w of workers) assert.equal(w.types().at(-1), 'shutdown');
    assert.ok(workers.every((w) => w.signals.length === 0), 'nobody killed');
    await sleep(20);
    assert.equal(workers.length, 3, 'no restart after stop');
    assert.ok(supervisor.children().every((c) => c.pid === null));
  });

  it('stop() SIGKILLs children that ignore shutdown once the timeout passes', async () => {
    const { workers, supervisor } = setup({ autoExitOnShutdown: false });
    supervisor.start();
    for (const w of workers) w.handshake();
    const t0 = Date.now();
    await supervisor.stop(50);
    assert.ok(Date.now() - t0 >= 45);
    assert.ok(workers.every((w) => w.signals.includes('SIGKILL')));
  });

  it('a child that answers hello during stop() gets shutdown instead of the config', async () => {
    const { workers, supervisor } = setup();
    supervisor.start();
    const stopping = supervisor.stop(500);
    workers[2].emit('message', { hf: 1, type: 'hello', role: 'website', forkId: 0, pid: workers[2].process.pid });
    await stopping;
    assert.ok(!workers[2].types().includes('config'));
  });

  it('kills a child that never becomes ready within startTimeoutMs', async () => {
    const config = resolvedConfig({ pools: [pool('ltc')], clustering: { enabled: false, forks: 1 } });
    const workers: FakeWorker[] = [];
    const supervisor = new Supervisor({
      config,
      specs: planChildren(config),
      logger: createLogger({ level: 'error' }),
      timings: { ...timings, startTimeoutMs: 20, initialDelayMs: 1_000, maxDelayMs: 1_000 },
      fork: (env) => {
        const w = new FakeWorker(env);
        workers.push(w);
        return w as unknown as Worker;
      },
    });
    supervisors.push(supervisor);
    supervisor.start();
    await sleep(60);
    assert.deepEqual(workers[0].signals, ['SIGKILL']);
    await supervisor.stop(100);
  });
});

describe('reloadpool across pool workers', () => {
  const dirs: PoolDir[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) d.remove();
  });

  /** A real config directory with two pool workers, and a way to change the pool's difficulty in its file. */
  async function scene(reloadAnswerTimeoutMs?: number) {
    const dir = await writePoolDir({
      daemons: [{ host: '127.0.0.1', rpcPort: 1, user: 'u', password: 'p' }],
      address: 'rltc1qelweu73yztyv6xlstznyrwarwvf6gmrljr7lg3',
      diff: 0.25,
      global: { clustering: { enabled: true, forks: 2 }, website: { enabled: true, host: '127.0.0.1', port: 18_080 } },
    });
    dirs.push(dir);
    const loaded = await loadConfig(dir.dir);
    assert.ok(loaded.ok);
    const file = join(dir.dir, 'pool_configs', 'regtest.json');
    const setDiff = (diff: number) => {
      const json = JSON.parse(readFileSync(file, 'utf8')) as { ports: Record<string, { diff: number }> };
      for (const port of Object.values(json.ports)) port.diff = diff;
      writeFileSync(file, JSON.stringify(json));
    };
    return { ...setup({ config: loaded.config, reloadAnswerTimeoutMs }), setDiff };
  }
  const reloadsTo = (w: FakeWorker) => w.sent.filter((m) => m.type === 'reloadpool').map((m) => (m.pool as PoolConfig).ports[0].diff);
  /** Answers the last reloadpool the worker got (or the one numbered `reloadId`). */
  const answer = (w: FakeWorker, ok: boolean, error: string | null = null, reloadId = lastReloadId(w)) =>
    w.emit('message', { hf: 1, type: 'reloaded', role: 'pool-worker', forkId: Number(w.env.HEADFRAME_FORK_ID), pool: 'regtest', reloadId, ok, error });
  const lastReloadId = (w: FakeWorker) => w.sent.filter((m) => m.type === 'reloadpool').at(-1)!.reloadId as number;
  const diffOf = (config: ResolvedConfig) => config.pools[0].ports[0].diff;

  /** Both pool workers ready, the file changed to diff 0.5, the reload sent to both and awaiting their answers. */
  async function reloadSentToBoth(reloadAnswerTimeoutMs?: number) {
    const s = await scene(reloadAnswerTimeoutMs);
    s.supervisor.start();
    for (const w of s.workers) w.handshake();
    s.setDiff(0.5);
    const result = s.master.reloadPool('regtest');
    while (reloadsTo(s.workers[1]).length === 0) await sleep(5);
    return { ...s, result };
  }

  it('is committed once every pool worker applied it', async () => {
    const { workers, master, result } = await reloadSentToBoth();
    answer(workers[0], true);
    assert.equal(diffOf(master.config), 0.25, 'not the running config before every worker answered');
    answer(workers[1], true);
    const done = await result;
    assert.ok(done.ok);
    assert.equal(done.workers, 2);
    assert.equal(diffOf(master.config), 0.5);
    // The website reads pool files only at its start: it is stopped and started again with the new config.
    assert.deepEqual(workers[2].types().slice(-1), ['shutdown']);
    while (workers.length < 4) await sleep(5);
    assert.deepEqual(workers[3].env, { HEADFRAME_ROLE: 'website', HEADFRAME_FORK_ID: '0' });
    workers[3].handshake();
    assert.equal(diffOf(workers[3].sent[0].config as ResolvedConfig), 0.5);
  });

  it('one pool worker that could not apply it: the others get the previous config back, nothing is committed', async () => {
    const { workers, master, result } = await reloadSentToBoth();
    answer(workers[0], true);
    answer(workers[1], false, 'no block template from its daemons within 5 s');
    while (reloadsTo(workers[0]).length < 2) await sleep(5);
    answer(workers[0], true);
    const done = await result;
    assert.equal(done.ok, false);
    assert.ok(!done.ok && done.problems.some((p) => p.includes('pool worker 1') && p.includes('no block template')), JSON.stringify(done));
    assert.deepEqual(reloadsTo(workers[0]), [0.5, 0.25], 'pool worker 0 is given the previous settings back');
    assert.deepEqual(reloadsTo(workers[1]), [0.5], 'pool worker 1 undid it itself');
    assert.equal(diffOf(master.config), 0.25);
  });

  it('a pool worker that was starting while a reload was committed gets the new config once ready', async () => {
    const { workers, supervisor, master, setDiff } = await scene();
    supervisor.start();
    workers[0].handshake();
    // Pool worker 1 has its config (the old one) but is not ready yet: the reload does not reach it.
    workers[1].emit('message', { hf: 1, type: 'hello', role: 'pool-worker', forkId: 1, pid: workers[1].process.pid });
    setDiff(0.5);
    const result = master.reloadPool('regtest');
    while (reloadsTo(workers[0]).length === 0) await sleep(5);
    answer(workers[0], true);
    assert.ok((await result).ok);
    assert.deepEqual(reloadsTo(workers[1]), []);
    workers[1].emit('message', { hf: 1, type: 'ready', role: 'pool-worker', forkId: 1, pid: workers[1].process.pid });
    assert.deepEqual(reloadsTo(workers[1]), [0.5]);
  });

  it('a pool worker that does not answer in time is given the previous config back with those that applied it', async () => {
    const { workers, master, result } = await reloadSentToBoth(100);
    answer(workers[0], true);
    // Pool worker 1 stays silent: it may still apply the new config after the master gave up waiting.
    while (reloadsTo(workers[0]).length < 2 || reloadsTo(workers[1]).length < 2) await sleep(5);
    assert.deepEqual(reloadsTo(workers[0]), [0.5, 0.25]);
    assert.deepEqual(reloadsTo(workers[1]), [0.5, 0.25]);
    answer(workers[0], true);
    answer(workers[1], true);
    const done = await result;
    assert.equal(done.ok, false);
    assert.ok(!done.ok && done.problems.some((p) => p.includes('pool worker 1: no answer in time')), JSON.stringify(done));
    assert.equal(diffOf(master.config), 0.25);
  });

  it('an answer to an earlier reload is never taken for the current one', async () => {
    const { workers, master, result, setDiff } = await reloadSentToBoth();
    const firstId = lastReloadId(workers[0]);
    answer(workers[0], true);
    answer(workers[1], true);
    assert.ok((await result).ok);
    setDiff(0.75);
    const second = master.reloadPool('regtest');
    while (reloadsTo(workers[1]).length < 2) await sleep(5);
    // A late duplicate of pool worker 0's answer to the first reload arrives first.
    answer(workers[0], true, null, firstId);
    answer(workers[1], true);
    await sleep(30);
    assert.equal(diffOf(master.config), 0.5, 'not committed on an answer to another reload');
    answer(workers[0], true);
    assert.ok((await second).ok);
    assert.equal(diffOf(master.config), 0.75);
  });

  it('a pool worker that started and became ready while the others applied a reload gets it once it is committed', async () => {
    const { workers, supervisor, master, setDiff } = await scene();
    supervisor.start();
    workers[0].handshake();
    setDiff(0.5);
    const result = master.reloadPool('regtest');
    while (reloadsTo(workers[0]).length === 0) await sleep(5);
    // Pool worker 1 says hello (and gets the old config) and ready while the reload waits for pool worker 0.
    workers[1].handshake();
    assert.deepEqual(reloadsTo(workers[1]), []);
    answer(workers[0], true);
    assert.ok((await result).ok);
    assert.deepEqual(reloadsTo(workers[1]), [0.5]);
  });

  it('a pool worker that applied the reload and then restarted before it was committed gets it again', async () => {
    const { workers, master, result } = await reloadSentToBoth();
    answer(workers[1], true);
    // Pool worker 1 dies and is started again (with the config of the moment, still the previous one).
    workers[1].die(1, null);
    while (workers.length < 4) await sleep(5);
    workers[3].handshake();
    answer(workers[0], true);
    assert.ok((await result).ok);
    assert.equal(diffOf(master.config), 0.5);
    assert.deepEqual(reloadsTo(workers[3]), [0.5], 'the new process of pool worker 1 is brought up to date');
  });

  it('a restart of another role during the wait does not keep pool worker 0 from its rollback', async () => {
    const { workers, result } = await reloadSentToBoth();
    answer(workers[0], true);
    // The website (fork 0 of its own role) dies and is started again meanwhile.
    workers[2].die(1, null);
    while (workers.length < 4) await sleep(5);
    workers[3].handshake();
    answer(workers[1], false, 'no block template from its daemons within 5 s');
    assert.equal((await result).ok, false);
    assert.deepEqual(reloadsTo(workers[0]), [0.5, 0.25], 'pool worker 0 is given the previous config back');
  });
});
