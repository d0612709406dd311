-- record-block-outcome: attaches the daemon's verdict to a recorded block. A block the daemon refused outright
-- ('rejected') can never pay: its round is merged back into the open round (the miners' work keeps counting there)
-- and the block moves from blocks:pending to blocks:rejected. Other verdicts only annotate the record: the payment
-- side classifies pending blocks against the chain itself.
-- KEYS[1]  writer:<writerId>              STRING last applied operation number of this recorder
-- KEYS[2]  block:<height>:<hash>          HASH block record
-- KEYS[3]  blocks:pending                 ZSET
-- KEYS[4]  blocks:rejected                ZSET
-- KEYS[5]  round:<height>:<hash>          HASH closed round, address -> work units
-- KEYS[6]  round:<height>:<hash>:workers  HASH closed round, login -> work units
-- KEYS[7]  round:<height>:<hash>:meta     HASH closed round meta
-- KEYS[8]  round:current                  HASH
-- KEYS[9]  round:current:workers          HASH
-- KEYS[10] round:current:meta             HASH
-- ARGV[1] operation number  ARGV[2] writer marker TTL (s)  ARGV[3] verdict  ARGV[4] verdict time (ms)
-- ARGV[5] confirmations ('' when unknown)  ARGV[6] submit ms  ARGV[7] answers (JSON)  ARGV[8] block id
-- ARGV[9] height
-- Result: 1 verdict attached; 2 attached and the round merged back; -1 no such block (nothing written);
-- 0 already applied; -2 an earlier operation of this recorder is missing (nothing written).

local seq = tonumber(ARGV[1])
local last = redis.call('GET', KEYS[1])
if last then
  last = tonumber(last)
  if seq <= last then return 0 end
  if seq > last + 1 then return -2 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
if redis.call('EXISTS', KEYS[2]) == 0 then return -1 end

redis.call('HSET', KEYS[2], 'verdict', ARGV[3], 'verdictAt', ARGV[4], 'confirmations', ARGV[5],
  'submitMs', ARGV[6], 'answers', ARGV[7])
if ARGV[3] ~= 'rejected' or redis.call('HGET', KEYS[2], 'status') ~= 'pending' then return 1 end

local function mergeInto(from, to)
  local pairs = redis.call('HGETALL', from)
  for i = 1, #pairs, 2 do redis.call('HINCRBY', to, pairs[i], pairs[i + 1]) end
end
mergeInto(KEYS[5], KEYS[8])
mergeInto(KEYS[6], KEYS[9])

local m = redis.call('HMGET', KEYS[7], 'work', 'shares', 'startedAt', 'firstShareId', 'lastShareId', 'mergedRanges')
if m[1] then redis.call('HINCRBY', KEYS[10], 'work', m[1]) end
if m[2] then redis.call('HINCRBY', KEYS[10], 'shares', m[2]) end
if m[3] then redis.call('HSETNX', KEYS[10], 'startedAt', m[3]) end
local ranges = {}
local existing = redis.call('HGET', KEYS[10], 'mergedRanges')
if existing and existing ~= '' then table.insert(ranges, existing) end
if m[6] and m[6] ~= '' then table.insert(ranges, m[6]) end
if m[4] and m[4] ~= '' and m[5] and m[5] ~= '' then table.insert(ranges, m[4] .. '/' .. m[5]) end
if #ranges > 0 then redis.call('HSET', KEYS[10], 'mergedRanges', table.concat(ranges, ' ')) end

redis.call('DEL', KEYS[5], KEYS[6], KEYS[7])
redis.call('ZREM', KEYS[3], ARGV[8])
redis.call('ZADD', KEYS[4], ARGV[9], ARGV[8])
redis.call('HSET', KEYS[2], 'status', 'rejected')
return 2
