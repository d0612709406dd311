// The README's first command: the demo starts Redis, a regtest pair and the master with the shipped example
// config, and a CPU miner mines blocks the daemon accepts. Run here with --blocks so it ends by itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

const DEMO = new URL('../tools/demo.js', import.meta.url).pathname;

test('the demo mines real regtest blocks through the pool and stops cleanly', { timeout: 120_000 }, async () => {
  const child = spawn(process.execPath, [DEMO, '--blocks', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 0, out.slice(-3000));
  for (const role of ['pool-worker', 'payment-processor', 'website']) {
    assert.match(out, new RegExp(`child ${role}/0 started`), `master starts ${role}`);
  }
  assert.match(out, /block 1 accepted by litecoind at height 1/);
  assert.match(out, /block 2 accepted by litecoind at height 2/);
  assert.match(out, /all children stopped; exiting/);
  assert.match(out, /pool exited with 0; all stopped/);
});
