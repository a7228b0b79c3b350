-- wrk script: POST /get_values with BATCH keys a request (default 100), keys taken in turn from
-- KEYS_FILE (one a line); with BATCH=0, POST /get_value with one key a request instead.
local keys = {}
for line in io.lines(os.getenv("KEYS_FILE") or "keys.txt") do keys[#keys + 1] = line end
local batch = tonumber(os.getenv("BATCH") or "100")
local bodies = {}
local i = 0
for b = 1, 200 do
  if batch == 0 then
    i = i % #keys + 1
    bodies[b] = '{"key":"' .. keys[i] .. '"}'
  else
    local part = {}
    for k = 1, batch do
      i = i % #keys + 1
      part[k] = '"' .. keys[i] .. '"'
    end
    bodies[b] = '{"keys":[' .. table.concat(part, ",") .. ']}'
  end
end
wrk.method = "POST"
wrk.path = batch == 0 and "/get_value" or "/get_values"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[n])
end
local non200 = 0
response = function(status)
  if status ~= 200 then non200 = non200 + 1 end
end
done = function(summary, latency)
  io.write(string.format("RESULT rps=%.0f p50_us=%d p99_us=%d errors=%d non200=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + summary.errors.status, non200))
end
