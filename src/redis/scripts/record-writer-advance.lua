-- record-writer-advance: moves a recorder's marker forward past operations Redis acknowledged and then lost (a
-- restart from an AOF fsynced every second or from an RDB, a failover to a lagging replica). Without it every later
-- operation of the recorder answers -2 for good. The recorder calls it only when its oldest unwritten operation got
-- -2 while none of its own operations was in flight, so the missing numbers can no longer arrive from it.
-- KEYS[1] writer:<writerId>  STRING last applied operation number of this recorder
-- ARGV[1] the number to move the marker to (the one before the recorder's oldest unwritten operation)
-- ARGV[2] writer marker TTL (s)
-- Result: the marker found (-1 when there was none). Below ARGV[1], the marker is now ARGV[1]; otherwise nothing
-- was written (never moves back, so a stale or repeated call cannot make an applied operation apply again).

local want = tonumber(ARGV[1])
local found = redis.call('GET', KEYS[1])
if found then
  found = tonumber(found)
  if found >= want then return found end
else
  found = -1
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return found
