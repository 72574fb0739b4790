-- Applies a transfer of units to the receiving stock bucket at most once (docs/scale.md):
-- the inbox set remembers every applied transfer id, so the mover and the sweeper may both
-- deliver the same transfer and the units arrive once.
--
-- KEYS[1] {act:ID#r}:stock  the receiver's stock
-- KEYS[2] {act:ID#r}:inbox  set of applied transfer ids
-- ARGV    transfer id, then "<prize> <units> <prize> <units> ..."
-- Returns 1 if applied now, 0 if applied before, -1 if the receiver's stock is not loaded
-- (the transfer stays in the donor's outbox).

if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then
  return 0
end
if redis.call('EXISTS', KEYS[1]) == 0 then
  return -1
end
for prize, units in string.gmatch(ARGV[2], '(%S+) (%d+)') do
  redis.call('HINCRBY', KEYS[1], prize, units)
end
redis.call('SADD', KEYS[2], ARGV[1])
return 1
