"""Every endpoint of gpen-server and every error status, with its JSON body."""

import base64
import io
import json
import os
import sys
import time
import zipfile

import cv2
import numpy as np
import pytest
import requests

from conftest import MODELS, Server, decode, error_of, face_image, jpg_bytes, model, png_bytes, solvay_part


def test_health(server):
    r = requests.get(server.url + "/health")
    assert r.status_code == 200
    h = r.json()
    assert h["status"] == "ok" and h["version"] and h["device"] == "cpu"
    assert h["model"]["name"] == "random-64.pt" and h["model"]["size"] == 64 and h["model"]["random_weights"] is True


def test_ui_is_served(server):
    r = requests.get(server.url + "/")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    assert '<script src="/app.js">' in r.text
    for path, kind in (("/app.js", "text/javascript"), ("/style.css", "text/css")):
        r = requests.get(server.url + path)
        assert r.status_code == 200 and r.headers["Content-Type"].startswith(kind) and len(r.content) > 500


def test_restore_raw_body(server):
    face = face_image()
    r = requests.post(server.url + "/v1/restore?strength=60&mode=detail", data=png_bytes(face))
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "image/png"
    assert int(r.headers["X-Gpen-Faces"]) >= 0 and int(r.headers["X-Gpen-Time-Ms"]) >= 0
    out = decode(r.content)
    assert out.shape == face.shape


def test_restore_multipart_formats(server):
    face = face_image()
    for fmt, kind in (("jpg", "image/jpeg"), ("webp", "image/webp"), ("png", "image/png")):
        r = requests.post(server.url + "/v1/restore", files={"image": ("f.png", png_bytes(face))},
                          data={"format": fmt, "quality": "80", "upscale": "2", "sharpen": "20"})
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"] == kind
        assert decode(r.content).shape[:2] == (128, 128)


def test_restore_compare(server):
    face = face_image()
    r = requests.post(server.url + "/v1/restore?compare=true&response=json", data=png_bytes(face))
    assert r.status_code == 200, r.text
    j = r.json()
    both = decode(base64.b64decode(j["image"]))
    assert both.shape == (64, 128, 3) and (j["width"], j["height"]) == (128, 64)
    assert np.array_equal(both[:, :64], face)


def test_restore_identity_is_exact(server):
    """strength 0, no denoise/sharpen, upscale 1: the output equals the input pixel for pixel."""
    image = solvay_part(320)
    r = requests.post(server.url + "/v1/restore?strength=0", data=png_bytes(image))
    assert r.status_code == 200
    assert np.array_equal(decode(r.content), image)


def test_restore_json_response(server):
    image = solvay_part(640)
    r = requests.post(server.url + "/v1/restore?response=json&only_center_face=false", data=jpg_bytes(image))
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
    j = r.json()
    out = decode(base64.b64decode(j["image"]))
    assert out.shape == image.shape and (j["width"], j["height"]) == (image.shape[1], image.shape[0])
    assert len(j["faces"]) == int(r.headers["X-Gpen-Faces"]) >= 3
    for f in j["faces"]:
        assert len(f["box"]) == 4 and len(f["landmarks"]) == 5 and isinstance(f["score"], float)
        x, y, w, h = f["box"]
        assert 0 <= x < image.shape[1] and 0 <= y < image.shape[0] and w > 10 and h > 10


def test_parameter_names_are_the_python_keywords(server):
    """The API's restore fields are the parameter table's restore parameters (the Python
    keywords); each is accepted at its default and refused out of range, named in the message."""
    sys.path.insert(0, os.environ.get("GPEN_PYTHON", ""))
    import gpen
    python_names = [n for n, p in gpen.param_table().items() if p["group"] == "restore"]
    table = requests.get(server.url + "/v1/params").json()
    api_names = [p["name"] for p in table["params"] if p["group"] == "restore"]
    assert api_names == python_names
    assert table["restore_fields"][:len(python_names)] == python_names
    assert "preset" in table["restore_fields"]  # Restorer.restore(img, preset=..., **params)
    assert set(table["presets"]) >= {"natural", "old-photo"}
    face = png_bytes(face_image())
    for p in table["params"]:
        if p["group"] != "restore":
            continue
        name = p["name"]
        default = p["default"]
        value = str(default).lower() if isinstance(default, bool) else str(default)
        r = requests.post(f"{server.url}/v1/restore", params={name: value}, data=face)
        assert r.status_code == 200, (name, r.text)
        bad = {"bool": "maybe", "choice": "bogus", "int": str(int(p.get("max", 0)) + 1),
               "float": str(p.get("max", 0) + 1)}[p["kind"]]
        body = error_of(requests.post(f"{server.url}/v1/restore", params={name: bad}, data=face), 400, "bad-parameter")
        assert body["message"].startswith(name), body
        if p["kind"] in ("int", "float"):
            assert f"{p['min']:g}" in body["message"] and f"{p['max']:g}" in body["message"], body
        if p["kind"] == "choice":
            assert all(c in body["message"] for c in p["choices"]), body


def test_bad_requests(server):
    face = png_bytes(face_image())
    error_of(requests.post(server.url + "/v1/restore?colour=1", data=face), 400, "bad-parameter", "unknown parameter 'colour'")
    error_of(requests.post(server.url + "/v1/restore?strength=1&strength=2", data=face), 400, "bad-parameter", "more than once")
    error_of(requests.post(server.url + "/v1/restore?preset=vintage", data=face), 400, "bad-parameter", "unknown preset 'vintage'")
    error_of(requests.post(server.url + "/v1/restore?format=gif", data=face), 400, "bad-parameter", "format must be")
    error_of(requests.post(server.url + "/v1/restore", data=b""), 400, "no-image")
    error_of(requests.post(server.url + "/v1/restore", files={"picture": ("a.png", face)}), 400, "no-image")
    error_of(requests.post(server.url + "/v1/restore", data=b"this is not an image at all"), 415, "decode-failed")
    error_of(requests.get(server.url + "/v1/nothing"), 404, "not-found", "GET /v1/nothing")
    error_of(requests.get(server.url + "/v1/jobs/0123456789abcdef"), 404, "unknown-job")
    error_of(requests.delete(server.url + "/v1/jobs/0123456789abcdef"), 404, "unknown-job")


def test_limits(tmp_path):
    s = Server(tmp_path / "jobs", "--max-upload-mb", "1", "--max-pixels", "2000")
    try:
        big = os.urandom(3 << 20)
        body = error_of(requests.post(s.url + "/v1/restore", data=big), 413, "too-large", "1 MiB")
        # A client that asks first (Expect: 100-continue, as curl does) is refused before sending,
        # with one answer and the connection closed (so no body bytes are read as requests).
        import http.client
        conn = http.client.HTTPConnection(s.url.split("//")[1], timeout=30)
        conn.putrequest("POST", "/v1/restore")
        conn.putheader("Content-Length", str(len(big)))
        conn.putheader("Expect", "100-continue")
        conn.endheaders()
        answer = conn.getresponse()
        assert answer.status == 413 and answer.getheader("Connection") == "close"
        assert json.loads(answer.read())["error"]["code"] == "too-large"
        conn.close()
        # The server is still there and answers the next request on a new connection.
        face = png_bytes(face_image())  # 64x64 = 4096 pixels, over --max-pixels 2000
        error_of(requests.post(s.url + "/v1/restore", data=face), 422, "invalid-image", "the limit is 0.0 megapixels")
        small = png_bytes(np.full((40, 40, 3), 128, np.uint8))
        assert requests.post(s.url + "/v1/restore", data=small).status_code == 200
    finally:
        assert s.stop() == 0


def test_api_key_and_cors(tmp_path):
    s = Server(tmp_path / "jobs", "--cors-origin", "*", env={"GPEN_API_KEY": "sesame"})
    try:
        error_of(requests.get(s.url + "/v1/params"), 401, "unauthorized")
        error_of(requests.get(s.url + "/v1/params", headers={"Authorization": "Bearer wrong"}), 401, "unauthorized")
        r = requests.get(s.url + "/v1/params", headers={"Authorization": "Bearer sesame"})
        assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "*"
        assert requests.get(s.url + "/health").status_code == 200  # open: load balancers probe it
        r = requests.options(s.url + "/v1/restore", headers={"Origin": "https://example.org",
                                                              "Access-Control-Request-Method": "POST"})
        assert r.status_code == 204 and "POST" in r.headers["Access-Control-Allow-Methods"]
        assert "Authorization" in r.headers["Access-Control-Allow-Headers"]
    finally:
        assert s.stop() == 0


def test_batch_job(server):
    face = png_bytes(face_image())
    files = [("image", ("one.png", face)), ("image", ("two.jpg", jpg_bytes(face_image()))),
             ("image", ("broken.jpg", b"\xff\xd8\xff\xe0 not really")), ("image", ("notes.txt", b"hello"))]
    r = requests.post(server.url + "/v1/jobs", files=files, data={"strength": "80", "format": "jpeg", "compare": "on"})
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    assert r.headers["Location"] == "/v1/jobs/" + job_id
    # The event stream ends when the job does; its last event is the final state.
    events = []
    with requests.get(f"{server.url}/v1/jobs/{job_id}/events", stream=True, timeout=120) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        for line in stream.iter_lines():
            if line.startswith(b"data: "):
                events.append(json.loads(line[6:]))
    assert events[-1]["state"] == "done"
    dones = [e["done"] for e in events]
    assert dones == sorted(dones)
    j = requests.get(f"{server.url}/v1/jobs/{job_id}").json()
    assert (j["state"], j["total"], j["done"], j["failed"]) == ("done", 4, 4, 2)
    states = {f["name"]: f for f in j["files"]}
    assert states["one.png"]["state"] == "done" and states["two.jpg"]["state"] == "done"
    assert states["broken.jpg"]["state"] == "failed" and "broken.jpg" in states["broken.jpg"]["error"]
    assert str(server.jobs_dir) not in states["broken.jpg"]["error"]
    assert states["notes.txt"]["state"] == "failed" and "not an image" in states["notes.txt"]["error"]
    r = requests.get(f"{server.url}/v1/jobs/{job_id}/result.zip")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        assert sorted(z.namelist()) == ["compare/one.jpg", "compare/two.jpg", "one.jpg", "report.json", "two.jpg"]
        assert decode(z.read("compare/one.jpg")).shape == (64, 128, 3)
        assert decode(z.read("one.jpg")).shape == (64, 64, 3)
        report = json.loads(z.read("report.json"))
        assert report["params"]["strength"] == 80
        assert {i["input"]: i["status"] for i in report["images"]} == {
            "broken.jpg": "failed", "one.png": "restored", "two.jpg": "restored", "notes.txt": "failed"}
    # Deleting a finished job removes it and its files.
    assert requests.delete(f"{server.url}/v1/jobs/{job_id}").json()["state"] == "removed"
    error_of(requests.get(f"{server.url}/v1/jobs/{job_id}"), 404, "unknown-job")
    assert not os.path.exists(os.path.join(server.jobs_dir, job_id))


def test_batch_job_with_a_video(server, tmp_path):
    import shutil
    import subprocess
    if not shutil.which("ffmpeg") or not shutil.which("ffprobe"):
        pytest.skip("SKIPPED: the ffmpeg and ffprobe tools are not installed (scripts/setup.sh installs them)")
    clip = tmp_path / "clip.mov"
    subprocess.run(["ffmpeg", "-y", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=96x64:rate=10", "-f", "lavfi",
                    "-i", "sine=frequency=440", "-t", "1", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac",
                    str(clip)], check=True)
    files = [("image", ("clip.mov", clip.read_bytes())), ("image", ("fake.mp4", b"\x00\x00\x00\x18ftypmp42 not a video")),
             ("image", ("one.png", png_bytes(face_image())))]
    r = requests.post(server.url + "/v1/jobs", files=files, data={"strength": "70"})
    assert r.status_code == 202, r.text
    j = server.wait_job(r.json()["id"])
    assert (j["state"], j["total"], j["done"], j["failed"]) == ("done", 3, 3, 1)
    states = {f["name"]: f for f in j["files"]}
    assert states["clip.mov"]["state"] == "done" and states["clip.mov"]["kind"] == "video"
    assert states["clip.mov"]["frames_done"] == 10
    assert states["fake.mp4"]["state"] == "failed" and "not a video FFmpeg can read" in states["fake.mp4"]["error"]
    assert states["one.png"]["state"] == "done"
    result = requests.get(f"{server.url}{j['result']}")
    with zipfile.ZipFile(io.BytesIO(result.content)) as z:
        assert sorted(z.namelist()) == ["clip.mp4", "one.png", "report.json"]
        (tmp_path / "out.mp4").write_bytes(z.read("clip.mp4"))
        report = json.loads(z.read("report.json"))
    video = report["videos"][0]
    assert (video["input"], video["output"], video["status"], video["frames"], video["copied_streams"]) == \
        ("clip.mov", "clip.mp4", "restored", 10, 1)
    assert {i["input"]: i["status"] for i in report["images"]} == {"fake.mp4": "failed", "one.png": "restored"}
    probe = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-show_entries",
                            "stream=codec_type,codec_name,nb_read_frames", "-of", "csv=p=0", str(tmp_path / "out.mp4")],
                           capture_output=True, text=True, check=True).stdout.split()
    assert sorted(probe) == ["aac,audio,44", "h264,video,10"], probe


def test_video_job_cancel(server, tmp_path):
    import shutil
    import subprocess
    if not shutil.which("ffmpeg"):
        pytest.skip("SKIPPED: the ffmpeg tool is not installed (scripts/setup.sh installs it)")
    clip = tmp_path / "long.mp4"
    subprocess.run(["ffmpeg", "-y", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "20",
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", str(clip)], check=True)
    job_id = requests.post(server.url + "/v1/jobs", files=[("image", ("long.mp4", clip.read_bytes()))]).json()["id"]
    deadline = time.time() + 60
    while time.time() < deadline:
        j = requests.get(f"{server.url}/v1/jobs/{job_id}").json()
        if j["files"][0].get("frames_done", 0) > 0:
            break
        time.sleep(0.05)
    assert 0 < j["files"][0]["frames_done"] < 500 and j["files"][0]["frames_total"] == 500, j
    assert requests.delete(f"{server.url}/v1/jobs/{job_id}").json()["state"] == "cancelling"
    j = server.wait_job(job_id)
    assert j["state"] == "cancelled" and j["files"][0]["state"] == "cancelled", j
    outputs = os.path.join(server.jobs_dir, job_id, "outputs")
    assert not os.path.exists(os.path.join(outputs, "long.mp4"))
    left = [f for f in os.listdir(outputs) if not f.startswith(".long.mp4.parts")] if os.path.isdir(outputs) else []
    assert left == [], left  # nothing under the output's name, no temporary; only the resumable segments


def test_job_cancel(server):
    photo = png_bytes(solvay_part(900))
    slow = requests.post(server.url + "/v1/jobs", files=[("image", (f"p{i}.png", photo)) for i in range(6)]).json()["id"]
    queued = requests.post(server.url + "/v1/jobs", files=[("image", ("q.png", photo))]).json()["id"]
    r = requests.delete(f"{server.url}/v1/jobs/{queued}")
    assert r.json()["state"] == "cancelled"
    assert requests.get(f"{server.url}/v1/jobs/{queued}").json()["files"][0]["state"] == "cancelled"
    deadline = time.time() + 60
    while requests.get(f"{server.url}/v1/jobs/{slow}").json()["state"] != "running" and time.time() < deadline:
        time.sleep(0.1)
    assert requests.delete(f"{server.url}/v1/jobs/{slow}").json()["state"] == "cancelling"
    j = server.wait_job(slow)
    assert j["state"] == "cancelled"
    assert 0 < sum(f["state"] == "cancelled" for f in j["files"]) < 6 or j["done"] == 6
    error_of(requests.get(f"{server.url}/v1/jobs/{queued}/result.zip"), 404, "no-result")


def test_models(server):
    listing = requests.get(server.url + "/v1/models").json()
    names = {m["name"]: m for m in listing["models"]}
    assert listing["current"] == "random-64.pt" and names["random-64.pt"]["current"]
    assert names["classic"]["architecture"] == "classic"
    # identity-512.pt: a second model make_test_models.py writes with or without ../shared
    assert names["identity-512.pt"]["size"] == 512 and names["identity-512.pt"]["bytes"] > 0
    assert "error" in names["not-a-model.pt"]
    assert listing["options"]["device"] == "cpu" and listing["memory"]["resident_bytes"] > 0
    r = requests.put(server.url + "/v1/model", json={"name": "identity-512.pt", "max_batch": 2})
    assert r.status_code == 200, r.text
    assert r.json()["current"] == "identity-512.pt" and r.json()["options"]["max_batch"] == 2
    assert requests.get(server.url + "/health").json()["model"]["name"] == "identity-512.pt"
    error_of(requests.put(server.url + "/v1/model", json={"name": "nope.pt"}), 404, "unknown-model")
    error_of(requests.put(server.url + "/v1/model", json={"name": "../random-64.pt"}), 404, "unknown-model")
    error_of(requests.put(server.url + "/v1/model", json={"name": "not-a-model.pt"}), 422, "invalid-model")
    error_of(requests.put(server.url + "/v1/model", json={"name": "classic", "precision": "fp64"}), 400, "bad-parameter", "precision")
    error_of(requests.put(server.url + "/v1/model", data="{name"), 400, "bad-json")
    assert requests.get(server.url + "/health").json()["model"]["name"] == "identity-512.pt"
    assert requests.put(server.url + "/v1/model", json={"name": "classic"}).json()["current"] == "classic"
    assert requests.get(server.url + "/health").json()["model"] is None
    assert requests.put(server.url + "/v1/model", json={"name": "random-64.pt", "max_batch": 8}).status_code == 200


def test_models_by_catalogue_name(tmp_path):
    """--model GPEN-BFR-512 and PUT /v1/model {"name": "GPEN-BFR-256"}: catalogue names of models
    pulled into the cache ($GPEN_HOME/models/NAME.pt) are listed and selectable; one not pulled is
    a 404 saying the command that fetches it."""
    cache = tmp_path / "home" / "models"
    cache.mkdir(parents=True)
    import shutil
    shutil.copy(model("random-64.pt"), cache / "GPEN-BFR-512.pt")
    shutil.copy(model("identity-512.pt"), cache / "GPEN-BFR-256.pt")
    srv = Server(tmp_path / "jobs", "--model", "GPEN-BFR-512", env={"GPEN_HOME": str(tmp_path / "home")})
    try:
        listing = requests.get(srv.url + "/v1/models").json()
        names = {m["name"]: m for m in listing["models"]}
        assert listing["current"] == "GPEN-BFR-512" and names["GPEN-BFR-512"]["current"]
        assert names["GPEN-BFR-512"]["path"] == str(cache / "GPEN-BFR-512.pt")
        assert names["GPEN-BFR-512"]["size"] == 64 and names["GPEN-BFR-512"]["bytes"] > 0
        assert [m["name"] for m in listing["models"]].count("GPEN-BFR-512") == 1
        assert names["GPEN-BFR-256"]["size"] == 512 and not names["GPEN-BFR-256"]["current"]
        assert "GPEN-BFR-1024" not in names
        r = requests.put(srv.url + "/v1/model", json={"name": "GPEN-BFR-256"})
        assert r.status_code == 200, r.text
        assert requests.get(srv.url + "/health").json()["model"]["name"] == "GPEN-BFR-256"
        error_of(requests.put(srv.url + "/v1/model", json={"name": "GPEN-BFR-1024"}), 404, "unknown-model",
                 "gpen models pull GPEN-BFR-1024")
        assert requests.put(srv.url + "/v1/model", json={"name": "GPEN-BFR-512"}).json()["current"] == "GPEN-BFR-512"
    finally:
        srv.stop()


def test_metrics(server):
    requests.post(server.url + "/v1/restore", data=png_bytes(face_image()))
    text = requests.get(server.url + "/metrics").text
    for needle in ('gpen_http_responses_total{status="200"}', 'gpen_restore_seconds_bucket{le="+Inf"}',
                   "gpen_restore_seconds_count", "gpen_faces_restored_total", "gpen_queue_depth 0",
                   "gpen_compute_busy_fraction", "gpen_resident_memory_bytes", "gpen_jobs_queued"):
        assert needle in text, needle
    count = float(next(l for l in text.splitlines() if l.startswith("gpen_restore_seconds_count")).split()[1])
    assert count >= 1
