// The algorithms folder's public surface: hash functions, target math, the registry and (for scrypt coins)
// the off-thread hash pool.
export type { PowAlgorithm } from './types.js';
export { sha256d, sha256dAlgorithm, SHA256D_DIFF1 } from './sha256d.js';
export { scryptPowNode, scryptNodeAlgorithm, SCRYPT_DIFF1, SCRYPT_POW_PARAMS } from './scrypt.js';
export {
  targetFromBits,
  difficultyToTarget,
  targetToDifficulty,
  hashToBigIntLE,
  hashToDifficulty,
  targetToLEBuffer,
  meetsTarget,
  type HasDiff1,
} from './targets.js';
export {
  getAlgorithm,
  createAlgorithmRegistry,
  AlgorithmRegistry,
  type AlgorithmRegistryOptions,
  type KernelFactory,
  type SelectedAlgorithm,
  type HashKernel,
} from './registry.js';
export { ScryptWasmKernel, wasmSimdSupported } from './scrypt-wasm/kernel.js';
export {
  createHashPool,
  HashPoolError,
  type HashPool,
  type HashPoolOptions,
  type HashPoolErrorCode,
} from './hash-pool.js';
