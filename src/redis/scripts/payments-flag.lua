-- payments-flag: stops payments for the pool until an operator deletes payments:halt; optionally quarantines an
-- address the daemon rejected (its balance stays in balances:unpaid).
-- KEYS[1] payments:lock, KEYS[2] payments:halt or payments:quarantine
-- ARGV[1] token, ARGV[2] JSON {reason, at}, ARGV[3] address ('' for a halt)
-- Result: 1. Error FENCED when the token does not hold the lock.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('FENCED payments lock not held') end
if ARGV[3] == '' then
  redis.call('SET', KEYS[2], ARGV[2])
else
  redis.call('HSET', KEYS[2], ARGV[3], ARGV[2])
end
return 1
