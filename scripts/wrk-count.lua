-- Counts responses by status code across wrk threads and prints them at the end.
-- Loaded by scripts/load.sh; WRK_METHOD / WRK_BODY / WRK_KEY come from the environment.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  counts = {}
  wrk.method = os.getenv("WRK_METHOD") or "GET"
  wrk.body = os.getenv("WRK_BODY")
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("WRK_KEY")
  if wrk.body then
    wrk.headers["Content-Type"] = "application/json"
  end
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    local c = thread:get("counts")
    for status, n in pairs(c) do
      total[status] = (total[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(total) do
    table.insert(parts, status .. "=" .. n)
  end
  table.sort(parts)
  io.write("statuses: " .. table.concat(parts, " ") .. "\n")
  io.write(string.format("p50_ms: %.2f\n", latency:percentile(50) / 1000))
  io.write(string.format("p99_ms: %.2f\n", latency:percentile(99) / 1000))
  io.write(string.format("socket_errors: %d\n",
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
