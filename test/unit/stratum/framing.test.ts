import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineFramer } from '../../../src/stratum/framing.js';

function collect(framer: LineFramer, chunks: Buffer[]): { lines: string[]; ok: boolean } {
  const lines: string[] = [];
  const sink = { onLine: (l: string) => lines.push(l) };
  for (const chunk of chunks) if (!framer.push(chunk, sink)) return { lines, ok: false };
  return { lines, ok: true };
}

test('lines split across packets are joined, several lines in one packet are split, blanks skipped', () => {
  const { lines, ok } = collect(new LineFramer(100), [
    Buffer.from('{"a":'),
    Buffer.from('1}\n{"b":2}\n\n{"c"'),
    Buffer.from(':3}\n'),
  ]);
  assert.equal(ok, true);
  assert.deepEqual(lines, ['{"a":1}', '{"b":2}', '{"c":3}']);
});

test('a multi-byte UTF-8 character split between packets decodes intact', () => {
  const bytes = Buffer.from('"é€"\n', 'utf8');
  const { lines } = collect(new LineFramer(100), [bytes.subarray(0, 2), bytes.subarray(2, 4), bytes.subarray(4)]);
  assert.deepEqual(lines, ['"é€"']);
});

test('a line of exactly maxLineBytes passes, one byte more fails, finished or not', () => {
  assert.equal(collect(new LineFramer(8), [Buffer.from('12345678\n')]).ok, true);
  assert.equal(collect(new LineFramer(8), [Buffer.from('123456789\n')]).ok, false);
  assert.equal(collect(new LineFramer(8), [Buffer.from('1234'), Buffer.from('56789\n')]).ok, false);
  assert.equal(collect(new LineFramer(8), [Buffer.from('12345'), Buffer.from('6789')]).ok, false);
  const held = new LineFramer(8);
  assert.equal(collect(held, [Buffer.from('1234'), Buffer.from('5678')]).ok, true);
  assert.equal(held.pendingBytes, 8);
});
