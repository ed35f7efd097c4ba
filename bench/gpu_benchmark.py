"""Faces/s of a GPEN-BFR-512-shaped model on a GPU: our C++ Restorer (build/bin/gpen-bench)
against the eager PyTorch module in the reference formulation, batch 1, 8, 32, fp32 and fp16,
same GPU, same run. Needs PyTorch with CUDA and a build of gpen against it.

    python3 bench/gpu_benchmark.py [--device cuda:0] [--iters 20]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))

import torch  # noqa: E402

from gpen import export  # noqa: E402


def eager_faces_per_s(model, batch, dtype, device, iters):
    x = (torch.rand(batch, 3, 512, 512, device=device) * 2 - 1).to(dtype)
    m = model.to(device=device, dtype=dtype)
    with torch.no_grad():
        for _ in range(3):
            m(x)
        torch.cuda.synchronize()
        t = time.perf_counter()
        for _ in range(iters):
            m(x)
        torch.cuda.synchronize()
    return batch * iters / (time.perf_counter() - t)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cuda:0")
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--bench", default=os.path.join(ROOT, "build", "bin", "gpen-bench"))
    args = ap.parse_args()
    if not torch.cuda.is_available():
        print("no CUDA device: nothing to measure")
        return 1
    model = export.build_reference(512, 2, 1.0, seed=0)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "gpen512.pt")
        export.export_model(model, path, {"random_weights": True, "seed": 0})
        for precision, dtype in (("fp32", torch.float32), ("fp16", torch.float16)):
            for batch in (1, 8, 32):
                runs = {}
                for streams in (1, 2):
                    out = subprocess.run([args.bench, "--model", path, "--device", args.device, "--precision",
                                          precision, "--batch", str(batch), "--iters", str(args.iters), "--warmup",
                                          "3", "--streams", str(streams)], capture_output=True, text=True)
                    runs[streams] = (json.loads(out.stdout.strip().splitlines()[-1]) if out.returncode == 0
                                     else {"faces_per_s": float("nan"), "error": out.stderr.strip()[-200:]})
                ref = eager_faces_per_s(model, batch, dtype, args.device, max(3, args.iters // 4))
                rows.append((precision, batch, ref, runs[1]["faces_per_s"], runs[2]["faces_per_s"],
                             runs[1].get("reserved_bytes", 0) / 2**20, runs[1].get("error", "")))
    print(f"GPU: {torch.cuda.get_device_name(0)}, torch {torch.__version__}")
    print()
    print("| precision | batch | eager reference faces/s | gpen C++ faces/s | speed-up | gpen, 2 streams | "
          "reserved MiB |")
    print("|---|---|---|---|---|---|---|")
    for precision, batch, ref, ours, ours2, reserved, err in rows:
        print(f"| {precision} | {batch} | {ref:.1f} | {ours:.1f} | {ours / ref:.1f}x | {ours2:.1f} | {reserved:.0f} | {err}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
