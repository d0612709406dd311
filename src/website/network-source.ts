// Network height and difficulty per pool, asked of the pool's own daemons by the refresher (never on a request
// path). Each call carries the daemon's configured deadline; a pool whose daemons are all down shows no figures.
import type { PoolConfig } from '../config/types.js';
import { DaemonSet } from '../daemon/daemon-set.js';
import type { Logger } from '../log/logger.js';
import type { NetworkInfo, NetworkSource } from './types.js';

export class DaemonNetworkSource implements NetworkSource {
  private readonly sets = new Map<string, DaemonSet>();

  constructor(pools: readonly PoolConfig[], logger: Logger) {
    for (const pool of pools) this.sets.set(pool.id, new DaemonSet(pool.daemons, { logger: logger.child({ pool: pool.id }) }));
  }

  async read(poolId: string): Promise<NetworkInfo | null> {
    const daemons = this.sets.get(poolId);
    if (!daemons) return null;
    try {
      const info = await daemons.call('getmininginfo', []);
      return { height: info.blocks, difficulty: info.difficulty, hashrate: info.networkhashps };
    } catch {
      return null;
    }
  }

  close(): void {
    for (const set of this.sets.values()) set.close();
  }
}
