import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../../src/log/logger.js';
import { DaemonSet, type DaemonSetEvent, type DaemonSetOptions } from '../../../src/daemon/daemon-set.js';
import { DaemonError } from '../../../src/daemon/errors.js';
import type { DaemonConfig } from '../../../src/config/types.js';
import {
  closedPort,
  daemonConfig,
  rpcHandler,
  startFakeDaemon,
  startSilentServer,
  type FakeDaemon,
  type Handler,
} from './fake-daemon.js';

const logger = createLogger({ level: 'error' });
const TIMEOUT = 300;

async function failure(promise: Promise<unknown>): Promise<DaemonError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof DaemonError, `expected a DaemonError, got ${String(err)}`);
    return err;
  }
  assert.fail('the call succeeded but should have failed');
}

/** Answers every call with the given block count, so tests can tell which daemon answered. */
const answering = (name: string): Handler => rpcHandler(() => ({ result: name }));
/** Accepts the request and never answers. */
const hanging: Handler = () => undefined;

describe('DaemonSet', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function fake(handler: Handler): Promise<FakeDaemon> {
    const daemon = await startFakeDaemon(handler);
    cleanups.push(() => daemon.close());
    return daemon;
  }

  function set(configs: DaemonConfig[], events: DaemonSetEvent[] = [], extra: Partial<DaemonSetOptions> = {}) {
    const s = new DaemonSet(configs, { logger, probeMinMs: 60, probeMaxMs: 200, onEvent: (e) => events.push(e), ...extra });
    cleanups.push(() => s.close());
    return s;
  }

  const cfg = (port: number) => daemonConfig(port, { timeoutMs: TIMEOUT });

  it('fails over from a hanging daemon and then skips it without waiting', async () => {
    const a = await startSilentServer();
    cleanups.push(() => a.close());
    const b = await fake(answering('b'));
    const events: DaemonSetEvent[] = [];
    const daemons = set([cfg(a.port), cfg(b.port)], events, { probeMinMs: 10_000, probeMaxMs: 10_000 });

    let started = Date.now();
    assert.equal(await daemons.callRaw('getbestblockhash'), 'b');
    const first = Date.now() - started;
    assert.ok(first >= TIMEOUT - 10 && first < TIMEOUT + 500, `first call took ${first} ms`);

    started = Date.now();
    for (let i = 0; i < 3; i++) assert.equal(await daemons.callRaw('getbestblockhash'), 'b');
    const next = Date.now() - started;
    assert.ok(next < TIMEOUT / 2, `three calls after failover took ${next} ms`);
    assert.equal(a.connections(), 1, 'the hanging daemon is not contacted again');

    const health = daemons.health();
    assert.equal(health[0].up, false);
    assert.equal(health[0].lastError?.code, 'DAEMON_TIMEOUT');
    assert.ok(health[0].nextProbeAt !== null);
    assert.equal(health[1].up, true);
    assert.ok(health[1].latencyMs !== null);
    const transitions = events.filter((e) => e.type !== 'request');
    assert.deepEqual(
      transitions.map((e) => e.type),
      ['down', 'failover'],
    );
    const failover = transitions[1];
    assert.ok(failover.type === 'failover');
    assert.equal(failover.from, `127.0.0.1:${a.port}`);
    assert.equal(failover.to, `127.0.0.1:${b.port}`);
  });

  it('re-probes a down daemon in the background and prefers it again once it answers', async () => {
    const a = await fake(hanging);
    const b = await fake(answering('b'));
    const events: DaemonSetEvent[] = [];
    const daemons = set([cfg(a.port), cfg(b.port)], events);
    assert.equal(await daemons.callRaw('getblockcount'), 'b');
    assert.equal(daemons.health()[0].up, false);

    a.handler = answering('a');
    const deadline = Date.now() + 3000;
    while (!daemons.health()[0].up && Date.now() < deadline) await sleep(20);
    assert.equal(daemons.health()[0].up, true, 'the probe brought the daemon back');
    assert.ok(a.requests.some((r) => (r.body as { method: string }).method === 'getblockcount'));
    assert.equal(await daemons.callRaw('getblockcount'), 'a');
    const up = events.find((e) => e.type === 'up');
    assert.ok(up && up.type === 'up' && up.daemon === `127.0.0.1:${a.port}` && up.downMs > 0);
  });

  it('backs off between probes of a daemon that stays down', async () => {
    const port = await closedPort();
    const b = await fake(answering('b'));
    const events: DaemonSetEvent[] = [];
    const daemons = set([cfg(port), cfg(b.port)], events, { probeMinMs: 20, probeMaxMs: 10_000 });
    await daemons.callRaw('getblockcount');
    await sleep(400);
    // Probes at about 20, 60, 140, 300 ms after the first failure: 5 failures, not one every 20 ms.
    const failures = daemons.health()[0].failures;
    assert.ok(failures >= 3 && failures <= 6, `${failures} failures in 400 ms`);
    assert.equal(events.filter((e) => e.type === 'down').length, 1, 'one down transition, however many probes fail');
  });

  it('throws an RPC error at once without trying the next daemon', async () => {
    const a = await fake(rpcHandler(() => ({ code: -8, message: 'Invalid parameter' })));
    const b = await fake(answering('b'));
    const daemons = set([cfg(a.port), cfg(b.port)]);
    const err = await failure(daemons.call('getblocktemplate', [{ rules: ['mweb', 'segwit'] }]));
    assert.equal(err.code, 'DAEMON_RPC');
    assert.equal(err.rpcCode, -8);
    assert.equal(b.requests.length, 0);
    assert.equal(daemons.health()[0].up, true, 'a daemon that answers is up');
  });

  for (const [code, message] of [[-9, 'Litecoin Core is not connected!'], [-10, 'Litecoin Core is in initial sync and waiting for blocks...']] as const) {
    it(`fails over from a daemon that cannot serve templates (${code}: no peers, or still syncing)`, async () => {
      const a = await fake(rpcHandler(() => ({ code, message })));
      const b = await fake(answering('b'));
      const daemons = set([cfg(a.port), cfg(b.port)]);
      assert.equal(await daemons.call('getblocktemplate', [{ rules: ['mweb', 'segwit'] }]), 'b');
      assert.equal(daemons.health()[0].up, false, 'marked down until a probe finds it answering');
    });
  }

  it('a syncing daemon stays down: its probe repeats the template call, not a block count it would answer', async () => {
    let synced = false;
    const a = await fake(rpcHandler((method) => (method === 'getblocktemplate' && !synced ? { code: -10, message: 'Litecoin Core is in initial sync and waiting for blocks...' } : { result: 'a' })));
    const b = await fake(answering('b'));
    const daemons = set([cfg(a.port), cfg(b.port)]);
    assert.equal(await daemons.call('getblocktemplate', [{ rules: ['mweb', 'segwit'] }]), 'b');
    // Several probe delays (60 ms doubling to 200 ms in these tests) later it is still down.
    await sleep(500);
    assert.equal(daemons.health()[0].up, false);
    const probes = a.requests.slice(1).map((r) => (r.body as { method: string }).method);
    assert.ok(probes.length >= 2, `${probes.length} probes`);
    assert.ok(probes.every((m) => m === 'getblocktemplate'), JSON.stringify(probes));
    synced = true;
    await sleep(300);
    assert.equal(daemons.health()[0].up, true, 'up again once it serves templates');
  });

  it('treats a warming-up daemon (-28) as unavailable', async () => {
    const a = await fake(rpcHandler(() => ({ code: -28, message: 'Loading block index...' })));
    const b = await fake(answering('b'));
    const daemons = set([cfg(a.port), cfg(b.port)]);
    assert.equal(await daemons.callRaw('getblockcount'), 'b');
    assert.equal(daemons.health()[0].up, false);
  });

  it('never sends a timed-out submitblock to another daemon', async () => {
    const a = await fake(hanging);
    const b = await fake(answering('b'));
    const daemons = set([cfg(a.port), cfg(b.port)]);
    const err = await failure(daemons.call('submitblock', ['00']));
    assert.equal(err.code, 'DAEMON_TIMEOUT');
    assert.equal(err.requestSent, true);
    assert.equal(b.requests.length, 0);
  });

  it('moves a submitblock on when the connection was refused (it never left)', async () => {
    const port = await closedPort();
    const b = await fake(answering('b'));
    const daemons = set([cfg(port), cfg(b.port)]);
    assert.equal(await daemons.call('submitblock', ['00']), 'b');
  });

  it('reports DAEMON_ALL_DOWN with every cause when no daemon is reachable', async () => {
    const daemons = set([cfg(await closedPort()), cfg(await closedPort())]);
    const err = await failure(daemons.callRaw('getblockcount'));
    assert.equal(err.code, 'DAEMON_ALL_DOWN');
    assert.equal(err.causes.length, 2);
    assert.ok(err.causes.every((c) => c.code === 'DAEMON_NETWORK'));
    // With every daemon down the set still tries them (a lone daemon must not be locked out until the next probe).
    const again = await failure(daemons.callRaw('getblockcount'));
    assert.equal(again.causes.length, 2);
  });

  it('callAll sends to every daemon that is up and reports each answer', async () => {
    const a = await fake(rpcHandler(() => ({ result: null })));
    const b = await fake(rpcHandler(() => ({ result: 'inconclusive' })));
    const c = await fake(rpcHandler(() => ({ code: -22, message: 'Block decode failed' })));
    const daemons = set([cfg(a.port), cfg(b.port), cfg(c.port)]);
    const answers = await daemons.callAll('submitblock', ['00']);
    assert.deepEqual(
      answers.map((x) => (x.ok ? x.result : x.error.rpcCode)),
      [null, 'inconclusive', -22],
    );
    assert.deepEqual(
      answers.map((x) => x.daemon),
      daemons.daemons,
    );
    for (const d of [a, b, c]) assert.equal(d.requests.length, 1);
  });

  it('callAll skips a daemon already known to be down', async () => {
    const a = await fake(hanging);
    const b = await fake(rpcHandler(() => ({ result: null })));
    const daemons = set([cfg(a.port), cfg(b.port)], [], { probeMinMs: 10_000, probeMaxMs: 10_000 });
    await daemons.callRaw('getblockcount');
    const started = Date.now();
    const answers = await daemons.callAll('submitblock', ['00']);
    assert.ok(Date.now() - started < TIMEOUT / 2);
    assert.deepEqual(answers, [{ daemon: `127.0.0.1:${b.port}`, ok: true, result: null }]);
    assert.equal(a.requests.length, 1, 'only the first getblockcount reached the hanging daemon');
  });
});
