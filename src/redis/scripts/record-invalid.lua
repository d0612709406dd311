-- record-invalid: counts one rejected share for the pool and the worker, by reason.
-- KEYS[1] writer:<writerId>  STRING last applied operation number of this recorder
-- KEYS[2] stats              HASH pool counters
-- KEYS[3] worker:<login>     HASH worker counters
-- ARGV[1] operation number  ARGV[2] writer marker TTL (s)  ARGV[3] kind: stale | duplicate | lowdiff | other
-- ARGV[4] miner address  ARGV[5] time (ms, pool clock)
-- Result: 1 counted; 0 already counted; -2 an earlier operation of this recorder is missing (nothing written).

local seq = tonumber(ARGV[1])
local last = redis.call('GET', KEYS[1])
if last then
  last = tonumber(last)
  if seq <= last then return 0 end
  if seq > last + 1 then return -2 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])

redis.call('HINCRBY', KEYS[2], 'invalid', 1)
redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
redis.call('HINCRBY', KEYS[3], 'invalid', 1)
redis.call('HINCRBY', KEYS[3], ARGV[3], 1)
redis.call('HSET', KEYS[3], 'lastInvalid', ARGV[5], 'address', ARGV[4])
return 1
