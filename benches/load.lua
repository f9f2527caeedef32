-- wrk script of scripts/bench: rotates requests over the sessions in a
-- cookie file and prints the run's numbers as one JSON line.
--
--   wrk -t THREADS ... -s benches/load.lua URL -- COOKIES THREADS
--
-- COOKIES contains one `name=value` cookie a line, or is `-` for no cookie.
-- Thread t of THREADS sends the sessions t, t + THREADS, t + 2 * THREADS,
-- and so on in turn, so no two threads share a session and one session's
-- requests never overlap while there are many more sessions than
-- connections. Each request carries `?s=INDEX&v=VALUE`, with VALUE growing
-- within a thread, which the write routes store and echo.
--
-- With WRK_ACKS=FILE in the environment, every 200 response to a write is
-- recorded and FILE gets one `INDEX VALUE` line per session: the newest
-- value that the server acknowledged.

local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

function init(args)
  cookies = {}
  if args[1] and args[1] ~= "-" then
    for line in io.lines(args[1]) do
      table.insert(cookies, line)
    end
  end
  thread_count = tonumber(args[2]) or 1
  position = thread_index
  sequence = 0
  acked = {}
end

function request()
  local index = 0
  local headers = {}
  if #cookies > 0 then
    if position >= #cookies then
      position = thread_index
    end
    index = position
    position = position + thread_count
    headers["Cookie"] = cookies[index + 1]
  end
  sequence = sequence + 1
  local path = wrk.path .. "?s=" .. index .. "&v=" .. sequence
  return wrk.format("GET", path, headers)
end

local acks_file = os.getenv("WRK_ACKS")

if acks_file then
  function response(status, headers, body)
    if status ~= 200 then
      return
    end
    local index, value = string.match(body, "^(%d+) (%d+)$")
    if index then
      index, value = tonumber(index), tonumber(value)
      if (acked[index] or -1) < value then
        acked[index] = value
      end
    end
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "connect_errors": %d, "read_errors": %d, '
      .. '"write_errors": %d, "status_errors": %d, "timeouts": %d, '
      .. '"p50_us": %d, "p99_us": %d, "mean_us": %.1f, "max_us": %d}\n',
    summary.requests, summary.duration, errors.connect, errors.read,
    errors.write, errors.status, errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean, latency.max))
  if acks_file then
    local out = assert(io.open(acks_file, "w"))
    for _, thread in ipairs(threads) do
      for index, value in pairs(thread:get("acked")) do
        out:write(index, " ", value, "\n")
      end
    end
    out:close()
  end
end
