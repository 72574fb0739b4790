-- Reads a session and slides its expiry, unless it has expired by the caller's clock.
--
-- KEYS[1] session key, holding "<expires at ms> <session json>"
-- ARGV    now ms, new expiry ms, new TTL ms
-- Returns the session JSON, or nil.

local stored = redis.call('GET', KEYS[1])
if not stored then
  return nil
end
local expires_at, session = string.match(stored, '^(%-?%d+) (.*)$')
if not expires_at or tonumber(expires_at) <= tonumber(ARGV[1]) then
  redis.call('DEL', KEYS[1])
  return nil
end
redis.call('SET', KEYS[1], ARGV[2] .. ' ' .. session, 'PX', ARGV[3])
return session
