// What the payment processor asks the daemon about blocks: sync state, main-chain membership, the coinbase's
// payment to the pool address, and the network difficulty a PPLNS window is sized by.
import BigNumber from 'bignumber.js';
import type { RpcClient } from '../daemon/rpc-client.js';
import { isRpcError, RpcErrorCode } from '../daemon/errors.js';
import { WORK_SCALE } from '../redis/keys.js';
import { coinsToUnits } from './amounts.js';
import type { ChainFacts, PendingBlockRef } from './classify.js';

interface RawTxOut {
  readonly value: number;
  readonly scriptPubKey: { readonly hex: string };
}

export interface CoinbasePayout {
  /** Sum of every coinbase output, base units. */
  readonly coinbaseValue: bigint;
  /** Sum of the outputs paying the pool address, base units. */
  readonly toPool: bigint;
}

export class ChainReader {
  constructor(private readonly rpc: RpcClient) {}

  /** Caught up: not in initial download and every known header has its block. */
  async synced(): Promise<boolean> {
    const info = await this.rpc.call('getblockchaininfo', []);
    return !info.initialblockdownload && info.blocks >= info.headers;
  }

  async facts(block: PendingBlockRef, synced: boolean): Promise<ChainFacts> {
    let confirmations: number | null = null;
    try {
      confirmations = (await this.rpc.call('getblock', [block.hash, 1])).confirmations;
    } catch (err) {
      if (!isRpcError(err, RpcErrorCode.INVALID_ADDRESS_OR_KEY)) throw err;
    }
    let mainHashAtHeight: string | null = null;
    try {
      mainHashAtHeight = await this.rpc.call('getblockhash', [block.height]);
    } catch (err) {
      if (!isRpcError(err, RpcErrorCode.INVALID_PARAMETER)) throw err;
    }
    return { synced, mainHashAtHeight, confirmations };
  }

  /** Output script of the pool address, to recognise its coinbase outputs. */
  async scriptOf(address: string): Promise<string> {
    const info = await this.rpc.call('validateaddress', [address]);
    if (!info.isvalid || !info.scriptPubKey) throw new Error(`daemon does not accept pool address ${address}`);
    return info.scriptPubKey;
  }

  /** Reads the coinbase through its block (works without -txindex). */
  async coinbasePayout(txid: string, blockHash: string, poolScript: string): Promise<CoinbasePayout> {
    const tx = await this.rpc.callRaw<{ txid: string; vout: readonly RawTxOut[] }>('getrawtransaction', [txid, true, blockHash]);
    if (tx.txid !== txid) throw new Error(`daemon answered transaction ${tx.txid} for ${txid}`);
    let coinbaseValue = 0n;
    let toPool = 0n;
    for (const out of tx.vout) {
      const units = coinsToUnits(out.value);
      coinbaseValue += units;
      if (out.scriptPubKey.hex === poolScript) toPool += units;
    }
    return { coinbaseValue, toPool };
  }

  async difficulty(blockHash: string): Promise<number> {
    return (await this.rpc.call('getblock', [blockHash, 1])).difficulty;
  }
}

/**
 * PPLNS window in work units: `factor` blocks' worth of share difficulty, i.e. factor x network difficulty x the
 * algorithm's multiplier (the daemon states difficulty against sha256d's difficulty 1, shares against the
 * algorithm's own: one scrypt block is difficulty x 65536 of share difficulty) x WORK_SCALE, rounded up, at least
 * one unit. The inputs are read through their decimal text so the window does not depend on float rounding.
 */
export function pplnsWindowWork(factor: number, networkDifficulty: number, multiplier: number): bigint {
  const work = new BigNumber(String(factor))
    .times(new BigNumber(String(networkDifficulty)))
    .times(new BigNumber(String(multiplier)))
    .times(WORK_SCALE)
    .integerValue(BigNumber.ROUND_CEIL);
  if (!work.isFinite() || work.isNaN()) throw new RangeError(`bad PPLNS window ${factor} x ${networkDifficulty} x ${multiplier}`);
  return work.isLessThan(1) ? 1n : BigInt(work.toFixed(0));
}
