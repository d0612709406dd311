// What the API needs to know about each configured pool besides its snapshot: its id and how to check addresses.
import { AddressError, canonicalAddress } from '../blockchain/bitcoin/address.js';
import type { PoolConfig } from '../config/types.js';

export interface PoolInfo {
  readonly id: string;
  /**
   * The spelling the pool credits `address` under (canonicalAddress) when it is an address of this pool's coin
   * network, else null: checked before any lookup, so `LTC1Q...` finds the balances of `ltc1q...`.
   */
  payoutAddress(address: string): string | null;
}

/** Longest address any Bitcoin-family network uses (bech32m with a 40-byte program is 74 characters). */
const MAX_ADDRESS_LENGTH = 100;

export function poolInfoOf(pool: PoolConfig): PoolInfo {
  const network = pool.coin.networks[pool.network];
  return {
    id: pool.id,
    payoutAddress: (address) => {
      if (address.length === 0 || address.length > MAX_ADDRESS_LENGTH) return null;
      try {
        return canonicalAddress(address, network);
      } catch (err) {
        if (err instanceof AddressError) return null;
        throw err;
      }
    },
  };
}
