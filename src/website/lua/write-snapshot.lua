-- write-snapshot: replaces one pool's website snapshot at once, only while the caller still holds the refresher lock.
-- KEYS[1] website:lock          the refresher lock (token string)
-- KEYS[2] website:snapshot      JSON PoolSnapshot
-- KEYS[3] website:miners        HASH address -> JSON MinerSnapshot (replaced whole)
-- KEYS[4] website:history       LIST JSON HistoryPoint, oldest first
-- KEYS[5] website:minerHistory  HASH address -> JSON [[s, hashrate], ...] (replaced whole)
-- KEYS[6] website:version       counter
-- ARGV[1] lock token
-- ARGV[2] pool snapshot JSON
-- ARGV[3] history point JSON, or '' to add none this time
-- ARGV[4] history length bound (newest kept)
-- ARGV[5..] triples: address, miner snapshot JSON, miner history JSON
-- Result: the new version number, or 0 when the lock is not held by ARGV[1] (nothing written).
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('DEL', KEYS[3], KEYS[5])
for i = 5, #ARGV, 3 do
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1])
  redis.call('HSET', KEYS[5], ARGV[i], ARGV[i + 2])
end
if ARGV[3] ~= '' then
  redis.call('RPUSH', KEYS[4], ARGV[3])
  redis.call('LTRIM', KEYS[4], -tonumber(ARGV[4]), -1)
end
return redis.call('INCR', KEYS[6])
