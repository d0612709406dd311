-- record-share: credits one accepted share to the open round and updates the pool's and the worker's stats.
-- KEYS[1] writer:<writerId>      STRING last applied operation number of this recorder
-- KEYS[2] round:current          HASH address -> work units
-- KEYS[3] round:current:workers  HASH worker login -> work units
-- KEYS[4] round:current:meta     HASH work, shares, startedAt, firstShareId
-- KEYS[5] shares                 STREAM share log
-- KEYS[6] hashrate               STREAM hashrate window
-- KEYS[7] stats                  HASH pool counters
-- KEYS[8] worker:<login>         HASH worker counters
-- KEYS[9] workers                ZSET login -> last valid share (ms)
-- ARGV[1] operation number  ARGV[2] writer marker TTL (s)  ARGV[3] miner address  ARGV[4] worker login
-- ARGV[5] work units (integer string)  ARGV[6] share time (ms, pool clock)  ARGV[7] share log MAXLEN
-- ARGV[8] hashrate window (ms)
-- Result: 1 recorded; 0 already recorded (a resent operation); -2 an earlier operation of this recorder is missing
-- (nothing written: the recorder resends from the missing one, so operations apply exactly once and in order).
-- Work units go through HINCRBY as strings: Redis adds them as exact 64-bit integers, Lua never holds them.

local seq = tonumber(ARGV[1])
local last = redis.call('GET', KEYS[1])
if last then
  last = tonumber(last)
  if seq <= last then return 0 end
  if seq > last + 1 then return -2 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])

local address, login, units, at = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
redis.call('HINCRBY', KEYS[2], address, units)
redis.call('HINCRBY', KEYS[3], login, units)
local id = redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[7], '*', 'a', address, 'w', login, 'd', units, 't', at)
redis.call('HINCRBY', KEYS[4], 'work', units)
redis.call('HINCRBY', KEYS[4], 'shares', 1)
redis.call('HSETNX', KEYS[4], 'startedAt', at)
redis.call('HSETNX', KEYS[4], 'firstShareId', id)

-- Trim the hashrate window by Redis' own clock: stream ids come from it, pool clocks may drift.
local now = redis.call('TIME')
local minid = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - tonumber(ARGV[8])
redis.call('XADD', KEYS[6], 'MINID', '~', string.format('%d', minid), '*', 'w', login, 'd', units)

redis.call('HINCRBY', KEYS[7], 'valid', 1)
redis.call('HSET', KEYS[7], 'lastShare', at)
redis.call('HINCRBY', KEYS[8], 'valid', 1)
redis.call('HSET', KEYS[8], 'lastShare', at, 'address', address)
redis.call('ZADD', KEYS[9], at, login)
return 1
