"""libgpen_c.so through ctypes, without the Python extension, as any language's FFI would."""

import ctypes
import os

import numpy as np
import pytest

LIB = os.environ.get("GPEN_C_LIBRARY")
MODELS = os.environ.get("GPEN_TEST_MODELS", "build/test-models")


class Image(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("width", ctypes.c_int), ("height", ctypes.c_int),
                ("channels", ctypes.c_int), ("depth", ctypes.c_int), ("stride", ctypes.c_size_t),
                ("order", ctypes.c_int)]


class RestorerParams(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("model_path", ctypes.c_char_p), ("device", ctypes.c_char_p),
                ("detector", ctypes.c_char_p), ("threads", ctypes.c_int), ("precision", ctypes.c_int),
                ("max_batch", ctypes.c_int), ("detection_max_side", ctypes.c_int)]


class RestoreParams(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("strength", ctypes.c_float), ("mode", ctypes.c_int),
                ("denoise", ctypes.c_float), ("sharpen", ctypes.c_float), ("only_center_face", ctypes.c_int),
                ("max_faces", ctypes.c_int), ("min_face_size", ctypes.c_float), ("upscale", ctypes.c_int)]


@pytest.fixture(scope="module")
def lib():
    if not LIB or not os.path.isfile(LIB):
        pytest.skip("GPEN_C_LIBRARY does not name the built libgpen_c.so")
    lib = ctypes.CDLL(LIB)
    lib.gpen_version.restype = ctypes.c_char_p
    lib.gpen_last_error.restype = ctypes.c_char_p
    lib.gpen_restorer_default_params.restype = RestorerParams
    lib.gpen_restore_default_params.restype = RestoreParams
    lib.gpen_restorer_create.argtypes = [ctypes.POINTER(RestorerParams), ctypes.POINTER(ctypes.c_void_p)]
    lib.gpen_restore_aligned.argtypes = [ctypes.c_void_p, ctypes.POINTER(Image), ctypes.POINTER(RestoreParams),
                                         ctypes.POINTER(ctypes.c_void_p)]
    lib.gpen_result_image.restype = Image
    lib.gpen_result_image.argtypes = [ctypes.c_void_p]
    lib.gpen_result_copy_image.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t]
    lib.gpen_result_destroy.argtypes = [ctypes.c_void_p]
    lib.gpen_restorer_destroy.argtypes = [ctypes.c_void_p]
    lib.gpen_restorer_model_size.argtypes = [ctypes.c_void_p]
    return lib


def test_version_and_struct_sizes(lib):
    assert lib.gpen_version() == b"0.1.0"
    assert lib.gpen_restorer_default_params().struct_size == ctypes.sizeof(RestorerParams)
    assert lib.gpen_restore_default_params().struct_size == ctypes.sizeof(RestoreParams)


def test_restore_a_face_from_numpy_memory(lib):
    params = lib.gpen_restorer_default_params()
    params.model_path = os.path.join(MODELS, "random-64.pt").encode()
    handle = ctypes.c_void_p()
    assert lib.gpen_restorer_create(ctypes.byref(params), ctypes.byref(handle)) == 0, lib.gpen_last_error()
    try:
        assert lib.gpen_restorer_model_size(handle) == 64
        face = np.ascontiguousarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8))
        view = Image(face.ctypes.data, 64, 64, 3, 8, 0, 0)
        zero = lib.gpen_restore_default_params()
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
    params = lib.gpen_restorer_default_params()
    params.model_path = b"/nonexistent/model.pt"
    handle = ctypes.c_void_p()
    assert lib.gpen_restorer_create(ctypes.byref(params), ctypes.byref(handle)) == 2
    assert lib.gpen_last_error() == b"model file not found: /nonexistent/model.pt"
    assert handle.value is None
