// Every broken fixture directory must produce exactly its problem lines, in order, and nothing else.
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../../src/config/load.js';
import { cpSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Compiled tests run from .build/test/unit/config; the fixtures stay in the source tree.
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const fixture = (name: string): string => `${repoRoot}test/fixtures/configs/${name}`;

const TMWEB =
  'tmweb1qq09s2fe8uv7d8mcndx6quvkpjwzrz9elr2qf8xmsslpc82thu46gwqj60fwnmpgrew07v55dmhp9rqqu8fuu7mnj6h4vhe0zugj4fay23ud03tm0';

const broken: Record<string, string[]> = {
  'json5-syntax': ["pool_configs/ltc.json: line 4, column 3: syntax error: invalid character 'a'"],
  'unknown-key': [
    'pool_configs/ltc.json: daemons.0.password: required',
    'pool_configs/ltc.json: daemons.0.pasword: unknown key',
  ],
  'duplicate-port': ['pool_configs/ltc.json: ports.3333: also used by pool_configs/btc.json'],
  // ltc-c.json is disabled: it shares coin and port with ltc-a.json and must not be reported.
  'two-pools-one-coin': [
    'pool_configs/ltc-b.json: coin: pool_configs/ltc-a.json is already an enabled pool for coin "litecoin" (disable one of them)',
  ],
  'missing-coin': ['pool_configs/ltc.json: coin: no coin file coins/dogecoin.json'],
  'unknown-algorithm': ['coins/litecoin.json: algorithm: unknown algorithm "x11" (known: sha256d, scrypt)'],
  'no-daemons': ['pool_configs/ltc.json: daemons: at least one daemon is required'],
  'port-out-of-range': [
    'pool_configs/ltc.json: ports.70000: must be a port number between 1 and 65535',
    'pool_configs/ltc.json: daemons.0.port: must be a port number between 1 and 65535',
  ],
  'reward-sum': [
    'pool_configs/ltc.json: rewardRecipients: percentages add up to 100 (must stay below 100, the rest goes to the miners)',
  ],
  'minimum-payment-zero': ['pool_configs/ltc.json: paymentProcessing.minimumPayment: must be a positive amount'],
  'minimum-payment-precision': [
    'pool_configs/ltc.json: paymentProcessing.minimumPayment: has more than 8 decimal places',
  ],
  'bad-address': [
    'pool_configs/ltc.json: address: not a valid Litecoin regtest address: version byte 48 does not belong to this network',
    `pool_configs/ltc.json: rewardRecipients.${TMWEB}: not a valid Litecoin regtest address: ` +
      'MWEB address ("tmweb" prefix) cannot receive pool payouts: it has no output script',
  ],
  'vardiff-min-above-max': ['pool_configs/ltc.json: ports.3333.varDiff: minDiff is greater than maxDiff'],
  'diff-not-positive': ['pool_configs/ltc.json: ports.3333.diff: must be a positive number'],
  'three-problems': [
    'config.json: instanceId: must be an integer from 0 to 255',
    'coins/litecoin.json: symbol: required',
    'pool_configs/ltc.json: ports.3333.diff: must be a positive number',
  ],
  // The typo sits in defaultPoolConfigs and reaches two pools: one line, naming config.json.
  'default-pool-typo': ['config.json: defaultPoolConfigs.banning.tme: unknown key'],
  'missing-config-json': ['config.json: file not found'],
  'no-pools': ['pool_configs: no pool files (*.json) found'],
  'global-settings': [
    'config.json: redis.socket: must be a socket path, or null',
    'config.json: redis.pasword: unknown key',
    'config.json: clustering.forks: must be a positive integer or "auto"',
  ],
  // Paths must be absolute; files must exist (checked for disabled pools too, and before any port opens).
  'tls-files': [
    'pool_configs/ltc.json: ports.3334.tls.cert: cannot be read (ENOENT)',
    'pool_configs/ltc.json: ports.3334.tls.key: cannot be read (ENOENT)',
    'pool_configs/relative.json: ports.4444.tls.cert: must be an absolute file path',
  ],
  // TLS behind a PROXY header is not read (the header comes first on the wire); proxies are named by IP.
  'proxy-protocol': [
    'pool_configs/ltc.json: ports.3333.tls.cert: cannot be read (ENOENT)',
    'pool_configs/ltc.json: ports.3333.tls.key: cannot be read (ENOENT)',
    'pool_configs/ltc.json: ports.3333.tls: cannot be combined with proxyProtocol (terminate TLS at the proxy)',
    'pool_configs/typo.json: proxyProtocol.trustedProxies.1: must be an IP address',
  ],
  'listener-ports': [
    'config.json: metrics.port: same port as website.port',
    'pool_configs/ltc.json: ports.17117: also used by config.json cliPort',
  ],
};

describe('broken config directories', () => {
  for (const [name, expected] of Object.entries(broken)) {
    it(name, async () => {
      const result = await loadConfig(fixture(name));
      assert.equal(result.ok, false, `${name} loaded although it is broken`);
      if (!result.ok) assert.deepEqual(result.problems, expected);
    });
  }

  it('reports the same lines in the same order on every load', async () => {
    const first = await loadConfig(fixture('three-problems'));
    const second = await loadConfig(fixture('three-problems'));
    assert.deepEqual(first, second);
  });

});

describe('shipped example configuration (repository root)', () => {
  it('loads without problems', async () => {
    const result = await loadConfig(repoRoot);
    assert.deepEqual(result.ok ? [] : result.problems, []);
    assert.ok(result.ok);
    const { config } = result;
    assert.deepEqual(
      config.coins.map((c) => c.id),
      ['bitcoin', 'litecoin'],
    );
    const pool = config.pools.find((p) => p.id === 'litecoin-regtest');
    assert.ok(pool);
    assert.equal(pool.enabled, true);
    assert.equal(pool.network, 'regtest');
    assert.equal(pool.coin.id, 'litecoin');
    assert.deepEqual(pool.coin.networks.regtest, { pubKeyHash: 111, scriptHash: [58, 196], bech32: 'rltc' });
    assert.deepEqual(pool.daemons[0], {
      host: '127.0.0.1',
      port: 19443,
      user: 'headframe',
      password: 'headframe',
      wallet: null,
      timeoutMs: 10000,
    });
    assert.equal(pool.paymentProcessing.scheme, 'PROP');
    assert.equal(pool.ports[0].port, 3333);
    assert.ok(pool.ports[0].varDiff);
    assert.equal(config.global.cliPort, 17117);
    // forks "auto": one pool worker per core.
    assert.equal(config.global.clustering.forks, availableParallelism());
    assert.deepEqual([config.global.website.host, config.global.website.port], ['127.0.0.1', 8080]);
    assert.deepEqual([config.global.metrics.host, config.global.metrics.port], ['127.0.0.1', 9101]);
    assert.deepEqual([config.global.redis.host, config.global.redis.port], ['127.0.0.1', 6379]);
  });

  it('hands out a frozen config', async () => {
    const result = await loadConfig(repoRoot);
    assert.ok(result.ok);
    assert.ok(Object.isFrozen(result.config));
    assert.ok(Object.isFrozen(result.config.pools[0].ports));
    assert.throws(() => {
      (result.config.global.redis as { port: number }).port = 1;
    }, TypeError);
  });
});

describe('config folders as deployments mount them', () => {
  /** A copy of the shipped configuration in a temp dir, changed by `arrange`, then loaded. */
  async function loadArranged(arrange: (dir: string) => void) {
    const dir = mkdtempSync(join(tmpdir(), 'headframe-config-'));
    try {
      for (const part of ['config.json', 'coins', 'pool_configs']) cpSync(join(repoRoot, part), join(dir, part), { recursive: true });
      arrange(dir);
      return await loadConfig(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('symbolic links to the files (a Kubernetes ConfigMap mount) load like the files', async () => {
    const result = await loadArranged((dir) => {
      for (const file of ['coins/litecoin.json', 'pool_configs/litecoin-regtest.json']) {
        renameSync(join(dir, file), join(dir, `${file}.data`));
        symlinkSync(join(dir, `${file}.data`), join(dir, file));
      }
    });
    assert.deepEqual(result.ok ? [] : result.problems, []);
    assert.ok(result.ok && result.config.pools.some((p) => p.id === 'litecoin-regtest'));
  });

  it('a folder that cannot be read is a problem line, not a crash', async () => {
    const result = await loadArranged((dir) => {
      rmSync(join(dir, 'pool_configs'), { recursive: true });
      writeFileSync(join(dir, 'pool_configs'), 'not a folder');
    });
    assert.deepEqual(result.ok ? [] : result.problems, ['pool_configs: cannot read folder (ENOTDIR)']);
  });
});
