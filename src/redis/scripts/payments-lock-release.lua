-- payments-lock-release: frees the payment lock if this token still holds it.
-- KEYS[1] payments:lock
-- ARGV[1] token
-- Result: 1 released, 0 not held by this token.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
