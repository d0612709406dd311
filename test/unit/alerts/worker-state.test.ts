import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decideWorker, MAX_DELIVERY_ATTEMPTS, type FiringState } from '../../../src/alerts/worker-state.js';

const MIN = 60_000;
const T = { offlineAfterMs: 10 * MIN, forgetAfterMs: 8 * 60 * MIN };
const NOTIFIERS = ['telegram', 'webhook:0'];
const NOW = 1_700_000_000_000;

function firing(overrides: Partial<FiringState> = {}): FiringState {
  return {
    status: 'firing',
    since: NOW - 5 * MIN,
    lastShare: NOW - 15 * MIN,
    hashrate: null,
    deliveries: {
      telegram: { status: 'sent', ref: '42', attempts: 1 },
      'webhook:0': { status: 'sent', ref: null, attempts: 1 },
    },
    ...overrides,
  };
}

describe('worker-offline state machine', () => {
  test('a worker sharing recently is left alone', () => {
    const d = decideWorker(null, { now: NOW, lastShare: NOW - 9 * MIN, hashrate: 1e6 }, T, NOTIFIERS);
    assert.deepEqual(d, { next: null, actions: [] });
  });

  test('fires once at exactly the threshold, to every notifier, remembering the last share', () => {
    const d = decideWorker(null, { now: NOW, lastShare: NOW - 10 * MIN, hashrate: 5e5 }, T, NOTIFIERS);
    assert.deepEqual(d.actions, [{ kind: 'fire', notifiers: NOTIFIERS }]);
    assert.deepEqual(d.next, { status: 'firing', since: NOW, lastShare: NOW - 10 * MIN, hashrate: 5e5, deliveries: {} });
  });

  test('a firing worker that stays offline sends nothing more', () => {
    const state = firing();
    const d = decideWorker(state, { now: NOW + MIN, lastShare: state.lastShare, hashrate: null }, T, NOTIFIERS);
    assert.equal(d.next, state);
    assert.deepEqual(d.actions, []);
  });

  test('a delivery left "sending" or "unknown" (crash or timeout) is never sent again', () => {
    const state = firing({
      deliveries: { telegram: { status: 'sending', ref: null, attempts: 1 }, 'webhook:0': { status: 'unknown', ref: null, attempts: 1 } },
    });
    const d = decideWorker(state, { now: NOW, lastShare: state.lastShare, hashrate: null }, T, NOTIFIERS);
    assert.deepEqual(d.actions, []);
  });

  test('a certainly failed delivery is retried, up to the attempt limit', () => {
    const state = firing({ deliveries: { telegram: { status: 'failed', ref: null, attempts: 1 }, 'webhook:0': { status: 'sent', ref: null, attempts: 1 } } });
    const d = decideWorker(state, { now: NOW, lastShare: state.lastShare, hashrate: null }, T, NOTIFIERS);
    assert.deepEqual(d.actions, [{ kind: 'fire', notifiers: ['telegram'] }]);
    const exhausted = firing({ deliveries: { telegram: { status: 'failed', ref: null, attempts: MAX_DELIVERY_ATTEMPTS }, 'webhook:0': { status: 'sent', ref: null, attempts: 1 } } });
    assert.deepEqual(decideWorker(exhausted, { now: NOW, lastShare: exhausted.lastShare, hashrate: null }, T, NOTIFIERS).actions, []);
  });

  test('a notifier added while firing gets the alert too', () => {
    const state = firing({ deliveries: { telegram: { status: 'sent', ref: '42', attempts: 1 } } });
    const d = decideWorker(state, { now: NOW, lastShare: state.lastShare, hashrate: null }, T, NOTIFIERS);
    assert.deepEqual(d.actions, [{ kind: 'fire', notifiers: ['webhook:0'] }]);
  });

  test('returning shares resolve every delivery that may have arrived, and clear the state', () => {
    const state = firing({
      deliveries: {
        telegram: { status: 'sent', ref: '42', attempts: 1 },
        'webhook:0': { status: 'failed', ref: null, attempts: 3 },
        'webhook:1': { status: 'sending', ref: null, attempts: 1 },
      },
    });
    const d = decideWorker(state, { now: NOW, lastShare: NOW - 2000, hashrate: 1e6 }, T, NOTIFIERS);
    assert.equal(d.next, null);
    assert.deepEqual(d.actions, [
      {
        kind: 'resolve',
        deliveries: { telegram: { status: 'sent', ref: '42', attempts: 1 }, 'webhook:1': { status: 'sending', ref: null, attempts: 1 } },
      },
    ]);
  });

  test('shares that came back and stopped again between evaluations close the old alert and open a new one', () => {
    const state = firing();
    const newer = NOW - 11 * MIN;
    const d = decideWorker(state, { now: NOW, lastShare: newer, hashrate: null }, T, NOTIFIERS);
    assert.equal(d.actions.length, 2);
    assert.equal(d.actions[0].kind, 'resolve');
    assert.deepEqual(d.actions[1], { kind: 'fire', notifiers: NOTIFIERS });
    assert.equal(d.next?.lastShare, newer);
    assert.equal(d.next?.since, NOW);
  });

  test('after forgetAfter the worker is no longer tracked, firing or not, without messages', () => {
    const old = NOW - 8 * 60 * MIN;
    assert.deepEqual(decideWorker(null, { now: NOW, lastShare: old, hashrate: null }, T, NOTIFIERS), { next: null, actions: [] });
    assert.deepEqual(decideWorker(firing(), { now: NOW, lastShare: old, hashrate: null }, T, NOTIFIERS), { next: null, actions: [] });
    assert.deepEqual(decideWorker(firing(), { now: NOW, lastShare: null, hashrate: null }, T, NOTIFIERS), { next: null, actions: [] });
  });

  test('with no notifier configured an alert is still recorded, so adding one later delivers it', () => {
    const d = decideWorker(null, { now: NOW, lastShare: NOW - 20 * MIN, hashrate: null }, T, []);
    assert.deepEqual(d.actions, []);
    assert.equal(d.next?.status, 'firing');
    const later = decideWorker(d.next, { now: NOW + MIN, lastShare: NOW - 20 * MIN, hashrate: null }, T, ['telegram']);
    assert.deepEqual(later.actions, [{ kind: 'fire', notifiers: ['telegram'] }]);
  });
});
