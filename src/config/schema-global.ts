// config.json: settings shared by every pool and process.
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { host, nonNegativeInt, portNumber, positiveInt, reason } from './schema-common.js';

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

const profitSwitch = z
  .strictObject({
    enabled: z.boolean().default(false),
    updateInterval: positiveInt.default(600),
  })
  .prefault({});

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
  clustering,
  website: listener(true, 8080),
  metrics: listener(true, 9101),
  profitSwitch,
  shutdownTimeoutMs: positiveInt.default(10000),
});

/** The file also carries defaults for pool files, which are merged before the pools are validated. */
export const globalFileSchema = globalSchema.extend({
  defaultPoolConfigs: z.record(z.string(), z.unknown(), { error: reason('must be an object') }).default({}),
});
