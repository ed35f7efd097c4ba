"""SIGKILL during a batch job, then a restart on the same --jobs-dir: the job resumes and
finishes, keeping what was done; no partial or temporary file remains."""

import io
import json
import os
import signal
import time
import zipfile

import requests

from conftest import Server, decode, png_bytes, solvay_part


def leftovers(jobs_dir):
    found = []
    for root, dirs, files in os.walk(jobs_dir):
        found += [os.path.join(root, d) for d in dirs if d.startswith(".incoming-")]
        found += [os.path.join(root, f) for f in files if ".tmp-" in f or f.startswith("result.zip.")]
    return found


def test_kill_and_resume(tmp_path):
    jobs = tmp_path / "jobs"
    server = Server(jobs, "--threads", "1")
    photo = png_bytes(solvay_part(700))
    count = 8
    r = requests.post(server.url + "/v1/jobs", files=[("image", (f"p{i}.png", photo)) for i in range(count)],
                      data={"strength": "70"})
    job_id = r.json()["id"]
    deadline = time.time() + 120
    while time.time() < deadline:
        j = requests.get(f"{server.url}/v1/jobs/{job_id}").json()
        if j["state"] == "running" and 2 <= j["done"] < count:
            break
        time.sleep(0.05)
    assert j["state"] == "running" and j["done"] < count, j
    done_before = j["done"]
    server.stop(signal.SIGKILL)
    # What a kill in the middle of an upload, or of an atomic write, leaves behind.
    os.makedirs(jobs / ".incoming-0123456789abcdef" / "inputs")
    (jobs / job_id / "outputs" / ".p7.png.tmp-ABCDEF").write_bytes(b"partial")
    kept = {f: os.path.getmtime(jobs / job_id / "outputs" / f) for f in os.listdir(jobs / job_id / "outputs")
            if not f.startswith(".")}
    assert len(kept) >= done_before

    server = Server(jobs, "--threads", "1")
    try:
        j = server.wait_job(job_id, timeout=180)
        assert j["state"] == "done" and j["done"] == count and j["failed"] == 0, j
        assert leftovers(jobs) == []
        # Outputs finished before the kill were kept as they were, not redone.
        for f, mtime in kept.items():
            assert os.path.getmtime(jobs / job_id / "outputs" / f) == mtime
        with zipfile.ZipFile(io.BytesIO(requests.get(f"{server.url}/v1/jobs/{job_id}/result.zip").content)) as z:
            names = sorted(z.namelist())
            assert names == sorted([f"p{i}.png" for i in range(count)] + ["report.json"])
            for name in names[:-1]:
                assert decode(z.read(name)).shape[:2] == (solvay_part(700).shape[0], 700)
    finally:
        assert server.stop() == 0
    assert leftovers(jobs) == []


def test_sigterm_checkpoints(tmp_path):
    """SIGTERM mid-job: files in flight finish, the server exits 0, the job resumes next time."""
    jobs = tmp_path / "jobs"
    server = Server(jobs, "--threads", "1")
    photo = png_bytes(solvay_part(700))
    job_id = requests.post(server.url + "/v1/jobs", files=[("image", (f"p{i}.png", photo)) for i in range(6)]).json()["id"]
    deadline = time.time() + 120
    while requests.get(f"{server.url}/v1/jobs/{job_id}").json()["done"] < 1 and time.time() < deadline:
        time.sleep(0.05)
    assert server.stop(signal.SIGTERM) == 0
    assert leftovers(jobs) == []
    server = Server(jobs, "--threads", "1")
    try:
        assert server.wait_job(job_id, timeout=180)["state"] == "done"
    finally:
        assert server.stop() == 0


def test_finished_jobs_expire(tmp_path):
    """Finished jobs are removed after --keep-jobs-hours (at start here); 0 keeps them."""
    jobs = tmp_path / "jobs"
    server = Server(jobs)
    try:
        photo = png_bytes(solvay_part(300))
        old = server.wait_job(requests.post(server.url + "/v1/jobs", files=[("image", ("a.png", photo))]).json()["id"])
        new = server.wait_job(requests.post(server.url + "/v1/jobs", files=[("image", ("b.png", photo))]).json()["id"])
        assert old["state"] == new["state"] == "done"
    finally:
        assert server.stop() == 0
    record = json.loads((jobs / old["id"] / "job.json").read_text())
    assert record["finished"] > record["created"] > 0
    record["finished"] = 1.0  # long ago
    (jobs / old["id"] / "job.json").write_text(json.dumps(record))
    server = Server(jobs, "--keep-jobs-hours", "0")  # 0: nothing expires
    try:
        assert requests.get(f"{server.url}/v1/jobs/{old['id']}").status_code == 200
    finally:
        assert server.stop() == 0
    server = Server(jobs)  # the default: a week
    try:
        assert requests.get(f"{server.url}/v1/jobs/{old['id']}").status_code == 404
        assert not (jobs / old["id"]).exists()
        assert requests.get(f"{server.url}/v1/jobs/{new['id']}").json()["state"] == "done"
    finally:
        assert server.stop() == 0


def test_a_video_job_stopped_mid_video_goes_on_from_its_last_segment(tmp_path):
    import shutil
    import subprocess
    import pytest
    if not shutil.which("ffmpeg"):
        pytest.skip("SKIPPED: the ffmpeg tool is not installed (scripts/setup.sh installs it)")
    clip = tmp_path / "clip.mp4"
    subprocess.run(["ffmpeg", "-y", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=96x64:rate=10", "-f", "lavfi",
                    "-i", "sine", "-t", "14", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", str(clip)],
                   check=True)
    jobs = tmp_path / "jobs"
    server = Server(jobs, "--threads", "1")
    job_id = requests.post(server.url + "/v1/jobs", files=[("image", ("clip.mp4", clip.read_bytes()))]).json()["id"]
    deadline = time.time() + 120
    while time.time() < deadline:  # past the first 10-second segment (100 frames)
        j = requests.get(f"{server.url}/v1/jobs/{job_id}").json()
        if j["files"][0].get("frames_done", 0) > 105:
            break
        time.sleep(0.05)
    assert 105 < j["files"][0]["frames_done"] < 140, j
    assert server.stop(signal.SIGTERM) == 0
    assert leftovers(jobs) == []
    server = Server(jobs, "--threads", "1")
    try:
        j = server.wait_job(job_id, timeout=180)
        assert j["state"] == "done" and j["files"][0]["frames_done"] == 140, j
        with zipfile.ZipFile(io.BytesIO(requests.get(f"{server.url}/v1/jobs/{job_id}/result.zip").content)) as z:
            assert sorted(z.namelist()) == ["clip.mp4", "report.json"]
            video = json.loads(z.read("report.json"))["videos"][0]
        assert video["frames"] == 140 and video["resumed_frames"] == 100 and video["copied_streams"] == 1, video
    finally:
        assert server.stop() == 0
    assert leftovers(jobs) == [] and not os.path.exists(jobs / job_id / "outputs" / ".clip.mp4.parts")
