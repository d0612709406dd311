import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { createMetrics } from '../../../src/metrics/metrics.js';
import { reportSnapshotHashrate } from '../../../src/metrics/website-metrics.js';

test('the website copies each pool\'s snapshot hashrate into the gauge, and keeps the last value while Redis is away', async () => {
  const metrics = createMetrics(new Registry());
  const hashrates = new Map<string, number | Error>([['ltc', 2.5e9], ['doge', 7e8]]);
  const reader = {
    pool: async (id: string) => {
      const v = hashrates.get(id);
      if (v instanceof Error) throw v;
      return v === undefined ? null : { hashrate: v };
    },
  };
  const stop = reportSnapshotHashrate(metrics, ['ltc', 'doge', 'none'], reader, 20);
  const read = async () => Object.fromEntries((await metrics.pool.poolHashrate.get()).values.map((v) => [v.labels.pool, v.value]));
  await sleep(5);
  assert.deepEqual(await read(), { ltc: 2.5e9, doge: 7e8 });
  hashrates.set('ltc', 3e9);
  hashrates.set('doge', new Error('redis down'));
  await sleep(50);
  assert.deepEqual(await read(), { ltc: 3e9, doge: 7e8 });
  stop();
  hashrates.set('ltc', 1);
  await sleep(50);
  assert.equal((await read()).ltc, 3e9, 'nothing after stop');
});
