import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isPidAlive } from '../helpers/processes.js';
import { ALL_CHILDREN, fixture, MasterProcess, untilAllDead } from './master-harness.js';

describe('master killed with SIGKILL', () => {
  const master = new MasterProcess(['--config', fixture('full')]);
  after(() => master.cleanup());

  it('leaves no orphans: children notice the closed IPC channel and exit', async () => {
    const children = [...(await master.allReady(ALL_CHILDREN)).values()];
    assert.equal(children.filter(isPidAlive).length, ALL_CHILDREN.length);
    master.signal('SIGKILL');
    const { signal } = await master.exit(3_000);
    assert.equal(signal, 'SIGKILL');
    await untilAllDead(children, 3_000);
  });
});
