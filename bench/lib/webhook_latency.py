"""Delivery latency of webhooks: from an event's commit to a local receiver.

Registers a webhook for the requester's `answer.submitted` events pointing
at a receiver on 127.0.0.1, has the supplier save and submit an answer at a
fixed pace (RATE per second, from 4 threads, keep-alive connections) for
SECONDS, waits for every delivery, and prints one JSON line: how many
events were made and delivered, and the latency percentiles in ms, where a
delivery's latency is its arrival time minus the event's `occurred_at` (set
in the event's transaction, just before its commit: a slight overestimate).

usage: webhook_latency.py BASE_URL REQUESTER_TOKEN SUPPLIER_TOKEN REQUEST_ID ANSWER_JSON RATE SECONDS
"""
import http.client
import json
import sys
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

base, requester, supplier, request_id, answer_file, rate, seconds = sys.argv[1:8]
rate, seconds = float(rate), float(seconds)
body = open(answer_file, "rb").read()
arrivals = {}
lock = threading.Lock()


class Receiver(BaseHTTPRequestHandler):
    # Keep-alive, as a production receiver behind a proxy would.
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        got = time.time()
        payload = json.loads(self.rfile.read(int(self.headers["content-length"])))
        if payload.get("type") == "answer.submitted":
            occurred = datetime.fromisoformat(payload["occurred_at"].replace("Z", "+00:00")).timestamp()
            with lock:
                arrivals.setdefault(payload["id"], got - occurred)
        self.send_response(204)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    # Python's default listen backlog is 5: a burst of deliveries would see
    # dropped connections and TCP's one-second retransmission, the
    # receiver's latency rather than the sender's.
    request_queue_size = 1024
    daemon_threads = True


server = Server(("127.0.0.1", 0), Receiver)
threading.Thread(target=server.serve_forever, daemon=True).start()
target = urlparse(base)


def call(method, path, token, payload=None, conn=None):
    conn = conn or http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    conn.request(method, path, body=payload, headers=headers)
    response = conn.getresponse()
    data = response.read()
    return response.status, data, conn


status, data, _ = call("POST", "/v1/webhooks", requester, json.dumps({
    "url": f"http://127.0.0.1:{server.server_address[1]}/hooks",
    "event_types": ["answer.submitted"],
}).encode())
assert status == 201, data
hook = json.loads(data)["id"]

made = 0
failed = 0
THREADS = 4


def submitter(index):
    global made, failed
    conn = None
    interval = THREADS / rate
    start = time.time() + index * interval / THREADS
    n = 0
    while True:
        due = start + n * interval
        if due - started > seconds:
            return
        pause = due - time.time()
        if pause > 0:
            time.sleep(pause)
        # New values each call: the same body again would be a retried
        # save, answered with the revision already made and no event.
        fresh = body.replace(b"__N__", f"{index}{n}.5".encode())
        status, _, conn = call("PUT", f"/v1/requests/{request_id}/answer", supplier, fresh, conn)
        with lock:
            if status == 200:
                made += 1
            else:
                failed += 1
        n += 1


started = time.time()
workers = [threading.Thread(target=submitter, args=(i,)) for i in range(THREADS)]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()
elapsed = time.time() - started
deadline = time.time() + 60
while time.time() < deadline:
    with lock:
        if len(arrivals) >= made:
            break
    time.sleep(0.05)
call("DELETE", f"/v1/webhooks/{hook}", requester)
server.shutdown()

latencies = sorted(ms * 1000 for ms in arrivals.values())


def pct(p):
    return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 1) if latencies else None


print(json.dumps({
    "events_per_second": round(made / elapsed, 1),
    "made": made,
    "failed_calls": failed,
    "delivered": len(latencies),
    "p50_ms": pct(0.50),
    "p99_ms": pct(0.99),
    "max_ms": round(latencies[-1], 1) if latencies else None,
}))
