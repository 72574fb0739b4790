-- Reads a ticket and the line's state in one atomic step.
--
-- KEYS    the line's head, tickets, draws and ends
-- ARGV    the draw id, or '' for the head ticket
-- Returns {} if there is none, else {number, served, the ticket (JSON), its end or '',
-- the latest closure's reason or ''}.

local head = redis.call('HMGET', KEYS[1], 'served', 'closed_by')
local served = head[1] or '0'
local number
if ARGV[1] == '' then
  number = served
else
  number = redis.call('HGET', KEYS[3], ARGV[1])
end
local ticket = number and redis.call('HGET', KEYS[2], number)
if not ticket then
  return {}
end
return {number, served, ticket, redis.call('HGET', KEYS[4], number) or '', head[2] or ''}
