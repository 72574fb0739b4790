-- Ends the head ticket of an activity's line and moves the served counter past it, only if
-- ticket ARGV[1] is the head: a second finish of the same ticket (a duplicate delivery)
-- changes nothing.
--
-- KEYS    the line's head, tickets and ends (number -> 'drawn' or a refusal code)
-- ARGV    the ticket's number, how it ended
-- Returns 1 if it ended now, 0 otherwise.

local served = tonumber(redis.call('HGET', KEYS[1], 'served') or '0')
if served ~= tonumber(ARGV[1]) or redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then
  return 0
end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[1], 'served', string.format('%d', served + 1))
return 1
