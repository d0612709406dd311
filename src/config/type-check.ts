// Compile-time proof that the schemas produce exactly the types in types.ts (nothing here runs).
// If a field is added to one side only, or its type differs, `tsc` fails on the matching line below.
import type { z } from 'zod';
import type { coinSchema } from './schema-coin.js';
import type { globalSchema } from './schema-global.js';
import type {
  banningSchema,
  daemonSchema,
  paymentProcessingSchema,
  portSchema,
  varDiffSchema,
} from './schema-pool.js';
import type {
  BanningConfig,
  CoinConfig,
  DaemonConfig,
  GlobalConfig,
  PaymentProcessingConfig,
  PortConfig,
  VarDiffConfig,
} from './types.js';

// types.ts marks everything readonly and zod's output is mutable; compare both sides with readonly everywhere.
type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

type Identical<A, B> =
  (<T>() => T extends DeepReadonly<A> ? 1 : 2) extends <T>() => T extends DeepReadonly<B> ? 1 : 2 ? true : false;

type Out<S extends z.ZodType> = z.output<S>;

export type SchemaTypeChecks = [
  Identical<Out<typeof globalSchema>, GlobalConfig>,
  Identical<Out<typeof coinSchema>, Omit<CoinConfig, 'id'>>,
  Identical<Out<typeof varDiffSchema>, VarDiffConfig>,
  Identical<Out<typeof portSchema>, Omit<PortConfig, 'port'>>,
  Identical<Out<typeof daemonSchema>, DaemonConfig>,
  Identical<Out<typeof banningSchema>, BanningConfig>,
  Identical<
    Out<typeof paymentProcessingSchema>,
    Omit<PaymentProcessingConfig, 'daemon'> & { daemon?: DaemonConfig | undefined }
  >,
];

// Each element must be `true`; a `false` makes this assignment a compile error naming the position.
export const schemaTypeChecks: SchemaTypeChecks = [true, true, true, true, true, true, true];
