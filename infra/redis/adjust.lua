-- Adds units to (or, negative, removes units from) one prize's stock in one step, never
-- below zero: a removal of more than is left changes nothing.
--
-- KEYS[1] {act:ID}:stock
-- ARGV    prize, delta (a signed whole number)
-- Returns {'adjusted', units now left} | {'not_loaded'} | {'unknown_prize'} | {'insufficient', units left}

if redis.call('EXISTS', KEYS[1]) == 0 then
  return {'not_loaded'}
end
local units = redis.call('HGET', KEYS[1], ARGV[1])
if not units then
  return {'unknown_prize'}
end
if tonumber(units) + tonumber(ARGV[2]) < 0 then
  return {'insufficient', units}
end
return {'adjusted', tostring(redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2]))}
