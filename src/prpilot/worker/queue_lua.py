"""The Lua scripts of the Redis task queue: each state change runs atomically on the server.

Kept apart from :mod:`prpilot.worker.queue` so the queue's Python reads as one class; the key layout is
described there. ``now`` is the server's clock (``TIME``), so workers with skewed clocks agree.
"""

_NOW = "local t = redis.call('TIME') local now = tonumber(t[1]) + tonumber(t[2]) / 1e6 "

# KEYS: tasks pending; ARGV: id json -> 1 if queued, 0 if that id is already in the queue.
ENQUEUE = """
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('LPUSH', KEYS[2], ARGV[1])
return 1
"""

# KEYS: pending deadlines leases owners attempts tasks; ARGV: token worker visibility_timeout
RESERVE = (
    _NOW
    + """
while true do
  local id = redis.call('RPOP', KEYS[1])
  if not id then return false end
  local body = redis.call('HGET', KEYS[6], id)
  if body then
    local deadline = now + tonumber(ARGV[3])
    redis.call('ZADD', KEYS[2], deadline, id)
    redis.call('HSET', KEYS[3], id, ARGV[1])
    redis.call('HSET', KEYS[4], id, ARGV[2])
    local attempt = redis.call('HINCRBY', KEYS[5], id, 1)
    return {id, body, attempt, tostring(deadline)}
  end
end
"""
)

# KEYS: deadlines leases; ARGV: id token visibility_timeout -> new deadline, or false if stale
HEARTBEAT = (
    _NOW
    + """
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return false end
local deadline = now + tonumber(ARGV[3])
redis.call('ZADD', KEYS[1], deadline, ARGV[1])
return tostring(deadline)
"""
)

# KEYS: deadlines leases owners attempts errors tasks; ARGV: id token -> 1, or 0 if stale
ACK = """
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
for i = 2, 6 do redis.call('HDEL', KEYS[i], ARGV[1]) end
return 1
"""

# Drop the lease on ARGV[1] and route the task: back to pending, or to the dead-letter list once
# its deliveries exceed max_retries. KEYS: pending deadlines leases owners attempts errors dead
ROUTE = """
local function route(id, err, max_retries)
  redis.call('ZREM', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
  redis.call('HDEL', KEYS[4], id)
  redis.call('HSET', KEYS[6], id, err)
  local attempts = tonumber(redis.call('HGET', KEYS[5], id) or '0')
  if attempts > max_retries then
    redis.call('LPUSH', KEYS[7], id)
    return 'dead'
  end
  redis.call('LPUSH', KEYS[1], id)
  return 'retry'
end
"""

# ARGV: id token error max_retries -> 'retry' | 'dead' | false if stale
NACK = (
    ROUTE
    + """
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then return false end
return route(ARGV[1], ARGV[3], tonumber(ARGV[4]))
"""
)

# ARGV: now ('' = server clock) max_retries limit -> ids whose lease expired
REAP = (
    ROUTE
    + _NOW
    + """
if ARGV[1] ~= '' then now = tonumber(ARGV[1]) end
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do
  local owner = redis.call('HGET', KEYS[4], id) or '?'
  route(id, 'lease expired (worker ' .. owner .. ' stopped heartbeating)', tonumber(ARGV[2]))
end
return ids
"""
)

# Give a task back untouched (the worker is shutting down): front of pending, delivery not counted.
# KEYS: pending deadlines leases owners attempts; ARGV: id token -> 1, or 0 if stale
RELEASE = """
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('HINCRBY', KEYS[5], ARGV[1], -1)
redis.call('RPUSH', KEYS[1], ARGV[1])
return 1
"""
