// The profit switch role against a real redis-server, started the way the master starts it: its Redis client is
// still connecting when the role begins. The switch it restored from Redis must be announced at once, not after
// a whole updateInterval (a restart used to leave miners on the first coin for ten minutes).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import type { ResolvedConfig } from '../../src/config/types.js';
import type { ChildToMaster } from '../../src/ipc/messages.js';
import { createLogger } from '../../src/log/logger.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { ProfitKeys } from '../../src/redis/keys.js';
import type { RoleContext } from '../../src/roles/role-context.js';
import { runProfitSwitch } from '../../src/roles/profit-switch.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '../helpers/processes.js';
import { useRedis } from '../helpers/redis-suite.js';

const suite = useRedis();
const logger = createLogger({ level: 'error', context: { role: 'test-profit-switch' } });
logger.silent = true;
const KEY_PREFIX = 'ps:';

test('after a restart the restored switch is announced within moments, not after updateInterval', async () => {
  const { host, port } = suite.server;
  const client = await suite.client();
  const since = Date.now() - 3_600_000;
  await client.set(new ProfitKeys(KEY_PREFIX).switchState('sw'), JSON.stringify({ coin: 'b', since, leader: null }));

  // A price source on this host (the real client code, a local server): b is worth more, so the switch stays on b.
  const prices = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"a":1,"b":2}'));
  await new Promise<void>((resolve) => prices.listen(0, '127.0.0.1', resolve));
  const pricesUrl = `http://127.0.0.1:${(prices.address() as AddressInfo).port}/`;
  const sent: ChildToMaster[] = [];
  const shutdown = new AbortController();
  const config = {
    global: {
      redis: { host, port, socket: null, password: null, db: 0, keyPrefix: KEY_PREFIX },
      profitSwitch: {
        enabled: true,
        updateInterval: 600,
        marginPercent: 5,
        holdTime: 60,
        requestTimeoutMs: 1000,
        retries: 0,
        priceSources: [{ name: 'local', url: pricesUrl, prices: { a: 'a', b: 'b' } }],
        switches: [{ name: 'sw', coins: ['a', 'b'], ports: [] }],
      },
    },
    pools: [],
  } as unknown as ResolvedConfig;
  const ctx = {
    config,
    logger,
    forkId: 0,
    ipc: { send: (message: ChildToMaster) => sent.push(message), onMessage: () => () => undefined },
    shutdown: shutdown.signal,
    metrics: createMetrics(new Registry()),
  } as unknown as RoleContext;

  const started = Date.now();
  const role = runProfitSwitch(ctx);
  try {
    await waitFor(() => sent.some((m) => m.type === 'coinswitch'), { timeoutMs: 3000, intervalMs: 20, what: 'the first coinswitch' });
    assert.ok(await client.get(new ProfitKeys(KEY_PREFIX).lock), 'the running switcher holds the price lock');
  } finally {
    shutdown.abort();
    await role;
    prices.close();
  }
  const first = sent.find((m) => m.type === 'coinswitch');
  assert.ok(first && first.type === 'coinswitch');
  assert.equal(first.switchName, 'sw');
  assert.equal(first.coin, 'b', 'the coin saved before the restart, not coins[0]');
  assert.ok(Date.now() - started < 3000);
  // Stopped, it gave up the price lock: a switcher started again (after a reload) refreshes prices at once.
  assert.equal(await client.get(new ProfitKeys(KEY_PREFIX).lock), null);
});
