// What every test that mines through the pool starts from: a regtest pair whose node A hands out templates from
// the genesis block on, a Redis of its own, and a bech32 pool address in node A's wallet "pool".
import { createWallet, newAddress, startRegtestPair, type RegtestPair } from './litecoind.js';
import { startRedis, type RedisHandle } from './redis-server.js';

/** litecoind leaves initial block download only with a recent tip: this lets it template the genesis chain. */
export const TEMPLATE_FROM_GENESIS = '-maxtipage=4000000000';

/** Keeps MWEB from activating at 432, for tests that mine hundreds of blocks (MWEB's first block needs a peg-in). */
export const NO_MWEB = '-vbparams=mweb:4102444800:4102444801';

export const POOL_WALLET = 'pool';

export interface MiningScene {
  readonly pair: RegtestPair;
  readonly redis: RedisHandle;
  /** bech32, in node A's wallet POOL_WALLET. */
  readonly address: string;
}

export interface MiningSceneOptions {
  /** More arguments for node A (TEMPLATE_FROM_GENESIS is always there). */
  readonly a?: readonly string[];
  readonly b?: readonly string[];
}

export async function startMiningScene(options: MiningSceneOptions = {}): Promise<MiningScene> {
  const [pair, redis] = await Promise.allSettled([
    startRegtestPair({ a: { extraArgs: [TEMPLATE_FROM_GENESIS, ...(options.a ?? [])] }, b: { extraArgs: [...(options.b ?? [])] } }),
    startRedis(),
  ]);
  try {
    if (pair.status === 'rejected') throw pair.reason;
    if (redis.status === 'rejected') throw redis.reason;
    const address = await newAddress(pair.value.a, await createWallet(pair.value.a, POOL_WALLET), 'bech32');
    return { pair: pair.value, redis: redis.value, address };
  } catch (err) {
    // Whatever did start is stopped: a failed before() must not leave daemons behind for the rest of the run.
    await Promise.allSettled([pair.status === 'fulfilled' && pair.value.stop(), redis.status === 'fulfilled' && redis.value.stop()]);
    throw err;
  }
}
