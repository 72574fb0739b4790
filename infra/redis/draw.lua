-- One draw, atomically: the duplicate check, the quota check, the unpaid cap, the pick,
-- the decrement, the user's count (and hold, for a priced win) and the draw log entry. It follows lottery::pick (shared/src/lottery.rs)
-- step for step, so the same roll over the same counts picks the same slot as Rust.
--
-- KEYS[1] {act:ID}:stock  hash prize -> units left
-- KEYS[2] {act:ID}:users  hash user -> draws made
-- KEYS[3] {act:ID}:log    hash draw key -> "<outcome> <released 0|1> <prize> <user> <at ms>"
-- KEYS[4] {act:ID}:unsettled  sorted set of draw keys by at ms, until settlement decides them
-- KEYS[5] {act:ID}:holds    hash user -> unpaid priced prizes held
-- KEYS[6] {act:ID}:holding  set of draw keys holding one (removed once: paid.lua, release.lua)
-- KEYS[7] {act:ID}:limits   hash user -> the user's own limit (0 = none), replacing the ticket's
-- ARGV    draw key, user, mode, the ticket's limit (0 = none), roll (< 2^53), at ms, max unpaid (0 = none), n,
--         then n times: prize, weight, consolation (1|0), priced (1|0), in wheel order,
--         then the bucket count the caller routed by (docs/scale.md; '1' for one bucket)
-- Returns {'drawn', record} | {'not_loaded'} | {'quota_exceeded'} | {'unpaid_limit'} | {'sold_out'}
--       | {'buckets', the loaded bucket count} when the caller routed by another count

local recorded = redis.call('HGET', KEYS[3], ARGV[1])
if recorded then
  return {'drawn', recorded}
end
local loaded = redis.call('HGET', KEYS[1], '.loaded')
if not loaded then
  return {'not_loaded'}
end
if loaded ~= ARGV[#ARGV] then
  return {'buckets', loaded}
end
local user, mode = ARGV[2], ARGV[3]
local limit = tonumber(redis.call('HGET', KEYS[7], user) or ARGV[4])
local drawn = tonumber(redis.call('HGET', KEYS[2], user) or '0')
if limit > 0 and drawn >= limit then
  return {'quota_exceeded'}
end
local max_unpaid = tonumber(ARGV[7])
if max_unpaid > 0 and tonumber(redis.call('HGET', KEYS[5], user) or '0') >= max_unpaid then
  return {'unpaid_limit'}
end

local n = tonumber(ARGV[8])
local prizes, weights, consolation, priced = {}, {}, {}, {}
for i = 1, n do
  local at = 8 + (i - 1) * 4
  prizes[i], weights[i], consolation[i] = ARGV[at + 1], tonumber(ARGV[at + 2]), ARGV[at + 3] == '1'
  priced[i] = ARGV[at + 4] == '1'
end
local counts = redis.call('HMGET', KEYS[1], unpack(prizes))
local remaining, any_left = {}, false
for i = 1, n do
  remaining[i] = tonumber(counts[i] or '0')
  any_left = any_left or remaining[i] > 0
end
if not any_left then
  return {'sold_out'}
end

local function odds(i)
  if mode == 'remaining_stock' then return remaining[i] end
  if mode == 'weight_redistribute' and remaining[i] == 0 then return 0 end
  return weights[i]
end
local total = 0
for i = 1, n do total = total + odds(i) end
if total == 0 then
  return {'sold_out'}
end
-- Exact: rolls are below 2^53 and totals below 2^48, so both are whole doubles.
local point = math.fmod(tonumber(ARGV[5]), total)
local chosen = n
for i = 1, n do
  local width = odds(i)
  if point < width then
    chosen = i
    break
  end
  point = point - width
end

local outcome = 'missed'
if remaining[chosen] > 0 then
  redis.call('HINCRBY', KEYS[1], prizes[chosen], -1)
  outcome = consolation[chosen] and 'consolation' or 'won'
end
redis.call('HINCRBY', KEYS[2], user, 1)
local record = outcome .. ' 0 ' .. prizes[chosen] .. ' ' .. user .. ' ' .. ARGV[6]
redis.call('HSET', KEYS[3], ARGV[1], record)
redis.call('ZADD', KEYS[4], ARGV[6], ARGV[1])
if outcome == 'won' and priced[chosen] then
  redis.call('SADD', KEYS[6], ARGV[1])
  redis.call('HINCRBY', KEYS[5], user, 1)
end
return {'drawn', record}
