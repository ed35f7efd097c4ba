"""Part 1 of the GPU check (no build): the repo's exporter and the exported graph under the local
PyTorch, measured on one device.

    python3 bench/gpu/check_torch.py --device cuda --out OUT_DIR         # the real check (H200 etc.)
    python3 bench/gpu/check_torch.py --device cpu --size 64 --quick      # the same code on a CPU (tests)

Steps, each recorded (an error in one is written down and the next one still runs):
  export      `python -m gpen.export gpen --random --seed 0` run as a command, timed
  parity      the exported graph on the device vs the same file on the CPU, and vs the eager
              reference formulation on the device (FP32; with TF32 convolutions off and on)
  precision   FP16 and BF16 (channels-last, as the C++ library runs them) vs strict FP32, in levels
  throughput  faces/s at each batch for FP32 (TF32 on, the LibTorch default), FP16, BF16, timed with
              CUDA events; the eager reference at batch 1 and the largest batch; peak memory
  graphs      the FP16 model at the largest batch replayed as a CUDA graph, vs plain calls
  busy        kernel time / wall time over a run of plain FP16 calls (torch.profiler)

Writes OUT_DIR/check-torch.json and prints a Markdown report. Exit status 1 when the export or
the FP32 parity fails, else 0.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "python"))

import torch  # noqa: E402

from gpen import export  # noqa: E402

FP32_TOLERANCE = 1e-3  # max |diff| of outputs in [-1, 1], as the C++ GPU suite


def levels(t: torch.Tensor) -> torch.Tensor:
    """Model output in [-1, 1] to 8-bit levels (float, unrounded)."""
    return (t.float() * 0.5 + 0.5).clamp(0, 1) * 255


def level_error(a: torch.Tensor, b: torch.Tensor) -> dict:
    d = (levels(a) - levels(b)).abs()
    return {"mean_levels": round(float(d.mean()), 4), "max_levels": round(float(d.max()), 3)}


def short(e: Exception) -> str:
    """One line for an error: TorchScript puts the real message on its last line."""
    lines = [line.strip() for line in str(e).splitlines() if line.strip()]
    return f"{type(e).__name__}: {lines[-1][:200] if lines else ''}"


def config_for(size: int):
    return (1, 0.5) if size <= 256 else (2, 1.0)


class Timer:
    """Wall time on the CPU, CUDA events on a GPU."""

    def __init__(self, device: torch.device):
        self.cuda = device.type == "cuda"

    def sync(self):
        if self.cuda:
            torch.cuda.synchronize()

    def measure(self, fn, warmup: int, iters: int, budget_s: float) -> tuple:
        """Seconds per call (mean) over up to `iters` calls, stopping after `budget_s`."""
        for _ in range(warmup):
            fn()
        self.sync()
        done = 0
        total = 0.0
        start_wall = time.perf_counter()
        while done < iters and (done == 0 or time.perf_counter() - start_wall < budget_s):
            if self.cuda:
                a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                a.record()
                fn()
                b.record()
                b.synchronize()
                total += a.elapsed_time(b) / 1000.0
            else:
                t = time.perf_counter()
                fn()
                total += time.perf_counter() - t
            done += 1
        return total / done, done


def set_tf32(on: bool):
    torch.backends.cudnn.allow_tf32 = on
    torch.backends.cuda.matmul.allow_tf32 = on


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--batches", default="1,8,32,64")
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--budget", type=float, default=2.0, help="seconds at most per timed configuration")
    ap.add_argument("--quick", action="store_true", help="small run for tests: batches 1,2, 2 iterations")
    ap.add_argument("--out", default=os.environ.get("OUT", "."))
    ap.add_argument("--keep-model", help="write the exported model here too (part 2 reuses it)")
    args = ap.parse_args()
    if args.quick:
        args.batches, args.iters, args.budget = "1,2", 2, 1.0
    batches = [int(b) for b in args.batches.split(",")]
    device = torch.device(args.device)
    cuda = device.type == "cuda"
    if cuda and not torch.cuda.is_available():
        print("check_torch: no CUDA device visible to this PyTorch", file=sys.stderr)
        return 1
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(os.cpu_count() or 1)
    timer = Timer(device)
    report = {"torch": torch.__version__, "device": str(device), "size": args.size, "steps": {}}
    if cuda:
        p = torch.cuda.get_device_properties(device)
        report["gpu"] = {"name": p.name, "capability": f"{p.major}.{p.minor}",
                         "multiprocessors": p.multi_processor_count, "memory_gib": round(p.total_memory / 2**30, 1),
                         "cuda": torch.version.cuda, "cudnn": torch.backends.cudnn.version()}
    steps = report["steps"]
    failed = []

    def step(name):
        def wrap(fn):
            t = time.perf_counter()
            try:
                steps[name] = fn()
            except Exception as e:  # recorded, the next step still runs
                steps[name] = {"error": short(e)}
                traceback.print_exc()
            steps[name]["_seconds"] = round(time.perf_counter() - t, 2)
            print(f"[check_torch] {name}: {json.dumps(steps[name])}", flush=True)
            return fn
        return wrap

    multiplier, narrow = config_for(args.size)
    tmp = tempfile.mkdtemp(prefix="gpen-check-")
    path = os.path.join(tmp, f"random-{args.size}.pt")

    @step("export")
    def _export():
        t = time.perf_counter()
        cmd = [sys.executable, "-m", "gpen.export", "gpen", "--random", "--seed", "0", "--size", str(args.size),
               "--channel-multiplier", str(multiplier), "--narrow", str(narrow), "-o", path]
        env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"))
        run = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if run.returncode != 0:
            raise RuntimeError(f"exporter exited {run.returncode}: {run.stderr.strip()[-400:]}")
        return {"seconds": round(time.perf_counter() - t, 2), "mib": round(os.path.getsize(path) / 2**20, 1),
                "meta": export.read_metadata(path)["source"], "stdout": run.stdout.strip()}

    if "error" in steps["export"]:
        failed.append("export")
        return finish(report, args.out, failed)
    if args.keep_model:
        shutil.copyfile(path, args.keep_model)

    reference = export.build_reference(args.size, multiplier, narrow, seed=0)  # the same weights (seed 0)
    model = torch.jit.load(path, map_location=device).eval()
    x_cpu = torch.rand(2, 3, args.size, args.size, generator=torch.Generator().manual_seed(0)) * 2 - 1
    x = x_cpu.to(device)
    outputs = {}

    @step("parity")
    def _parity():
        result = {}
        with torch.no_grad():
            cpu_model = torch.jit.load(path, map_location="cpu").eval()
            y_cpu = cpu_model(x_cpu)
            del cpu_model
            ref = reference.to(device)
            for tf32 in ([False, True] if cuda else [False]):
                set_tf32(tf32)
                y = model(x)
                y_ref = ref(x)
                key = "tf32" if tf32 else "fp32"
                result[key] = {
                    "max_abs_vs_cpu": float((y.cpu() - y_cpu).abs().max()),
                    "max_abs_vs_reference": float((y - y_ref).abs().max()),
                    "vs_cpu": level_error(y.cpu(), y_cpu)}
                if not tf32:
                    outputs["fp32"] = y.detach().cpu()
            reference.cpu()
            set_tf32(False)
        worst = max(result["fp32"]["max_abs_vs_cpu"], result["fp32"]["max_abs_vs_reference"])
        result["pass"] = worst <= FP32_TOLERANCE
        if not result["pass"]:
            failed.append(f"parity (max |diff| {worst:.2e} > {FP32_TOLERANCE})")
        return result

    if "error" in steps["parity"]:
        failed.append("parity")

    def reduced(dtype):
        m = torch.jit.load(path, map_location=device).eval().to(dtype)
        if cuda:
            m = m.to(memory_format=torch.channels_last)
        return m

    def to_input(t, dtype):
        t = t.to(dtype)
        return t.contiguous(memory_format=torch.channels_last) if cuda else t

    @step("precision")
    def _precision():
        result = {}
        for name, dtype in (("fp16", torch.float16), ("bf16", torch.bfloat16)):
            try:
                with torch.no_grad():
                    y = reduced(dtype)(to_input(x, dtype)).float().cpu()
                result[name] = level_error(y, outputs["fp32"])
                result[name]["finite"] = bool(torch.isfinite(y).all())
            except Exception as e:
                result[name] = {"error": short(e)}
        return result

    def throughput(m, dtype, batch):
        xb = to_input((torch.rand(batch, 3, args.size, args.size, device=device) * 2 - 1), dtype)
        if cuda:
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats(device)
        with torch.no_grad():
            per_call, n = timer.measure(lambda: m(xb), warmup=2, iters=args.iters, budget_s=args.budget)
        row = {"batch": batch, "faces_per_s": round(batch / per_call, 2), "ms_per_call": round(per_call * 1e3, 3),
               "calls": n}
        if cuda:
            row["peak_allocated_mib"] = round(torch.cuda.max_memory_allocated(device) / 2**20)
        return row

    @step("throughput")
    def _throughput():
        result = {}
        precisions = [("fp32-tf32", torch.float32), ("fp16", torch.float16), ("bf16", torch.bfloat16)]
        if not cuda:
            precisions = [("fp32", torch.float32), ("bf16", torch.bfloat16)]
        for name, dtype in precisions:
            set_tf32(cuda)
            rows = []
            try:
                m = model if dtype == torch.float32 else reduced(dtype)
                for b in batches:
                    rows.append(throughput(m, dtype, b))
            except Exception as e:
                rows.append({"error": short(e)})
            result[name] = rows
        if cuda:  # strict FP32 (TF32 off) at the largest batch, to see what TF32 buys
            set_tf32(False)
            result["fp32-strict"] = [throughput(model, torch.float32, batches[-1])]
        eager = []
        for name, dtype in ([("fp32", torch.float32), ("fp16", torch.float16)] if cuda else [("fp32", torch.float32)]):
            set_tf32(cuda)
            ref = export.build_reference(args.size, multiplier, narrow, seed=0).to(device=device, dtype=dtype)
            if cuda and dtype != torch.float32:
                ref = ref.to(memory_format=torch.channels_last)
            for b in sorted({batches[0], batches[-1]}):
                eager.append(dict(throughput(ref, dtype, b), precision=name))
            del ref
        result["eager_reference"] = eager
        set_tf32(False)
        return result

    if cuda:
        @step("graphs")
        def _graphs():
            b = min(32, batches[-1])
            m = reduced(torch.float16)
            static_in = to_input(torch.rand(b, 3, args.size, args.size, device=device) * 2 - 1, torch.float16)
            with torch.no_grad():
                side = torch.cuda.Stream()
                side.wait_stream(torch.cuda.current_stream())
                with torch.cuda.stream(side):
                    for _ in range(3):
                        m(static_in)
                torch.cuda.current_stream().wait_stream(side)
                graph = torch.cuda.CUDAGraph()
                with torch.cuda.graph(graph):
                    static_out = m(static_in)
                plain_out = m(static_in)
                graph.replay()
                torch.cuda.synchronize()
                same = float((static_out.float() - plain_out.float()).abs().max())
                plain, _ = timer.measure(lambda: m(static_in), 2, args.iters, args.budget)
                replay, _ = timer.measure(graph.replay, 2, args.iters, args.budget)
            return {"batch": b, "plain_faces_per_s": round(b / plain, 1), "graph_faces_per_s": round(b / replay, 1),
                    "speedup": round(plain / replay, 3), "max_abs_graph_vs_plain": same}

        @step("busy")
        def _busy():
            b = min(32, batches[-1])
            m = reduced(torch.float16)
            xb = to_input(torch.rand(b, 3, args.size, args.size, device=device) * 2 - 1, torch.float16)
            calls = 10
            with torch.no_grad():
                for _ in range(3):
                    m(xb)
                torch.cuda.synchronize()
                with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CUDA]) as prof:
                    t = time.perf_counter()
                    for _ in range(calls):
                        m(xb)
                    torch.cuda.synchronize()
                    wall = time.perf_counter() - t
            kernel_us = 0.0
            for e in prof.events():
                if getattr(e, "device_type", None) == torch.autograd.DeviceType.CUDA:
                    kernel_us += getattr(e, "device_time", None) or getattr(e, "cuda_time", 0.0) or 0.0
            return {"batch": b, "calls": calls, "wall_s": round(wall, 4), "kernel_s": round(kernel_us / 1e6, 4),
                    "busy_fraction": round(kernel_us / 1e6 / wall, 3)}

    return finish(report, args.out, failed)


def finish(report, out_dir, failed) -> int:
    report["failed"] = failed
    with open(os.path.join(out_dir, "check-torch.json"), "w") as f:
        json.dump(report, f, indent=1)
    print_markdown(report)
    if failed:
        print(f"check_torch: FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def print_markdown(report):
    s = report["steps"]
    gpu = report.get("gpu", {})
    print(f"\n## Part 1: exported graph under torch {report['torch']} on {report['device']}"
          + (f" ({gpu.get('name')}, capability {gpu.get('capability')}, CUDA {gpu.get('cuda')}, "
             f"cuDNN {gpu.get('cudnn')})" if gpu else ""))
    ex = s.get("export", {})
    print(f"\n- export of a random GPEN-{report['size']}-shaped model: "
          + (f"{ex.get('seconds')} s, {ex.get('mib')} MiB" if "error" not in ex else f"ERROR {ex['error']}"))
    par = s.get("parity", {})
    for key in ("fp32", "tf32"):
        if key in par:
            p = par[key]
            print(f"- parity {key}: max |device - cpu| {p['max_abs_vs_cpu']:.2e}, max |device - eager reference| "
                  f"{p['max_abs_vs_reference']:.2e}, vs cpu mean {p['vs_cpu']['mean_levels']} / max "
                  f"{p['vs_cpu']['max_levels']} levels")
    if "error" in par:
        print(f"- parity: ERROR {par['error']}")
    for name, e in s.get("precision", {}).items():
        if isinstance(e, dict) and "mean_levels" in e:
            print(f"- {name} vs strict fp32: mean {e['mean_levels']} / max {e['max_levels']} levels, finite {e['finite']}")
        elif isinstance(e, dict):
            print(f"- {name}: ERROR {e.get('error')}")
    th = s.get("throughput", {})
    if th and "error" not in th:
        print("\n| precision | batch | faces/s | ms/call | peak allocated MiB |\n|---|---|---|---|---|")
        for name, rows in th.items():
            if not isinstance(rows, list):
                continue
            for r in rows:
                label = f"{name} (eager reference, {r.get('precision')})" if name == "eager_reference" else name
                if "error" in r:
                    print(f"| {label} | | ERROR {r['error']} | | |")
                else:
                    print(f"| {label} | {r['batch']} | {r['faces_per_s']} | {r['ms_per_call']} | "
                          f"{r.get('peak_allocated_mib', '-')} |")
    for name in ("graphs", "busy"):
        if name in s:
            print(f"- {name}: {json.dumps({k: v for k, v in s[name].items() if k != '_seconds'})}")


if __name__ == "__main__":
    sys.exit(main())
