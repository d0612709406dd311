import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyBlock, onePerHeight, type ChainFacts } from '../../../src/payments/classify.js';

const rules = { coinbaseMaturity: 100, orphanAfterChecks: 3 };
const block = { height: 10, hash: 'aa' };
const facts = (f: Partial<ChainFacts>): ChainFacts => ({ synced: true, mainHashAtHeight: 'aa', confirmations: 5, ...f });

describe('classifyBlock', () => {
  test('on the main chain: immature until confirmations exceed maturity, then confirmed', () => {
    assert.deepEqual(classifyBlock(block, facts({ confirmations: 1 }), 0, rules), { status: 'immature', confirmations: 1 });
    assert.deepEqual(classifyBlock(block, facts({ confirmations: 100 }), 2, rules), { status: 'immature', confirmations: 100 });
    assert.deepEqual(classifyBlock(block, facts({ confirmations: 101 }), 0, rules), { status: 'confirmed', confirmations: 101 });
  });

  test('a mature block is not confirmed by an unsynced daemon', () => {
    assert.equal(classifyBlock(block, facts({ confirmations: 500, synced: false }), 0, rules).status, 'unchanged');
  });

  test('off chain: missing, then orphaned on the third consecutive check', () => {
    const off = facts({ confirmations: -1, mainHashAtHeight: 'bb' });
    assert.deepEqual(classifyBlock(block, off, 0, rules), { status: 'missing', misses: 1 });
    assert.deepEqual(classifyBlock(block, off, 1, rules), { status: 'missing', misses: 2 });
    assert.deepEqual(classifyBlock(block, off, 2, rules), { status: 'orphaned', misses: 3 });
    // Unknown to the daemon counts as off chain too.
    assert.deepEqual(classifyBlock(block, facts({ confirmations: null, mainHashAtHeight: null }), 0, rules), { status: 'missing', misses: 1 });
  });

  test('an unsynced daemon never advances the orphan count', () => {
    assert.equal(classifyBlock(block, facts({ confirmations: -1, mainHashAtHeight: 'bb', synced: false }), 2, rules).status, 'unchanged');
  });

  test('disagreeing answers (reorg between calls) conclude nothing', () => {
    assert.equal(classifyBlock(block, facts({ confirmations: 3, mainHashAtHeight: 'cc' }), 0, rules).status, 'unchanged');
    assert.equal(classifyBlock(block, facts({ confirmations: -1, mainHashAtHeight: 'aa' }), 0, rules).status, 'unchanged');
  });
});

describe('onePerHeight', () => {
  test('a height confirmed before, or twice in one run, keeps only the first claimant', () => {
    const confirmed = { status: 'confirmed', confirmations: 200 } as const;
    const out = onePerHeight(
      [
        { block: { height: 1, hash: 'x' }, cls: confirmed },
        { block: { height: 1, hash: 'y' }, cls: confirmed },
        { block: { height: 2, hash: 'z' }, cls: confirmed },
        { block: { height: 3, hash: 'w' }, cls: { status: 'immature', confirmations: 3 } },
      ],
      new Set([2]),
    );
    assert.deepEqual(out.map((r) => r.cls.status), ['confirmed', 'unchanged', 'unchanged', 'immature']);
  });
});
