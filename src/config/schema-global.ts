// config.json: settings shared by every pool and process.
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { host, nonNegativeInt, portNumber, positiveInt, positiveNumber, reason } from './schema-common.js';
import { ports as poolPorts } from './schema-pool.js';

const logging = z
  .strictObject({
    level: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
    json: z.boolean().default(false),
  })
  .prefault({});

const redis = z
  .strictObject({
    host: host.default('127.0.0.1'),
    port: portNumber.default(6379),
    // A unix socket path (Redis' `unixsocket`): when set, host and port are not used. On one host it skips the
    // TCP loopback path, which every share's acknowledgement takes.
    socket: z.string().min(1, { error: reason('must be a socket path, or null') }).nullable().default(null),
    password: z.string().nullable().default(null),
    db: nonNegativeInt.default(0),
    keyPrefix: z.string().default('headframe:'),
  })
  .prefault({});

const forks = z.union([z.literal('auto'), positiveInt], { error: reason('must be a positive integer or "auto"') });

// Without clustering there is exactly one pool worker, whatever `forks` says, so the resolved number stays truthful.
const clustering = z
  .strictObject({
    enabled: z.boolean().default(true),
    forks: forks.default('auto'),
  })
  .prefault({})
  .transform((c) => ({
    enabled: c.enabled,
    forks: !c.enabled ? 1 : c.forks === 'auto' ? availableParallelism() : c.forks,
  }));

function listener(enabled: boolean, port: number) {
  return z
    .strictObject({
      enabled: z.boolean().default(enabled),
      host: host.default('127.0.0.1'),
      port: portNumber.default(port),
    })
    .prefault({});
}

const priceSource = z.strictObject({
  name: z.string().min(1),
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  prices: z.record(z.string().min(1), z.string().min(1), { error: reason('must be an object of coin id -> JSON path') }),
});

const switchSchema = z
  .strictObject({
    coins: z.array(z.string().min(1)).min(1, { error: 'at least one coin is required' }),
    ports: poolPorts,
  })
  .transform((s) => ({
    coins: s.coins,
    ports: Object.entries(s.ports)
      .map(([key, port]) => ({ port: Number(key), diff: port.diff, varDiff: port.varDiff, tls: port.tls }))
      .sort((a, b) => a.port - b.port),
  }));

const profitSwitch = z
  .strictObject({
    enabled: z.boolean().default(false),
    updateInterval: positiveInt.default(600),
    marginPercent: z.number().min(0, { error: 'must be zero or a positive number' }).default(5),
    holdTime: nonNegativeInt.default(600),
    requestTimeoutMs: positiveInt.max(60000, { error: 'must be at most 60000' }).default(5000),
    retries: nonNegativeInt.max(10, { error: 'must be at most 10' }).default(2),
    priceSources: z.array(priceSource).default([]),
    switches: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/), switchSchema).default({}),
  })
  .prefault({})
  .transform((p) => ({
    ...p,
    switches: Object.entries(p.switches)
      .map(([name, s]) => ({ name, ...s }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  }));

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const callTimeoutMs = positiveInt.max(60000, { error: 'must be at most 60000' });

const alerts = z
  .strictObject({
    enabled: z.boolean().default(false),
    evaluateInterval: positiveNumber.default(30),
    workerOfflineAfter: positiveNumber.default(600),
    workerForgetAfter: positiveNumber.default(8 * 3600),
    minPoolHashrate: z.number().min(0, { error: 'must be zero or a positive number' }).default(0),
    telegram: z
      .strictObject({
        botToken: z.string().min(1, { error: 'must not be empty' }),
        chatId: z.union([z.string().min(1), z.int()], { error: 'must be a chat id or @channel name' }).transform(String),
        apiBaseUrl: httpUrl.default('https://api.telegram.org').transform((u) => u.replace(/\/+$/, '')),
        timeoutMs: callTimeoutMs.default(5000),
      })
      .nullable()
      .default(null),
    webhooks: z.array(z.strictObject({ url: httpUrl, timeoutMs: callTimeoutMs.default(5000) })).default([]),
  })
  .prefault({})
  .refine((a) => a.workerForgetAfter > a.workerOfflineAfter, {
    error: 'workerForgetAfter must be longer than workerOfflineAfter',
    path: ['workerForgetAfter'],
  });

export const globalSchema = z.strictObject({
  instanceId: z
    .int({ error: reason('must be an integer from 0 to 255') })
    .min(0, { error: 'must be an integer from 0 to 255' })
    .max(255, { error: 'must be an integer from 0 to 255' })
    .default(0),
  logging,
  redis,
  cliHost: host.default('127.0.0.1'),
  cliPort: portNumber.default(17117),
  cliSecret: z.string().min(8, { error: 'must be at least 8 characters' }).nullable().default(null),
  clustering,
  website: listener(true, 8080),
  metrics: listener(true, 9101),
  alerts,
  profitSwitch,
  hashing: z
    .strictObject({
      kernel: z.enum(['fast', 'reference']).default('fast'),
      threads: nonNegativeInt.max(64, { error: 'must be at most 64' }).default(0),
    })
    .prefault({}),
  shutdownTimeoutMs: positiveInt.default(10000),
});

/** The file also carries defaults for pool files, which are merged before the pools are validated. */
export const globalFileSchema = globalSchema.extend({
  defaultPoolConfigs: z.record(z.string(), z.unknown(), { error: reason('must be an object') }).default({}),
});
