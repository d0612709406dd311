// reloadpool: re-reads the whole config directory through the same validator as at start (so cross-file rules such
// as shared ports still hold), then takes only the one pool (and its coin file) from it. Everything else keeps
// running as it is; config.json changes need a restart and are reported as such rather than half applied.
import { loadConfig } from '../config/load.js';
import type { PoolConfig, ResolvedConfig } from '../config/types.js';

export type PoolReload =
  | { readonly ok: true; readonly config: ResolvedConfig; readonly pool: PoolConfig; readonly notes: readonly string[] }
  | { readonly ok: false; readonly error: string; readonly problems: readonly string[] };

export async function reloadPoolConfig(current: ResolvedConfig, poolId: string): Promise<PoolReload> {
  if (!current.pools.some((p) => p.id === poolId)) {
    return { ok: false, error: `no pool "${poolId}" is configured (pools: ${current.pools.map((p) => p.id).join(', ')})`, problems: [] };
  }
  const loaded = await loadConfig(current.configDir);
  if (!loaded.ok) {
    return { ok: false, error: `the configuration in ${current.configDir} is invalid; pool "${poolId}" keeps its running config`, problems: loaded.problems };
  }
  const fresh = loaded.config;
  const pool = fresh.pools.find((p) => p.id === poolId);
  if (!pool) {
    return { ok: false, error: `pool_configs/${poolId}.json is gone; pool "${poolId}" keeps its running config`, problems: [] };
  }
  const notes: string[] = [];
  if (JSON.stringify(fresh.global) !== JSON.stringify(current.global)) {
    notes.push('config.json changed too: those settings apply after a restart');
  }
  // A coin shared with another running pool would silently change that pool's view too; take it for this pool only.
  const coins = current.coins.some((c) => c.id === pool.coin.id)
    ? current.coins.map((c) => (c.id === pool.coin.id && !usedByOthers(current, poolId, c.id) ? pool.coin : c))
    : [...current.coins, pool.coin];
  const config: ResolvedConfig = Object.freeze({
    ...current,
    coins: Object.freeze(coins),
    pools: Object.freeze(current.pools.map((p) => (p.id === poolId ? pool : p))),
  });
  return { ok: true, config, pool, notes };
}

function usedByOthers(config: ResolvedConfig, poolId: string, coinId: string): boolean {
  return config.pools.some((p) => p.id !== poolId && p.coin.id === coinId);
}
