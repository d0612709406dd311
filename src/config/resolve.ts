// Schema output -> the resolved shapes of types.ts (ports as a sorted list, coin objects inside pools, ...).
import type { z } from 'zod';
import type { coinSchema } from './schema-coin.js';
import type { PoolFile } from './schema-pool.js';
import type { CoinConfig, PoolConfig, PortConfig } from './types.js';

export function resolveCoin(id: string, value: z.output<typeof coinSchema>): CoinConfig {
  return { id, ...value };
}

/** The id a pool's `coin` field names: "litecoin" and "litecoin.json" both mean coins/litecoin.json. */
export function coinIdOf(coinField: string): string {
  return coinField.replace(/\.json$/i, '');
}

export function resolvePool(id: string, file: string, value: PoolFile, coin: CoinConfig): PoolConfig {
  const ports: PortConfig[] = Object.entries(value.ports)
    .map(([key, port]) => ({ port: Number(key), diff: port.diff, varDiff: port.varDiff, tls: port.tls }))
    .sort((a, b) => a.port - b.port);
  const { daemon, ...payment } = value.paymentProcessing;
  return {
    id,
    file,
    enabled: value.enabled,
    coin,
    network: value.network,
    address: value.address,
    rewardRecipients: Object.entries(value.rewardRecipients).map(([address, percent]) => ({ address, percent })),
    poolTag: value.poolTag,
    ports,
    daemons: value.daemons,
    // Payments need a wallet; without a dedicated payment daemon the first pool daemon is the one that holds it.
    paymentProcessing: { ...payment, daemon: daemon ?? value.daemons[0] },
    banning: value.banning,
    proxyProtocol: value.proxyProtocol,
    connectionTimeout: value.connectionTimeout,
    jobRebroadcastTimeout: value.jobRebroadcastTimeout,
    blockRefreshInterval: value.blockRefreshInterval,
    maxLineBytes: value.maxLineBytes,
  };
}
