// Bans at the level of a pool runtime: one decided by another pool worker is applied (and counted) once for all of
// the pool's ports, and a runtime that replaces another (a reload) refuses the banned IPs from its first connection.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAlgorithmRegistry } from '../../../src/algorithms/registry.js';
import { createLogger } from '../../../src/log/logger.js';
import { PoolRuntime } from '../../../src/roles/pool-runtime.js';
import type { BanEvent } from '../../../src/stratum/events.js';
import { loadPoolDir, writePoolDir, type PoolDir } from '../../helpers/pool-harness.js';
import { subscribeAnswered } from '../../helpers/stratum-probe.js';
import { findFreePorts } from '../../helpers/ports.js';

const logger = createLogger({ level: 'error' });
logger.silent = true;
const dirs: PoolDir[] = [];
const runtimes: PoolRuntime[] = [];
after(async () => {
  for (const r of runtimes) await r.stop();
  for (const d of dirs) d.remove();
});

/** A runtime of a pool with two ports; its daemon is unreachable (nothing here needs a template). */
async function runtimeWithTwoPorts(): Promise<{ runtime: PoolRuntime; ports: number[] }> {
  const ports = await findFreePorts(2);
  const dir = await writePoolDir({
    daemons: [{ host: '127.0.0.1', rpcPort: 1, user: 'u', password: 'p' }],
    address: 'rltc1qelweu73yztyv6xlstznyrwarwvf6gmrljr7lg3',
    ports: Object.fromEntries(ports.map((p) => [String(p), { diff: 1 }])),
  });
  dirs.push(dir);
  const config = await loadPoolDir(dir.dir);
  const pool = config.pools[0];
  const runtime = new PoolRuntime({ pool, global: config.global, forkId: 0, algorithm: createAlgorithmRegistry().get(pool.coin.algorithm), logger, stratumHost: '127.0.0.1' });
  runtimes.push(runtime);
  return { runtime, ports };
}


test('a ban from another pool worker is applied and counted once for all of a pool\'s ports', async () => {
  const { runtime } = await runtimeWithTwoPorts();
  const events: BanEvent[] = [];
  runtime.on('ban', (event) => events.push(event));
  runtime.banIp('10.0.0.9', 60);
  assert.deepEqual(events.map((e) => [e.ip, e.reason]), [['10.0.0.9', 'external']]);
});

test('a runtime that replaces another refuses its banned IPs on every port from the first connection', async () => {
  const { runtime: outgoing } = await runtimeWithTwoPorts();
  outgoing.banIp('127.0.0.5', 60);
  const { runtime: incoming, ports } = await runtimeWithTwoPorts();
  incoming.adoptBans(outgoing);
  await incoming.start();
  for (const port of ports) {
    assert.equal(await subscribeAnswered(port, '127.0.0.5'), false, `port ${port} refuses the banned IP`);
    assert.equal(await subscribeAnswered(port, '127.0.0.6'), true, `port ${port} serves others`);
  }
});
