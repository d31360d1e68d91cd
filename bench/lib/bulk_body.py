"""Scenario e's inputs: the bulk supplier's open "Bench bulk" requests, as
one `POST /v1/answers/bulk` body (every item answered, submitted), and the
same rows as multi-row INSERT statements into answer_drafts (the ceiling),
and, in OUT_SQL_ALL, into the tables a submission puts them in: one revision
per request and the revision's entries (which is then the draft; a second,
context ceiling: what the database alone needs for the writes the call must
make).
The revisions there are numbered REVISION (1,000,000), out of the way.

Usage: python3 bulk_body.py BASE_URL TOKEN METRICS_JSON OUT_JSON OUT_SQL OUT_SQL_ALL
Prints: the number of entries, then the request ids (comma-separated).
"""
import json
import sys
import urllib.request

base, token, metrics_path, out_json, out_sql, out_sql_all = sys.argv[1:7]
REVISION = 1000000
metrics = {m["code"]: m for m in json.load(open(metrics_path))["items"]}


def get(path):
    request = urllib.request.Request(base + path, headers={"authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request) as response:
        return json.load(response)


requests, cursor = [], None
while True:
    page = get("/v1/requests?limit=200&status=open" + (f"&cursor={cursor}" if cursor else ""))
    requests += [r for r in page["items"] if r["title"].startswith("Bench bulk")]
    cursor = page.get("next_cursor")
    if not cursor:
        break


def value(m):
    kind = m["kind"]
    if kind == "quantity":
        return {"value": "12.5", "unit": m["canonical_unit"]}
    if kind == "percentage":
        return {"value": "40"}
    if kind == "boolean":
        return {"value": True}
    if kind == "choice":
        return {"value": m["choices"][0]["value"]}
    if kind == "date":
        return {"value": "2026-06-30"}
    return {"value": "KR"}


answers, rows, entry_rows = [], [], []
for r in requests:
    entries = []
    for item in r["items"]:
        v = value(metrics[item["metric"]])
        entries.append(dict(metric=item["metric"], obtained="measured", **v))
        text = v["value"] if isinstance(v["value"], str) else str(v["value"]).lower()
        unit = v.get("unit")
        canonical = f"'{v['value']}'" if unit else "NULL"
        unit_sql = f"'{unit}'" if unit else "NULL"
        rows.append(
            f"('{r['id']}', '{item['metric']}', '{text}', {unit_sql}, {canonical}, {unit_sql}, NULL, 'measured', "
            f"'2026-01-01', '2026-12-31', NULL, '', 'bench', '2026-11-01 09:00:00')"
        )
        entry_rows.append(
            f"('{r['id']}', {REVISION}, '{item['metric']}', '{text}', {unit_sql}, {canonical}, {unit_sql}, NULL, "
            f"'measured', '2026-01-01', '2026-12-31', NULL, '')"
        )
    answers.append({"request_id": r["id"], "entries": entries, "submit": True})

json.dump({"answers": answers}, open(out_json, "w"))


def drafts(sql):
    for start in range(0, len(rows), 500):
        sql.write(
            "INSERT INTO answer_drafts (request_id, metric_code, value_text, unit, canonical_value, canonical_unit, "
            "method, obtained, period_start, period_end, comment, evidence, updated_by, updated_at) VALUES "
            + ", ".join(rows[start:start + 500]) + ";\n"
        )


with open(out_sql, "w") as sql:
    drafts(sql)
with open(out_sql_all, "w") as sql:
    revisions = [
        f"('{r['id']}', {REVISION}, 'submitted', TRUE, 'bench', '2026-11-01 09:00:00')" for r in requests
    ]
    for start in range(0, len(revisions), 500):
        sql.write(
            "INSERT INTO answer_revisions (request_id, revision, status, share_upstream, submitted_by, submitted_at) "
            "VALUES " + ", ".join(revisions[start:start + 500]) + ";\n"
        )
    for start in range(0, len(entry_rows), 500):
        sql.write(
            "INSERT INTO answer_revision_entries (request_id, revision, metric_code, value_text, unit, "
            "canonical_value, canonical_unit, method, obtained, period_start, period_end, comment, evidence) VALUES "
            + ", ".join(entry_rows[start:start + 500]) + ";\n"
        )
print(len(rows))
print(",".join(r["id"] for r in requests))
