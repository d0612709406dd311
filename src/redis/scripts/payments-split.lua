-- payments-split: stores a pending block's split the first time it is computed. An existing split is never replaced:
-- it is what miners were shown as immature and what will be credited, and a recomputation could read a share log
-- that has been trimmed since. So a run that crashed after storing, or ran twice, stores nothing new.
-- KEYS[1] payments:lock, KEYS[2] blocks:pending, KEYS[3] split:<height>:<hash>
-- ARGV[1] token, ARGV[2] block id, ARGV[3] split JSON
-- Result: the stored split JSON (this one, or the one stored before); false when the block is no longer pending
-- (credited or orphaned meanwhile: nothing is written). Error FENCED when the token does not hold the lock.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('FENCED payments lock not held') end
if not redis.call('ZSCORE', KEYS[2], ARGV[2]) then return false end
local stored = redis.call('GET', KEYS[3])
if stored then return stored end
redis.call('SET', KEYS[3], ARGV[3])
return ARGV[3]
