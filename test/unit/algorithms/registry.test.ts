import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAlgorithmRegistry, getAlgorithm, type HashKernel } from '../../../src/algorithms/registry.js';
import { scryptPowNode } from '../../../src/algorithms/scrypt.js';
import { sha256d } from '../../../src/algorithms/sha256d.js';

function recordingLogger() {
  const lines: { level: string; message: string; meta?: Record<string, unknown> }[] = [];
  return {
    lines,
    warn: (message: string, meta?: Record<string, unknown>) => lines.push({ level: 'warn', message, meta }),
    info: (message: string, meta?: Record<string, unknown>) => lines.push({ level: 'info', message, meta }),
  };
}

describe('getAlgorithm', () => {
  it('returns the node:crypto implementations by name', () => {
    const header = Buffer.alloc(80, 7);
    assert.deepEqual(getAlgorithm('sha256d').hash(header), sha256d(header));
    assert.deepEqual(getAlgorithm('scrypt').hash(header), scryptPowNode(header));
    assert.throws(() => getAlgorithm('x11' as never), RangeError);
  });
});

describe('createAlgorithmRegistry', () => {
  it('adopts a candidate kernel that matches the reference', () => {
    const logger = recordingLogger();
    let calls = 0;
    const good: HashKernel = {
      name: 'copy-of-reference',
      hash: (h) => {
        calls++;
        return scryptPowNode(h);
      },
    };
    const registry = createAlgorithmRegistry({ fastKernels: { scrypt: () => good }, logger });
    assert.equal(registry.describe('scrypt').kernel, 'copy-of-reference');
    assert.equal(registry.describe('sha256d').kernel, 'node:crypto');
    const header = Buffer.alloc(80, 3);
    const before = calls;
    assert.deepEqual(registry.get('scrypt').hash(header), scryptPowNode(header));
    assert.equal(calls, before + 1);
    assert.equal(registry.get('scrypt').multiplier, 65536);
    assert.ok(logger.lines.every((l) => l.level === 'info'));
  });

  it('falls back to node:crypto with a warning when a kernel is wrong on a single byte', () => {
    const logger = recordingLogger();
    let seen = 0;
    const broken: HashKernel = {
      name: 'broken',
      hash: (h) => {
        const out = scryptPowNode(h);
        // Right on the first headers, wrong later: the self-test must check all of them.
        if (++seen > 5) out[31] ^= 1;
        return out;
      },
    };
    const registry = createAlgorithmRegistry({ fastKernels: { scrypt: () => broken }, logger });
    assert.equal(registry.describe('scrypt').kernel, 'node:crypto');
    assert.equal(registry.get('scrypt').hash, scryptPowNode);
    const warnings = logger.lines.filter((l) => l.level === 'warn');
    assert.equal(warnings.length, 1);
    assert.match(String(warnings[0].meta?.reason), /broken disagrees/);
  });

  it('falls back when a kernel throws or cannot be built', () => {
    const logger = recordingLogger();
    const throwing = createAlgorithmRegistry({
      fastKernels: {
        scrypt: () => ({
          name: 'throws',
          hash: () => {
            throw new Error('boom');
          },
        }),
        sha256d: () => {
          throw new Error('no simd');
        },
      },
      logger,
    });
    assert.equal(throwing.describe('scrypt').kernel, 'node:crypto');
    assert.equal(throwing.describe('sha256d').kernel, 'node:crypto');
    assert.equal(logger.lines.filter((l) => l.level === 'warn').length, 2);
  });

  it('picks the WebAssembly scrypt kernel by default and it hashes like node:crypto', () => {
    const registry = createAlgorithmRegistry();
    assert.equal(registry.describe('scrypt').kernel, 'wasm-simd');
    assert.equal(typeof registry.describe('scrypt').hashMany, 'function');
    assert.equal(registry.describe('sha256d').kernel, 'node:crypto');
    const header = Buffer.alloc(80, 0x5a);
    assert.deepEqual(registry.get('scrypt').hash(header), scryptPowNode(header));
  });

  it('falls back when only the batch path of a kernel is wrong', () => {
    const logger = recordingLogger();
    const registry = createAlgorithmRegistry({
      fastKernels: {
        scrypt: () => ({
          name: 'bad-batch',
          hash: scryptPowNode,
          hashMany: (headers, count, out) => {
            for (let i = 0; i < count; i++) out.set(scryptPowNode(Buffer.from(headers.subarray(i * 80, i * 80 + 80))), i * 32);
            out[out.length - 1] ^= 0x80;
          },
        }),
      },
      logger,
    });
    assert.equal(registry.describe('scrypt').kernel, 'node:crypto');
    assert.match(String(logger.lines.find((l) => l.level === 'warn')?.meta?.reason), /batch disagrees/);
  });

  it('keeps node:crypto when asked for the reference', () => {
    const registry = createAlgorithmRegistry({
      prefer: 'reference',
      fastKernels: { scrypt: () => ({ name: 'never', hash: scryptPowNode }) },
    });
    assert.equal(registry.describe('scrypt').kernel, 'node:crypto');
    assert.deepEqual(registry.names().sort(), ['scrypt', 'sha256d']);
  });
});
