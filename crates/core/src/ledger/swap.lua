-- One atomic step of a message's ledger entry: write ARGV[2] (with a PX expiry of
-- ARGV[3] ms; '' deletes) only when the key holds ARGV[1] ('' = the key is absent).
-- KEYS: 1 the message's entry. Returns {1, ''} when written, else {0, current value}.
local current = redis.call('GET', KEYS[1])
if (current == false and ARGV[1] == '') or current == ARGV[1] then
  if ARGV[2] == '' then
    redis.call('DEL', KEYS[1])
  else
    redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  end
  return {1, ''}
end
return {0, current or ''}
