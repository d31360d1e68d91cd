"""Turns the PostgreSQL server log of one endpoint call into a pgbench script.

The bench database logs every statement (log_statement = all) while one call
of each scenario is made between two marker queries; this script takes the
statements between the markers, puts their logged parameters in place of
$1, $2… and prints them as a pgbench script: the very SQL the endpoint
issued, ready to be replayed at the same concurrency.

Usage: python3 capture_pg.py LOGFILE START_MARKER END_MARKER > script.sql
"""
import re
import sys

log, start, end = sys.argv[1], sys.argv[2], sys.argv[3]
lines = open(log, encoding="utf-8", errors="replace").read().splitlines()
try:
    first = max(i for i, l in enumerate(lines) if start in l)
    last = max(i for i, l in enumerate(lines) if end in l)
except ValueError:
    sys.exit(f"markers {start!r}/{end!r} not found in {log}")

statement = re.compile(r"LOG:\s+(?:execute [^:]*|statement): (.*)$")
detail = re.compile(r"DETAIL:\s+[Pp]arameters: (.*)$")
param = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")

out = []
for i in range(first + 1, last):
    m = statement.search(lines[i])
    if not m:
        continue
    sql = m.group(1).strip()
    if sql.upper() in ("BEGIN", "COMMIT", "ROLLBACK") or "bench-marker" in sql:
        continue
    params = {}
    if i + 1 < len(lines):
        d = detail.search(lines[i + 1])
        if d:
            params = {int(n): v for n, v in param.findall(d.group(1))}
    sql = re.sub(r"\$(\d+)", lambda p: params.get(int(p.group(1)), p.group(0)), sql)
    out.append(sql.rstrip(";") + ";")

if not out:
    sys.exit("no statements between the markers")
print("\n".join(out))
