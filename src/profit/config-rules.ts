// Profit-switch rules that need the pools: every switched coin is mined by an enabled pool, all coins of a switch
// share one algorithm, switching ports collide with nothing, and the switcher can price every coin it compares.
import type { Problem } from '../config/issues.js';
import { tlsRules, type CheckedPool } from '../config/rules.js';
import type { GlobalConfig } from '../config/types.js';

export function profitSwitchRules(global: GlobalConfig, pools: readonly CheckedPool[], file: string): Problem[] {
  const problems: Problem[] = [];
  const { profitSwitch } = global;
  const enabled = new Map<string, CheckedPool>();
  for (const pool of pools) if (pool.value.enabled && pool.coin) enabled.set(pool.coin.id, pool);
  const portOwner = new Map<number, string>();
  for (const pool of pools) {
    if (!pool.value.enabled) continue;
    for (const key of Object.keys(pool.value.ports)) portOwner.set(Number(key), pool.file);
  }
  for (const listener of [global.cliPort, ...(global.website.enabled ? [global.website.port] : []), ...(global.metrics.enabled ? [global.metrics.port] : [])]) {
    portOwner.set(listener, `${file} (cliPort, website or metrics)`);
  }

  for (const sw of profitSwitch.switches) {
    const at = ['profitSwitch', 'switches', sw.name];
    const algorithms = new Set<string>();
    sw.coins.forEach((coin, i) => {
      const pool = enabled.get(coin);
      if (!pool) problems.push({ file, path: [...at, 'coins', i], reason: `no enabled pool mines coin "${coin}"` });
      else if (pool.coin) algorithms.add(pool.coin.algorithm);
    });
    if (new Set(sw.coins).size !== sw.coins.length) problems.push({ file, path: [...at, 'coins'], reason: 'lists a coin twice' });
    if (algorithms.size > 1) {
      problems.push({ file, path: [...at, 'coins'], reason: `coins of one switch must share one algorithm, found ${[...algorithms].join(', ')}` });
    }
    for (const port of sw.ports) {
      const owner = portOwner.get(port.port);
      if (owner) problems.push({ file, path: [...at, 'ports', String(port.port)], reason: `also used by ${owner}` });
      else portOwner.set(port.port, `switch "${sw.name}"`);
    }
    problems.push(...tlsRules(file, [...at, 'ports'], Object.fromEntries(sw.ports.map((p) => [String(p.port), p]))));
    if (profitSwitch.enabled) {
      for (const coin of sw.coins) {
        if (!profitSwitch.priceSources.some((s) => Object.hasOwn(s.prices, coin))) {
          problems.push({ file, path: [...at, 'coins'], reason: `no price source lists a price for "${coin}"` });
        }
      }
    }
  }
  return problems;
}
