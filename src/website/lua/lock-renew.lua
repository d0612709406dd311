-- lock-renew: extends the refresher lock only for the process that holds it.
-- KEYS[1] website:lock
-- ARGV[1] token, ARGV[2] lease in milliseconds
-- Result: 1 renewed, 0 the lock is held by another token or has expired.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
