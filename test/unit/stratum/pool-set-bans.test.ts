// Bans through a pool reload, on a real PoolSet (real listeners; the daemon is unreachable, so the reload waits its
// 5 s for a first template and is undone): the incoming runtime refuses banned IPs from its first connection, a ban
// relayed from another fork during the wait reaches both runtimes, and the runtime that stays keeps every ban.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAlgorithmRegistry } from '../../../src/algorithms/registry.js';
import { createLogger } from '../../../src/log/logger.js';
import { PoolSet } from '../../../src/roles/pool-set.js';
import { loadPoolDir, writePoolDir, type PoolDir } from '../../helpers/pool-harness.js';
import { subscribeAnswered } from '../../helpers/stratum-probe.js';

const logger = createLogger({ level: 'error' });
logger.silent = true;
const dirs: PoolDir[] = [];
after(() => {
  for (const d of dirs) d.remove();
});


test('bans hold through a reload: from the incoming runtime\'s first connection, relayed during the wait, and after it is undone', { timeout: 30_000 }, async () => {
  const dir = await writePoolDir({ daemons: [{ host: '127.0.0.1', rpcPort: 1, user: 'u', password: 'p' }], address: 'rltc1qelweu73yztyv6xlstznyrwarwvf6gmrljr7lg3', diff: 1 });
  dirs.push(dir);
  const config = await loadPoolDir(dir.dir);
  const pool = config.pools[0];
  const set = new PoolSet({ pools: [pool], global: config.global, forkId: 0, algorithms: createAlgorithmRegistry(), logger, stratumHost: '127.0.0.1' });
  await set.start();
  try {
    set.banIp(pool.id, '127.0.0.7', 600);
    assert.equal(await subscribeAnswered(dir.stratumPort, '127.0.0.7'), false);
    // Same coin and network, another difficulty: the miners would be kept, once the new runtime has a template.
    const reload = set.reload({ ...pool, ports: pool.ports.map((p) => ({ ...p, diff: 2 })) });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // The port is the incoming runtime's now: the ban decided before the reload holds there.
    assert.equal(await subscribeAnswered(dir.stratumPort, '127.0.0.7'), false, 'banned before the reload');
    set.banIp(pool.id, '127.0.0.8', 600);
    assert.equal(await subscribeAnswered(dir.stratumPort, '127.0.0.8'), false, 'relayed during the wait');
    assert.equal(await subscribeAnswered(dir.stratumPort, '127.0.0.9'), true);
    const outcome = await reload;
    assert.equal(outcome.ok, false, 'no template: the reload is undone');
    // The previous runtime listens again, with both bans.
    assert.equal(await subscribeAnswered(dir.stratumPort, '127.0.0.7'), false);
    assert.equal(await subscribeAnswered(dir.stratumPort, '127.0.0.8'), false, 'the ban relayed during the wait reached the runtime that stays');
    assert.equal(await subscribeAnswered(dir.stratumPort, '127.0.0.9'), true);
  } finally {
    await set.stop();
  }
});
