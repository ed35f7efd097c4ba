"""Load: 16 concurrent clients x 200 requests against a small --queue. Every answer is 200 or
503 with Retry-After; no connection is reset; the server's memory stays flat."""

import os
import threading
import time

import numpy as np
import requests

from conftest import Server, decode, png_bytes

CLIENTS = 16
REQUESTS = 200


def rss_bytes(server):
    text = requests.get(server.url + "/metrics").text
    line = next(l for l in text.splitlines() if l.startswith("gpen_resident_memory_bytes"))
    return float(line.split()[1])


def test_load(tmp_path):
    server = Server(tmp_path / "jobs", "--workers", "2", "--queue", "2", "--threads", "1", "--quiet")
    try:
        rng = np.random.default_rng(7)
        photo = png_bytes(rng.integers(0, 255, (48, 48, 3), dtype=np.uint8))
        statuses = {}
        problems = []
        baseline = []  # RSS after the first 20 restores of the run
        lock = threading.Lock()

        def client():
            with requests.Session() as s:
                for _ in range(REQUESTS):
                    try:
                        r = s.post(server.url + "/v1/restore?denoise=10", data=photo, timeout=60)
                    except requests.RequestException as e:  # a reset or refused connection
                        with lock:
                            problems.append(repr(e))
                        continue
                    with lock:
                        statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                        if statuses.get(200) == 20 and r.status_code == 200:
                            baseline.append(rss_bytes(server))
                        if r.status_code == 503:
                            if r.headers.get("Retry-After") != "1" or r.json()["error"]["code"] != "busy":
                                problems.append(f"503 without Retry-After/JSON: {r.headers} {r.text}")
                        elif r.status_code == 200:
                            if decode(r.content).shape != (48, 48, 3):
                                problems.append("bad image")
                        else:
                            problems.append(f"status {r.status_code}: {r.text[:200]}")

        started = time.time()
        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=600)
        seconds = time.time() - started
        assert not problems, problems[:5]
        assert sum(statuses.values()) == CLIENTS * REQUESTS
        assert statuses.get(200, 0) > 0 and statuses.get(503, 0) > 0, statuses  # the queue did overflow
        after = rss_bytes(server)
        print(f"load: {statuses} in {seconds:.1f} s; RSS {baseline[0] / 2**20:.1f} -> {after / 2**20:.1f} MiB")
        assert after <= baseline[0] * 1.10, (baseline, after)
        assert requests.get(server.url + "/health").status_code == 200
        metrics = requests.get(server.url + "/metrics").text
        assert 'gpen_http_responses_total{status="503"}' in metrics
    finally:
        assert server.stop() == 0
