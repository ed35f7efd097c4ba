"""Hostile inputs through every door that reads files: gpen-restore (the batch engine) and the
Python API. Files crafted at test time (craft.py); nothing here may crash, leave a partial or
temporary output, modify an input, or fail without a message that says what is wrong."""

import hashlib
import json
import os
import signal
import stat
import subprocess

import numpy as np
import pytest
from PIL import Image

import craft

from conftest import CLI, MODELS, need


@pytest.fixture(scope="module")
def face_png():
    return need(os.path.join(MODELS, "face-64.png"), "test face (models.generate)")


@pytest.fixture(scope="module")
def model():
    return need(os.path.join(MODELS, "random-64.pt"), "test model (models.generate)")


def run_cli(*args, timeout=300):
    need(CLI, "gpen-restore")
    p = subprocess.run([CLI, *args], capture_output=True, timeout=timeout)
    assert p.returncode >= 0, f"gpen-restore killed by signal {signal.Signals(-p.returncode).name}: {p.stderr[-2000:]!r}"
    return p


def digest(folder):
    out = {}
    for root, _, files in os.walk(folder):
        for f in files:
            path = os.path.join(root, f)
            with open(path, "rb") as fh:
                out[path] = hashlib.sha256(fh.read()).hexdigest()
    return out


def write_cases(folder, face_png):
    os.makedirs(folder, exist_ok=True)
    expected = {}
    for name, data, expectation in craft.cases(face_png):
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)
        expected[name] = expectation
    return expected


def test_crafted_files_through_the_cli(tmp_path, face_png, model):
    inputs = tmp_path / "in"
    expected = write_cases(inputs, face_png)
    before = digest(inputs)
    out = tmp_path / "out"
    report_path = tmp_path / "report.json"
    # Every file named on the command line (a folder scan would leave out .gif, .pgm, ...).
    files = sorted(str(inputs / n) for n in expected)
    p = run_cli("-q", "--json", str(report_path), "--model", model, *files, "-o", str(out))
    assert p.returncode == 1, p.stderr[-3000:]
    report = json.loads(report_path.read_text())
    by_name = {os.path.basename(f["input"]): f for f in report["images"]}
    assert set(by_name) == set(expected)
    wrong = []
    for name, expectation in expected.items():
        f = by_name[name]
        output = out / (os.path.splitext(name)[0] + ".png")
        if expectation == "ok":
            if f["status"] != "restored" or not output.exists():
                wrong.append(f"{name}: expected restored, got {f['status']}: {f.get('error')}")
        else:
            if f["status"] != "failed" or expectation not in f.get("error", "").lower():
                wrong.append(f"{name}: expected an error with {expectation!r}, got {f['status']}: {f.get('error')}")
            if output.exists():
                wrong.append(f"{name}: failed but an output exists")
    assert not wrong, "\n".join(wrong)
    # Inputs untouched; no temporaries or partial files left.
    assert digest(inputs) == before
    leftovers = [n for n in os.listdir(out) if n.startswith(".") or ".tmp-" in n]
    assert leftovers == []
    # Gray stays gray: a gray JPEG comes back gray, gray+alpha as gray colours with its alpha.
    assert Image.open(out / "gray.png").mode == "L"
    ga = np.asarray(Image.open(out / "gray-alpha.png"))
    assert ga.shape[2] == 4 and (ga[..., 0] == ga[..., 1]).all() and (ga[..., 1] == ga[..., 2]).all()
    source_alpha = np.asarray(Image.open(inputs / "gray-alpha.png"))[..., 1]
    assert (ga[..., 3] == source_alpha).all()
    assert Image.open(out / "gray16.png").mode == "L"


def test_crafted_files_through_the_python_api(tmp_path, face_png):
    pytest.importorskip("gpen._gpen", reason="SKIPPED: the gpen Python module is not built")
    import gpen
    expected = write_cases(tmp_path, face_png)
    wrong = []
    for name, expectation in expected.items():
        path = str(tmp_path / name)
        try:
            image = gpen.read_image(path)
            if expectation != "ok":
                wrong.append(f"{name}: decoded {image.shape}, expected an error with {expectation!r}")
        except gpen.GpenError as e:
            if expectation == "ok" or expectation not in str(e).lower():
                wrong.append(f"{name}: {type(e).__name__}: {e}")
    assert not wrong, "\n".join(wrong)


def test_file_kinds_and_odd_names(tmp_path, face_png, model):
    """Symlink loops, FIFOs, missing and unreadable files fail with their reason; odd names
    (newline, escape sequence, not UTF-8, leading dash, long) work, and the terminal lines stay
    one per file with control characters escaped; --json stays valid JSON."""
    d = tmp_path / "in"
    d.mkdir()
    os.symlink("loop-b.png", d / "loop-a.png")
    os.symlink("loop-a.png", d / "loop-b.png")
    os.mkfifo(d / "fifo.png")
    face = open(face_png, "rb").read()
    odd = [b"new\nline.png", b"esc\x1b[31m.png", b"caf\xe9.png", b"-dash.png", b"x" * 200 + b".png"]
    for name in odd:
        with open(os.path.join(os.fsencode(str(d)), name), "wb") as f:
            f.write(face)
    unreadable = d / "unreadable.png"
    unreadable.write_bytes(face)
    os.chmod(unreadable, 0)
    root = os.geteuid() == 0  # root reads it anyway: then it is restored
    args = [str(d / "loop-a.png"), str(d / "fifo.png"), str(d / "missing.png"), str(unreadable)]
    args += [os.fsdecode(os.path.join(os.fsencode(str(d)), n)) for n in odd]
    report_path = tmp_path / "r.json"
    p = subprocess.run([CLI, "--json", str(report_path), "--model", model, *args, "-o", str(tmp_path / "out")],
                       capture_output=True, timeout=120)
    assert p.returncode == 1, p.stderr[-2000:]
    report = json.loads(report_path.read_bytes())  # valid JSON whatever the names
    status = {os.path.basename(f["input"]): (f["status"], f.get("error", "")) for f in report["images"]}
    assert status["loop-a.png"][0] == "failed" and "symbolic links" in status["loop-a.png"][1]
    assert status["fifo.png"][0] == "failed" and "not a regular file" in status["fifo.png"][1]
    assert status["missing.png"][0] == "failed" and "not found" in status["missing.png"][1]
    if root:
        print("note: running as root, so the unreadable file is readable; its permission error is not checked")
    else:
        assert status["unreadable.png"][0] == "failed" and "permission denied" in status["unreadable.png"][1]
    restored = [f for f in report["images"] if f["status"] == "restored"]
    assert len(restored) == len(odd) + (1 if root else 0)
    # One line per file on stderr (not a terminal), control characters escaped.
    lines = [l for l in p.stderr.split(b"\n") if l.startswith(b"[")]
    assert len(lines) == len(args), lines
    assert any(b"new\\nline.png" in l for l in lines) and any(b"esc\\x1B[31m.png" in l for l in lines)
    assert not any(b"\x1b" in l for l in p.stderr.split(b"\n"))


def test_cli_refuses_what_cannot_run_before_reading_any_photo(tmp_path, face_png, model):
    """Exit 2, one message, nothing read or written: a bad detector, a missing detector model,
    an output folder that is a file, an empty --model, a broken model."""
    regular = tmp_path / "file"
    regular.write_text("x")
    cases = [
        (["--model", model, "--detector", "haar"], 'detector must be "dlib" or "retinaface'),
        (["--model", model, "--detector", "retinaface:/missing.pt"], "not found"),
        (["--model", model, "-o", str(regular)], "is a file, not a folder"),
        (["--model", model, "-o", str(regular / "sub")], "is a file, not a folder"),
        (["--model", ""], "--model needs a model name or file"),
    ]
    for extra, message in cases:
        args = [face_png] + extra
        if "-o" not in extra:
            args += ["-o", str(tmp_path / "out")]
        p = run_cli(*args)
        err = p.stderr.decode()
        assert p.returncode == 2 and message in err, (extra, p.returncode, err)
        assert err.count("error:") == 1, err
        assert not (tmp_path / "out").exists()
    # A broken model (its output has one channel): stops at the first model call, exit 2.
    bad = need(os.path.join(MODELS, "bad-channels.pt"), "bad test models")
    p = run_cli("--aligned", "--model", bad, face_png, "-o", str(tmp_path / "bad"))
    assert p.returncode == 2 and b"the run stopped" in p.stderr, p.stderr


@pytest.mark.parametrize("name, message", [
    ("bad-version.pt", "metadata format_version is 99"),
    ("no-meta.pt", "has no gpen/meta.json metadata"),
    ("truncated.pt", "truncated or not a TorchScript archive"),
    ("not-a-model.pt", "is not a TorchScript archive"),
])
def test_hostile_model_files_are_refused_at_load(tmp_path, face_png, name, message):
    path = need(os.path.join(MODELS, name), "hostile test models")
    p = run_cli("--model", path, face_png, "-o", str(tmp_path / "out"))
    assert p.returncode == 2 and message in p.stderr.decode(), p.stderr


@pytest.mark.parametrize("name, message", [
    ("bad-batch.pt", "for an input of ["),
    ("bad-channels.pt", ", 1, 64, 64] for an input of ["),
    ("bad-nan.pt", "non-finite values"),
    ("bad-int.pt", "floating"),
    ("bad-size.pt", ", 3, 128, 128] for an input of ["),
    ("bad-tuple.pt", "returned a Tuple, not a tensor"),
])
def test_hostile_model_outputs_are_refused_in_python(face_png, name, message):
    """What the model returns is checked before anything reads it; restore_faces of two faces
    so that a model returning fewer faces is caught too."""
    pytest.importorskip("gpen._gpen", reason="SKIPPED: the gpen Python module is not built")
    import gpen
    path = need(os.path.join(MODELS, name), "hostile test models")
    face = np.asarray(Image.open(face_png).convert("RGB"))
    with pytest.raises(gpen.ModelError, match=message.replace("[", r"\[").replace("(", r"\(")):
        gpen.Restorer(path, max_batch=2).restore_faces([face, face], rgb=True)
