from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import os

import numpy as np

from .errors import (DecodeError as DecodeError, DeviceError as DeviceError, EncodeError as EncodeError,
                     GpenError as GpenError, GpenFileNotFoundError as GpenFileNotFoundError,
                     ImageError as ImageError, InternalError as InternalError, OutOfMemoryError as OutOfMemoryError,
                     CancelledError as CancelledError,
                     InvalidArgumentError as InvalidArgumentError, ModelError as ModelError)

__version__: str
MODES: Tuple[str, ...]

ImageLike = Any  # numpy.ndarray (H x W [x C], uint8/uint16) or PIL.Image.Image

class Face:
    box: Tuple[float, float, float, float]
    score: float
    landmarks: List[Tuple[float, float]]
    affine: Tuple[float, ...]
    crop: Optional[np.ndarray]
    restored: Optional[np.ndarray]
    mask: Optional[np.ndarray]

class Result:
    image: Any
    faces: List[Face]
    compare: Any

def param_table() -> Dict[str, Dict[str, Any]]: ...
def preset(name: str) -> Dict[str, Any]: ...
def preset_names() -> List[str]: ...
def read_image(path: str) -> np.ndarray: ...
def write_image(path: str, image: np.ndarray, rgb: bool = ..., quality: int = ...) -> None: ...

class Restorer:
    # Keywords: the parameter table's "restorer" group (gpen.param_table(); model is model_path).
    def __init__(self, model: Optional[str] = ..., device: Optional[str] = ..., *, detector: Optional[str] = ...,
                 detection_max_side: Optional[int] = ..., threads: Optional[int] = ...,
                 precision: Optional[str] = ..., max_batch: Optional[int] = ..., memory_limit_mb: Optional[int] = ...,
                 warmup: Optional[bool] = ..., photo_ops: Optional[str] = ...,
                 download: Optional[bool] = ..., bg_upsampler: Optional[str] = ..., bg_tile: Optional[int] = ...,
                 bg_tile_pad: Optional[int] = ..., parser: Optional[str] = ..., task: Optional[str] = ...) -> None: ...
    def memory_stats(self) -> Dict[str, Any]: ...
    @property
    def model_info(self) -> Dict[str, Any]: ...
    @property
    def has_model(self) -> bool: ...
    def restore(self, img: ImageLike, *, strength: Optional[float] = ..., mode: Optional[str] = ...,
                denoise: Optional[float] = ..., sharpen: Optional[float] = ...,
                only_center_face: Optional[bool] = ..., max_faces: Optional[int] = ...,
                min_face_size: Optional[float] = ..., upscale: Optional[int] = ...,
                preset: Optional[str] = ..., rgb: Optional[bool] = ..., compare: bool = ...) -> Result: ...
    def restore_faces(self, faces: Sequence[ImageLike], *, strength: Optional[float] = ...,
                      mode: Optional[str] = ..., denoise: Optional[float] = ..., sharpen: Optional[float] = ...,
                      only_center_face: Optional[bool] = ..., max_faces: Optional[int] = ...,
                      min_face_size: Optional[float] = ..., upscale: Optional[int] = ...,
                      rgb: Optional[bool] = ...) -> List[np.ndarray]: ...
    def restore_video(self, src: Union[str, bytes, os.PathLike], dst: Union[str, bytes, os.PathLike], *,
                      progress: Optional[Callable[[Dict[str, Any]], None]] = ..., preset: Optional[str] = ...,
                      strength: Optional[float] = ..., mode: Optional[str] = ..., denoise: Optional[float] = ...,
                      sharpen: Optional[float] = ..., only_center_face: Optional[bool] = ...,
                      max_faces: Optional[int] = ..., min_face_size: Optional[float] = ...,
                      upscale: Optional[int] = ..., video_codec: Optional[str] = ..., crf: Optional[int] = ...,
                      bitrate: Optional[int] = ..., container: Optional[str] = ..., frames_dir: Optional[bool] = ...,
                      smoothing: Optional[float] = ..., detect_every: Optional[int] = ...,
                      resume: Optional[bool] = ..., segment_seconds: Optional[float] = ...) -> Dict[str, Any]: ...
    def detect(self, img: ImageLike, *, only_center_face: Optional[bool] = ..., max_faces: Optional[int] = ...,
               min_face_size: Optional[float] = ..., rgb: Optional[bool] = ...) -> List[Face]: ...

def restore_files(paths: Union[str, Sequence[str]], out_dir: str, *, restorer: Optional[Restorer] = ...,
                  model: Optional[str] = ..., progress: Optional[Callable[[Dict[str, Any]], None]] = ...,
                  preset: Optional[str] = ..., recursive: Optional[bool] = ...,
                  extensions: Optional[Sequence[str]] = ..., skip_existing: Optional[bool] = ...,
                  format: Optional[str] = ..., quality: Optional[int] = ..., readers: Optional[int] = ...,
                  writers: Optional[int] = ..., queue_capacity: Optional[int] = ..., aligned: Optional[bool] = ...,
                  save_faces: Optional[bool] = ..., compare: Optional[bool] = ...,
                  **params: Any) -> Dict[str, Any]: ...
