"""Prepares the real-traffic scenario (bench/lib/traffic.sh): logs in the
seeded suppliers bench-supplier-00001 … SUPPLIERS, notes each one's own
requests, makes the last WRITERS of them that have open requests the
writers, and writes three wrk scripts into OUT_DIR:

  readers.lua  each call picks one of the readers (a token) at random and
               reads one of its own requests, or (LIST_SHARE of calls) its
               list, `GET /v1/requests?limit=50`
  writers.lua  WRITE_RATE calls a second in all (paced on one wrk thread,
               whatever its connections), over the writers' open requests
               in turn, each with its own supplier's token: a save
               (`PUT …/answer`, a new value each call) and every
               SUBMIT_EVERY-th call to a request a submit
               (`POST …/answer/submit`)
  logins.lua   LOGIN_RATE sign-ins a second, over the readers' accounts

Usage: traffic_setup.py BASE_URL PASSWORD SUPPLIERS WRITERS WRITE_RATE LOGIN_RATE OUT_DIR
Prints one line: how many readers, writers and requests.
"""
import json
import os
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(__file__))
from answer_body import answer_entries  # noqa: E402

base, password, suppliers, writers_wanted, write_rate, login_rate, out = sys.argv[1:8]
suppliers, writers_wanted = int(suppliers), int(writers_wanted)
write_rate, login_rate = float(write_rate), float(login_rate)
LIST_SHARE = 0.1
SUBMIT_EVERY = 5
OPEN_PER_WRITER = 3


def call(method, path, token=None, body=None):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    for attempt in range(20):
        request = urllib.request.Request(base + path, data=body, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.read()
        except urllib.error.HTTPError as error:
            # The hashing queue may be full for a moment (503), never more.
            if error.code != 503 or attempt == 19:
                raise SystemExit(f"{method} {path}: {error.code} {error.read()[:300]!r}")
            time.sleep(0.2)


def email(n):
    return f"bench-supplier-{n:05d}@tierlink.example"


def login(n):
    body = json.dumps({"email": email(n), "password": password}).encode()
    return json.loads(call("POST", "/v1/auth/login", body=body))["access_token"]


def own_requests(token, query=""):
    return [r["id"] for r in json.loads(call("GET", "/v1/requests?limit=50" + query, token))["items"]]


numbers = list(range(1, suppliers + 1))
with ThreadPoolExecutor(4) as pool:
    tokens = dict(zip(numbers, pool.map(login, numbers)))

# Writers: from the last supplier down, those with open requests (not the
# bulk supplier's, which scenario e answers).
writers = []
for n in reversed(numbers):
    if len(writers) == writers_wanted:
        break
    requests = json.loads(call("GET", "/v1/requests?limit=50&status=open", tokens[n]))["items"]
    open_ids = [r["id"] for r in requests if not r["title"].startswith("Bench bulk")][:OPEN_PER_WRITER]
    if open_ids:
        writers.append((n, open_ids))
if len(writers) < writers_wanted:
    sys.exit(f"only {len(writers)} of {writers_wanted} writers have open requests")
writer_numbers = {n for n, _ in writers}
readers = [n for n in numbers if n not in writer_numbers]
with ThreadPoolExecutor(4) as pool:
    reader_requests = dict(zip(readers, pool.map(lambda n: own_requests(tokens[n]), readers)))
readers = [n for n in readers if reader_requests[n]]

metrics = {m["code"]: m for m in json.loads(call("GET", "/v1/metrics?limit=200", tokens[writers[0][0]]))["items"]}
targets = []
for n, open_ids in writers:
    for request in open_ids:
        template = call("GET", f"/v1/requests/{request}/answer/template.csv", tokens[n]).decode()
        entries = answer_entries(template, metrics)
        # One value varies per call: the same body again would be a retried
        # save, answered with what it made before.
        vary = next((e for e in entries if e["metric"] == "ghg.scope1"), None) or next(e for e in entries if "unit" in e)
        vary["value"] = "__N__"
        targets.append((tokens[n], request, json.dumps({"entries": entries, "submit": False})))


def lua(text):
    return json.dumps(text)  # a JSON string is a valid Lua string here (ASCII, no escapes Lua lacks)


# Paces the calls of one wrk thread (one Lua state) to one every INTERVAL
# ms, whatever its connections: wrk calls delay() after each response and
# sends the connection's next call that many ms later.
PACE = """
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *now);
]]
local clock = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock)  -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end
local due
delay = function()
  local now = now_ms()
  due = (due or now) + INTERVAL
  return math.max(0, math.floor(due - now))
end
"""

# Counts the answers by status (printed after wrk's report).
STATUSES = """
local threads = {}
setup = function(thread) table.insert(threads, thread) end
statuses = {}
response = function(status) statuses[status] = (statuses[status] or 0) + 1 end
done = function()
  local all = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do all[status] = (all[status] or 0) + n end
  end
  for status, n in pairs(all) do io.write(string.format("status %d: %d\\n", status, n)) end
end
"""

os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "readers.lua"), "w") as f:
    f.write("-- Written by bench/lib/traffic_setup.py: readers of their own requests.\n")
    f.write("local readers = {\n")
    for n in readers:
        ids = ", ".join(lua(i) for i in reader_requests[n])
        f.write(f"  {{{lua('Bearer ' + tokens[n])}, {{{ids}}}}},\n")
    f.write("}\n")
    f.write(f"""local threads = 0
setup = function(thread) threads = threads + 1; thread:set("seed", threads) end
init = function() math.randomseed(7919 * (seed or 1)) end
request = function()
  local reader = readers[math.random(#readers)]
  local headers = {{authorization = reader[1]}}
  if math.random() < {LIST_SHARE} then
    return wrk.format("GET", "/v1/requests?limit=50", headers)
  end
  local ids = reader[2]
  return wrk.format("GET", "/v1/requests/" .. ids[math.random(#ids)], headers)
end
""")

with open(os.path.join(out, "writers.lua"), "w") as f:
    f.write("-- Written by bench/lib/traffic_setup.py: saves and submits, paced.\n")
    f.write(PACE.replace("INTERVAL", f"{1000 / write_rate:.3f}"))
    f.write(STATUSES)
    f.write("local targets = {\n")
    for token, request, body in targets:
        f.write(f"  {{{lua('Bearer ' + token)}, {lua(request)}, [==[{body}]==]}},\n")
    f.write("}\n")
    f.write(f"""local run = os.time() % 100000  -- values differ from an earlier run's too
local calls, saved = 0, {{}}
request = function()
  calls = calls + 1
  local k = (calls - 1) % #targets + 1
  local target = targets[k]
  local headers = {{authorization = target[1], ["content-type"] = "application/json"}}
  if saved[k] and math.floor((calls - 1) / #targets) % {SUBMIT_EVERY} == {SUBMIT_EVERY - 1} then
    saved[k] = nil
    return wrk.format("POST", "/v1/requests/" .. target[2] .. "/answer/submit", headers, '{{"share_upstream":true}}')
  end
  saved[k] = true
  local body = target[3]:gsub("__N__", string.format("%d%06d.5", run, calls))
  return wrk.format("PUT", "/v1/requests/" .. target[2] .. "/answer", headers, body)
end
""")

with open(os.path.join(out, "logins.lua"), "w") as f:
    f.write("-- Written by bench/lib/traffic_setup.py: sign-ins, paced.\n")
    f.write(PACE.replace("INTERVAL", f"{1000 / login_rate:.3f}"))
    f.write(STATUSES)
    f.write("local emails = {" + ", ".join(lua(email(n)) for n in readers) + "}\n")
    f.write(f"""local calls = 0
request = function()
  calls = calls + 1
  local body = '{{"email":"' .. emails[(calls - 1) % #emails + 1] .. '","password":{lua(password)}}}'
  return wrk.format("POST", "/v1/auth/login", {{["content-type"] = "application/json"}}, body)
end
""")

print(f"{len(readers)} readers ({sum(len(reader_requests[n]) for n in readers)} requests), "
      f"{len(writers)} writers ({len(targets)} open requests), {len(readers)} accounts signing in")
