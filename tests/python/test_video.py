"""Restorer.restore_video from Python: a clip made here with Debian's ffmpeg, checked with ffprobe."""

import json
import os
import shutil
import subprocess

import pytest

import gpen

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None,
                                  reason="the ffmpeg and ffprobe tools are not installed (Debian package ffmpeg)")


def make_clip(path, seconds=1):
    subprocess.run(["ffmpeg", "-y", "-v", "error", "-nostdin", "-f", "lavfi", "-i", "testsrc=size=96x64:rate=25",
                    "-f", "lavfi", "-i", "sine=frequency=440", "-t", str(seconds), "-c:v", "libx264",
                    "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path)], check=True)


def frame_count(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries",
                          "stream=nb_read_frames", "-of", "json", str(path)], capture_output=True, text=True, check=True)
    return int(json.loads(out.stdout)["streams"][0]["nb_read_frames"])


@needs_ffmpeg
def test_restore_video_report_progress_and_output(tmp_path):
    clip = tmp_path / "clip.mp4"
    make_clip(clip)
    seen = []
    report = gpen.Restorer().restore_video(clip, tmp_path / "out.mkv", progress=seen.append, strength=80)
    assert report["frames"] == 25
    assert report["copied_streams"] == 1
    assert (report["width"], report["height"]) == (96, 64)
    assert [d["frames_done"] for d in seen] == list(range(1, 26))
    assert seen[-1]["frames_total"] == 25
    assert frame_count(tmp_path / "out.mkv") == 25


@needs_ffmpeg
def test_restore_video_progress_exception_stops_and_leaves_nothing(tmp_path):
    clip = tmp_path / "clip.mp4"
    make_clip(clip, seconds=2)

    def stop_at_three(d):
        if d["frames_done"] == 3:
            raise KeyboardInterrupt("enough")

    with pytest.raises(KeyboardInterrupt, match="enough"):
        gpen.Restorer().restore_video(clip, tmp_path / "out.mp4", progress=stop_at_three)
    assert sorted(os.listdir(tmp_path)) == ["clip.mp4"]  # no output, no temporary


def test_restore_video_errors_are_the_library_errors(tmp_path):
    text = tmp_path / "notes.mp4"
    text.write_text("not a video")
    with pytest.raises(gpen.DecodeError, match="cannot open"):
        gpen.Restorer().restore_video(text, tmp_path / "out.mp4")
    with pytest.raises(gpen.GpenFileNotFoundError):
        gpen.Restorer().restore_video(tmp_path / "missing.mp4", tmp_path / "out.mp4")
    with pytest.raises(TypeError):
        gpen.Restorer().restore_video(text, tmp_path / "out.mp4", not_a_param=1)


@needs_ffmpeg
def test_restore_video_options_are_keywords_from_the_table(tmp_path):
    clip = tmp_path / "clip.mp4"
    make_clip(clip)
    r = gpen.Restorer()
    report = r.restore_video(clip, tmp_path / "lossless.mkv", video_codec="ffv1", detect_every=5, smoothing=0.0)
    assert report["detections"] == 5
    codec = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name",
                            "-of", "csv=p=0", str(tmp_path / "lossless.mkv")], capture_output=True, text=True).stdout
    assert codec.strip() == "ffv1"
    frames = r.restore_video(clip, tmp_path / "frames.mp4", frames_dir=True)
    assert frames["output"] == str(tmp_path / "frames")
    assert len(os.listdir(tmp_path / "frames")) == 25
    with pytest.raises(gpen.InvalidArgumentError, match="crf for h264 must be in 0-51, got 60"):
        r.restore_video(clip, tmp_path / "bad.mp4", crf=60)
    with pytest.raises(gpen.InvalidArgumentError, match="smoothing must be"):
        r.restore_video(clip, tmp_path / "bad.mp4", smoothing=2)
    with pytest.raises(gpen.InvalidArgumentError, match="detect_every must be an integer"):
        r.restore_video(clip, tmp_path / "bad.mp4", detect_every=2.5)
    assert "detect_every" in gpen.Restorer.restore_video.__doc__
    assert not (tmp_path / "bad.mp4").exists()
