-- lock-release: frees the refresher lock only for the process that holds it, so a late release never frees
-- another refresher's lock.
-- KEYS[1] website:lock
-- ARGV[1] token
-- Result: 1 released, 0 not held by ARGV[1].
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
