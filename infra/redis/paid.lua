-- Ends a draw's unpaid hold (its order was paid) at most once: SREM from the holding set
-- succeeds once, and only then does the user's count of holds go down.
--
-- KEYS    the activity's stock, users, log, unsettled, holds and holding keys (see draw.lua)
-- ARGV    draw key
-- Returns 1 if the hold ended now, 0 otherwise.

if redis.call('SREM', KEYS[6], ARGV[1]) == 0 then
  return 0
end
local record = redis.call('HGET', KEYS[3], ARGV[1])
local user = record and string.match(record, '^%S+ %d %S+ (%S+) ')
if user and tonumber(redis.call('HGET', KEYS[5], user) or '0') > 0 then
  redis.call('HINCRBY', KEYS[5], user, -1)
end
return 1
