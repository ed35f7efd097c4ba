"""`python -m gpen` (and the `gpen` console command pip installs): gpen-restore's flags over the
Python package."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import gpen
from gpen.__main__ import _flag

MODELS = os.environ.get("GPEN_TEST_MODELS", "")


def run(*args):
    return subprocess.run([sys.executable, "-m", "gpen", *args], capture_output=True, text=True, timeout=300)


def test_help_lists_every_parameter_as_gpen_restore_spells_it():
    r = run("--help")
    assert r.returncode == 0
    for name, info in gpen.param_table().items():
        assert _flag(name) + " " in r.stdout or _flag(name) + "]" in r.stdout or _flag(name) + "\n" in r.stdout, name
        if info["kind"] == "bool" and info["default"] is True:
            assert "--no-" + _flag(name)[2:] in r.stdout
    assert _flag("max_batch") == "--batch-size" and _flag("model_path") == "--model"


def test_restore_files_and_exit_codes(tmp_path):
    model = os.path.join(MODELS, "random-64.pt")
    face = os.path.join(MODELS, "face-64.png")
    if not os.path.exists(model):
        pytest.skip(f"SKIPPED: {model} missing (models.generate)")
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not an image")
    out = tmp_path / "out"
    r = run("--model", model, "--aligned", "--strength", "70", "--format", "jpeg", "--compare",
            "--json", str(tmp_path / "r.json"), "-o", str(out), face, str(bad))
    assert r.returncode == 1, r.stderr  # one failed
    assert "failed: " in r.stderr and "bad.jpg" in r.stderr
    assert (out / "face-64.jpg").is_file() and (out / "compare" / "face-64.jpg").is_file()
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["restored"] == 1 and report["failed"] == 1
    r = run("-q", "--model", model, "--aligned", "-o", str(tmp_path / "q"), face)
    assert r.returncode == 0 and r.stderr == "" and r.stdout == ""
    r = run("--strength", "300", "-o", str(tmp_path / "x"), face)
    assert r.returncode == 2 and "strength must be in 0-100, got 300" in r.stderr
    r = run("--strength", "high", "-o", str(tmp_path / "x"), face)
    assert r.returncode == 2 and "--strength needs a number, got 'high'" in r.stderr
    r = run(face)
    assert r.returncode == 2 and "-o OUTDIR is required" in r.stderr
    r = run("-o", str(tmp_path / "x"), str(tmp_path / "nowhere.png"))
    assert r.returncode == 2 and "input not found" in r.stderr


def test_models_subcommand_lists_the_catalogue(tmp_path):
    env = dict(os.environ, GPEN_HOME=str(tmp_path))
    r = subprocess.run([sys.executable, "-m", "gpen", "models", "list"], capture_output=True, text=True,
                       timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    assert f"cache: {tmp_path}" in r.stdout and "GPEN-BFR-512" in r.stdout and "not cached" in r.stdout
    r = subprocess.run([sys.executable, "-m", "gpen", "models", "path", "GPEN-BFR-512"], capture_output=True,
                       text=True, timeout=120, env=env)
    assert r.returncode == 1 and "run `gpen models pull GPEN-BFR-512`" in r.stderr


def test_import_sets_a_passive_openmp_wait_policy_unless_chosen():
    """libgomp reads OMP_WAIT_POLICY once, at load: `import gpen` sets PASSIVE before the extension
    loads it (GOMP_SPINCOUNT 0: no spinning between parallel regions), and respects a choice."""
    code = "import gpen, os; print(os.environ['OMP_WAIT_POLICY'])"
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    env["OMP_DISPLAY_ENV"] = "VERBOSE"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "PASSIVE" and "GOMP_SPINCOUNT = '0'" in r.stderr, r.stderr[-2000:]
    env["OMP_WAIT_POLICY"] = "ACTIVE"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert r.stdout.strip() == "ACTIVE" and "OMP_WAIT_POLICY = 'ACTIVE'" in r.stderr
