// Messages between the master and its children, one discriminated union per direction.
// Every message we send carries `hf: 1`: the same IPC channel also carries node:cluster's internal
// messages and, later, prom-client's AggregatorRegistry requests, which receivers must pass over silently.
import { z } from 'zod';
import type { PoolConfig, ResolvedConfig } from '../config/types.js';

export const CHILD_ROLES = ['pool-worker', 'payment-processor', 'website', 'profit-switch'] as const;
export type ChildRole = (typeof CHILD_ROLES)[number];

export function isChildRole(value: unknown): value is ChildRole {
  return typeof value === 'string' && (CHILD_ROLES as readonly string[]).includes(value);
}

export type MasterToChild =
  | { readonly hf: 1; readonly type: 'config'; readonly config: ResolvedConfig; readonly role: ChildRole; readonly forkId: number }
  | { readonly hf: 1; readonly type: 'shutdown' }
  | { readonly hf: 1; readonly type: 'blocknotify'; readonly coin: string; readonly blockHash: string }
  /**
   * A pool's re-read and re-validated config: workers rebuild that pool's runtime with it (other pools untouched) and
   * answer `reloaded` with the same `reloadId`, so an answer is never taken for another reload's.
   */
  | { readonly hf: 1; readonly type: 'reloadpool'; readonly pool: PoolConfig; readonly reloadId: number }
  /** Miners on the switch's ports move to `coin` (a coin id listed by the switch). */
  | { readonly hf: 1; readonly type: 'coinswitch'; readonly switchName: string; readonly coin: string }
  /** Another pool worker banned `ip` on `pool`'s ports: ban it here too (cluster's round robin would let it back in). */
  | { readonly hf: 1; readonly type: 'ban'; readonly pool: string; readonly ip: string; readonly seconds: number };

export interface PoolStatus {
  readonly pool: string;
  readonly connections: number;
}

export type ChildToMaster =
  /** First message of every child: its IPC listener is in place, so the config will not be lost. */
  | { readonly hf: 1; readonly type: 'hello'; readonly role: ChildRole; readonly forkId: number; readonly pid: number }
  /** The child has the config and has started its role. */
  | { readonly hf: 1; readonly type: 'ready'; readonly role: ChildRole; readonly forkId: number; readonly pid: number }
  | { readonly hf: 1; readonly type: 'status'; readonly role: ChildRole; readonly forkId: number; readonly pools: readonly PoolStatus[] }
  /** The profit switcher's decision, for the master to relay to every pool worker. */
  | { readonly hf: 1; readonly type: 'coinswitch'; readonly role: ChildRole; readonly forkId: number; readonly switchName: string; readonly coin: string }
  /**
   * A daemon accepted a block this pool worker found: the master relays it to the other pool workers as a
   * blocknotify, so they fetch the next template now rather than at their next poll or the daemon's blocknotify.
   */
  | { readonly hf: 1; readonly type: 'blockfound'; readonly role: ChildRole; readonly forkId: number; readonly coin: string; readonly blockHash: string }
  /** This pool worker banned an IP on a pool's ports: the master passes it to the other pool workers. */
  | { readonly hf: 1; readonly type: 'ban'; readonly role: ChildRole; readonly forkId: number; readonly pool: string; readonly ip: string; readonly seconds: number }
  /**
   * How a pool worker's reloadpool ended: applied, or undone (the new runtime did not start or got no template) with
   * the reason. The master commits a reload only when every pool worker applied it.
   */
  | {
      readonly hf: 1;
      readonly type: 'reloaded';
      readonly role: ChildRole;
      readonly forkId: number;
      readonly pool: string;
      readonly reloadId: number;
      readonly ok: boolean;
      readonly error: string | null;
    };

/** Message bodies without the tag, for senders: the helpers in channel.ts add it. */
export type Untagged<T> = T extends unknown ? Omit<T, 'hf'> : never;

const tag = z.literal(1);
const role = z.enum(CHILD_ROLES);
const forkId = z.number().int().nonnegative();
const nonEmpty = z.string().min(1);
const banIp = z.string().min(1).max(64);
const banSeconds = z.number().int().positive();
// The config comes from our own master, which validated it; the IPC layer only checks it is an object.
const config = z.custom<ResolvedConfig>((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
const poolConfig = z.custom<PoolConfig>(
  (v) => typeof v === 'object' && v !== null && typeof (v as { id?: unknown }).id === 'string' && typeof (v as { coin?: unknown }).coin === 'object',
);

const masterToChildSchema: z.ZodType<MasterToChild> = z.discriminatedUnion('type', [
  z.object({ hf: tag, type: z.literal('config'), config, role, forkId }),
  z.object({ hf: tag, type: z.literal('shutdown') }),
  z.object({ hf: tag, type: z.literal('blocknotify'), coin: nonEmpty, blockHash: z.string().regex(/^[0-9a-f]{64}$/) }),
  z.object({ hf: tag, type: z.literal('reloadpool'), pool: poolConfig, reloadId: z.number().int().nonnegative() }),
  z.object({ hf: tag, type: z.literal('coinswitch'), switchName: nonEmpty, coin: nonEmpty }),
  z.object({ hf: tag, type: z.literal('ban'), pool: nonEmpty, ip: banIp, seconds: banSeconds }),
]);

const childToMasterSchema: z.ZodType<ChildToMaster> = z.discriminatedUnion('type', [
  z.object({ hf: tag, type: z.literal('hello'), role, forkId, pid: z.number().int().positive() }),
  z.object({ hf: tag, type: z.literal('ready'), role, forkId, pid: z.number().int().positive() }),
  z.object({
    hf: tag,
    type: z.literal('status'),
    role,
    forkId,
    pools: z.array(z.object({ pool: nonEmpty, connections: z.number().int().nonnegative() })),
  }),
  z.object({ hf: tag, type: z.literal('coinswitch'), role, forkId, switchName: nonEmpty, coin: nonEmpty }),
  z.object({ hf: tag, type: z.literal('blockfound'), role, forkId, coin: nonEmpty, blockHash: z.string().regex(/^[0-9a-f]{64}$/) }),
  z.object({ hf: tag, type: z.literal('ban'), role, forkId, pool: nonEmpty, ip: banIp, seconds: banSeconds }),
  z.object({ hf: tag, type: z.literal('reloaded'), role, forkId, pool: nonEmpty, reloadId: z.number().int().nonnegative(), ok: z.boolean(), error: z.string().nullable() }),
]);

/** True for anything carrying our tag, valid or not: lets receivers tell "not ours" from "ours but malformed". */
export function isTagged(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && (raw as { hf?: unknown }).hf === 1;
}

export type Parsed<T> = { readonly kind: 'ours'; readonly message: T } | { readonly kind: 'foreign' } | { readonly kind: 'invalid'; readonly reason: string };

function parseWith<T>(schema: z.ZodType<T>, raw: unknown): Parsed<T> {
  if (!isTagged(raw)) return { kind: 'foreign' };
  const result = schema.safeParse(raw);
  if (result.success) return { kind: 'ours', message: result.data };
  return { kind: 'invalid', reason: z.prettifyError(result.error).replace(/\s+/g, ' ').trim() };
}

export function parseMasterToChild(raw: unknown): Parsed<MasterToChild> {
  return parseWith(masterToChildSchema, raw);
}

export function parseChildToMaster(raw: unknown): Parsed<ChildToMaster> {
  return parseWith(childToMasterSchema, raw);
}

/** Compile-time exhaustiveness check for switches over message types. */
export function assertNever(value: never): never {
  throw new Error(`unhandled IPC message: ${JSON.stringify(value)}`);
}
