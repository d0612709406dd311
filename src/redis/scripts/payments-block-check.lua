-- payments-block-check: records one classification of a pending block (immature, or a missed off-chain check).
-- KEYS[1] payments:lock, KEYS[2] blocks:pending, KEYS[3] block:<height>:<hash>
-- ARGV[1] token, ARGV[2] block id, ARGV[3] status, ARGV[4] orphanChecks, ARGV[5] confirmations ('' when unknown)
-- Result: 1 written, 0 the block is no longer pending. Error FENCED when the token does not hold the lock.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('FENCED payments lock not held') end
if not redis.call('ZSCORE', KEYS[2], ARGV[2]) then return 0 end
redis.call('HSET', KEYS[3], 'status', ARGV[3], 'orphanChecks', ARGV[4], 'confirmations', ARGV[5])
return 1
