#!/usr/bin/env node
// Prints one credited round of a pool as JSON (shares, rule, credits) so a miner can recompute their payout.
// Usage: node scripts/export-round.mjs --config DIR --pool POOL_ID --height N --hash BLOCKHASH
// Needs the compiled tree (npm run build): it uses dist/ and the Redis settings of the config directory.
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { loadConfig } from '../dist/config/load.js';
import { exportRound } from '../dist/payments/export.js';
import { PaymentScripts } from '../dist/payments/scripts.js';
import { PaymentStore } from '../dist/payments/store.js';

const { values } = parseArgs({
  options: { config: { type: 'string' }, pool: { type: 'string' }, height: { type: 'string' }, hash: { type: 'string' } },
});
if (!values.config || !values.pool || !values.height || !values.hash) {
  console.error('usage: export-round.mjs --config DIR --pool POOL_ID --height N --hash BLOCKHASH');
  process.exit(2);
}
const loaded = await loadConfig(values.config);
if (!loaded.ok) {
  console.error(loaded.problems.join('\n'));
  process.exit(2);
}
const r = loaded.config.global.redis;
const redis = new Redis({ host: r.host, port: r.port, password: r.password ?? undefined, db: r.db, connectTimeout: 3000, commandTimeout: 10_000, maxRetriesPerRequest: 1 });
try {
  const store = new PaymentStore(redis, new PaymentScripts(redis), r.keyPrefix, values.pool);
  const exported = await exportRound(store, Number(values.height), values.hash.toLowerCase());
  if (!exported) {
    console.error(`no credited round ${values.height}:${values.hash} for pool ${values.pool}`);
    process.exitCode = 1;
  } else {
    console.log(JSON.stringify(exported, null, 2));
  }
} finally {
  redis.disconnect();
}
