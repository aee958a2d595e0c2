-- wrk script of bench/run.sh. Requests rotate over the paths given after
-- "--"; "--unique NAME" gives each request its own value of the query
-- parameter NAME (an unknown one such as utm_bench, or one the page reads
-- such as q, which makes every request a new page). done() prints one
-- JSON line that run.sh files.
local paths = {}
local unique = nil
local n = 0

function init(args)
  local i = 1
  while i <= #args do
    if args[i] == "--unique" then
      unique = args[i + 1]
      i = i + 2
    else
      table.insert(paths, args[i])
      i = i + 1
    end
  end
  if #paths == 0 then paths = { "/" } end
end

function request()
  n = n + 1
  local path = paths[(n % #paths) + 1]
  if unique then
    local sep = string.find(path, "?", 1, true) and "&" or "?"
    path = path .. sep .. unique .. "=b" .. n
  end
  return wrk.format(nil, path)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"socket_errors":%d,"bad_status":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
