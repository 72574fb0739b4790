-- Gives back what a draw took, at most once per draw: the draw log entry's released flag
-- is the guard, so a second release of the same draw changes nothing.
--   unit only (give-up, expiry): a won unit goes back; the draw still counts.
--   unit and quota (a voided draw): any draw is undone: its unit (won or consolation)
--   goes back and the user's count goes down.
-- Either way a draw holding an unpaid prize stops holding it (once: SREM says).
--
-- KEYS    the activity's stock, users, log, unsettled, holds and holding keys (see draw.lua)
-- ARGV    draw key, and '1' to give the user's draw back too ('0' for the unit only)
-- Returns 1 if the draw was undone now, 0 otherwise.

local record = redis.call('HGET', KEYS[3], ARGV[1])
if not record then
  return 0
end
local outcome, released, prize, user, at = string.match(record, '^(%S+) (%d) (%S+) (%S+) (%S+)$')
local with_quota = ARGV[2] == '1'
if released ~= '0' or (outcome ~= 'won' and not with_quota) then
  return 0
end
redis.call('HSET', KEYS[3], ARGV[1], outcome .. ' 1 ' .. prize .. ' ' .. user .. ' ' .. at)
if outcome ~= 'missed' then
  redis.call('HINCRBY', KEYS[1], prize, 1)
end
if with_quota and tonumber(redis.call('HGET', KEYS[2], user) or '0') > 0 then
  redis.call('HINCRBY', KEYS[2], user, -1)
end
if redis.call('SREM', KEYS[6], ARGV[1]) == 1 and tonumber(redis.call('HGET', KEYS[5], user) or '0') > 0 then
  redis.call('HINCRBY', KEYS[5], user, -1)
end
return 1
