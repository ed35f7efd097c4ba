"""gpen: restore faces in old, blurred and noisy photographs with GPEN.

    import gpen
    restorer = gpen.Restorer("models/GPEN-BFR-512.pt")      # or gpen.Restorer() for the classic path
    result = restorer.restore(cv2.imread("family.jpg"), strength=90)
    cv2.imwrite("restored.png", result.image)
    for face in result.faces:
        print(face.box, face.score)

    report = gpen.restore_files(["album/"], "restored/", model="models/GPEN-BFR-512.pt",
                                recursive=True, progress=print)

Images are numpy arrays (H x W x 3 BGR by default, like OpenCV; ``rgb=True`` for RGB; gray and
RGBA/BGRA accepted; uint8 or uint16) or PIL images (taken as RGB, returned as RGB). The GIL is
released while restoring. Errors raise :class:`gpen.GpenError` subclasses (see gpen.errors).

The model tools (``gpen.model``, ``gpen.fast``, ``gpen.export``, ``gpen.retinaface``) need only
PyTorch and work without the compiled extension.
"""

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from .errors import (DecodeError, DeviceError, EncodeError, GpenError, GpenFileNotFoundError,  # noqa: F401
                     ImageError, InternalError, InvalidArgumentError, ModelError, OutOfMemoryError)

__version__ = "0.1.0"

try:
    from . import _gpen
except ImportError as _e:  # a source checkout without the compiled extension
    _gpen = None
    _import_error = _e

MODES = ("natural", "strong", "detail")
_RESTORE_KEYS = ("strength", "mode", "denoise", "sharpen", "only_center_face", "max_faces",
                 "min_face_size", "upscale")


def _ext():
    if _gpen is None:
        raise ImportError("gpen's compiled extension (gpen._gpen) is not available: install the package "
                          "with `pip install .` or build it with CMake; the model tools (gpen.export) "
                          f"work without it ({_import_error})")
    return _gpen


@dataclass
class Face:
    """One restored face, in the coordinates of the input photo."""
    box: Tuple[float, float, float, float]          #: x, y, width, height
    score: float                                    #: detector confidence
    landmarks: List[Tuple[float, float]]            #: eyes, nose tip, mouth corners
    affine: Tuple[float, ...] = ()                  #: 2x3 row-major, photo -> aligned crop
    crop: Any = None                                #: the aligned crop that went into the model
    restored: Any = None                            #: the model's face before blending


@dataclass
class Result:
    """What :meth:`Restorer.restore` returns."""
    image: Any                                      #: the restored photo (numpy, same layout as the input)
    faces: List[Face] = field(default_factory=list)


def _is_pil(img) -> bool:
    return type(img).__module__.startswith("PIL.") and hasattr(img, "convert")


def _as_array(img, rgb: Optional[bool]):
    """numpy view of `img` and whether it is RGB."""
    import numpy as np
    if _is_pil(img):
        mode = img.mode
        if mode not in ("L", "RGB", "RGBA", "I;16"):
            img = img.convert("RGBA" if "A" in mode else "RGB")
        return np.asarray(img), True if rgb is None else rgb
    if not isinstance(img, np.ndarray):
        raise TypeError(f"image must be a numpy array or a PIL image, got {type(img).__name__}")
    return img, bool(rgb)


def _number(name: str, value, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidArgumentError(f"{name} must be a number in {lo:g}-{hi:g}, got {value!r}")
    return float(value)


def _restore_params(preset: Optional[str], given: Dict[str, Any]) -> Dict[str, Any]:
    params = dict(_ext().preset(preset)) if preset is not None else {}
    for key, value in given.items():
        if value is None:
            continue
        if key == "mode":
            if value not in MODES:
                raise InvalidArgumentError(f"mode must be one of {', '.join(MODES)}, got {value!r}")
        elif key in ("strength", "denoise", "sharpen"):
            value = _number(key, value, 0, 100)
        elif key == "min_face_size":
            value = _number(key, value, 8, 4096)
        elif key in ("max_faces", "upscale"):
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidArgumentError(f"{key} must be an integer, got {value!r}")
        elif key == "only_center_face":
            value = bool(value)
        params[key] = value
    return params


def preset(name: str) -> Dict[str, Any]:
    """The parameters of a named preset (see :func:`preset_names`)."""
    return dict(_ext().preset(name))


def preset_names() -> List[str]:
    return list(_ext().preset_names())


def read_image(path: str):
    """Decode an image file to a numpy array (8-bit BGR, BGRA or gray; EXIF orientation applied)."""
    return _ext().read_image(str(path))


def write_image(path: str, image, rgb: bool = False, quality: int = 95) -> None:
    """Encode by extension (.png, .jpg, .webp, ...), written atomically."""
    _ext().write_image(str(path), image, rgb, quality)


class Restorer:
    """Loads a GPEN model once and restores many photos; thread-safe.

    Args:
        model: TorchScript file from ``python -m gpen.export``; ``None`` uses the classic
            (model-free) enhancement.
        device: ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.
        detector: ``"dlib"`` (built in) or ``"retinaface:PATH"``.
        threads: CPU threads for LibTorch, 0 = all cores.
        precision: ``"fp32"``, or ``"fp16"``/``"bf16"`` on CUDA.
        max_batch: faces per model call.
        detection_max_side: photos larger than this are searched on a downscaled copy.
        memory_limit_mb: CUDA only: cap on the device memory LibTorch's caching allocator may hold,
            in MiB (0 = none); beyond it calls fail with :class:`OutOfMemoryError`.
        warmup: CUDA only: run one ``max_batch`` batch at load so that later calls allocate
            nothing new.
        photo_ops: where whole photos' faces are cut out and pasted back: ``"auto"`` (on the
            GPU for CUDA devices, OpenCV on the host for the CPU), ``"host"`` or ``"device"``.
    """

    def __init__(self, model: Optional[str] = None, device: str = "cpu", *, detector: str = "dlib",
                 threads: int = 0, precision: str = "fp32", max_batch: int = 4,
                 detection_max_side: int = 6000, memory_limit_mb: int = 0, warmup: bool = True,
                 photo_ops: str = "auto"):
        self._impl = _ext().Restorer(str(model) if model else "", device, detector, threads, precision,
                                     max_batch, detection_max_side, memory_limit_mb, bool(warmup),
                                     photo_ops)

    def memory_stats(self) -> Dict[str, Any]:
        """Device memory held by LibTorch's caching allocator on this restorer's device:
        ``allocated_bytes``, ``reserved_bytes``, their peaks and the device's ``total_bytes``.
        On the CPU ``device_memory`` is False and every figure 0."""
        return self._impl.memory_stats()

    @property
    def model_info(self) -> Dict[str, Any]:
        """size, architecture ("gpen" or "classic"), channel_multiplier, narrow, random_weights..."""
        return self._impl.model_info

    @property
    def has_model(self) -> bool:
        return self._impl.has_model

    def restore(self, img, *, strength: Optional[float] = None, mode: Optional[str] = None,
                denoise: Optional[float] = None, sharpen: Optional[float] = None,
                only_center_face: Optional[bool] = None, max_faces: Optional[int] = None,
                min_face_size: Optional[float] = None, upscale: Optional[int] = None,
                preset: Optional[str] = None, rgb: Optional[bool] = None) -> Result:
        """Restore every face of a photo and paste them back.

        Parameters left as None take the preset's value (if ``preset`` is given) or the default:
        strength 100, mode "natural", denoise 0, sharpen 0, all faces >= 32 px, upscale 1.
        ``rgb``: the array is RGB (default False: BGR like OpenCV; True for PIL images).
        """
        array, is_rgb = _as_array(img, rgb)
        params = _restore_params(preset, dict(strength=strength, mode=mode, denoise=denoise, sharpen=sharpen,
                                              only_center_face=only_center_face, max_faces=max_faces,
                                              min_face_size=min_face_size, upscale=upscale))
        image, faces = self._impl.restore(array, is_rgb, params)
        return Result(image=image, faces=[Face(**f) for f in faces])

    def restore_faces(self, faces: Sequence, *, strength: Optional[float] = None, mode: Optional[str] = None,
                      denoise: Optional[float] = None, sharpen: Optional[float] = None,
                      rgb: Optional[bool] = None) -> List:
        """Restore already-aligned face crops; returns model-size images in the input's order."""
        arrays = []
        is_rgb = bool(rgb)
        for f in faces:
            a, is_rgb = _as_array(f, rgb)
            arrays.append(a)
        params = _restore_params(None, dict(strength=strength, mode=mode, denoise=denoise, sharpen=sharpen))
        return self._impl.restore_faces(arrays, is_rgb, params)

    def detect(self, img, *, only_center_face: Optional[bool] = None, max_faces: Optional[int] = None,
               min_face_size: Optional[float] = None, rgb: Optional[bool] = None) -> List[Face]:
        """The faces restore() would restore."""
        array, is_rgb = _as_array(img, rgb)
        params = _restore_params(None, dict(only_center_face=only_center_face, max_faces=max_faces,
                                            min_face_size=min_face_size))
        return [Face(**f) for f in self._impl.detect(array, is_rgb, params)]

    def __repr__(self) -> str:
        info = self.model_info
        return f"gpen.Restorer({info['architecture']} {info['size']}px, path={info['path']!r})"


_BATCH_KEYS = ("recursive", "extensions", "skip_existing", "format", "quality", "readers", "writers",
               "queue_capacity", "aligned", "save_faces")


def restore_files(paths, out_dir: str, *, restorer: Optional[Restorer] = None, model: Optional[str] = None,
                  progress: Optional[Callable[[Dict[str, Any]], None]] = None, preset: Optional[str] = None,
                  **options) -> Dict[str, Any]:
    """Restore files and directories into ``out_dir`` with the batch engine.

    ``paths``: a path or a list of files/directories. ``restorer`` (or ``model`` to create one).
    ``progress(d)`` is called after each file with done, failed, skipped, total, faces, elapsed,
    eta, file, status. Batch options: recursive, extensions (list), skip_existing, format
    ("png"/"jpg"/"webp"), quality, readers, writers, queue_capacity, aligned, save_faces.
    Restore options as in :meth:`Restorer.restore`. Returns the report: files (input, output,
    status, error, faces, seconds), counts, wall_seconds, compute_busy_fraction.
    """
    if isinstance(paths, (str, bytes)) or hasattr(paths, "__fspath__"):
        paths = [paths]
    batch = {"output_dir": str(out_dir)}
    restore = {}
    for key, value in options.items():
        if key in _BATCH_KEYS:
            batch[key] = list(value) if key == "extensions" else value
        elif key in _RESTORE_KEYS:
            restore[key] = value
        else:
            raise TypeError(f"restore_files() got an unexpected keyword argument {key!r}")
    if restorer is None:
        restorer = Restorer(model)
    elif model is not None:
        raise InvalidArgumentError("give either restorer= or model=, not both")
    return restorer._impl.restore_files([str(p) for p in paths], batch, _restore_params(preset, restore), progress)
