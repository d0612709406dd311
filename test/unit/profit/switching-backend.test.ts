// The switching port's backend: prefixed job ids, shares routed to the coin they were mined for.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ExtranonceAllocator } from '../../../src/mining/extranonce.js';
import type { JobNotification, ShareOutcome, ShareSubmission, StratumBackend } from '../../../src/mining/types.js';
import { SwitchingBackend } from '../../../src/profit/switching-backend.js';

function fakeBackend(name: string, payout: (a: string) => string | null) {
  const submitted: ShareSubmission[] = [];
  let job: JobNotification | null = { jobId: '1f', params: ['1f', 'prev', 'c1', 'c2', [], 'v', 'bits', 'time', false], cleanJobs: false };
  const backend: StratumBackend = {
    extranonce2Size: 4,
    allocateExtranonce1: () => {
      throw new Error('the switch must use its own shared allocator');
    },
    releaseExtranonce1: () => undefined,
    payoutAddress: payout,
    currentJob: () => job,
    submitShare: async (share): Promise<ShareOutcome> => {
      submitted.push(share);
      return { ok: true, difficulty: 1, shareDifficulty: 2, blockHash: name };
    },
  };
  return { backend, submitted, setJob: (j: JobNotification | null) => (job = j) };
}

const share = (jobId: string): ShareSubmission => ({
  jobId, extranonce1: '01000001', extranonce2: '00000000', ntime: '00000000', nonce: '00000000', versionBits: null,
  versionMask: 0, difficulty: 1, workerName: 'addr.w', minerAddress: 'addr', ip: '127.0.0.1', port: 1,
});

describe('SwitchingBackend', () => {
  // 'SPELT' is a second spelling both coins know; 'legacy' one that coin a spells 'modern' and coin b keeps.
  const a = fakeBackend('a', (addr) => (addr === 'SPELT' ? 'spelt' : addr === 'legacy' ? 'modern' : addr));
  const b = fakeBackend('b', (addr) => (addr === 'only-a' ? null : addr === 'SPELT' ? 'spelt' : addr));
  const backends: Record<string, StratumBackend> = { a: a.backend, b: b.backend };
  const sw = new SwitchingBackend({ coins: ['a', 'b'], backendOf: (c) => backends[c], extranonces: new ExtranonceAllocator(1, 0), extranonce2Size: 4 });

  test('jobs carry the coin index prefix and the same object is reused for a broadcast', () => {
    const job = sw.currentJob();
    assert.equal(job?.jobId, '001f');
    assert.equal(job?.params[0], '001f');
    assert.equal(sw.currentJob(), job, 'cached by identity');
    assert.equal(sw.select('b'), true);
    const clean = sw.currentJobClean();
    assert.equal(clean?.jobId, '011f');
    assert.equal(clean?.params[8], true);
    assert.equal(clean?.cleanJobs, true);
    assert.equal(sw.select('zzz'), false);
    assert.equal(sw.selected, 'b');
  });

  test('shares go to the coin named by the job id, with the pool job id, even after a switch', async () => {
    sw.select('b');
    const outcomeA = await sw.submitShare(share('001f'));
    assert.ok(outcomeA.ok && outcomeA.blockHash === 'a');
    assert.equal(a.submitted.at(-1)?.jobId, '1f');
    const outcomeB = await sw.submitShare(share('011f'));
    assert.ok(outcomeB.ok && outcomeB.blockHash === 'b');
    for (const bad of ['021f', 'zz1f', '00', '']) {
      const outcome = await sw.submitShare(share(bad));
      assert.ok(!outcome.ok && outcome.code === 21, bad);
    }
  });

  test('an address must be payable on every coin, in the spelling they agree on; extranonces are unique', () => {
    assert.equal(sw.payoutAddress('anything'), 'anything');
    assert.equal(sw.payoutAddress('only-a'), null);
    assert.equal(sw.payoutAddress('SPELT'), 'spelt');
    assert.equal(sw.payoutAddress('legacy'), 'legacy');
    const x = sw.allocateExtranonce1();
    const y = sw.allocateExtranonce1();
    assert.notEqual(x, y);
    assert.equal(x.slice(0, 4), '0100');
  });

  test('no job before the pool has one', () => {
    b.setJob(null);
    sw.select('b');
    assert.equal(sw.currentJob(), null);
  });
});
