-- Replaces one stock bucket's stock with the given counts in one step, and forgets the
-- bucket's unit transfers (docs/scale.md; no such keys exist with one bucket). The '.loaded'
-- field (no prize id contains a dot) marks the stock as loaded even with no prizes, and
-- holds the activity's bucket count ('1' for an activity in one bucket).
--
-- KEYS[1] {act:ID}:stock (bucket b > 0: {act:ID#b}:stock), KEYS[2] its outbox, KEYS[3] its inbox
-- ARGV    bucket count, then prize, units, prize, units, ...

redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('HSET', KEYS[1], '.loaded', unpack(ARGV))
return 1
