-- wrk script: cycle through the requests in the file BENCH_REQUESTS, one per line as
-- METHOD<TAB>PATH<TAB>TOKEN<TAB>BODY, so that each request is a different customer's.
-- `done` prints one JSON line of results, marked BENCH_RESULT, for bench/run.py.

local threads = {}
local requests = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(os.getenv("BENCH_REQUESTS"), "r"))
  for line in file:lines() do
    local method, path, token, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local headers = {["Content-Type"] = "application/json", ["Accept"] = "application/json"}
    if token ~= "" then headers["Authorization"] = "Bearer " .. token end
    if body == "" then body = nil end
    table.insert(requests, wrk.format(method, path, headers, body))
  end
  file:close()
  counter = (id * 7919) % #requests  -- each thread starts with other customers
end

function request()
  counter = counter % #requests + 1
  return requests[counter]
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d, ' ..
    '"p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
