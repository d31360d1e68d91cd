"""One results.tsv line from a wrk report (run with --latency): engine,
scenario, requests/s, p50 ms, p99 ms, errors (non-2xx/3xx answers and
socket errors, time-outs included).

Usage: python3 wrk_summary.py WRK_OUTPUT ENGINE SCENARIO
"""
import re
import sys

path, engine, scenario = sys.argv[1:4]
text = open(path).read()
rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", text)
p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", text)
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)


def ms(match):
    if not match:
        return "nan"
    value, unit = float(match.group(1)), match.group(2)
    return f"{value / 1000 if unit == 'us' else value * 1000 if unit == 's' else value:.3f}"


errors = int(non2xx.group(1)) if non2xx else 0
if socket:
    errors += sum(int(x) for x in socket.groups())
print(f"{engine}\t{scenario}\t{rps.group(1) if rps else 'nan'}\t{ms(p50)}\t{ms(p99)}\t{errors}")
