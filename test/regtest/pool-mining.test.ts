// The whole stratum path against a real litecoind pair: the test miner connects over TCP, mines real scrypt
// shares, and the blocks it finds through the pool must be accepted by the daemon.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { activateMweb, mine, newAddress, waitForSync, type RegtestPair } from '../helpers/litecoind.js';
import { startPool, type RunningPool } from '../helpers/pool-harness.js';
import { TestMiner, targetFromBitsHex, type MinerJob } from '../helpers/test-miner.js';
import { findFreePort } from '../helpers/ports.js';
import { notifyPrevHash } from '../../src/blockchain/bitcoin/job-template.js';
import { waitFor } from '../helpers/processes.js';
import type { RedisHandle } from '../helpers/redis-server.js';
import { POOL_WALLET, startMiningScene } from '../helpers/mining-scene.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePorts } from '../helpers/ports.js';
import { selfSignedCertificate } from '../helpers/tls-files.js';

/** Share target a bit above regtest's block target, so some valid shares are not blocks and some are low. */
const DIFF = 0.00002;

interface BlockJson {
  hash: string;
  height: number;
  confirmations: number;
  tx: { txid: string; vout: { value: number; scriptPubKey: { hex: string } }[] }[];
  mweb?: unknown;
}

describe('pool mining on regtest', { timeout: 240_000 }, () => {
  let pair: RegtestPair;
  let pool: RunningPool;
  let redis: RedisHandle;
  let poolAddress: string;
  const miners: TestMiner[] = [];

  async function connectMiner(port = pool.stratumPort, user = `${poolAddress}.rig1`): Promise<TestMiner> {
    const miner = new TestMiner({ port });
    miners.push(miner);
    await miner.connect();
    await miner.login(user);
    return miner;
  }

  /** Like a daemon's blocknotify: tells the pool about blocks mined elsewhere and waits for the miner's new job. */
  async function syncPool(miner: TestMiner): Promise<void> {
    const best = await waitForSync(pair.a, pair.b);
    await pool.runtime.onBlockNotify(best);
    await miner.waitForJob((j) => j.prevhash === notifyPrevHash(best));
  }

  async function scriptOf(address: string): Promise<string> {
    return (await pair.a.rpc<{ scriptPubKey: string }>('validateaddress', [address])).scriptPubKey;
  }

  /** Mines one block through the pool on the miner's current job and checks the daemon took it. */
  async function mineBlockThroughPool(miner: TestMiner, payout: string, worker = `${payout}.rig1`): Promise<BlockJson> {
    const job = await miner.waitForJob();
    const blockTarget = targetFromBitsHex(job.nbits);
    const found = await miner.mineShare({ worker, job, target: blockTarget });
    assert.equal(found.answer.result, true, `block share answered ${JSON.stringify(found.answer.error)}`);
    await waitFor(async () => (await pair.a.rpc<string>('getbestblockhash')) === found.blockHash, {
      timeoutMs: 10_000,
      what: `daemon to accept ${found.blockHash}`,
    });
    const block = await pair.a.rpc<BlockJson>('getblock', [found.blockHash, 2]);
    assert.equal(block.tx[0].vout[0].scriptPubKey.hex, await scriptOf(payout), 'coinbase pays the pool address');
    // The pool refetches the template after its own block: the next job builds on it.
    await miner.waitForJob((j: MinerJob) => j.prevhash === notifyPrevHash(found.blockHash));
    return block;
  }

  before(async () => {
    // A huge -maxtipage lets node A template height 1 straight from genesis.
    ({ pair, redis, address: poolAddress } = await startMiningScene());
    // A short rebroadcast makes same-block refreshes (new mempool transactions) reach miners quickly.
    pool = await startPool({ daemons: [pair.a], address: poolAddress, diff: DIFF, redis, pool: { jobRebroadcastTimeout: 1 } });
  });

  after(async () => {
    for (const m of miners) m.close();
    await pool?.stop();
    await pair?.stop();
    await redis?.stop();
  });

  test('blocks at heights 1-16 (OP_1..OP_16 BIP34 pushes) are accepted and pay the pool address', async () => {
    const miner = await connectMiner();
    for (let height = 1; height <= 16; height++) {
      const block = await mineBlockThroughPool(miner, poolAddress);
      assert.equal(block.height, height);
    }
    miner.close();
  });

  test('error codes 20-25 come back exactly, and duplicates are caught whatever the hex case', async () => {
    const miner = await connectMiner();
    const worker = `${poolAddress}.rig1`;
    const unknown = await miner.request('mining.frobnicate', []);
    assert.equal(unknown.error?.[0], 20);

    const noJob = await miner.submitRaw([worker, 'ffffff', '00000000', miner.job!.ntime, '00000000']);
    assert.equal(noJob.error?.[0], 21);

    const job = await miner.waitForJob();
    const blockTarget = targetFromBitsHex(job.nbits);
    const valid = await miner.mineShare({ worker, job, accept: (pow) => pow > blockTarget });
    assert.equal(valid.answer.result, true, 'a valid non-block share is accepted');
    const again = await miner.submitRaw([worker, job.jobId, valid.extranonce2, valid.ntime, valid.nonce]);
    assert.equal(again.error?.[0], 22);
    const upper = await miner.submitRaw([worker, job.jobId, valid.extranonce2.toUpperCase(), valid.ntime.toUpperCase(), valid.nonce.toUpperCase()]);
    assert.equal(upper.error?.[0], 22, `upper-case resubmission: ${JSON.stringify(upper)}`);

    const low = await miner.mineShare({ worker, job, target: (1n << 256n) - 1n, accept: (pow) => pow > miner.shareTarget() });
    assert.equal(low.answer.error?.[0], 23);

    const badAuth = await miner.authorize('not-an-address.rig');
    assert.equal(badAuth.error?.[0], 24);
    const otherWorker = await miner.submitRaw([`${poolAddress}.never-authorized`, job.jobId, '000000ff', job.ntime, '00000000']);
    assert.equal(otherWorker.error?.[0], 24);

    const fresh = new TestMiner({ port: pool.stratumPort });
    miners.push(fresh);
    await fresh.connect();
    const early = await fresh.submitRaw([worker, job.jobId, '00000000', job.ntime, '00000000']);
    assert.equal(early.error?.[0], 25);
    fresh.close();
    miner.close();
  });

  test('a share for the job before a new block is stale (21)', async () => {
    const miner = await connectMiner();
    const oldJob = await miner.waitForJob();
    await mine(pair.b, 1);
    await waitForSync(pair.a, pair.b);
    await miner.waitForJob((j) => j.clean && j.prevhash !== oldJob.prevhash);
    const stale = await miner.mineShare({ worker: `${poolAddress}.rig1`, job: oldJob, target: (1n << 256n) - 1n });
    assert.equal(stale.answer.error?.[0], 21);
    miner.close();
  });

  test('legacy and P2SH-segwit pool addresses: the coinbase output equals validateaddress scriptPubKey', async () => {
    for (const type of ['legacy', 'p2sh-segwit'] as const) {
      const address = await newAddress(pair.a, POOL_WALLET, type);
      const other = await startPool({ daemons: [pair.a], address, diff: DIFF, redis });
      try {
        const miner = await connectMiner(other.stratumPort, `${address}.typed`);
        await mineBlockThroughPool(miner, address, `${address}.typed`);
        miner.close();
      } finally {
        await other.stop();
      }
    }
  });

  test('a TLS port: a miner that trusts the pool certificate mines a block over TLS and litecoind accepts it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'headframe-pool-tls-'));
    try {
      const files = await selfSignedCertificate(dir);
      const [plainPort, tlsPort] = (await findFreePorts(2)).sort((a, b) => a - b);
      const other = await startPool({
        daemons: [pair.a],
        address: poolAddress,
        redis,
        ports: { [String(plainPort)]: { diff: DIFF }, [String(tlsPort)]: { diff: DIFF, tls: files } },
      });
      try {
        const miner = new TestMiner({ port: tlsPort, tlsCa: readFileSync(files.cert) });
        miners.push(miner);
        await miner.connect();
        await miner.login(`${poolAddress}.tls`);
        await mineBlockThroughPool(miner, poolAddress, `${poolAddress}.tls`);
        miner.close();
      } finally {
        await other.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('after MWEB activation, a block with segwit and MWEB transactions in the mempool is accepted whole', async () => {
    await activateMweb(pair, POOL_WALLET);
    const miner = await connectMiner();
    const segwitTo = await newAddress(pair.a, POOL_WALLET, 'bech32');
    const segwitTx = await pair.a.rpc<string>('sendtoaddress', [segwitTo, 1.5], POOL_WALLET);
    const mwebTo = await newAddress(pair.a, POOL_WALLET, 'mweb');
    const mwebSend = await pair.a.rpc<string>('sendtoaddress', [mwebTo, 2], POOL_WALLET);
    await syncPool(miner);
    // Same-block refreshes bring the new transactions in. Litecoin Core rebuilds a same-tip template at most
    // every 5 s (getblocktemplate caches it), so take the second job once that window has passed.
    const sentAt = performance.now();
    const firstAfter = await miner.waitForJob((j) => j.receivedAt > sentAt + 5_200, 10_000);
    await miner.waitForJob((j) => j.receivedAt > firstAfter.receivedAt);
    const block = await mineBlockThroughPool(miner, poolAddress);
    assert.ok(block.tx.some((t) => t.txid === segwitTx), 'the segwit transaction is in the accepted block');
    // The wallet funds this send from its MWEB coins, so it lives in the extension block: no canonical txid.
    const mwebTx = await pair.a.rpc<{ blockhash?: string }>('gettransaction', [mwebSend], POOL_WALLET);
    assert.equal(mwebTx.blockhash, block.hash, 'the MWEB transaction confirmed in the block the pool found');
    const mined = await pair.a.rpc<{ mweb?: { num_kernels: number } }>('getblock', [block.hash, 1]);
    assert.ok(mined.mweb, 'the accepted block carries its MWEB section');
    assert.ok(mined.mweb.num_kernels >= 1, 'the MWEB section holds the MWEB transaction kernel');
    assert.ok(block.height > 432);
    miner.close();
  });

  test('past height 500 (BIP34 enforced) blocks are still accepted', async () => {
    const height = await pair.a.rpc<number>('getblockcount');
    if (height < 501) await mine(pair.b, 501 - height);
    const miner = await connectMiner();
    await syncPool(miner);
    const block = await mineBlockThroughPool(miner, poolAddress);
    assert.ok(block.height > 500);
    miner.close();
  });

  test('with a daemon that accepts connections but never answers, jobs and blocks go through the other', async () => {
    const silentPort = await findFreePort();
    const sockets = new Set<import('node:net').Socket>();
    const silent: Server = createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(silentPort, '127.0.0.1', resolve));
    const hangingDaemon = { host: '127.0.0.1' as const, rpcPort: silentPort, user: 'x', password: 'x' };
    const failover = await startPool({ daemons: [hangingDaemon, pair.a], address: poolAddress, diff: DIFF, daemonTimeoutMs: 1000, redis });
    try {
      const miner = await connectMiner(failover.stratumPort);
      await mineBlockThroughPool(miner, poolAddress);
      await mineBlockThroughPool(miner, poolAddress);
      miner.close();
    } finally {
      await failover.stop();
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});
