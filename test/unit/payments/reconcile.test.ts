import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decideSettlement } from '../../../src/payments/reconcile.js';
import { intentTotal, newIntent, parseIntent, planPayouts, serializeIntent, type PaymentIntent } from '../../../src/payments/payout.js';
import { pplnsWindowWork } from '../../../src/payments/chain.js';

const base = newIntent('ltc', [{ address: 'a', amount: 5n }], ['1:aa'], 1000);
const at = (patch: Partial<PaymentIntent>): PaymentIntent => ({ ...base, ...patch });
const GRACE = 60_000;

describe('decideSettlement', () => {
  test('found in the wallet and not conflicted: commit under the wallet txid', () => {
    const found = { kind: 'found', txid: 't1', confirmations: 0, abandoned: false } as const;
    assert.deepEqual(decideSettlement(at({ sendStartedAt: 2000 }), found, 3000, GRACE), { action: 'commit', txid: 't1' });
    assert.deepEqual(decideSettlement(at({ sendStartedAt: 2000, txid: 't1' }), found, 3000, GRACE), { action: 'commit', txid: 't1' });
  });

  test('conflicted, abandoned, a different txid or several matches: halt', () => {
    const cases = [
      { kind: 'found', txid: 't1', confirmations: -1, abandoned: false },
      { kind: 'found', txid: 't1', confirmations: 0, abandoned: true },
      { kind: 'ambiguous', txids: ['t1', 't2'] },
    ] as const;
    for (const lookup of cases) assert.equal(decideSettlement(at({ sendStartedAt: 2000 }), lookup, 3000, GRACE).action, 'halt');
    const other = { kind: 'found', txid: 't2', confirmations: 3, abandoned: false } as const;
    assert.equal(decideSettlement(at({ sendStartedAt: 2000, txid: 't1' }), other, 3000, GRACE).action, 'halt');
  });

  test('not in the wallet: drop when never sent, wait inside the send deadline, halt past it or with a known txid', () => {
    const none = { kind: 'not-found' } as const;
    assert.deepEqual(decideSettlement(base, none, 10 ** 9, GRACE), { action: 'drop' });
    assert.equal(decideSettlement(at({ sendStartedAt: 2000 }), none, 2000 + GRACE - 1, GRACE).action, 'wait');
    assert.equal(decideSettlement(at({ sendStartedAt: 2000 }), none, 2000 + GRACE, GRACE).action, 'halt');
    assert.equal(decideSettlement(at({ sendStartedAt: 2000, txid: 't1' }), none, 10 ** 9, GRACE).action, 'halt');
  });
});

describe('payout planning and intents', () => {
  test('pays balances at or above the minimum, largest first, bounded, skipping quarantined', () => {
    const balances = new Map([['a', 100n], ['b', 99n], ['c', 300n], ['d', 100n], ['q', 1000n], ['z', 0n]]);
    const plan = planPayouts({ balances, minimumPayment: 100n, quarantined: new Set(['q']), maxOutputs: 2 });
    assert.deepEqual(plan, [{ address: 'c', amount: 300n }, { address: 'a', amount: 100n }]);
    const all = planPayouts({ balances, minimumPayment: 100n, quarantined: new Set(), maxOutputs: 10 });
    assert.deepEqual(all.map((p) => p.address), ['q', 'c', 'a', 'd']);
  });

  test('an intent survives JSON with amounts beyond 2^53 and carries its id in the wallet comment', () => {
    const big = newIntent('ltc', [{ address: 'a', amount: 2n ** 60n + 1n }, { address: 'b', amount: 7n }], ['5:ff'], 42);
    const back = parseIntent(serializeIntent(big));
    assert.deepEqual(back, big);
    assert.equal(intentTotal(back), 2n ** 60n + 8n);
    assert.ok(big.comment.includes(big.id));
    assert.notEqual(newIntent('ltc', [], [], 1).id, newIntent('ltc', [], [], 1).id);
  });
});

describe('pplnsWindowWork', () => {
  test('factor x difficulty x 10^4 work units, rounded up, at least one', () => {
    assert.equal(pplnsWindowWork(2, 1000, 1), 20_000_000n);
    assert.equal(pplnsWindowWork(1_000_000, 4.656542373906925e-10, 1), 5n);
    assert.equal(pplnsWindowWork(2, 4.656542373906925e-10, 1), 1n);
    // 0.1 x 3 is 0.30000000000000004 in floats; the decimal product is exactly 0.3 x 10^4 = 3000.
    assert.equal(pplnsWindowWork(0.1, 3, 1), 3000n);
  });

  test('scrypt: one block is network difficulty x 65536 of share difficulty, so the window is that many times larger', () => {
    // Litecoin mainnet-sized difficulty: two blocks' worth of scrypt share difficulty, not two sha256d difficulties.
    assert.equal(pplnsWindowWork(2, 20_000_000, 65536), 2n * 20_000_000n * 65536n * 10_000n);
    // Regtest: 16 x 4.6565e-10 x 65536 x 10^4 = 4.88 -> 5 units.
    assert.equal(pplnsWindowWork(16, 4.656542373906925e-10, 65536), 5n);
  });
});
