// A complete ResolvedConfig built in code, for unit tests that need one without reading files.
import type { CoinConfig, PoolConfig, ResolvedConfig } from '../../../src/config/types.js';

const litecoin: CoinConfig = {
  id: 'litecoin',
  name: 'Litecoin',
  symbol: 'LTC',
  algorithm: 'scrypt',
  mweb: true,
  segwit: true,
  coinbaseMaturity: 100,
  networks: {
    main: { pubKeyHash: 48, scriptHash: [50, 5], bech32: 'ltc' },
    test: { pubKeyHash: 111, scriptHash: [58, 196], bech32: 'tltc' },
    regtest: { pubKeyHash: 111, scriptHash: [58, 196], bech32: 'rltc' },
  },
};

const daemon = { host: '127.0.0.1', port: 1, user: 'u', password: 'p', wallet: null, timeoutMs: 1000 };

export function pool(id: string, overrides: { enabled?: boolean; payments?: boolean; coin?: CoinConfig } = {}): PoolConfig {
  return {
    id,
    file: `pool_configs/${id}.json`,
    enabled: overrides.enabled ?? true,
    coin: overrides.coin ?? litecoin,
    network: 'regtest',
    address: 'placeholder',
    rewardRecipients: [],
    poolTag: '/headframe/',
    ports: [{ port: 3333, diff: 8, varDiff: null, tls: null }],
    daemons: [daemon],
    paymentProcessing: {
      enabled: overrides.payments ?? false,
      paymentInterval: 60,
      minimumPayment: '10000000',
      scheme: 'PROP',
      pplnsWindowFactor: 2,
      shareLogMaxLength: 1_000_000,
      daemon,
    },
    banning: { enabled: false, time: 600, invalidPercent: 50, checkThreshold: 500, malformedLimit: 5, purgeInterval: 300 },
    proxyProtocol: { enabled: false, trustedProxies: [] },
    connectionTimeout: 600,
    jobRebroadcastTimeout: 55,
    blockRefreshInterval: 1000,
    maxLineBytes: 16384,
  };
}

export function resolvedConfig(
  options: { pools?: PoolConfig[]; clustering?: { enabled: boolean; forks: number }; website?: boolean; profitSwitch?: boolean } = {},
): ResolvedConfig {
  return {
    configDir: '/nowhere',
    coins: [litecoin],
    pools: options.pools ?? [pool('ltc')],
    global: {
      instanceId: 0,
      logging: { level: 'info', json: false },
      redis: { host: '127.0.0.1', port: 1, socket: null, password: null, db: 0, keyPrefix: 'hf:' },
      cliHost: '127.0.0.1',
      cliPort: 1,
      cliSecret: null,
      clustering: options.clustering ?? { enabled: true, forks: 1 },
      website: { enabled: options.website ?? false, host: '127.0.0.1', port: 1 },
      metrics: { enabled: false, host: '127.0.0.1', port: 1 },
      hashing: { kernel: 'reference', threads: 0 },
      alerts: { enabled: false, evaluateInterval: 30, workerOfflineAfter: 600, workerForgetAfter: 28800, minPoolHashrate: 0, telegram: null, webhooks: [] },
      profitSwitch: {
        enabled: options.profitSwitch ?? false,
        updateInterval: 60,
        marginPercent: 5,
        holdTime: 0,
        requestTimeoutMs: 1000,
        retries: 0,
        priceSources: [],
        switches: [],
      },
      shutdownTimeoutMs: 1000,
    },
  };
}
