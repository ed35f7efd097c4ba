"""The Python API (gpen.Restorer, gpen.restore_files) over the compiled extension."""

import os
import pathlib
import shutil
import threading

import numpy as np
import pytest

import gpen

MODELS = os.environ.get("GPEN_TEST_MODELS", "build/test-models")


def model(name):
    path = os.path.join(MODELS, name)
    if not os.path.isfile(path):
        pytest.skip(f"{path} not found: run the models.generate test first")
    return path


def smooth(h=64, w=64, seed=0):
    y, x = np.mgrid[0:h, 0:w]
    return np.clip(np.stack([128 + 60 * np.sin(0.05 * x * (c + 1) + seed) + 50 * np.cos(0.07 * y + c)
                             for c in range(3)], -1), 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def restorer():
    return gpen.Restorer(model("random-64.pt"), max_batch=2)


def test_model_info_and_repr(restorer):
    info = restorer.model_info
    assert info["size"] == 64 and info["architecture"] == "gpen" and info["random_weights"] is True
    assert restorer.has_model
    assert "64px" in repr(restorer)


def test_restore_faces_bgr_and_rgb(restorer):
    face = smooth()
    out = restorer.restore_faces([face, face[::-1]])  # a non-contiguous view is accepted
    assert len(out) == 2 and out[0].shape == (64, 64, 3) and out[0].dtype == np.uint8
    rgb = restorer.restore_faces([face[..., ::-1]], rgb=True)[0]
    assert np.array_equal(rgb[..., ::-1], out[0])
    zero = restorer.restore_faces([face], strength=0)[0]
    assert np.array_equal(zero, face)


def test_restore_whole_photo_keeps_layout(restorer):
    photo = smooth(120, 160)
    r = restorer.restore(photo)
    assert isinstance(r, gpen.Result)
    assert r.image.shape == photo.shape and r.faces == []
    gray = photo[..., 0].copy()
    assert restorer.restore(gray, strength=0).image.shape == gray.shape
    rgba = np.dstack([photo, np.full(photo.shape[:2], 77, np.uint8)])
    out = restorer.restore(rgba, sharpen=30).image
    assert out.shape == rgba.shape and (out[..., 3] == 77).all()
    big = restorer.restore(photo, upscale=2).image
    assert big.shape == (240, 320, 3)


def test_solvay_faces(restorer, shared):
    photo = gpen.read_image(os.path.join(shared, "data", "solvay_conference_1927.png"))
    r = restorer.restore(photo, preset="group-photo", strength=80)
    assert len(r.faces) >= 25
    f = r.faces[0]
    assert len(f.box) == 4 and len(f.landmarks) == 5 and len(f.affine) == 6
    assert f.crop.shape == (64, 64, 3) and f.restored.shape == (64, 64, 3)
    assert 0 < f.score
    assert len(restorer.detect(photo)) >= 25


def test_device_photo_ops_match_the_host_path(shared):
    photo = gpen.read_image(os.path.join(shared, "data", "solvay_conference_1927.png"))
    host = gpen.Restorer(model("random-64.pt"), photo_ops="host").restore(photo, strength=80)
    dev = gpen.Restorer(model("random-64.pt"), photo_ops="device").restore(photo, strength=80)
    assert len(dev.faces) == len(host.faces) >= 25
    diff = np.abs(dev.image.astype(np.int16) - host.image.astype(np.int16))
    assert diff.mean() < 0.5
    with pytest.raises(gpen.InvalidArgumentError, match="photo_ops must be auto, host or device"):
        gpen.Restorer(model("random-64.pt"), photo_ops="gpu")


def test_memory_stats_and_cap_on_the_cpu():
    r = gpen.Restorer(model("random-64.pt"))
    stats = r.memory_stats()
    assert stats["device_memory"] is False and stats["reserved_bytes"] == 0 and stats["total_bytes"] == 0
    with pytest.raises(gpen.InvalidArgumentError, match="memory_limit_mb applies to CUDA devices only"):
        gpen.Restorer(model("random-64.pt"), memory_limit_mb=512)
    assert issubclass(gpen.OutOfMemoryError, MemoryError) and gpen.OutOfMemoryError.code == "out-of-memory"


def test_pil_images_are_rgb_in_and_out(restorer):
    Image = pytest.importorskip("PIL.Image")
    face = smooth()
    pil = Image.fromarray(face[..., ::-1].copy())  # PIL holds RGB
    out = restorer.restore_faces([pil])[0]
    ref = restorer.restore_faces([face])[0]
    assert isinstance(out, Image.Image) and out.mode == "RGB"  # PIL in, PIL out
    assert np.array_equal(np.asarray(out)[..., ::-1], ref)
    result = restorer.restore(pil, strength=50)
    assert isinstance(result.image, Image.Image) and result.image.size == pil.size
    assert np.array_equal(np.asarray(result.image)[..., ::-1], restorer.restore(face, strength=50).image)


def test_compare(restorer):
    face = smooth()
    result = restorer.restore(face, compare=True, strength=70)
    assert result.compare.shape == (face.shape[0], 2 * face.shape[1], 3)
    assert np.array_equal(result.compare[:, :face.shape[1]], face)
    assert np.array_equal(result.compare[:, face.shape[1]:], result.image)
    assert restorer.restore(face).compare is None


def test_short_reprs(restorer):
    result = restorer.restore(smooth())
    text = repr(result)
    assert text.startswith("gpen.Result(image=") and "uint8" in text and len(text) < 80, text
    face = gpen.Face(box=(10.4, 20.6, 30.0, 40.0), score=0.987, landmarks=[(0, 0)] * 5, crop=np.zeros((512, 512, 3)))
    assert repr(face) == "gpen.Face(box=(10, 21, 30, 40), score=0.99)"
    assert repr(gpen.Result(image=np.zeros((4, 5, 3), np.uint8), faces=[face])) == \
        "gpen.Result(image=4x5x3 uint8, 1 face)"


def test_errors_are_gpen_errors_with_clear_messages(restorer):
    with pytest.raises(gpen.InvalidArgumentError, match="strength must be a number in 0-100"):
        restorer.restore(smooth(), strength="high")
    with pytest.raises(ValueError, match="strength must be in 0-100, got 150"):
        restorer.restore(smooth(), strength=150)
    with pytest.raises(gpen.InvalidArgumentError, match="mode must be one of natural, strong, detail"):
        restorer.restore(smooth(), mode="vivid")
    with pytest.raises(gpen.InvalidArgumentError, match="unknown preset 'sepia'"):
        restorer.restore(smooth(), preset="sepia")
    with pytest.raises(TypeError):
        restorer.restore(smooth(), strenght=50)
    with pytest.raises(gpen.ImageError, match="at least 16x16"):
        restorer.restore_faces([np.zeros((1, 1, 3), np.uint8)])
    with pytest.raises(gpen.ImageError, match="uint8 or uint16"):
        restorer.restore(np.zeros((8, 8, 3), np.float32))
    with pytest.raises(TypeError, match="numpy array or a PIL image"):
        restorer.restore([[1, 2, 3]])
    with pytest.raises(FileNotFoundError, match="model file not found"):
        gpen.Restorer("/nonexistent/model.pt")
    with pytest.raises(gpen.ModelError, match="not a TorchScript archive") as e:
        gpen.Restorer(model("not-a-model.pt"))
    assert e.value.code == "invalid-model"
    # A published checkpoint is converted once into the cache (never "constants.pkl"); without
    # Python to convert it, the error says so.
    cache = os.path.join(MODELS, "..", "python-test-cache")
    shutil.rmtree(cache, ignore_errors=True)
    os.environ["GPEN_HOME"] = cache
    try:
        os.environ["GPEN_PYTHON"] = "/nonexistent/python3"
        with pytest.raises(gpen.ModelError, match="cannot start Python") as e:
            gpen.Restorer(model("legacy-checkpoint.pth"))
        assert "constants.pkl" not in str(e.value)
        del os.environ["GPEN_PYTHON"]
        for name in ("checkpoint.pth", "legacy-checkpoint.pth"):
            converted = gpen.Restorer(model(name))
            assert converted.model_info["size"] == 64 and "/converted/" in converted.model_info["path"]
    finally:
        os.environ.pop("GPEN_PYTHON", None)
        os.environ.pop("GPEN_HOME", None)
        shutil.rmtree(cache, ignore_errors=True)
    with pytest.raises(gpen.DeviceError):
        gpen.Restorer(model("random-64.pt"), device="cuda:9")
    with pytest.raises(gpen.DecodeError, match="file is empty"):
        empty = os.path.join(MODELS, "..", "empty-test.jpg")
        open(empty, "w").close()
        gpen.read_image(empty)


def test_out_of_range_integers_and_odd_paths(restorer, tmp_path):
    """Integers of any size get the table's range message (not pybind's cast error); paths may
    be str, bytes or PathLike, also when not UTF-8, and come back in reports as os.fsdecode
    gives them; None is a TypeError, not 'file not found: None'."""
    with pytest.raises(gpen.InvalidArgumentError, match=r"upscale must be 1-4, got 1099511627776"):
        restorer.restore(smooth(), upscale=2**40)
    with pytest.raises(gpen.InvalidArgumentError, match=r"max_faces must be 0-100000, got 1180591620717411303424"):
        restorer.restore(smooth(), max_faces=2**70)
    with pytest.raises(gpen.InvalidArgumentError, match=r"max_batch must be 1-"):
        gpen.Restorer(model("random-64.pt"), max_batch=-2**40)
    with pytest.raises(TypeError, match="path must be a str, bytes or os.PathLike, got NoneType"):
        gpen.read_image(None)
    odd = os.fsdecode(bytes(tmp_path) + b"/caf\xe9 \xff.png")
    gpen.write_image(odd, smooth())
    assert os.path.exists(odd)
    assert gpen.read_image(os.fsencode(odd)).shape == smooth().shape
    assert gpen.read_image(pathlib.Path(odd)).shape == smooth().shape
    with pytest.raises(FileNotFoundError) as e:
        gpen.read_image(odd + ".missing")
    assert os.fsdecode(b"\xff") in str(e.value)
    out = os.fsdecode(bytes(tmp_path) + b"/out\xfe")
    report = gpen.restore_files([odd], out, restorer=restorer)
    assert report["files"][0]["status"] == "restored", report
    assert report["files"][0]["input"] == odd
    assert os.path.exists(report["files"][0]["output"])


def test_gil_is_released_during_restore(restorer):
    face = smooth()
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(1)
            stop.wait(0.001)

    t = threading.Thread(target=ticker)
    t.start()
    for _ in range(5):
        restorer.restore_faces([face] * 4)
    stop.set()
    t.join()
    assert len(ticks) > 20  # the ticker ran while C++ was restoring


def test_restore_files_with_progress(restorer, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        gpen.write_image(str(src / f"f{i}.png"), smooth(seed=i))
    (src / "bad.png").write_text("not an image")
    seen = []
    report = gpen.restore_files([str(src)], str(tmp_path / "out"), restorer=restorer, aligned=True,
                                progress=seen.append, strength=90, format="jpg", quality=90)
    assert report["restored"] == 3 and report["failed"] == 1
    assert [p["done"] for p in seen] == [1, 2, 3, 4]
    bad = [f for f in report["files"] if f["status"] == "failed"][0]
    assert "bad.png" in bad["error"]
    assert (tmp_path / "out" / "f0.jpg").is_file()
    again = gpen.restore_files(str(src), str(tmp_path / "out"), restorer=restorer, aligned=True,
                               skip_existing=True, format="jpg")
    assert again["skipped"] == 3
    with pytest.raises(TypeError, match="unexpected keyword argument 'recursve'"):
        gpen.restore_files(str(src), str(tmp_path / "o"), restorer=restorer, recursve=True)
    # A path that does not exist is raised at once; bad contents stay report entries (above).
    with pytest.raises(FileNotFoundError, match="input not found: .*nowhere.png"):
        gpen.restore_files([str(src), str(tmp_path / "nowhere.png")], str(tmp_path / "o"), restorer=restorer)
    assert not (tmp_path / "o").exists()


def test_progress_callback_exception_stops_the_run(restorer, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(6):
        gpen.write_image(str(src / f"f{i}.png"), smooth(seed=i))

    def boom(p):
        raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        gpen.restore_files(str(src), str(tmp_path / "out"), restorer=restorer, aligned=True, progress=boom,
                           readers=1)


def test_classic_path_without_model():
    r = gpen.Restorer()
    assert not r.has_model and r.model_info["architecture"] == "classic"
    assert r.restore_faces([smooth()])[0].shape == (512, 512, 3)
    assert gpen.preset("old-photo")["mode"] == "strong"
    assert "selfie" in gpen.preset_names()


def test_background_upsampler_and_parser(shared):
    """The upstream --use_sr pipeline: the photo enlarged by the RRDBNet (x2 here: upscale 1 means
    the upsampler's scale), faces pasted under their ParseNet masks, each mask in Result.faces."""
    photo = gpen.read_image(os.path.join(shared, "data", "solvay_conference_1927.png"))
    r = gpen.Restorer(model("random-64.pt"), bg_upsampler=model("sr-random-x2.pt"), bg_tile=256,
                      parser=model("parsenet-random.pt"))
    out = r.restore(photo, preset="group-photo")
    assert out.image.shape == (photo.shape[0] * 2, photo.shape[1] * 2, photo.shape[2])
    assert len(out.faces) >= 25
    assert out.faces[0].mask.shape == (64, 64) and out.faces[0].mask.dtype == np.uint8
    # Detection boxes stay in input-photo coordinates.
    assert max(f.box[0] + f.box[2] for f in out.faces) <= photo.shape[1]
    with pytest.raises(gpen.ModelError, match="it is a background upsampler: give it as bg_upsampler"):
        gpen.Restorer(model("sr-random-x2.pt"))
