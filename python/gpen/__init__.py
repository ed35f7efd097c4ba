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

import os
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from .errors import (DecodeError, DeviceError, EncodeError, GpenError, GpenFileNotFoundError,  # noqa: F401
                     ImageError, InternalError, InvalidArgumentError, ModelError, OutOfMemoryError, CancelledError)

__version__ = "0.1.0"


def _openmp_runtime_loaded() -> bool:
    try:
        with open("/proc/self/maps") as maps:
            return "libgomp" in maps.read()
    except OSError:
        return True  # cannot tell: leave the environment alone


# LibTorch's OpenMP threads spin between parallel regions unless told otherwise; on a busy machine
# that spinning steals the cores the work needs (the README snippet took 4.4-17 s instead of 3.4 s
# at load 6 on 2 cores). libgomp reads its wait policy once, when it is loaded: set it before the
# extension loads it, unless the user chose one or something (torch) already loaded the runtime.
if "OMP_WAIT_POLICY" not in os.environ and not _openmp_runtime_loaded():
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"

try:
    from . import _gpen
except ImportError as _e:  # a source checkout without the compiled extension
    _gpen = None
    _import_error = _e

_TABLE: Optional[Dict[str, Dict[str, Any]]] = None


def _ext():
    if _gpen is None:
        raise ImportError("gpen's compiled extension (gpen._gpen) is not available: install the package "
                          "with `pip install .` or build it with CMake; the model tools (gpen.export) "
                          f"work without it ({_import_error})")
    return _gpen


def param_table() -> Dict[str, Dict[str, Any]]:
    """Every parameter of the library by name: group ("restore", "restorer", "batch" or "video"), kind,
    min, max, choices, default and doc. The keywords below are checked against it; it comes from
    the C++ core (gpen/params.def), so nothing here repeats a default or a range."""
    global _TABLE
    if _TABLE is None:
        _TABLE = {p["name"]: p for p in _ext().param_table()}
    return _TABLE


MODES: Tuple[str, ...] = tuple(next(p for p in _gpen.param_table() if p["name"] == "mode")["choices"]) \
    if _gpen is not None else ()


@dataclass
class Face:
    """One restored face, in the coordinates of the input photo."""
    box: Tuple[float, float, float, float]          #: x, y, width, height
    score: float                                    #: detector confidence
    landmarks: List[Tuple[float, float]]            #: eyes, nose tip, mouth corners
    affine: Tuple[float, ...] = ()                  #: 2x3 row-major, photo -> aligned crop
    crop: Any = None                                #: the aligned crop that went into the model
    restored: Any = None                            #: the model's face before blending
    mask: Any = None                                #: with a parser: the paste-back mask (crop size, uint8)

    def __repr__(self) -> str:
        x, y, w, h = self.box
        return f"gpen.Face(box=({x:.0f}, {y:.0f}, {w:.0f}, {h:.0f}), score={self.score:.2f})"


def _describe_image(image) -> str:
    if _is_pil(image):
        return f"PIL {image.mode} {image.width}x{image.height}"
    shape = getattr(image, "shape", None)
    if shape is None:
        return type(image).__name__
    return f"{'x'.join(str(d) for d in shape)} {getattr(image, 'dtype', '')}".strip()


@dataclass
class Result:
    """What :meth:`Restorer.restore` returns."""
    image: Any                                      #: the restored photo (numpy, same layout as the input; PIL for PIL)
    faces: List[Face] = field(default_factory=list)
    compare: Any = None                             #: with compare=True: input | result, side by side

    def __repr__(self) -> str:
        n = len(self.faces)
        return f"gpen.Result(image={_describe_image(self.image)}, {n} face{'' if n == 1 else 's'})"


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


def _checked(function: str, groups: Tuple[str, ...], given: Dict[str, Any]) -> Dict[str, Any]:
    """Keyword arguments checked for their Python type against the parameter table (ranges are
    the core's to check); None means "the default". Unknown names raise TypeError."""
    table = param_table()
    out = {}
    for key, value in given.items():
        info = table.get(key)
        if info is None or info["group"] not in groups:
            raise TypeError(f"{function}() got an unexpected keyword argument {key!r}")
        if value is None:
            continue
        kind = info["kind"]
        if kind == "float":
            value = _number(key, value, info["min"], info["max"])
        elif kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidArgumentError(f"{key} must be an integer, got {value!r}")
        elif kind == "bool":
            value = bool(value)
        elif kind == "choice":  # restore parameters are checked here, options by the core
            if not isinstance(value, str) or (info["group"] == "restore" and value not in info["choices"]):
                raise InvalidArgumentError(f"{key} must be one of {', '.join(info['choices'])}, got {value!r}")
        elif kind == "text-list":
            value = [str(v) for v in value]
        else:  # text: file names and the rest alike, as os.fsencode encodes them
            value = os.fsencode(value) if isinstance(value, (str, bytes)) or hasattr(value, "__fspath__") \
                else str(value).encode()
        out[key] = value
    return out


def _restore_params(function: str, preset: Optional[str], given: Dict[str, Any]) -> Dict[str, Any]:
    params = dict(_ext().preset(preset)) if preset is not None else {}
    params.update(_checked(function, ("restore",), given))
    return params


def _describe(group: str) -> str:
    """The docstring lines of a group's keywords, from the parameter table."""
    lines = []
    for name, p in param_table().items():
        if p["group"] != group:
            continue
        limits = f"{p['min']:g}-{p['max']:g}, " if p["kind"] in ("int", "float") else \
            f"{' | '.join(p['choices'])}, " if p["kind"] == "choice" else ""
        lines.append(f"        {name}: {p['doc']} ({limits}default {p['default']!r})")
    return "\n".join(lines)


def preset(name: str) -> Dict[str, Any]:
    """The parameters of a named preset (see :func:`preset_names`)."""
    return dict(_ext().preset(name))


def preset_names() -> List[str]:
    return list(_ext().preset_names())


def _os_path(path, what: str = "path") -> bytes:
    """A file name as the library takes it: str, bytes or os.PathLike, encoded as os.fsencode does
    (so names that are not UTF-8 work); anything else is a TypeError."""
    if isinstance(path, (str, bytes)) or hasattr(path, "__fspath__"):
        return os.fsencode(path)
    raise TypeError(f"{what} must be a str, bytes or os.PathLike, got {type(path).__name__}")


def read_image(path):
    """Decode an image file to a numpy array (8-bit BGR, BGRA or gray; EXIF orientation applied)."""
    return _ext().read_image(_os_path(path))


def write_image(path, image, rgb: bool = False, quality: int = 95) -> None:
    """Encode by extension (.png, .jpg, .webp, ...), written atomically."""
    _ext().write_image(_os_path(path), image, rgb, quality)


class Restorer:
    """Loads a GPEN model once and restores many photos; thread-safe.

    ``Restorer(model=None, device=None, **options)``: ``model`` is a TorchScript file from
    ``python -m gpen.export`` (``None``: the classic, model-free enhancement), ``device`` is
    ``"cpu"``, ``"cuda"`` or ``"cuda:N"``. Options (left out: the library's default):

{options}
    """

    def __init__(self, model: Optional[str] = None, device: Optional[str] = None, **options):
        given = dict(options)
        if model is not None:
            given["model_path"] = model
        if device is not None:
            given["device"] = device
        self._impl = _ext().Restorer(_checked("Restorer", ("restorer",), given))

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

    def restore(self, img, *, preset: Optional[str] = None, rgb: Optional[bool] = None, compare: bool = False,
                **params) -> Result:
        """Restore every face of a photo and paste them back.

        ``preset``: a named parameter set (:func:`preset_names`); keywords given override it.
        ``rgb``: the array is RGB (default False: BGR like OpenCV; True for PIL images).
        ``compare``: also return ``Result.compare``, the input and the result side by side.
        Parameters (left out: the preset's value, else the default):

{params}
        """
        array, is_rgb = _as_array(img, rgb)
        image, faces = self._impl.restore(array, is_rgb, _restore_params("restore", preset, params))
        both = _ext().side_by_side(array, is_rgb, image, is_rgb) if compare else None
        if _is_pil(img):  # a PIL image in, a PIL image out
            from PIL import Image
            image = Image.fromarray(image)
            both = Image.fromarray(both) if both is not None else None
        return Result(image=image, faces=[Face(**f) for f in faces], compare=both)

    def restore_video(self, src, dst, *, progress: Optional[Callable[[Dict[str, Any]], None]] = None,
                      preset: Optional[str] = None, **params) -> Dict[str, Any]:
        """Restore every frame of the video ``src`` into ``dst`` (any container/codec FFmpeg's
        libraries decode; the output keeps the frame count, timestamps and rotation, has the audio
        and subtitles copied unchanged, and is written atomically). Faces are tracked and their
        landmarks smoothed over time. ``progress(d)`` is called after each frame with
        frames_done, frames_total, elapsed, eta; an exception it raises (or Ctrl-C) stops the run
        and is raised here, nothing is left at ``dst``. Takes the parameters of :meth:`restore`
        and these video options (left out: the default):

{video}

        Returns the report: output, frames, faces, frames_per_track, copied_streams, damaged,
        width, height, detections, resumed_frames, model_calls, seconds, stage_seconds (decode, compute, encode: the stages
        run at the same time), compute_busy_fraction."""
        table = param_table()
        video = _checked("restore_video", ("video",),
                         {k: v for k, v in params.items() if k in table and table[k]["group"] == "video"})
        restore = _restore_params("restore_video", preset,
                                  {k: v for k, v in params.items() if k not in table or table[k]["group"] != "video"})
        return self._impl.restore_video(_os_path(src, "src"), _os_path(dst, "dst"), video, restore, progress)

    def restore_faces(self, faces: Sequence, *, rgb: Optional[bool] = None, **params) -> List:
        """Restore already-aligned face crops; returns model-size images in the input's order
        (PIL images for PIL inputs). Takes the parameters of :meth:`restore` (the whole-photo
        ones have no effect)."""
        arrays = []
        flags = []
        for f in faces:
            a, is_rgb = _as_array(f, rgb)
            arrays.append(a)
            flags.append(is_rgb)
        checked = _restore_params("restore_faces", None, params)
        if len(set(flags)) > 1:  # a mixed PIL/numpy list: each face in its own colour order
            out = [self._impl.restore_faces([a], f, checked)[0] for a, f in zip(arrays, flags)]
        else:
            out = self._impl.restore_faces(arrays, flags[0] if flags else bool(rgb), checked)
        if any(_is_pil(f) for f in faces):  # PIL faces in, PIL faces out
            from PIL import Image
            out = [Image.fromarray(o) if _is_pil(f) else o for o, f in zip(out, faces)]
        return out

    def detect(self, img, *, rgb: Optional[bool] = None, **params) -> List[Face]:
        """The faces restore() would restore (only_center_face, max_faces and min_face_size apply)."""
        array, is_rgb = _as_array(img, rgb)
        return [Face(**f) for f in self._impl.detect(array, is_rgb, _restore_params("detect", None, params))]

    def __repr__(self) -> str:
        info = self.model_info
        return f"gpen.Restorer({info['architecture']} {info['size']}px, path={info['path']!r})"


def restore_files(paths, out_dir: str, *, restorer: Optional[Restorer] = None, model: Optional[str] = None,
                  progress: Optional[Callable[[Dict[str, Any]], None]] = None, preset: Optional[str] = None,
                  **options) -> Dict[str, Any]:
    """Restore files and directories into ``out_dir`` with the batch engine.

    ``paths``: a path or a list of files/directories. ``restorer`` (or ``model`` to create one).
    ``progress(d)`` is called after each file with done, failed, skipped, total, faces, elapsed,
    eta, file, status, error. Restore parameters as in :meth:`Restorer.restore`. Returns the report:
    files (input, output, status, error, faces, seconds), counts, wall_seconds,
    compute_busy_fraction. Batch options (left out: the default):

{batch}
    """
    if isinstance(paths, (str, bytes)) or hasattr(paths, "__fspath__"):
        paths = [paths]
    paths = [_os_path(p, "each of paths") for p in paths]
    # A path that does not exist is the caller's mistake, raised at once; files whose contents
    # cannot be read stay entries of the report.
    for p in paths:
        if not os.path.lexists(p):
            raise GpenFileNotFoundError(f"input not found: {os.fsdecode(p)}")
    table = param_table()
    batch = _checked("restore_files", ("batch",),
                     {k: v for k, v in options.items() if k in table and table[k]["group"] == "batch"})
    batch["output_dir"] = _os_path(out_dir, "out_dir")
    restore = _restore_params("restore_files", preset,
                              {k: v for k, v in options.items() if k not in table or table[k]["group"] != "batch"})
    if restorer is None:
        restorer = Restorer(model)
    elif model is not None:
        raise InvalidArgumentError("give either restorer= or model=, not both")
    return restorer._impl.restore_files(paths, batch, restore, progress)


if _gpen is not None and Restorer.__doc__:  # the keyword documentation, from the parameter table
    Restorer.__doc__ = Restorer.__doc__.format(options=_describe("restorer"))
    Restorer.restore.__doc__ = Restorer.restore.__doc__.format(params=_describe("restore"))
    restore_files.__doc__ = restore_files.__doc__.format(batch=_describe("batch"))
    Restorer.restore_video.__doc__ = Restorer.restore_video.__doc__.format(video=_describe("video"))
