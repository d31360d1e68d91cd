"""Ceilings measured straight on SQLite, without the server.

  direct.py read DB SQLFILE        reads/s of a script of statements (one connection)
  direct.py aggregate DB SQLFILE   mean ms of one run of a script (scenario c's ceiling)
  direct.py insert DB SQLFILE ROWS [CLEAR_SQL…]
                                   rows/s of a multi-row insert script, committed
                                   (CLEAR_SQL run before each try, untimed), best of ten
  direct.py insert-kept DB SQLFILE ROWS [CLEAR_SQL…]
                                   the same rows as 500-row INSERTs with bound
                                   values, each statement prepared once and kept

Inserts run with the server's connection settings (foreign keys on,
synchronous NORMAL, checkpoints left to the WAL's backstop) and compile their SQL on every try, as psql does on
PostgreSQL: the rows are the same in every try, so a statement kept from
the first try would replay a program compiled for those very values, which
no client inserting new rows can do (it made the best of three 3-4 times
faster). insert-kept is what a client that binds values and keeps its
statements can do.

Prints one results.tsv value.
"""
import sqlite3
import sys
import time

mode, path, script = sys.argv[1], sys.argv[2], open(sys.argv[3]).read()
# No statement cache for the plain modes: each statement is compiled as run.
db = sqlite3.connect(path, isolation_level=None, cached_statements=0 if mode == "insert" else 128)
db.execute("PRAGMA foreign_keys = ON")
db.execute("PRAGMA synchronous = NORMAL")
# As the server's connections, which leave checkpoints to a thread of their
# own up to this size (persistence::checkpointer::BACKSTOP_PAGES and
# WAL_FILE_LIMIT_BYTES).
db.execute("PRAGMA wal_autocheckpoint = 10000")
db.execute("PRAGMA journal_size_limit = 16777216")
script = "\n".join(l for l in script.splitlines() if not l.lstrip().startswith("--"))
statements = [s for s in script.split(";\n") if s.strip()]


def run_all():
    for s in statements:
        db.execute(s).fetchall()


def bound_statements():
    """The script's INSERTs as (statement with placeholders, values) pairs,
    values taken out of the SQL text by SQLite itself; returns a function
    that runs them (Python's statement cache keeps each prepared)."""
    memory = sqlite3.connect(":memory:")
    prepared = []
    for s in statements:
        head, values = s.strip().rstrip(";").split(" VALUES ", 1)
        rows = memory.execute("SELECT * FROM (VALUES " + values + ")").fetchall()
        row = "(" + ", ".join("?" * len(rows[0])) + ")"
        prepared.append((head + " VALUES " + ", ".join([row] * len(rows)), [v for r in rows for v in r]))

    def run():
        for sql, values in prepared:
            db.execute(sql, values)
    return run


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
elif mode in ("insert", "insert-kept"):
    rows = int(sys.argv[4])
    work = run_all if mode == "insert" else bound_statements()
    best = None
    # Best of ten: single tries on this shared machine scatter by up to half.
    for _ in range(10):
        for clear in sys.argv[5:]:
            db.execute(clear)
        start = time.perf_counter()
        db.execute("BEGIN")
        work()
        db.execute("COMMIT")
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    for clear in sys.argv[5:]:
        db.execute(clear)
    print(f"{rows / best:.0f}")
