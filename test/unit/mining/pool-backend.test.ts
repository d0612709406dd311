// The pool backend's settle(): a runtime being replaced (reloadpool) or stopped closes its share recorder only
// after the shares still hashing have handed their records over, so a miner moved to the new runtime mid-share is
// answered true for a share that is really kept. And a share answered "please retry" (not recorded, not hashed)
// can be retried without being called a duplicate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scryptNodeAlgorithm } from '../../../src/algorithms/scrypt.js';
import { targetToLEBuffer } from '../../../src/algorithms/targets.js';
import { JobTemplate } from '../../../src/blockchain/bitcoin/job-template.js';
import type { PoolConfig } from '../../../src/config/types.js';
import { createLogger } from '../../../src/log/logger.js';
import type { BlockSubmitter } from '../../../src/mining/block-submitter.js';
import { ExtranonceAllocator } from '../../../src/mining/extranonce.js';
import type { ActiveJob, JobManager } from '../../../src/mining/job-manager.js';
import { PoolBackend, type ShareSink } from '../../../src/mining/pool-backend.js';
import type { ShareSubmission } from '../../../src/mining/types.js';

const NOW = 1_790_000_000;

function activeJob(): ActiveJob {
  const template = new JobTemplate(
    {
      version: 0x20000000,
      rules: ['csv', '!segwit'],
      previousblockhash: '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206',
      transactions: [],
      coinbasevalue: 5_000_000_000,
      // A block target far below the share target: the hashes below are shares, never blocks.
      bits: '1e0ffff0',
      curtime: NOW,
      height: 20,
      target: '00000ffff0000000000000000000000000000000000000000000000000000000',
      mintime: NOW - 600,
    },
    { jobId: '1', payoutScript: Buffer.from('0014' + '11'.repeat(20), 'hex'), recipients: [], poolTag: '/t/', extranonce1Size: 4, extranonce2Size: 4, mweb: false },
  );
  return {
    template,
    notification: { jobId: '1', params: template.notifyParams(true), cleanJobs: true },
    blockTargetLE: targetToLEBuffer(template.target),
    seenHeaders: new Set(),
  };
}

/** A hash of 2^238 (little-endian): above the block target (about 2^236), below the share target at 0.00002 (2^239.6). */
const SHARE_HASH = Buffer.alloc(32);
SHARE_HASH[29] = 0x40;

function share(nonce: string): ShareSubmission {
  return {
    jobId: '1', extranonce1: '01000001', extranonce2: '00000000', ntime: NOW.toString(16), nonce,
    versionBits: null, versionMask: 0, difficulty: 0.00002, workerName: 'addr.rig', minerAddress: 'addr', ip: '127.0.0.1', port: 1,
  };
}

/** `refuseRecords`: the sink refuses that many records first (queue full); `failHashes`: the hasher throws that often. */
function makeBackend(trouble: { refuseRecords?: number; failHashes?: number; gated?: boolean } = {}) {
  const job = activeJob();
  const gates: (() => void)[] = [];
  const kept: string[] = [];
  let refuse = trouble.refuseRecords ?? 0;
  let fail = trouble.failHashes ?? 0;
  const sink: ShareSink = {
    recordShare: async (_address, worker) => {
      if (refuse > 0) {
        refuse -= 1;
        return false;
      }
      kept.push(worker);
      return true;
    },
    recordInvalid: () => undefined,
    recordBlock: async () => true,
    recordBlockOutcome: async () => true,
  };
  const logger = createLogger({ level: 'error' });
  logger.silent = true;
  const backend = new PoolBackend({
    pool: { id: 'p', network: 'regtest', coin: { networks: { regtest: {} } } } as unknown as PoolConfig,
    algorithm: scryptNodeAlgorithm,
    jobs: { getJob: (id: string) => (id === '1' ? job : undefined), currentJob: job } as unknown as JobManager,
    extranonces: new ExtranonceAllocator(1, 0),
    submitter: {} as BlockSubmitter,
    extranonce1Size: 4,
    extranonce2Size: 4,
    logger,
    sink,
    now: () => NOW * 1000,
    // The hash of each share waits until the test opens its gate: the share is "in check" meanwhile.
    hasher: () => {
      if (fail > 0) {
        fail -= 1;
        return Promise.reject(new Error('hashing thread died'));
      }
      if (trouble.gated === false) return Promise.resolve(SHARE_HASH);
      return new Promise((resolve) => gates.push(() => resolve(SHARE_HASH)));
    },
  });
  return { backend, gates, kept };
}

test('settle() waits for a share still hashing to reach the sink, then resolves with nothing unfinished', async () => {
  const { backend, gates, kept } = makeBackend();
  assert.equal(await backend.settle(1000), 0, 'idle: settles at once');
  const answer = backend.submitShare(share('00000001'));
  let settled: number | null = null;
  const settling = backend.settle(5000).then((left) => (settled = left));
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(settled, null, 'must not settle while the share is hashing');
  assert.equal(kept.length, 0);
  gates.shift()!();
  await settling;
  assert.equal(settled, 0);
  assert.deepEqual(kept, ['addr.rig'], 'the share reached the sink before settle resolved');
  const outcome = await answer;
  assert.equal(outcome.ok, true);
});

test('settle() gives up after its timeout and says how much is unfinished', async () => {
  const { backend, gates } = makeBackend();
  void backend.submitShare(share('00000002'));
  void backend.submitShare(share('00000003'));
  assert.equal(await backend.settle(40), 2);
  for (const open of gates) open();
  assert.equal(await backend.settle(1000), 0);
});

test('a share the pool could not record or could not hash is answered "retry", and the retry is not a duplicate', async () => {
  const refused = makeBackend({ refuseRecords: 1, gated: false });
  const first = await refused.backend.submitShare(share('00000004'));
  assert.equal(first.ok, false);
  assert.ok(!first.ok && first.code === 20 && /retry/.test(first.message));
  assert.equal((await refused.backend.submitShare(share('00000004'))).ok, true, 'the retry is kept');
  const again = await refused.backend.submitShare(share('00000004'));
  assert.ok(!again.ok && again.code === 22, 'once kept, it is a duplicate');

  const crashed = makeBackend({ failHashes: 1, gated: false });
  await assert.rejects(crashed.backend.submitShare(share('00000005')), /hashing thread died/);
  assert.equal((await crashed.backend.submitShare(share('00000005'))).ok, true);
  assert.deepEqual(crashed.kept, ['addr.rig']);
});
