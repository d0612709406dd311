-- payments-orphan: a pending block is off the main chain for good. It leaves blocks:pending for blocks:orphaned,
-- and its round's work goes back into the current round (per address and worker, meta work/shares, its share-log
-- range appended to mergedRanges), so the miners' work is paid with the next block instead. Its stored split is
-- deleted with it, so nothing can ever credit it.
-- KEYS[1] payments:lock, KEYS[2] blocks:pending, KEYS[3] blocks:orphaned, KEYS[4] block:<height>:<hash>,
-- KEYS[5] round:<height>:<hash>, KEYS[6] round:<height>:<hash>:workers, KEYS[7] round:<height>:<hash>:meta,
-- KEYS[8] round:current, KEYS[9] round:current:workers, KEYS[10] round:current:meta, KEYS[11] split:<height>:<hash>
-- ARGV[1] token, ARGV[2] block id, ARGV[3] height, ARGV[4] orphanChecks
-- Result: 1 orphaned, 0 the block was not pending (already handled). Error FENCED when the token does not hold the lock.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('FENCED payments lock not held') end
if redis.call('ZREM', KEYS[2], ARGV[2]) == 0 then return 0 end
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[2])
redis.call('HSET', KEYS[4], 'status', 'orphaned', 'orphanChecks', ARGV[4], 'confirmations', '-1')
redis.call('DEL', KEYS[11])
--#include merge-round-back
return 1
