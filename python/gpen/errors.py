"""Exceptions raised by gpen. Every one is a :class:`GpenError` carrying the C++ message and a
stable ``code`` (e.g. ``"invalid-model"``); each also derives from the built-in exception a Python
user would expect (``ValueError`` for bad arguments and images, ``FileNotFoundError`` for missing
files, ``OSError`` for decode/encode failures, ``RuntimeError`` for device and internal errors, ``MemoryError`` when the device runs out)."""


class GpenError(Exception):
    """Base of all gpen errors. ``code`` is the stable short name of the error."""

    code = "unknown"

    def __init__(self, message, code=None):
        super().__init__(message)
        if code is not None:
            self.code = code


class InvalidArgumentError(GpenError, ValueError):
    code = "invalid-argument"


class GpenFileNotFoundError(GpenError, FileNotFoundError):
    code = "file-not-found"


class ModelError(GpenError, ValueError):
    """Invalid, unsupported or missing model."""
    code = "invalid-model"


class ImageError(GpenError, ValueError):
    code = "invalid-image"


class DecodeError(GpenError, OSError):
    code = "decode-failed"


class EncodeError(GpenError, OSError):
    code = "encode-failed"


class DeviceError(GpenError, RuntimeError):
    code = "device-unavailable"


class OutOfMemoryError(GpenError, MemoryError):
    """The device ran out of memory, or reached ``memory_limit_mb``."""
    code = "out-of-memory"


class CancelledError(GpenError):
    """A should_stop / abort callback asked the call to stop."""
    code = "cancelled"


class InternalError(GpenError, RuntimeError):
    code = "internal"


# Each class's code; unsupported-model is a ModelError too.
_BY_CODE = {cls.code: cls for cls in GpenError.__subclasses__()}
_BY_CODE["unsupported-model"] = ModelError


def error_class(code: str) -> type:
    """The exception class for a C++ error code name (used by the extension module)."""
    return _BY_CODE.get(code, GpenError)
