"""gpen-server test harness: starts the server binary on a free loopback port (--port 0; the
port is read from its first line of output) with a jobs folder under pytest's tmp_path."""

import os
import re
import signal
import subprocess
import time

import cv2
import numpy as np
import pytest
import requests

SERVER = os.environ.get("GPEN_SERVER", "")
MODELS = os.environ.get("GPEN_TEST_MODELS", "")
SHARED = os.environ.get("GPEN_SHARED", "")


class Server:
    def __init__(self, jobs_dir, *args, env=None, log=None):
        if not os.path.exists(SERVER):
            pytest.skip("SKIPPED: gpen-server not built (GPEN_SERVER unset)")
        self.jobs_dir = str(jobs_dir)
        self.log_path = log or os.path.join(os.path.dirname(self.jobs_dir), "server.log")
        self.log = open(self.log_path, "a")
        full_env = dict(os.environ, **(env or {}))
        self.proc = subprocess.Popen([SERVER, "--port", "0", "--jobs-dir", self.jobs_dir, *args],
                                     stdout=subprocess.PIPE, stderr=self.log, text=True, env=full_env)
        line = self.proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not m:
            self.proc.kill()
            raise RuntimeError(f"gpen-server did not start: {line!r}; log: {open(self.log_path).read()[-2000:]}")
        self.url = f"http://127.0.0.1:{m.group(1)}"

    def stop(self, sig=signal.SIGTERM, timeout=60):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode

    def wait_job(self, job_id, timeout=120, headers=None):
        deadline = time.time() + timeout
        while time.time() < deadline:
            j = requests.get(f"{self.url}/v1/jobs/{job_id}", headers=headers).json()
            if j["state"] in ("done", "failed", "cancelled"):
                return j
            time.sleep(0.2)
        raise AssertionError(f"job {job_id} did not finish in {timeout} s")


def model(name):
    path = os.path.join(MODELS, name)
    if not os.path.exists(path):
        pytest.skip(f"SKIPPED: test model {path} missing (models.generate)")
    return path


def png_bytes(image):
    ok, data = cv2.imencode(".png", image)
    assert ok
    return data.tobytes()


def jpg_bytes(image):
    ok, data = cv2.imencode(".jpg", image)
    assert ok
    return data.tobytes()


def decode(data):
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    assert image is not None, "response is not a decodable image"
    return image


def face_image():
    image = cv2.imread(model("face-64.png"), cv2.IMREAD_COLOR)
    assert image is not None
    return image


def solvay_part(width=640):
    path = os.path.join(SHARED, "data", "solvay_conference_1927.png")
    if not os.path.exists(path):
        pytest.skip(f"SKIPPED: {path} not found (the shared photos)")
    image = cv2.imread(path, cv2.IMREAD_COLOR)
    return image[:, :width].copy()


def error_of(response, status, code=None, contains=None):
    """Checks an error response: its status, JSON body {"error":{"code","message"}}."""
    assert response.status_code == status, (response.status_code, response.text[:500])
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()["error"]
    assert body["message"], body
    if code:
        assert body["code"] == code, body
    if contains:
        assert contains in body["message"], body
    return body


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("server")
    s = Server(base / "jobs", "--model", model("random-64.pt"), "--models-dir", MODELS)
    yield s
    assert s.stop() == 0, "gpen-server did not exit 0 on SIGTERM"
