-- payments-orphan: a pending block is off the main chain for good. It leaves blocks:pending for blocks:orphaned,
-- and its round's work goes back into the current round (per address and worker, meta work/shares, its share-log
-- range appended to mergedRanges), so the miners' work is paid with the next block instead.
-- KEYS[1] payments:lock, KEYS[2] blocks:pending, KEYS[3] blocks:orphaned, KEYS[4] block:<height>:<hash>,
-- KEYS[5] round:<height>:<hash>, KEYS[6] round:<height>:<hash>:workers, KEYS[7] round:<height>:<hash>:meta,
-- KEYS[8] round:current, KEYS[9] round:current:workers, KEYS[10] round:current:meta
-- ARGV[1] token, ARGV[2] block id, ARGV[3] height, ARGV[4] orphanChecks
-- Result: 1 orphaned, 0 the block was not pending (already handled). Error FENCED when the token does not hold the lock.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('FENCED payments lock not held') end
if redis.call('ZREM', KEYS[2], ARGV[2]) == 0 then return 0 end
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[2])
redis.call('HSET', KEYS[4], 'status', 'orphaned', 'orphanChecks', ARGV[4], 'confirmations', '-1')
-- Work units pass through as strings: HINCRBY adds them exactly, Lua never does arithmetic on them.
local function merge(from, into)
  local pairs = redis.call('HGETALL', from)
  for i = 1, #pairs, 2 do redis.call('HINCRBY', into, pairs[i], pairs[i + 1]) end
end
merge(KEYS[5], KEYS[8])
merge(KEYS[6], KEYS[9])
local meta = redis.call('HMGET', KEYS[7], 'work', 'shares', 'firstShareId', 'lastShareId', 'mergedRanges')
if meta[1] then redis.call('HINCRBY', KEYS[10], 'work', meta[1]) end
if meta[2] then redis.call('HINCRBY', KEYS[10], 'shares', meta[2]) end
local ranges = {}
local current = redis.call('HGET', KEYS[10], 'mergedRanges')
if current and current ~= '' then table.insert(ranges, current) end
if meta[3] and meta[4] and meta[3] ~= '' and meta[4] ~= '' then table.insert(ranges, meta[3] .. '/' .. meta[4]) end
if meta[5] and meta[5] ~= '' then table.insert(ranges, meta[5]) end
if #ranges > 0 then redis.call('HSET', KEYS[10], 'mergedRanges', table.concat(ranges, ' ')) end
redis.call('DEL', KEYS[5], KEYS[6], KEYS[7])
return 1
