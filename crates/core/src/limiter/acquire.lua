-- Takes one slot of a mailbox, atomically, or says how long to wait.
-- KEYS: 1 leases (zset: lease id -> expiry ms), 2 request window (hash: bucket -> count),
--       3 upload window (hash: bucket -> bytes), 4 hold (string with a PX expiry),
--       5 queue (zset: waiter id -> ms it first asked), 6 seen (hash: waiter id -> ms it
--       last asked)
-- ARGV: 1 lease id (also the waiter id: the same for every try of one acquire),
--       2 lease ms, 3 concurrency, 4 window requests, 5 window ms,
--       6 upload bytes allowed, 7 upload window ms, 8 this request's upload bytes,
--       9 buckets per window, 10 margin ms, 11 ms after which a silent waiter is dropped
-- Returns {0, 0} when granted, else {wait ms, reason}: 1 concurrency (wait = until the
-- first lease would expire; callers poll sooner), 2 request window, 3 upload budget,
-- 4 hold (Graph's Retry-After, shared).
-- Free slots go to the waiters in the order they first asked (the queue); a waiter
-- that stops asking (gave up, was killed) is dropped when it reaches the head.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local hold = redis.call('PTTL', KEYS[4])
if hold > 0 then
  return {hold, 4}
end

redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local free = tonumber(ARGV[3]) - redis.call('ZCARD', KEYS[1])
local stale = tonumber(ARGV[11])

-- Drop silent waiters from the head of the queue (only the head: O(slots) per call).
while free > 0 do
  local head = redis.call('ZRANGE', KEYS[5], 0, free - 1)
  local dropped = false
  for _, id in ipairs(head) do
    local seen = tonumber(redis.call('HGET', KEYS[6], id) or '0')
    if id ~= ARGV[1] and seen + stale < now then
      redis.call('ZREM', KEYS[5], id)
      redis.call('HDEL', KEYS[6], id)
      dropped = true
    end
  end
  if not dropped then break end
end

local ahead = redis.call('ZRANK', KEYS[5], ARGV[1])
if not ahead then
  ahead = redis.call('ZCARD', KEYS[5])
end
if ahead >= free then
  redis.call('ZADD', KEYS[5], 'NX', now, ARGV[1])
  redis.call('HSET', KEYS[6], ARGV[1], now)
  redis.call('PEXPIRE', KEYS[5], stale * 4)
  redis.call('PEXPIRE', KEYS[6], stale * 4)
  local wait = stale
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if first[2] then
    wait = math.max(1, tonumber(first[2]) - now)
  end
  return {wait, 1}
end

-- Not waiting for a slot any more: granted below, or refused for a window (a long wait).
local function leave()
  redis.call('ZREM', KEYS[5], ARGV[1])
  redis.call('HDEL', KEYS[6], ARGV[1])
end

local buckets = tonumber(ARGV[9])
local margin = tonumber(ARGV[10])

-- A window kept in buckets of span/buckets ms: a bucket's requests count until all of
-- them are older than span + margin, so the sum is never less than an exact sliding
-- window's. Returns the wait until `need` more fits under `max` (0: fits now), the
-- current bucket and the hash's time to live.
local function window(key, span, max, need)
  local width = math.max(1, math.floor(span / buckets))
  local cur = math.floor(now / width)
  local ttl = width + span + margin
  local live = {}
  local total = 0
  local flat = redis.call('HGETALL', key)
  for i = 1, #flat, 2 do
    local b = tonumber(flat[i])
    local leaves = (b + 1) * width + span + margin
    if leaves <= now then
      redis.call('HDEL', key, flat[i])
    else
      total = total + tonumber(flat[i + 1])
      live[#live + 1] = {leaves, tonumber(flat[i + 1])}
    end
  end
  -- A single request larger than the whole budget goes alone into an empty window.
  if total + need <= max or total == 0 then
    return 0, cur, ttl
  end
  table.sort(live, function(x, y) return x[1] < y[1] end)
  local freed = 0
  for _, e in ipairs(live) do
    freed = freed + e[2]
    if total - freed + need <= max then
      return math.max(1, e[1] - now), cur, ttl
    end
  end
  return math.max(1, live[#live][1] - now), cur, ttl
end

local wait, wcur, wttl = window(KEYS[2], tonumber(ARGV[5]), tonumber(ARGV[4]), 1)
if wait > 0 then
  leave()
  return {wait, 2}
end
local bytes = tonumber(ARGV[8])
local ucur, uttl = 0, 0
if bytes > 0 then
  wait, ucur, uttl = window(KEYS[3], tonumber(ARGV[7]), tonumber(ARGV[6]), bytes)
  if wait > 0 then
    leave()
    return {wait, 3}
  end
end

leave()
local lease = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
if redis.call('PTTL', KEYS[1]) < lease then
  redis.call('PEXPIRE', KEYS[1], lease)
end
redis.call('HINCRBY', KEYS[2], wcur, 1)
redis.call('PEXPIRE', KEYS[2], wttl)
if bytes > 0 then
  redis.call('HINCRBY', KEYS[3], ucur, bytes)
  redis.call('PEXPIRE', KEYS[3], uttl)
end
return {0, 0}
