import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blockHashHex, internalToRpcHex } from '../../../../src/blockchain/bitcoin/hash.js';
import { JobTemplate, type JobTemplateOptions, notifyPrevHash } from '../../../../src/blockchain/bitcoin/job-template.js';
import { scriptNumPush } from '../../../../src/blockchain/bitcoin/serialize.js';
import type { BlockTemplate } from '../../../../src/blockchain/bitcoin/template.js';
import { BLOCK_100000 } from './fixtures.js';
import { readTx } from './tx-reader.js';

const POOL_SCRIPT = Buffer.from('0014' + '11'.repeat(20), 'hex');
const RECIPIENT_A = Buffer.from('76a914' + '22'.repeat(20) + '88ac', 'hex');
const RECIPIENT_B = Buffer.from('a914' + '33'.repeat(20) + '87', 'hex');
const COMMITMENT = '6a24aa21a9ed' + 'ab'.repeat(32);

/** Block 100000's template as a daemon would have offered it (transactions after the coinbase). */
function block100000Template(): BlockTemplate {
  return {
    version: BLOCK_100000.version,
    rules: [],
    previousblockhash: BLOCK_100000.previousblockhash,
    transactions: BLOCK_100000.txids.slice(1).map((txid, i) => ({
      txid,
      hash: txid,
      data: BLOCK_100000.txHex[i + 1],
    })),
    coinbasevalue: 5_000_000_000,
    bits: BLOCK_100000.bits,
    curtime: BLOCK_100000.time,
    height: 100_000,
    target: '0'.repeat(64),
    mintime: 0,
  };
}

function regtestTemplate(overrides: Partial<BlockTemplate> = {}): BlockTemplate {
  return {
    version: 0x20000000,
    rules: ['csv', '!segwit', 'taproot'],
    previousblockhash: '1f'.repeat(31) + '00',
    transactions: [],
    coinbasevalue: 5_000_000_007,
    bits: '207fffff',
    curtime: 1_700_000_000,
    height: 17,
    target: '7fffff' + '0'.repeat(58),
    mintime: 1_699_999_000,
    default_witness_commitment: COMMITMENT,
    ...overrides,
  };
}

function options(overrides: Partial<JobTemplateOptions> = {}): JobTemplateOptions {
  return {
    jobId: '1a',
    payoutScript: POOL_SCRIPT,
    recipients: [
      { script: RECIPIENT_A, percent: 1.5 },
      { script: RECIPIENT_B, percent: 0.1 },
    ],
    poolTag: '/headframe/',
    extranonce1Size: 4,
    extranonce2Size: 4,
    mweb: true,
    ...overrides,
  };
}

const EN1 = Buffer.from('a1b2c3d4', 'hex');
const EN2 = Buffer.from('0000002a', 'hex');

describe('JobTemplate coinbase', () => {
  it('builds a parseable coinbase with BIP34 height, extranonces, tag and exact outputs', () => {
    const job = new JobTemplate(regtestTemplate(), options());
    const coinbase = job.coinbase(EN1, EN2);
    const tx = readTx(coinbase);
    assert.equal(tx.size, coinbase.length);
    assert.equal(tx.version, 1);
    assert.equal(tx.locktime, 0);
    assert.equal(tx.inputs.length, 1);
    assert.deepEqual(tx.inputs[0].prevout, Buffer.concat([Buffer.alloc(32), Buffer.from('ffffffff', 'hex')]));
    assert.equal(tx.inputs[0].sequence, 0xffffffff);

    const script = tx.inputs[0].script;
    assert.ok(script.length >= 2 && script.length <= 100);
    assert.deepEqual(script.subarray(0, 2), scriptNumPush(17));
    // One push holding extranonce1 ‖ extranonce2, then the tag push.
    assert.equal(script[2], 8);
    assert.deepEqual(script.subarray(3, 11), Buffer.concat([EN1, EN2]));
    assert.equal(script[11], '/headframe/'.length);
    assert.equal(script.subarray(12).toString('utf8'), '/headframe/');

    assert.deepEqual(
      tx.outputs.map((o) => o.script.toString('hex')),
      [POOL_SCRIPT, RECIPIENT_A, RECIPIENT_B].map((s) => s.toString('hex')).concat(COMMITMENT),
    );
    assert.equal(tx.outputs[1].value, 75_000_000n);
    assert.equal(tx.outputs[2].value, 5_000_000n);
    assert.equal(tx.outputs[3].value, 0n);
    assert.equal(tx.outputs.reduce((sum, o) => sum + o.value, 0n), 5_000_000_007n);
    assert.deepEqual(job.outputValues, tx.outputs.map((o) => o.value));
  });

  it('splits exactly around the extranonce: coinb1 ‖ en1 ‖ en2 ‖ coinb2', () => {
    const job = new JobTemplate(regtestTemplate(), options());
    const coinbase = job.coinbase(EN1, EN2);
    assert.deepEqual(coinbase.subarray(0, job.coinb1.length), job.coinb1);
    assert.deepEqual(coinbase.subarray(job.coinb1.length, job.coinb1.length + 8), Buffer.concat([EN1, EN2]));
    assert.deepEqual(coinbase.subarray(job.coinb1.length + 8), job.coinb2);
    assert.equal(job.coinbaseSize, coinbase.length);
    assert.throws(() => job.coinbase(EN1, Buffer.alloc(3)), RangeError);
  });

  it('sums recipients 1.5 %, 0.1 % and 33.333333 % exactly to coinbasevalue', () => {
    for (const value of [1, 999, 5_000_000_007, 1_250_000_000, 8_400_000_000_000_000]) {
      const job = new JobTemplate(
        regtestTemplate({ coinbasevalue: value }),
        options({
          recipients: [
            { script: RECIPIENT_A, percent: 1.5 },
            { script: RECIPIENT_B, percent: 0.1 },
            { script: RECIPIENT_A, percent: 33.333333 },
          ],
        }),
      );
      const outputs = readTx(job.coinbase(EN1, EN2)).outputs;
      assert.equal(outputs.reduce((sum, o) => sum + o.value, 0n), BigInt(value), `value ${value}`);
    }
  });

  it('writes heights 0..16 as OP_0 / OP_N and larger heights as minimal pushes', () => {
    for (let height = 0; height <= 20; height++) {
      const job = new JobTemplate(regtestTemplate({ height }), options());
      const script = readTx(job.coinbase(EN1, EN2)).inputs[0].script;
      const push = scriptNumPush(height);
      assert.deepEqual(script.subarray(0, push.length), push, `height ${height}`);
      if (height === 0) assert.equal(script[0], 0x00);
      else if (height <= 16) assert.equal(script[0], 0x50 + height);
      else assert.equal(script[0], 1);
    }
  });

  it('cuts a long pool tag so the scriptSig stays within 100 bytes and valid UTF-8', () => {
    for (const tag of ['x'.repeat(300), '⛏'.repeat(60), 'a' + '€'.repeat(40)]) {
      const job = new JobTemplate(regtestTemplate({ height: 8_388_608 }), options({ poolTag: tag }));
      const script = readTx(job.coinbase(EN1, EN2)).inputs[0].script;
      assert.ok(script.length <= 100, `scriptSig ${script.length} bytes`);
      const tagStart = 5 + 1 + 8;
      assert.equal(script[tagStart], script.length - tagStart - 1);
      const text = script.subarray(tagStart + 1).toString('utf8');
      assert.ok(text.length > 0 && tag.startsWith(text), 'tag is a whole-character prefix');
    }
  });

  it('puts a job salt between the extranonce and the tag, and still cuts the tag to 100 bytes', () => {
    const salt = Buffer.from('c0ffee01', 'hex');
    const job = new JobTemplate(regtestTemplate({ height: 8_388_608 }), options({ poolTag: 'x'.repeat(300), jobSalt: salt }));
    const script = readTx(job.coinbase(EN1, EN2)).inputs[0].script;
    assert.ok(script.length <= 100, `scriptSig ${script.length} bytes`);
    const saltStart = 5 + 1 + 8;
    assert.deepEqual(script.subarray(saltStart, saltStart + 5), Buffer.concat([Buffer.from([4]), salt]));
    assert.equal(script[saltStart + 5], script.length - saltStart - 6, 'the tag push follows');
  });

  it('two jobs of one unchanged template with their own salts give the same extranonces different headers', () => {
    const template = regtestTemplate();
    const [a, b] = ['00000001', '00000002'].map((hex) => new JobTemplate(template, options({ jobSalt: Buffer.from(hex, 'hex') })));
    const header = (job: JobTemplate) => job.header(job.merkleRoot(job.coinbase(EN1, EN2)), template.curtime, 7, template.version);
    assert.notDeepEqual(header(a), header(b));
    const unsalted = [0, 1].map(() => new JobTemplate(template, options()));
    assert.deepEqual(header(unsalted[0]), header(unsalted[1]), 'without salts they collide: what the salt is for');
  });

  it('leaves the tag out when it is empty', () => {
    const job = new JobTemplate(regtestTemplate(), options({ poolTag: '' }));
    assert.equal(readTx(job.coinbase(EN1, EN2)).inputs[0].script.length, 2 + 1 + 8);
  });

  it('omits the witness commitment output when the template has none', () => {
    const job = new JobTemplate(regtestTemplate({ default_witness_commitment: undefined }), options({ recipients: [] }));
    const outputs = readTx(job.coinbase(EN1, EN2)).outputs;
    assert.equal(outputs.length, 1);
    assert.equal(outputs[0].value, 5_000_000_007n);
  });

  it('honours extranonce2 sizes other than 4', () => {
    const job = new JobTemplate(regtestTemplate(), options({ extranonce2Size: 8 }));
    const en2 = Buffer.from('0102030405060708', 'hex');
    const script = readTx(job.coinbase(EN1, en2)).inputs[0].script;
    assert.equal(script[2], 12);
    assert.deepEqual(script.subarray(7, 15), en2);
  });

  it('refuses coinbase values that are not non-negative safe integers', () => {
    for (const bad of [2 ** 53, -1, 1.5, Number.NaN]) {
      assert.throws(() => new JobTemplate(regtestTemplate({ coinbasevalue: bad }), options()), RangeError);
    }
  });
});

describe('JobTemplate notify params', () => {
  it('word-swaps the previous block hash', () => {
    assert.equal(
      notifyPrevHash(BLOCK_100000.previousblockhash),
      '19011250' + '04612a17' + '01c3a621' + 'd930d31d' + '36b607df' + '1fccc216' + '0002d01c' + '00000000',
    );
  });

  it('lists the nine mining.notify params', () => {
    const template = regtestTemplate({
      transactions: [{ txid: 'ee'.repeat(32), hash: 'ee'.repeat(32), data: '00' }],
    });
    const job = new JobTemplate(template, options());
    const params = job.notifyParams(true);
    assert.equal(params.length, 9);
    assert.deepEqual(params, [
      '1a',
      notifyPrevHash(template.previousblockhash),
      job.coinb1.toString('hex'),
      job.coinb2.toString('hex'),
      ['ee'.repeat(32)],
      '20000000',
      '207fffff',
      '6553f100',
      true,
    ]);
    assert.equal(job.notifyParams(false)[8], false);
  });
});

describe('JobTemplate header and block', () => {
  it('round-trips Bitcoin block 100000: fields -> 80 bytes -> its known hash', () => {
    const job = new JobTemplate(block100000Template(), options({ recipients: [] }));
    const coinbase = Buffer.from(BLOCK_100000.txHex[0], 'hex');
    const root = job.merkleRoot(coinbase);
    assert.equal(internalToRpcHex(root), BLOCK_100000.merkleRoot);
    const header = job.header(root, BLOCK_100000.time, BLOCK_100000.nonce, job.version);
    assert.equal(header.length, 80);
    assert.equal(blockHashHex(header), BLOCK_100000.hash);
    assert.ok(BigInt('0x' + BLOCK_100000.hash) <= job.target, 'the block meets its own target');

    const block = job.serializeBlock(header, coinbase);
    assert.equal(block.length, BLOCK_100000.size);
    assert.deepEqual(block, Buffer.concat([header, Buffer.from([4]), ...BLOCK_100000.txHex.map((h) => Buffer.from(h, 'hex'))]));
  });

  it('decodes the target from bits', () => {
    assert.equal(new JobTemplate(block100000Template(), options()).target, 0x04864cn << 192n);
    assert.equal(new JobTemplate(regtestTemplate(), options()).target, 0x7fffffn << 232n);
  });

  it('writes version, ntime and nonce little-endian; headerInto matches header', () => {
    const job = new JobTemplate(regtestTemplate(), options());
    const root = Buffer.alloc(32, 7);
    const version = (0x20000000 | 0x1fffe000) >>> 0;
    const header = job.header(root, 0x6553f1aa, 0xdeadbeef, version);
    assert.equal(header.subarray(0, 4).toString('hex'), '00e0ff3f');
    assert.deepEqual(header.subarray(4, 36), Buffer.from(regtestTemplate().previousblockhash, 'hex').reverse());
    assert.deepEqual(header.subarray(36, 68), root);
    assert.equal(header.subarray(68, 72).toString('hex'), 'aaf15365');
    assert.equal(header.subarray(72, 76).toString('hex'), 'ffff7f20');
    assert.equal(header.subarray(76, 80).toString('hex'), 'efbeadde');

    const reused = Buffer.alloc(80, 0x55);
    assert.equal(job.headerInto(reused, root, 0x6553f1aa, 0xdeadbeef, version), reused);
    assert.deepEqual(reused, header);
  });

  it('appends 0x01 ‖ mweb after the last transaction when the template has mweb', () => {
    const tx = { txid: 'cd'.repeat(32), hash: 'cd'.repeat(32), data: '02000000' + 'ab'.repeat(10) };
    const job = new JobTemplate(regtestTemplate({ transactions: [tx], mweb: 'feedc0de' }), options());
    const header = job.header(Buffer.alloc(32), 1, 2, 3);
    const coinbase = job.coinbase(EN1, EN2);
    const block = job.serializeBlock(header, coinbase);
    assert.deepEqual(
      block,
      Buffer.concat([header, Buffer.from([2]), coinbase, Buffer.from(tx.data, 'hex'), Buffer.from('01feedc0de', 'hex')]),
    );

    const plain = new JobTemplate(regtestTemplate({ transactions: [tx] }), options()).serializeBlock(header, coinbase);
    assert.deepEqual(plain.subarray(plain.length - tx.data.length / 2), Buffer.from(tx.data, 'hex'));
    assert.equal(plain.length, block.length - 5);
  });

  it('refuses MWEB data for a coin configured without MWEB', () => {
    assert.throws(() => new JobTemplate(regtestTemplate({ mweb: '00' }), options({ mweb: false })));
  });

  it('refuses malformed template fields', () => {
    assert.throws(() => new JobTemplate(regtestTemplate({ bits: '207fff' }), options()), TypeError);
    assert.throws(() => new JobTemplate(regtestTemplate({ previousblockhash: 'zz' }), options()), TypeError);
    const badTx = { txid: 'cd'.repeat(32), hash: 'cd'.repeat(32), data: 'xyz' };
    assert.throws(() => new JobTemplate(regtestTemplate({ transactions: [badTx] }), options()), TypeError);
  });
});
