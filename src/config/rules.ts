// Rules a schema cannot express: they need the coin file, another pool, or config.json.
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import BigNumber from 'bignumber.js';
import { AddressError, addressToOutputScript } from '../blockchain/bitcoin/address.js';
import type { Problem } from './issues.js';
import type { PoolFile } from './schema-pool.js';
import type { CoinConfig, GlobalConfig, TlsFiles } from './types.js';

/** A pool file that passed its schema, with the coin it names (null when that coin file is missing or broken). */
export interface CheckedPool {
  readonly id: string;
  readonly file: string;
  readonly value: PoolFile;
  readonly coin: CoinConfig | null;
}

function addressReason(address: string, coin: CoinConfig, network: PoolFile['network']): string | null {
  try {
    addressToOutputScript(address, coin.networks[network]);
    return null;
  } catch (err) {
    if (!(err instanceof AddressError)) throw err;
    return `not a valid ${coin.name} ${network} address: ${err.message}`;
  }
}

/**
 * The TLS files of a set of ports (`path` leads to the ports object in `file`): each readable, and together a
 * certificate and key that make a working TLS context, so a bad file stops start-up instead of the port.
 */
export function tlsRules(file: string, path: readonly PropertyKey[], ports: Readonly<Record<string, { readonly tls: TlsFiles | null }>>): Problem[] {
  const problems: Problem[] = [];
  for (const [key, port] of Object.entries(ports)) {
    if (port.tls === null) continue;
    const read = (which: 'cert' | 'key'): Buffer | null => {
      try {
        return readFileSync(port.tls![which]);
      } catch (err) {
        problems.push({ file, path: [...path, key, 'tls', which], reason: `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` });
        return null;
      }
    };
    const cert = read('cert');
    const keyPem = read('key');
    if (cert === null || keyPem === null) continue;
    try {
      createSecureContext({ cert, key: keyPem });
    } catch (err) {
      problems.push({ file, path: [...path, key, 'tls'], reason: `certificate and key are not a usable pair (${(err as Error).message})` });
    }
  }
  return problems;
}

/** Checks one pool against its coin; applies to disabled pools too, so enabling one later cannot surprise. */
export function poolRules(pool: CheckedPool): Problem[] {
  const problems: Problem[] = [];
  const { file, value, coin } = pool;
  if (coin) {
    const own = addressReason(value.address, coin, value.network);
    if (own) problems.push({ file, path: ['address'], reason: own });
    for (const address of Object.keys(value.rewardRecipients)) {
      const bad = addressReason(address, coin, value.network);
      if (bad) problems.push({ file, path: ['rewardRecipients', address], reason: bad });
    }
  }
  // Summed in decimal: 33.3 + 33.3 + 33.4 must be exactly 100, not 100.00000000000001.
  const total = Object.values(value.rewardRecipients).reduce((sum, p) => sum.plus(String(p)), new BigNumber(0));
  if (total.gte(100)) {
    problems.push({
      file,
      path: ['rewardRecipients'],
      reason: `percentages add up to ${total.toFixed()} (must stay below 100, the rest goes to the miners)`,
    });
  }
  problems.push(...tlsRules(file, ['ports'], value.ports));
  if (value.proxyProtocol.enabled) {
    // The PROXY header precedes the TLS handshake on the wire; this server reads it after. Terminate TLS at the proxy.
    for (const [key, port] of Object.entries(value.ports)) {
      if (port.tls !== null) problems.push({ file, path: ['ports', key, 'tls'], reason: 'cannot be combined with proxyProtocol (terminate TLS at the proxy)' });
    }
  }
  return problems;
}

/** Ports of config.json's own listeners, which a stratum port must not take. */
function globalPorts(global: GlobalConfig): Map<number, string> {
  const ports = new Map<number, string>();
  ports.set(global.cliPort, 'cliPort');
  if (global.website.enabled && !ports.has(global.website.port)) ports.set(global.website.port, 'website.port');
  if (global.metrics.enabled && !ports.has(global.metrics.port)) ports.set(global.metrics.port, 'metrics.port');
  return ports;
}

export function globalRules(global: GlobalConfig, file: string): Problem[] {
  const problems: Problem[] = [];
  if (global.website.enabled && global.website.port === global.cliPort) {
    problems.push({ file, path: ['website', 'port'], reason: 'same port as cliPort' });
  }
  if (global.metrics.enabled) {
    if (global.metrics.port === global.cliPort) {
      problems.push({ file, path: ['metrics', 'port'], reason: 'same port as cliPort' });
    } else if (global.website.enabled && global.metrics.port === global.website.port) {
      problems.push({ file, path: ['metrics', 'port'], reason: 'same port as website.port' });
    }
  }
  return problems;
}

/** Rules between enabled pools (and config.json's listeners); disabled pools never collide with anything. */
export function crossPoolRules(pools: readonly CheckedPool[], global: GlobalConfig | null, globalFile: string): Problem[] {
  const problems: Problem[] = [];
  const portOwner = new Map<number, string>();
  const coinOwner = new Map<string, string>();
  const listeners = global ? globalPorts(global) : new Map<number, string>();
  for (const pool of pools) {
    if (!pool.value.enabled) continue;
    for (const key of Object.keys(pool.value.ports)) {
      const port = Number(key);
      const listener = listeners.get(port);
      const other = portOwner.get(port);
      if (listener) {
        problems.push({ file: pool.file, path: ['ports', key], reason: `also used by ${globalFile} ${listener}` });
      } else if (other) {
        problems.push({ file: pool.file, path: ['ports', key], reason: `also used by ${other}` });
      } else {
        portOwner.set(port, pool.file);
      }
    }
    if (pool.coin) {
      const other = coinOwner.get(pool.coin.id);
      if (other) {
        problems.push({
          file: pool.file,
          path: ['coin'],
          reason: `${other} is already an enabled pool for coin "${pool.coin.id}" (disable one of them)`,
        });
      } else {
        coinOwner.set(pool.coin.id, pool.file);
      }
    }
  }
  return problems;
}
