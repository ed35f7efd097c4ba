"""gpen.distributed on a LocalCluster of worker processes (loopback only): the same outputs as a
single-process gpen-restore run, bad files in the report, a worker SIGKILLed mid-run, a client
killed mid-run and the run resumed with skip_existing."""

import glob
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

gpen = pytest.importorskip("gpen")
if gpen._gpen is None:
    pytest.skip("the compiled extension is not built", allow_module_level=True)
distributed = pytest.importorskip("distributed", reason="Dask's distributed (python3-distributed) is not installed")
import gpen.distributed as gd  # noqa: E402

MODELS = os.environ.get("GPEN_TEST_MODELS", "")
MODEL = os.path.join(MODELS, "random-64.pt")
BUILD = os.path.dirname(os.path.abspath(MODELS)) if MODELS else ""
RESTORE = os.environ.get("GPEN_RESTORE") or os.path.join(BUILD, "bin", "gpen-restore")
PHOTOS = 30
BAD = ["bad1.png", "bad2.jpg", "sub/bad3.png"]


@pytest.fixture(scope="module")
def album(tmp_path_factory):
    """30 crops of the Solvay photo (a third in a subfolder), 3 files that are not images, and the
    outputs of one single-process gpen-restore run on them."""
    import cv2
    if not os.path.isfile(MODEL) or not os.access(RESTORE, os.X_OK):
        pytest.skip(f"test models ({MODEL}) or gpen-restore ({RESTORE}) not built")
    shared = os.environ.get("GPEN_SHARED") or os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared")
    source = os.path.join(shared, "data", "solvay_conference_1927.png")
    if not os.path.isfile(source):
        pytest.skip(f"{source} not found: the shared photos are needed for this test")
    root = tmp_path_factory.mktemp("album")
    photo = cv2.imread(source)
    n = 0
    for y in (40, 200, 330):
        for x in range(0, 1100, 110):
            folder = root / "in" / ("sub" if n % 3 == 0 else "")
            folder.mkdir(parents=True, exist_ok=True)
            assert cv2.imwrite(str(folder / f"p{n:02d}.png"), photo[y:y + 200, x:x + 220])
            n += 1
    (root / "in" / "bad1.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    (root / "in" / "bad2.jpg").write_bytes(b"\xff\xd8\xff" + bytes(50))
    (root / "in" / "sub" / "bad3.png").write_bytes((root / "in" / "p01.png").read_bytes()[:300])
    ref = subprocess.run([RESTORE, "--model", MODEL, "--recursive", "-q", "-o", str(root / "ref"), str(root / "in")],
                         capture_output=True, text=True, timeout=300)
    assert ref.returncode == 1, ref.stderr  # 1: some files failed (the three bad ones)
    assert len(outputs(root / "ref")) == PHOTOS
    return root


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def outputs(folder):
    return sorted(os.path.relpath(p, folder) for p in glob.glob(os.path.join(folder, "**", "*.png"), recursive=True))


def leftovers(folder):
    """Hidden (temporary) files anywhere under folder."""
    return [os.path.join(d, f) for d, _, files in os.walk(folder) for f in files if f.startswith(".")]


def check_same_as_reference(album, out):
    import cv2
    names = outputs(album / "ref")
    assert outputs(out) == names
    identical = 0
    for name in names:
        a, b = (album / "ref" / name).read_bytes(), (out / name).read_bytes()
        identical += a == b
        diff = np.abs(cv2.imread(str(album / "ref" / name)).astype(int) - cv2.imread(str(out / name)).astype(int))
        assert diff.max() <= 1, name  # faces batched differently may differ by one level at most
    print(f"{identical}/{len(names)} outputs byte-identical to gpen-restore's")
    assert leftovers(out) == []


def check_report(report, restored=PHOTOS):
    assert report["restored"] == restored
    assert report["failed"] == len(BAD)
    failed = sorted(os.path.basename(f["input"]) for f in report["files"] if f["status"] == "failed")
    assert failed == sorted(os.path.basename(b) for b in BAD)
    for f in report["files"]:
        if f["status"] == "failed":
            assert "cannot decode" in f["error"]


def test_no_client_is_a_clear_error(album, tmp_path):  # first: the fixture's client becomes the default
    if distributed.client._get_global_client() is not None:
        pytest.skip("a default Dask client exists in this process")
    with pytest.raises(gpen.InvalidArgumentError, match="no Dask client: pass client="):
        gd.restore_files([str(album / "in")], tmp_path / "out")


def test_two_workers_write_what_one_process_writes(album, client):
    seen = []
    report = gd.restore_files([str(album / "in")], album / "two", client=client, model=MODEL,
                              files_per_task=4, progress=seen.append, report=str(album / "two.json"))
    check_report(report)
    check_same_as_reference(album, album / "two")
    assert report["tasks"] == 9 and report["files_per_task"] == 4  # 33 files
    assert len(report["workers"]) == 2, report["workers"]  # both workers took shares
    assert [p["done"] for p in seen] == sorted(p["done"] for p in seen) and seen[-1]["done"] == 33
    assert report["faces"] == sum(f["faces"] for f in report["files"]) > 0
    import json
    assert json.loads((album / "two.json").read_text())["restored"] == PHOTOS

    again = gd.restore_files(str(album / "in" / "*.png"), album / "two", client=client, model=MODEL)
    assert again["skipped"] == 20 and again["restored"] == 0 and again["failed"] == 1  # a glob; bad1.png again


def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(album, client):
    pids = client.run(os.getpid)
    killed = []

    def kill_one(p):
        if not killed:
            busy = [w for w, keys in client.processing().items() if keys and w in pids]
            victim = busy[0] if busy else sorted(pids)[0]
            os.kill(pids[victim], signal.SIGKILL)
            killed.append((victim, p["done"]))

    report = gd.restore_files([str(album / "in")], album / "killed", client=client, model=MODEL,
                              files_per_task=2, progress=kill_one)
    assert killed and killed[0][1] < 33, killed  # killed while files were left
    print(f"killed {killed[0][0]} after {killed[0][1]} of 33 files")
    check_report(report)
    check_same_as_reference(album, album / "killed")
    assert len(report["files"]) == 33 and len({f["output"] for f in report["files"]}) == 33


def test_a_killed_client_resumes_with_skip_existing(album):
    out = album / "resumed"
    command = [sys.executable, "-m", "gpen.distributed", "--local", "2", "--model", MODEL, "--files-per-task", "1",
               "-o", str(out), str(album / "in")]
    run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120
    while len(outputs(out)) < 8 and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(run.pid, signal.SIGKILL)  # the client and its LocalCluster: a machine that went down
    run.communicate(timeout=60)
    time.sleep(0.5)  # the group's last processes gone
    finished = len(outputs(out))
    assert 8 <= finished < PHOTOS, finished
    print(f"client killed with {finished} of {PHOTOS} photos written")

    report_path = str(album / "resumed.json")
    rerun = subprocess.run(command + ["--json", report_path], capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 1, rerun.stderr  # the three bad files
    import json
    report = json.loads(open(report_path).read())
    assert report["skipped"] == finished  # finished files are not redone
    check_report(report, restored=PHOTOS - finished)
    assert "failed: " in rerun.stderr and "bad2.jpg" in rerun.stderr
    check_same_as_reference(album, out)


def test_errors_before_any_work(album, client, tmp_path):
    with pytest.raises(gpen.GpenFileNotFoundError, match="input not found: .*nowhere"):
        gd.restore_files([str(tmp_path / "nowhere")], tmp_path / "out", client=client)
    with pytest.raises(gpen.GpenFileNotFoundError, match="no file matches .*\\*.tif"):
        gd.restore_files(str(album / "in" / "*.tif"), tmp_path / "out", client=client)
    with pytest.raises(TypeError, match="unexpected keyword argument 'strenght'"):
        gd.restore_files([str(album / "in")], tmp_path / "out", client=client, strenght=3)
    with pytest.raises(gpen.InvalidArgumentError, match="strength must be"):
        gd.restore_files([str(album / "in")], tmp_path / "out", client=client, strength=500)
    with pytest.raises(gpen.InvalidArgumentError, match="files_per_task must be a positive integer, got 0"):
        gd.restore_files([str(album / "in")], tmp_path / "out", client=client, files_per_task=0)
    (tmp_path / "broken.pt").write_bytes(b"not a model")
    start = time.monotonic()
    with pytest.raises(gpen.ModelError):  # from the workers, once: not retried file by file
        gd.restore_files([str(album / "in")], tmp_path / "out", client=client, model=str(tmp_path / "broken.pt"))
    assert time.monotonic() - start < 30
    assert outputs(tmp_path / "out") == []
