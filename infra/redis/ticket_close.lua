-- Ends every waiting ticket of an activity's line at once (sold out, closed): the served
-- counter jumps to the next number and the closure's reason is kept for the tickets it ended.
--
-- KEYS    the line's head
-- ARGV    the refusal code
-- Returns how many tickets were waiting.

local served = tonumber(redis.call('HGET', KEYS[1], 'served') or '0')
local next = tonumber(redis.call('HGET', KEYS[1], 'next') or '0')
if next > served then
  redis.call('HSET', KEYS[1], 'served', string.format('%d', next), 'closed_by', ARGV[1])
end
return next - served
