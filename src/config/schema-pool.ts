// pool_configs/<id>.json: one pool (one coin on one network). Cross-file rules (coin exists, addresses, ports shared
// between pools) live in rules.ts because a single file cannot answer them.
import { isIP } from 'node:net';
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { AmountError, coinsToBaseUnits } from './amount.js';
import { host, nonNegativeInt, percent, portNumber, positiveInt, positiveNumber, reason } from './schema-common.js';
import { SHARE_LOG_MAX_LEN } from '../redis/keys.js';

export const varDiffSchema = z
  .strictObject({
    minDiff: positiveNumber,
    maxDiff: positiveNumber,
    targetTime: positiveNumber,
    retargetTime: positiveNumber,
    variancePercent: percent,
    maxChangeFactor: z.number().gt(1, { error: 'must be greater than 1' }).default(4),
  })
  .superRefine((v, ctx) => {
    if (v.minDiff > v.maxDiff) ctx.addIssue({ code: 'custom', message: 'minDiff is greater than maxDiff', input: v });
  });

const absolutePath = z
  .string({ error: reason('must be an absolute file path') })
  .refine((path) => isAbsolute(path), { error: 'must be an absolute file path' });

/** Stratum over TLS on this port: PEM files, read when the port opens (a reload picks up a renewed certificate). */
export const tlsSchema = z.strictObject({ cert: absolutePath, key: absolutePath });

export const portSchema = z
  .strictObject({
    diff: positiveNumber,
    varDiff: varDiffSchema.nullable().default(null),
    tls: tlsSchema.nullable().default(null),
  })
  .superRefine((p, ctx) => {
    const v = p.varDiff;
    if (v && v.minDiff <= v.maxDiff && (p.diff < v.minDiff || p.diff > v.maxDiff)) {
      ctx.addIssue({ code: 'custom', path: ['diff'], message: 'must lie between varDiff.minDiff and varDiff.maxDiff', input: p });
    }
  });

export const daemonSchema = z.strictObject({
  host,
  port: portNumber,
  user: z.string().min(1),
  password: z.string(),
  wallet: z.string().min(1).nullable().default(null),
  // Ten minutes is already far past any sane RPC; an unbounded value would defeat the point of a timeout.
  timeoutMs: positiveInt.max(600000, { error: 'must be at most 600000' }).default(10000),
});

const PORT_KEY = /^[1-9]\d{0,4}$/;

export const ports = z
  .record(z.string(), portSchema, { error: reason('must be an object of port numbers') })
  .superRefine((record, ctx) => {
    const keys = Object.keys(record);
    if (keys.length === 0) ctx.addIssue({ code: 'custom', message: 'at least one stratum port is required', input: record });
    for (const key of keys) {
      if (!PORT_KEY.test(key) || Number(key) > 65535) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'must be a port number between 1 and 65535', input: key });
      }
    }
  });

const minimumPayment = z
  .union([z.string(), z.number()], { error: reason('must be an amount in coins, e.g. "0.5"') })
  .transform((value, ctx) => {
    try {
      return coinsToBaseUnits(value);
    } catch (err) {
      if (!(err instanceof AmountError)) throw err;
      ctx.issues.push({ code: 'custom', message: err.message, input: value });
      return z.NEVER;
    }
  });

export const paymentProcessingSchema = z
  .strictObject({
    // Off unless asked for: sending real money must be a deliberate choice in the file.
    enabled: z.boolean().default(false),
    paymentInterval: positiveInt.default(600),
    minimumPayment: minimumPayment.default('0.01'),
    scheme: z.enum(['PROP', 'PPLNS', 'SOLO']).default('PROP'),
    pplnsWindowFactor: positiveNumber.default(2),
    shareLogMaxLength: positiveInt.default(SHARE_LOG_MAX_LEN),
    daemon: daemonSchema.optional(),
  })
  .prefault({});

export const banningSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    time: positiveInt.default(600),
    invalidPercent: percent.default(50),
    checkThreshold: positiveInt.default(500),
    malformedLimit: positiveInt.default(10),
    purgeInterval: positiveInt.default(300),
  })
  .prefault({});

/**
 * PROXY protocol (v1 or v2) from a load balancer in front of the stratum ports: connections from `trustedProxies`
 * must start with the header and are judged by the miner address in it; every other connection is served as direct.
 */
export const proxyProtocolSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    trustedProxies: z
      .array(z.string().refine((ip) => isIP(ip) !== 0, { error: 'must be an IP address' }))
      .default(['127.0.0.1', '::1']),
  })
  .prefault({});

/** Longest pool tag in bytes: the whole coinbase scriptSig is capped at 100 bytes and also holds height and extranonce. */
export const MAX_POOL_TAG_BYTES = 40;

export const poolSchema = z.strictObject({
  enabled: z.boolean().default(true),
  coin: z.string().min(1),
  network: z.enum(['main', 'test', 'regtest']).default('main'),
  address: z.string().min(1),
  rewardRecipients: z.record(z.string(), percent).default({}),
  poolTag: z
    .string()
    .refine((s) => Buffer.byteLength(s, 'utf8') <= MAX_POOL_TAG_BYTES, {
      error: `must be at most ${MAX_POOL_TAG_BYTES} bytes`,
    })
    .default('/headframe/'),
  ports,
  daemons: z.array(daemonSchema).min(1, { error: 'at least one daemon is required' }),
  paymentProcessing: paymentProcessingSchema,
  banning: banningSchema,
  proxyProtocol: proxyProtocolSchema,
  connectionTimeout: positiveInt.default(600),
  jobRebroadcastTimeout: positiveInt.default(55),
  blockRefreshInterval: nonNegativeInt.default(1000),
  maxLineBytes: z.int().min(1024, { error: 'must be at least 1024' }).max(1048576, { error: 'must be at most 1048576' }).default(16384),
});

export type PoolFile = z.output<typeof poolSchema>;
