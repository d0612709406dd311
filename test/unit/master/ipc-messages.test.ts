import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createChildIpc, createMasterIpc } from '../../../src/ipc/channel.js';
import type { ChildToMaster, MasterToChild } from '../../../src/ipc/messages.js';
import { parseChildToMaster, parseMasterToChild } from '../../../src/ipc/messages.js';

const HASH = 'ab'.repeat(32);

describe('IPC message parsing', () => {
  it('accepts our tagged messages', () => {
    const parsed = parseMasterToChild({ hf: 1, type: 'blocknotify', coin: 'litecoin', blockHash: HASH });
    assert.deepEqual(parsed, { kind: 'ours', message: { hf: 1, type: 'blocknotify', coin: 'litecoin', blockHash: HASH } });
    assert.equal(parseChildToMaster({ hf: 1, type: 'ready', role: 'website', forkId: 0, pid: 42 }).kind, 'ours');
  });

  it('passes over messages that are not ours (cluster internals, prom-client aggregator)', () => {
    for (const raw of [
      { cmd: 'NODE_CLUSTER', act: 'online' },
      { type: 'prom-client:getMetricsReq', requestId: 1 },
      { hf: 2, type: 'shutdown' },
      'shutdown',
      null,
      42,
    ]) {
      assert.equal(parseMasterToChild(raw).kind, 'foreign', JSON.stringify(raw));
      assert.equal(parseChildToMaster(raw).kind, 'foreign', JSON.stringify(raw));
    }
  });

  it('reports tagged but malformed messages as invalid', () => {
    const bad = [
      { hf: 1, type: 'nonsense' },
      { hf: 1, type: 'blocknotify', coin: 'litecoin', blockHash: 'xyz' },
      { hf: 1, type: 'config', role: 'miner', forkId: 0, config: {} },
      { hf: 1, type: 'config', role: 'website', forkId: -1, config: {} },
      { hf: 1, type: 'config', role: 'website', forkId: 0, config: null },
    ];
    for (const raw of bad) assert.equal(parseMasterToChild(raw).kind, 'invalid', JSON.stringify(raw));
    assert.equal(parseChildToMaster({ hf: 1, type: 'status', role: 'pool-worker', forkId: 0, pools: [{ pool: 'x', connections: -1 }] }).kind, 'invalid');
  });
});

/** An in-memory endpoint: `sent` records outgoing messages, `deliver` plays an incoming one. */
class FakeEndpoint extends EventEmitter {
  readonly sent: unknown[] = [];
  connected = true;
  send = (message: unknown, _h: undefined, _o: object, callback: (e: Error | null) => void): boolean => {
    this.sent.push(message);
    callback(null);
    return true;
  };
  deliver(message: unknown): void {
    this.emit('message', message);
  }
}

describe('typed channels', () => {
  it('tag outgoing messages and deliver only valid incoming ones', () => {
    const endpoint = new FakeEndpoint();
    const invalid: string[] = [];
    const received: MasterToChild[] = [];
    const ipc = createChildIpc(endpoint, (reason) => invalid.push(reason));
    const off = ipc.onMessage((m) => received.push(m));

    assert.equal(ipc.send({ type: 'hello', role: 'website', forkId: 0, pid: 7 }), true);
    assert.deepEqual(endpoint.sent, [{ type: 'hello', role: 'website', forkId: 0, pid: 7, hf: 1 }]);

    endpoint.deliver({ hf: 1, type: 'shutdown' });
    endpoint.deliver({ cmd: 'NODE_CLUSTER' });
    endpoint.deliver({ hf: 1, type: 'coinswitch', switchName: 'scrypt' });
    assert.deepEqual(received, [{ hf: 1, type: 'shutdown' }]);
    assert.equal(invalid.length, 1);

    off();
    endpoint.deliver({ hf: 1, type: 'shutdown' });
    assert.equal(received.length, 1, 'no delivery after unsubscribing');
  });

  it('does not send on a closed channel and never throws', () => {
    const endpoint = new FakeEndpoint();
    endpoint.connected = false;
    const ipc = createChildIpc(endpoint, () => undefined);
    assert.equal(ipc.send({ type: 'ready', role: 'website', forkId: 0, pid: 1 }), false);
    assert.equal(endpoint.sent.length, 0);

    const throwing = new FakeEndpoint();
    throwing.send = () => {
      throw new Error('channel closed');
    };
    const master = createMasterIpc(throwing, () => true, () => undefined);
    assert.equal(master.send({ type: 'shutdown' }), false);
  });

  it('master side parses child messages', () => {
    const endpoint = new FakeEndpoint();
    const got: ChildToMaster[] = [];
    createMasterIpc(endpoint, () => true, () => undefined).onMessage((m) => got.push(m));
    endpoint.deliver({ hf: 1, type: 'status', role: 'pool-worker', forkId: 1, pools: [{ pool: 'ltc', connections: 3 }] });
    assert.equal(got.length, 1);
    assert.equal(got[0].type, 'status');
  });
});
