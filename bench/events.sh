#!/usr/bin/env bash
# The events benchmarks (issue 18), on SQLite and PostgreSQL:
#  1. the outbox's share of a submission: submissions per second (scenario
#     d of run.sh, but with new values each call, so each makes a revision
#     and an event: save and submit a 30-item answer, 4 connections) beside
#     the events per second `tierlink-devtools outbox` records for the same
#     request alone (one per transaction, 4 threads). Their ratio is the
#     share of a submission's time its event takes (target <= 0.15). The
#     outbox alone pays a commit per event, which a submission shares with
#     its other writes, so the ratio overstates the cost.
#  2. webhook delivery latency from commit to a receiver on 127.0.0.1,
#     with answer.submitted made at 100 per second (target: p99 < 1 s).
# Usage: bash bench/events.sh   (BENCH_ENGINES="sqlite" or "postgres" for one;
# BENCH_SKIP_BUILD=1 uses the release binaries as they are)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib/answer_lua.sh

DURATION=${BENCH_DURATION:-10}
ENGINES=${BENCH_ENGINES:-sqlite postgres}
PG_ADMIN=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
RATE=${BENCH_EVENT_RATE:-100}
PORT=18182
OUT=bench/out/events
PASSWORD="bench password 123"
mkdir -p "$OUT"
command -v wrk >/dev/null 2>&1 || { echo "installing wrk"; (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >/dev/null; }

if [ "${BENCH_SKIP_BUILD:-}" != 1 ]; then  # 1: use the release binaries as they are
  echo "==> building the release binaries"
  cargo build --release --locked --bin tierlink >/dev/null
  cargo build --release --locked -p tierlink-devtools --bin tierlink-devtools >/dev/null
fi
BIN=${CARGO_TARGET_DIR:-target}/release/tierlink
DEVTOOLS=${CARGO_TARGET_DIR:-target}/release/tierlink-devtools

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {'d': d}))" "$1"; }
login() {
  curl -sf -X POST "http://127.0.0.1:$PORT/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"$PASSWORD\"}" | json "d['access_token']"
}
start_server() {
  TIERLINK_DATABASE_URL=$URL TIERLINK_BIND=127.0.0.1:$PORT TIERLINK_LOG=warn \
    TIERLINK_EVIDENCE_STORE=file://$OUT/evidence TIERLINK_WEBHOOK_ALLOW_PRIVATE=true \
    TIERLINK_LOGIN_ATTEMPTS_PER_ACCOUNT_PER_MINUTE=100000000 \
    "$BIN" serve > "$OUT/$ENGINE-server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
}
stop_server() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; }

: > "$OUT/results.tsv"
for ENGINE in $ENGINES; do
  if [ "$ENGINE" = postgres ]; then
    psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS tierlink_bench_events WITH (FORCE)" -c "CREATE DATABASE tierlink_bench_events"
    URL="${PG_ADMIN%/*}/tierlink_bench_events"
  else
    rm -f "$OUT"/events.db*
    URL="sqlite://$OUT/events.db"
  fi
  echo "==> $ENGINE: seeding a small chain"
  TIERLINK_DATABASE_URL=$URL TIERLINK_LOG=warn "$DEVTOOLS" seed --tier1 200 --tier2 1000 --requirements 4 > "$OUT/$ENGINE-seed.txt"
  start_server
  SUPPLIER=$(login bench-supplier-00001@tierlink.example)
  LARGE=$(login bench-large@tierlink.example)
  ACTOR="user:$(curl -sf "http://127.0.0.1:$PORT/v1/me" -H "authorization: Bearer $SUPPLIER" | json "d['user_id']")"
  OPEN_REQUEST=$(curl -sf "http://127.0.0.1:$PORT/v1/requests?limit=1&status=open" -H "authorization: Bearer $SUPPLIER" | json "d['items'][0]['id']")
  curl -sf "http://127.0.0.1:$PORT/v1/requests/$OPEN_REQUEST/answer/template.csv" -H "authorization: Bearer $SUPPLIER" > "$OUT/template.csv"
  curl -sf "http://127.0.0.1:$PORT/v1/metrics?limit=200" -H "authorization: Bearer $SUPPLIER" > "$OUT/metrics.json"
  python3 bench/lib/answer_body.py "$OUT/template.csv" "$OUT/metrics.json" ghg.scope1 > "$OUT/answer.json"
  write_answer_lua "$OUT" "$SUPPLIER" || exit 1
  echo "==> $ENGINE: submissions (wrk, 4 connections, ${DURATION}s)"
  wrk -t2 -c4 -d"${DURATION}s" --timeout 60s --latency -s "$OUT/answer.lua" \
    "http://127.0.0.1:$PORT/v1/requests/$OPEN_REQUEST/answer" > "$OUT/$ENGINE-submit.txt"
  SUBMITS=$(awk '/Requests\/sec/ {print $2}' "$OUT/$ENGINE-submit.txt")
  NON2XX=$(awk '/Non-2xx/ {print $5}' "$OUT/$ENGINE-submit.txt"); NON2XX=${NON2XX:-0}
  echo "==> $ENGINE: webhook latency at $RATE events/s for ${DURATION}s"
  LATENCY=$(python3 bench/lib/webhook_latency.py "http://127.0.0.1:$PORT" "$LARGE" "$SUPPLIER" "$OPEN_REQUEST" "$OUT/answer.json" "$RATE" "$DURATION")
  echo "$LATENCY"
  stop_server
  echo "==> $ENGINE: the outbox alone (4 threads, ${DURATION}s)"
  OUTBOX=$(TIERLINK_DATABASE_URL=$URL TIERLINK_LOG=warn "$DEVTOOLS" outbox --request "$OPEN_REQUEST" --actor "$ACTOR" --threads 4 --seconds "$DURATION")
  echo "$OUTBOX"
  printf '%s\t%s\t%s\t%s\t%s\n' "$ENGINE" "$SUBMITS" "$NON2XX" "${OUTBOX%% *}" "$LATENCY" >> "$OUT/results.tsv"
done

echo
echo "| Engine | submits/s (d, 4 conn.) | outbox alone, events/s | outbox share of a submit | delivery p50 / p99 / max ms at the pace | events made / delivered |"
echo "|---|---:|---:|---:|---|---|"
while IFS=$'\t' read -r engine submits non2xx outbox latency; do
  python3 - "$engine" "$submits" "$non2xx" "$outbox" "$latency" <<'PY'
import json, sys
engine, submits, non2xx, outbox, latency = sys.argv[1:6]
l = json.loads(latency)
share = float(submits) / float(outbox)
print(f"| {engine} | {float(submits):,.0f} (non-2xx: {non2xx}) | {float(outbox):,.0f} | {share:.3f} {'met' if share <= 0.15 else 'MISSED'} (<= 0.15) "
      f"| {l['p50_ms']} / {l['p99_ms']} / {l['max_ms']} at {l['events_per_second']}/s, {'met' if l['p99_ms'] is not None and l['p99_ms'] < 1000 and l['delivered'] == l['made'] else 'MISSED'} (p99 < 1000) "
      f"| {l['made']} / {l['delivered']} (failed calls: {l['failed_calls']}) |")
PY
done < "$OUT/results.tsv"
