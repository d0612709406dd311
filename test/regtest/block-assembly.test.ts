// Blocks built by JobTemplate from real getblocktemplate answers, mined with scrypt and accepted by litecoind.
// This is the consensus check the unit tests cannot give: BIP34 heights, coinbase layout, exact output sums,
// merkle branches over real (segwit) transactions and, once active, the MWEB tail.
import assert from 'node:assert/strict';
import { randomBytes, scryptSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { blockHashHex } from '../../src/blockchain/bitcoin/hash.js';
import { JobTemplate } from '../../src/blockchain/bitcoin/job-template.js';
import { scriptNumPush } from '../../src/blockchain/bitcoin/serialize.js';
import type { BlockTemplate } from '../../src/daemon/rpc-types.js';
import {
  activateMweb,
  createWallet,
  mine,
  newAddress,
  type RegtestNode,
  type RegtestPair,
  startRegtestPair,
  waitForSync,
} from '../helpers/litecoind.js';

const TEMPLATE_REQUEST = { rules: ['mweb', 'segwit'] };
const WALLET = 'assembly';

interface Payees {
  pool: Buffer;
  recipients: { script: Buffer; percent: number }[];
}

interface MinedBlock {
  hash: string;
  job: JobTemplate;
  template: BlockTemplate;
}

interface VerboseBlock {
  height: number;
  tx: { txid: string; vin: { coinbase?: string }[]; vout: { value: number; scriptPubKey: { hex: string } }[] }[];
}

async function scriptOf(node: RegtestNode, address: string): Promise<Buffer> {
  const info = await node.rpc<{ isvalid: boolean; scriptPubKey: string }>('validateaddress', [address]);
  assert.ok(info.isvalid, `daemon rejects ${address}`);
  return Buffer.from(info.scriptPubKey, 'hex');
}

/** Little-endian 256-bit integer of a hash, as the PoW comparison reads it. */
function hashValue(hash: Buffer): bigint {
  return BigInt('0x' + Buffer.from(hash).reverse().toString('hex'));
}

interface BuiltBlock {
  job: JobTemplate;
  template: BlockTemplate;
  header: Buffer;
  hex: string;
}

/**
 * Asks for a template, builds the block through JobTemplate and grinds a scrypt nonce. `alter` lets a test feed
 * JobTemplate a doctored template to prove the daemon really checks what the honest path gets right.
 */
async function buildBlock(
  node: RegtestNode,
  payees: Payees,
  jobId: string,
  alter: (t: BlockTemplate) => BlockTemplate = (t) => t,
): Promise<BuiltBlock> {
  const template = await node.rpc<BlockTemplate>('getblocktemplate', [TEMPLATE_REQUEST]);
  const job = new JobTemplate(alter(template), {
    jobId,
    payoutScript: payees.pool,
    recipients: payees.recipients,
    poolTag: '/headframe-test/',
    extranonce1Size: 4,
    extranonce2Size: 4,
    mweb: true,
  });
  const coinbase = job.coinbase(randomBytes(4), randomBytes(4));
  const root = job.merkleRoot(coinbase);
  const header = Buffer.alloc(80);
  let nonce = 0;
  // Regtest's target is half the hash space: this loop runs about twice; the bound only stops a broken target.
  for (; nonce < 10_000; nonce++) {
    job.headerInto(header, root, job.curtime, nonce, job.version);
    const pow = scryptSync(header, header, 32, { N: 1024, r: 1, p: 1 });
    if (hashValue(pow) <= job.target) break;
  }
  assert.ok(nonce < 10_000, 'no nonce met the regtest target');
  return { job, template, header, hex: job.serializeBlock(header, coinbase).toString('hex') };
}

/** Builds, submits and checks the daemon took the block as its new tip. */
async function assembleAndSubmit(node: RegtestNode, payees: Payees, jobId: string): Promise<MinedBlock> {
  const built = await buildBlock(node, payees, jobId);
  const answer = await node.rpc<string | null>('submitblock', [built.hex]);
  assert.equal(answer, null, `submitblock at height ${built.job.height} answered ${JSON.stringify(answer)}\n${node.logs(10)}`);
  const hash = blockHashHex(built.header);
  assert.equal(await node.rpc<string>('getbestblockhash'), hash);
  return { hash, job: built.job, template: built.template };
}

/** The accepted block's coinbase pays exactly coinbasevalue, split as the job said. */
async function assertCoinbasePaid(node: RegtestNode, mined: MinedBlock, payees: Payees): Promise<VerboseBlock> {
  const block = await node.rpc<VerboseBlock>('getblock', [mined.hash, 2]);
  assert.equal(block.height, mined.template.height);
  const coinbase = block.tx[0];
  assert.ok(coinbase.vin[0].coinbase, 'first transaction is the coinbase');
  const values = coinbase.vout.map((o) => BigInt(Math.round(o.value * 1e8)));
  assert.deepEqual(values, mined.job.outputValues);
  assert.equal(values.reduce((a, b) => a + b, 0n), BigInt(mined.template.coinbasevalue));
  assert.equal(coinbase.vout[0].scriptPubKey.hex, payees.pool.toString('hex'));
  payees.recipients.forEach((r, i) => assert.equal(coinbase.vout[i + 1].scriptPubKey.hex, r.script.toString('hex')));
  return block;
}

describe('block assembly on regtest litecoind', { timeout: 180_000 }, () => {
  let pair: RegtestPair;
  let payees: Payees;

  before(async () => {
    // A huge -maxtipage lets node A leave initial block download at genesis, so height 1 can be templated too.
    pair = await startRegtestPair({ a: { extraArgs: ['-maxtipage=4000000000'] } });
    await createWallet(pair.a, WALLET);
    payees = {
      pool: await scriptOf(pair.a, await newAddress(pair.a, WALLET, 'bech32')),
      recipients: [
        { script: await scriptOf(pair.a, await newAddress(pair.a, WALLET, 'legacy')), percent: 1.5 },
        { script: await scriptOf(pair.a, await newAddress(pair.a, WALLET, 'p2sh-segwit')), percent: 0.1 },
      ],
    };
  });

  after(async () => {
    await pair?.stop();
  });

  it('mines every OP_N height (1..16) and the first pushed height (17)', async () => {
    assert.equal(await pair.a.rpc<number>('getblockcount'), 0);
    const ours: { hash: string; scriptSig: string }[] = [];
    for (let height = 1; height <= 17; height++) {
      const mined = await assembleAndSubmit(pair.a, payees, height.toString(16));
      assert.equal(mined.job.height, height);
      const block = await assertCoinbasePaid(pair.a, mined, payees);
      ours.push({ hash: mined.hash, scriptSig: block.tx[0].vin[0].coinbase ?? '' });
    }

    // Litecoin's regtest enforces BIP34 only from height 500, so acceptance alone proves nothing about these
    // heights: compare with the prefix Core itself writes (`CScript() << nHeight`) on a side chain it mines.
    await pair.a.rpc('invalidateblock', [ours[0].hash]);
    const theirs = await mine(pair.a, 16);
    for (const [i, hash] of theirs.entries()) {
      const block = await pair.a.rpc<VerboseBlock>('getblock', [hash, 2]);
      const coreScriptSig = block.tx[0].vin[0].coinbase ?? '';
      const pushHexLength = 2 * scriptNumPush(i + 1).length;
      assert.equal(block.height, i + 1);
      assert.equal(ours[i].scriptSig.slice(0, pushHexLength), coreScriptSig.slice(0, pushHexLength), `height ${i + 1}`);
    }
    // Our chain is one block longer: reconsidering it makes it the tip again.
    await pair.a.rpc('reconsiderblock', [ours[0].hash]);
    assert.equal(await pair.a.rpc<string>('getbestblockhash'), ours[16].hash);
    await waitForSync(pair.a, pair.b);
  });

  it('includes mempool transactions (segwit spends) and the daemon keeps them in the block', async () => {
    const funding = await newAddress(pair.a, WALLET, 'bech32');
    await mine(pair.a, 101, funding);
    const sent: string[] = [];
    for (const type of ['bech32', 'legacy', 'p2sh-segwit'] as const) {
      sent.push(await pair.a.rpc<string>('sendtoaddress', [await newAddress(pair.a, WALLET, type), 1.25], WALLET));
    }
    const mined = await assembleAndSubmit(pair.a, payees, 'tx');
    const templateTxids = mined.template.transactions.map((t) => t.txid);
    for (const txid of sent) assert.ok(templateTxids.includes(txid), `template lacks ${txid}`);
    assert.ok(mined.template.transactions.some((t) => t.txid !== t.hash), 'a witness transaction was included');
    assert.ok(mined.job.merkleBranch.length >= 2);

    const block = await assertCoinbasePaid(pair.a, mined, payees);
    assert.deepEqual(block.tx.slice(1).map((t) => t.txid), templateTxids);
    assert.deepEqual(await pair.a.rpc<unknown[]>('getrawmempool'), []);
    await waitForSync(pair.a, pair.b);
  });

  it('appends the MWEB block once MWEB is active', async () => {
    await activateMweb(pair, WALLET);
    // A second peg-in makes the next template carry MWEB data beyond the bare HogEx.
    await pair.a.rpc('sendtoaddress', [await newAddress(pair.a, WALLET, 'mweb'), 0.5], WALLET);
    const mined = await assembleAndSubmit(pair.a, payees, 'mweb');
    assert.ok(mined.template.mweb, 'template carries the mweb field');
    const block = await assertCoinbasePaid(pair.a, mined, payees);
    // The HogEx is the template's last transaction and the block's last transaction.
    assert.equal(block.tx[block.tx.length - 1].txid, mined.template.transactions.at(-1)?.txid);
    await waitForSync(pair.a, pair.b);
  });
  it('passes the enforced BIP34 check from height 500, where a wrong height is refused', async () => {
    const height = await pair.a.rpc<number>('getblockcount');
    await mine(pair.a, 499 - height);
    // The same honest path with the height shifted by one must be refused, or the check is not live.
    const lying = await buildBlock(pair.a, payees, 'bad', (t) => ({ ...t, height: t.height + 1 }));
    assert.equal(lying.job.height, 501);
    assert.equal(await pair.a.rpc<string | null>('submitblock', [lying.hex]), 'bad-cb-height');
    for (const expected of [500, 501]) {
      const mined = await assembleAndSubmit(pair.a, payees, `h${expected}`);
      assert.equal(mined.job.height, expected);
      await assertCoinbasePaid(pair.a, mined, payees);
    }
    await waitForSync(pair.a, pair.b);
  });
});
