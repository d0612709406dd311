// What the API needs to know about each configured pool besides its snapshot: its id and how to check addresses.
import { canonicalAddressOrNull } from '../blockchain/bitcoin/address.js';
import type { PoolConfig } from '../config/types.js';

export interface PoolInfo {
  readonly id: string;
  /**
   * The spelling the pool credits `address` under (canonicalAddress) when it is an address of this pool's coin
   * network, else null: checked before any lookup, so `LTC1Q...` finds the balances of `ltc1q...`.
   */
  payoutAddress(address: string): string | null;
}

export function poolInfoOf(pool: PoolConfig): PoolInfo {
  const network = pool.coin.networks[pool.network];
  return {
    id: pool.id,
    payoutAddress: (address) => canonicalAddressOrNull(address, network),
  };
}
