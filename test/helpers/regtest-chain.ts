// Chain-level helpers for a regtest pair: wallets, addresses, mining, sync and MWEB activation.
// Re-exported from litecoind.ts, which is what tests import.
import { RpcError } from './litecoind-rpc.js';
import { waitFor } from './processes.js';
import type { RegtestNode, RegtestPair } from './litecoind.js';

export type AddressType = 'legacy' | 'p2sh-segwit' | 'bech32' | 'mweb';

/** Creates (or loads, if it already exists in the datadir) a wallet and returns its name. */
export async function createWallet(node: RegtestNode, name: string): Promise<string> {
  try {
    await node.rpc('createwallet', [name]);
  } catch (err) {
    // -4: "Wallet file verification failed... already exists"; -35: already loaded.
    if (!(err instanceof RpcError) || (err.code !== -4 && err.code !== -35)) throw err;
    if (err.code === -4) await node.rpc('loadwallet', [name]).catch(() => undefined);
  }
  return name;
}

export function newAddress(node: RegtestNode, wallet: string, type: AddressType = 'bech32'): Promise<string> {
  return node.rpc<string>('getnewaddress', ['', type], wallet);
}

const MINER_WALLET = 'harness-miner';

/** Mines `count` blocks on `node` to `address` (default: a fresh address of the harness's own wallet). */
export async function mine(node: RegtestNode, count: number, address?: string): Promise<string[]> {
  const to = address ?? (await newAddress(node, await createWallet(node, MINER_WALLET)));
  // Regtest scrypt needs ~2 hashes per block, so hundreds of blocks take about a second; 1 s per block is generous.
  return node.rpc<string[]>('generatetoaddress', [count, to], undefined, 30_000 + count * 1000);
}

/** Waits until both nodes report the same best block. */
export async function waitForSync(a: RegtestNode, b: RegtestNode, timeoutMs = 15_000): Promise<string> {
  return waitFor(
    async () => {
      const [ha, hb] = await Promise.all([
        a.rpc<string>('getbestblockhash', [], undefined, 2000),
        b.rpc<string>('getbestblockhash', [], undefined, 2000),
      ]);
      return ha === hb ? ha : undefined;
    },
    { timeoutMs, intervalMs: 100, what: `${a.name} and ${b.name} to agree on the best block` },
  );
}

const MWEB_ACTIVATION_HEIGHT = 432;

/**
 * Brings MWEB to active on the pair: mine to 431, put a peg-in in A's mempool (block 432 cannot be templated
 * without one), mine past 432 and wait for B. Slow-ish (hundreds of blocks): use only in tests that need MWEB.
 */
export async function activateMweb(pair: RegtestPair, wallet = 'harness-mweb'): Promise<void> {
  const { a, b } = pair;
  await createWallet(a, wallet);
  const payout = await newAddress(a, wallet, 'bech32');
  const height = await a.rpc<number>('getblockcount');
  if (height >= MWEB_ACTIVATION_HEIGHT) throw new Error(`activateMweb: chain is already at ${height}, past activation`);
  if (height < MWEB_ACTIVATION_HEIGHT - 1) await mine(a, MWEB_ACTIVATION_HEIGHT - 1 - height, payout);
  // Only legal now: a peg-in sent earlier is accepted by the wallet but never broadcast (regtest.md).
  const pegIn = await newAddress(a, wallet, 'mweb');
  await a.rpc('sendtoaddress', [pegIn, 1], wallet);
  await mine(a, 2, payout);
  await waitForSync(a, b);
  const info = await a.rpc<{ softforks?: Record<string, { active?: boolean }> }>('getblockchaininfo');
  if (info.softforks?.mweb?.active !== true) {
    const hint = 'was node A started with -vbparams=mweb:...?';
    throw new Error(`activateMweb: MWEB is not active at height ${MWEB_ACTIVATION_HEIGHT + 1}; ${hint}`);
  }
}
