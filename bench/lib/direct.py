"""Ceilings measured straight on SQLite, without the server.

  direct.py read DB SQLFILE        reads/s of a script of statements (one connection)
  direct.py aggregate DB SQLFILE   mean ms of one run of a script (scenario c's ceiling)
  direct.py insert DB SQLFILE ROWS [CLEAR_SQL…]
                                   rows/s of a multi-row insert script, committed
                                   (CLEAR_SQL run before each try, untimed)

Prints one results.tsv value.
"""
import sqlite3
import sys
import time

mode, path, script = sys.argv[1], sys.argv[2], open(sys.argv[3]).read()
db = sqlite3.connect(path, isolation_level=None)
script = "\n".join(l for l in script.splitlines() if not l.lstrip().startswith("--"))
statements = [s for s in script.split(";\n") if s.strip()]


def run_all():
    for s in statements:
        db.execute(s).fetchall()


if mode == "read":
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < 5:
        run_all()
        n += 1
    print(f"{n / (time.perf_counter() - start):.1f}")
elif mode == "aggregate":
    run_all()
    n, start = 0, time.perf_counter()
    while n < 3 or time.perf_counter() - start < 3:
        run_all()
        n += 1
    print(f"{(time.perf_counter() - start) * 1000 / n:.1f}")
elif mode == "insert":
    rows = int(sys.argv[4])
    best = None
    for _ in range(3):
        for clear in sys.argv[5:]:
            db.execute(clear)
        start = time.perf_counter()
        db.execute("BEGIN")
        run_all()
        db.execute("COMMIT")
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    for clear in sys.argv[5:]:
        db.execute(clear)
    print(f"{rows / best:.0f}")
