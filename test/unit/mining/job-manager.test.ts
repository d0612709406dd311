// Template fetches after a new tip: the pool's own block is announced up to three times (its submit answer, the
// daemon's blocknotify, another fork's relay); only one getblocktemplate may follow, and a tip the running fetch
// cannot have seen still gets its own fetch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PoolConfig } from '../../../src/config/types.js';
import type { DaemonSet } from '../../../src/daemon/daemon-set.js';
import type { BlockTemplate } from '../../../src/daemon/rpc-types.js';
import { createLogger } from '../../../src/log/logger.js';
import { JobManager, LOWER_TIP_GRACE_MS } from '../../../src/mining/job-manager.js';

const NOW = 1_790_000_000;
const tip = (n: number) => n.toString(16).padStart(64, '0');

function templateOn(prev: string, height: number): BlockTemplate {
  return {
    version: 0x20000000,
    rules: ['csv', '!segwit'],
    previousblockhash: prev,
    transactions: [],
    coinbasevalue: 5_000_000_000,
    bits: '207fffff',
    curtime: NOW,
    height,
    target: '7fffff0000000000000000000000000000000000000000000000000000000000',
    mintime: NOW - 600,
  } as unknown as BlockTemplate;
}

/** A daemon stand-in whose chain tip the test moves; each getblocktemplate waits until the test lets it answer. */
function makeManager(clock: { ms: number } = { ms: NOW * 1000 }) {
  const chain = { tip: tip(1), height: 2 };
  const answers: (() => void)[] = [];
  let calls = 0;
  const daemons = {
    call: async (method: string) => {
      assert.equal(method, 'getblocktemplate');
      calls += 1;
      await new Promise<void>((resolve) => answers.push(resolve));
      return templateOn(chain.tip, chain.height);
    },
  } as unknown as DaemonSet;
  const logger = createLogger({ level: 'error' });
  logger.silent = true;
  const jobs: string[] = [];
  const coinb2s: string[] = [];
  const manager = new JobManager({
    pool: { poolTag: '/t/', jobRebroadcastTimeout: 3600, blockRefreshInterval: 0, coin: { mweb: false, segwit: true } } as unknown as PoolConfig,
    daemons,
    payoutScript: Buffer.from('0014' + '11'.repeat(20), 'hex'),
    recipients: [],
    extranonce1Size: 4,
    extranonce2Size: 4,
    logger,
    now: () => clock.ms,
    onJob: (job) => {
      jobs.push(job.jobId);
      coinb2s.push(String(job.params[3]));
    },
  });
  /** Lets every waiting fetch answer, until none is left. */
  const answerAll = async () => {
    for (let i = 0; i < 20; i += 1) {
      while (answers.length > 0) answers.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { manager, chain, jobs, coinb2s, answerAll, calls: () => calls };
}

test('a tip announced again while its fetch runs, or once a job builds on it, fetches nothing more', async () => {
  const { manager, chain, jobs, answerAll, calls } = makeManager();
  const started = manager.refresh('start');
  await answerAll();
  await started;
  assert.equal(calls(), 1);

  // The pool's block is accepted: the chain moves, the submit answer starts a fetch, blocknotify and relay follow.
  chain.tip = tip(2);
  chain.height = 3;
  const found = manager.refresh('block-found', tip(2));
  const notified = manager.refresh('blocknotify', tip(2));
  const relayed = manager.refresh('blocknotify', tip(2));
  await answerAll();
  await Promise.all([found, notified, relayed]);
  assert.equal(calls(), 2, 'one fetch for one new tip');
  assert.equal(manager.currentJob?.template.prevHashRpc, tip(2));
  assert.equal(jobs.length, 2);

  // A late blocknotify for the block the job already builds on.
  await manager.refresh('blocknotify', tip(2));
  assert.equal(calls(), 2);

  // A fetch that started before another tip appeared cannot have seen it: that tip gets a follow-up fetch.
  const polled = manager.refresh('poll');
  chain.tip = tip(3);
  chain.height = 4;
  const other = manager.refresh('blocknotify', tip(3));
  await answerAll();
  await Promise.all([polled, other]);
  assert.equal(calls(), 4);
  assert.equal(manager.currentJob?.template.prevHashRpc, tip(3));
  manager.stop();
});

test('a rebroadcast of an unchanged template is a job with a coinbase of its own', () => {
  const { manager, jobs, coinb2s } = makeManager();
  manager.consider(templateOn(tip(1), 2), 'poll');
  manager.consider(templateOn(tip(1), 2), 'rebroadcast');
  assert.equal(jobs.length, 2);
  // A header valid under one job id is then never the same header under the other: no share is credited twice.
  assert.notEqual(coinb2s[0], coinb2s[1]);
});

test('templates from a chain shorter than the current job (a lagging backup daemon) are followed only if they persist', () => {
  const clock = { ms: NOW * 1000 };
  const { manager, jobs } = makeManager(clock);
  manager.consider(templateOn(tip(5), 6), 'poll');
  assert.equal(jobs.length, 1);
  manager.consider(templateOn(tip(4), 5), 'poll');
  assert.equal(jobs.length, 1, 'the stale tip is not sent to miners');
  // The primary answers again in between: the grace starts over for the next lagging template.
  clock.ms += LOWER_TIP_GRACE_MS - 1;
  manager.consider(templateOn(tip(5), 6), 'poll');
  clock.ms += 2;
  manager.consider(templateOn(tip(4), 5), 'poll');
  assert.equal(jobs.length, 1);
  clock.ms += LOWER_TIP_GRACE_MS;
  manager.consider(templateOn(tip(4), 5), 'poll');
  assert.equal(jobs.length, 2, 'a shorter chain that persists is followed');
  // A same-height competing tip is followed at once.
  manager.consider(templateOn(tip(9), 5), 'poll');
  assert.equal(jobs.length, 3);
});
