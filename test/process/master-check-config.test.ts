import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, MasterProcess } from './master-harness.js';

describe('--check-config and invalid configurations', () => {
  it('exits 0 on a valid dir and prints the resolved config with passwords masked', async () => {
    const run = new MasterProcess(['--check-config', '--config', fixture('full')]);
    const { code } = await run.exit(10_000);
    assert.equal(code, 0, run.lines.join('\n'));
    const out = run.stdout.join('\n');
    assert.ok(out.includes('***'), 'passwords are masked');
    assert.ok(!out.includes('redis-secret-do-not-print') && !out.includes('daemon-secret-do-not-print'), 'no password leaks');
    assert.ok(out.includes('rltc1q2ajprc33kwcqwdpjcyl9d66syha6pmehxn9e3f'), 'describes the pool');
    assert.equal(run.starts().length, 0, 'forks nothing');
  });

  it('exits 1 on a broken dir with every problem on stderr', async () => {
    const run = new MasterProcess(['--check-config', '--config', fixture('broken')]);
    const { code } = await run.exit(10_000);
    assert.equal(code, 1);
    assert.equal(run.stdout.join(''), '');
    const problems = run.lines.filter((l) => l.startsWith('pool_configs/ltc.json: '));
    assert.ok(problems.some((l) => l.includes('pasword')), `typo key reported: ${run.lines.join(' | ')}`);
    assert.ok(problems.some((l) => l.includes('diff')), `negative diff reported: ${run.lines.join(' | ')}`);
  });

  it('a normal start with a broken dir exits 1 before forking anything', async () => {
    const run = new MasterProcess(['--config', fixture('broken')]);
    const { code } = await run.exit(10_000);
    assert.equal(code, 1);
    assert.ok(run.lines.some((l) => l.startsWith('pool_configs/ltc.json: ')));
    assert.equal(run.starts().length, 0);
  });

  it('rejects unknown command-line options with exit code 2', async () => {
    const run = new MasterProcess(['--confg', fixture('full')]);
    const { code } = await run.exit(10_000);
    assert.equal(code, 2);
    assert.ok(run.lines.some((l) => l.includes('usage: headframe')));
  });
});
