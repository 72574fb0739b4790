-- Puts a won unit back, at most once per draw: the draw log entry's released flag is
-- the guard, so a second release of the same draw changes nothing.
--
-- KEYS    the activity's stock, users and log hashes (see draw.lua)
-- ARGV    draw key, and '1' to give the user's draw back too ('0' for the unit only)
-- Returns 1 if the unit went back now, 0 otherwise.

local record = redis.call('HGET', KEYS[3], ARGV[1])
if not record then
  return 0
end
local outcome, released, prize, user, at = string.match(record, '^(%S+) (%d) (%S+) (%S+) (%S+)$')
if outcome ~= 'won' or released ~= '0' then
  return 0
end
redis.call('HSET', KEYS[3], ARGV[1], outcome .. ' 1 ' .. prize .. ' ' .. user .. ' ' .. at)
redis.call('HINCRBY', KEYS[1], prize, 1)
if ARGV[2] == '1' and tonumber(redis.call('HGET', KEYS[2], user) or '0') > 0 then
  redis.call('HINCRBY', KEYS[2], user, -1)
end
return 1
