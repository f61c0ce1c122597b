-- Takes one slot of a mailbox, atomically, or says how long to wait.
-- KEYS: 1 leases (zset: lease id -> expiry ms), 2 request window (hash: bucket -> count),
--       3 upload window (hash: bucket -> bytes), 4 hold (string with a PX expiry)
-- ARGV: 1 lease id, 2 lease ms, 3 concurrency, 4 window requests, 5 window ms,
--       6 upload bytes allowed, 7 upload window ms, 8 this request's upload bytes,
--       9 buckets per window, 10 margin ms
-- Returns {0, 0} when granted, else {wait ms, reason}: 1 concurrency (wait = until the
-- first lease would expire; callers poll sooner), 2 request window, 3 upload budget,
-- 4 hold (Graph's Retry-After, shared).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local hold = redis.call('PTTL', KEYS[4])
if hold > 0 then
  return {hold, 4}
end

redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {math.max(1, tonumber(first[2]) - now), 1}
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
  return {wait, 2}
end
local bytes = tonumber(ARGV[8])
local ucur, uttl = 0, 0
if bytes > 0 then
  wait, ucur, uttl = window(KEYS[3], tonumber(ARGV[7]), tonumber(ARGV[6]), bytes)
  if wait > 0 then
    return {wait, 3}
  end
end

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
