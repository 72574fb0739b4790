-- Takes the next ticket of an activity's line for a user, or answers the ticket the user is
-- still waiting with (a number at or past the served counter): one atomic step, so numbers
-- are unique, in arrival order and without gaps, and a user never waits twice.
--
-- KEYS    the line's head (hash: next, served, closed_by), tickets (number -> ticket),
--         users (user -> their latest number) and draws (draw id -> number)
-- ARGV    user id, draw id, the ticket (JSON, without its number)
-- Returns {1 if new else 0, number, served, the ticket (JSON)}.

local served = tonumber(redis.call('HGET', KEYS[1], 'served') or '0')
local held = redis.call('HGET', KEYS[3], ARGV[1])
if held and tonumber(held) >= served then
  return {0, tonumber(held), served, redis.call('HGET', KEYS[2], held)}
end
local number = redis.call('HINCRBY', KEYS[1], 'next', 1) - 1
local field = string.format('%d', number)
redis.call('HSET', KEYS[2], field, ARGV[3])
redis.call('HSET', KEYS[3], ARGV[1], field)
redis.call('HSET', KEYS[4], ARGV[2], field)
return {1, number, served, ARGV[3]}
