-- Counts one event in a fixed window; the counter expires with its window.
--
-- KEYS[1] the window's counter
-- ARGV    TTL ms (until the window ends, plus a margin)
-- Returns the count so far.

local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return count
