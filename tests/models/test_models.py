"""Models by name: `gpen models pull/list/convert/path`, `--model NAME`, `--download`, a `.pth`
given as the model, all against fixture checkpoints served by a loopback HTTP server (the
download address is overridden with GPEN_MODELS_URL, the catalogue with GPEN_CATALOGUE).

Also: the real catalogue's export options agree with the published layouts in ../shared."""

import hashlib
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading

import cv2
import numpy as np
import pytest

RESTORE = os.environ.get("GPEN_RESTORE", "")
MODELS = os.environ.get("GPEN_TEST_MODELS", "")
SHARED = os.environ.get("GPEN_SHARED", "")
SOURCE_PYTHON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python")


def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


class Handler(http.server.BaseHTTPRequestHandler):
    """GET /MODE/FILE from the server's folder. MODE ok: plain, with Range support; broken: the
    first request of each file sends half its bytes and closes the connection."""

    def do_GET(self):
        mode, _, name = self.path.lstrip("/").partition("/")
        self.server.log.append((mode, name, self.headers.get("Range")))
        path = os.path.join(self.server.folder, name)
        if not os.path.isfile(path):
            self.send_error(404)
            return
        data = open(path, "rb").read()
        start = 0
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes="):
            start = int(rng[6:].split("-")[0])
            if start >= len(data):
                self.send_response(416)
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        first = sum(1 for m, n, _ in self.server.log if n == name) == 1
        if mode == "broken" and first:
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client that closes early (a checksum refused mid-way) is expected here


@pytest.fixture
def served(tmp_path):
    """A loopback server over a folder holding the test checkpoints; yields (url, folder, log)."""
    if not os.path.isfile(os.path.join(MODELS, "legacy-checkpoint.pth")):
        pytest.skip("SKIPPED: test models not generated (GPEN_TEST_MODELS)")
    folder = tmp_path / "www"
    folder.mkdir()
    shutil.copy(os.path.join(MODELS, "legacy-checkpoint.pth"), folder / "Test-64.pth")
    shutil.copy(os.path.join(MODELS, "checkpoint.pth"), folder / "Test-64-zip.pth")
    server = QuietServer(("127.0.0.1", 0), Handler)
    server.folder, server.log = str(folder), []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", folder, server.log
    server.shutdown()


def gpen_entry(name, file, sha, size=64, multiplier=1, narrow=0.25, supported=True):
    return {"name": name, "kind": "face", "task": "test", "file": file, "urls": ["http://unused.invalid/" + file],
            "sha256": sha, "size_bytes": None, "layout": None,
            "export": {"architecture": "gpen", "size": size, "channel_multiplier": multiplier, "narrow": narrow},
            "supported": supported}


@pytest.fixture
def env(tmp_path, served):
    """Environment for the tools: a fresh cache, the test catalogue, the loopback address."""
    url, folder, _ = served
    good = sha256(folder / "Test-64.pth")
    catalogue = {"format": "gpen-model-catalogue", "format_version": 1, "models": [
        gpen_entry("Test-64", "Test-64.pth", good),
        gpen_entry("Test-64-nosum", "Test-64-zip.pth", None),
        gpen_entry("Test-64-badsum", "Test-64.pth", "0" * 64),
        gpen_entry("Test-64-as-512", "Test-64.pth", good, size=512, multiplier=2, narrow=1.0),
        gpen_entry("Test-later", "Test-64.pth", good, supported=False),
    ]}
    (tmp_path / "catalogue.json").write_text(json.dumps(catalogue))
    return dict(os.environ, GPEN_HOME=str(tmp_path / "cache"), GPEN_CATALOGUE=str(tmp_path / "catalogue.json"),
                GPEN_MODELS_URL=url + "/ok")


def run(args, env, check=None):
    if not os.path.isfile(RESTORE):
        pytest.skip("SKIPPED: gpen-restore not built (GPEN_RESTORE)")
    p = subprocess.run([RESTORE, *args], env=env, capture_output=True, text=True, timeout=300)
    if check is not None:
        assert p.returncode == check, p.stdout + p.stderr
    return p


def cache_files(env):
    root = env["GPEN_HOME"]
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs
                  if not f.endswith(".lock"))


def restored(env, model, tmp_path, name):
    out = tmp_path / name
    run(["--model", model, "--aligned", "-q", "-o", str(out), os.path.join(MODELS, "face-64.png")], env, check=0)
    return cv2.imread(str(out / "face-64.png"), cv2.IMREAD_UNCHANGED)


def test_pull_resumes_a_broken_connection_and_the_result_runs(env, served, tmp_path):
    url, folder, log = served
    env["GPEN_MODELS_URL"] = url + "/broken"
    p = run(["models", "pull", "Test-64"], env, check=0)
    path = p.stdout.strip().splitlines()[-1]
    assert path == os.path.join(env["GPEN_HOME"], "models", "Test-64.pt")
    ranges = [r for _, n, r in log if n == "Test-64.pth"]
    size = os.path.getsize(folder / "Test-64.pth")
    assert ranges[0] is None and ranges[1] == f"bytes={size // 2}-", ranges  # resumed where it broke
    assert cache_files(env) == ["models/Test-64.json", "models/Test-64.pt"]  # no .part left
    manifest = json.load(open(os.path.join(env["GPEN_HOME"], "models", "Test-64.json")))
    assert manifest["sha256"] == sha256(folder / "Test-64.pth") and manifest["size_bytes"] == size
    # the pulled model restores exactly as the same checkpoint given by path (converted once)
    by_name = restored(env, "Test-64", tmp_path, "by-name")
    by_path = restored(env, str(folder / "Test-64.pth"), tmp_path, "by-path")
    assert by_name is not None and by_name.shape == (64, 64, 3)
    assert np.array_equal(by_name, by_path)
    assert run(["models", "pull", "Test-64"], env, check=0).stdout.strip() == path  # cached: no request
    assert len([n for _, n, _ in log if n == "Test-64.pth"]) == 2
    listing = run(["models", "list"], env, check=0).stdout
    assert path in listing and "not runnable yet" in listing
    assert run(["models", "path", "Test-64"], env, check=0).stdout.strip() == path


def test_a_partial_download_left_by_an_earlier_run_is_resumed(env, served):
    url, folder, log = served
    data = open(folder / "Test-64.pth", "rb").read()
    downloads = os.path.join(env["GPEN_HOME"], "downloads")
    os.makedirs(downloads)
    with open(os.path.join(downloads, "Test-64.pth.part"), "wb") as f:
        f.write(data[:1000])
    run(["models", "pull", "Test-64"], env, check=0)
    assert [r for _, n, r in log] == ["bytes=1000-"]


def test_wrong_checksum_is_refused_and_nothing_is_kept(env):
    p = run(["models", "pull", "Test-64-badsum"], env, check=2)
    assert "checksum mismatch" in p.stderr and "the catalogue says " + "0" * 64 in p.stderr
    assert cache_files(env) == []


def test_unknown_checksum_is_reported_not_invented(env, served):
    _, folder, _ = served
    p = run(["models", "pull", "Test-64-nosum"], env, check=0)
    assert "no published sha256 for Test-64-nosum" in p.stderr
    assert sha256(folder / "Test-64-zip.pth") in p.stderr


def test_wrong_layout_is_refused_with_the_reason(env):
    p = run(["models", "pull", "Test-64-as-512"], env, check=2)
    assert "wrong layout for Test-64-as-512: its size is 64, the catalogue says 512" in p.stderr
    assert cache_files(env) == []


def test_offline_says_the_address_and_the_manual_commands(env, served):
    env["GPEN_MODELS_URL"] = "http://127.0.0.1:9/models"  # discard port: connection refused
    p = run(["models", "pull", "Test-64"], env, check=2)
    assert "cannot download Test-64" in p.stderr and "http://127.0.0.1:9/models/Test-64.pth" in p.stderr
    assert "Offline? Download http://unused.invalid/Test-64.pth" in p.stderr
    assert "gpen models convert Test-64.pth" in p.stderr
    assert not os.path.exists(os.path.join(env["GPEN_HOME"], "models", "Test-64.pt"))


def test_missing_file_on_the_server(env, served):
    url, _, _ = served
    env["GPEN_MODELS_URL"] = url + "/ok/nothing-here"
    p = run(["models", "pull", "Test-64"], env, check=2)
    assert "HTTP 404" in p.stderr


def test_names_in_restore(env, served, tmp_path):
    face = os.path.join(MODELS, "face-64.png")
    p = run(["--model", "Test-64", "--aligned", "-o", str(tmp_path / "o"), face], env, check=2)
    assert "model Test-64 is not downloaded yet: run `gpen models pull Test-64`" in p.stderr
    p = run(["--model", "test-64", "--aligned", "-o", str(tmp_path / "o"), face], env, check=2)
    assert "did you mean Test-64?" in p.stderr
    p = run(["--model", "Test-later", "--aligned", "-o", str(tmp_path / "o"), face], env, check=2)
    assert "known but gpen cannot run it yet" in p.stderr
    p = run(["models", "pull", "Test-later"], env, check=2)
    assert "cannot run it yet" in p.stderr
    # --download fetches it, then restores
    run(["--model", "Test-64", "--download", "--aligned", "-q", "-o", str(tmp_path / "o"), face], env, check=0)
    assert os.path.isfile(tmp_path / "o" / "face-64.png")


def test_pth_given_as_model_is_converted_once(env, served, tmp_path):
    _, folder, _ = served
    pth = str(folder / "Test-64-zip.pth")
    first = run(["--model", pth, "--aligned", "-o", str(tmp_path / "a"), os.path.join(MODELS, "face-64.png")],
                env, check=0)
    assert "converting" in first.stderr and "constants.pkl" not in first.stderr
    converted = [f for f in cache_files(env) if f.startswith("converted/")]
    assert len(converted) == 1 and converted[0].startswith("converted/Test-64-zip-")
    second = run(["--model", pth, "--aligned", "-o", str(tmp_path / "b"), os.path.join(MODELS, "face-64.png")],
                 env, check=0)
    assert "converting" not in second.stderr  # once
    assert run(["models", "convert", pth], env, check=0).stdout.strip() == os.path.join(env["GPEN_HOME"],
                                                                                         converted[0])


def test_pth_without_python_says_so(env, served, tmp_path):
    _, folder, _ = served
    env["GPEN_PYTHON"] = "/nonexistent/python3"
    p = run(["--model", str(folder / "Test-64.pth"), "--aligned", "-o", str(tmp_path / "a"),
             os.path.join(MODELS, "face-64.png")], env, check=2)
    assert "cannot start Python (/nonexistent/python3" in p.stderr and "convert on another machine" in p.stderr


def test_python_api_takes_names_and_pth(env, served, monkeypatch):
    gpen = pytest.importorskip("gpen")
    if getattr(gpen, "_gpen", None) is None:
        pytest.skip("SKIPPED: gpen's extension not built")
    _, folder, _ = served
    for key in ("GPEN_HOME", "GPEN_CATALOGUE", "GPEN_MODELS_URL"):
        monkeypatch.setenv(key, env[key])
    with pytest.raises(FileNotFoundError, match="gpen models pull Test-64"):
        gpen.Restorer("Test-64")
    r = gpen.Restorer("Test-64", download=True)
    assert r.has_model and r.model_info["size"] == 64
    face = cv2.imread(os.path.join(MODELS, "face-64.png"))
    by_pth = gpen.Restorer(str(folder / "Test-64.pth"))
    assert np.array_equal(r.restore_faces([face])[0], by_pth.restore_faces([face])[0])
    # the Python tool is the same catalogue
    sys.path.insert(0, SOURCE_PYTHON)
    from gpen import models
    assert [row["name"] for row in models.listing()][:2] == ["Test-64", "Test-64-nosum"]


def test_catalogue_matches_the_published_layouts():
    """Each supported entry's export options build a network whose parameter names and shapes are
    exactly the layout file's in ../shared."""
    torch = pytest.importorskip("torch")
    if not SHARED or not os.path.isdir(os.path.join(SHARED, "fixtures")):
        pytest.skip("SKIPPED: ../shared is absent (layouts)")
    sys.path.insert(0, SOURCE_PYTHON)
    from gpen import models, parsenet, retinaface, rrdbnet
    from gpen.model import FullGenerator
    checked = 0
    for name, entry in models.catalogue().items():
        assert entry["urls"] and all(u.startswith("https://") for u in entry["urls"]), name
        assert entry["sha256"] is None or len(entry["sha256"]) == 64, name
        layout = json.load(open(os.path.join(SHARED, "fixtures", entry["layout"])))
        assert layout["parameters"] == entry["parameters"], name
        spec = entry["export"]
        if not entry["supported"]:
            continue
        if spec["architecture"] == "gpen":
            net = FullGenerator(spec["size"], spec["channel_multiplier"], spec["narrow"], spec.get("in_size"))
        elif spec["architecture"] == "rrdbnet":
            net = rrdbnet.RRDBNet(spec["scale"], spec["num_feat"], spec["num_block"])
        elif spec["architecture"] == "parsenet":  # channels read off the layout's shapes
            net = parsenet.ParseNet(**parsenet.infer_config({k: torch.zeros(s) for k, s in layout["state_dict"]}))
        else:
            net = retinaface.RetinaFace(spec["backbone"])
        shapes = {k: list(v.shape) for k, v in net.state_dict().items()}
        assert shapes == {k: shape for k, shape in layout["state_dict"]}, name
        del net
        checked += 1
    assert checked == 15  # BFR-256/-D, 512/-D, 1024, 2048, RetinaFace x2, realesrnet x1/x2/x4, ParseNet, colorize, inpaint, seg2face

