"""Frames per second of gpen-restore on a 720p clip: the classic path and the 64-px test model,
the three-stage pipeline (decode, restore, encode at the same time) against the same work done
one stage after the other (GPEN_VIDEO_SERIAL=1), and what searching for faces on every 5th frame
only (--detect-every 5) saves. Each case runs in the same process tree, side by side.

    /usr/bin/python3 bench/video_benchmark.py [--threads 2] [--seconds 3] [--shared ../shared]

Needs a Release build (build/bin/gpen-restore) and build/test-models (ctest -R models.generate).
The clip is made here with Debian's ffmpeg: the Solvay 1927 photograph enlarged to 900 px high
and panned across a 1280x720 window (4 px a frame), H.264, 25 fps.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make_clip(shared: str, seconds: int, path: str) -> None:
    photo = os.path.join(shared, "data", "solvay_conference_1927.png")
    subprocess.run(["ffmpeg", "-y", "-v", "error", "-nostdin", "-loop", "1", "-i", photo,
                    "-vf", "scale=-2:900,crop=1280:720:'4*n':90", "-frames:v", str(25 * seconds), "-r", "25",
                    "-c:v", "libx264", "-crf", "18", "-pix_fmt", "yuv420p", path], check=True)


def run(cli: str, clip: str, out_dir: str, extra: list, serial: bool, threads: int) -> dict:
    report = os.path.join(out_dir, "report.json")
    env = dict(os.environ)
    env.pop("GPEN_VIDEO_SERIAL", None)
    if serial:
        env["GPEN_VIDEO_SERIAL"] = "1"
    subprocess.run([cli, "-q", "--threads", str(threads), "-o", out_dir, "--json", report, *extra, clip],
                   check=True, env=env, capture_output=True)
    with open(report) as f:
        return json.load(f)["videos"][0]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seconds", type=int, default=3)
    ap.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    args = ap.parse_args()
    cli = os.path.join(ROOT, "build", "bin", "gpen-restore")
    model = os.path.join(ROOT, "build", "test-models", "random-64.pt")
    for needed in (cli, model):
        if not os.path.exists(needed):
            print(f"missing {needed}: build first (./scripts/setup.sh, ctest -R models.generate)")
            return 2
    with tempfile.TemporaryDirectory() as tmp:
        clip = os.path.join(tmp, "solvay-pan-720p.mp4")
        make_clip(args.shared, args.seconds, clip)
        print(f"720p clip, {25 * args.seconds} frames; {args.threads} LibTorch threads; H.264 CRF 18 out")
        print()
        print("| faces through | detection | one stage after another, frames/s | pipeline, frames/s | "
              "pipeline speed-up | compute busy | faces restored | faces per model call |")
        print("|---|---|---|---|---|---|---|---|")
        for label, extra in (("classic path", []), ("64-px test model", ["--model", model])):
            for every in (1, 5):
                flags = extra + (["--detect-every", str(every)] if every > 1 else [])
                serial = run(cli, clip, os.path.join(tmp, "serial"), flags, True, args.threads)
                piped = run(cli, clip, os.path.join(tmp, "piped"), flags, False, args.threads)
                fps_serial = serial["frames"] / serial["seconds"]
                fps_piped = piped["frames"] / piped["seconds"]
                detection = "every frame" if every == 1 else f"every {every}th frame, flow between"
                print(f"| {label} | {detection} | {fps_serial:.1f} | **{fps_piped:.1f}** | "
                      f"{fps_piped / fps_serial:.2f}x | {100 * piped['compute_busy_fraction']:.0f}% | "
                      f"{piped['faces']} | {piped['faces'] / max(1, piped['model_calls']):.1f} |")
                sys.stdout.flush()
        print()
        print("Stage busy seconds of the last pipelined run (decode / restore / encode+write): "
              f"{piped['stage_seconds']['decode']:.2f} / {piped['stage_seconds']['compute']:.2f} / "
              f"{piped['stage_seconds']['encode']:.2f} in {piped['seconds']:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
