-- Included where a closed round's block will never pay (rejected by the daemon, orphaned): its work goes back into
-- the open round, per address and worker, with the meta's work and share counts, and its share-log range (plus any
-- ranges merged into it before) is appended to the open round's mergedRanges so exports still find every share.
-- Uses KEYS[5..7] the closed round (addresses, workers, meta) and KEYS[8..10] the open round, and deletes the former.
-- Work units pass through as strings: HINCRBY adds them exactly, Lua never does arithmetic on them.
local function mergeInto(from, to)
  local fields = redis.call('HGETALL', from)
  for i = 1, #fields, 2 do redis.call('HINCRBY', to, fields[i], fields[i + 1]) end
end
mergeInto(KEYS[5], KEYS[8])
mergeInto(KEYS[6], KEYS[9])
local closed = redis.call('HMGET', KEYS[7], 'work', 'shares', 'startedAt', 'firstShareId', 'lastShareId', 'mergedRanges')
if closed[1] then redis.call('HINCRBY', KEYS[10], 'work', closed[1]) end
if closed[2] then redis.call('HINCRBY', KEYS[10], 'shares', closed[2]) end
if closed[3] then redis.call('HSETNX', KEYS[10], 'startedAt', closed[3]) end
local ranges = {}
local existing = redis.call('HGET', KEYS[10], 'mergedRanges')
if existing and existing ~= '' then table.insert(ranges, existing) end
if closed[6] and closed[6] ~= '' then table.insert(ranges, closed[6]) end
if closed[4] and closed[4] ~= '' and closed[5] and closed[5] ~= '' then table.insert(ranges, closed[4] .. '/' .. closed[5]) end
if #ranges > 0 then redis.call('HSET', KEYS[10], 'mergedRanges', table.concat(ranges, ' ')) end
redis.call('DEL', KEYS[5], KEYS[6], KEYS[7])
