// A block found by one pool worker fork moves every other fork to the next block at once: the master relays the
// finder's "blockfound" to the others as a blocknotify. The daemon runs without -blocknotify and template polling is
// set to a minute, so nothing else could tell the other fork within the test's seconds. A ban decided by one fork is
// relayed the same way, so a banned miner cannot come back through another fork.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startMasterScene, stopMasterScene, type MasterScene } from '../helpers/master-scene.js';
import { TestMiner, targetFromBitsHex } from '../helpers/test-miner.js';
import { connect } from 'node:net';
import { once } from 'node:events';

/** Byte 1 of extranonce1 is the fork id (src/mining/extranonce.ts). */
const forkOf = (miner: TestMiner): number => parseInt(miner.extranonce1.slice(2, 4), 16);

describe('a block found, or a ban decided, on one fork reaches the other forks through the master', { timeout: 60_000 }, () => {
  let scene: MasterScene;

  before(async () => {
    scene = await startMasterScene({
      poolDir: {
        global: { clustering: { enabled: true, forks: 2 }, logging: { level: 'info', json: false } },
        pool: { blockRefreshInterval: 60_000, jobRebroadcastTimeout: 600 },
      },
      children: ['pool-worker/0', 'pool-worker/1'],
      waitFor: [{ what: 'both stratum listeners', line: /stratum listening/i, count: 2 }],
    });
    const { miners, dir, address } = scene;
    // Connections are spread over the forks; keep connecting until both forks have a miner.
    for (let i = 0; i < 20 && new Set(miners.map(forkOf)).size < 2; i++) {
      const miner = new TestMiner({ port: dir.stratumPort });
      miners.push(miner);
      await miner.connect();
      await miner.login(`${address}.rig${i}`);
    }
    assert.equal(new Set(miners.map(forkOf)).size, 2, 'a miner on each fork');
  });

  after(() => stopMasterScene(scene ?? {}));

  test('the other fork sends its miners the next block within seconds, with polling at a minute', async () => {
    const { miners, master, address } = scene;
    const finder = miners[0];
    const other = miners.find((m) => forkOf(m) !== forkOf(finder))!;
    const job = finder.job!;
    assert.equal(other.job!.prevhash, job.prevhash, 'both forks start on the same block');
    const found = await finder.mineShare({ worker: `${address}.rig0`, job, target: targetFromBitsHex(job.nbits) });
    assert.equal(found.answer.result, true);
    const started = Date.now();
    const next = await other.waitForJob((j) => j.prevhash !== job.prevhash, 10_000);
    const waitedMs = Date.now() - started;
    assert.equal(next.clean, true);
    // The other fork fetched its template because of the relayed notification, not a poll or a restart.
    await master.until('the other fork fetched on blocknotify', () =>
      master.lines.some((l) => l.includes(`fork=${forkOf(other)}]`) && l.includes('new block template') && l.includes('"reason":"blocknotify"')),
    );
    console.log(`block on fork ${forkOf(finder)} -> miner on fork ${forkOf(other)} has the next job after ${waitedMs} ms`);
  });

  test('an IP banned on one fork is refused by every fork', async () => {
    const { dir, master } = scene;
    // Its own loopback address, so the other tests' miners (127.0.0.1) are not banned.
    const from = '127.0.0.2';
    const abuser = connect({ port: dir.stratumPort, host: '127.0.0.1', localAddress: from });
    abuser.on('error', () => undefined);
    abuser.resume(); // read the error answers, and so the pool's close
    await once(abuser, 'connect');
    // Unparseable lines past the pool's malformedLimit (10): the fork that has this connection bans the IP.
    abuser.write('not json\n'.repeat(12));
    await once(abuser, 'close');
    await master.until('the ban relayed to the other fork', () => master.lines.some((l) => l.includes(`banned ${from}`) && l.includes('by another pool worker')), 10_000);
    // node:cluster hands new connections to the forks in turn: every one of them is refused before any answer.
    for (let i = 0; i < 4; i++) {
      const retry = connect({ port: dir.stratumPort, host: '127.0.0.1', localAddress: from });
      retry.on('error', () => undefined);
      const answered = await new Promise<boolean>((resolve) => {
        retry.on('connect', () => retry.write('{"id":1,"method":"mining.subscribe","params":[]}\n'));
        retry.on('data', () => resolve(true));
        retry.on('close', () => resolve(false));
      });
      retry.destroy();
      assert.equal(answered, false, `connection ${i + 1} from the banned IP was answered`);
    }
  });
});
