import { hash } from 'node:crypto';
import type { PowAlgorithm } from './types.js';
import { BITCOIN_HEADERS, LITECOIN_HEADERS } from './vectors.js';

/** One implementation of an algorithm's hash function. */
export interface HashKernel {
  readonly name: string;
  hash(header: Buffer): Buffer;
  /** Optional batch form: `count` 80-byte headers end to end in, `count` 32-byte hashes out. */
  hashMany?(headers: Uint8Array, count: number, out: Uint8Array): void;
}

export type SelfTestResult =
  | { readonly ok: true; readonly kernel: HashKernel }
  | { readonly ok: false; readonly reason: string };

/** How many derived headers the self-test adds to the real ones; ~0.4 ms each for the scrypt reference. */
const DERIVED_HEADERS = 24;

/**
 * Real headers plus headers derived by hashing a counter: fixed across runs (a failure reproduces) yet
 * covering all byte values, unlike real headers whose leading bytes are mostly zero.
 */
export function selfTestHeaders(): Buffer[] {
  const headers = [...BITCOIN_HEADERS, ...LITECOIN_HEADERS].map((v) => Buffer.from(v.header, 'hex'));
  for (let i = 0; i < DERIVED_HEADERS; i++) {
    const seed = Buffer.from(`headframe-self-test-${i}`);
    const a = hash('sha512', seed, 'buffer');
    const b = hash('sha256', a, 'buffer');
    headers.push(Buffer.concat([a, b]).subarray(0, 80));
  }
  return headers;
}

/** Builds the kernel and compares it with the reference on every self-test header; any mismatch or throw fails. */
export function selfTestKernel(reference: PowAlgorithm, factory: () => HashKernel): SelfTestResult {
  let kernel: HashKernel;
  try {
    kernel = factory();
  } catch (err) {
    return { ok: false, reason: `kernel could not be built: ${(err as Error).message}` };
  }
  const headers = selfTestHeaders();
  const wanted = headers.map((h) => reference.hash(h));
  for (const [i, header] of headers.entries()) {
    let got: Buffer;
    try {
      got = kernel.hash(header);
    } catch (err) {
      return { ok: false, reason: `${kernel.name} threw: ${(err as Error).message}` };
    }
    const want = wanted[i];
    if (got.length !== 32 || !got.equals(want)) {
      return {
        ok: false,
        reason: `${kernel.name} disagrees with node:crypto on header ${header.toString('hex')}: ${got.toString('hex')} != ${want.toString('hex')}`,
      };
    }
  }
  if (kernel.hashMany) {
    // The batch path interleaves several headers; check it separately, with a count that is not a multiple of
    // any lane width so the tail handling is covered too.
    const out = Buffer.alloc(headers.length * 32);
    try {
      kernel.hashMany(Buffer.concat(headers), headers.length, out);
    } catch (err) {
      return { ok: false, reason: `${kernel.name} batch threw: ${(err as Error).message}` };
    }
    for (const [i, want] of wanted.entries()) {
      if (!out.subarray(i * 32, i * 32 + 32).equals(want)) {
        return { ok: false, reason: `${kernel.name} batch disagrees with node:crypto on header ${i}` };
      }
    }
  }
  return { ok: true, kernel };
}
