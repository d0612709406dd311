// Proves the litecoind harness: every daemon-facing test builds on a pair that templates blocks, hands out
// each address type, and vanishes completely on stop.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:net';
import {
  createWallet,
  mine,
  newAddress,
  RpcError,
  startRegtestNode,
  startRegtestPair,
  waitForSync,
} from '../helpers/litecoind.js';
import { assertNoProcessLeft, isPidAlive } from '../helpers/processes.js';
import { AddressInUseError, findFreePorts, isPortFree } from '../helpers/ports.js';

interface BlockTemplate {
  height: number;
  previousblockhash: string;
  coinbasevalue: number;
  bits: string;
}

test('a regtest pair templates blocks, makes every address type and stops without trace', async () => {
  const pair = await startRegtestPair();
  after(() => pair.stop());
  const { a, b } = pair;
  const ports = [a.rpcPort, a.p2pPort, a.onionPort, b.rpcPort, b.p2pPort, b.onionPort];
  assert.equal(new Set(ports).size, 6, 'every node gets its own rpc, p2p and onion port');
  assert.ok(ports.every((p) => p >= 10_000 && p <= 32_767), `ports out of range: ${ports.join(',')}`);
  assert.notEqual(a.datadir, b.datadir);
  assert.ok((await a.rpc<number>('getconnectioncount')) >= 1, 'A has B as a peer');

  const wallet = await createWallet(a, 'pool');
  const addresses = {
    legacy: await newAddress(a, wallet, 'legacy'),
    'p2sh-segwit': await newAddress(a, wallet, 'p2sh-segwit'),
    bech32: await newAddress(a, wallet, 'bech32'),
    mweb: await newAddress(a, wallet, 'mweb'),
  };
  assert.match(addresses.legacy, /^[mn][1-9A-HJ-NP-Za-km-z]{25,34}$/);
  assert.match(addresses['p2sh-segwit'], /^[Q2][1-9A-HJ-NP-Za-km-z]{25,34}$/);
  assert.match(addresses.bech32, /^rltc1q[02-9ac-hj-np-z]{38,58}$/);
  assert.match(addresses.mweb, /^tmweb1[02-9ac-hj-np-z]+$/);

  const [mined] = await mine(a, 1, addresses.bech32);
  assert.equal(await waitForSync(a, b), mined, 'B follows A to the mined block');
  const best = await a.rpc<string>('getbestblockhash');
  assert.equal(best, mined);

  const template = await a.rpc<BlockTemplate>('getblocktemplate', [{ rules: ['mweb', 'segwit'] }]);
  assert.equal(template.height, 2);
  assert.equal(template.previousblockhash, best);
  assert.equal(template.bits, '207fffff');
  assert.equal(template.coinbasevalue, 50 * 1e8);

  await assert.rejects(a.rpc('getblocktemplate', [{ rules: ['segwit'] }]), (err: unknown) => {
    assert.ok(err instanceof RpcError, `expected an RpcError, got ${String(err)}`);
    assert.equal(err.code, -8);
    assert.match(err.rpcMessage, /mweb/);
    return true;
  });
  // An unknown method comes back as HTTP 404 with a JSON body; the client must still surface the RPC code.
  await assert.rejects(a.rpc('nosuchmethod'), (err: unknown) => err instanceof RpcError && err.code === -32601);

  const pids = [a.pid, b.pid];
  await pair.stop();
  assertNoProcessLeft(pids);
  assert.equal(existsSync(a.datadir), false);
  assert.equal(existsSync(b.datadir), false);
  for (const port of ports) assert.ok(await isPortFree(port), `port ${port} still bound after stop`);
  await pair.stop();
});

test('per-node extra args reach the daemon', async () => {
  // -vbparams is the switch later tests use to keep MWEB off; its effect is visible in getblockchaininfo.
  const pair = await startRegtestPair({ a: { extraArgs: ['-vbparams=mweb:4102444800:4102444801'] } });
  after(() => pair.stop());
  type Info = { softforks: Record<string, { bip9?: { start_time: number } }> };
  const [infoA, infoB] = await Promise.all([
    pair.a.rpc<Info>('getblockchaininfo'),
    pair.b.rpc<Info>('getblockchaininfo'),
  ]);
  assert.equal(infoA.softforks.mweb?.bip9?.start_time, 4102444800);
  assert.notEqual(infoB.softforks.mweb?.bip9?.start_time, 4102444800);
  await pair.stop();
  assertNoProcessLeft([pair.a.pid, pair.b.pid]);
});

test('a lone node refuses templates (-9), and a taken P2P port fails fast as AddressInUseError', async () => {
  const [rpc, p2p, onion] = await findFreePorts(3);
  // litecoind neither exits nor opens RPC when its P2P bind fails, so only log watching makes this fast.
  const blocker = createServer().listen({ host: '127.0.0.1', port: p2p, exclusive: true });
  await once(blocker, 'listening');
  const started = Date.now();
  try {
    await assert.rejects(startRegtestNode({ ports: [rpc, p2p, onion] }), AddressInUseError);
  } finally {
    blocker.close();
  }
  assert.ok(Date.now() - started < 8000, `bind failure took ${Date.now() - started} ms to surface`);

  const solo = await startRegtestNode();
  after(() => solo.stop());
  await mine(solo, 1);
  await assert.rejects(
    solo.rpc('getblocktemplate', [{ rules: ['mweb', 'segwit'] }]),
    (err: unknown) => err instanceof RpcError && err.code === -9,
  );
  const pid = solo.pid;
  await solo.stop();
  assert.equal(isPidAlive(pid), false);
  assert.equal(existsSync(solo.datadir), false);
});
