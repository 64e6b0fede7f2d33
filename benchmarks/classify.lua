-- wrk script for lstm-serve and its peers (driven by load.sh).
--
--   wrk -t2 -c64 -d5s --latency -s classify.lua http://127.0.0.1:18181 -- BODIES_FILE
--       POST /classify, cycling through the bodies (one JSON a line, read once per thread at init)
--   wrk -t2 -c64 -d5s --latency -s classify.lua http://127.0.0.1:18181 -- --get /healthz
--       GET that path
--
-- Per response it counts non-2xx statuses and sums the X-Batch-Size header. Each wrk thread has
-- its own Lua state; setup() keeps every thread and done() adds their counters up. done() prints
-- one line "RESULT {json}" that load.sh reads.

local threads = {}
local counter = 0

function setup(thread)
   thread:set("id", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

local requests = {}
local index = 1
responses = 0
non2xx = 0
batch_sum = 0
batch_count = 0

function init(args)
   if args[1] == "--get" then
      requests[1] = wrk.format("GET", args[2] or "/healthz")
      return
   end
   local path = args[1] or error("usage: -- BODIES_FILE | -- --get PATH")
   local f = assert(io.open(path, "r"))
   local headers = { ["Content-Type"] = "application/json" }
   for line in f:lines() do
      if #line > 0 then
         requests[#requests + 1] = wrk.format("POST", "/classify", headers, line)
      end
   end
   f:close()
   assert(#requests > 0, "no bodies in " .. path)
   -- threads start at different places in the list
   index = ((id or 0) * 7919) % #requests + 1
end

function request()
   local r = requests[index]
   index = index + 1
   if index > #requests then index = 1 end
   return r
end

function response(status, headers, body)
   responses = responses + 1
   if status < 200 or status > 299 then non2xx = non2xx + 1 end
   local b = headers["X-Batch-Size"] or headers["x-batch-size"]
   if b == nil then
      for k, v in pairs(headers) do
         if string.lower(k) == "x-batch-size" then b = v break end
      end
   end
   if b ~= nil then
      local n = tonumber(b)
      if n ~= nil then
         batch_sum = batch_sum + n
         batch_count = batch_count + 1
      end
   end
end

function done(summary, latency, requests_)
   local total_responses, total_non2xx, total_batch, total_batch_n = 0, 0, 0, 0
   for _, t in ipairs(threads) do
      total_responses = total_responses + (t:get("responses") or 0)
      total_non2xx = total_non2xx + (t:get("non2xx") or 0)
      total_batch = total_batch + (t:get("batch_sum") or 0)
      total_batch_n = total_batch_n + (t:get("batch_count") or 0)
   end
   local seconds = summary.duration / 1e6
   local e = summary.errors
   local mean_batch = "null"
   if total_batch_n > 0 then mean_batch = string.format("%.2f", total_batch / total_batch_n) end
   io.write(string.format(
      'RESULT {"requests":%d,"seconds":%.3f,"requests_per_second":%.1f,' ..
      '"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"mean_ms":%.3f,' ..
      '"responses":%d,"non2xx":%d,"mean_batch_size":%s,"batch_size_reported":%d,' ..
      '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d}}\n',
      summary.requests, seconds, summary.requests / seconds,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
      latency.max / 1000, latency.mean / 1000,
      total_responses, total_non2xx, mean_batch, total_batch_n,
      e.connect, e.read, e.write, e.timeout))
end
