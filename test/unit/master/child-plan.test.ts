import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { childKey, planChildren } from '../../../src/master/child-plan.js';
import { pool, resolvedConfig } from './resolved-config.js';

const keys = (specs: ReturnType<typeof planChildren>): string[] => specs.map(childKey);

describe('planChildren', () => {
  it('one pool worker per fork, plus one of each enabled service', () => {
    const config = resolvedConfig({
      pools: [pool('ltc', { payments: true })],
      clustering: { enabled: true, forks: 3 },
      website: true,
      profitSwitch: true,
    });
    assert.deepEqual(keys(planChildren(config)), [
      'pool-worker/0',
      'pool-worker/1',
      'pool-worker/2',
      'payment-processor/0',
      'website/0',
      'profit-switch/0',
    ]);
  });

  it('a single pool worker when clustering is off, whatever forks says', () => {
    const config = resolvedConfig({ clustering: { enabled: false, forks: 8 } });
    assert.deepEqual(keys(planChildren(config)), ['pool-worker/0']);
  });

  it('no payment processor unless an enabled pool processes payments', () => {
    const config = resolvedConfig({ pools: [pool('ltc'), pool('old', { enabled: false, payments: true })] });
    assert.deepEqual(keys(planChildren(config)), ['pool-worker/0']);
  });

  it('no pool worker when every pool is disabled', () => {
    const config = resolvedConfig({ pools: [pool('ltc', { enabled: false })], website: true });
    assert.deepEqual(keys(planChildren(config)), ['website/0']);
  });
});
