"""Using libgpen_c.so from Python through ctypes: the pattern any language's FFI follows.

    python ctypes_restore.py /path/to/libgpen_c.so [MODEL.pt]

The declarations below (structs field for field, return and argument types) are what a binding
needs; tests/python/test_ctypes.py uses them too.
"""

import ctypes
import sys

import numpy as np


class Image(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("width", ctypes.c_int), ("height", ctypes.c_int),
                ("channels", ctypes.c_int), ("depth", ctypes.c_int), ("stride", ctypes.c_size_t),
                ("order", ctypes.c_int)]


class RestorerParams(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("model_path", ctypes.c_char_p), ("device", ctypes.c_char_p),
                ("detector", ctypes.c_char_p), ("threads", ctypes.c_int), ("precision", ctypes.c_int),
                ("max_batch", ctypes.c_int), ("detection_max_side", ctypes.c_int),
                ("memory_limit_mb", ctypes.c_int), ("warmup", ctypes.c_int), ("photo_ops", ctypes.c_int)]


class RestoreParams(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("strength", ctypes.c_float), ("mode", ctypes.c_int),
                ("denoise", ctypes.c_float), ("sharpen", ctypes.c_float), ("only_center_face", ctypes.c_int),
                ("max_faces", ctypes.c_int), ("min_face_size", ctypes.c_float), ("upscale", ctypes.c_int)]


def open_library(path: str) -> ctypes.CDLL:
    """Loads libgpen_c.so and declares the functions used here."""
    lib = ctypes.CDLL(path)
    handle, out = ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)
    lib.gpen_version.restype = ctypes.c_char_p
    lib.gpen_last_error.restype = ctypes.c_char_p
    # Parameter structs are filled in place with the *_init functions, which write only the bytes
    # this declaration has: safe with any version of the library.
    lib.gpen_restorer_params_init.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
    lib.gpen_restore_params_init.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
    lib.gpen_restorer_create.argtypes = [ctypes.c_void_p, out]
    lib.gpen_restorer_destroy.argtypes = [handle]
    lib.gpen_restorer_model_size.argtypes = [handle]
    lib.gpen_restore_aligned.argtypes = [handle, ctypes.POINTER(Image), ctypes.c_void_p, out]
    lib.gpen_result_image.restype = Image
    lib.gpen_result_image.argtypes = [handle]
    lib.gpen_result_copy_image.argtypes = [handle, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t]
    lib.gpen_result_destroy.argtypes = [handle]
    return lib


def defaults(lib: ctypes.CDLL, struct_type):
    """A RestorerParams or RestoreParams holding the library's defaults, struct_size set."""
    params = struct_type()
    init = lib.gpen_restorer_params_init if struct_type is RestorerParams else lib.gpen_restore_params_init
    if init(ctypes.byref(params), ctypes.sizeof(params)) != 0:
        raise RuntimeError(lib.gpen_last_error().decode())
    return params


def main(argv) -> int:
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print("usage: python ctypes_restore.py /path/to/libgpen_c.so [MODEL.pt]\n"
              "  (libgpen_c.so is in build/lib/ after ./scripts/setup.sh)", file=sys.stderr)
        return 2
    lib = open_library(argv[1])
    params = defaults(lib, RestorerParams)  # struct_size is set for us
    params.model_path = argv[2].encode() if len(argv) > 2 else None
    restorer = ctypes.c_void_p()
    if lib.gpen_restorer_create(ctypes.byref(params), ctypes.byref(restorer)) != 0:
        print(f"error: {lib.gpen_last_error().decode()}", file=sys.stderr)
        return 1
    try:
        face = np.zeros((128, 128, 3), np.uint8)
        face[32:96, 32:96] = 200
        view = Image(face.ctypes.data, 128, 128, 3, 8, 0, 0)
        result = ctypes.c_void_p()
        if lib.gpen_restore_aligned(restorer, ctypes.byref(view), None, ctypes.byref(result)) != 0:
            print(f"error: {lib.gpen_last_error().decode()}", file=sys.stderr)
            return 1
        out = lib.gpen_result_image(result)
        restored = np.empty((out.height, out.width, out.channels), np.uint8)
        lib.gpen_result_copy_image(result, restored.ctypes.data, restored.nbytes, 0)
        lib.gpen_result_destroy(result)
        print(f"restored a 128x128 face into {restored.shape[1]}x{restored.shape[0]} via ctypes")
    finally:
        lib.gpen_restorer_destroy(restorer)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
