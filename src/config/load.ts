// Loads a config directory (config.json, coins/*.json, pool_configs/*.json) into one frozen ResolvedConfig, or
// returns every problem found, so an operator fixes them all in one pass.
import { resolve as resolvePath } from 'node:path';
import { formatProblem, parseWithProblems, type Problem } from './issues.js';
import { hasPath, isPlainObject, deepMerge } from './merge.js';
import { listJsonFiles, readJson5 } from './read.js';
import { coinIdOf, resolveCoin, resolvePool } from './resolve.js';
import { crossPoolRules, globalRules, poolRules, type CheckedPool } from './rules.js';
import { coinSchema } from './schema-coin.js';
import { profitSwitchRules } from '../profit/config-rules.js';
import { globalFileSchema } from './schema-global.js';
import { poolSchema } from './schema-pool.js';
import type { CoinConfig, GlobalConfig, LoadResult, PoolConfig, ResolvedConfig } from './types.js';

const GLOBAL_FILE = 'config.json';

interface GlobalPart {
  readonly global: GlobalConfig | null;
  /** Raw defaults for pool files; taken even when config.json fails its schema, to keep pool problems meaningful. */
  readonly defaults: Record<string, unknown>;
}

async function loadGlobal(dir: string, problems: Problem[]): Promise<GlobalPart> {
  const read = await readJson5(dir, GLOBAL_FILE);
  if (!read.ok) {
    problems.push(read.problem);
    return { global: null, defaults: {} };
  }
  const rawDefaults = isPlainObject(read.data) ? read.data.defaultPoolConfigs : undefined;
  const defaults = isPlainObject(rawDefaults) ? rawDefaults : {};
  const parsed = parseWithProblems(globalFileSchema, read.data, GLOBAL_FILE);
  if (!parsed.ok) {
    problems.push(...parsed.problems);
    return { global: null, defaults };
  }
  const { defaultPoolConfigs: _defaults, ...global } = parsed.value;
  problems.push(...globalRules(global, GLOBAL_FILE));
  return { global, defaults };
}

async function loadCoins(dir: string, problems: Problem[]): Promise<{ coins: CoinConfig[]; seen: Set<string> }> {
  const coins: CoinConfig[] = [];
  const seen = new Set<string>();
  for (const name of await listJsonFiles(dir, 'coins', problems)) {
    const file = `coins/${name}`;
    const id = coinIdOf(name);
    seen.add(id);
    const read = await readJson5(dir, file);
    if (!read.ok) {
      problems.push(read.problem);
      continue;
    }
    const parsed = parseWithProblems(coinSchema, read.data, file);
    if (parsed.ok) coins.push(resolveCoin(id, parsed.value));
    else problems.push(...parsed.problems);
  }
  return { coins, seen };
}

/** A problem in a merged pool belongs to config.json when the offending value came from defaultPoolConfigs. */
function attribute(problem: Problem, raw: unknown, defaults: Record<string, unknown>): Problem {
  if (hasPath(raw, problem.path) || !hasPath(defaults, problem.path)) return problem;
  return { file: GLOBAL_FILE, path: ['defaultPoolConfigs', ...problem.path], reason: problem.reason };
}

async function loadPools(
  dir: string,
  defaults: Record<string, unknown>,
  coins: { coins: CoinConfig[]; seen: Set<string> },
  problems: Problem[],
): Promise<CheckedPool[]> {
  const pools: CheckedPool[] = [];
  const listed = problems.length;
  const names = await listJsonFiles(dir, 'pool_configs', problems);
  if (names.length === 0 && problems.length === listed) problems.push({ file: 'pool_configs', path: [], reason: 'no pool files (*.json) found' });
  for (const name of names) {
    const file = `pool_configs/${name}`;
    const read = await readJson5(dir, file);
    if (!read.ok) {
      problems.push(read.problem);
      continue;
    }
    const merged = isPlainObject(read.data) ? deepMerge(defaults, read.data) : read.data;
    const parsed = parseWithProblems(poolSchema, merged, file);
    if (!parsed.ok) {
      problems.push(...parsed.problems.map((p) => attribute(p, read.data, defaults)));
      continue;
    }
    const coinId = coinIdOf(parsed.value.coin);
    const coin = coins.coins.find((c) => c.id === coinId) ?? null;
    // A coin file that exists but is broken already has its own problems; only a missing one is news here.
    if (!coin && !coins.seen.has(coinId)) {
      problems.push({ file, path: ['coin'], reason: `no coin file coins/${coinId}.json` });
    }
    pools.push({ id: coinIdOf(name), file, value: parsed.value, coin });
  }
  return pools;
}

const FILE_RANK = (file: string): number =>
  file === GLOBAL_FILE ? 0 : file.startsWith('coins/') ? 1 : 2;

/** Groups problems by file (config.json, coins, pools; names sorted), keeping each file's own order; drops repeats. */
function orderProblems(problems: readonly Problem[]): string[] {
  const files = [...new Set(problems.map((p) => p.file))].sort(
    (a, b) => FILE_RANK(a) - FILE_RANK(b) || (a < b ? -1 : a > b ? 1 : 0),
  );
  const lines = files.flatMap((file) => problems.filter((p) => p.file === file).map(formatProblem));
  return [...new Set(lines)];
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

export async function loadConfig(dir: string): Promise<LoadResult> {
  const configDir = resolvePath(dir);
  const problems: Problem[] = [];
  const { global, defaults } = await loadGlobal(configDir, problems);
  const coins = await loadCoins(configDir, problems);
  const pools = await loadPools(configDir, defaults, coins, problems);
  for (const pool of pools) problems.push(...poolRules(pool));
  problems.push(...crossPoolRules(pools, global, GLOBAL_FILE));
  if (global) problems.push(...profitSwitchRules(global, pools, GLOBAL_FILE));
  if (problems.length > 0 || global === null) return { ok: false, problems: orderProblems(problems) };
  const resolved: PoolConfig[] = pools.map((p) => {
    if (!p.coin) throw new Error(`pool ${p.file} has no coin although no problem was reported`);
    return resolvePool(p.id, p.file, p.value, p.coin);
  });
  const config: ResolvedConfig = { configDir, global, coins: coins.coins, pools: resolved };
  return { ok: true, config: deepFreeze(config) };
}
