import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GOOD_ADDRESS, OTHER_ADDRESS, makeJob, withServer } from './harness.js';

const RIG = `${GOOD_ADDRESS}.rig1`;
const varDiff = { minDiff: 2, maxDiff: 1000, targetTime: 10, retargetTime: 60, variancePercent: 30, maxChangeFactor: 4 };

test('subscribe, authorize and submit: answer shapes, difficulty and clean job after authorize', async () => {
  await withServer(async ({ client, backend }) => {
    const c = await client();
    const sub = await c.request('mining.subscribe', ['cpuminer/2.5.1']);
    assert.equal(sub.error, null);
    const [subscriptions, extranonce1, en2Size] = sub.result as [string[][], string, number];
    assert.deepEqual(
      subscriptions.map((s) => s[0]),
      ['mining.set_difficulty', 'mining.notify'],
    );
    assert.match(extranonce1, /^[0-9a-f]{8}$/);
    assert.equal(en2Size, 4);
    // No work before authorize.
    assert.equal(c.notifications('mining.notify').length, 0);

    backend.job = makeJob('7', false);
    const auth = await c.request('mining.authorize', [RIG, 'x']);
    assert.deepEqual(auth, { id: 2, result: true, error: null });
    const notify = await c.waitFor((m) => m.method === 'mining.notify');
    const authIndex = c.messages.indexOf(auth);
    const diffIndex = c.messages.findIndex((m) => m.method === 'mining.set_difficulty');
    assert.ok(authIndex < diffIndex && diffIndex < c.messages.indexOf(notify), 'answer, then difficulty, then job');
    assert.deepEqual(c.messages[diffIndex].params, [8]);
    assert.equal(notify.id, null);
    assert.equal(notify.params?.[0], '7');
    assert.equal(notify.params?.[8], true, 'first job after authorize is clean even for a refresh job');

    const ok = await c.request('mining.submit', [RIG, '7', 'aabbccdd', '6553f100', '00000001', '00002000']);
    assert.deepEqual(ok, { id: 3, result: true, error: null });
    assert.equal(backend.submissions.length, 1);
    const s = backend.submissions[0];
    assert.deepEqual(
      { ...s, port: 0 },
      {
        jobId: '7',
        extranonce1,
        extranonce2: 'aabbccdd',
        ntime: '6553f100',
        nonce: '00000001',
        versionBits: '00002000',
        versionMask: 0,
        difficulty: 8,
        workerName: RIG,
        minerAddress: GOOD_ADDRESS,
        ip: '127.0.0.1',
        port: 0,
      },
    );
  });
});

test('backend rejections 21, 22 and 23 reach the miner unchanged', async () => {
  await withServer(async ({ client }) => {
    const c = await client();
    await c.login(RIG);
    for (const code of [21, 22, 23]) {
      const answer = await c.submit(RIG, `000000${code}`);
      assert.equal(answer.result, null);
      assert.equal((answer.error as unknown[])[0], code);
      assert.equal((answer.error as unknown[])[2], null);
    }
    assert.deepEqual((await c.submit(RIG, '00000023')).error, [23, 'Low difficulty share', null]);
  });
});

test('an invalid address is refused with 24 and gets no work', async () => {
  await withServer(async ({ client }) => {
    const c = await client();
    await c.request('mining.subscribe', []);
    const answer = await c.request('mining.authorize', ['notanaddress.rig', 'x']);
    assert.deepEqual(answer.error, [24, 'Unauthorized worker', null]);
    assert.equal(answer.result, null);
    const empty = await c.request('mining.authorize', ['.rig', 'x']);
    assert.equal((empty.error as unknown[])[0], 24);
    assert.equal(c.notifications('mining.notify').length, 0);
  });
});

test('a submit for a worker this connection never authorized is 24 and never reaches the backend', async () => {
  await withServer(async ({ client, backend }) => {
    const owner = await client();
    await owner.login(`${OTHER_ADDRESS}.victim`);
    const thief = await client();
    await thief.login(RIG);
    const answer = await thief.submit(`${OTHER_ADDRESS}.victim`, '00000001');
    assert.deepEqual(answer.error, [24, 'Unauthorized worker', null]);
    assert.equal(backend.submissions.length, 0);
    // The same connection may authorize a second name and then submit for it.
    assert.equal((await thief.request('mining.authorize', [GOOD_ADDRESS, ''])).result, true);
    assert.equal((await thief.submit(GOOD_ADDRESS, '00000001')).result, true);
    assert.equal(backend.submissions[0].workerName, GOOD_ADDRESS);
  });
});

test('a login in another spelling of an address is credited to the canonical spelling; the miner keeps submitting as it typed', async () => {
  await withServer(async ({ client, backend }) => {
    const c = await client();
    const typed = `${GOOD_ADDRESS.toUpperCase()}.Rig.A`;
    await c.login(typed);
    assert.equal((await c.submit(typed, '00000001')).result, true);
    assert.equal(backend.submissions[0].minerAddress, GOOD_ADDRESS);
    // The worker part keeps its own case and dots; only the address part is respelled.
    assert.equal(backend.submissions[0].workerName, `${GOOD_ADDRESS}.Rig.A`);
    // The canonical spelling is a different login on the wire: not authorized by this connection.
    assert.equal(((await c.submit(`${GOOD_ADDRESS}.Rig.A`, '00000002')).error as unknown[])[0], 24);
  });
});

test('submit before subscribe is 25', async () => {
  await withServer(async ({ client, backend }) => {
    const c = await client();
    const answer = await c.submit(RIG, '00000001');
    assert.deepEqual(answer.error, [25, 'Not subscribed', null]);
    // Authorized but not subscribed is still 25.
    await c.request('mining.authorize', [RIG, 'x']);
    assert.equal(((await c.submit(RIG, '00000001')).error as unknown[])[0], 25);
    assert.equal(backend.submissions.length, 0);
  });
});

test('unknown methods get 20 with their name; get_transactions and extranonce.subscribe answer', async () => {
  await withServer(async ({ client }) => {
    const c = await client();
    assert.deepEqual((await c.request('mining.frobnicate', [])).error, [20, 'Unsupported method mining.frobnicate', null]);
    assert.deepEqual(await c.request('mining.get_transactions', ['1']), { id: 2, result: [], error: null });
    assert.deepEqual(await c.request('mining.extranonce.subscribe', []), { id: 3, result: true, error: null });
  });
});

test('mining.configure answers version-rolling with pool mask AND miner mask, unknown extensions false', async () => {
  await withServer(async ({ client, backend }) => {
    const c = await client();
    const answer = await c.request('mining.configure', [
      ['version-rolling', 'minimum-difficulty'],
      { 'version-rolling.mask': 'ffffe000', 'version-rolling.min-bit-count': 2, 'minimum-difficulty.value': 64 },
    ]);
    assert.deepEqual(answer.result, {
      'version-rolling': true,
      'version-rolling.mask': '1fffe000',
      'minimum-difficulty': false,
    });
    const narrow = await c.request('mining.configure', [['version-rolling'], { 'version-rolling.mask': '00ff0000' }]);
    assert.deepEqual(narrow.result, { 'version-rolling': true, 'version-rolling.mask': '00ff0000' });
    await c.login(RIG);
    await c.submit(RIG, '00000001');
    assert.equal(backend.submissions[0].versionMask, 0x00ff0000);
  });
});

test('notifications (no id) are handled but never answered', async () => {
  await withServer(async ({ client }) => {
    const c = await client();
    c.send('{"method":"mining.subscribe","params":[]}\n{"id":null,"method":"mining.bogus","params":[]}\n');
    const answer = await c.request('mining.authorize', [RIG, 'x']);
    assert.equal(answer.result, true);
    // Subscribed through the notification: authorize now delivers work.
    await c.waitFor((m) => m.method === 'mining.notify');
    assert.equal(c.messages.filter((m) => 'result' in m).length, 1);
  });
});

test('suggest_difficulty and d= are clamped into the vardiff range; fixed ports ignore them', async () => {
  await withServer(
    async ({ client }) => {
      const c = await client();
      await c.request('mining.subscribe', []);
      await c.request('mining.authorize', [RIG, 'x,d=64']);
      await c.waitFor((m) => m.method === 'mining.notify');
      assert.deepEqual(c.notifications('mining.set_difficulty').at(-1)?.params, [64]);
      assert.equal((await c.request('mining.suggest_difficulty', [1e9])).result, true);
      await c.until(() => (c.notifications('mining.set_difficulty').length === 2 ? true : undefined));
      assert.deepEqual(c.notifications('mining.set_difficulty').at(-1)?.params, [1000]);
    },
    { difficulty: { diff: 8, varDiff } },
  );
  await withServer(async ({ client }) => {
    const c = await client();
    await c.request('mining.subscribe', []);
    await c.request('mining.authorize', [RIG, 'd=64']);
    await c.waitFor((m) => m.method === 'mining.notify');
    assert.equal((await c.request('mining.suggest_difficulty', [512])).result, true);
    assert.deepEqual(
      c.notifications('mining.set_difficulty').map((m) => m.params),
      [[8]],
    );
  });
});

test('a share is judged at min(difficulty when its job was sent, current difficulty)', async () => {
  await withServer(
    async ({ client, backend, server }) => {
      const c = await client();
      await c.request('mining.subscribe', []);
      await c.request('mining.authorize', [RIG, 'x']);
      await c.waitFor((m) => m.method === 'mining.notify');
      // Job 1 went out at 8. Raise to 32, then job 2 goes out at 32.
      await c.request('mining.suggest_difficulty', [32]);
      server.broadcastJob(makeJob('2', false));
      await c.waitFor((m) => m.method === 'mining.notify' && m.params?.[0] === '2');
      await c.submit(RIG, '00000001', '1');
      await c.submit(RIG, '00000001', '2');
      // Lowering to 4 applies to job 2's in-flight work as well.
      await c.request('mining.suggest_difficulty', [4]);
      await c.submit(RIG, '00000001', '2');
      // A job this miner never received is judged at the current difficulty (the backend calls it stale).
      await c.submit(RIG, '00000021', 'zz');
      assert.deepEqual(
        backend.submissions.map((s) => [s.jobId, s.difficulty]),
        [
          ['1', 8],
          ['2', 32],
          ['2', 4],
          ['zz', 4],
        ],
      );
    },
    { difficulty: { diff: 8, varDiff } },
  );
});
