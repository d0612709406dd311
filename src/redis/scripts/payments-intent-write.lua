-- payments-intent-write: records a payment intent before sendmany, or updates the one in place (sendStartedAt,
-- txid). Balances are not touched: only the commit moves money, so an intent that never sent can simply be dropped.
-- KEYS[1] payments:lock, KEYS[2] payments:intent, KEYS[3] payments:halt
-- ARGV[1] token, ARGV[2] intent id, ARGV[3] intent JSON
-- Result: 1 written; 0 refused (another intent is open, or the pool is halted).
-- Error FENCED when the token does not hold the lock.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('FENCED payments lock not held') end
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
local open = redis.call('GET', KEYS[2])
if open and cjson.decode(open).id ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[2], ARGV[3])
return 1
