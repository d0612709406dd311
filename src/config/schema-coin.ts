// coins/<id>.json: what the pool needs to know about one coin; the coin id is the file name.
import { z } from 'zod';
import { positiveInt, reason } from './schema-common.js';

const versionByte = z
  .int({ error: reason('must be a byte (0-255)') })
  .min(0, { error: 'must be a byte (0-255)' })
  .max(255, { error: 'must be a byte (0-255)' });

// BIP173: 1-83 characters in US-ASCII 33-126; lower case because that is how every chain spells its prefix.
const hrp = z
  .string()
  .regex(/^[\x21-\x7e]{1,83}$/, { error: 'must be 1-83 printable ASCII characters' })
  .refine((s) => s === s.toLowerCase(), { error: 'must be lower case' });

const network = z.strictObject({
  pubKeyHash: versionByte,
  scriptHash: z.array(versionByte).min(1, { error: 'needs at least one version byte' }),
  bech32: hrp,
});

export const coinSchema = z.strictObject({
  name: z.string().min(1),
  symbol: z.string().min(1),
  algorithm: z.enum(['sha256d', 'scrypt'], {
    error: (issue) =>
      issue.input === undefined ? 'required' : `unknown algorithm ${JSON.stringify(issue.input)} (known: sha256d, scrypt)`,
  }),
  mweb: z.boolean().default(false),
  segwit: z.boolean().default(true),
  coinbaseMaturity: positiveInt.default(100),
  networks: z.strictObject({ main: network, test: network, regtest: network }),
});
