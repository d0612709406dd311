// The master's CLI listener as operators and daemons use it: the real entry as a master process (children stood in
// by idle roles), scripts/cli and scripts/blocknotify as separate processes, hostile input over TCP.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixture, MasterProcess } from './master-harness.js';
import { findFreePort } from '../helpers/ports.js';
import { isPidAlive } from '../helpers/processes.js';
import { exchangeLines } from '../helpers/line-exchange.js';

const SCRIPTS = fileURLToPath(new URL('../../../scripts/', import.meta.url));
const HASH = 'cd'.repeat(32);

function run(script: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string; ms: number; pid: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = execFile(join(SCRIPTS, script), args, { env: { ...process.env, ...env }, timeout: 10_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr, ms: performance.now() - started, pid: child.pid ?? 0 });
    });
  });
}

describe('CLI listener in a running master', { timeout: 60_000 }, () => {
  let dir: string;
  let cliPort: number;
  let master: MasterProcess;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'headframe-cli-'));
    cpSync(fixture('full'), dir, { recursive: true });
    cliPort = await findFreePort();
    const file = join(dir, 'config.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('cliPort: 16117', `cliPort: ${cliPort}`));
    master = new MasterProcess(['--config', dir]);
    await master.allReady(['pool-worker/0', 'pool-worker/1']);
    await master.until('CLI listening', () => master.lines.some((l) => l.includes(`CLI listening on 127.0.0.1:${cliPort}`)));
  });

  after(async () => {
    await master?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  test('garbage, wrong types and huge lines get error answers and the master stays up', async () => {
    const { answers } = await exchangeLines(
      cliPort,
      ['}{', '"just a string"', '{"command":["status"]}', '{"command":"blocknotify","args":[{"a":1},null]}', '{"command":"status","args":[],"id":9}'].join('\n') + '\n',
      5,
    );
    assert.deepEqual(answers.map((a) => a.ok), [false, false, false, false, true]);
    assert.equal(answers[4].id, 9);
    const { answers: huge } = await exchangeLines(cliPort, Buffer.alloc(1024 * 1024, '{'), 1);
    assert.match(String(huge[0].error), /line too long/);
    const status = await run('cli', ['--port', String(cliPort), 'status']);
    assert.equal(status.code, 0, status.stderr);
    const parsed = JSON.parse(status.stdout) as { children: { role: string; ready: boolean }[]; pools: { pool: string }[] };
    assert.equal(parsed.children.filter((c) => c.role === 'pool-worker' && c.ready).length, 2);
    assert.deepEqual(parsed.pools.map((p) => p.pool), ['ltc']);
    assert.ok(isPidAlive(master.pid));
  });

  test('scripts/blocknotify reaches both pool workers; the CLI client reports refusals', async () => {
    const ok = await run('blocknotify', [`127.0.0.1:${cliPort}`, 'litecoin', HASH]);
    assert.equal(ok.code, 0, ok.stderr);
    const unknownCoin = await run('blocknotify', [`127.0.0.1:${cliPort}`, 'dogecoin', HASH]);
    assert.equal(unknownCoin.code, 1);
    assert.match(unknownCoin.stderr, /no enabled pool mines coin "dogecoin"/);
    const reload = await run('cli', ['--port', String(cliPort), 'reloadpool', 'nope']);
    assert.equal(reload.code, 1);
    assert.match(reload.stderr, /no pool "nope"/);
    const sw = await run('cli', ['--port', String(cliPort), 'coinswitch', 'scrypt', 'litecoin']);
    assert.equal(sw.code, 1);
    assert.match(sw.stderr, /no switch "scrypt"/);
  });
});

describe('scripts/blocknotify without a working listener', { timeout: 120_000 }, () => {
  let blackHole: Server;
  const held: Socket[] = [];
  before(async () => {
    // Accepts and never answers: the worst case for a notifier without a deadline.
    blackHole = createServer((s) => held.push(s));
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    for (const s of held) s.destroy();
    await new Promise<void>((resolve) => blackHole.close(() => resolve()));
  });

  test('100 calls (refused and unanswered) all exit with code 2 within the deadline, leaving no process', async () => {
    const deadlineMs = 400;
    const refusedPort = await findFreePort();
    const address = blackHole.address();
    const holePort = typeof address === 'object' && address ? address.port : 0;
    const results: Awaited<ReturnType<typeof run>>[] = [];
    const targets = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? refusedPort : holePort));
    // Ten at a time: 100 node starts at once would only measure the machine's two cores.
    for (let i = 0; i < targets.length; i += 10) {
      results.push(
        ...(await Promise.all(
          targets.slice(i, i + 10).map((port) => run('blocknotify', [`127.0.0.1:${port}`, 'litecoin', HASH], { HEADFRAME_BLOCKNOTIFY_TIMEOUT_MS: String(deadlineMs) })),
        )),
      );
    }
    assert.equal(results.length, 100);
    for (const r of results) assert.equal(r.code, 2, r.stderr);
    const unanswered = results.filter((_, i) => targets[i] === holePort);
    assert.ok(unanswered.every((r) => /no answer within 400 ms/.test(r.stderr)));
    // The script's own timer decided every unanswered call (its message says so). Wall time adds starting node,
    // which on a loaded 2-core machine takes seconds, so it is only guarded against a hang, not measured here.
    const slowest = Math.max(...results.map((r) => r.ms));
    assert.ok(slowest < deadlineMs + 10_000, `a call hung for ${Math.round(slowest)} ms`);
    assert.ok(results.every((r) => !isPidAlive(r.pid)), 'no blocknotify process is left');
  });

  test('usage errors exit 64 at once', async () => {
    const r = await run('blocknotify', ['nonsense']);
    assert.equal(r.code, 64);
  });
});
