"""Prints the benchmark report: the figures, the targets (each scenario
against its ceiling, "met" or "MISSED"), context rows and the real-traffic
table. Reads bench/out/results.tsv (engine, name, value, p50 ms, p99 ms,
errors) as written by bench/run.sh.

Usage: python3 report.py results.tsv
"""
import sys
from collections import defaultdict

rows = defaultdict(dict)
for line in open(sys.argv[1]):
    parts = line.rstrip("\n").split("\t")
    if len(parts) < 3:
        continue
    engine, name = parts[0], parts[1]
    rows[engine][name] = parts[2:]


def num(engine, name, column=0):
    try:
        return float(rows[engine][name][column])
    except (KeyError, IndexError, ValueError):
        return None


def fmt(value, digits=1):
    return "n/a" if value is None else f"{value:,.{digits}f}"


def ratio_of(a, b):
    return None if a is None or b in (None, 0) else a / b


# Only the engines this run measured (BENCH_ENGINES may name one).
engines = [engine for engine in ("sqlite", "postgres") if engine in rows]
TRAFFIC_CLASSES = ("readers", "writers", "logins")


def is_traffic(name):
    return name.startswith("traffic-") or name.startswith("haproxy-")


print("\n| Engine | Scenario | req/s | p50 ms | p99 ms | errors |")
print("|---|---|---:|---:|---:|---:|")
for engine in engines:
    for name, values in rows[engine].items():
        if is_traffic(name):
            continue
        if len(values) >= 4:
            print(f"| {engine} | {name} | {fmt(float(values[0]))} | {values[1]} | {values[2]} | {values[3]} |")
        else:
            print(f"| {engine} | {name} | {values[0]} | | | |")

print("\n| Engine | Target | Scenario | Ceiling | Ratio | Target | |")
print("|---|---|---:|---:|---:|---:|---|")
checks = []


def check(engine, label, scenario, ceiling, target, higher_is_better=True):
    ratio = ratio_of(scenario, ceiling)
    met = ratio is not None and (ratio >= target if higher_is_better else ratio <= target)
    sign = "≥" if higher_is_better else "≤"
    checks.append(met)
    print(f"| {engine} | {label} | {fmt(scenario)} | {fmt(ceiling)} | {fmt(ratio, 3)} | {sign} {target} | {'met' if met else 'MISSED'} |")


def e_rate(engine):
    calls, entries = num(engine, "e-bulk-answer"), num(engine, "e-entries")
    return None if calls is None or entries is None else calls * entries


for engine in engines:
    if engine == "postgres":
        pk = num(engine, "pgbench-pk-tps")
        check(engine, "a req/s vs pgbench's primary-key lookup tps", num(engine, "a-read-request"), pk, 0.25)
        check(engine, "b req/s vs pgbench's primary-key lookup tps", num(engine, "b-list-requests"), pk, 0.08)
    else:
        # /healthz on the same server just before (the run's first /healthz
        # is a context row: the machine drifts between the two).
        check(engine, "a req/s, account cache off, vs /healthz beside it", num(engine, "a-read-request-cache-off"), num(engine, "healthz-cache-off"), 0.25)
    # c: time of the endpoint (p50) against the time of one direct aggregate.
    check(engine, "c p50 ms vs one SQL aggregate (ms)", num(engine, "c-summary", 1), num(engine, "direct-c-ms"), 3.0, False)
    # e: entries per second through the API against rows per second inserted directly.
    check(engine, "e entries/s vs direct insert rows/s", e_rate(engine), num(engine, "direct-e-rows-per-s"), 0.30)
    rss = num(engine, "peak_rss_kib")
    mib = None if rss is None else rss / 1024
    met = mib is not None and mib < 200
    checks.append(met)
    print(f"| {engine} | server peak RSS MiB (every server of the run) | {fmt(mib)} | | | < 200 | {'met' if met else 'MISSED'} |")
    errors = sum(int(v[3]) for v in rows[engine].values() if len(v) >= 4 and v[3].isdigit())
    checks.append(errors == 0)
    print(f"| {engine} | errors in every scenario (real traffic included) | {errors} | | | = 0 | {'met' if errors == 0 else 'MISSED'} |")

print(f"\n{sum(checks)} of {len(checks)} targets met")

print("\n| Engine | Context | Scenario | Beside | Ratio |")
print("|---|---|---:|---:|---:|")


def context(engine, label, scenario, beside, digits=1):
    if scenario is not None or beside is not None:
        print(f"| {engine} | {label} | {fmt(scenario, digits)} | {fmt(beside, digits)} | {fmt(ratio_of(scenario, beside), 3)} |")


for engine in engines:
    healthz = num(engine, "healthz")
    context(engine, "a req/s vs /healthz", num(engine, "a-read-request"), healthz)
    context(engine, "b req/s vs /healthz", num(engine, "b-list-requests"), healthz)
    if engine == "sqlite":
        context(engine, "a req/s, account cache off vs on", num(engine, "a-read-request-cache-off"), num(engine, "a-read-request"))
        context(engine, "a req/s, account cache off, vs the run's first /healthz", num(engine, "a-read-request-cache-off"), healthz)
    # a at saturation while 8 clients sign in continuously.
    logins = num(engine, "logins-during-a")
    context(engine, f"a req/s during logins ({fmt(logins)} logins/s) vs alone", num(engine, "a-during-logins"), num(engine, "a-read-request"))
    context(engine, "a p99 ms during logins vs alone", num(engine, "a-during-logins", 2), num(engine, "a-read-request", 2), 2)
    # The same entries written directly into the tables a submission puts
    # them in (revisions, revision entries), and (SQLite) bound to kept statements.
    context(engine, "e entries/s vs the same rows into revisions + revision entries", e_rate(engine), num(engine, "direct-e-all-rows-per-s"))
    if num(engine, "direct-e-kept-rows-per-s") is not None:
        context(engine, "e entries/s vs the same rows bound to kept statements", e_rate(engine), num(engine, "direct-e-kept-rows-per-s"))

# The real-traffic scenario (bench/lib/traffic.sh): readers flat out, writers
# and sign-ins paced, all at once.
setups = []
for engine in engines:
    for name in rows[engine]:
        if name.startswith("traffic-") and name.endswith("-readers"):
            setups.append((engine, name[len("traffic-"):-len("-readers")]))
if setups:
    print("\n| Engine | Real traffic | Class | req/s | p50 ms | p99 ms | errors |")
    print("|---|---|---|---:|---:|---:|---:|")
    for engine, setup in setups:
        for cls in TRAFFIC_CLASSES:
            values = rows[engine].get(f"traffic-{setup}-{cls}")
            if values and len(values) >= 4:
                print(f"| {engine} | {setup} | {cls} | {fmt(float(values[0]))} | {values[1]} | {values[2]} | {values[3]} |")
    print("\n| Engine | Real traffic, readers | Scenario | Beside | Ratio |")
    print("|---|---|---:|---:|---:|")
    for engine in engines:
        for prefix in ("", "2-replicas-"):
            on, off = f"traffic-{prefix}cache-on-readers", f"traffic-{prefix}cache-off-readers"
            where = "two replicas" if prefix else "one server"
            if on in rows[engine] and off in rows[engine]:
                context(engine, f"{where}: req/s, account cache on vs off", num(engine, on), num(engine, off))
                context(engine, f"{where}: p99 ms, account cache on vs off", num(engine, on, 2), num(engine, off, 2), 2)
        for cache in ("on", "off"):
            two, one = f"traffic-2-replicas-cache-{cache}-readers", f"traffic-cache-{cache}-readers"
            if two in rows[engine] and one in rows[engine]:
                context(engine, f"cache {cache}: req/s, two replicas vs one server", num(engine, two), num(engine, one))
                context(engine, f"cache {cache}: p99 ms, two replicas vs one server", num(engine, two, 2), num(engine, one, 2), 2)
    # HAProxy in front of two replicas: the servers that answered six calls
    # on one kept-alive connection, and each server's share of a run.
    balance = [(engine, name, values[0]) for engine in engines for name, values in rows[engine].items()
               if name.startswith("haproxy-") or name.endswith("-split")]
    if balance:
        print("\nRound-robin (HAProxy):")
        for engine, name, value in balance:
            print(f"- {engine} {name}: {value}")
