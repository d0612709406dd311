-- payments-intent-drop: forgets an intent that certainly sent nothing (balances were never changed by it).
-- KEYS[1] payments:lock, KEYS[2] payments:intent
-- ARGV[1] token, ARGV[2] intent id
-- Result: 1 dropped, 0 no intent with this id. Error FENCED when the token does not hold the lock.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('FENCED payments lock not held') end
local open = redis.call('GET', KEYS[2])
if not open or cjson.decode(open).id ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[2])
return 1
