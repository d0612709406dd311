-- Included by the record-* scripts that apply one numbered operation of a share recorder: applies operation n only
-- right after n-1, so a resent or reordered call writes nothing twice and nothing out of order.
-- Uses KEYS[1] writer:<writerId> (last applied number), ARGV[1] this operation's number, ARGV[2] marker TTL (s).
-- Returns 0 (applied before) or -2 (an earlier operation is missing) from the including script.
local seq = tonumber(ARGV[1])
local last = redis.call('GET', KEYS[1])
if last then
  last = tonumber(last)
  if seq <= last then return 0 end
  if seq > last + 1 then return -2 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
