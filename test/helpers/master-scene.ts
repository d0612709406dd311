// A real master (`node dist/init.js`, its real roles) mining on a regtest pair with a Redis of its own: what the
// blocknotify, block-relay and reload tests each set up, and stop again in reverse order.
import { TEST_IDLE_ROLES_ENV } from '../../src/roles/child.js';
import { MasterProcess, stopMasterScene } from '../process/master-harness.js';
import { startMiningScene, type MiningScene, type MiningSceneOptions } from './mining-scene.js';
import { writePoolDir, type PoolDir, type PoolDirOptions } from './pool-harness.js';
import type { TestMiner } from './test-miner.js';

export interface MasterScene extends MiningScene {
  readonly dir: PoolDir;
  readonly master: MasterProcess;
  /** Miners the test opens; closed first when the scene stops. */
  readonly miners: TestMiner[];
}

export interface MasterSceneOptions {
  /** Extra daemon arguments (e.g. -blocknotify), as for startMiningScene. */
  readonly chain?: MiningSceneOptions;
  /** The pool directory, less what the scene fills in itself (daemon, address, Redis). */
  readonly poolDir?: Omit<PoolDirOptions, 'daemons' | 'address' | 'redis'>;
  /** Children that must report ready, e.g. ['pool-worker/0', 'pool-worker/1']. */
  readonly children: readonly string[];
  /** Master log lines to wait for after that (a listener bound, say), each `count` times (default 1). */
  readonly waitFor?: readonly { readonly what: string; readonly line: RegExp; readonly count?: number }[];
}

export async function startMasterScene(options: MasterSceneOptions): Promise<MasterScene> {
  const chain = await startMiningScene(options.chain);
  let dir: PoolDir | undefined;
  let master: MasterProcess | undefined;
  try {
    dir = await writePoolDir({ ...options.poolDir, daemons: [chain.pair.a], address: chain.address, redis: chain.redis });
    master = new MasterProcess(['--config', dir.dir], { [TEST_IDLE_ROLES_ENV]: '' });
    await master.allReady([...options.children]);
    for (const wait of options.waitFor ?? []) {
      const m = master;
      await m.until(wait.what, () => m.lines.filter((l) => wait.line.test(l)).length >= (wait.count ?? 1), 15_000);
    }
    return { ...chain, dir, master, miners: [] };
  } catch (err) {
    await stopMasterScene({ master, pair: chain.pair, redis: chain.redis, dir });
    throw err;
  }
}

export { stopMasterScene };
