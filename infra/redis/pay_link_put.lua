-- Caches a pay link unless a live one is cached: the first writer wins, and an expired
-- link (by the caller's clock) is replaced.
--
-- KEYS[1] the order's pay link key, holding "<expires at ms> <url>"
-- ARGV    now ms, the new link's expiry ms, its URL, TTL ms
-- Returns the value that stays.

local stored = redis.call('GET', KEYS[1])
if stored then
  local expires_at = string.match(stored, '^(%-?%d+) ')
  if expires_at and tonumber(expires_at) > tonumber(ARGV[1]) then
    return stored
  end
end
local value = ARGV[2] .. ' ' .. ARGV[3]
redis.call('SET', KEYS[1], value, 'PX', ARGV[4])
return value
