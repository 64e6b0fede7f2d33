-- wrk script for protocols_load.sh: POSTs the requests of a records file in turn (see make_protocol_bodies.py),
-- each with its Inference-Header-Content-Length when it has one, and prints one "RESULT {json}" line at the end.
--
--   wrk -t2 -c64 -d10s --latency -s protocols.lua http://127.0.0.1:18191 -- RECORDS_FILE

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

function init(args)
   local f = assert(io.open(args[1] or error("usage: -- RECORDS_FILE"), "rb"))
   while true do
      local line = f:read("*l")
      if line == nil or #line == 0 then break end
      local path, header_length, body_length = line:match("^(%S+) (%d+) (%d+)$")
      local body = f:read(tonumber(body_length))
      local headers = { ["Content-Type"] = "application/json" }
      if tonumber(header_length) > 0 then
         headers["Content-Type"] = "application/octet-stream"
         headers["Inference-Header-Content-Length"] = header_length
      end
      requests[#requests + 1] = wrk.format("POST", path, headers, body)
   end
   f:close()
   assert(#requests > 0, "no requests in " .. args[1])
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
end

function done(summary, latency, requests_)
   local total_non2xx = 0
   for _, t in ipairs(threads) do total_non2xx = total_non2xx + (t:get("non2xx") or 0) end
   local seconds = summary.duration / 1e6
   local e = summary.errors
   io.write(string.format(
      'RESULT {"requests":%d,"requests_per_second":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,"non2xx":%d,"socket_errors":%d,' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d}}\n',
      summary.requests, summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      total_non2xx, e.connect + e.read + e.write + e.timeout, e.connect, e.read, e.write, e.timeout))
end
