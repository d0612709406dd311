// The PROXY protocol header: v1 text and v2 binary, partial input, and what is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProxyHeader, ProxyHeaderError } from '../../../src/stratum/proxy-protocol.js';

const SIGNATURE = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');

function v2(command: number, family: number, addresses: Buffer, tlv = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(4);
  head[0] = 0x20 | command;
  head[1] = family;
  head.writeUInt16BE(addresses.length + tlv.length, 2);
  return Buffer.concat([SIGNATURE, head, addresses, tlv]);
}

test('v1: TCP4, TCP6 and UNKNOWN lines give the source address and the header length', () => {
  const line = 'PROXY TCP4 203.0.113.7 192.0.2.1 51234 3333\r\n';
  assert.deepEqual(parseProxyHeader(Buffer.from(line + '{"id":1}\n')), { ip: '203.0.113.7', length: line.length });
  const six = 'PROXY TCP6 2001:db8::7 2001:db8::1 51234 3333\r\n';
  assert.deepEqual(parseProxyHeader(Buffer.from(six)), { ip: '2001:db8::7', length: six.length });
  assert.deepEqual(parseProxyHeader(Buffer.from('PROXY UNKNOWN\r\n')), { ip: null, length: 15 });
});

test('v2: PROXY over INET and INET6 give the source address; LOCAL gives none; TLVs are skipped', () => {
  const inet = Buffer.from([203, 0, 113, 7, 192, 0, 2, 1, 0xc8, 0x22, 0x0d, 0x05]);
  const header = v2(1, 0x11, inet, Buffer.from([0x04, 0x00, 0x01, 0x00]));
  assert.deepEqual(parseProxyHeader(Buffer.concat([header, Buffer.from('{"id":1}\n')])), { ip: '203.0.113.7', length: header.length });
  const inet6 = Buffer.alloc(36);
  Buffer.from('20010db8000000000000000000000007', 'hex').copy(inet6, 0);
  assert.deepEqual(parseProxyHeader(v2(1, 0x21, inet6)), { ip: '2001:db8:0:0:0:0:0:7', length: 16 + 36 });
  assert.deepEqual(parseProxyHeader(v2(0, 0x00, Buffer.alloc(0))), { ip: null, length: 16 });
});

test('a header cut short asks for more bytes; anything else is refused', () => {
  const line = Buffer.from('PROXY TCP4 203.0.113.7 192.0.2.1 51234 3333\r\n');
  for (const n of [1, 5, 6, 20, line.length - 1]) assert.equal(parseProxyHeader(line.subarray(0, n)), null, `v1 cut at ${n}`);
  const header = v2(1, 0x11, Buffer.alloc(12));
  for (const n of [3, 12, 15, header.length - 1]) assert.equal(parseProxyHeader(header.subarray(0, n)), null, `v2 cut at ${n}`);
  const refused = [
    '{"id":1,"method":"mining.subscribe","params":[]}\n',
    'PROXY TCP4 203.0.113.7 192.0.2.1 51234\r\n',
    'PROXY TCP4 2001:db8::7 192.0.2.1 51234 3333\r\n',
    'PROXY TCP4 203.0.113.7 192.0.2.1 99999 3333\r\n',
    'PROXY UDP4 203.0.113.7 192.0.2.1 51234 3333\r\n',
    'PROXY TCP4 ' + '1'.repeat(120),
  ];
  for (const text of refused) assert.throws(() => parseProxyHeader(Buffer.from(text)), ProxyHeaderError, text);
  assert.throws(() => parseProxyHeader(Buffer.concat([SIGNATURE, Buffer.from([0x11, 0x11, 0, 0])])), ProxyHeaderError, 'version 1 in a v2 header');
  assert.throws(() => parseProxyHeader(v2(1, 0x11, Buffer.alloc(4))), ProxyHeaderError, 'INET without room for its addresses');
});
