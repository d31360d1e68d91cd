# The real-traffic scenario and its round-robin, sourced by bench/run.sh
# (which defines OUT, ENGINE, DURATION, CONNECTIONS, PASSWORD, URL and
# start_server/stop_servers).
#
# Readers (hundreds of suppliers, each reading its own requests; wrk flat
# out on $CONNECTIONS connections), writers (saves and now and then a
# submit to other suppliers' open requests, $TRAFFIC_WRITE_RATE a second in
# all) and sign-ins ($TRAFFIC_LOGIN_RATE a second) at once; each class is a
# results row of its own. See bench/lib/traffic_setup.py.

TRAFFIC_SUPPLIERS=${BENCH_TRAFFIC_SUPPLIERS:-300}
TRAFFIC_WRITERS=${BENCH_TRAFFIC_WRITERS:-10}
TRAFFIC_WRITE_RATE=${BENCH_TRAFFIC_WRITE_RATE:-50}
TRAFFIC_LOGIN_RATE=${BENCH_TRAFFIC_LOGIN_RATE:-2}
HAPROXY_PORT=18190

# add_supplier_users: a login for each of the first $TRAFFIC_SUPPLIERS
# tier-1s (the seed makes 16); run on the seeded database, server stopped.
add_supplier_users() {
  local sql
  sql=$(sed "s/:last/$(printf 'Bench Supplier %05d' "$TRAFFIC_SUPPLIERS")/" bench/lib/supplier_users.sql)
  if [ "$ENGINE" = postgres ]; then
    psql "$URL" -q -v ON_ERROR_STOP=1 <<< "$sql"
  else
    sqlite3 -bail "${URL#sqlite://}" <<< "$sql"
  fi
}

# traffic_prepare BASE_URL: logs the suppliers in and writes the wrk scripts
# into $OUT/traffic-$ENGINE (the tokens serve every later run: replicas
# share the signing key through $OUT/data).
traffic_prepare() {
  echo "traffic: $(python3 bench/lib/traffic_setup.py "$1" "$PASSWORD" "$TRAFFIC_SUPPLIERS" "$TRAFFIC_WRITERS" \
    "$TRAFFIC_WRITE_RATE" "$TRAFFIC_LOGIN_RATE" "$OUT/traffic-$ENGINE")"
}

# traffic_run NAME BASE_URL: the three classes at once for $DURATION; rows
# NAME-readers, NAME-writers and NAME-logins.
traffic_run() {
  local name=$1 base=$2 scripts=$OUT/traffic-$ENGINE
  wrk -t1 -c8 -d"$DURATION" --timeout 60s --latency -s "$scripts/writers.lua" "$base" > "$OUT/$ENGINE-$name-writers.txt" 2>&1 &
  local writers=$!
  wrk -t1 -c2 -d"$DURATION" --timeout 60s --latency -s "$scripts/logins.lua" "$base" > "$OUT/$ENGINE-$name-logins.txt" 2>&1 &
  local logins=$!
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 60s --latency -s "$scripts/readers.lua" "$base" > "$OUT/$ENGINE-$name-readers.txt" 2>&1 || true
  wait $writers $logins || true
  for class in readers writers logins; do
    python3 bench/lib/wrk_summary.py "$OUT/$ENGINE-$name-$class.txt" "$ENGINE" "$name-$class" >> "$OUT/results.tsv"
  done
  record_memory "$name"
}

# start_haproxy PORT…: HAProxy on $HAPROXY_PORT, round-robin per request
# over the servers on PORT…, marking each answer with the server that gave
# it (x-served-by); stats on $OUT/haproxy.sock.
start_haproxy() {
  local servers="" n=0
  for port in "$@"; do n=$((n + 1)); servers+="    server r$n 127.0.0.1:$port"$'\n'; done
  cat > "$OUT/haproxy.cfg" <<CFG
global
    nbthread 1
    maxconn 4096
    stats socket $PWD/$OUT/haproxy.sock mode 600 level user

defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s

frontend bench
    bind 127.0.0.1:$HAPROXY_PORT
    default_backend tierlink

backend tierlink
    balance roundrobin
    http-response set-header x-served-by %[srv_name]
$servers
CFG
  haproxy -c -q -f "$OUT/haproxy.cfg"
  haproxy -db -f "$OUT/haproxy.cfg" > "$OUT/haproxy.log" 2>&1 &
  HAPROXY=$!
  for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$HAPROXY_PORT/healthz" >/dev/null && return; sleep 0.1; done
  echo "haproxy did not start: $(cat "$OUT/haproxy.log")"; return 1
}

stop_haproxy() { kill "$HAPROXY" 2>/dev/null || true; wait "$HAPROXY" 2>/dev/null || true; HAPROXY=; }

# haproxy_alternation NAME: six calls on one kept-alive connection; the
# row NAME holds the servers that answered them in order and how many
# connections curl opened (1: the calls alternate within a connection).
haproxy_alternation() {
  local url=http://127.0.0.1:$HAPROXY_PORT/healthz order connections
  curl -sv -o /dev/null -o /dev/null -o /dev/null -o /dev/null -o /dev/null -o /dev/null \
    "$url" "$url" "$url" "$url" "$url" "$url" 2> "$OUT/$ENGINE-$1.txt" || true
  order=$(grep -i '^< x-served-by:' "$OUT/$ENGINE-$1.txt" | awk '{printf "%s ", $3}' | tr -d '\r')
  connections=$(grep -c '^\* Connected to' "$OUT/$ENGINE-$1.txt" || true)
  echo "$ENGINE	$1	${order% }, $connections connection(s)" >> "$OUT/results.tsv"
}

# haproxy_split NAME: requests each server answered so far (HAProxy's own
# count) as the row NAME.
haproxy_split() {
  echo "show stat" | socat stdio "UNIX-CONNECT:$OUT/haproxy.sock" > "$OUT/$ENGINE-$1.csv"
  echo "$ENGINE	$1	$(python3 -c "
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]).read().lstrip('# ').splitlines()))
print(', '.join(f\"{r['svname']} {int(r['hrsp_1xx'] or 0) + int(r['hrsp_2xx'] or 0) + int(r['hrsp_3xx'] or 0) + int(r['hrsp_4xx'] or 0) + int(r['hrsp_5xx'] or 0)}\"
                for r in rows if r['pxname'] == 'tierlink' and r['svname'] not in ('BACKEND',)))
" "$OUT/$ENGINE-$1.csv")" >> "$OUT/results.tsv"
}

# traffic_all: the scenario with the account cache on and off; on PostgreSQL
# also on two servers behind HAProxy. Starts and stops its own servers.
traffic_all() {
  echo "==> $ENGINE: real traffic ($TRAFFIC_SUPPLIERS suppliers)"
  local cache
  for cache in on off; do
    local cache_env=()
    [ $cache = off ] && cache_env=(TIERLINK_ACCOUNT_CACHE_ENTRIES=0)
    start_server "server-traffic-cache-$cache" "$PORT" "${cache_env[@]}"
    [ -s "$OUT/traffic-$ENGINE/readers.lua" ] || traffic_prepare "http://127.0.0.1:$PORT"
    traffic_run "traffic-cache-$cache" "http://127.0.0.1:$PORT"
    stop_servers
  done
  [ "$ENGINE" = postgres ] || return 0
  for cache in on off; do
    local cache_env=()
    [ $cache = off ] && cache_env=(TIERLINK_ACCOUNT_CACHE_ENTRIES=0)
    start_server "server-replica-1-cache-$cache" "$PORT" "${cache_env[@]}"
    start_server "server-replica-2-cache-$cache" "$PORT2" "${cache_env[@]}"
    start_haproxy "$PORT" "$PORT2"
    haproxy_alternation "haproxy-one-connection-cache-$cache"
    traffic_run "traffic-2-replicas-cache-$cache" "http://127.0.0.1:$HAPROXY_PORT"
    haproxy_split "traffic-2-replicas-cache-$cache-split"
    stop_haproxy
    stop_servers
  done
}
