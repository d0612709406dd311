-- payments-lock-acquire: takes a pool's payment lock with a fresh fencing token.
-- KEYS[1] payments:fence, KEYS[2] payments:lock
-- ARGV[1] lease in milliseconds
-- Result: the token (decimal string) when the lock was free, false when another processor holds it.
if redis.call('EXISTS', KEYS[2]) == 1 then return false end
local token = tostring(redis.call('INCR', KEYS[1]))
redis.call('SET', KEYS[2], token, 'PX', ARGV[1])
return token
