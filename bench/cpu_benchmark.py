"""Per-face CPU time of a GPEN-BFR-512-shaped model: our C++ Restorer vs the eager PyTorch
module in the reference formulation, same threads, same run.

    /usr/bin/python3 bench/cpu_benchmark.py [--threads 2] [--ref-iters 2] [--iters 5]

Needs a Release build (build/bin/gpen-bench). Prints a Markdown table for docs/benchmarks.md.

The reference is timed twice, in child processes: with glibc's default memory policy (as a
Python user runs it) and with freed memory kept (MALLOC_MMAP_MAX_=0, a 1 GiB trim threshold:
what our programs and the library's block cache do). The speed-up is against the faster of the two.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))

import torch  # noqa: E402

from gpen import export  # noqa: E402


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


KEEP_MEMORY = {"MALLOC_MMAP_MAX_": "0", "MALLOC_TRIM_THRESHOLD_": str(1 << 30), "MALLOC_TOP_PAD_": str(64 << 20)}


def reference_seconds(path: str, iters: int, threads: int, keep_memory: bool) -> float:
    """Mean seconds per call of the eager reference module saved at `path`, in a child process."""
    env = dict(os.environ)
    for k in list(env):
        if k.startswith("MALLOC_"):
            del env[k]
    if keep_memory:
        env.update(KEEP_MEMORY)
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--reference-only", path,
                          "--ref-iters", str(iters), "--threads", str(threads)],
                         capture_output=True, text=True, env=env, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def time_reference_only(path: str, iters: int) -> None:
    saved = torch.load(path)
    model, x = saved["model"], saved["x"]
    with torch.no_grad():
        model(x)  # warm-up
        times = []
        for _ in range(iters):
            t = time.perf_counter()
            model(x)
            times.append(time.perf_counter() - t)
    print(sum(times) / len(times))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reference-only", help=argparse.SUPPRESS)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--ref-iters", type=int, default=2)
    ap.add_argument("--iters", type=int, default=5)
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--bench", default=os.path.join(ROOT, "build", "bin", "gpen-bench"))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    if args.reference_only:
        time_reference_only(args.reference_only, args.ref_iters)
        return 0
    size = args.size
    multiplier, narrow = (1, 0.5) if size <= 256 else (2, 1.0)

    model = export.build_reference(size, multiplier, narrow, seed=0)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "gpen.pt")
        export.export_model(model, path, {"random_weights": True, "seed": 0})

        x = torch.rand(1, 3, size, size, generator=torch.Generator().manual_seed(0)) * 2 - 1
        with torch.no_grad():
            exported = torch.jit.load(path)
            diff = float((exported(x) - model(x)).abs().max())
            del exported
        ref_path = os.path.join(tmp, "reference.pt")
        torch.save({"model": model, "x": x}, ref_path)
        ref_default = reference_seconds(ref_path, args.ref_iters, args.threads, keep_memory=False)
        ref_kept = reference_seconds(ref_path, args.ref_iters, args.threads, keep_memory=True)
        ref_s = min(ref_default, ref_kept)

        def bench(precision):
            out = subprocess.run([args.bench, "--model", path, "--threads", str(args.threads),
                                  "--iters", str(args.iters), "--warmup", "2", "--precision", precision],
                                 capture_output=True, text=True)
            return json.loads(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else None

        ours = bench("fp32")
        ours_bf16 = bench("bf16")
        bf16_diff = None
        if ours_bf16:
            with torch.no_grad():
                bf16_model = torch.jit.load(path).to(torch.bfloat16)
                yb = bf16_model(x.to(torch.bfloat16)).float()
                y32 = model(x)
            to_levels = lambda t: ((t * 0.5 + 0.5).clamp(0, 1) * 255)
            d = (to_levels(yb) - to_levels(y32)).abs()
            bf16_diff = (float(d.mean()), float(d.max()))

    ours_s = ours["mean_per_face_s"]
    print(f"CPU: {cpu_name()}, {args.threads} threads, torch {torch.__version__}")
    print()
    print(f"| GPEN-BFR-{size}-shaped model, batch 1 | s / face | faces / s | speed-up |")
    print("|---|---|---|---|")
    print(f"| eager PyTorch, reference formulation (mean of {args.ref_iters}), glibc's default memory policy | "
          f"{ref_default:.2f} | {1 / ref_default:.3f} | {ref_s / ref_default:.2f}x |")
    print(f"| eager PyTorch, reference formulation (mean of {args.ref_iters}), freed memory kept | "
          f"{ref_kept:.2f} | {1 / ref_kept:.3f} | {ref_s / ref_kept:.2f}x |")
    print(f"| gpen C++ Restorer, fp32 (mean of {args.iters}, incl. pre/post-processing) | {ours_s:.2f} | "
          f"{1 / ours_s:.3f} | **{ref_s / ours_s:.1f}x** |")
    if ours_bf16:
        b = ours_bf16["mean_per_face_s"]
        print(f"| gpen C++ Restorer, bf16 (`--precision bf16`) | {b:.2f} | {1 / b:.3f} | **{ref_s / b:.1f}x** |")
    print()
    print(f"max |exported - reference| on the same input: {diff:.2e} (parity tolerance 1e-4); "
          f"first call {ours['first_call_s']:.2f} s, model load {ours['load_s']:.2f} s")
    if bf16_diff:
        print(f"bf16 vs fp32 output on the same input: mean |diff| {bf16_diff[0]:.2f} levels, "
              f"max {bf16_diff[1]:.0f} levels (of 255)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
