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

--#include operation-order
if redis.call('EXISTS', KEYS[2]) == 0 then return -1 end

redis.call('HSET', KEYS[2], 'verdict', ARGV[3], 'verdictAt', ARGV[4], 'confirmations', ARGV[5],
  'submitMs', ARGV[6], 'answers', ARGV[7])
if ARGV[3] ~= 'rejected' or redis.call('HGET', KEYS[2], 'status') ~= 'pending' then return 1 end

--#include merge-round-back
redis.call('ZREM', KEYS[3], ARGV[8])
redis.call('ZADD', KEYS[4], ARGV[9], ARGV[8])
redis.call('HSET', KEYS[2], 'status', 'rejected')
return 2
