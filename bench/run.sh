#!/usr/bin/env bash
# Benchmarks: seeds the benchmark chain on SQLite and PostgreSQL, runs each
# scenario with wrk against the release server on this machine, measures
# ceilings (GET /healthz, the same reads as direct SQL), and prints a report.
# Usage: bash bench/run.sh [--quick]     (--quick: a smaller chain, shorter runs)
set -euo pipefail
cd "$(dirname "$0")/.."

QUICK=${1:-}
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
PG_ADMIN=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
PORT=18181
OUT=bench/out
SEED_ARGS=()
if [ "$QUICK" = "--quick" ]; then
  DURATION=3s
  SEED_ARGS=(--tier1 200 --tier2 1000 --requirements 4)
fi
mkdir -p "$OUT"

need() { command -v "$1" >/dev/null 2>&1 || { echo "installing $2"; (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2") >/dev/null; }; }
need wrk wrk
need sqlite3 sqlite3
need pgbench postgresql-contrib

echo "==> building the release binary"
cargo build --release --locked --bin tierlink >/dev/null
BIN=target/release/tierlink
PASSWORD="bench password 123"

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {'d': d}))" "$1"; }

login() {
  curl -sf -X POST "http://127.0.0.1:$PORT/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"$PASSWORD\"}" | json "d['access_token']"
}

# wrk prints latency percentiles with --latency; we keep requests/s, p50, p99 and errors.
run_wrk() {
  local name=$1; shift
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$@" > "$OUT/$ENGINE-$name.txt" 2>&1 || true
  python3 - "$OUT/$ENGINE-$name.txt" "$ENGINE" "$name" >> "$OUT/results.tsv" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", text)
p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", text)
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
def ms(m):
    if not m: return "nan"
    v, u = float(m.group(1)), m.group(2)
    return f"{v / 1000 if u == 'us' else v * 1000 if u == 's' else v:.3f}"
errs = int(non2xx.group(1)) if non2xx else 0
if errors: errs += sum(int(x) for x in errors.groups())
print(f"{sys.argv[2]}\t{sys.argv[3]}\t{rps.group(1) if rps else 'nan'}\t{ms(p50)}\t{ms(p99)}\t{errs}")
PY
}

bench_engine() {
  ENGINE=$1 URL=$2
  echo "==> $ENGINE: seeding"
  local started=$(date +%s)
  TIERLINK_DATABASE_URL=$URL TIERLINK_LOG=warn "$BIN" seed "${SEED_ARGS[@]}" > "$OUT/$ENGINE-seed.txt"
  echo "seeded in $(( $(date +%s) - started ))s: $(head -1 "$OUT/$ENGINE-seed.txt")"
  TIERLINK_DATABASE_URL=$URL TIERLINK_BIND=127.0.0.1:$PORT TIERLINK_LOG=warn TIERLINK_DATABASE_POOL_SIZE=16 \
    TIERLINK_EVIDENCE_STORE=file://$OUT/evidence \
    TIERLINK_LOGIN_ATTEMPTS_PER_ACCOUNT_PER_MINUTE=100000000 TIERLINK_LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE=100000000 \
    "$BIN" serve > "$OUT/$ENGINE-server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done

  SUPPLIER=$(login bench-supplier-00001@tierlink.example)
  LARGE=$(login bench-large@tierlink.example)
  REQUEST=$(curl -sf "http://127.0.0.1:$PORT/v1/requests?limit=1" -H "authorization: Bearer $SUPPLIER" | json "d['items'][0]['id']")
  REQUIREMENT=$(curl -sf "http://127.0.0.1:$PORT/v1/requirements?limit=1" -H "authorization: Bearer $LARGE" | json "d['items'][0]['id']")

  echo "==> $ENGINE: scenarios"
  run_wrk healthz "http://127.0.0.1:$PORT/healthz"
  run_wrk a-read-request -H "authorization: Bearer $SUPPLIER" "http://127.0.0.1:$PORT/v1/requests/$REQUEST"
  run_wrk b-list-requests -H "authorization: Bearer $SUPPLIER" "http://127.0.0.1:$PORT/v1/requests?limit=50"
  CONNECTIONS=2 run_wrk c-summary -H "authorization: Bearer $LARGE" "http://127.0.0.1:$PORT/v1/requirements/$REQUIREMENT/summary"
  # d: save and submit a 30-item answer (each call makes a new revision).
  curl -sf "http://127.0.0.1:$PORT/v1/requests/$REQUEST/answer/template.csv" -H "authorization: Bearer $SUPPLIER" > "$OUT/template.csv"
  curl -sf "http://127.0.0.1:$PORT/v1/metrics?limit=200" -H "authorization: Bearer $SUPPLIER" > "$OUT/metrics.json"
  python3 - "$OUT/template.csv" "$OUT/metrics.json" > "$OUT/answer.json" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
metrics = {m["code"]: m for m in json.load(open(sys.argv[2]))["items"]}
def value(m):
    kind = m["kind"]
    if kind == "quantity": return {"value": "12.5", "unit": m["canonical_unit"]}
    if kind == "percentage": return {"value": "40"}
    if kind == "boolean": return {"value": True}
    if kind == "choice": return {"value": m["choices"][0]["value"]}
    if kind == "date": return {"value": "2026-06-30"}
    return {"value": "KR"}
entries = [dict(metric=row["item_code"], obtained="measured", **value(metrics[row["item_code"]])) for row in rows]
print(json.dumps({"entries": entries, "submit": True}))
PY
  cat > "$OUT/answer.lua" <<LUA
wrk.method = "PUT"
wrk.headers["content-type"] = "application/json"
wrk.headers["authorization"] = "Bearer $SUPPLIER"
local f = io.open("$OUT/answer.json"); wrk.body = f:read("*a"); f:close()
LUA
  CONNECTIONS=4 run_wrk d-save-submit -s "$OUT/answer.lua" "http://127.0.0.1:$PORT/v1/requests/$REQUEST/answer"
  # f: scenario a while 8 clients log in continuously.
  cat > "$OUT/login.lua" <<LUA
wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
wrk.body = '{"email":"bench-supplier-00002@tierlink.example","password":"$PASSWORD"}'
LUA
  wrk -t1 -c8 -d"$DURATION" -s "$OUT/login.lua" "http://127.0.0.1:$PORT/v1/auth/login" > "$OUT/$ENGINE-logins.txt" 2>&1 &
  LOGINS=$!
  run_wrk f-read-during-logins -H "authorization: Bearer $SUPPLIER" "http://127.0.0.1:$PORT/v1/requests/$REQUEST"
  wait $LOGINS || true
  echo "$ENGINE	peak_rss_kib	$(grep VmHWM /proc/$SERVER/status | awk '{print $2}')" >> "$OUT/results.tsv"
  kill -TERM $SERVER; wait $SERVER || true
}

: > "$OUT/results.tsv"
rm -rf "$OUT/sqlite" "$OUT/evidence"; mkdir -p "$OUT/sqlite"
bench_engine sqlite "sqlite://$OUT/sqlite/tierlink.db"

psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS tierlink_bench" -c "CREATE DATABASE tierlink_bench"
PG_URL=$(python3 -c "import sys; u=sys.argv[1]; print(u.rsplit('/',1)[0] + '/tierlink_bench')" "$PG_ADMIN")
bench_engine postgres "$PG_URL"

echo "==> ceilings: the read of scenario a as direct SQL"
REQ_ROW=$(sqlite3 "$OUT/sqlite/tierlink.db" "SELECT id FROM requests WHERE supplier_org_id = (SELECT org_id FROM users WHERE email='bench-supplier-00001@tierlink.example') ORDER BY id LIMIT 1")
cat > "$OUT/read-request.sql" <<SQL
SELECT role, disabled_at FROM users WHERE email_normalised = 'bench-supplier-00001@tierlink.example';
SELECT * FROM requests WHERE id = '$REQ_ROW';
SELECT * FROM request_items WHERE request_id = '$REQ_ROW' ORDER BY position;
SELECT id, name, country FROM organisations WHERE id IN (SELECT requester_org_id FROM requests WHERE id = '$REQ_ROW');
SELECT id, cascade_depth FROM requirements WHERE id IN (SELECT requirement_id FROM requests WHERE id = '$REQ_ROW');
SQL
pgbench -n -c"$CONNECTIONS" -j2 -T"${DURATION%s}" -f "$OUT/read-request.sql" "$PG_URL" > "$OUT/postgres-pgbench-a.txt" 2>&1 || true
echo "postgres	pgbench-a-tps	$(grep -oP 'tps = \K[\d.]+' "$OUT/postgres-pgbench-a.txt" | head -1)" >> "$OUT/results.tsv"
python3 - "$OUT/sqlite/tierlink.db" "$OUT/read-request.sql" >> "$OUT/results.tsv" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
statements = [s for s in open(sys.argv[2]).read().split(";") if s.strip()]
n, start = 0, time.perf_counter()
while time.perf_counter() - start < 5:
    for s in statements:
        db.execute(s).fetchall()
    n += 1
print(f"sqlite\tdirect-a-per-s\t{n / (time.perf_counter() - start):.1f}")
PY

echo "==> results (engine, scenario, requests/s, p50 ms, p99 ms, errors)"
cat "$OUT/results.tsv"
