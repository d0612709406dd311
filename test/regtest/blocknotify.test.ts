// The daemon-driven notify path end to end: litecoind A runs scripts/blocknotify on every new tip, the script reaches
// the CLI listener of a real master process, the master relays to its pool worker, and miners get the new job. Polling
// is set to a minute, so only the notification can deliver a block from node B within the test's seconds.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { mine, waitForSync } from '../helpers/litecoind.js';
import { startMasterScene, stopMasterScene, type MasterScene } from '../helpers/master-scene.js';
import { findFreePort } from '../helpers/ports.js';
import { descendantsOf } from '../helpers/processes.js';
import { TestMiner } from '../helpers/test-miner.js';
import { notifyPrevHash } from '../../src/blockchain/bitcoin/job-template.js';

const BLOCKNOTIFY = fileURLToPath(new URL('../../../scripts/blocknotify', import.meta.url));
const MINERS = 5;

/** Children of `pid` whose command line runs scripts/blocknotify (the daemon starts them through sh -c). */
function notifiersOf(pid: number): number[] {
  return descendantsOf(pid).filter((child) => {
    try {
      return readFileSync(`/proc/${child}/cmdline`, 'latin1').includes('blocknotify');
    } catch {
      return false; // exited meanwhile
    }
  });
}

describe('litecoind -blocknotify through a running master', { timeout: 60_000 }, () => {
  let scene: MasterScene;

  before(async () => {
    // The daemon is told the CLI port at launch, so the port is chosen before the config directory exists.
    const cliPort = await findFreePort();
    scene = await startMasterScene({
      chain: { a: [`-blocknotify=${BLOCKNOTIFY} 127.0.0.1:${cliPort} litecoin %s`] },
      poolDir: { global: { cliPort, logging: { level: 'info', json: false } }, pool: { blockRefreshInterval: 60_000, jobRebroadcastTimeout: 600 } },
      children: ['pool-worker/0'],
      // The worker binds its stratum port once it holds a first template.
      waitFor: [
        { what: 'CLI listening', line: new RegExp(`CLI listening on 127\\.0\\.0\\.1:${cliPort}`) },
        { what: 'stratum port open', line: /stratum listening/i },
      ],
    });
    for (let i = 0; i < MINERS; i++) {
      const miner = new TestMiner({ port: scene.dir.stratumPort });
      scene.miners.push(miner);
      await miner.connect();
      await miner.login(`${scene.address}.rig${i}`);
    }
  });

  after(() => stopMasterScene(scene ?? {}));

  test('a block from node B reaches every miner as a clean job, delivered by blocknotify (not by polling)', async () => {
    const { miners, pair, master } = scene;
    for (let round = 0; round < 2; round++) {
      const before = miners.map((m) => m.job!.prevhash);
      const [hash] = await mine(pair.b, 1);
      const prevhash = notifyPrevHash(hash);
      const jobs = await Promise.all(miners.map((m) => m.waitForJob((j) => j.prevhash === prevhash, 10_000)));
      for (const [i, job] of jobs.entries()) {
        assert.notEqual(job.prevhash, before[i]);
        assert.equal(job.clean, true, 'a job on a new block must tell the miner to drop its old work');
      }
      const height = await pair.a.rpc<number>('getblockcount');
      const fetched = master.lines.filter((l) => l.includes(`new block template at height ${height + 1}:`));
      assert.equal(fetched.length, 1, `one template for height ${height + 1}:\n${master.lines.slice(-20).join('\n')}`);
      // The worker says why it fetched: the relayed notification, not its (60 s) poll.
      assert.match(fetched[0], /"reason":"blocknotify"/);
    }
  });

  test('with the master gone, the daemon keeps mining and its notifiers exit within the deadline', async () => {
    const { pair, master } = scene;
    master.signal('SIGTERM');
    await master.exit(15_000);
    const hashes = await mine(pair.b, 5);
    await waitForSync(pair.a, pair.b);
    assert.equal(await pair.a.rpc<string>('getbestblockhash'), hashes[4]);
    // blocknotify's deadline is 1 s; give the slow shared machine a margin on top.
    const deadline = Date.now() + 3_000;
    let left = notifiersOf(pair.a.pid);
    while (left.length > 0 && Date.now() < deadline) {
      await sleep(100);
      left = notifiersOf(pair.a.pid);
    }
    assert.deepEqual(left, [], 'blocknotify processes still running under litecoind');
  });
});
