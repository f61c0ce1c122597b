-- Gives a slot back and, when Graph answered 429 with Retry-After, holds the mailbox
-- for every process until then (never shortening a longer hold already set). Then wakes
-- the waiters at the head of the queue that a free slot is theirs: a token pushed onto
-- each one's wake list, which it waits on with BLPOP (so a slot changes hands in one
-- round trip instead of the waiter's next poll).
-- KEYS: 1 leases, 2 hold, 3 queue. ARGV: 1 lease id, 2 hold ms (0: none),
--       3 concurrency, 4 the wake lists' key prefix (the waiter id completes it; same
--       hash tag as KEYS), 5 a wake list's time to live ms.
redis.call('ZREM', KEYS[1], ARGV[1])
local hold = tonumber(ARGV[2])
if hold > 0 and redis.call('PTTL', KEYS[2]) < hold then
  redis.call('SET', KEYS[2], '1', 'PX', hold)
end
-- During a hold nobody may send: the waiters sleep until its end, not on their lists.
if redis.call('EXISTS', KEYS[2]) == 1 then
  return 1
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local free = tonumber(ARGV[3]) - redis.call('ZCARD', KEYS[1])
if free > 0 then
  for _, id in ipairs(redis.call('ZRANGE', KEYS[3], 0, free - 1)) do
    local wake = ARGV[4] .. id
    -- One token is enough: a waiter that has one will ask anyway.
    if redis.call('EXISTS', wake) == 0 then
      redis.call('RPUSH', wake, '1')
      redis.call('PEXPIRE', wake, tonumber(ARGV[5]))
    end
  end
end
return 1
