import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { FAST_TIMINGS, fixture, MasterProcess } from './master-harness.js';

describe('a child that crashes at start', () => {
  const master = new MasterProcess(['--config', fixture('full')], { HEADFRAME_TEST_CRASH_ROLE: 'website' });
  after(() => master.cleanup());

  it('is restarted with growing delays, flagged as a crash loop, and never spins', async () => {
    await master.allReady(['pool-worker/0', 'pool-worker/1', 'payment-processor/0', 'profit-switch/0']);
    // Delays 100 + 200 + 400 + 800 ms: the fifth death lands about 1.5 s (plus process start-ups) after the first.
    await master.until('five website deaths', () => master.matchAll(/child website\/0 exited .* restarting in (\d+) ms/).length >= 5);
    await sleep(500);

    const delays = master.matchAll(/child website\/0 exited .* restarting in (\d+) ms/).map((m) => Number(m[1]));
    assert.deepEqual(delays.slice(0, 5), [100, 200, 400, 800, 800]);
    assert.ok(delays.every((d) => d <= FAST_TIMINGS.maxDelayMs));
    // Without backoff a crashing child restarts every few tens of milliseconds; with it, a handful in ~2.5 s.
    const websiteStarts = master.starts().filter((s) => s.key === 'website/0').length;
    assert.ok(websiteStarts >= 5 && websiteStarts <= 7, `website started ${websiteStarts} times`);
    assert.ok(
      master.lines.some((l) => / error \[role=master\] child website\/0 exited .*crash loop: 4 deaths/.test(l)),
      'the crash loop is logged as an error',
    );
    assert.equal(master.starts().filter((s) => s.key !== 'website/0').length, 4, 'other children unaffected');
    assert.equal(master.readies().filter((e) => e.key === 'website/0').length, 0);

    master.signal('SIGTERM');
    assert.equal((await master.exit(5_000)).code, 0);
  });
});
