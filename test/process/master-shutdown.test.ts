import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isPidAlive } from '../helpers/processes.js';
import { ALL_CHILDREN, fixture, MasterProcess, untilAllDead } from './master-harness.js';

// The fixture's shutdownTimeoutMs.
const SHUTDOWN_TIMEOUT_MS = 1_500;

describe('master shutdown', () => {
  const masters: MasterProcess[] = [];
  after(async () => {
    for (const m of masters) await m.cleanup();
  });

  it('SIGTERM stops every child gracefully, then exits 0', async () => {
    const master = new MasterProcess(['--config', fixture('full')]);
    masters.push(master);
    const children = [...(await master.allReady(ALL_CHILDREN)).values()];
    const t0 = Date.now();
    master.signal('SIGTERM');
    const { code } = await master.exit(SHUTDOWN_TIMEOUT_MS + 3_000);
    assert.equal(code, 0);
    assert.ok(Date.now() - t0 < SHUTDOWN_TIMEOUT_MS, 'healthy children stop well before the deadline');
    assert.deepEqual(children.filter(isPidAlive), [], 'no child outlives the master');
    for (const key of ALL_CHILDREN) {
      const [role, fork] = key.split('/');
      assert.ok(master.lines.some((l) => l.includes(`[role=${role} fork=${fork}] stopped`)), `${key} stopped gracefully`);
    }
    assert.ok(!master.lines.some((l) => l.includes('did not stop within')));
  });

  it('SIGKILLs a child that does not stop within shutdownTimeoutMs, then exits 0', async () => {
    const master = new MasterProcess(['--config', fixture('full')]);
    masters.push(master);
    const ready = await master.allReady(ALL_CHILDREN);
    // A stopped process cannot read the shutdown message: it stands in for a hung child.
    const hung = ready.get('website/0')!;
    process.kill(hung, 'SIGSTOP');
    const t0 = Date.now();
    master.signal('SIGINT');
    const { code } = await master.exit(SHUTDOWN_TIMEOUT_MS + 3_000);
    const took = Date.now() - t0;
    assert.equal(code, 0);
    assert.ok(took >= SHUTDOWN_TIMEOUT_MS - 50, `waited the deadline before killing (${took} ms)`);
    assert.ok(master.lines.some((l) => l.includes(`child website/0 did not stop within ${SHUTDOWN_TIMEOUT_MS} ms; killing pid ${hung}`)));
    await untilAllDead([...ready.values()], 1_000);
  });
});
