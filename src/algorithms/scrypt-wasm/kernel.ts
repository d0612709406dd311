import type { HashKernel } from '../self-test.js';
import { KERNEL_WASM_BASE64 } from './kernel-binary.js';

// The project compiles without the DOM lib, which is where TypeScript declares WebAssembly; the few members
// used here are declared locally.
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  validate(bytes: Uint8Array): boolean;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface KernelExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  readonly MAX_BATCH: { readonly value: unknown };
  init(): number;
  outputOffset(): number;
  hashBatch(count: number): void;
}

const HEADER_BYTES = 80;
const HASH_BYTES = 32;

/** True when this runtime validates WebAssembly SIMD (Node 16.4+ on x86-64/arm64 does). */
export function wasmSimdSupported(): boolean {
  try {
    return wasm.validate(Buffer.from(KERNEL_WASM_BASE64, 'base64'));
  } catch {
    return false;
  }
}

/**
 * The WebAssembly scrypt PoW kernel (Litecoin parameters). One instance owns one linear memory of fixed size
 * (three 128 KiB ROMix scratch areas plus a 63-header input window); nothing is allocated per hash except the
 * returned Buffers. Not thread-safe by construction: each worker thread builds its own instance.
 */
export class ScryptWasmKernel implements HashKernel {
  readonly name = 'wasm-simd';
  readonly maxBatch: number;
  readonly #exports: KernelExports;
  readonly #input: number;
  readonly #output: number;
  #heap: Uint8Array;

  private constructor(exports: KernelExports) {
    this.#exports = exports;
    this.maxBatch = Number(exports.MAX_BATCH.value);
    this.#input = exports.init();
    this.#output = exports.outputOffset();
    this.#heap = new Uint8Array(exports.memory.buffer);
  }

  /** Compiles and instantiates synchronously (the module is ~23 KB), so start-up code can self-test at once. */
  static create(): ScryptWasmKernel {
    const module = new wasm.Module(Buffer.from(KERNEL_WASM_BASE64, 'base64'));
    const instance = new wasm.Instance(module, {
      env: {
        abort: () => {
          throw new Error('scrypt kernel aborted');
        },
      },
    });
    return new ScryptWasmKernel(instance.exports as unknown as KernelExports);
  }

  hash = (header: Buffer): Buffer => {
    const out = Buffer.allocUnsafe(HASH_BYTES);
    this.hashMany(header, 1, out);
    return out;
  };

  /**
   * Hashes `count` headers laid end to end in `headers` (count * 80 bytes) into `out` (count * 32 bytes).
   * Large counts are cut into kernel-sized batches.
   */
  hashMany(headers: Uint8Array, count: number, out: Uint8Array): void {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`bad header count ${count}`);
    if (headers.length !== count * HEADER_BYTES) {
      throw new RangeError(`expected ${count} headers of 80 bytes, got ${headers.length} bytes`);
    }
    if (out.length < count * HASH_BYTES) throw new RangeError('output buffer too small');
    const heap = this.#view();
    for (let done = 0; done < count; done += this.maxBatch) {
      const n = Math.min(this.maxBatch, count - done);
      heap.set(headers.subarray(done * HEADER_BYTES, (done + n) * HEADER_BYTES), this.#input);
      this.#exports.hashBatch(n);
      out.set(heap.subarray(this.#output, this.#output + n * HASH_BYTES), done * HASH_BYTES);
    }
  }

  #view(): Uint8Array {
    // The kernel never grows memory after init(), but a detached view would corrupt silently, so check.
    if (this.#heap.byteLength === 0) this.#heap = new Uint8Array(this.#exports.memory.buffer);
    return this.#heap;
  }
}
