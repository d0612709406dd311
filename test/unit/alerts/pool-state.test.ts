import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decidePoolHashrate, RESOLVE_MARGIN } from '../../../src/alerts/pool-state.js';
import type { FiringState } from '../../../src/alerts/worker-state.js';

const NOW = 1_700_000_000_000;
const MIN = 1e9;
const N = ['telegram'];

describe('pool low-hashrate decision', () => {
  test('fires once below the minimum and keeps quiet while it stays low', () => {
    const d = decidePoolHashrate(null, { now: NOW, hashrate: 4e8 }, MIN, N);
    assert.deepEqual(d.actions, [{ kind: 'fire', notifiers: N }]);
    assert.deepEqual(d.next, { status: 'firing', since: NOW, lastShare: NOW, hashrate: 4e8, deliveries: {} });
    const firing: FiringState = { ...d.next!, deliveries: { telegram: { status: 'sent', ref: '9', attempts: 1 } } };
    assert.deepEqual(decidePoolHashrate(firing, { now: NOW + 1, hashrate: 1e8 }, MIN, N), { next: firing, actions: [] });
  });

  test('resolves only once the hashrate is a margin above the minimum, so a pool hovering at it does not flap', () => {
    const firing: FiringState = { status: 'firing', since: NOW, lastShare: NOW, hashrate: 1, deliveries: { telegram: { status: 'sent', ref: '9', attempts: 1 } } };
    assert.deepEqual(decidePoolHashrate(firing, { now: NOW, hashrate: MIN }, MIN, N), { next: firing, actions: [] }, 'at the minimum: still firing');
    assert.deepEqual(decidePoolHashrate(firing, { now: NOW, hashrate: MIN * 1.05 }, MIN, N), { next: firing, actions: [] });
    const d = decidePoolHashrate(firing, { now: NOW, hashrate: MIN * RESOLVE_MARGIN }, MIN, N);
    assert.equal(d.next, null);
    assert.deepEqual(d.actions, [{ kind: 'resolve', deliveries: firing.deliveries }]);
    // Not firing: at the minimum is fine, nothing to do.
    assert.deepEqual(decidePoolHashrate(null, { now: NOW, hashrate: MIN }, MIN, N), { next: null, actions: [] });
  });

  test('an unknown hashrate changes nothing; a minimum set to 0 resolves an alert still firing', () => {
    const firing: FiringState = { status: 'firing', since: NOW, lastShare: NOW, hashrate: 1, deliveries: { telegram: { status: 'sent', ref: '9', attempts: 1 } } };
    assert.deepEqual(decidePoolHashrate(firing, { now: NOW, hashrate: null }, MIN, N), { next: firing, actions: [] });
    assert.deepEqual(decidePoolHashrate(null, { now: NOW, hashrate: 0 }, 0, N), { next: null, actions: [] });
    assert.deepEqual(decidePoolHashrate(firing, { now: NOW, hashrate: null }, 0, N), { next: null, actions: [{ kind: 'resolve', deliveries: firing.deliveries }] });
  });
});
