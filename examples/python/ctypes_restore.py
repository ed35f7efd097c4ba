"""Using libgpen_c.so from Python through ctypes: the pattern any language's FFI follows.
usage: python ctypes_restore.py /path/to/libgpen_c.so [MODEL.pt]"""

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
                ("max_batch", ctypes.c_int), ("detection_max_side", ctypes.c_int)]


lib = ctypes.CDLL(sys.argv[1])
lib.gpen_last_error.restype = ctypes.c_char_p
lib.gpen_restorer_default_params.restype = RestorerParams
lib.gpen_result_image.restype = Image
lib.gpen_result_image.argtypes = [ctypes.c_void_p]
lib.gpen_result_destroy.argtypes = [ctypes.c_void_p]
lib.gpen_restorer_destroy.argtypes = [ctypes.c_void_p]
lib.gpen_restore_aligned.argtypes = [ctypes.c_void_p, ctypes.POINTER(Image), ctypes.c_void_p,
                                     ctypes.POINTER(ctypes.c_void_p)]

params = lib.gpen_restorer_default_params()  # struct_size is set for us
params.model_path = sys.argv[2].encode() if len(sys.argv) > 2 else None
restorer = ctypes.c_void_p()
if lib.gpen_restorer_create(ctypes.byref(params), ctypes.byref(restorer)) != 0:
    sys.exit(f"error: {lib.gpen_last_error().decode()}")

face = np.zeros((128, 128, 3), np.uint8)
face[32:96, 32:96] = 200
view = Image(face.ctypes.data, 128, 128, 3, 8, 0, 0)
result = ctypes.c_void_p()
if lib.gpen_restore_aligned(restorer, ctypes.byref(view), None, ctypes.byref(result)) != 0:
    sys.exit(f"error: {lib.gpen_last_error().decode()}")
out = lib.gpen_result_image(result)
restored = np.ctypeslib.as_array(ctypes.cast(out.data, ctypes.POINTER(ctypes.c_uint8)),
                                 shape=(out.height, out.width, out.channels)).copy()
lib.gpen_result_destroy(result)
lib.gpen_restorer_destroy(restorer)
print(f"restored a {face.shape[1]}x{face.shape[0]} face into {restored.shape[1]}x{restored.shape[0]} via ctypes")
