#!/usr/bin/env node
// Runs every compiled *.test.js under .build/test with Node's built-in runner.
// Node 20 takes no globs, so the files are listed here; a run that executes no test fails,
// because a green run that tested nothing would hide a broken build or a mistyped filter.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const buildTests = join(root, '.build', 'test');
const filters = process.argv.slice(2);

function collect(dir) {
  const found = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) found.push(...collect(full));
    else if (name.endsWith('.test.js')) found.push(full);
  }
  return found;
}

const files = collect(buildTests).filter(
  (f) => filters.length === 0 || filters.some((want) => relative(buildTests, f).includes(want)),
);
if (files.length === 0) {
  console.error(`no test files matched under ${buildTests}${filters.length ? ` for ${filters.join(', ')}` : ''}`);
  process.exit(1);
}

// Another suite running on the same machine is not this run's leftover.
const runningBefore = new Set(leftoverDaemons().map((line) => line.split(':')[0]));
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const child = spawn(
  process.execPath,
  ['--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: ['ignore', 'pipe', 'inherit'], cwd: root },
);
let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString()).slice(-4000);
});
/** Daemons the tests started (their temp dirs carry these prefixes) that are still running. */
function leftoverDaemons() {
  const left = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'latin1').replace(/\0/g, ' ');
      if (/headframe-(ltc|redis)-/.test(cmdline)) left.push(`${entry}: ${cmdline.slice(0, 160)}`);
    } catch {
      // exited meanwhile
    }
  }
  return left;
}

child.on('exit', (code, signal) => {
  const left = leftoverDaemons().filter((line) => !runningBefore.has(line.split(':')[0]));
  if (left.length > 0) {
    console.error(`test daemons left running after the suite:\n${left.join('\n')}`);
    process.exit(1);
  }
  const passed = Number(/ℹ pass (\d+)/.exec(tail)?.[1] ?? 0);
  const failed = Number(/ℹ fail (\d+)/.exec(tail)?.[1] ?? 0);
  if (passed + failed === 0) {
    console.error('the test runner reported no executed tests');
    process.exit(1);
  }
  process.exit(code ?? (signal ? 1 : 0));
});
