import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GOOD_ADDRESS, withServer, type Message, type Scene, type TestClient } from './harness.js';

const RIG = `${GOOD_ADDRESS}.rig1`;

/** A logged-in miner that must keep working through whatever the hostile client does. */
async function bystander(scene: Scene): Promise<TestClient> {
  const c = await scene.client();
  await c.login(RIG);
  return c;
}

async function assertBystanderWorks(c: TestClient): Promise<void> {
  assert.equal(c.closed, false);
  assert.deepEqual((await c.submit(RIG, '00000001')).result, true);
}

/** Sends raw lines and resolves with the answers to them (each expected to answer exactly once). */
async function answersTo(c: TestClient, lines: string[]): Promise<Message[]> {
  const before = c.messages.length;
  c.send(lines.map((l) => l + '\n').join(''));
  await c.until(() => (c.messages.length >= before + lines.length ? true : undefined));
  return c.messages.slice(before);
}

test('garbage bytes, invalid JSON and non-object JSON are answered with 20 and never crash the server', async () => {
  await withServer(async (scene) => {
    const miner = await bystander(scene);
    const c = await scene.client();
    const lines = [
      '\u0000\u00ff\u0013garbage',
      '{"id":1,"method":',
      '[1,2,3]',
      '"mining.subscribe"',
      '12345',
      'null',
      'true',
      '{"id":{"a":1},"method":"mining.subscribe","params":[]}',
      '{"id":2}',
      '{"id":3,"method":42,"params":[]}',
      '{"id":1e999,"method":"mining.subscribe","params":[]}',
    ];
    const answers = await answersTo(c, lines);
    assert.equal(answers.length, lines.length);
    for (const a of answers) {
      assert.equal(a.result, null);
      assert.equal((a.error as unknown[])[0], 20);
    }
    assert.deepEqual(answers[0].error, [20, 'Invalid JSON', null]);
    assert.equal(answers[8].id, 2, 'a request without method still gets its own id back');
    // Invalid UTF-8 and binary without a newline do not hold the connection hostage either.
    c.send(Buffer.from([0xc3, 0x28, 0x0a]));
    await c.until(() => (c.messages.length === lines.length + 1 ? true : undefined));
    assert.equal(c.closed, false);
    assert.equal(scene.server.stats().malformedLines, lines.length + 1);
    await assertBystanderWorks(miner);
  });
});

test('a line over maxLineBytes, or a megabyte without newline, closes the connection', async () => {
  await withServer(
    async (scene) => {
      const miner = await bystander(scene);
      const long = await scene.client();
      long.send(`{"id":1,"method":"mining.subscribe","params":["${'a'.repeat(5000)}"]}\n`);
      assert.equal(await long.waitClosed(), true);
      assert.equal(long.messages.length, 0);

      const flood = await scene.client();
      const megabyte = Buffer.alloc(1024 * 1024, 0x61);
      flood.send(megabyte);
      assert.equal(await flood.waitClosed(), true);

      // Trickled a little at a time, the unfinished line is still measured as a whole.
      const trickle = await scene.client();
      for (let i = 0; i < 6; i += 1) {
        trickle.send('b'.repeat(1000));
        await new Promise((r) => setTimeout(r, 5));
      }
      assert.equal(await trickle.waitClosed(), true);
      assert.equal(scene.server.connectionCount, 1);
      await assertBystanderWorks(miner);
    },
    { maxLineBytes: 4096 },
  );
});

test('missing, null, short, numeric, object and oversized params on every method: 20, never an exception', async () => {
  await withServer(async (scene) => {
    const miner = await bystander(scene);
    const c = await scene.client();
    await c.login(RIG);
    const huge = 1e308 * 10;
    const bad: Array<[string, unknown]> = [
      ['mining.subscribe', 5],
      ['mining.subscribe', { agent: 'x' }],
      ['mining.subscribe', [{ a: 1 }]],
      ['mining.subscribe', [123456789012345678901234567890]],
      ['mining.authorize', undefined],
      ['mining.authorize', null],
      ['mining.authorize', []],
      ['mining.authorize', [123]],
      ['mining.authorize', { user: RIG }],
      ['mining.authorize', [[RIG], 'x']],
      ['mining.authorize', [RIG, { pass: 1 }]],
      ['mining.authorize', ['a'.repeat(300)]],
      ['mining.submit', undefined],
      ['mining.submit', null],
      ['mining.submit', [RIG, '1', '00000000', '6553f100']],
      ['mining.submit', [RIG, '1', '00000000', '6553f100', 12345]],
      ['mining.submit', [RIG, 1, '00000000', '6553f100', '00000001']],
      ['mining.submit', [RIG, '1', null, '6553f100', '00000001']],
      ['mining.submit', [RIG, '1', {}, '6553f100', '00000001']],
      ['mining.submit', [RIG, '1', '00000000', '6553f100', '00000001', ['x']]],
      ['mining.submit', [RIG, '1', '00000000', '6553f100', '00000001', '0', '0']],
      ['mining.submit', [RIG, '1', '00000000', '6553f100', 'f'.repeat(100)]],
      ['mining.submit', { worker: RIG }],
      ['mining.submit', 42],
      ['mining.configure', undefined],
      ['mining.configure', [null]],
      ['mining.configure', ['version-rolling']],
      ['mining.configure', [[1, 2]]],
      ['mining.configure', [['version-rolling'], 'mask']],
      ['mining.configure', [['version-rolling'], []]],
      ['mining.suggest_difficulty', undefined],
      ['mining.suggest_difficulty', [null]],
      ['mining.suggest_difficulty', ['512']],
      ['mining.suggest_difficulty', [huge]],
      ['mining.suggest_difficulty', [-1]],
      ['mining.suggest_difficulty', 512],
    ];
    const lines = bad.map(([method, params], i) =>
      params === undefined ? JSON.stringify({ id: i + 100, method }) : JSON.stringify({ id: i + 100, method, params }),
    );
    const answers = await answersTo(c, lines);
    assert.equal(answers.length, bad.length);
    answers.forEach((a, i) => {
      assert.equal(a.id, i + 100, `answer ${i} in order`);
      assert.equal(a.result, null, `${bad[i][0]} ${JSON.stringify(bad[i][1])}`);
      assert.equal((a.error as unknown[])[0], 20, `${bad[i][0]} ${JSON.stringify(bad[i][1])}`);
      assert.equal(typeof (a.error as unknown[])[1], 'string');
    });
    assert.equal(scene.backend.submissions.length, 0, 'no malformed submit reached the backend');
    // Numbers the JSON parser turns into Infinity or loses precision on never reach a handler as a crash.
    c.send('{"id":99999999999999999999999999999999999,"method":"mining.suggest_difficulty","params":[1e400]}\n');
    const last = await c.waitFor((m) => m.id === 1e35);
    assert.equal((last.error as unknown[])[0], 20);
    // The connection still works after all of that.
    assert.equal((await c.submit(RIG, '00000001')).result, true);
    await assertBystanderWorks(miner);
  });
});

test('a thousand pipelined requests in one packet are all answered, in order, around async submits', async () => {
  await withServer(async (scene) => {
    const miner = await bystander(scene);
    const c = await scene.client();
    await c.login(RIG);
    const before = c.messages.length;
    const lines: string[] = [];
    for (let i = 0; i < 1000; i += 1) {
      const id = 1000 + i;
      // Every third request is an async submit; the ones after it must still wait their turn.
      if (i % 3 === 0) lines.push(JSON.stringify({ id, method: 'mining.submit', params: [RIG, '1', '00000000', '6553f100', '00000001'] }));
      else if (i % 3 === 1) lines.push(JSON.stringify({ id, method: 'mining.extranonce.subscribe', params: [] }));
      else lines.push(JSON.stringify({ id, method: 'mining.nope', params: [] }));
    }
    c.send(lines.join('\n') + '\n');
    await c.until(() => (c.messages.length >= before + 1000 ? true : undefined), 5000);
    const answers = c.messages.slice(before);
    assert.deepEqual(
      answers.map((a) => a.id),
      lines.map((_, i) => 1000 + i),
    );
    answers.forEach((a, i) => {
      if (i % 3 === 2) assert.equal((a.error as unknown[])[0], 20);
      else assert.deepEqual([a.result, a.error], [true, null]);
    });
    assert.equal(scene.backend.submissions.length, 334);
    await assertBystanderWorks(miner);
  });
});
