-- payments-lock-renew: extends the payment lock only for the processor holding this token.
-- KEYS[1] payments:lock
-- ARGV[1] token, ARGV[2] lease in milliseconds
-- Result: 1 renewed, 0 the lock expired or belongs to another token.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
