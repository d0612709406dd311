// Builds a real config directory for a pool on a regtest pair, loads it through the product's own validator,
// and runs a PoolRuntime in this process (or hands the directory to a master process).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import type { PoolConfig, ResolvedConfig } from '../../src/config/types.js';
import { createLogger } from '../../src/log/logger.js';
import { createAlgorithmRegistry } from '../../src/algorithms/registry.js';
import { PoolRuntime } from '../../src/roles/pool-runtime.js';
import type { RegtestNode } from './litecoind.js';
import type { RedisHandle } from './redis-server.js';
import { PoolKeys } from '../../src/redis/keys.js';
import { findFreePorts } from './ports.js';

const REPO_ROOT = new URL('../../../', import.meta.url).pathname;

export interface PoolDirOptions {
  readonly daemons: readonly Pick<RegtestNode, 'host' | 'rpcPort' | 'user' | 'password'>[];
  readonly address: string;
  readonly rewardRecipients?: Record<string, number>;
  /** Stratum ports and their difficulty settings, by port number (free ports are picked when omitted). */
  readonly ports?: Record<string, unknown>;
  readonly diff?: number;
  /** Extra pool-file fields (override the defaults written here). */
  readonly pool?: Record<string, unknown>;
  /** Extra config.json fields. */
  readonly global?: Record<string, unknown>;
  readonly daemonTimeoutMs?: number;
  /** The Redis the pool records shares in (the config points at an unused port without it). */
  readonly redis?: Pick<RedisHandle, 'host' | 'port'>;
  /** Redis key prefix; default: unique per directory, so pools sharing one test Redis never mix their keys. */
  readonly keyPrefix?: string;
}

export interface PoolDir {
  readonly dir: string;
  readonly stratumPort: number;
  readonly cliPort: number;
  remove(): void;
}

/** Writes config.json, coins/litecoin.json (the shipped one) and pool_configs/regtest.json into a temp dir. */
export async function writePoolDir(options: PoolDirOptions): Promise<PoolDir> {
  const dir = mkdtempSync(join(tmpdir(), 'headframe-pool-'));
  const [stratumPort, cliPort] = await findFreePorts(2);
  mkdirSync(join(dir, 'coins'));
  mkdirSync(join(dir, 'pool_configs'));
  copyFileSync(join(REPO_ROOT, 'coins', 'litecoin.json'), join(dir, 'coins', 'litecoin.json'));
  const global = {
    instanceId: 1,
    logging: { level: 'warn', json: false },
    redis: options.redis
      ? { host: options.redis.host, port: options.redis.port, keyPrefix: options.keyPrefix ?? `${basename(dir)}:` }
      : { host: '127.0.0.1', port: 1 },
    cliPort,
    clustering: { enabled: true, forks: 1 },
    website: { enabled: false, host: '127.0.0.1', port: 1 },
    metrics: { enabled: false, host: '127.0.0.1', port: 1 },
    profitSwitch: { enabled: false, updateInterval: 60 },
    ...options.global,
  };
  const pool = {
    enabled: true,
    coin: 'litecoin',
    network: 'regtest',
    address: options.address,
    rewardRecipients: options.rewardRecipients ?? {},
    ports: options.ports ?? { [String(stratumPort)]: { diff: options.diff ?? 0.0001 } },
    daemons: options.daemons.map((d) => ({
      host: d.host,
      port: d.rpcPort,
      user: d.user,
      password: d.password,
      timeoutMs: options.daemonTimeoutMs ?? 5000,
    })),
    paymentProcessing: { enabled: false, paymentInterval: 60, minimumPayment: '0.01', scheme: 'PROP' },
    connectionTimeout: 600,
    jobRebroadcastTimeout: 55,
    blockRefreshInterval: 500,
    ...options.pool,
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(global, null, 2));
  writeFileSync(join(dir, 'pool_configs', 'regtest.json'), JSON.stringify(pool, null, 2));
  return { dir, stratumPort, cliPort, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function loadPoolDir(dir: string): Promise<ResolvedConfig> {
  const result = await loadConfig(dir);
  if (!result.ok) throw new Error(`test config in ${dir} is invalid:\n${result.problems.join('\n')}`);
  return result.config;
}

export interface RunningPool {
  readonly runtime: PoolRuntime;
  readonly config: ResolvedConfig;
  readonly pool: PoolConfig;
  readonly stratumPort: number;
  /** The pool's Redis keys (prefix from its config). */
  readonly keys: PoolKeys;
  stop(): Promise<void>;
}

/** A PoolRuntime in this process on 127.0.0.1, started and serving its first job. */
export async function startPool(
  options: PoolDirOptions & { readonly redis: Pick<RedisHandle, 'host' | 'port'>; readonly forkId?: number },
): Promise<RunningPool> {
  const written = await writePoolDir(options);
  const config = await loadPoolDir(written.dir);
  const pool = config.pools[0];
  const logger = createLogger({ level: (process.env.HEADFRAME_TEST_LOG as 'debug' | undefined) ?? 'warn', context: { role: 'test-pool' } });
  const runtime = new PoolRuntime({
    pool,
    global: config.global,
    forkId: options.forkId ?? 0,
    algorithm: createAlgorithmRegistry().get(pool.coin.algorithm),
    logger,
    stratumHost: '127.0.0.1',
  });
  await runtime.start();
  return {
    runtime,
    config,
    pool,
    stratumPort: pool.ports[0].port,
    keys: new PoolKeys(config.global.redis.keyPrefix, pool.id),
    stop: async () => {
      await runtime.stop();
      written.remove();
    },
  };
}
