// The payer against a real Redis and a scripted wallet: sendmany refusing one address, failing outright, or timing
// out with the transaction present or absent in the wallet.
import { before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { useRedis } from '../helpers/redis-suite.js';
import { PaymentScripts } from '../../src/payments/scripts.js';
import { PaymentStore } from '../../src/payments/store.js';
import { Payer } from '../../src/payments/payer.js';
import { DaemonError } from '../../src/daemon/errors.js';
import type { RpcClient } from '../../src/daemon/rpc-client.js';
import type { PoolConfig } from '../../src/config/types.js';
import { createLogger } from '../../src/log/logger.js';

type Handler = (params: readonly unknown[]) => unknown;

/** A wallet daemon that answers from a table of handlers and records every call. */
function fakeRpc(handlers: Record<string, Handler>): { rpc: RpcClient; calls: { method: string; params: readonly unknown[] }[] } {
  const calls: { method: string; params: readonly unknown[] }[] = [];
  const callRaw = async (method: string, params: readonly unknown[] = []): Promise<unknown> => {
    calls.push({ method, params });
    const handler = handlers[method];
    if (!handler) throw new Error(`unexpected call ${method}`);
    return handler(params);
  };
  return { rpc: { call: callRaw, callRaw } as unknown as RpcClient, calls };
}

const rpcError = (method: string, rpcCode: number, message: string) =>
  new DaemonError('DAEMON_RPC', message, { daemon: 'fake', method, rpcCode });

const pool = { id: 'ltc', paymentProcessing: { minimumPayment: '10' } } as unknown as PoolConfig;
const valid: Handler = () => ({ isvalid: true, scriptPubKey: '0014' + '00'.repeat(20) });

describe('payer', () => {
  const redis = useRedis();
  let client: Redis;
  let store: PaymentStore;
  let token: string;
  let now = 1_000_000;

  before(async () => {
    client = await redis.client({ commandTimeout: 2000 });
    store = new PaymentStore(client, new PaymentScripts(client), 'p:', 'ltc');
  });
  beforeEach(async () => {
    await client.flushall();
    await client.hset(store.pay.unpaid, { good1: '100', good2: '50', bad: '70', small: '5' });
    token = (await store.acquireLock(60_000))!;
  });

  function payer(rpc: RpcClient): Payer {
    return new Payer({
      pool, store, rpc, now: () => now, maxOutputs: 10, sendTimeoutMs: 1000,
      logger: createLogger({ level: 'error', context: { role: 'test' } }),
      keepLock: async () => assert.ok(await store.renewLock(token, 60_000)),
    });
  }

  test('sendmany -5 for one address: it is set aside, the rest are paid in the retry', async () => {
    const { rpc, calls } = fakeRpc({
      validateaddress: valid,
      sendmany: (params) => {
        const amounts = params[1] as Record<string, string>;
        if ('bad' in amounts) throw rpcError('sendmany', -5, 'Invalid Litecoin address: bad');
        return 'aa'.repeat(32);
      },
    });
    const result = await payer(rpc).payDue(token, []);
    assert.equal(result.status, 'paid');
    assert.deepEqual(calls.filter((c) => c.method === 'sendmany').map((c) => Object.keys(c.params[1] as object).sort()), [
      ['bad', 'good1', 'good2'],
      ['good1', 'good2'],
    ]);
    assert.deepEqual((calls.find((c) => c.method === 'sendmany')?.params[1] as Record<string, string>).good1, '0.00000100');
    assert.deepEqual(await client.hgetall(store.pay.unpaid), { bad: '70', small: '5' });
    assert.ok(await client.hexists(store.pay.quarantine, 'bad'));
    assert.equal(await store.intent(), null);
  });

  test('a definite sendmany error drops the intent and keeps every balance', async () => {
    const { rpc } = fakeRpc({ validateaddress: valid, sendmany: () => { throw rpcError('sendmany', -6, 'Insufficient funds'); } });
    const result = await payer(rpc).payDue(token, []);
    assert.deepEqual(result, { status: 'failed', reason: 'Insufficient funds' });
    assert.equal(await store.intent(), null);
    assert.deepEqual(await client.hgetall(store.pay.unpaid), { good1: '100', good2: '50', bad: '70', small: '5' });
  });

  test('a timed-out sendmany whose transaction is in the wallet is committed', async () => {
    let comment = '';
    const { rpc } = fakeRpc({
      validateaddress: valid,
      sendmany: (params) => {
        comment = params[3] as string;
        throw new DaemonError('DAEMON_TIMEOUT', 'timed out', { daemon: 'fake', method: 'sendmany' });
      },
      listtransactions: () => [{ txid: 'bb'.repeat(32), category: 'send', comment, confirmations: 0 }],
    });
    const result = await payer(rpc).payDue(token, []);
    assert.equal(result.status, 'paid');
    assert.deepEqual(await client.hgetall(store.pay.unpaid), { small: '5' });
    assert.equal(JSON.parse((await client.lindex(store.pay.history, 0))!).txid, 'bb'.repeat(32));
  });

  test('a timed-out sendmany not (yet) in the wallet waits, then halts the pool once past the deadline', async () => {
    const { rpc } = fakeRpc({
      validateaddress: valid,
      sendmany: () => { throw new DaemonError('DAEMON_TIMEOUT', 'timed out', { daemon: 'fake', method: 'sendmany' }); },
      listtransactions: () => [],
    });
    const p = payer(rpc);
    assert.equal((await p.payDue(token, [])).status, 'waiting');
    assert.ok((await store.intent())?.sendStartedAt, 'intent kept, marked as sending');
    assert.equal((await p.settleOpenIntent(token))?.status, 'waiting', 'still inside the grace period');
    now += 1000 + 30_000;
    assert.equal((await p.settleOpenIntent(token))?.status, 'halted', 'an unanswered send is never guessed away');
    assert.ok(await client.exists(store.pay.halt));
    assert.ok(await store.intent(), 'intent kept for the operator');
    assert.deepEqual(await client.hgetall(store.pay.unpaid), { good1: '100', good2: '50', bad: '70', small: '5' });
  });
});
