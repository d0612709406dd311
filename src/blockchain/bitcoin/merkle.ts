// Merkle trees over internal-order (raw digest) hashes. The stratum "branch" is the list of siblings on the path of
// leaf 0 (the coinbase), so a miner can rebuild the root from any coinbase it assembles.
import { createHash } from 'node:crypto';

function hashPair(left: Buffer, right: Buffer): Buffer {
  const inner = createHash('sha256').update(left).update(right).digest();
  return createHash('sha256').update(inner).digest();
}

/**
 * Siblings of leaf 0 in a tree whose leaves are [coinbase, ...txids]. Odd levels pair their last hash with itself,
 * as Bitcoin Core does.
 */
export function merkleBranch(txidsInternal: readonly Buffer[]): Buffer[] {
  const branch: Buffer[] = [];
  // The level without its leaf-0 entry: that entry is unknown until a miner picks its extranonce.
  let rest = txidsInternal.slice();
  while (rest.length > 0) {
    branch.push(rest[0]);
    // Level size is rest.length + 1; when odd, the last hash is duplicated.
    if ((rest.length + 1) % 2 === 1) rest.push(rest[rest.length - 1]);
    const next: Buffer[] = [];
    for (let i = 1; i + 1 < rest.length; i += 2) next.push(hashPair(rest[i], rest[i + 1]));
    rest = next;
  }
  return branch;
}

/** Root of the tree from leaf 0's hash and its branch. */
export function merkleRootFromBranch(coinbaseHash: Buffer, branch: readonly Buffer[]): Buffer {
  let root = coinbaseHash;
  for (const sibling of branch) root = hashPair(root, sibling);
  return root;
}

/** The root of a full tree of internal-order hashes (reference implementation, for checks and tests). */
export function merkleRoot(hashes: readonly Buffer[]): Buffer {
  if (hashes.length === 0) throw new RangeError('a merkle tree needs at least one leaf');
  let level = hashes.slice();
  while (level.length > 1) {
    if (level.length % 2 === 1) level.push(level[level.length - 1]);
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(hashPair(level[i], level[i + 1]));
    level = next;
  }
  return level[0];
}

