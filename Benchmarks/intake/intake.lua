-- wrk script for the intake benchmark (driven by lib/measure.sh for Benchmarks/intake/run's stages).
--
--   wrk -t THREADS -c CONNS -d DURATION -s intake.lua http://127.0.0.1:PORT -- MODE KEY BASE THREADS [scatter|none] [SIZE]
--
-- MODE "lead":    POST /lead/add?key=KEY, every request with a distinct valid UK mobile.
-- MODE "keyed":   the same, each request with its own Idempotency-Key ("bench-" and its number).
-- MODE "batch":   POST /lead/batch?key=KEY, a JSON array of SIZE leads (default 100), each with a
--                 distinct mobile; request n uses the numbers n * SIZE .. n * SIZE + SIZE - 1. SIZE is the sixth argument.
-- MODE "test":    the same leads with "test":true, which /lead/add validates and answers
--                 {"test":"ok"} without saving: everything a lead costs but the store.
-- MODE "healthz": GET /healthz (the server's cheapest endpoint: the HTTP ceiling). The same
--                 request()/response() callbacks run, so wrk's own cost per request is comparable.
--
-- Mobile numbers: request number n = BASE + thread_id + THREADS * counter, written as
-- "07" .. (100000000 + n) with nine digits, i.e. 07100000000-07399999999. Every 071xx-073xx
-- number is a valid mobile in libphonenumber's GB plan (074xx-079xx have holes), so the range
-- gives 300 million distinct valid numbers. done() prints next_base, the first n no thread
-- used, so the next wrk invocation on the same database never repeats a number.
-- With a fifth argument "scatter", n is first mapped to (n * 104729) % 300000000, a bijection of
-- the range (104729 shares no factor with 2^8 * 3 * 5^8): still distinct numbers, but spread over
-- the whole range as real traffic's are, so index lookups land all over an index instead of at
-- its warm edge. Doubles hold the product exactly (below 2^53).
--
-- done() prints machine-readable lines, all starting "BENCH_":
--   BENCH_SUMMARY duration_us=.. requests=.. sent=.. next_base=.. err_connect=.. err_read=..
--                 err_write=.. err_status=.. err_timeout=..
--   BENCH_LATENCY_US p50=.. p90=.. p99=.. p999=.. max=.. mean=..
--   BENCH_COUNT status=200 kind=processed n=..     (one line per status and body kind)
--   BENCH_OTHER_SAMPLE status=.. body=..           (first unexpected body, if any)

local PROCESSED = '{"saved":true,"processed":true}'
local HEALTHY = '{"status":"ok"}'
local TESTED = '{"test":"ok"}'
local BATCH_PREFIX = '{"results":['

-- Main Lua state: one entry per thread, so done() can read each thread's globals back.
local threads = {}
local created = 0

function setup(thread)
   thread:set("thread_id", created)
   created = created + 1
   table.insert(threads, thread)
end

-- Per-thread state below is global on purpose: thread:get() can only read globals.
function init(args)
   mode = args[1] or "lead"
   key = args[2] or ""
   base = tonumber(args[3] or "0")
   nthreads = tonumber(args[4] or "1")
   scatter = args[5] == "scatter"
   size = tonumber(args[6] or "100")
   if mode ~= "batch" then size = 1 end
   counter = 0        -- requests built by this thread
   counts = {}        -- STATUS * 4 + KIND (see KINDS) -> responses
   other_sample = ""  -- first response that was neither processed nor healthy
   healthz_request = wrk.format("GET", "/healthz")
   -- The lead request is built by hand rather than by wrk.format, which walks a header table and
   -- formats every line for every request: the load generator shares the server's two cores, so
   -- its cost per request is taken from the server's. The bytes are an ordinary HTTP/1.1 request.
   lead_head = "POST /lead/add?key=" .. key .. " HTTP/1.1\r\nHost: " .. wrk.headers["Host"] ..
               "\r\nContent-Type: application/json\r\nContent-Length: "
   batch_head = "POST /lead/batch?key=" .. key .. " HTTP/1.1\r\nHost: " .. wrk.headers["Host"] ..
               "\r\nContent-Type: application/json\r\nContent-Length: "
end

-- A lead whose mobile is number m of the range and whose e-mail carries n.
local function lead_json(m, n)
   return string.format(
      '{"first_name":"Bench","surname":"Lead","mobile":"07%09d","email":"lead%d@example.com","type":"motor-trade"%s}',
      100000000 + m, n, mode == "test" and ',"test":true' or '')
end

-- Response kinds, numbered so that counting a response builds no string. A batch answer counts
-- as "batch" (its items are checked by the leads in the database, SIZE per 200).
local KINDS = { "processed", "healthy", "other", "tested", [0] = "batch" }

function request()
   counter = counter + 1
   if mode == "healthz" then
      return healthz_request
   end
   local n = base + (thread_id + nthreads * (counter - 1)) * size
   if mode == "batch" then
      local items = {}
      for i = 0, size - 1 do items[i + 1] = lead_json(n + i, n + i) end
      local body = "[" .. table.concat(items, ",") .. "]"
      return batch_head .. #body .. "\r\n\r\n" .. body
   end
   local m = n
   if scatter then
      m = (n * 104729) % 300000000
   end
   local body = lead_json(m, n)
   if mode == "keyed" then
      return lead_head .. #body .. "\r\nIdempotency-Key: bench-" .. n .. "\r\n\r\n" .. body
   end
   return lead_head .. #body .. "\r\n\r\n" .. body
end

function response(status, headers, body)
   local kind
   if body == PROCESSED then
      kind = 1
   elseif body == HEALTHY then
      kind = 2
   elseif body == TESTED then
      kind = 4
   elseif string.sub(body or "", 1, #BATCH_PREFIX) == BATCH_PREFIX then
      kind = 0
   else
      kind = 3
      if other_sample == "" then
         other_sample = status .. " " .. string.sub(body or "", 1, 200)
      end
   end
   local k = status * 8 + kind
   counts[k] = (counts[k] or 0) + 1
end

function done(summary, latency, requests)
   local totals, sent, max_counter, sample, nthreads_seen = {}, 0, 0, "", 1
   local size_seen = 1
   for _, t in ipairs(threads) do
      for k, v in pairs(t:get("counts") or {}) do
         totals[k] = (totals[k] or 0) + v
      end
      local c = t:get("counter") or 0
      sent = sent + c
      if c > max_counter then max_counter = c end
      local s = t:get("other_sample") or ""
      if sample == "" then sample = s end
      nthreads_seen = t:get("nthreads") or nthreads_seen
      size_seen = t:get("size") or 1
   end
   local base0 = threads[1] and (threads[1]:get("base") or 0) or 0
   local e = summary.errors
   io.write(string.format(
      "BENCH_SUMMARY duration_us=%d requests=%d sent=%d next_base=%d err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d\n",
      summary.duration, summary.requests, sent, base0 + nthreads_seen * max_counter * size_seen,
      e.connect, e.read, e.write, e.status, e.timeout))
   io.write(string.format("BENCH_LATENCY_US p50=%d p90=%d p99=%d p999=%d max=%d mean=%.1f\n",
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency:percentile(99.9), latency.max, latency.mean))
   for k, v in pairs(totals) do
      io.write(string.format("BENCH_COUNT status=%d kind=%s n=%d\n", math.floor(k / 8), KINDS[k % 8], v))
   end
   if sample ~= "" then
      io.write("BENCH_OTHER_SAMPLE " .. string.gsub(sample, "\n", " ") .. "\n")
   end
end
