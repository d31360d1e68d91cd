#!/usr/bin/env bash
# Benchmarks: seeds the benchmark chain on SQLite and PostgreSQL (with
# `tierlink-devtools seed`, built here beside the release server) and runs,
# with wrk against the release server on this machine:
#   healthz, a (read one request), b (list 50), c (requirement summary),
#   d (save + submit), a while 8 clients log in (context), e (bulk answer);
#   on SQLite /healthz and a again with the account cache off;
#   the real traffic of bench/lib/traffic.sh with the account cache on and off,
#   and on PostgreSQL also on two servers behind HAProxy (round-robin);
# then the ceilings (pgbench's primary-key lookup on `requests`, the summary
# as one SQL aggregate, the bulk rows inserted directly) and the report of
# bench/lib/report.py.
# Usage: bash bench/run.sh [--quick]     (--quick: a smaller chain, shorter runs)
# BENCH_ENGINES="sqlite" (or "postgres") runs one engine only; the report
# then covers that engine. BENCH_SKIP_BUILD=1 uses the release binaries
# as they are (no cargo).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib/answer_lua.sh
source bench/lib/traffic.sh

QUICK=${1:-}
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
ENGINES=${BENCH_ENGINES:-sqlite postgres}
PG_ADMIN=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
PORT=18181
PORT2=18183
OUT=bench/out
# 334 extra requests of 30 items for one supplier: scenario e's 10,020 entries.
SEED_ARGS=(--bulk-requests 334)
if [ "$QUICK" = "--quick" ]; then
  DURATION=3s
  SEED_ARGS=(--tier1 200 --tier2 1000 --requirements 4 --bulk-requests 40)
  TRAFFIC_SUPPLIERS=${BENCH_TRAFFIC_SUPPLIERS:-150}
fi
mkdir -p "$OUT"

need() { command -v "$1" >/dev/null 2>&1 || { echo "installing $2"; (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2") >/dev/null; }; }
need wrk wrk
need sqlite3 sqlite3
need pgbench postgresql-contrib
need haproxy haproxy
need socat socat

if [ "${BENCH_SKIP_BUILD:-}" != 1 ]; then
  echo "==> building the release binaries"
  # The server exactly as production builds it, then the seed's own binary
  # (crates/devtools: the fixed password below is only in that one).
  cargo build --release --locked --bin tierlink >/dev/null
  cargo build --release --locked -p tierlink-devtools --bin tierlink-devtools >/dev/null
fi
BIN=${CARGO_TARGET_DIR:-target}/release/tierlink
DEVTOOLS=${CARGO_TARGET_DIR:-target}/release/tierlink-devtools
PASSWORD="bench password 123"

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {'d': d}))" "$1"; }

login() {
  local answer
  answer=$(curl -sf -X POST "http://127.0.0.1:$PORT/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"$PASSWORD\"}") \
    || { echo "login as $1 failed: see $OUT/$ENGINE-server.log" >&2; return 1; }
  json "d['access_token']" <<< "$answer"
}

# first_id PATH TOKEN: the id of the first item of a page.
first_id() {
  local page
  page=$(curl -sf "http://127.0.0.1:$PORT$1" -H "authorization: Bearer $2") \
    || { echo "GET $1 failed: see $OUT/$ENGINE-server.log" >&2; return 1; }
  json "d['items'][0]['id']" <<< "$page"
}

# The pool is sized for the cores (twice their number, the usual guidance
# for database pools): on two cores a pool of 16 kept 16 PostgreSQL backends
# runnable beside wrk and the server, and the run queue, not the queries,
# made a's p99 (15-134 ms; 10-17 ms with 4).
POOL_SIZE=${BENCH_POOL_SIZE:-$(( 2 * $(nproc) ))}

# Servers this script started (stopped on exit), and the engine's peak
# resident memory over all of them.
SERVERS=()
HAPROXY=
PEAK_KIB=0
cleanup() {
  local pid
  for pid in "${SERVERS[@]}" $HAPROXY; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# start_server NAME PORT [VAR=VALUE…]: the release server on PORT with the
# bench's settings (and VAR=VALUE), its log in $OUT/$ENGINE-NAME.log. The
# signing key is kept in $OUT/data, so tokens outlive a server and every
# server of a run accepts them. Login throttles are lifted: the scenarios
# sign in far more often than one person would.
start_server() {
  local name=$1 port=$2; shift 2
  if curl -s -o /dev/null "http://127.0.0.1:$port/"; then echo "port $port is already taken"; return 1; fi
  env TIERLINK_DATABASE_URL="$URL" TIERLINK_BIND="127.0.0.1:$port" TIERLINK_LOG=warn TIERLINK_DATABASE_POOL_SIZE="$POOL_SIZE" \
    TIERLINK_EVIDENCE_STORE="file://$OUT/evidence" TIERLINK_DATA_DIR="$OUT/data" \
    TIERLINK_LOGIN_ATTEMPTS_PER_ACCOUNT_PER_MINUTE=100000000 TIERLINK_LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE=100000000 \
    "$@" "$BIN" serve > "$OUT/$ENGINE-$name.log" 2>&1 &
  SERVER=$!
  SERVERS+=("$SERVER")
  for _ in $(seq 1 100); do
    kill -0 "$SERVER" 2>/dev/null || break
    curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && return
    sleep 0.1
  done
  echo "the server on port $port did not get ready: see $OUT/$ENGINE-$name.log"; return 1
}

# stop_servers: stops every server started, noting their peak memory.
stop_servers() {
  local pid kib
  for pid in "${SERVERS[@]}"; do
    kib=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    PEAK_KIB=$(( ${kib:-0} > PEAK_KIB ? ${kib:-0} : PEAK_KIB ))
    kill -TERM "$pid" 2>/dev/null || true; wait "$pid" || true
  done
  SERVERS=()
}

# record_memory NAME: each running server's high-water mark and resident
# memory after scenario NAME (where the peak was reached).
record_memory() {
  local pid n=0 line="$ENGINE	$1	"
  for pid in "${SERVERS[@]}"; do
    n=$((n + 1))
    [ ${#SERVERS[@]} -gt 1 ] && line+="r$n: "
    line+=$(grep -E 'VmHWM|VmRSS' "/proc/$pid/status" | awk '{printf "%s %s MiB  ", $1, int($2/1024)}')
  done
  echo "$line" >> "$OUT/memory.tsv"
}

# wrk prints latency percentiles with --latency; we keep requests/s, p50, p99 and errors.
run_wrk() {
  local name=$1; shift
  local threads=$(( CONNECTIONS < 2 ? 1 : 2 ))
  wrk -t"$threads" -c"$CONNECTIONS" -d"$DURATION" --timeout 60s --latency "$@" > "$OUT/$ENGINE-$name.txt" 2>&1 || true
  python3 bench/lib/wrk_summary.py "$OUT/$ENGINE-$name.txt" "$ENGINE" "$name" >> "$OUT/results.tsv"
  record_memory "$name"
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

bench_engine() {
  ENGINE=$1 URL=$2
  PEAK_KIB=0
  echo "==> $ENGINE: seeding"
  local started=$(date +%s)
  TIERLINK_DATABASE_URL=$URL TIERLINK_LOG=warn "$DEVTOOLS" seed "${SEED_ARGS[@]}" > "$OUT/$ENGINE-seed.txt"
  add_supplier_users
  echo "seeded in $(( $(date +%s) - started ))s: $(head -1 "$OUT/$ENGINE-seed.txt")"
  # Start every engine's scenarios from a settled database, as pgbench
  # does: the seed's writes vacuumed, analysed and checkpointed now rather
  # than by autovacuum and a WAL-triggered checkpoint in the middle of a
  # scenario (which gave PostgreSQL p99s of 300-900 ms in c).
  started=$(date +%s)
  if [ "$ENGINE" = postgres ]; then
    psql "$URL" -qc "VACUUM (ANALYZE)" -c "CHECKPOINT"
  else
    sqlite3 "${URL#sqlite://}" "PRAGMA wal_checkpoint(TRUNCATE);" > /dev/null
  fi
  echo "settled in $(( $(date +%s) - started ))s"
  start_server server "$PORT"
  SUPPLIER=$(login bench-supplier-00001@tierlink.example)
  LARGE=$(login bench-large@tierlink.example)
  BULK=$(login bench-supplier-00016@tierlink.example)
  REQUEST=$(first_id "/v1/requests?limit=1" "$SUPPLIER")
  REQUIREMENT=$(first_id "/v1/requirements?limit=1" "$LARGE")
  # d answers a request still open (an accepted answer is final).
  OPEN_REQUEST=$(first_id "/v1/requests?limit=1&status=open" "$SUPPLIER")

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
  # Context: a at saturation while 8 clients log in continuously.
  cat > "$OUT/login.lua" <<LUA
wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
wrk.body = '{"email":"bench-supplier-00002@tierlink.example","password":"$PASSWORD"}'
LUA
  during_logins logins-during-a a-during-logins "${read_request[@]}"
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
  stop_servers
  if [ "$ENGINE" = sqlite ]; then
    # SQLite's target: a with the account cache off, against /healthz
    # measured on the same server just before it: this machine's ceiling
    # drifts by a third within the hour, so the two run side by side.
    start_server server-cache-off "$PORT" TIERLINK_ACCOUNT_CACHE_ENTRIES=0
    run_wrk healthz-cache-off "http://127.0.0.1:$PORT/healthz"
    run_wrk a-read-request-cache-off "${read_request[@]}"
    stop_servers
  fi
  traffic_all
  echo "$ENGINE	peak_rss_kib	$PEAK_KIB" >> "$OUT/results.tsv"
  direct_ceilings
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
    # a's and b's ceiling: one primary-key lookup of the request a reads,
    # at a's concurrency and for as long.
    echo "SELECT * FROM requests WHERE id = '$REQUEST';" > "$OUT/postgres-pk.sql"
    pgbench -n -c"$CONNECTIONS" -j2 -T"${DURATION%s}" -f "$OUT/postgres-pk.sql" "$URL" > "$OUT/postgres-pgbench-pk.txt" 2>&1 || true
    echo "postgres	pgbench-pk-tps	$(grep -oP 'tps = \K[\d.]+' "$OUT/postgres-pgbench-pk.txt" | head -1)" >> "$OUT/results.tsv"
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
rm -rf "$OUT/sqlite" "$OUT/evidence" "$OUT"/traffic-*; mkdir -p "$OUT/sqlite"
# SQLite's direct read (an approximation of a's statements, for scale).
cat > "$OUT/read-request.sql" <<'SQL'
SELECT role, disabled_at FROM users WHERE email_normalised = 'bench-supplier-00001@tierlink.example';
SELECT * FROM requests WHERE id = (SELECT MIN(id) FROM requests WHERE supplier_org_id = (SELECT org_id FROM users WHERE email = 'bench-supplier-00001@tierlink.example'));
SELECT id, name, country FROM organisations WHERE id = (SELECT org_id FROM users WHERE email = 'bench-large@tierlink.example');
SQL
case " $ENGINES " in *" sqlite "*) bench_engine sqlite "sqlite://$OUT/sqlite/tierlink.db" ;; esac

case " $ENGINES " in *" postgres "*)
  psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS tierlink_bench WITH (FORCE)" -c "CREATE DATABASE tierlink_bench"
  PG_URL=$(python3 -c "import sys; u=sys.argv[1]; print(u.rsplit('/',1)[0] + '/tierlink_bench')" "$PG_ADMIN")
  bench_engine postgres "$PG_URL" ;;
esac

echo "==> results (engine, scenario, value, p50 ms, p99 ms, errors)"
cat "$OUT/results.tsv"
echo "==> report"
python3 bench/lib/report.py "$OUT/results.tsv" | tee "$OUT/report.md"
echo "==> server memory after each scenario"
cat "$OUT/memory.tsv"
