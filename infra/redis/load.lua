-- Replaces an activity's stock with the given counts in one step. The '.loaded' field
-- (no prize id contains a dot) marks the stock as loaded even with no prizes.
--
-- KEYS[1] {act:ID}:stock
-- ARGV    prize, units, prize, units, ...

redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], '.loaded', '1', unpack(ARGV))
return 1
