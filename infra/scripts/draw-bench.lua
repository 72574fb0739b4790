-- wrk script for infra/scripts/draw-bench.sh: every request is POST /activities/$ACTIVITY/draw
-- with `Authorization: Bearer <token>`, the players' tokens taken in turn from $TOKENS (one
-- per line); answers are counted by status and printed at the end.

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("offset", counter * 7919)
  table.insert(threads, thread)
end

function init(args)
  tokens = {}
  for line in io.lines(os.getenv("TOKENS")) do
    if #line > 0 then
      tokens[#tokens + 1] = "Bearer " .. line
    end
  end
  next_token = offset % #tokens
  path = "/activities/" .. (os.getenv("ACTIVITY") or "bench") .. "/draw"
  statuses = {}
end

function request()
  next_token = next_token % #tokens + 1
  return wrk.format("POST", path, { ["Authorization"] = tokens[next_token] })
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      totals[status] = (totals[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(totals) do
    parts[#parts + 1] = status .. "=" .. count
  end
  table.sort(parts)
  io.write(string.format("statuses %s\n", table.concat(parts, " ")))
  io.write(string.format("latency_ms p50=%.2f p90=%.2f p99=%.2f max=%.2f\n", latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
