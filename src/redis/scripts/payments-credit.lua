-- payments-credit: a pending block is confirmed: its credits join the unpaid balances, its split is kept for
-- export, and it moves from blocks:pending to blocks:credited, all at once (never credited twice).
-- KEYS[1] payments:lock, KEYS[2] blocks:pending, KEYS[3] blocks:credited, KEYS[4] block:<height>:<hash>,
-- KEYS[5] credit:<height>:<hash>, KEYS[6] balances:unpaid
-- ARGV[1] token, ARGV[2] block id, ARGV[3] height, ARGV[4] confirmations, ARGV[5] credit record JSON,
-- ARGV[6..] address, amount pairs (base units, decimal strings)
-- Result: 1 credited, 0 the block was not pending (already handled). Error FENCED when the token does not hold the lock.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('FENCED payments lock not held') end
if redis.call('ZREM', KEYS[2], ARGV[2]) == 0 then return 0 end
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[2])
redis.call('HSET', KEYS[4], 'status', 'credited', 'orphanChecks', '0', 'confirmations', ARGV[4])
redis.call('SET', KEYS[5], ARGV[5])
for i = 6, #ARGV, 2 do redis.call('HINCRBY', KEYS[6], ARGV[i], ARGV[i + 1]) end
return 1
