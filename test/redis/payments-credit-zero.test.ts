// payments-credit against a real redis-server: a zero credit leaves balances:unpaid alone. A '0' field would be a
// balance nobody is owed, kept forever, and counted by every reader of the hash (the website's stats refresher
// reads the whole hash on each pass). The script is called by its header's layout, without the processor around it.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { PaymentScripts } from '../../src/payments/scripts.js';
import { blockId, PaymentKeys, PoolKeys } from '../../src/redis/keys.js';
import { useRedis } from '../helpers/redis-suite.js';

const HASH = 'c'.repeat(64);

describe('payments-credit and zero credits', () => {
  const redis = useRedis();
  let client: Redis;

  before(async () => {
    client = await redis.client({ commandTimeout: 2000 });
  });

  test('a zero amount is skipped: no field for an address with nothing, an existing balance unchanged', async () => {
    const keys = new PoolKeys('zero:', 'ltc');
    const pay = new PaymentKeys(keys);
    const id = blockId(10, HASH);
    await client.set(pay.lock, '7');
    await client.zadd(keys.blocksPending, 10, id);
    await client.set(pay.split(10, HASH), 'the split');
    await client.hset(pay.unpaid, 'held', '40');
    const scripts = new PaymentScripts(client);
    const result = await scripts.run(
      'payments-credit',
      [pay.lock, keys.blocksPending, pay.blocksCredited, keys.block(10, HASH), pay.credit(10, HASH), pay.unpaid, pay.split(10, HASH)],
      ['7', id, 10, 101, '{}', 'the split', 'paid', '75', 'dust', '0', 'held', '0'],
    );
    assert.equal(result, 1);
    assert.deepEqual(await client.hgetall(pay.unpaid), { paid: '75', held: '40' });
  });
});
