import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandIncludes, readScripts } from '../../../src/redis/script-loader.js';

test('shared Lua lives once in scripts/lib and is pasted where a script includes it', () => {
  const scripts = new Map(readScripts().map((s) => [s.name, s]));
  for (const script of scripts.values()) assert.doesNotMatch(script.lua, /^--#include/m, `${script.name} has an unresolved include`);
  // Both numbered block operations apply in recorder order; both dead-block paths merge the round back alike.
  for (const name of ['record-block', 'record-block-outcome']) assert.match(scripts.get(name)!.lua, /if seq > last \+ 1 then return -2 end/);
  for (const name of ['record-block-outcome', 'payments-orphan']) assert.match(scripts.get(name)!.lua, /mergeInto\(KEYS\[5\], KEYS\[8\]\)/);
  // The key count still comes from the script's own header, not from a snippet's comments.
  assert.equal(scripts.get('payments-orphan')!.numberOfKeys, 11);
  assert.equal(scripts.get('record-block-outcome')!.numberOfKeys, 10);
});

test('an include of a snippet that does not exist fails loudly at load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'headframe-lua-'));
  try {
    mkdirSync(join(dir, 'lib'));
    writeFileSync(join(dir, 'lib', 'two.lua'), '-- snippet\nlocal two = 2\n');
    assert.equal(expandIncludes('-- KEYS[1] x\n--#include two\nreturn two\n', 's', join(dir, 'lib')), '-- KEYS[1] x\n-- snippet\nlocal two = 2\nreturn two\n');
    assert.throws(() => expandIncludes('--#include nope\n', 's', join(dir, 'lib')), /includes nope/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
