-- payments-credit: a pending block is confirmed: the split stored for it at first sight joins the unpaid balances,
-- is kept for export as its credit record, and the block moves from blocks:pending to blocks:credited, all at once
-- (never credited twice). The caller passes the split text it read; crediting anything but the stored split is
-- refused, so balances always get exactly what the immature balances showed.
-- KEYS[1] payments:lock, KEYS[2] blocks:pending, KEYS[3] blocks:credited, KEYS[4] block:<height>:<hash>,
-- KEYS[5] credit:<height>:<hash>, KEYS[6] balances:unpaid, KEYS[7] split:<height>:<hash>
-- ARGV[1] token, ARGV[2] block id, ARGV[3] height, ARGV[4] confirmations, ARGV[5] credit record JSON,
-- ARGV[6] the stored split JSON the credits come from, ARGV[7..] its address, amount pairs (base units, decimal strings)
-- Result: 1 credited, 0 the block was not pending (already handled).
-- Errors (nothing written): FENCED when the token does not hold the lock; SPLIT when the stored split is missing or
-- differs from ARGV[6].
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('FENCED payments lock not held') end
if not redis.call('ZSCORE', KEYS[2], ARGV[2]) then return 0 end
if redis.call('GET', KEYS[7]) ~= ARGV[6] then
  return redis.error_reply('SPLIT block ' .. ARGV[2] .. ': the stored split is missing or differs from the one credited')
end
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[2])
redis.call('HSET', KEYS[4], 'status', 'credited', 'orphanChecks', '0', 'confirmations', ARGV[4])
redis.call('SET', KEYS[5], ARGV[5])
redis.call('DEL', KEYS[7])
-- A zero credit would leave a '0' field behind: a balance nobody is owed, kept forever.
for i = 7, #ARGV, 2 do
  if tonumber(ARGV[i + 1]) ~= 0 then redis.call('HINCRBY', KEYS[6], ARGV[i], ARGV[i + 1]) end
end
return 1
