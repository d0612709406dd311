-- record-shares: applies a run of consecutive share operations of one recorder (n >= 1, numbered first..first+n-1),
-- in order, in one call. An accepted share is credited to the open round (address and worker), appended to the share
-- log, added to its hashrate bucket, and counted for the pool and its worker; a rejected share is counted by reason.
-- KEYS[1] writer:<writerId>      STRING last applied operation number of this recorder
-- KEYS[2] round:current          HASH address -> work units
-- KEYS[3] round:current:workers  HASH worker login -> work units
-- KEYS[4] round:current:meta     HASH work, shares, startedAt, firstShareId
-- KEYS[5] shares                 STREAM share log
-- KEYS[6] stats                  HASH pool counters
-- KEYS[7] workers                ZSET login -> last valid share (ms)
-- KEYS[7+i] worker:<login>       HASH worker counters of operation i (i = 1..n)
-- KEYS[7+n+j] hashrate:<bucket>  HASH worker login -> work units, the j-th distinct bucket of this call (j = 1..m)
-- ARGV[1] number of the first operation  ARGV[2] writer marker TTL (s)  ARGV[3] share log MAXLEN
-- ARGV[4] hashrate bucket TTL (ms)  ARGV[5] n  ARGV[6] worker retention (ms): a worker:<login> hash expires that
-- long after its last write, and the workers ZSET drops logins whose last share is older (worker names are chosen by
-- miners, so without this every name ever tried, even by a rejected share, would stay forever)
-- then five per operation i, at ARGV[7 + 5(i-1)] ..:
--   miner address, worker login, work units (integer string: an accepted share) or the reject kind
--   (stale | duplicate | lowdiff | other: a rejected share), time (ms, pool clock), hashrate bucket j of the share
-- Result: the number of operations applied now (0: all were applied before, a resent call); -2 an earlier
-- operation of this recorder is missing (nothing written: the recorder resends from the missing one, so every
-- operation applies exactly once and in order, however resends regroup them into calls).
-- Work units go through HINCRBY as strings: Redis adds them as exact 64-bit integers, Lua never holds them.

local n = tonumber(ARGV[5])
local first = tonumber(ARGV[1])
local skip = 0
local last = redis.call('GET', KEYS[1])
if last then
  last = tonumber(last)
  if first > last + 1 then return -2 end
  skip = last + 1 - first
  if skip >= n then return 0 end
elseif first > 1 then
  -- No marker past the recorder's first call: see lib/operation-order.lua.
  return -2
end
redis.call('SET', KEYS[1], string.format('%d', first + n - 1), 'EX', ARGV[2])

local REJECTED = { stale = true, duplicate = true, lowdiff = true, other = true }
local maxlen = ARGV[3]
local valid, invalid, lastShare, firstId, startedAt = 0, 0, nil, nil, nil
local byKind = {}
local buckets = {}
local touched = {}

for i = skip + 1, n do
  local j = 7 + 5 * (i - 1)
  local address, login, units, at = ARGV[j], ARGV[j + 1], ARGV[j + 2], ARGV[j + 3]
  local worker = KEYS[7 + i]
  touched[worker] = true
  if REJECTED[units] then
    invalid = invalid + 1
    byKind[units] = (byKind[units] or 0) + 1
    redis.call('HINCRBY', worker, 'invalid', 1)
    redis.call('HINCRBY', worker, units, 1)
    redis.call('HSET', worker, 'lastInvalid', at, 'address', address)
  else
    valid = valid + 1
    redis.call('HINCRBY', KEYS[2], address, units)
    redis.call('HINCRBY', KEYS[3], login, units)
    redis.call('HINCRBY', KEYS[4], 'work', units)
    local id = redis.call('XADD', KEYS[5], 'MAXLEN', '~', maxlen, '*', 'a', address, 'w', login, 'd', units, 't', at)
    if not firstId then firstId, startedAt = id, at end
    local bucket = KEYS[7 + n + tonumber(ARGV[j + 4])]
    redis.call('HINCRBY', bucket, login, units)
    buckets[bucket] = true
    redis.call('HINCRBY', worker, 'valid', 1)
    redis.call('HSET', worker, 'lastShare', at, 'address', address)
    redis.call('ZADD', KEYS[7], at, login)
    lastShare = at
  end
end

-- Counts are small integers (at most n per call): safe to add up in Lua.
if valid > 0 then
  redis.call('HINCRBY', KEYS[4], 'shares', valid)
  redis.call('HSETNX', KEYS[4], 'startedAt', startedAt)
  redis.call('HSETNX', KEYS[4], 'firstShareId', firstId)
  redis.call('HINCRBY', KEYS[6], 'valid', valid)
  redis.call('HSET', KEYS[6], 'lastShare', lastShare)
  for bucket in pairs(buckets) do redis.call('PEXPIRE', bucket, ARGV[4]) end
end
local retention = tonumber(ARGV[6])
for worker in pairs(touched) do redis.call('PEXPIRE', worker, retention) end
if lastShare then redis.call('ZREMRANGEBYSCORE', KEYS[7], '-inf', '(' .. (tonumber(lastShare) - retention)) end
if invalid > 0 then
  redis.call('HINCRBY', KEYS[6], 'invalid', invalid)
  for kind, count in pairs(byKind) do redis.call('HINCRBY', KEYS[6], kind, count) end
end
return n - skip
