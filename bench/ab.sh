#!/usr/bin/env bash
# bench/ab.sh ENGINE VARIANT: after bench/run.sh, on its seeded database
# (ENGINE sqlite or postgres), a server
# (VARIANT: default | normal-hashing (argon2 threads reset to SCHED_OTHER)), then
# a at saturation while 8 clients log in, and the real traffic; prints
# readers req/s p99 and the server's VmHWM.
set -euo pipefail
cd "$(dirname "$0")/.."
ENGINE=$1 VARIANT=$2 OUT=bench/out D=${D:-10s}
if [ "$ENGINE" = sqlite ]; then URL="sqlite://$OUT/sqlite/tierlink.db"; else URL=postgres://postgres@127.0.0.1:5432/tierlink_bench; fi
env TIERLINK_DATABASE_URL="$URL" TIERLINK_BIND=127.0.0.1:18181 TIERLINK_LOG=warn TIERLINK_DATABASE_POOL_SIZE=4 \
  TIERLINK_EVIDENCE_STORE="file://$OUT/evidence" TIERLINK_DATA_DIR="$OUT/data" \
  TIERLINK_LOGIN_ATTEMPTS_PER_ACCOUNT_PER_MINUTE=100000000 TIERLINK_LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE=100000000 \
  target/release/tierlink serve > /tmp/ab-server.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18181/readyz >/dev/null && break; sleep 0.1; done
if [ "$VARIANT" = normal-hashing ]; then
  for t in /proc/$pid/task/*; do
    if grep -q '^argon2' "$t/comm"; then chrt -o -p 0 "${t##*/}"; fi
  done
fi
grep -l '^argon2' /proc/$pid/task/*/comm | while read -r c; do t=${c%/comm}; echo -n "$(cat $c):$(awk '{print $41}' $t/stat) "; done; echo
S=$OUT/ab-$ENGINE; mkdir -p $S
[ -s $S/readers.lua ] && [ $(( $(date +%s) - $(stat -c %Y $S/readers.lua) )) -lt 600 ] || \
  python3 bench/lib/traffic_setup.py http://127.0.0.1:18181 "bench password 123" ${SUPPLIERS:-300} 10 50 2 $S >/dev/null
TOKEN=$(curl -s -X POST http://127.0.0.1:18181/v1/auth/login -H 'content-type: application/json' -d '{"email":"bench-supplier-00001@tierlink.example","password":"bench password 123"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
ID=$(curl -s "http://127.0.0.1:18181/v1/requests?limit=1" -H "authorization: Bearer $TOKEN" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
cat > /tmp/ab-login.lua <<LUA
wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
wrk.body = '{"email":"bench-supplier-00002@tierlink.example","password":"bench password 123"}'
LUA
wrk -t1 -c8 -d$D --latency -s /tmp/ab-login.lua http://127.0.0.1:18181/v1/auth/login > /tmp/ab-l.txt 2>&1 &
l=$!
wrk -t2 -c16 -d$D --latency -H "authorization: Bearer $TOKEN" http://127.0.0.1:18181/v1/requests/$ID > /tmp/ab-a.txt 2>&1
wait $l || true
wrk -t1 -c8 -d$D --latency -s $S/writers.lua http://127.0.0.1:18181 > /tmp/ab-w.txt 2>&1 &
w=$!
wrk -t1 -c2 -d$D --latency -s $S/logins.lua http://127.0.0.1:18181 > /tmp/ab-tl.txt 2>&1 &
tl=$!
wrk -t2 -c16 -d$D --latency -s $S/readers.lua http://127.0.0.1:18181 > /tmp/ab-r.txt 2>&1
wait $w $tl || true
r() { awk '/Requests\/sec/ {printf "%.0f", $2}' $1; }
p() { awk '$1=="99%" {print $2}' $1; }
echo "$ENGINE $VARIANT | a-during-logins $(r /tmp/ab-a.txt)/s p99 $(p /tmp/ab-a.txt) logins $(r /tmp/ab-l.txt)/s | traffic readers $(r /tmp/ab-r.txt)/s p99 $(p /tmp/ab-r.txt) | $(grep VmHWM /proc/$pid/status | tr -s ' ')"
