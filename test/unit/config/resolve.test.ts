// Loading configs that are valid: defaults merged, values resolved, amounts exact, passwords masked.
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AmountError, coinsToBaseUnits } from '../../../src/config/amount.js';
import { describeConfig } from '../../../src/config/describe.js';
import { loadConfig } from '../../../src/config/load.js';
import { deepMerge } from '../../../src/config/merge.js';
import type { ResolvedConfig } from '../../../src/config/types.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const fixture = (name: string): string => `${repoRoot}test/fixtures/configs/${name}`;

async function load(name: string): Promise<ResolvedConfig> {
  const result = await loadConfig(fixture(name));
  assert.deepEqual(result.ok ? [] : result.problems, []);
  assert.ok(result.ok);
  return result.config;
}

describe('defaultPoolConfigs', () => {
  it('fills what a pool file leaves out and lets the pool file win key by key', async () => {
    const config = await load('ok-defaults-merge');
    const pool = config.pools.find((p) => p.id === 'ltc');
    assert.ok(pool);
    // daemons come only from the defaults
    assert.deepEqual(pool.daemons.map((d) => [d.user, d.password]), [['shared', 'shared-secret']]);
    // banning: time from the defaults, invalidPercent from the pool file, the rest from built-in defaults
    assert.equal(pool.banning.time, 1200);
    assert.equal(pool.banning.invalidPercent, 40);
    assert.equal(pool.banning.checkThreshold, 500);
    assert.equal(pool.paymentProcessing.paymentInterval, 120);
    // the payment daemon falls back to the first pool daemon
    assert.equal(pool.paymentProcessing.daemon.user, 'shared');
  });

  it('replaces lists instead of merging them', () => {
    assert.deepEqual(deepMerge({ daemons: [1, 2], a: { b: 1, c: 2 } }, { daemons: [3], a: { c: 4 } }), {
      daemons: [3],
      a: { b: 1, c: 4 },
    });
  });

  it('keeps a "__proto__" key an ordinary key', () => {
    const merged = deepMerge({}, JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.ok(Object.hasOwn(merged, '__proto__'));
  });

  it('sorts ports and keeps the reward recipients of the file', async () => {
    const pool = (await load('ok-defaults-merge')).pools.find((p) => p.id === 'ltc');
    assert.ok(pool);
    assert.deepEqual(pool.ports.map((p) => [p.port, p.diff]), [[3333, 8], [3334, 16]]);
    assert.equal(pool.ports[0].varDiff?.maxChangeFactor, 4);
    assert.equal(pool.ports[1].varDiff, null);
    // 3 x 33.3 = 99.9 is accepted: the sum is taken in decimal, not in floats
    assert.deepEqual(
      pool.rewardRecipients.map((r) => r.percent),
      [33.3, 33.3, 33.3],
    );
  });

  it('includes disabled pools, resolved, in the config', async () => {
    const config = await load('ok-defaults-merge');
    const off = config.pools.find((p) => p.id === 'ltc-off');
    assert.ok(off);
    assert.equal(off.enabled, false);
    assert.equal(off.ports[0].port, 3333);
  });
});

describe('global settings', () => {
  it('turns forks "auto" into the CPU count', async () => {
    const config = await load('ok-defaults-merge');
    assert.equal(config.global.clustering.forks, availableParallelism());
  });

  it('fills defaults for everything config.json leaves out', async () => {
    const config = await load('ok-passwords');
    assert.equal(config.global.instanceId, 0);
    assert.equal(config.global.cliHost, '127.0.0.1');
    assert.deepEqual(config.global.logging, { level: 'info', json: false });
    assert.equal(config.global.redis.db, 0);
    assert.equal(config.global.redis.password, 'redis-secret');
    assert.equal(config.global.redis.socket, null);
  });
});

describe('minimumPayment', () => {
  it('converts coins to base units exactly', () => {
    assert.equal(coinsToBaseUnits('0.1'), '10000000');
    assert.equal(coinsToBaseUnits(0.1), '10000000');
    assert.equal(coinsToBaseUnits('0.00000001'), '1');
    assert.equal(coinsToBaseUnits('21000000'), '2100000000000000');
    assert.equal(coinsToBaseUnits(1e-7), '10');
    assert.equal(coinsToBaseUnits('123456789.12345678'), '12345678912345678');
  });

  it('refuses more than 8 decimals, zero, negatives and non-decimals', () => {
    assert.throws(() => coinsToBaseUnits('0.000000015'), { name: 'AmountError', message: 'has more than 8 decimal places' });
    assert.throws(() => coinsToBaseUnits('0'), { message: 'must be a positive amount' });
    assert.throws(() => coinsToBaseUnits(0), AmountError);
    assert.throws(() => coinsToBaseUnits(-1), AmountError);
    for (const text of ['-1', '1e-3', '0x10', '', '1.', '.5', 'NaN']) assert.throws(() => coinsToBaseUnits(text), AmountError, text);
    assert.throws(() => coinsToBaseUnits(Number.POSITIVE_INFINITY), AmountError);
  });

  it('reaches the resolved pool as a base-unit string', async () => {
    const defaults = await load('ok-defaults-merge');
    assert.equal(defaults.pools.find((p) => p.id === 'ltc')?.paymentProcessing.minimumPayment, '10000000');
    const passwords = await load('ok-passwords');
    assert.equal(passwords.pools[0].paymentProcessing.minimumPayment, '10000000');
  });
});

describe('describeConfig', () => {
  it('masks every password and keeps everything else', async () => {
    const config = await load('ok-passwords');
    const text = describeConfig(config);
    for (const secret of ['redis-secret', 'daemon-secret', 'wallet-secret']) assert.ok(!text.includes(secret), secret);
    const shown = JSON.parse(text) as ResolvedConfig;
    assert.equal(shown.global.redis.password, '***');
    assert.equal(shown.pools[0].daemons[0].password, '***');
    assert.equal(shown.pools[0].paymentProcessing.daemon.password, '***');
    assert.equal(shown.pools[0].paymentProcessing.daemon.wallet, 'pool');
    assert.equal(shown.pools[0].daemons[0].user, 'headframe');
    // the original stays untouched
    assert.equal(config.pools[0].daemons[0].password, 'daemon-secret');
  });

  it('leaves an absent password as null', async () => {
    const config = await load('ok-defaults-merge');
    assert.equal((JSON.parse(describeConfig(config)) as ResolvedConfig).global.redis.password, null);
  });
});
