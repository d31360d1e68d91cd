#!/usr/bin/env bash
# Benchmarks: seeds the benchmark chain on SQLite and PostgreSQL (with
# `tierlink-devtools seed`, built here beside the release server), runs each
# scenario with wrk against the release server on this machine, measures
# ceilings (GET /healthz, the same reads as direct SQL), and prints a report.
# Usage: bash bench/run.sh [--quick]     (--quick: a smaller chain, shorter runs)
# BENCH_ENGINES="sqlite" (or "postgres") runs one engine only; the report
# then covers that engine.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib/answer_lua.sh

QUICK=${1:-}
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
ENGINES=${BENCH_ENGINES:-sqlite postgres}
PG_ADMIN=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
PORT=18181
OUT=bench/out
# 334 extra requests of 30 items for one supplier: scenario e's 10,020 entries.
SEED_ARGS=(--bulk-requests 334)
if [ "$QUICK" = "--quick" ]; then
  DURATION=3s
  SEED_ARGS=(--tier1 200 --tier2 1000 --requirements 4 --bulk-requests 40)
fi
PG_LOG=${BENCH_POSTGRES_LOG:-$(ls -t /var/log/postgresql/postgresql-*-main.log 2>/dev/null | head -1)}
mkdir -p "$OUT"

need() { command -v "$1" >/dev/null 2>&1 || { echo "installing $2"; (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2") >/dev/null; }; }
need wrk wrk
need sqlite3 sqlite3
need pgbench postgresql-contrib

echo "==> building the release binaries"
# The server exactly as production builds it, then the seed's own binary
# (crates/devtools: the fixed password below is only in that one).
cargo build --release --locked --bin tierlink >/dev/null
cargo build --release --locked -p tierlink-devtools --bin tierlink-devtools >/dev/null
BIN=${CARGO_TARGET_DIR:-target}/release/tierlink
DEVTOOLS=${CARGO_TARGET_DIR:-target}/release/tierlink-devtools
PASSWORD="bench password 123"

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {'d': d}))" "$1"; }

login() {
  curl -sf -X POST "http://127.0.0.1:$PORT/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"$PASSWORD\"}" | json "d['access_token']"
}

# wrk prints latency percentiles with --latency; we keep requests/s, p50, p99 and errors.
run_wrk() {
  local name=$1; shift
  local threads=$(( CONNECTIONS < 2 ? 1 : 2 ))
  wrk -t"$threads" -c"$CONNECTIONS" -d"$DURATION" --timeout 60s --latency "$@" > "$OUT/$ENGINE-$name.txt" 2>&1 || true
  python3 bench/lib/wrk_summary.py "$OUT/$ENGINE-$name.txt" "$ENGINE" "$name" >> "$OUT/results.tsv"
  # Where the server's peak memory was reached: its high-water mark after each scenario.
  echo "$ENGINE	$name	$(grep -E 'VmHWM|VmRSS' /proc/$SERVER/status | awk '{printf "%s %s MiB  ", $1, int($2/1024)}')" >> "$OUT/memory.tsv"
}

# during_logins LOGINS_NAME NAME WRK_ARGS…: run_wrk NAME while 8 clients log
# in continuously ($OUT/login.lua); the logins' own figures are recorded as
# LOGINS_NAME (their errors count among the scenario's).
during_logins() {
  local logins_name=$1; shift
  wrk -t1 -c8 -d"$DURATION" --timeout 60s --latency -s "$OUT/login.lua" "http://127.0.0.1:$PORT/v1/auth/login" > "$OUT/$ENGINE-$logins_name.txt" 2>&1 &
  local logins=$!
  run_wrk "$@"
  wait $logins || true
  python3 bench/lib/wrk_summary.py "$OUT/$ENGINE-$logins_name.txt" "$ENGINE" "$logins_name" >> "$OUT/results.tsv"
}

# beside_idle_hog NAME WRK_ARGS…: run_wrk NAME beside a process that is no
# part of the server keeping one core busy at idle priority (SCHED_IDLE: it
# runs only when nothing else wants the CPU, like the hashing thread, but
# touches almost no memory): what any busy core costs a's latency here.
beside_idle_hog() {
  chrt --idle 0 python3 -c "import time
end = time.time() + ${DURATION%s} + 1
while time.time() < end: pass" &
  local hog=$!
  run_wrk "$@"
  wait $hog || true
}

bench_engine() {
  ENGINE=$1 URL=$2
  echo "==> $ENGINE: seeding"
  local started=$(date +%s)
  TIERLINK_DATABASE_URL=$URL TIERLINK_LOG=warn "$DEVTOOLS" seed "${SEED_ARGS[@]}" > "$OUT/$ENGINE-seed.txt"
  echo "seeded in $(( $(date +%s) - started ))s: $(head -1 "$OUT/$ENGINE-seed.txt")"
  # Start every engine's scenarios from a settled database, as pgbench
  # does: the seed's writes vacuumed, analysed and checkpointed now rather
  # than by autovacuum and a WAL-triggered checkpoint in the middle of a
  # scenario (which gave PostgreSQL p99s of 300-900 ms in f and c).
  started=$(date +%s)
  if [ "$ENGINE" = postgres ]; then
    psql "$URL" -qc "VACUUM (ANALYZE)" -c "CHECKPOINT"
  else
    sqlite3 "${URL#sqlite://}" "PRAGMA wal_checkpoint(TRUNCATE);" > /dev/null
  fi
  echo "settled in $(( $(date +%s) - started ))s"
  if [ "$ENGINE" = postgres ] && [ -r "$PG_LOG" ]; then capture_pg_statements; fi
  start_server
  SUPPLIER=$(login bench-supplier-00001@tierlink.example)
  LARGE=$(login bench-large@tierlink.example)
  BULK=$(login bench-supplier-00016@tierlink.example)
  REQUEST=$(curl -sf "http://127.0.0.1:$PORT/v1/requests?limit=1" -H "authorization: Bearer $SUPPLIER" | json "d['items'][0]['id']")
  REQUIREMENT=$(curl -sf "http://127.0.0.1:$PORT/v1/requirements?limit=1" -H "authorization: Bearer $LARGE" | json "d['items'][0]['id']")
  # d answers a request still open (an accepted answer is final).
  OPEN_REQUEST=$(curl -sf "http://127.0.0.1:$PORT/v1/requests?limit=1&status=open" -H "authorization: Bearer $SUPPLIER" | json "d['items'][0]['id']")

  # Scenario a's call (the supplier reads one request), read alone, paced,
  # during logins and beside the idle hog.
  local read_request=(-H "authorization: Bearer $SUPPLIER" "http://127.0.0.1:$PORT/v1/requests/$REQUEST")
  echo "==> $ENGINE: scenarios"
  run_wrk healthz "http://127.0.0.1:$PORT/healthz"
  run_wrk a-read-request "${read_request[@]}"
  run_wrk b-list-requests -H "authorization: Bearer $SUPPLIER" "http://127.0.0.1:$PORT/v1/requests?limit=50"
  CONNECTIONS=2 run_wrk c-summary -H "authorization: Bearer $LARGE" "http://127.0.0.1:$PORT/v1/requirements/$REQUIREMENT/summary"
  # d: save and submit a 30-item answer (each call makes a new revision).
  curl -sf "http://127.0.0.1:$PORT/v1/requests/$OPEN_REQUEST/answer/template.csv" -H "authorization: Bearer $SUPPLIER" > "$OUT/template.csv"
  curl -sf "http://127.0.0.1:$PORT/v1/metrics?limit=200" -H "authorization: Bearer $SUPPLIER" > "$OUT/metrics.json"
  python3 bench/lib/answer_body.py "$OUT/template.csv" "$OUT/metrics.json" ghg.scope1 > "$OUT/answer.json"
  write_answer_lua "$OUT" "$SUPPLIER"
  CONNECTIONS=4 run_wrk d-save-submit -s "$OUT/answer.lua" "http://127.0.0.1:$PORT/v1/requests/$OPEN_REQUEST/answer"
  # f: scenario a while 8 clients log in continuously (wrk's login.lua).
  cat > "$OUT/login.lua" <<LUA
wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
wrk.body = '{"email":"bench-supplier-00002@tierlink.example","password":"$PASSWORD"}'
LUA
  # The target: a at a fixed pace — at most half its saturated rate (wrk's
  # delay(), whole milliseconds per connection) — alone and while 8 clients
  # log in: whether argon2 starves reads. Three interleaved pairs, so that
  # the machine's drift falls on both sides; the report takes the median
  # of the three ratios.
  local a_rate
  a_rate=$(awk -F'\t' -v engine="$ENGINE" '$1 == engine && $2 == "a-read-request" {print $3}' "$OUT/results.tsv")
  python3 -c "import math, sys; print('function delay() return %d end' % max(1, math.ceil(int(sys.argv[2]) * 1000 / (float(sys.argv[1]) / 2))))" \
    "$a_rate" "$CONNECTIONS" > "$OUT/paced.lua"
  # Each pair also runs a beside the idle hog (below): its context row, how
  # much of f any busy core accounts for on this machine.
  for pair in 1 2 3; do
    run_wrk "a-paced-$pair" -s "$OUT/paced.lua" "${read_request[@]}"
    beside_idle_hog "a-paced-beside-idle-hog-$pair" -s "$OUT/paced.lua" "${read_request[@]}"
    during_logins "f-logins-$pair" "f-during-logins-$pair" -s "$OUT/paced.lua" "${read_request[@]}"
  done
  # Context: the same at saturation (a's 16 connections flat out), and its
  # floor. A saturated p99 is how long a full run queue waits, and any
  # runnable process moves it, however little it runs.
  during_logins f-saturated-logins f-saturated-during-logins "${read_request[@]}"
  beside_idle_hog f-saturated-beside-idle-hog "${read_request[@]}"
  # e: one bulk submission of ~10,000 entries (334 requests × 30 items), one call at a time.
  curl -sf "http://127.0.0.1:$PORT/v1/metrics?limit=200" -H "authorization: Bearer $BULK" > "$OUT/metrics.json"
  python3 bench/lib/bulk_body.py "http://127.0.0.1:$PORT" "$BULK" "$OUT/metrics.json" "$OUT/bulk.json" "$OUT/$ENGINE-bulk-insert.sql" "$OUT/$ENGINE-bulk-insert-all.sql" > "$OUT/bulk-info.txt"
  ENTRIES=$(head -1 "$OUT/bulk-info.txt")
  BULK_IDS=$(sed -n 2p "$OUT/bulk-info.txt")
  echo "$ENGINE	e-entries	$ENTRIES" >> "$OUT/results.tsv"
  cat > "$OUT/bulk.lua" <<LUA
wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
wrk.headers["authorization"] = "Bearer $BULK"
local f = io.open("$OUT/bulk.json"); wrk.body = f:read("*a"); f:close()
LUA
  CONNECTIONS=1 DURATION=${BENCH_BULK_DURATION:-20s} run_wrk e-bulk-answer -s "$OUT/bulk.lua" "http://127.0.0.1:$PORT/v1/answers/bulk"
  echo "$ENGINE	peak_rss_kib	$(grep VmHWM /proc/$SERVER/status | awk '{print $2}')" >> "$OUT/results.tsv"
  kill -TERM $SERVER; wait $SERVER || true
  direct_ceilings
}

# The pool is sized for the cores (twice their number, the usual guidance
# for database pools): on two cores a pool of 16 kept 16 PostgreSQL backends
# runnable beside wrk and the server, and the run queue, not the queries,
# made a's and f's p99 (15-134 ms; 10-17 ms with 4).
POOL_SIZE=${BENCH_POOL_SIZE:-$(( 2 * $(nproc) ))}

start_server() {
  TIERLINK_DATABASE_URL=$URL TIERLINK_BIND=127.0.0.1:$PORT TIERLINK_LOG=warn TIERLINK_DATABASE_POOL_SIZE=$POOL_SIZE \
    TIERLINK_EVIDENCE_STORE=file://$OUT/evidence \
    TIERLINK_LOGIN_ATTEMPTS_PER_ACCOUNT_PER_MINUTE=100000000 TIERLINK_LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE=100000000 \
    "$BIN" serve > "$OUT/$ENGINE-server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
}

# PostgreSQL: the very statements a and b issue, taken from the server log
# of one call each (log_statement = all on the bench database, for this
# call only), become the pgbench scripts of their ceilings.
capture_pg_statements() {
  psql "$PG_ADMIN" -qc "ALTER DATABASE tierlink_bench SET log_statement = 'all'"
  start_server
  local supplier request
  supplier=$(login bench-supplier-00001@tierlink.example)
  request=$(curl -sf "http://127.0.0.1:$PORT/v1/requests?limit=1" -H "authorization: Bearer $supplier" | json "d['items'][0]['id']")
  for scenario in a b; do
    psql "$URL" -qc "SELECT 'bench-marker $scenario start'" >/dev/null
    if [ $scenario = a ]; then path="/v1/requests/$request"; else path="/v1/requests?limit=50"; fi
    curl -sf "http://127.0.0.1:$PORT$path" -H "authorization: Bearer $supplier" >/dev/null
    psql "$URL" -qc "SELECT 'bench-marker $scenario end'" >/dev/null
  done
  kill -TERM $SERVER; wait $SERVER || true
  psql "$PG_ADMIN" -qc "ALTER DATABASE tierlink_bench RESET log_statement"
  for scenario in a b; do
    python3 bench/lib/capture_pg.py "$PG_LOG" "bench-marker $scenario start" "bench-marker $scenario end" > "$OUT/postgres-$scenario.sql"
  done
}

direct_ceilings() {
  sed -e "s/:requirement/$REQUIREMENT/g" -e "s/:numeric/$([ "$ENGINE" = postgres ] && echo NUMERIC || echo REAL)/g" \
    bench/lib/summary.sql > "$OUT/$ENGINE-summary.sql"
  local ids="'$(echo "$BULK_IDS" | sed "s/,/','/g")'"
  local clear="DELETE FROM answer_drafts WHERE request_id IN ($ids)"
  # The context ceiling's rows: its revisions are numbered 1,000,000.
  local clear_entries="DELETE FROM answer_revision_entries WHERE revision = 1000000 AND request_id IN ($ids)"
  local clear_revisions="DELETE FROM answer_revisions WHERE revision = 1000000 AND request_id IN ($ids)"
  if [ "$ENGINE" = postgres ]; then
    for scenario in a b; do
      if [ -s "$OUT/postgres-$scenario.sql" ]; then
        pgbench -n -c"$CONNECTIONS" -j2 -T"${DURATION%s}" -f "$OUT/postgres-$scenario.sql" "$URL" > "$OUT/postgres-pgbench-$scenario.txt" 2>&1 || true
        echo "postgres	pgbench-$scenario-tps	$(grep -oP 'tps = \K[\d.]+' "$OUT/postgres-pgbench-$scenario.txt" | head -1)" >> "$OUT/results.tsv"
      fi
    done
    pgbench -n -c1 -T"${DURATION%s}" -f "$OUT/postgres-summary.sql" "$URL" > "$OUT/postgres-pgbench-c.txt" 2>&1 || true
    echo "postgres	direct-c-ms	$(grep -oP 'latency average = \K[\d.]+' "$OUT/postgres-pgbench-c.txt" | head -1)" >> "$OUT/results.tsv"
    # e: the same rows as multi-row INSERTs in one committed transaction
    # (the drafts cleared first, untimed), best of ten: single tries on this
    # shared machine scattered by up to half.
    for variant in "" "-all"; do
      local clears="$clear; $clear_entries; $clear_revisions;"
      { echo '\timing on'; for _ in $(seq 1 10); do echo "$clears"; echo "SELECT 'bench-insert-start';"; echo "BEGIN;"; cat "$OUT/postgres-bulk-insert$variant.sql"; echo "COMMIT;"; echo "SELECT 'bench-insert-end';"; done; echo "$clears"; } > "$OUT/postgres-direct-e$variant.sql"
      psql "$URL" -q -f "$OUT/postgres-direct-e$variant.sql" > "$OUT/postgres-direct-e$variant.txt" 2>&1 || true
      python3 - "$OUT/postgres-direct-e$variant.txt" "$ENTRIES" "$variant" >> "$OUT/results.tsv" <<'PY'
import re, sys
text, rows = open(sys.argv[1]).read(), int(sys.argv[2])
runs = []
for block in text.split("bench-insert-start")[1:]:
    block = block.split("bench-insert-end")[0]
    times = [float(t) for t in re.findall(r"Time: ([\d.]+) ms", block)]
    runs.append(sum(times[1:]))  # the first is the start marker's own
best = min(runs) if runs else float("nan")
print(f"postgres\tdirect-e{sys.argv[3]}-rows-per-s\t{rows / (best / 1000):.0f}")
PY
    done
  else
    echo "sqlite	direct-a-per-s	$(python3 bench/lib/direct.py read "$OUT/sqlite/tierlink.db" "$OUT/read-request.sql")" >> "$OUT/results.tsv"
    echo "sqlite	direct-c-ms	$(python3 bench/lib/direct.py aggregate "$OUT/sqlite/tierlink.db" "$OUT/sqlite-summary.sql")" >> "$OUT/results.tsv"
    echo "sqlite	direct-e-rows-per-s	$(python3 bench/lib/direct.py insert "$OUT/sqlite/tierlink.db" "$OUT/sqlite-bulk-insert.sql" "$ENTRIES" "$clear")" >> "$OUT/results.tsv"
    echo "sqlite	direct-e-kept-rows-per-s	$(python3 bench/lib/direct.py insert-kept "$OUT/sqlite/tierlink.db" "$OUT/sqlite-bulk-insert.sql" "$ENTRIES" "$clear")" >> "$OUT/results.tsv"
    echo "sqlite	direct-e-all-rows-per-s	$(python3 bench/lib/direct.py insert "$OUT/sqlite/tierlink.db" "$OUT/sqlite-bulk-insert-all.sql" "$ENTRIES" "$clear" "$clear_entries" "$clear_revisions")" >> "$OUT/results.tsv"
  fi
}

: > "$OUT/results.tsv"
: > "$OUT/memory.tsv"
rm -rf "$OUT/sqlite" "$OUT/evidence"; mkdir -p "$OUT/sqlite"
# SQLite's direct read (an approximation of a's statements, for scale: the
# SQLite targets are set against /healthz).
cat > "$OUT/read-request.sql" <<'SQL'
SELECT role, disabled_at FROM users WHERE email_normalised = 'bench-supplier-00001@tierlink.example';
SELECT * FROM requests WHERE id = (SELECT MIN(id) FROM requests WHERE supplier_org_id = (SELECT org_id FROM users WHERE email = 'bench-supplier-00001@tierlink.example'));
SELECT * FROM request_items WHERE request_id = (SELECT MIN(id) FROM requests WHERE supplier_org_id = (SELECT org_id FROM users WHERE email = 'bench-supplier-00001@tierlink.example')) ORDER BY position;
SELECT id, name, country FROM organisations WHERE id = (SELECT org_id FROM users WHERE email = 'bench-large@tierlink.example');
SQL
case " $ENGINES " in *" sqlite "*) bench_engine sqlite "sqlite://$OUT/sqlite/tierlink.db" ;; esac

case " $ENGINES " in *" postgres "*)
  psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS tierlink_bench" -c "CREATE DATABASE tierlink_bench"
  PG_URL=$(python3 -c "import sys; u=sys.argv[1]; print(u.rsplit('/',1)[0] + '/tierlink_bench')" "$PG_ADMIN")
  bench_engine postgres "$PG_URL" ;;
esac

echo "==> results (engine, scenario, value, p50 ms, p99 ms, errors)"
cat "$OUT/results.tsv"
echo "==> report"
python3 bench/lib/report.py "$OUT/results.tsv" | tee "$OUT/report.md"
echo "==> server memory after each scenario"
cat "$OUT/memory.tsv"
