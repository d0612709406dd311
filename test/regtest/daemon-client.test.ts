// The daemon client against a real Litecoin Core 0.21 regtest pair: template shape, error shapes, wallet paths,
// batches, and a DaemonSet that keeps answering through litecoind while its other daemon hangs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/log/logger.js';
import { RpcClient } from '../../src/daemon/rpc-client.js';
import { DaemonSet, type DaemonSetEvent } from '../../src/daemon/daemon-set.js';
import { DaemonError, RpcErrorCode } from '../../src/daemon/errors.js';
import type { DaemonConfig } from '../../src/config/types.js';
import { createWallet, mine, newAddress, startRegtestPair, type RegtestPair } from '../helpers/litecoind.js';
import { startSilentServer } from '../unit/daemon/fake-daemon.js';

const logger = createLogger({ level: 'error' });
const RULES = ['mweb', 'segwit'];

async function failure(promise: Promise<unknown>): Promise<DaemonError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof DaemonError, `expected a DaemonError, got ${String(err)}`);
    return err;
  }
  assert.fail('the call succeeded but should have failed');
}

describe('daemon client against litecoind regtest', () => {
  let pair: RegtestPair;
  let config: DaemonConfig;
  let client: RpcClient;
  const cleanups: (() => Promise<void> | void)[] = [];

  before(async () => {
    pair = await startRegtestPair();
    cleanups.push(() => pair.stop());
    // getblocktemplate answers -10 (initial download) until the chain has a block.
    await mine(pair.a, 1);
    config = {
      host: pair.a.host,
      port: pair.a.rpcPort,
      user: pair.a.user,
      password: pair.a.password,
      wallet: await createWallet(pair.a, 'pool'),
      timeoutMs: 5000,
    };
    client = new RpcClient(config, { logger });
    cleanups.push(() => client.close());
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('gets a block template with the mweb and segwit rules', async () => {
    const best = await client.call('getbestblockhash', []);
    assert.equal(best, await pair.a.rpc<string>('getbestblockhash'));
    const template = await client.call('getblocktemplate', [{ rules: RULES }]);
    assert.equal(template.previousblockhash, best);
    assert.equal(template.height, 2);
    assert.equal(template.bits, '207fffff');
    assert.match(template.target, /^7fffff0{58}$/);
    // 50 LTC subsidy and an empty mempool.
    assert.equal(template.coinbasevalue, 5_000_000_000);
    assert.ok(Number.isSafeInteger(template.coinbasevalue));
    // Litecoin 0.21 marks segwit with "!": a miner that does not know the rule must not use the template.
    assert.ok(template.rules.includes('!segwit'), `rules: ${template.rules.join(',')}`);
    assert.deepEqual(template.transactions, []);
    assert.match(template.default_witness_commitment ?? '', /^6a24aa21a9ed[0-9a-f]{64}$/);
    assert.ok(template.curtime >= template.mintime);
    assert.equal(template.mweb, undefined, 'MWEB is not active before height 432');
  });

  it('reports the daemon refusing a template without the mweb rule as RPC error -8', async () => {
    const err = await failure(client.call('getblocktemplate', [{ rules: ['segwit'] }]));
    assert.equal(err.code, 'DAEMON_RPC');
    assert.equal(err.rpcCode, RpcErrorCode.INVALID_PARAMETER);
  });

  it('validates addresses and returns their output script', async () => {
    const address = await newAddress(pair.a, 'pool', 'bech32');
    const valid = await client.call('validateaddress', [address]);
    assert.equal(valid.isvalid, true);
    assert.equal(valid.address, address);
    assert.equal(valid.iswitness, true);
    assert.match(valid.scriptPubKey ?? '', /^0014[0-9a-f]{40}$/);
    assert.equal(valid.ismweb, false);
    // An MWEB address is valid but has an empty script: a coinbase cannot pay it.
    const mweb = await client.call('validateaddress', [await newAddress(pair.a, 'pool', 'mweb')]);
    assert.equal(mweb.isvalid, true);
    assert.equal(mweb.ismweb, true);
    assert.equal(mweb.scriptPubKey, '');
    const invalid = await client.call('validateaddress', ['not-an-address']);
    assert.equal(invalid.isvalid, false);
    assert.equal(invalid.scriptPubKey, undefined);
  });

  // Litecoin Core 0.21.2.1 throws RPC_DESERIALIZATION_ERROR (-22) "Block decode failed" for hex that is not a block:
  // an error answer (HTTP 500), not a string result like "high-hash".
  it('submitblock of garbage hex fails with RPC error -22 "Block decode failed"', async () => {
    const err = await failure(client.call('submitblock', ['00deadbeef']));
    assert.equal(err.code, 'DAEMON_RPC');
    assert.equal(err.rpcCode, RpcErrorCode.DESERIALIZATION_ERROR);
    assert.match(err.message, /Block decode failed/);
  });

  it('routes wallet calls to /wallet/<name>', async () => {
    const info = await client.callRaw<{ walletname: string }>('getwalletinfo', [], { wallet: true });
    assert.equal(info.walletname, 'pool');
    const balance = await client.callRaw<number>('getbalance', [], { wallet: true });
    assert.equal(balance, 0);
    // Two wallets are loaded (the harness mines with its own), so the root path cannot pick one.
    const err = await failure(client.callRaw('getbalance', []));
    assert.equal(err.code, 'DAEMON_RPC');
    assert.equal(err.rpcCode, -19);
  });

  it('runs a batch with a per-entry error', async () => {
    const items = await client.batch([
      { method: 'getblockcount' },
      { method: 'getblockhash', params: [0] },
      { method: 'getblock', params: ['00'.repeat(32)] },
    ]);
    assert.deepEqual(items[0], { ok: true, result: 1 });
    assert.ok(items[1].ok && typeof items[1].result === 'string' && items[1].result.length === 64);
    const missing = items[2];
    assert.ok(!missing.ok);
    assert.equal(missing.error.rpcCode, RpcErrorCode.INVALID_ADDRESS_OR_KEY);
  });

  it('keeps answering through litecoind while the other daemon of the set hangs', async () => {
    const silent = await startSilentServer();
    cleanups.push(() => silent.close());
    const events: DaemonSetEvent[] = [];
    const hangingConfig: DaemonConfig = { ...config, host: '127.0.0.1', port: silent.port, timeoutMs: 400 };
    const daemons = new DaemonSet([hangingConfig, config], {
      logger,
      probeMinMs: 10_000,
      onEvent: (e) => events.push(e),
    });
    cleanups.push(() => daemons.close());

    const template = await daemons.call('getblocktemplate', [{ rules: RULES }]);
    assert.equal(template.height, 2);
    const started = Date.now();
    for (let i = 0; i < 3; i++) {
      assert.equal(await daemons.call('getblockcount', []), 1);
    }
    assert.ok(Date.now() - started < 400, 'calls after the failover do not wait for the hanging daemon');
    assert.equal(silent.connections(), 1);
    const answers = await daemons.callAll('getbestblockhash');
    assert.deepEqual(
      answers.map((a) => a.daemon),
      [`${config.host}:${config.port}`],
    );
    assert.deepEqual(
      events.filter((e) => e.type === 'down' || e.type === 'failover').map((e) => e.type),
      ['down', 'failover'],
    );
  });
});
