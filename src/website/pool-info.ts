// What the API needs to know about each configured pool besides its snapshot: its id and how to check addresses.
import { isValidAddress } from '../blockchain/bitcoin/address.js';
import type { PoolConfig } from '../config/types.js';

export interface PoolInfo {
  readonly id: string;
  /** Whether `address` is an address of this pool's coin network (checked before any lookup). */
  isValidAddress(address: string): boolean;
}

/** Longest address any Bitcoin-family network uses (bech32m with a 40-byte program is 74 characters). */
const MAX_ADDRESS_LENGTH = 100;

export function poolInfoOf(pool: PoolConfig): PoolInfo {
  const network = pool.coin.networks[pool.network];
  return {
    id: pool.id,
    isValidAddress: (address) => address.length > 0 && address.length <= MAX_ADDRESS_LENGTH && isValidAddress(address, network),
  };
}
