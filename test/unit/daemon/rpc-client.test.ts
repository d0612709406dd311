import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../../src/log/logger.js';
import { RpcClient, type RequestInfo } from '../../../src/daemon/rpc-client.js';
import { DaemonError, isRpcError } from '../../../src/daemon/errors.js';
import {
  closedPort,
  daemonConfig,
  rpcAnswer,
  rpcHandler,
  startFakeDaemon,
  startSilentServer,
  type FakeDaemon,
} from './fake-daemon.js';

const logger = createLogger({ level: 'error' });

function expectDaemonError(err: unknown): DaemonError {
  assert.ok(err instanceof DaemonError, `expected a DaemonError, got ${String(err)}`);
  return err;
}

async function failure(promise: Promise<unknown>): Promise<DaemonError> {
  try {
    await promise;
  } catch (err) {
    return expectDaemonError(err);
  }
  assert.fail('the call succeeded but should have failed');
}

describe('RpcClient', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function fake(handler: Parameters<typeof startFakeDaemon>[0]): Promise<FakeDaemon> {
    const daemon = await startFakeDaemon(handler);
    cleanups.push(() => daemon.close());
    return daemon;
  }

  function client(port: number, overrides: Parameters<typeof daemonConfig>[1] = {}, onRequest?: (i: RequestInfo) => void) {
    const c = new RpcClient(daemonConfig(port, overrides), { logger, onRequest });
    cleanups.push(() => c.close());
    return c;
  }

  it('sends a JSON-RPC 1.0 request with basic auth and returns the result', async () => {
    const daemon = await fake(rpcHandler((method) => ({ result: method === 'getblockcount' ? 431 : null })));
    const count = await client(daemon.port).call('getblockcount', []);
    assert.equal(count, 431);
    const seen = daemon.requests[0];
    assert.equal(seen.path, '/');
    assert.equal(seen.authorization, `Basic ${Buffer.from('pool:secret').toString('base64')}`);
    const body = seen.body as Record<string, unknown>;
    assert.equal(body.jsonrpc, '1.0');
    assert.equal(body.method, 'getblockcount');
    assert.deepEqual(body.params, []);
  });

  it('fails with DAEMON_TIMEOUT when the daemon accepts the connection and never answers', async () => {
    const silent = await startSilentServer();
    cleanups.push(() => silent.close());
    const started = Date.now();
    const err = await failure(client(silent.port, { timeoutMs: 300 }).call('getbestblockhash', []));
    const elapsed = Date.now() - started;
    assert.equal(err.code, 'DAEMON_TIMEOUT');
    assert.equal(err.daemon, `127.0.0.1:${silent.port}`);
    assert.equal(err.method, 'getbestblockhash');
    assert.ok(elapsed >= 290 && elapsed < 800, `timed out after ${elapsed} ms`);
    assert.equal(silent.connections(), 1);
  });

  it('fails with DAEMON_TIMEOUT when the headers arrive but the body stalls', async () => {
    const daemon = await fake((_req, _body, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' });
      res.write('{"result":');
    });
    const started = Date.now();
    const err = await failure(client(daemon.port, { timeoutMs: 300 }).call('getblockcount', []));
    assert.equal(err.code, 'DAEMON_TIMEOUT');
    assert.match(err.message, /reading the answer/);
    assert.ok(Date.now() - started < 800);
  });

  it('turns an HTTP 500 JSON error body into DAEMON_RPC with the daemon code', async () => {
    const daemon = await fake(rpcHandler(() => ({ code: -8, message: 'getblocktemplate must be called with the segwit rule set' })));
    const err = await failure(client(daemon.port).call('getblocktemplate', [{ rules: ['segwit'] }]));
    assert.equal(err.code, 'DAEMON_RPC');
    assert.equal(err.rpcCode, -8);
    assert.match(err.message, /segwit rule set/);
    assert.ok(isRpcError(err, -8));
    assert.ok(!isRpcError(err, -9));
  });

  it('turns a 404 unknown-method answer into DAEMON_RPC with -32601', async () => {
    const daemon = await fake(rpcHandler(() => ({ code: -32601, message: 'Method not found' })));
    const err = await failure(client(daemon.port).callRaw('getwork', []));
    assert.equal(err.code, 'DAEMON_RPC');
    assert.equal(err.rpcCode, -32601);
    assert.equal(err.method, 'getwork');
  });

  it('reports a non-JSON body as DAEMON_BAD_RESPONSE and a bare 401 as DAEMON_HTTP', async () => {
    const daemon = await fake((req, _body, res) => {
      if (req.headers.authorization?.includes(Buffer.from('pool:secret').toString('base64'))) {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end('<html>proxy error</html>');
      } else {
        res.writeHead(401);
        res.end();
      }
    });
    const bad = await failure(client(daemon.port).call('getblockcount', []));
    assert.equal(bad.code, 'DAEMON_BAD_RESPONSE');
    assert.match(bad.message, /proxy error/);
    const denied = await failure(client(daemon.port, { password: 'wrong' }).call('getblockcount', []));
    assert.equal(denied.code, 'DAEMON_HTTP');
    assert.equal(denied.httpStatus, 401);
    assert.match(denied.message, /rpcpassword/);
  });

  it('refuses an answer whose id does not match the request', async () => {
    const daemon = await fake((_req, _body, res) => rpcAnswer(res, 999_999, { result: 1 }));
    const err = await failure(client(daemon.port).call('getblockcount', []));
    assert.equal(err.code, 'DAEMON_BAD_RESPONSE');
  });

  it('refuses answers larger than maxResponseBytes', async () => {
    const daemon = await fake(rpcHandler(() => ({ result: 'ab'.repeat(10_000) })));
    const c = new RpcClient(daemonConfig(daemon.port), { logger, maxResponseBytes: 1000 });
    cleanups.push(() => c.close());
    const err = await failure(c.call('getbestblockhash', []));
    assert.equal(err.code, 'DAEMON_BAD_RESPONSE');
    assert.match(err.message, /larger than 1000/);
  });

  it('fails with DAEMON_NETWORK, request not sent, when the connection is refused', async () => {
    const port = await closedPort();
    const err = await failure(client(port).call('submitblock', ['00']));
    assert.equal(err.code, 'DAEMON_NETWORK');
    assert.equal(err.requestSent, false);
    assert.match(err.message, /ECONNREFUSED/);
  });

  it('returns batch answers in request order even when the daemon reorders them', async () => {
    const daemon = await fake((_req, body, res) => {
      const calls = body as { id: number; method: string; params: unknown[] }[];
      const answers = calls.map((c) =>
        c.method === 'getblockhash'
          ? { result: `hash-${String(c.params[0])}`, error: null, id: c.id }
          : { result: null, error: { code: -5, message: 'Block not found' }, id: c.id },
      );
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(answers.reverse()));
    });
    const items = await client(daemon.port).batch([
      { method: 'getblockhash', params: [1] },
      { method: 'getblock', params: ['nope'] },
      { method: 'getblockhash', params: [2] },
    ]);
    assert.equal(items.length, 3);
    assert.deepEqual(items[0], { ok: true, result: 'hash-1' });
    assert.deepEqual(items[2], { ok: true, result: 'hash-2' });
    const second = items[1];
    assert.ok(!second.ok);
    assert.equal(second.error.rpcCode, -5);
    assert.equal(second.error.method, 'getblock');
    assert.equal(daemon.requests.length, 1);
  });

  it('refuses a batch answer that lacks an entry', async () => {
    const daemon = await fake((_req, body, res) => {
      const calls = body as { id: number }[];
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify([{ result: 1, error: null, id: calls[0].id }]));
    });
    const err = await failure(client(daemon.port).batch([{ method: 'getblockcount' }, { method: 'getbestblockhash' }]));
    assert.equal(err.code, 'DAEMON_BAD_RESPONSE');
    assert.match(err.message, /getbestblockhash/);
  });

  it('sends wallet calls to /wallet/<name>', async () => {
    const daemon = await fake(rpcHandler((_m, _p, seen) => ({ result: seen.path })));
    const c = client(daemon.port, { wallet: 'pool wallet' });
    assert.equal(await c.callRaw('getbalance', [], { wallet: true }), '/wallet/pool%20wallet');
    assert.equal(await c.callRaw('getbalance', [], { wallet: 'other' }), '/wallet/other');
    assert.equal(await c.callRaw('getblockcount', []), '/');
  });

  it('reuses one socket for reads and opens a fresh one for every submitblock', async () => {
    const daemon = await fake(rpcHandler(() => ({ result: null })));
    const c = client(daemon.port);
    for (let i = 0; i < 5; i++) await c.call('getbestblockhash', []);
    assert.equal(daemon.connections(), 1);
    await c.call('submitblock', ['00']);
    await c.call('submitblock', ['00']);
    assert.equal(daemon.connections(), 3);
    assert.deepEqual(
      daemon.requests.map((r) => r.connection),
      [1, 1, 1, 1, 1, 2, 3],
    );
  });

  it('sends a read once more on a fresh socket when the daemon dropped the pooled one', async () => {
    const perConnection = new Map<number, number>();
    const infos: RequestInfo[] = [];
    const daemon = await fake((req, body, res, seen) => {
      const n = (perConnection.get(seen.connection) ?? 0) + 1;
      perConnection.set(seen.connection, n);
      // Like a daemon closing an idle keep-alive socket just as the next request arrives on it.
      if (n > 1) {
        req.socket.destroy();
        return;
      }
      rpcAnswer(res, (body as { id: number }).id, { result: seen.connection });
    });
    const c = client(daemon.port, {}, (info) => infos.push(info));
    assert.equal(await c.call('getblockcount', []), 1);
    assert.equal(await c.call('getblockcount', []), 2);
    assert.equal(daemon.connections(), 2);
    assert.deepEqual(
      infos.map((i) => [i.error?.code ?? null, i.retry]),
      [
        [null, false],
        ['DAEMON_NETWORK', false],
        [null, true],
      ],
    );
  });

  it('lets a slow read outlive the idle-socket timeout of the pool', async () => {
    const daemon = await fake((_req, body, res) => {
      setTimeout(() => rpcAnswer(res, (body as { id: number }).id, { result: 'slow' }), 400);
    });
    const c = new RpcClient(daemonConfig(daemon.port, { timeoutMs: 2000 }), { logger, idleSocketMs: 100 });
    cleanups.push(() => c.close());
    assert.equal(await c.call('getbestblockhash', []), 'slow');
  });

  it('speaks JSON-RPC 2.0 when asked, where errors may come with HTTP 200 and no result', async () => {
    const daemon = await fake((_req, body, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -5, message: 'Block not found' }, id: (body as { id: number }).id }));
    });
    const c = new RpcClient(daemonConfig(daemon.port), { logger, jsonRpcVersion: '2.0' });
    cleanups.push(() => c.close());
    const err = await failure(c.call('getblock', ['00']));
    assert.equal(err.code, 'DAEMON_RPC');
    assert.equal(err.rpcCode, -5);
    assert.equal((daemon.requests[0].body as { jsonrpc: string }).jsonrpc, '2.0');
  });

  it('reports every exchange to onRequest with its outcome', async () => {
    const infos: RequestInfo[] = [];
    const daemon = await fake(rpcHandler((method) => (method === 'getblockcount' ? { result: 5 } : { code: -9, message: 'not connected' })));
    const c = client(daemon.port, {}, (info) => infos.push(info));
    await c.call('getblockcount', []);
    await assert.rejects(c.call('getblocktemplate', [{ rules: ['mweb', 'segwit'] }]));
    assert.equal(infos.length, 2);
    assert.equal(infos[0].method, 'getblockcount');
    assert.equal(infos[0].error, null);
    assert.equal(infos[1].error?.rpcCode, -9);
    assert.ok(infos.every((i) => i.durationMs >= 0 && i.daemon === `127.0.0.1:${daemon.port}`));
  });
});
