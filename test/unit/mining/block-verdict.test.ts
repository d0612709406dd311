// What a block submission counts as when the confirming getblock could not say: a block any daemon holds must never
// be called rejected (a rejected block's round is merged back and the block is never paid).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideVerdict } from '../../../src/mining/block-submitter.js';
import type { BlockInfo } from '../../../src/daemon/rpc-types.js';

const info = (confirmations: number): BlockInfo => ({ confirmations } as unknown as BlockInfo);

test('the chain decides when getblock answered', () => {
  assert.equal(decideVerdict(info(1), ['high-hash']), 'accepted');
  assert.equal(decideVerdict(info(-1), [null]), 'stale');
});

test('without getblock: a daemon that took the block or already had it ("duplicate") leaves it unknown, not rejected', () => {
  assert.equal(decideVerdict(null, [null]), 'unknown');
  // Daemon B had the block from daemon A over P2P before our submitblock reached it.
  assert.equal(decideVerdict(null, ['duplicate']), 'unknown');
  assert.equal(decideVerdict(null, [null, 'duplicate']), 'unknown');
  assert.equal(decideVerdict(null, [null, 'inconclusive']), 'unknown');
  assert.equal(decideVerdict(null, ['duplicate', 'high-hash']), 'unknown');
});

test('without getblock: refusals reject, a valid side-chain block is stale, no answer at all is unknown', () => {
  assert.equal(decideVerdict(null, ['high-hash']), 'rejected');
  assert.equal(decideVerdict(null, ['duplicate-invalid']), 'rejected');
  assert.equal(decideVerdict(null, ['inconclusive']), 'stale');
  assert.equal(decideVerdict(null, ['inconclusive', 'bad-cb-amount']), 'stale');
  assert.equal(decideVerdict(null, [undefined]), 'unknown');
});
