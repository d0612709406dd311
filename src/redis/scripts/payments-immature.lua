-- payments-immature: replaces the immature balances with this run's totals of every still-maturing block.
-- KEYS[1] payments:lock, KEYS[2] balances:immature
-- ARGV[1] token, ARGV[2..] address, amount pairs (base units, decimal strings)
-- Result: 1. Error FENCED when the token does not hold the lock.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('FENCED payments lock not held') end
redis.call('DEL', KEYS[2])
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
return 1
