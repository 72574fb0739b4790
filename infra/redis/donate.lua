-- Moves units out of one stock bucket toward another (docs/scale.md), first half of an
-- idempotent transfer: half of each prize's units (rounded up) leave the donor's stock and
-- wait in its outbox under the transfer id until receive.lua applies them and the mover
-- (or the sweeper, after a crash) deletes the outbox entry. Units are never in two places:
-- while in the outbox they count as remaining (StockStore::remaining) but cannot be drawn.
--
-- KEYS[1] {act:ID#d}:stock   the donor's stock
-- KEYS[2] {act:ID#d}:outbox  hash transfer id -> "<receiver bucket> <prize> <units> ..."
-- ARGV    transfer id, receiver bucket
-- Returns {units moved, transfers in the outbox (this one included), the transfer as written}

local fields = redis.call('HGETALL', KEYS[1])
local moved, parts = 0, {ARGV[2]}
for i = 1, #fields, 2 do
  local prize, units = fields[i], tonumber(fields[i + 1])
  if prize ~= '.loaded' and units > 0 then
    local give = math.ceil(units / 2)
    redis.call('HINCRBY', KEYS[1], prize, -give)
    parts[#parts + 1] = prize .. ' ' .. give
    moved = moved + give
  end
end
if moved > 0 then
  redis.call('HSET', KEYS[2], ARGV[1], table.concat(parts, ' '))
end
return {moved, redis.call('HLEN', KEYS[2]), table.concat(parts, ' ')}
