-- The request mix for bench_web.py (the data tables above are written by it).
-- Counts statuses, applications made and redirects to the login page per thread.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(1234 + tid)
  -- Each phase starts at its own pair, so no phase re-applies for a pair another one used.
  ok, errors, applied, n, apply_n = 0, 0, 0, 0, apply_start
end

local function get(path, cookie)
  local headers = { ["User-Agent"] = user_agent }
  if cookie then headers["Cookie"] = cookie end
  return wrk.format("GET", path, headers)
end

local function pick(list) return list[math.random(#list)] end

local kinds = {
  mix = { {35, "search"}, {25, "detail"}, {5, "apply_form"}, {5, "apply"}, {15, "review"},
          {15, "dashboard"} },
  search = { {100, "search"} }, detail = { {100, "detail"} },
  apply = { {50, "apply_form"}, {50, "apply"} }, review = { {100, "review"} },
  dashboard = { {100, "dashboard"} }, baseline = { {100, "baseline"} },
  hello = { {100, "hello"} },
}

local function choose()
  local r, acc = math.random(100), 0
  for _, entry in ipairs(kinds[mix]) do
    acc = acc + entry[1]
    if r <= acc then return entry[2] end
  end
  return kinds[mix][1][2]
end

function request()
  local kind = choose()
  if kind == "search" then return get(pick(searches))
  elseif kind == "detail" then return get("/jobs/" .. pick(details))
  elseif kind == "review" then return get("/staff/openings/" .. pick(reviews), staff_cookie)
  elseif kind == "dashboard" then return get("/clinic/", clinic_cookie)
  elseif kind == "baseline" then return get("/_bench/baseline")
  elseif kind == "hello" then return get("/_bench/hello")
  elseif kind == "apply_form" then
    local c = math.random(#cand_cookies)
    return get("/me/apply/" .. pick(apply_ids), cand_cookies[c])
  end
  -- A submitted application, each time for a pair (candidate, opening) not used before.
  local c = (apply_n % #cand_cookies) + 1
  local o = ((math.floor(apply_n / #cand_cookies) * #threads + tid) % #apply_ids) + 1
  apply_n = apply_n + 1
  local headers = {
    ["User-Agent"] = user_agent,
    ["Cookie"] = cand_cookies[c],
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
  local body = "csrf_token=" .. cand_tokens[c] .. "&note=" .. apply_note
  return wrk.format("POST", "/me/apply/" .. apply_ids[o], headers, body)
end

function response(status, headers, body)
  n = n + 1
  local location = headers["Location"] or ""
  if status >= 400 or string.find(location, "/login", 1, true) then
    errors = errors + 1
  else
    ok = ok + 1
    if string.find(location, "/me/applications/", 1, true) then applied = applied + 1 end
  end
  if n >= max_requests then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local e, a = 0, 0
  for _, t in ipairs(threads) do
    e = e + t:get("errors")
    a = a + t:get("applied")
  end
  io.write(string.format(
    "RESULT requests=%d rps=%.2f p50=%d p95=%d p99=%d max=%d errors=%d applied=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, e, a))
end
