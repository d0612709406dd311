// A snapshot reader whose only pool publishes a new snapshot on every read of the version: what the live-update
// tests poll, with a pool name of `nameBytes` to make each message as large as a test needs.
import type { SnapshotReader } from '../../../src/website/snapshot-store.js';
import type { PoolSnapshot } from '../../../src/website/types.js';

export function changingSnapshotStore(nameBytes: number): SnapshotReader {
  let version = 0;
  const name = 'x'.repeat(nameBytes);
  return {
    version: async () => ++version,
    pool: async (id) => ({ id, coin: { name, symbol: 'T', algorithm: 'scrypt', decimals: 8 }, blocks: [], payments: [] }) as unknown as PoolSnapshot,
    miner: async () => null,
    history: async () => [],
    minerHistory: async () => [],
  };
}
