// The website's stats refresher against a real redis-server, at sizes where bounds matter: more worker logins in a
// day than the refresher lists, and thousands of addresses the pool paid long ago. Keys are laid out as the share
// recorder and the payment processor write them (src/redis/keys.ts); answers are read through the HTTP API.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { base58CheckEncode } from '../../src/blockchain/bitcoin/base58.js';
import { hashrateBucketOf, PaymentKeys, WORK_SCALE } from '../../src/redis/keys.js';
import { startWebsiteFixture, SCRYPT_MULTIPLIER, type WebsiteFixture } from '../browser/website-fixture.js';
import { useRedis } from '../helpers/redis-suite.js';

const POOL_ADDRESS = 'rltc1qelweu73yztyv6xlstznyrwarwvf6gmrljr7lg3';
/** The refresher's default bound on listed workers. */
const LISTED = 20_000;

/** A valid regtest P2PKH address (version 111), distinct for each n. */
function address(n: number): string {
  const payload = Buffer.alloc(21);
  payload[0] = 111;
  payload.writeUInt32BE(n + 1, 17);
  return base58CheckEncode(payload);
}

interface PoolJson {
  hashrate: number;
  miners: number;
  workers: number;
  windowSeconds: number;
}
interface MinerJson {
  address: string;
  hashrate: number;
  paid: string;
  unpaid: string;
  immature: string;
  payments: { txid: string; amount: string }[];
}

describe('website refresher at scale', { timeout: 60_000 }, () => {
  let site: WebsiteFixture;
  // Registered before useRedis' own: after hooks run in order, and the site's client must go before its server.
  after(async () => {
    await site?.stop();
  });
  const redis = useRedis();

  before(async () => {
    site = await startWebsiteFixture(redis.server, POOL_ADDRESS);
  });
  beforeEach(async () => {
    await site.redis.flushall();
  });

  async function get<T>(path: string): Promise<{ status: number; body: T }> {
    const res = await fetch(`${site.baseUrl}${path}`, { signal: AbortSignal.timeout(10_000) });
    return { status: res.status, body: (await res.json()) as T };
  }

  const poolPath = () => `/api/v1/pools/${site.pool.id}`;
  const rate = (difficulty: number, p: PoolJson) => (difficulty * 2 ** 32) / SCRYPT_MULTIPLIER / p.windowSeconds;
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

  /** Worker logins as the recorder leaves them: worker hash, workers ZSET, and `difficulty` in the current bucket. */
  async function seedWorkers(workers: readonly { login: string; address: string; lastShare: number; difficulty: number }[]): Promise<void> {
    const k = site.keys;
    const bucket = k.hashrateBucket(hashrateBucketOf(Date.now()));
    for (let i = 0; i < workers.length; i += 5000) {
      const pipe = site.redis.pipeline();
      for (const w of workers.slice(i, i + 5000)) {
        pipe.hset(k.worker(w.login), 'address', w.address, 'valid', '1', 'lastShare', String(w.lastShare));
        pipe.zadd(k.workers, w.lastShare, w.login);
        if (w.difficulty > 0) pipe.hincrby(bucket, w.login, w.difficulty * WORK_SCALE);
      }
      await pipe.exec();
    }
  }

  test('more than 20,000 logins in a day: the active ones are listed and the pool figures count them', async () => {
    const now = Date.now();
    const a1 = address(1);
    const a2 = address(2);
    // Logins that went quiet hours ago outnumber the bound on listed workers...
    const quiet = Array.from({ length: LISTED + 4990 }, (_, i) => ({ login: `${address(100 + (i % 100))}.q${i}`, address: address(100 + (i % 100)), lastShare: now - 12 * 3600_000 + i, difficulty: 0 }));
    // ...and ten are mining now.
    const active = Array.from({ length: 10 }, (_, i) => ({ login: `${i < 5 ? a1 : a2}.rig${i}`, address: i < 5 ? a1 : a2, lastShare: now - 5000, difficulty: 2 }));
    await seedWorkers([...quiet, ...active]);

    assert.deepEqual(await site.refresher.refreshOnce(), [site.pool.id]);
    const { body } = await get<{ pool: PoolJson }>(poolPath());
    assert.equal(body.pool.workers, 10);
    assert.equal(body.pool.miners, 2);
    assert.ok(close(body.pool.hashrate, rate(20, body.pool)), `pool hashrate ${body.pool.hashrate}`);
    const workers = await get<{ items: { name: string; online: boolean }[] }>(`${poolPath()}/miners/${a1}/workers`);
    assert.equal(workers.status, 200);
    assert.deepEqual(workers.body.items.map((w) => [w.name, w.online]), [0, 1, 2, 3, 4].map((i) => [`${a1}.rig${i}`, true]));
  });

  test('a flood of one-share logins: the pool counts every login in the window, and real miners keep their figures', async () => {
    const now = Date.now();
    const real = address(1);
    // The real miner's last shares are a minute old; 25,000 throw-away logins each sent one since.
    const miners = [
      { login: `${real}.rig0`, address: real, lastShare: now - 60_000, difficulty: 40 },
      { login: `${real}.rig1`, address: real, lastShare: now - 61_000, difficulty: 24 },
    ];
    const flood = Array.from({ length: LISTED + 5000 }, (_, i) => ({ login: `${address(1000 + (i % 50))}.f${i}`, address: address(1000 + (i % 50)), lastShare: now - 30_000 + (i % 1000), difficulty: 0.5 }));
    await seedWorkers([...miners, ...flood]);

    await site.refresher.refreshOnce();
    const { body } = await get<{ pool: PoolJson }>(poolPath());
    assert.equal(body.pool.workers, flood.length + 2, 'every login with work in the window');
    assert.equal(body.pool.miners, 51);
    assert.ok(close(body.pool.hashrate, rate(64 + flood.length * 0.5, body.pool)), `pool hashrate ${body.pool.hashrate}`);
    const miner = await get<{ miner: MinerJson }>(`${poolPath()}/miners/${real}`);
    assert.equal(miner.status, 200);
    assert.ok(close(miner.body.miner.hashrate, rate(64, body.pool)), `miner hashrate ${miner.body.miner.hashrate}`);
  });

  test('thousands of addresses paid long ago: snapshots only for the miner set, the others answered on demand', async () => {
    const pay = new PaymentKeys(site.keys);
    const now = Date.now();
    const HISTORICAL = 5000;
    const pipe = site.redis.pipeline();
    for (let i = 0; i < HISTORICAL; i++) {
      const a = address(10_000 + i);
      pipe.hset(pay.paid, a, String(1000 + i));
      pipe.lpush(pay.addressHistory(a), JSON.stringify({ txid: `t${i}`, paidAt: now - 86_400_000 * 30, amount: String(1000 + i) }));
    }
    // One historical address paid twice; an address owed unpaid, one owed immature; a miner hashing now; one with
    // only round work.
    const old = address(10_000);
    pipe.hset(pay.paid, old, '3000');
    pipe.lpush(pay.addressHistory(old), JSON.stringify({ txid: 'second', paidAt: now - 86_400_000, amount: '2000' }));
    const unpaid = address(3);
    const immature = address(4);
    const rounder = address(5);
    pipe.hset(pay.unpaid, unpaid, '500', address(6), '0');
    pipe.hset(pay.immature, immature, '700');
    pipe.hset(site.keys.currentRound.addresses, rounder, String(3 * WORK_SCALE));
    // The earlier layout: every address in website:miners and website:minerHistory.
    const web = site.store.keysOf(site.pool.id);
    const legacyHistory = `${site.keys.base}website:minerHistory`;
    for (let i = 0; i < HISTORICAL; i++) {
      pipe.hset(web.miners, address(10_000 + i), '{}');
      pipe.hset(legacyHistory, address(10_000 + i), '[]');
    }
    await pipe.exec();
    const active = address(1);
    await site.redis.hset(legacyHistory, active, JSON.stringify([[Math.floor(now / 1000) - 600, 5]]));
    await seedWorkers([{ login: `${active}.rig`, address: active, lastShare: now - 1000, difficulty: 8 }]);

    await site.refresher.refreshOnce();
    assert.deepEqual((await site.redis.hkeys(web.miners)).sort(), [active, unpaid, immature, rounder].sort(), 'snapshots of the miner set only');
    assert.equal(await site.redis.exists(legacyHistory), 0, 'the all-address history hash is gone');

    // Histories: one key each for the miner set, each with a lifetime; the active miner's earlier point carried over.
    const historyKeys = (await site.redis.keys(`${legacyHistory}:*`)).sort();
    assert.equal(historyKeys.length, 4);
    for (const key of historyKeys) {
      const ttl = await site.redis.ttl(key);
      assert.ok(ttl > 0 && ttl <= 24 * 3600, `${key} expires (ttl ${ttl})`);
    }
    const activeAnswer = await get<{ miner: MinerJson; history: [number, number][] }>(`${poolPath()}/miners/${active}`);
    assert.equal(activeAnswer.body.history.length, 2);
    assert.equal(activeAnswer.body.history[0][1], 5);

    // An address paid long ago: the same answer shape as a snapshot, from its balances and payouts.
    const oldAnswer = await get<{ miner: MinerJson & Record<string, unknown>; history: unknown[] }>(`${poolPath()}/miners/${old}`);
    assert.equal(oldAnswer.status, 200);
    assert.deepEqual(Object.keys(oldAnswer.body.miner).sort(), Object.keys(activeAnswer.body.miner).sort());
    assert.equal(oldAnswer.body.miner.paid, '3000');
    assert.equal(oldAnswer.body.miner.unpaid, '0');
    assert.equal(oldAnswer.body.miner.hashrate, 0);
    assert.deepEqual(oldAnswer.body.miner.payments.map((p) => [p.txid, p.amount]), [['second', '2000'], ['t0', '1000']]);
    assert.deepEqual(oldAnswer.body.history, []);
    const nomp = await get<{ miner: string; paid: string; totalHash: number }>(`/api/worker_stats?${old}`);
    assert.deepEqual([nomp.status, nomp.body.miner, nomp.body.paid, nomp.body.totalHash], [200, old, '3000', 0]);
    const payouts = await get<{ total: number }>(`${poolPath()}/miners/${old}/payments`);
    assert.equal(payouts.body.total, 2);
    // Owed and round-only addresses are in the set; an address with nothing at all is still unknown.
    assert.equal((await get<{ miner: MinerJson }>(`${poolPath()}/miners/${unpaid}`)).body.miner.unpaid, '500');
    assert.equal((await get<{ miner: MinerJson }>(`${poolPath()}/miners/${immature}`)).body.miner.immature, '700');
    assert.equal((await get<unknown>(`${poolPath()}/miners/${address(6)}`)).status, 404, 'a zero balance field is no balance');
    assert.equal((await get<unknown>(`${poolPath()}/miners/${address(7)}`)).status, 404);

    // The active miner stops and is paid: it leaves the set at once, and its page comes from its balances.
    await site.redis.zrem(site.keys.workers, `${active}.rig`);
    await site.redis.del(site.keys.hashrateBucket(hashrateBucketOf(Date.now())), site.keys.hashrateBucket(hashrateBucketOf(Date.now()) - 1));
    await site.redis.hset(pay.paid, active, '42');
    await site.refresher.refreshOnce();
    assert.equal(await site.redis.hexists(web.miners, active), 0);
    const left = await get<{ miner: MinerJson }>(`${poolPath()}/miners/${active}`);
    assert.deepEqual([left.status, left.body.miner.paid, left.body.miner.hashrate], [200, '42', 0]);
  });

  test('balances recorded under another spelling of an address (before logins were canonical) are found by that spelling', async () => {
    const pay = new PaymentKeys(site.keys);
    const canonical = 'rltc1qelweu73yztyv6xlstznyrwarwvf6gmrljr7lg3';
    const old = canonical.toUpperCase();
    await site.redis.hset(pay.paid, old, '4200');
    const answer = await get<{ miner: MinerJson }>(`${poolPath()}/miners/${old}`);
    assert.equal(answer.status, 200);
    assert.deepEqual([answer.body.miner.address, answer.body.miner.paid], [old, '4200']);
    const nomp = await get<{ miner: string; paid: string }>(`/api/worker_stats?${old}`);
    assert.deepEqual([nomp.body.miner, nomp.body.paid], [old, '4200']);
    // The canonical spelling has nothing of its own.
    assert.equal((await get(`${poolPath()}/miners/${canonical}`)).status, 404);
  });
});
