-- Included by the record-* scripts that apply one numbered operation of a share recorder: applies operation n only
-- right after n-1, so a resent or reordered call writes nothing twice and nothing out of order.
-- Uses KEYS[1] writer:<writerId> (last applied number), ARGV[1] this operation's number, ARGV[2] marker TTL (s).
-- Returns 0 (applied before) or -2 (an earlier operation is missing) from the including script. No marker at all
-- is a gap too unless this is the recorder's first operation: Redis came back empty (or the marker expired), and
-- applying n would make a failed n-1, resent later, look applied and vanish without a word. The recorder moves the
-- marker itself once nothing of its own is in flight (record-writer-advance.lua) and logs what may be lost.
local seq = tonumber(ARGV[1])
local last = redis.call('GET', KEYS[1])
if last then
  last = tonumber(last)
  if seq <= last then return 0 end
  if seq > last + 1 then return -2 end
elseif seq > 1 then
  return -2
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
