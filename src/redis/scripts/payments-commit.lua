-- payments-commit: settles a sent payment in one step: the intent is removed, each payee's amount leaves
-- balances:unpaid and joins balances:paid, the payment is added to the pool's and every payee's history, and the
-- credited blocks the intent covered move to blocks:paid.
-- KEYS[1] payments:lock, KEYS[2] payments:intent, KEYS[3] balances:unpaid, KEYS[4] balances:paid,
-- KEYS[5] payments:history, KEYS[6] blocks:credited, KEYS[7] blocks:paid,
-- KEYS[8 .. 7+n] payments:address:<addr> per payee (same order as the payee pairs),
-- KEYS[8+n ..] block:<height>:<hash> per round (same order as the round ids)
-- ARGV[1] token, ARGV[2] intent id, ARGV[3] txid, ARGV[4] paidAt (ms), ARGV[5] pool history bound,
-- ARGV[6] address history bound, ARGV[7] n (payee count), ARGV[8] pool history entry JSON,
-- ARGV[9 .. 8+2n] address, amount pairs (base units, decimal strings), ARGV[9+2n ..] round ids
-- Result: 1 committed; 0 no open intent with this id (already committed or dropped).
-- Errors: FENCED when the token does not hold the lock; BALANCE when a payee's unpaid balance is below its amount
-- (nothing is written then).
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('FENCED payments lock not held') end
local open = redis.call('GET', KEYS[2])
if not open or cjson.decode(open).id ~= ARGV[2] then return 0 end
local n = tonumber(ARGV[7])
-- Balances stay below 2^53 base units (84M coins), so comparing them as Lua numbers is exact.
for i = 0, n - 1 do
  local address, amount = ARGV[9 + 2 * i], ARGV[10 + 2 * i]
  local unpaid = redis.call('HGET', KEYS[3], address) or '0'
  if tonumber(unpaid) < tonumber(amount) then
    return redis.error_reply('BALANCE ' .. address .. ' has ' .. unpaid .. ' unpaid, intent pays ' .. amount)
  end
end
for i = 0, n - 1 do
  local address, amount = ARGV[9 + 2 * i], ARGV[10 + 2 * i]
  if redis.call('HINCRBY', KEYS[3], address, '-' .. amount) == 0 then redis.call('HDEL', KEYS[3], address) end
  redis.call('HINCRBY', KEYS[4], address, amount)
  local entry = cjson.encode({ txid = ARGV[3], paidAt = tonumber(ARGV[4]), amount = amount })
  redis.call('LPUSH', KEYS[8 + i], entry)
  redis.call('LTRIM', KEYS[8 + i], 0, tonumber(ARGV[6]) - 1)
end
redis.call('LPUSH', KEYS[5], ARGV[8])
redis.call('LTRIM', KEYS[5], 0, tonumber(ARGV[5]) - 1)
local firstRound = 9 + 2 * n
for j = firstRound, #ARGV do
  local id = ARGV[j]
  local score = redis.call('ZSCORE', KEYS[6], id)
  if score then
    redis.call('ZREM', KEYS[6], id)
    redis.call('ZADD', KEYS[7], score, id)
    redis.call('HSET', KEYS[8 + n + (j - firstRound)], 'status', 'paid')
  end
end
redis.call('DEL', KEYS[2])
return 1
