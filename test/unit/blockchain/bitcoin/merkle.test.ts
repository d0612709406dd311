import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { internalToRpcHex, rpcHexToInternal, sha256d } from '../../../../src/blockchain/bitcoin/hash.js';
import { merkleBranch, merkleRoot, merkleRootFromBranch } from '../../../../src/blockchain/bitcoin/merkle.js';
import { BLOCK_100000 } from './fixtures.js';

describe('merkle', () => {
  const txids = BLOCK_100000.txids.map(rpcHexToInternal);

  it('computes Bitcoin block 100000 root from the full tree', () => {
    assert.equal(internalToRpcHex(merkleRoot(txids)), BLOCK_100000.merkleRoot);
  });

  it('rebuilds block 100000 root from the coinbase hash and the stratum branch', () => {
    const branch = merkleBranch(txids.slice(1));
    assert.equal(branch.length, 2);
    assert.deepEqual(branch[0], txids[1]);
    assert.equal(internalToRpcHex(merkleRootFromBranch(txids[0], branch)), BLOCK_100000.merkleRoot);
  });

  it('gets the coinbase txid by hashing the coinbase bytes', () => {
    const coinbase = Buffer.from(BLOCK_100000.txHex[0], 'hex');
    assert.equal(internalToRpcHex(sha256d(coinbase)), BLOCK_100000.txids[0]);
  });

  it('matches the full tree for every leaf count from 1 to 17 (odd levels duplicate the last hash)', () => {
    for (let n = 1; n <= 17; n++) {
      const leaves = Array.from({ length: n }, (_, i) => sha256d(Buffer.from([i, n])));
      const branch = merkleBranch(leaves.slice(1));
      assert.deepEqual(merkleRootFromBranch(leaves[0], branch), merkleRoot(leaves), `n=${n}`);
      assert.equal(branch.length, Math.ceil(Math.log2(n)), `branch length for n=${n}`);
    }
  });

  it('gives a coinbase-only block an empty branch whose root is the coinbase hash', () => {
    const cb = sha256d(Buffer.from('cb'));
    assert.deepEqual(merkleBranch([]), []);
    assert.deepEqual(merkleRootFromBranch(cb, []), cb);
  });

  it('changes the root when any transaction changes', () => {
    const altered = txids.slice();
    altered[3] = sha256d(Buffer.from('other'));
    assert.notDeepEqual(merkleRootFromBranch(txids[0], merkleBranch(altered.slice(1))), merkleRoot(txids));
  });
});
