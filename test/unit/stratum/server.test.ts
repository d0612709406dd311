import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DisconnectEvent, ShareEvent } from '../../../src/stratum/events.js';
import type { ShareOutcome, ShareSubmission } from '../../../src/mining/types.js';
import { BANNING_OFF, GOOD_ADDRESS, makeJob, startServer, TestBackend, TestClient, withServer } from './harness.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { selfSignedCertificate } from '../../helpers/tls-files.js';

const RIG = `${GOOD_ADDRESS}.rig1`;

test('broadcastJob sends one identical notify line to every ready miner, and set_difficulty only where it changed', async () => {
  await withServer(
    async ({ client, server }) => {
      const miners = await Promise.all([client(), client(), client()]);
      for (const m of miners) await m.login(RIG);
      const idle = await client();
      await idle.request('mining.subscribe', []);
      // One miner's difficulty changes before the broadcast.
      await miners[2].request('mining.suggest_difficulty', [64]);
      await miners[2].until(() => (miners[2].notifications('mining.set_difficulty').length === 2 ? true : undefined));
      const diffCounts = miners.map((m) => m.notifications('mining.set_difficulty').length);

      assert.equal(server.broadcastJob(makeJob('b1', true, 200)), 3, 'written to the three ready miners');
      const lines = await Promise.all(
        miners.map((m) => m.until(() => m.lines.find((l) => l.includes('"b1"')))),
      );
      assert.equal(new Set(lines).size, 1, 'byte-identical notify for everyone');
      assert.deepEqual(JSON.parse(lines[0]).params.slice(-1), [true]);
      assert.equal(idle.notifications('mining.notify').length, 0, 'not authorized: no job');
      assert.deepEqual(
        miners.map((m) => m.notifications('mining.set_difficulty').length),
        diffCounts,
        'no redundant set_difficulty on broadcast',
      );
      assert.equal(server.stats().miners, 3);
      assert.equal(server.stats().connections, 4);
    },
    { difficulty: { diff: 8, varDiff: { minDiff: 1, maxDiff: 1000, targetTime: 10, retargetTime: 60, variancePercent: 30, maxChangeFactor: 4 } } },
  );
});

test('vardiff over TCP: a fast miner gets a higher set_difficulty right after its answer, applying to new jobs', async () => {
  let now = 1_000_000;
  await withServer(
    async ({ client, server, backend }) => {
      const c = await client();
      await c.login(RIG);
      for (let i = 0; i < 16; i += 1) {
        now += 100;
        assert.equal((await c.submit(RIG, '00000001')).result, true);
      }
      const diff = await c.until(() => c.notifications('mining.set_difficulty')[1]);
      assert.deepEqual(diff.params, [32]);
      const lastSubmitAnswer = c.messages.findLastIndex((m) => m.result === true);
      assert.ok(c.messages.indexOf(diff) > lastSubmitAnswer);
      server.broadcastJob(makeJob('2', false));
      await c.waitFor((m) => m.params?.[0] === '2');
      await c.submit(RIG, '00000001', '2');
      await c.submit(RIG, '00000001', '1');
      assert.deepEqual(
        backend.submissions.slice(-2).map((s) => s.difficulty),
        [32, 8],
      );
    },
    {
      clock: () => now,
      difficulty: { diff: 8, varDiff: { minDiff: 1, maxDiff: 1000, targetTime: 10, retargetTime: 60, variancePercent: 30, maxChangeFactor: 4 } },
    },
  );
});

test('a miner that stops reading is dropped once its unsent data passes the bound', async () => {
  await withServer(
    async ({ client, server }) => {
      const reader = await client();
      await reader.login(RIG);
      const slow = await client();
      await slow.login(RIG);
      slow.socket.pause();
      const reasons: string[] = [];
      server.on('disconnect', (e: DisconnectEvent) => reasons.push(e.reason));
      // ~40 MB in total: more than both kernels' socket buffers, so the server's own buffer must grow.
      for (let i = 0; i < 400; i += 1) {
        server.broadcastJob(makeJob(`big${i}`, false, 50_000));
        if (reasons.length > 0) break;
        await new Promise((r) => setImmediate(r));
      }
      assert.deepEqual(reasons, ['slow-reader']);
      assert.equal(server.connectionCount, 1);
      assert.equal(reader.closed, false);
      assert.equal((await reader.submit(RIG, '00000001')).result, true);
    },
    { maxWriteBufferBytes: 256 * 1024 },
  );
});

test('a miner that sends no share within the connection timeout is disconnected; one that shares stays', async () => {
  await withServer(
    async ({ client, server }) => {
      const silent = await client();
      await silent.login(RIG);
      const busy = await client();
      await busy.login(RIG);
      const reasons: DisconnectEvent[] = [];
      server.on('disconnect', (e) => reasons.push(e));
      const started = Date.now();
      // Subscribe/authorize traffic is not activity: keep the silent one chatting.
      while (Date.now() - started < 900) {
        await busy.submit(RIG, '00000023');
        if (!silent.closed) await silent.request('mining.extranonce.subscribe', []).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(silent.closed, true);
      assert.equal(busy.closed, false);
      assert.deepEqual(reasons.map((e) => e.reason), ['idle-timeout']);
    },
    { connectionTimeoutSec: 0.4 },
  );
});

test('too many malformed lines close the connection and ban the IP; a banned IP is refused at connect', async () => {
  const banning = { ...BANNING_OFF, enabled: true, malformedLimit: 3, time: 60 };
  await withServer(
    async ({ client, server }) => {
      const c = await client();
      c.send('x\nx\nx\n');
      await c.until(() => (c.messages.length === 3 ? true : undefined));
      assert.equal(c.closed, false, 'at the limit, still connected');
      c.send('x\n');
      assert.equal(await c.waitClosed(), true);
      assert.equal(server.banList.isBanned('127.0.0.1'), true);
      const again = await TestClient.connect(server);
      assert.equal(await again.waitClosed(), true);
      assert.equal(again.messages.length, 0);
      assert.equal(server.stats().refusedBanned, 1);
      server.banList.unban('127.0.0.1');
      const after = await client();
      await after.login(RIG);
    },
    { banning },
  );
});

test('an IP whose shares are mostly invalid is banned and its connections dropped', async () => {
  const banning = { ...BANNING_OFF, enabled: true, checkThreshold: 10, invalidPercent: 50 };
  await withServer(
    async ({ client, server }) => {
      const other = await client();
      await other.login(RIG);
      const c = await client();
      await c.login(RIG);
      const bans: unknown[] = [];
      server.on('ban', (b) => bans.push(b));
      for (let i = 0; i < 4; i += 1) await c.submit(RIG, '00000001');
      for (let i = 0; i < 5; i += 1) await c.submit(RIG, '00000022');
      assert.equal(c.closed, false);
      // The tenth share, invalid, tips the ratio to 60%: its answer arrives, then the connection goes.
      const last = await c.submit(RIG, '00000023');
      assert.equal((last.error as unknown[])[0], 23);
      assert.equal(await c.waitClosed(), true);
      assert.equal(await other.waitClosed(), true, 'same IP');
      assert.deepEqual(bans, [{ ip: '127.0.0.1', seconds: 60, reason: 'invalid-shares' }]);
    },
    { banning },
  );
});

test('share events carry the submission and outcome; closing releases extranonce1 and drops everyone', async () => {
  await withServer(async ({ client, server, backend }) => {
    const shares: ShareEvent[] = [];
    server.on('share', (e) => shares.push(e));
    const a = await client();
    const { extranonce1 } = await a.login(RIG);
    await a.submit(RIG, '00000022');
    assert.equal(shares.length, 1);
    assert.equal(shares[0].submission.extranonce1, extranonce1);
    assert.deepEqual(shares[0].outcome, { ok: false, code: 22, reason: 'duplicate', message: 'Duplicate share' });
    assert.ok(shares[0].latencyMs >= 0);
    assert.equal(server.stats().sharesRejected, 1);
    a.close();
    for (let i = 0; i < 100 && backend.released.length === 0; i += 1) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(backend.released, [extranonce1]);

    const b = await client();
    await b.login(RIG);
    await server.close();
    assert.equal(await b.waitClosed(), true);
    assert.equal(server.connectionCount, 0);
  });
});

/** Holds the verdict of nonce 00000001 until release(): a share whose Redis acknowledgement is slow. */
class GatedBackend extends TestBackend {
  private opened!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.opened = resolve));
  /** Nonces in the order the server handed them over (the base class notes a share only once it is judged). */
  readonly received: string[] = [];

  release(): void {
    this.opened();
  }

  override async submitShare(share: ShareSubmission): Promise<ShareOutcome> {
    this.received.push(share.nonce);
    if (share.nonce === '00000001') await this.gate;
    return super.submitShare(share);
  }
}

test('shares pipelined behind a slow one are checked at once, and every answer still leaves in request order', async () => {
  const backend = new GatedBackend();
  await withServer(
    async ({ client }) => {
      const c = await client();
      await c.login(RIG);
      const before = c.messages.length;
      const submit = (id: number, nonce: string) =>
        JSON.stringify({ id, method: 'mining.submit', params: [RIG, '1', '00000000', '6553f100', nonce] }) + '\n';
      c.send(
        submit(1, '00000001') +
          submit(2, '00000022') +
          JSON.stringify({ id: 3, method: 'mining.extranonce.subscribe', params: [] }) + '\n' +
          submit(4, '00000023') +
          JSON.stringify({ id: 5, method: 'no.such.method', params: [] }) + '\n',
      );
      // The later shares reach the backend while the first still waits: they are not serialized behind it.
      for (let i = 0; i < 200 && backend.received.length < 3; i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
      assert.deepEqual(backend.received, ['00000001', '00000022', '00000023']);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(c.messages.length, before, 'nothing may be answered before the first share');
      backend.release();
      await c.until(() => (c.messages.length >= before + 5 ? true : undefined));
      const answers = c.messages.slice(before);
      assert.deepEqual(answers.map((m) => m.id), [1, 2, 3, 4, 5]);
      assert.equal(answers[0].result, true);
      assert.equal((answers[1].error as unknown[])[0], 22);
      assert.equal(answers[2].result, true);
      assert.equal((answers[3].error as unknown[])[0], 23);
      assert.equal((answers[4].error as unknown[])[0], 20);
    },
    {},
    backend,
  );
});

test('handOver moves connected miners to a successor server: same socket, its difficulty, a clean job from its backend', async () => {
  const oldBackend = new TestBackend();
  const newBackend = new TestBackend();
  newBackend.job = makeJob('10001', true);
  const predecessor = await startServer(oldBackend);
  const successor = await startServer(newBackend, { difficulty: { diff: 32, varDiff: null } });
  const c = await TestClient.connect(predecessor);
  try {
    await c.login(RIG);
    predecessor.stopAccepting();
    assert.equal(predecessor.handOver(successor), 1);
    await c.until(() => c.lines.find((l) => l.includes('"10001"')));
    assert.deepEqual(c.notifications('mining.set_difficulty').at(-1)?.params, [32]);
    assert.equal(c.closed, false);
    assert.equal((await c.submit(RIG, '00000001', '10001')).result, true);
    assert.equal(newBackend.submissions.length, 1, 'the successor\'s backend judged the share');
    assert.equal(oldBackend.submissions.length, 0);
    assert.equal(successor.connectionCount, 1);
    // The predecessor closes without touching the miner it handed over.
    await predecessor.close();
    assert.equal(await c.waitClosed(200), false);
  } finally {
    c.close();
    await predecessor.close();
    await successor.close();
  }
});

test('handOver to a vardiff port keeps what is known of each miner: its learned vardiff difficulty, else its suggestion', async () => {
  const vardiff = (minDiff: number, maxDiff: number) => ({ minDiff, maxDiff, targetTime: 10, retargetTime: 60, variancePercent: 30, maxChangeFactor: 4 });
  const fixedPort = await startServer(new TestBackend(), { difficulty: { diff: 8, varDiff: null } });
  const vardiffPort = await startServer(new TestBackend(), { difficulty: { diff: 8, varDiff: vardiff(1, 1000) } });
  const fixedSuccessor = await startServer(new TestBackend(), { difficulty: { diff: 16, varDiff: vardiff(1, 1000) } });
  const vardiffSuccessor = await startServer(new TestBackend(), { difficulty: { diff: 16, varDiff: vardiff(1, 100) } });
  const suggester = await TestClient.connect(fixedPort);
  const silent = await TestClient.connect(fixedPort);
  const learner = await TestClient.connect(vardiffPort);
  try {
    await suggester.login();
    await silent.login(`${GOOD_ADDRESS}.rig2`);
    assert.equal((await suggester.request('mining.suggest_difficulty', [64])).result, true);
    // A fixed port acknowledges a suggestion without applying it.
    assert.deepEqual(suggester.notifications('mining.set_difficulty').map((m) => m.params), [[8]]);
    await learner.login();
    assert.equal((await learner.request('mining.suggest_difficulty', [500])).result, true);
    await learner.until(() => learner.notifications('mining.set_difficulty').find((m) => m.params?.[0] === 500));

    fixedPort.stopAccepting();
    vardiffPort.stopAccepting();
    assert.equal(fixedPort.handOver(fixedSuccessor), 2);
    assert.equal(vardiffPort.handOver(vardiffSuccessor), 1);
    await suggester.until(() => suggester.notifications('mining.set_difficulty').find((m) => m.params?.[0] === 64));
    await silent.until(() => silent.notifications('mining.set_difficulty').find((m) => m.params?.[0] === 16));
    // 500 was learned on the old port; the new port's maximum is 100.
    await learner.until(() => learner.notifications('mining.set_difficulty').find((m) => m.params?.[0] === 100));
    assert.deepEqual(suggester.notifications('mining.set_difficulty').map((m) => m.params), [[8], [64]]);
    assert.deepEqual(silent.notifications('mining.set_difficulty').map((m) => m.params), [[8], [16]]);
  } finally {
    for (const c of [suggester, silent, learner]) c.close();
    await Promise.all([fixedPort, vardiffPort, fixedSuccessor, vardiffSuccessor].map((s) => s.close()));
  }
});

test('a TLS port: a miner trusting the pool certificate logs in and mines over TLS; plain TCP there reaches no stratum', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'headframe-tls-'));
  try {
    const files = await selfSignedCertificate(dir);
    const backend = new TestBackend();
    const server = await startServer(backend, { tls: files });
    try {
      const miner = await TestClient.connectTls(server, readFileSync(files.cert));
      assert.equal((miner.socket as TLSSocket).authorized, true, 'the certificate verifies against the test CA');
      await miner.login(RIG);
      assert.equal((await miner.submit(RIG, '00000001')).result, true);
      assert.equal(backend.submissions.length, 1);
      server.broadcastJob(makeJob('t2', true));
      await miner.waitFor((m) => m.params?.[0] === 't2');
      miner.close();

      // A miner that forgot TLS: its JSON is no handshake, the socket is dropped without a stratum answer.
      const plain = await TestClient.connect(server);
      plain.send(JSON.stringify({ id: 1, method: 'mining.subscribe', params: [] }) + '\n');
      assert.equal(await plain.waitClosed(5000), true);
      assert.equal(plain.messages.length, 0);
      assert.equal(server.connectionCount, 0);
    } finally {
      await server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PROXY protocol from a trusted proxy: the miner is the address in the header (connect event, bans); others cannot claim one', async () => {
  const trusting = await startServer(new TestBackend(), { trustedProxies: ['127.0.0.1'] });
  const direct = await startServer(new TestBackend(), { trustedProxies: ['192.0.2.99'] });
  const connects: string[] = [];
  trusting.on('connect', (event) => connects.push(event.ip));
  try {
    const header = (ip: string) => `PROXY TCP4 ${ip} 127.0.0.1 40000 ${trusting.port}\r\n`;
    const subscribe = JSON.stringify({ id: 1, method: 'mining.subscribe', params: [] }) + '\n';
    // Header and first request in one packet, as a load balancer sends them.
    const proxied = await TestClient.connect(trusting);
    proxied.send(header('203.0.113.7') + subscribe);
    const answer = await proxied.waitFor((m) => m.id === 1);
    assert.equal(answer.error, null);
    assert.deepEqual(connects, ['203.0.113.7']);
    await proxied.login(RIG);

    // A ban names the miner, not the proxy: the banned miner is refused, another miner behind the proxy is not.
    trusting.banList.banIp('203.0.113.7', 600);
    const again = await TestClient.connect(trusting);
    again.send(header('203.0.113.7') + subscribe);
    assert.equal(await again.waitClosed(2000), true);
    const neighbour = await TestClient.connect(trusting);
    neighbour.send(header('203.0.113.8') + subscribe);
    assert.equal((await neighbour.waitFor((m) => m.id === 1)).error, null);
    assert.deepEqual(connects, ['203.0.113.7', '203.0.113.8']);

    // From the trusted proxy, no header: dropped without a stratum answer.
    const headerless = await TestClient.connect(trusting);
    headerless.send(subscribe);
    assert.equal(await headerless.waitClosed(2000), true);
    assert.equal(headerless.messages.length, 0);

    // From a peer that is not a trusted proxy, a header is just a malformed line: no address is taken from it.
    const spoofer = await TestClient.connect(direct);
    spoofer.send(header('198.51.100.1') + subscribe);
    const answers = await spoofer.until(() => (spoofer.messages.length >= 2 ? spoofer.messages : undefined));
    assert.equal(answers[1].id, 1);
    assert.equal(answers[1].error, null);
    for (const c of [proxied, neighbour, spoofer]) c.close();
  } finally {
    await trusting.close();
    await direct.close();
  }
});
