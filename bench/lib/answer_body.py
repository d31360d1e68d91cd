"""The body of scenario d: save and submit an answer to every item of a
request's template, each value valid for its metric.

usage: answer_body.py TEMPLATE_CSV METRICS_JSON [VARY_METRIC]
With VARY_METRIC, that metric's value is the placeholder __N__, which the
caller replaces with a new number each call (an identical body would be a
retried save, answered with the revision already made).
Also imported (`answer_entries`) by traffic_setup.py.
"""
import csv, io, json, sys


def value(m):
    kind = m["kind"]
    if kind == "quantity": return {"value": "12.5", "unit": m["canonical_unit"]}
    if kind == "percentage": return {"value": "40"}
    if kind == "boolean": return {"value": True}
    if kind == "choice": return {"value": m["choices"][0]["value"]}
    if kind == "date": return {"value": "2026-06-30"}
    return {"value": "KR"}


def answer_entries(template_csv, metrics, vary=None):
    """The entries answering every row of a template (CSV text); `metrics`
    maps metric codes to the catalogue's definitions."""
    rows = list(csv.DictReader(io.StringIO(template_csv)))
    entries = [dict(metric=row["item_code"], obtained="measured", **value(metrics[row["item_code"]])) for row in rows]
    for entry in entries:
        if entry["metric"] == vary:
            entry["value"] = "__N__"
    return entries


if __name__ == "__main__":
    metrics = {m["code"]: m for m in json.load(open(sys.argv[2]))["items"]}
    vary = sys.argv[3] if len(sys.argv) > 3 else None
    print(json.dumps({"entries": answer_entries(open(sys.argv[1]).read(), metrics, vary), "submit": True}))
