import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExtranonceAllocator } from '../../../src/mining/extranonce.js';

test('extranonce1 values never collide across instances and forks', () => {
  const seen = new Set<string>();
  for (const instance of [0, 1, 255]) {
    for (const fork of [0, 1, 7]) {
      const allocator = new ExtranonceAllocator(instance, fork);
      for (let i = 0; i < 500; i++) {
        const value = allocator.allocate();
        assert.match(value, /^[0-9a-f]{8}$/);
        assert.ok(!seen.has(value), `duplicate ${value}`);
        seen.add(value);
      }
    }
  }
  assert.equal(new ExtranonceAllocator(0xab, 0x0c).allocate(), 'ab0c0000', 'instance byte, fork byte, counter');
});

test('after wrapping, values still held by live connections are skipped; released ones come back', () => {
  const allocator = new ExtranonceAllocator(1, 2);
  const first = allocator.allocate();
  const held = new Set([first]);
  for (let i = 1; i < 0x10000; i++) {
    const value = allocator.allocate();
    allocator.release(value);
  }
  const afterWrap = allocator.allocate();
  assert.ok(!held.has(afterWrap), 'the value of a connection that is still open is not handed out again');
  assert.equal(afterWrap, '01020001');
  allocator.release(first);
  for (let i = 0; i < 0xfffe; i++) allocator.release(allocator.allocate());
  assert.equal(allocator.allocate(), first, 'a released value is reused once the counter comes round');
});

test('ids outside a byte are refused', () => {
  assert.throws(() => new ExtranonceAllocator(256, 0), RangeError);
  assert.throws(() => new ExtranonceAllocator(0, -1), RangeError);
});
