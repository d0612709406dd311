-- record-block: a block candidate is known. Closes the open round under the block's height AND hash (two blocks at
-- one height never share a round) and adds the block to the pending set, in one step.
-- KEYS[1]  writer:<writerId>              STRING last applied operation number of this recorder
-- KEYS[2]  round:current                  HASH address -> work units
-- KEYS[3]  round:current:workers          HASH login -> work units
-- KEYS[4]  round:current:meta             HASH round meta
-- KEYS[5]  round:<height>:<hash>          destination of KEYS[2]
-- KEYS[6]  round:<height>:<hash>:workers  destination of KEYS[3]
-- KEYS[7]  round:<height>:<hash>:meta     destination of KEYS[4]
-- KEYS[8]  block:<height>:<hash>          HASH block record
-- KEYS[9]  blocks:pending                 ZSET block id -> height
-- KEYS[10] shares                         STREAM share log (its last id ends the round's share range)
-- ARGV[1] operation number  ARGV[2] writer marker TTL (s)  ARGV[3] pool id  ARGV[4] height  ARGV[5] block hash
-- ARGV[6] coinbase txid  ARGV[7] reward (base units, integer string)  ARGV[8] finder address  ARGV[9] finder login
-- ARGV[10] share difficulty  ARGV[11] job id  ARGV[12] found at (ms)  ARGV[13] now (ms)
-- Result: 1 recorded; 0 already recorded (same operation resent, or this block hash was recorded before);
-- -2 an earlier operation of this recorder is missing (nothing written).

--#include operation-order
if redis.call('EXISTS', KEYS[8]) == 1 then return 0 end

-- A closed round under this name without its block record cannot come from this script; never overwrite one.
if redis.call('EXISTS', KEYS[5], KEYS[6], KEYS[7]) == 0 then
  local hadShares = redis.call('HEXISTS', KEYS[4], 'firstShareId') == 1
  if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('RENAME', KEYS[2], KEYS[5]) end
  if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('RENAME', KEYS[3], KEYS[6]) end
  if redis.call('EXISTS', KEYS[4]) == 1 then redis.call('RENAME', KEYS[4], KEYS[7]) end
  local lastShareId = ''
  if hadShares then
    local tail = redis.call('XREVRANGE', KEYS[10], '+', '-', 'COUNT', 1)
    if #tail > 0 then lastShareId = tail[1][1] end
  end
  redis.call('HSET', KEYS[7], 'closedAt', ARGV[13], 'height', ARGV[4], 'hash', ARGV[5], 'lastShareId', lastShareId)
end

local id = ARGV[4] .. ':' .. ARGV[5]
redis.call('HSET', KEYS[8],
  'pool', ARGV[3], 'height', ARGV[4], 'hash', ARGV[5], 'coinbaseTxid', ARGV[6], 'reward', ARGV[7],
  'finder', ARGV[8], 'worker', ARGV[9], 'shareDiff', ARGV[10], 'jobId', ARGV[11], 'foundAt', ARGV[12],
  'round', id,
  'roundWork', redis.call('HGET', KEYS[7], 'work') or '0',
  'roundShares', redis.call('HGET', KEYS[7], 'shares') or '0',
  'status', 'pending', 'verdict', '')
redis.call('ZADD', KEYS[9], ARGV[4], id)
return 1
