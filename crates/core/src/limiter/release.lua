-- Gives a slot back and, when Graph answered 429 with Retry-After, holds the mailbox
-- for every process until then (never shortening a longer hold already set).
-- KEYS: 1 leases, 2 hold. ARGV: 1 lease id, 2 hold ms (0: none).
redis.call('ZREM', KEYS[1], ARGV[1])
local hold = tonumber(ARGV[2])
if hold > 0 and redis.call('PTTL', KEYS[2]) < hold then
  redis.call('SET', KEYS[2], '1', 'PX', hold)
end
return 1
