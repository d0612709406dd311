import type { AlgorithmName } from '../config/types.js';
import { scryptNodeAlgorithm } from './scrypt.js';
import { sha256dAlgorithm } from './sha256d.js';
import type { PowAlgorithm } from './types.js';
import { ScryptWasmKernel } from './scrypt-wasm/kernel.js';
import { selfTestKernel, type HashKernel } from './self-test.js';

export type { HashKernel } from './self-test.js';

const REFERENCE: Readonly<Record<AlgorithmName, PowAlgorithm>> = Object.freeze({
  sha256d: sha256dAlgorithm,
  scrypt: scryptNodeAlgorithm,
});

/** The node:crypto implementation of an algorithm: always correct, the yardstick for every faster kernel. */
export function getAlgorithm(name: AlgorithmName): PowAlgorithm {
  const algorithm = REFERENCE[name];
  if (!algorithm) throw new RangeError(`unknown algorithm "${String(name)}"`);
  return algorithm;
}

/** Builds a candidate kernel; it may throw (e.g. no WebAssembly SIMD), which counts as a failed self-test. */
export type KernelFactory = () => HashKernel;

export interface RegistryLogger {
  warn(message: string, meta?: Record<string, unknown>): unknown;
  info(message: string, meta?: Record<string, unknown>): unknown;
}

export interface AlgorithmRegistryOptions {
  /** 'fast' (default) uses a self-tested fast kernel where one exists; 'reference' keeps node:crypto everywhere. */
  readonly prefer?: 'fast' | 'reference';
  /** Candidate fast kernels; defaults to the built-in ones. Tests inject deliberately broken kernels here. */
  readonly fastKernels?: Partial<Record<AlgorithmName, KernelFactory>>;
  readonly logger?: RegistryLogger;
}

export interface SelectedAlgorithm {
  readonly algorithm: PowAlgorithm;
  /** 'node:crypto' or the fast kernel's name. */
  readonly kernel: string;
  /** Batch hashing when the kernel has it (worker threads use it to hash a whole batch in one call). */
  readonly hashMany?: (headers: Uint8Array, count: number, out: Uint8Array) => void;
}

/** The algorithms one process hashes with, each bound to the kernel its start-up self-test approved. */
export class AlgorithmRegistry {
  readonly #selected: ReadonlyMap<AlgorithmName, SelectedAlgorithm>;

  constructor(selected: ReadonlyMap<AlgorithmName, SelectedAlgorithm>) {
    this.#selected = selected;
  }

  get(name: AlgorithmName): PowAlgorithm {
    return this.describe(name).algorithm;
  }

  describe(name: AlgorithmName): SelectedAlgorithm {
    const entry = this.#selected.get(name);
    if (!entry) throw new RangeError(`unknown algorithm "${String(name)}"`);
    return entry;
  }

  names(): AlgorithmName[] {
    return [...this.#selected.keys()];
  }
}

/** sha256d has no faster kernel than node:crypto's one-shot hash; scrypt has the WebAssembly SIMD one. */
export function defaultFastKernels(): Partial<Record<AlgorithmName, KernelFactory>> {
  return { scrypt: () => ScryptWasmKernel.create() };
}

/**
 * Self-tests every candidate kernel against node:crypto on real headers and fixed pseudo-random ones and picks
 * it only when every output matches; otherwise logs a warning and keeps node:crypto. Synchronous, so a
 * process can build its registry before it accepts the first share.
 */
export function createAlgorithmRegistry(options: AlgorithmRegistryOptions = {}): AlgorithmRegistry {
  const prefer = options.prefer ?? 'fast';
  const candidates = options.fastKernels ?? defaultFastKernels();
  const selected = new Map<AlgorithmName, SelectedAlgorithm>();
  for (const name of Object.keys(REFERENCE) as AlgorithmName[]) {
    const reference = REFERENCE[name];
    const factory = prefer === 'fast' ? candidates[name] : undefined;
    if (!factory) {
      selected.set(name, { algorithm: reference, kernel: 'node:crypto' });
      continue;
    }
    const result = selfTestKernel(reference, factory);
    if (result.ok) {
      const algorithm: PowAlgorithm = Object.freeze({
        name: reference.name,
        multiplier: reference.multiplier,
        diff1: reference.diff1,
        hash: (header: Buffer) => result.kernel.hash(header),
      });
      const kernel = result.kernel;
      selected.set(name, {
        algorithm,
        kernel: kernel.name,
        hashMany: kernel.hashMany ? kernel.hashMany.bind(kernel) : undefined,
      });
      options.logger?.info(`algorithm ${name}: using kernel ${result.kernel.name}`);
    } else {
      selected.set(name, { algorithm: reference, kernel: 'node:crypto' });
      options.logger?.warn(`algorithm ${name}: fast kernel failed its self-test, falling back to node:crypto`, {
        reason: result.reason,
      });
    }
  }
  return new AlgorithmRegistry(selected);
}
