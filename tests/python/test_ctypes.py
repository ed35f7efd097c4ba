"""libgpen_c.so through ctypes, without the Python extension, as any language's FFI would."""

import ctypes
import importlib.util
import os

import numpy as np
import pytest

LIB = os.environ.get("GPEN_C_LIBRARY")
MODELS = os.environ.get("GPEN_TEST_MODELS", "build/test-models")


# The declarations come from the example, so the example is what gets tested.
_spec = importlib.util.spec_from_file_location(
    "ctypes_restore", os.path.join(os.path.dirname(__file__), "..", "..", "examples", "python", "ctypes_restore.py"))
example = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(example)
Image, RestorerParams, RestoreParams = example.Image, example.RestorerParams, example.RestoreParams


@pytest.fixture(scope="module")
def lib():
    if not LIB or not os.path.isfile(LIB):
        pytest.skip("GPEN_C_LIBRARY does not name the built libgpen_c.so")
    lib = example.open_library(LIB)
    return lib


def test_version_and_struct_sizes(lib):
    assert lib.gpen_version() == b"0.1.0"
    assert example.defaults(lib, RestorerParams).struct_size == ctypes.sizeof(RestorerParams)
    restore = example.defaults(lib, RestoreParams)
    assert restore.struct_size == ctypes.sizeof(RestoreParams) and restore.strength == 100.0
    assert lib.gpen_restorer_params_init(None, 48) == 1
    assert b"params is NULL" in lib.gpen_last_error()


class OlderRestorerParams(ctypes.Structure):
    """gpen_restorer_params as the 0.1 header had it (before memory_limit_mb, warmup, photo_ops)."""
    _fields_ = RestorerParams._fields_[:8]


def test_a_caller_with_an_older_struct_gets_defaults_for_the_rest(lib):
    guard = (ctypes.c_ubyte * 64)(*([0xAB] * 64))  # bytes right after the older struct
    holder = type("Holder", (ctypes.Structure,), {"_fields_": [("p", OlderRestorerParams), ("guard", ctypes.c_ubyte * 64)]})()
    holder.guard = guard
    assert lib.gpen_restorer_params_init(ctypes.byref(holder.p), ctypes.sizeof(OlderRestorerParams)) == 0
    assert holder.p.struct_size == ctypes.sizeof(OlderRestorerParams) and holder.p.max_batch == 4
    assert all(b == 0xAB for b in holder.guard)  # nothing written past what the caller has
    holder.p.model_path = os.path.join(MODELS, "random-64.pt").encode()
    handle = ctypes.c_void_p()
    assert lib.gpen_restorer_create(ctypes.byref(holder.p), ctypes.byref(handle)) == 0, lib.gpen_last_error()
    lib.gpen_restorer_destroy(handle)


def test_restore_a_face_from_numpy_memory(lib):
    params = example.defaults(lib, RestorerParams)
    params.model_path = os.path.join(MODELS, "random-64.pt").encode()
    handle = ctypes.c_void_p()
    assert lib.gpen_restorer_create(ctypes.byref(params), ctypes.byref(handle)) == 0, lib.gpen_last_error()
    try:
        assert lib.gpen_restorer_model_size(handle) == 64
        face = np.ascontiguousarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8))
        view = Image(face.ctypes.data, 64, 64, 3, 8, 0, 0)
        zero = example.defaults(lib, RestoreParams)
        zero.strength = 0.0
        result = ctypes.c_void_p()
        assert lib.gpen_restore_aligned(handle, ctypes.byref(view), ctypes.byref(zero), ctypes.byref(result)) == 0
        out = np.empty((64, 64, 3), np.uint8)
        assert lib.gpen_result_copy_image(result, out.ctypes.data, out.nbytes, 0) == 0
        lib.gpen_result_destroy(result)
        assert np.array_equal(out, face)  # strength 0: the input back
        tiny = Image(face.ctypes.data, 1, 1, 3, 8, 0, 0)
        assert lib.gpen_restore_aligned(handle, ctypes.byref(tiny), None, ctypes.byref(result)) == 5
        assert b"at least 16x16" in lib.gpen_last_error()
    finally:
        lib.gpen_restorer_destroy(handle)


def test_errors_come_back_as_status_and_message(lib):
    params = example.defaults(lib, RestorerParams)
    params.model_path = b"/nonexistent/model.pt"
    handle = ctypes.c_void_p()
    assert lib.gpen_restorer_create(ctypes.byref(params), ctypes.byref(handle)) == 2
    assert lib.gpen_last_error() == b"model file not found: /nonexistent/model.pt"
    assert handle.value is None


def test_example_prints_usage_without_arguments():
    import subprocess
    import sys
    path = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "python", "ctypes_restore.py")
    r = subprocess.run([sys.executable, path], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and r.stderr.startswith("usage: python ctypes_restore.py") and "Traceback" not in r.stderr
