// The CLI listener over real TCP on 127.0.0.1: every line gets exactly one answer, hostile input included.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { exchangeLines } from '../../helpers/line-exchange.js';
import { waitFor } from '../../helpers/processes.js';
import { connect } from 'node:net';
import { CliServer, type CliOutcome } from '../../../src/ipc/cli-server.js';
import type { CliCommand } from '../../../src/ipc/cli-protocol.js';
import { CLI_MAX_LINE_BYTES, parseCliLine } from '../../../src/ipc/cli-protocol.js';
import { createLogger } from '../../../src/log/logger.js';

const HASH = 'ab'.repeat(32);
const logger = createLogger({ level: 'error', context: { role: 'test' } });

describe('CLI line parsing', () => {
  test('accepts each command with its arguments and lower-cases hashes', () => {
    const parsed = parseCliLine(JSON.stringify({ id: 3, command: 'blocknotify', args: ['litecoin', HASH.toUpperCase()] }));
    assert.deepEqual(parsed, { ok: true, request: { id: 3, secret: null, command: { command: 'blocknotify', coin: 'litecoin', blockHash: HASH } } });
    assert.equal(parseCliLine('{"command":"status"}').ok, true);
    const sw = parseCliLine('{"command":"coinswitch","args":["scrypt","litecoin2"],"secret":"s3cret-value"}');
    assert.ok(sw.ok && sw.request.secret === 's3cret-value' && sw.request.command.command === 'coinswitch');
  });

  const bad: [string, string, RegExp][] = [
    ['not JSON', 'blocknotify litecoin x', /bad JSON/],
    ['an array', '[1,2]', /must be a JSON object/],
    ['a number', '42', /must be a JSON object/],
    ['unknown command', '{"command":"rm","args":[]}', /unknown command "rm"/],
    ['command not a string', '{"command":5}', /bad request/],
    ['args not an array', '{"command":"status","args":"x"}', /bad request/],
    ['too few args', '{"command":"blocknotify","args":["litecoin"]}', /usage: blocknotify <coin> <blockhash>/],
    ['too many args', '{"command":"status","args":["x"]}', /bad arguments for status/],
    ['short hash', '{"command":"blocknotify","args":["litecoin","abcd"]}', /64 hex digits/],
    ['number as coin', `{"command":"blocknotify","args":[7,"${HASH}"]}`, /bad arguments/],
    ['path in a name', '{"command":"reloadpool","args":["../etc"]}', /must be a name/],
    ['secret not a string', '{"command":"status","secret":1}', /bad request/],
  ];
  for (const [what, line, error] of bad) {
    test(`answers an error for ${what}`, () => {
      const parsed = parseCliLine(line);
      assert.equal(parsed.ok, false);
      if (!parsed.ok) {
        assert.equal(parsed.answer.ok, false);
        assert.match((parsed.answer as { error: string }).error, error);
      }
    });
  }

  test('echoes a usable id even on errors', () => {
    const parsed = parseCliLine('{"id":"abc","command":"nope"}');
    assert.ok(!parsed.ok && parsed.answer.id === 'abc');
  });
});

describe('CLI server', () => {
  const seen: CliCommand[] = [];
  let server: CliServer;
  let secured: CliServer;
  const handler = async (command: CliCommand): Promise<CliOutcome> => {
    seen.push(command);
    if (command.command === 'reloadpool' && command.pool === 'boom') throw new Error('handler blew up');
    if (command.command === 'reloadpool' && command.pool === 'slow') return new Promise(() => undefined);
    if (command.command === 'reloadpool') return { ok: false, error: 'broken', problems: ['pool_configs/x.json: ports: required'] };
    return { ok: true, result: { echo: command.command } };
  };

  before(async () => {
    server = new CliServer({ host: '127.0.0.1', port: 0, secret: null, handler, logger, commandTimeoutMs: 300 });
    secured = new CliServer({ host: '127.0.0.1', port: 0, secret: 'correct horse', handler, logger });
    await server.listen();
    await secured.listen();
  });
  after(async () => {
    await server.close();
    await secured.close();
  });

  test('answers pipelined lines in order, garbage included, on one connection', async () => {
    const lines = [
      '{"id":1,"command":"status"}',
      'garbage',
      '{"id":2,"command":"blocknotify","args":[1,2]}',
      '',
      `{"id":3,"command":"blocknotify","args":["litecoin","${HASH}"]}`,
      '{"id":4,"command":"reloadpool","args":["x"]}',
    ];
    const { answers } = await exchangeLines(server.port, lines.join('\n') + '\n', 5);
    assert.deepEqual(answers.map((a) => [a.id, a.ok]), [[1, true], [null, false], [2, false], [3, true], [4, false]]);
    assert.deepEqual(answers[4].problems, ['pool_configs/x.json: ports: required']);
  });

  test('a handler that throws or hangs costs an error answer, not the server', async () => {
    const { answers } = await exchangeLines(server.port, '{"id":1,"command":"reloadpool","args":["boom"]}\n{"id":2,"command":"reloadpool","args":["slow"]}\n{"id":3,"command":"status"}\n', 3);
    assert.match(String(answers[0].error), /internal error/);
    assert.match(String(answers[1].error), /did not finish within 300 ms/);
    assert.equal(answers[2].ok, true);
  });

  test('a line over the limit gets an error and the connection is closed', async () => {
    const huge = Buffer.alloc(CLI_MAX_LINE_BYTES * 3, 'a');
    const { answers, closed } = await exchangeLines(server.port, huge, 1);
    assert.match(String(answers[0].error), /line too long/);
    assert.ok(closed || answers.length === 1);
    // Still serving afterwards.
    const { answers: next } = await exchangeLines(server.port, '{"command":"status"}\n', 1);
    assert.equal(next[0].ok, true);
  });

  test('binary junk and invalid UTF-8 are answered, not thrown', async () => {
    const junk = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3]), Buffer.from('\n{"command":"status"}\n')]);
    const { answers } = await exchangeLines(server.port, junk, 2);
    assert.equal(answers[0].ok, false);
    assert.equal(answers[1].ok, true);
  });

  test('with a secret, requests without it or with a wrong one are refused', async () => {
    const before = seen.length;
    const { answers } = await exchangeLines(
      secured.port,
      '{"id":1,"command":"status"}\n{"id":2,"command":"status","secret":"wrong"}\n{"id":3,"command":"status","secret":"correct horse"}\n',
      3,
    );
    assert.deepEqual(answers.map((a) => a.ok), [false, false, true]);
    assert.match(String(answers[0].error), /unauthorized/);
    assert.equal(seen.length, before + 1, 'only the authorized request reached the handler');
  });

  test('a client that trickles a line is closed at the line deadline; a command longer than the idle timeout is still answered', async () => {
    let release!: () => void;
    const strict = new CliServer({
      host: '127.0.0.1',
      port: 0,
      secret: null,
      logger,
      idleTimeoutMs: 150,
      lineDeadlineMs: 300,
      handler: async (command) => {
        if (command.command === 'reloadpool') await new Promise<void>((resolve) => (release = resolve));
        return { ok: true, result: { echo: command.command } };
      },
    });
    await strict.listen();
    try {
      // A byte every 100 ms never lets the idle timeout fire; the line deadline closes it.
      const slow = connect(strict.port, '127.0.0.1');
      slow.on('error', () => undefined);
      const trickle = setInterval(() => slow.write('{'), 100);
      const started = Date.now();
      await new Promise((resolve) => slow.once('close', resolve));
      clearInterval(trickle);
      const lasted = Date.now() - started;
      assert.ok(lasted >= 250 && lasted < 2000, `closed after ${lasted} ms`);

      // A reload that takes longer than the idle timeout: the connection waits for its answer.
      const answered = exchangeLines(strict.port, '{"id":7,"command":"reloadpool","args":["p"]}\n', 1);
      await new Promise((resolve) => setTimeout(resolve, 500));
      release();
      const { answers } = await answered;
      assert.deepEqual([answers[0].id, answers[0].ok], [7, true]);
    } finally {
      await strict.close();
    }
  });

  test('a client pipelining past the limit gets its answers and the refusal, and its connection is let go when it closes', async () => {
    const lines = Array.from({ length: 40 }, (_, i) => `{"id":${i},"command":"status"}`).join('\n') + '\n';
    const client = connect(server.port, '127.0.0.1');
    let text = '';
    client.on('data', (chunk: Buffer) => (text += chunk.toString()));
    await new Promise((resolve) => client.once('connect', resolve));
    client.write(lines);
    await waitFor(() => text.includes('too many pipelined requests'), { timeoutMs: 5000, what: 'the refusal' });
    const answers = text.trim().split('\n').map((l) => JSON.parse(l) as { id: unknown; ok: boolean });
    assert.equal(answers.filter((a) => a.ok).length, 32);
    client.end();
    await waitFor(() => server.openConnections === 0, { timeoutMs: 3000, what: 'the server to let the connection go' });
  });
});
