import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_CHILDREN, fixture, MasterProcess } from './master-harness.js';

describe('master restarts a killed child in its own slot', () => {
  const master = new MasterProcess(['--config', fixture('full')]);
  after(() => master.cleanup());

  it('brings back pool-worker/1 and website/0 with new pids, same role and fork id', async () => {
    const first = await master.allReady(ALL_CHILDREN);

    for (const key of ['pool-worker/1', 'website/0']) {
      const oldPid = first.get(key)!;
      process.kill(oldPid, 'SIGKILL');
      await master.until(`${key} exit logged`, () =>
        master.lines.find((l) => l.includes(`child ${key} exited (pid ${oldPid}, code none, signal SIGKILL)`)),
      );
      const newPid = await master.until(`${key} ready again`, () =>
        master.readies().find((e) => e.key === key && e.pid !== oldPid)?.pid,
      );
      assert.notEqual(newPid, oldPid);
      // The new child itself says which role and fork it runs: it got them from the master, not by accident.
      const [role, fork] = key.split('/');
      assert.ok(
        master.lines.some((l) => l.includes(`[role=${role} fork=${fork}] started (pid ${newPid})`)),
        `the new ${key} child logs its own role and fork`,
      );
    }

    // Only the two killed slots restarted; the others kept their first process.
    const startsPerKey = new Map<string, number>();
    for (const s of master.starts()) startsPerKey.set(s.key, (startsPerKey.get(s.key) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(startsPerKey), {
      'pool-worker/0': 1,
      'pool-worker/1': 2,
      'payment-processor/0': 1,
      'website/0': 2,
      'profit-switch/0': 1,
    });
    assert.ok(master.lines.some((l) => /child website\/0 exited .* restarting in 100 ms/.test(l)), 'first restart waits the initial delay');

    master.signal('SIGTERM');
    assert.equal((await master.exit(5_000)).code, 0);
  });
});
