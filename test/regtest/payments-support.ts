// Shared pieces of the payment tests on regtest: a payment processor wired to a test Redis and the pool's wallet,
// exact received amounts per address, and a block mined straight to the pool address recorded the way the share
// side records a candidate (for tests about paying, not about mining).
import { Redis } from 'ioredis';
import type { PoolConfig } from '../../src/config/types.js';
import { RpcClient } from '../../src/daemon/rpc-client.js';
import { createLogger } from '../../src/log/logger.js';
import { coinsToUnits } from '../../src/payments/amounts.js';
import { PoolPaymentProcessor, type ProcessorOptions } from '../../src/payments/processor.js';
import { PaymentScripts } from '../../src/payments/scripts.js';
import { PaymentStore } from '../../src/payments/store.js';
import { blockId, PoolKeys } from '../../src/redis/keys.js';
import { createWallet, mine, waitForSync, type RegtestNode, type RegtestPair } from '../helpers/litecoind.js';
import type { RedisHandle } from '../helpers/redis-server.js';

export { POOL_WALLET } from '../helpers/mining-scene.js';
export const MINERS_WALLET = 'miners';

export interface ProcessorHandle {
  readonly processor: PoolPaymentProcessor;
  readonly store: PaymentStore;
  readonly client: Redis;
  close(): void;
}

export function redisClient(redis: Pick<RedisHandle, 'host' | 'port'>): Redis {
  return new Redis(redis.port, redis.host, { maxRetriesPerRequest: 1, connectTimeout: 2000, commandTimeout: 5000 });
}

export function startProcessor(
  pool: PoolConfig,
  redis: Pick<RedisHandle, 'host' | 'port'>,
  keyPrefix: string,
  extra: Partial<ProcessorOptions> = {},
): ProcessorHandle {
  const client = redisClient(redis);
  const store = new PaymentStore(client, new PaymentScripts(client), keyPrefix, pool.id);
  const logger = createLogger({ level: (process.env.HEADFRAME_TEST_LOG as 'debug' | undefined) ?? 'error', context: { role: 'test-payments' } });
  const rpc = new RpcClient(pool.paymentProcessing.daemon, { logger });
  const processor = new PoolPaymentProcessor({ pool, store, rpc, logger, ...extra });
  return {
    processor,
    store,
    client,
    close: () => {
      rpc.close();
      client.disconnect();
    },
  };
}

interface Unspent {
  readonly address?: string;
  readonly amount: number;
}

/** Base units an address of `wallet` holds (confirmed or not, coinbase included once mature). */
export async function unitsAt(node: RegtestNode, wallet: string, address: string): Promise<bigint> {
  const utxos = await node.rpc<Unspent[]>('listunspent', [0, 9_999_999, [address]], wallet);
  return utxos.reduce((sum, u) => sum + coinsToUnits(u.amount), 0n);
}

interface VerboseBlock {
  readonly hash: string;
  readonly height: number;
  readonly tx: readonly { readonly txid: string; readonly vout: readonly { readonly value: number; readonly scriptPubKey: { readonly hex: string } }[] }[];
}

export async function coinbaseOf(node: RegtestNode, hash: string): Promise<VerboseBlock['tx'][number]> {
  return (await node.rpc<VerboseBlock>('getblock', [hash, 2])).tx[0];
}

/**
 * Mines one block to the pool address with generatetoaddress and records it as the share side does for a candidate:
 * block record, closed round with the given work per address, pending entry.
 */
export async function recordMinedBlock(
  node: RegtestNode,
  client: Redis,
  keys: PoolKeys,
  poolAddress: string,
  work: Record<string, bigint>,
): Promise<{ height: number; hash: string; reward: bigint }> {
  const [hash] = await node.rpc<string[]>('generatetoaddress', [1, poolAddress]);
  const block = await node.rpc<VerboseBlock>('getblock', [hash, 2]);
  const coinbase = block.tx[0];
  const reward = coinbase.vout.reduce((s, o) => s + coinsToUnits(o.value), 0n);
  const finder = Object.keys(work)[0];
  const total = Object.values(work).reduce((a, b) => a + b, 0n);
  const round = keys.round(block.height, hash);
  await client.hset(round.addresses, Object.fromEntries(Object.entries(work).map(([a, w]) => [a, w.toString()])));
  await client.hset(round.meta, { work: total.toString(), shares: String(Object.keys(work).length), closedAt: String(Date.now()), height: String(block.height), hash });
  await client.hset(keys.block(block.height, hash), {
    pool: keys.poolId, height: String(block.height), hash, coinbaseTxid: coinbase.txid, reward: reward.toString(),
    finder, worker: `${finder}.rig`, shareDiff: '1', jobId: '1', foundAt: String(Date.now()), round: blockId(block.height, hash),
    roundWork: total.toString(), roundShares: String(Object.keys(work).length), status: 'pending', verdict: 'accepted',
  });
  await client.zadd(keys.blocksPending, block.height, blockId(block.height, hash));
  return { height: block.height, hash, reward };
}

/**
 * Five coins in the pool wallet, mined on node B and confirmed on both nodes: credits are whole block rewards, so
 * the payment transactions' fees come from this float.
 */
export async function fundPoolFromB(pair: RegtestPair, poolAddress: string): Promise<void> {
  await mine(pair.b, 101);
  await pair.b.rpc('sendtoaddress', [poolAddress, 5], await createWallet(pair.b, 'harness-miner'));
  await mine(pair.b, 1);
  await waitForSync(pair.a, pair.b);
}

interface WalletEntry {
  readonly txid: string;
  readonly category: string;
  readonly comment?: string;
}

/** Distinct wallet transactions the processor sent (its sendmany comments start with "headframe payment"). */
export async function paymentTxids(node: RegtestNode, wallet: string): Promise<string[]> {
  const entries = await node.rpc<WalletEntry[]>('listtransactions', ['*', 1000, 0], wallet);
  return [...new Set(entries.filter((e) => e.category === 'send' && e.comment?.startsWith('headframe payment')).map((e) => e.txid))];
}

/**
 * The documented remainder rule, written out independently of src/payments/rewards.ts: floor shares first, then
 * one unit each to the largest dropped fractions, ties by address.
 */
export function expectedSplit(amount: bigint, work: Record<string, bigint>): Map<string, bigint> {
  const total = Object.values(work).reduce((a, b) => a + b, 0n);
  const rows = Object.entries(work).map(([address, w]) => ({ address, floor: (amount * w) / total, rest: (amount * w) % total }));
  let left = amount - rows.reduce((s, r) => s + r.floor, 0n);
  rows.sort((x, y) => (x.rest !== y.rest ? (y.rest > x.rest ? 1 : -1) : x.address < y.address ? -1 : 1));
  const out = new Map<string, bigint>();
  for (const r of rows) {
    const bonus = left > 0n ? 1n : 0n;
    left -= bonus;
    out.set(r.address, r.floor + bonus);
  }
  return out;
}

/** Distinct transactions that paid any of `addresses` into `wallet`. */
export async function txidsPaying(node: RegtestNode, wallet: string, addresses: readonly string[]): Promise<string[]> {
  const entries = await node.rpc<(WalletEntry & { address?: string })[]>('listtransactions', ['*', 1000, 0, true], wallet);
  return [...new Set(entries.filter((e) => e.category === 'receive' && addresses.includes(e.address ?? '')).map((e) => e.txid))];
}
