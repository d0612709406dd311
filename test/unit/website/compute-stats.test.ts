import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PoolConfig } from '../../../src/config/types.js';
import { computeStats } from '../../../src/website/compute-stats.js';
import { blockWorkOf, hashrateOf } from '../../../src/website/hashrate.js';
import { minerAddresses } from '../../../src/website/miner-set.js';
import { paginate } from '../../../src/website/paging.js';
import type { RawPoolData } from '../../../src/website/types.js';

const pool = {
  id: 'ltc',
  coin: { name: 'Litecoin', symbol: 'LTC', algorithm: 'scrypt', coinbaseMaturity: 100 },
  rewardRecipients: [{ address: 'fee1', percent: 1 }, { address: 'fee2', percent: 0.5 }],
  paymentProcessing: { scheme: 'PROP', minimumPayment: '1000000' },
  ports: [
    { port: 3333, diff: 16, varDiff: { minDiff: 8, maxDiff: 512 }, tls: null },
    { port: 3334, diff: 64, varDiff: null, tls: { cert: '/etc/headframe/stratum.crt', key: '/etc/headframe/stratum.key' } },
  ],
} as unknown as PoolConfig;

const NOW = 1_700_000_000_000;

function raw(overrides: Partial<RawPoolData> = {}): RawPoolData {
  return {
    windowSeconds: 300,
    window: new Map([['A.rig1', 30], ['B', 10]]),
    workers: [
      { name: 'A.rig1', address: 'A', windowDifficulty: 30, lastShareAt: NOW - 1000, validShares: 3, invalidShares: 1 },
      { name: 'A.rig2', address: 'A', windowDifficulty: 0, lastShareAt: NOW - 600_000, validShares: 9, invalidShares: 0 },
      { name: 'B', address: 'B', windowDifficulty: 10, lastShareAt: NOW - 2000, validShares: 1, invalidShares: 0 },
    ],
    roundShares: { A: 120, B: 40 },
    blocks: [
      { height: 10, hash: 'x', status: 'confirmed', reward: 5_000_000_000n, finder: 'B', worker: 'B', foundAt: NOW - 50_000, confirmations: 100 },
      { height: 11, hash: 'y', status: 'pending', reward: 5_000_000_123n, finder: 'A', worker: 'A.rig1', foundAt: NOW - 10_000, confirmations: 3 },
    ],
    blockCounts: { pending: 1, confirmed: 1, orphaned: 0 },
    payments: [{ txid: 't1', paidAt: NOW - 5000, amount: 123_456_789_012_345_678n, recipients: 2 }],
    balances: new Map([['C', { immature: 7n, unpaid: 9_007_199_254_740_993n, paid: 1n }]]),
    addressPayments: new Map([['C', [{ txid: 't1', paidAt: NOW - 5000, amount: 1n }]]]),
    ...overrides,
  };
}

test('hashrate: difficulty x 2^32 / multiplier / window, zero for an empty or zero window', () => {
  assert.equal(hashrateOf(300, 300, 65536), 65536);
  assert.equal(hashrateOf(1, 1, 1), 2 ** 32);
  assert.equal(hashrateOf(5, 0, 1), 0);
  assert.equal(hashrateOf(0, 300, 1), 0);
  assert.equal(blockWorkOf(2, 65536), 131072);
});

test('pool figures: hashrate, active miners and workers, fee, effort, last block', () => {
  const { pool: s, historyPoint } = computeStats({ pool, multiplier: 65536, raw: raw(), network: { height: 12, difficulty: 0.001, hashrate: 1 }, now: NOW, minerHistory: new Map() });
  assert.equal(s.hashrate, (40 * 2 ** 32) / 65536 / 300);
  assert.equal(s.miners, 2);
  assert.equal(s.workers, 2, 'a worker without shares in the window is not counted');
  assert.equal(s.fee, 1.5);
  assert.equal(s.roundShares, 160);
  assert.equal(s.roundEffort, 160 / (0.001 * 65536));
  assert.equal(s.lastBlock?.height, 11);
  assert.equal(s.lastBlock?.reward, '5000000123');
  assert.equal(s.payments[0].amount, '123456789012345678');
  // The API says which port speaks TLS, never where its files are.
  assert.deepEqual(s.ports, [
    { port: 3333, diff: 16, varDiff: { minDiff: 8, maxDiff: 512 }, tls: false },
    { port: 3334, diff: 64, varDiff: null, tls: true },
  ]);
  assert.deepEqual(historyPoint, [NOW / 1000, s.hashrate, 2, 2]);
});

test('no network figures: effort unknown rather than invented', () => {
  const { pool: s } = computeStats({ pool, multiplier: 65536, raw: raw(), network: null, now: NOW, minerHistory: new Map() });
  assert.equal(s.roundEffort, null);
  assert.equal(s.network, null);
});

test('miners: per-address sums, worker online state, balances exact past 2^53, average over history', () => {
  const { miners, pool: s } = computeStats({
    pool,
    multiplier: 65536,
    raw: raw(),
    network: null,
    now: NOW,
    minerHistory: new Map([['A', [[NOW / 1000 - 600, 0]]]]),
  });
  const byAddress = new Map(miners.map((m) => [m.address, m]));
  assert.deepEqual([...byAddress.keys()].sort(), ['A', 'B', 'C']);
  const a = byAddress.get('A')!;
  assert.equal(a.hashrate, hashrateOf(30, 300, 65536));
  assert.equal(a.averageHashrate, a.hashrate / 2);
  assert.equal(a.roundShares, 120);
  assert.deepEqual(a.workers.map((w) => [w.name, w.online]), [['A.rig1', true], ['A.rig2', false]]);
  const sum = miners.reduce((n, m) => n + m.hashrate, 0);
  assert.ok(Math.abs(sum - s.hashrate) < 1e-9, 'per-address hashrates add up to the pool hashrate');
  const c = byAddress.get('C')!;
  assert.equal(c.unpaid, '9007199254740993');
  assert.equal(c.hashrate, 0);
  assert.equal(c.payments.length, 1);
});

test('pool and per-address figures count every login in the window, not only the workers listed', () => {
  // The listed workers are bounded (newest first): 'Q' mined in the window but is not listed, and a flood of
  // one-share logins need not be listed either for the totals to hold.
  const window = new Map<string, number>([['A.rig1', 30], ['B', 10], ['Q.x', 20], ['Q.y', 5]]);
  for (let i = 0; i < 1000; i++) window.set(`F${i}.w`, 0.5);
  const { pool: s, miners, historyPoint } = computeStats({ pool, multiplier: 65536, raw: raw({ window }), network: null, now: NOW, minerHistory: new Map() });
  const total = 30 + 10 + 20 + 5 + 1000 * 0.5;
  assert.ok(Math.abs(s.hashrate - hashrateOf(total, 300, 65536)) < 1e-6);
  assert.equal(s.workers, 1004);
  assert.equal(s.miners, 1003);
  assert.deepEqual(historyPoint.slice(2), [1003, 1004]);
  const q = miners.find((m) => m.address === 'Q');
  assert.ok(q, 'a miner hashing in the window has a snapshot even with no worker listed');
  assert.equal(q.hashrate, hashrateOf(25, 300, 65536));
  assert.deepEqual(q.workers, []);
});

test('miner set: active, listed, in the round or owed; an address only ever paid gets no snapshot', () => {
  const balances = new Map([
    ['C', { immature: 7n, unpaid: 0n, paid: 1n }],
    ['D', { immature: 0n, unpaid: 5n, paid: 0n }],
    ['Paid', { immature: 0n, unpaid: 0n, paid: 123n }],
  ]);
  const { miners } = computeStats({
    pool,
    multiplier: 65536,
    raw: raw({ balances, roundShares: { A: 1, R: 2 }, window: new Map([['W.1', 3]]) }),
    network: null,
    now: NOW,
    minerHistory: new Map(),
  });
  assert.deepEqual(miners.map((m) => m.address).sort(), ['A', 'B', 'C', 'D', 'R', 'W']);
  assert.deepEqual(
    [...minerAddresses({ window: new Map([['X.a', 0]]), workers: [], roundShares: { Z: 0 }, owed: [] })],
    [],
    'zero work in the window or the round does not make a miner',
  );
});

test('paging: bounded page size, clamped pages, totals', () => {
  const items = Array.from({ length: 53 }, (_, i) => i);
  const p = paginate(items, { page: '3', pageSize: '25' });
  assert.deepEqual(p.items, [50, 51, 52]);
  assert.equal(p.pages, 3);
  assert.equal(paginate(items, { pageSize: '100000' }).pageSize, 100);
  assert.equal(paginate(items, { page: '99' }).page, 3);
  assert.equal(paginate(items, { page: '-1' }).page, 1);
  assert.equal(paginate([], {}).pages, 1);
});
