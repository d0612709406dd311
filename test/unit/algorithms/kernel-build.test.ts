import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

describe('committed WebAssembly kernel', () => {
  it('is byte-identical to a fresh build of kernel.as', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['scripts/build-wasm.mjs', '--check'], {
      cwd: root,
      timeout: 60_000,
    });
    assert.match(stdout, /matches a fresh build/);
  });
});
