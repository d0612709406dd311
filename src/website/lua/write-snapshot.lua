-- write-snapshot: replaces one pool's website snapshot at once, only while the caller still holds the refresher lock.
-- Its work follows the miner set and the histories that gained a point, never the number of addresses ever seen.
-- KEYS[1] website:lock          the refresher lock (token string)
-- KEYS[2] website:snapshot      JSON PoolSnapshot
-- KEYS[3] website:miners        HASH address -> JSON MinerSnapshot of the miner set (replaced whole)
-- KEYS[4] website:history       LIST JSON HistoryPoint, oldest first
-- KEYS[5] website:version       counter
-- KEYS[6] website:minerHistory  HASH of the earlier one-hash layout (deleted; its histories were carried over)
-- KEYS[6+i] website:minerHistory:<address>  the i-th miner history written (i = 1..h)
-- ARGV[1] lock token
-- ARGV[2] pool snapshot JSON
-- ARGV[3] history point JSON, or '' to add none this time
-- ARGV[4] history length bound (newest kept)
-- ARGV[5] miner history lifetime (s)
-- ARGV[6] h; ARGV[6+i] the i-th miner history JSON (same order as the keys)
-- ARGV[7+h..] pairs: address, miner snapshot JSON
-- Result: the new version number, or 0 when the lock is not held by ARGV[1] (nothing written).
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[2], ARGV[2])
-- UNLINK, not DEL: a large hash (the first write after an upgrade meets one entry per address ever seen) is freed
-- off Redis' main thread, where share recording waits.
redis.call('UNLINK', KEYS[3], KEYS[6])
local h = tonumber(ARGV[6])
for i = 1, h do
  redis.call('SET', KEYS[6 + i], ARGV[6 + i], 'EX', ARGV[5])
end
for i = 7 + h, #ARGV, 2 do
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1])
end
if ARGV[3] ~= '' then
  redis.call('RPUSH', KEYS[4], ARGV[3])
  redis.call('LTRIM', KEYS[4], -tonumber(ARGV[4]), -1)
end
return redis.call('INCR', KEYS[5])
