"""gpen.distributed on a LocalCluster vs the in-process batch engine, on the same photos in one
run; and the Dask scheduler's overhead per task, measured with empty tasks. Prints Markdown for
docs/benchmarks.md and docs/distributed.md.

    /usr/bin/python3 bench/distributed_benchmark.py [--files 48] [--size 128]

Photos and model as bench/batch_benchmark.py: 960x640 JPEG crops of the Solvay photograph (about
six faces each) and a random-weight GPEN of --size. Each configuration restores every photo into
its own folder; the timings include making the restorer (loading the model on each worker), not
starting the cluster (timed apart). The machine's cores are shared out: the in-process engine and
the one-worker cluster use all of them, two workers half each.
"""

import argparse
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "build", "python"))  # the package with its extension
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import distributed  # noqa: E402

import gpen  # noqa: E402
import gpen.distributed  # noqa: E402
from batch_benchmark import make_photos  # noqa: E402
from gpen import export  # noqa: E402


def _nothing(i):
    return i


def scheduler_overhead(client, tasks: int) -> float:
    """Milliseconds of wall time per empty task, tasks submitted one by one as restore_files does."""
    start = time.perf_counter()
    futures = [client.submit(_nothing, i, pure=False) for i in range(tasks)]
    distributed.wait(futures)
    return 1000 * (time.perf_counter() - start) / tasks


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=48)
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--files-per-task", type=int, default=4)
    ap.add_argument("--empty-tasks", type=int, default=2000)
    args = ap.parse_args()
    cores = os.cpu_count() or 1
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        source = make_photos(os.path.join(tmp, "in"), args.files)
        model = os.path.join(tmp, "model.pt")
        export.export_model(export.build_reference(args.size, 1, 0.5, seed=0), model, {"random_weights": True, "seed": 0})
        inputs = [os.path.join(tmp, "in")]

        start = time.perf_counter()
        report = gpen.restore_files(inputs, os.path.join(tmp, "engine"), model=model)
        engine_s = time.perf_counter() - start
        faces = report["faces"]
        rows.append(("in-process batch engine (`gpen.restore_files`)", f"1 process, {cores} threads", engine_s))

        overhead = {}
        for workers in (1, 2):
            start = time.perf_counter()
            cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                               dashboard_address=None)
            client = distributed.Client(cluster)
            startup = time.perf_counter() - start
            try:
                start = time.perf_counter()
                r = gpen.distributed.restore_files(inputs, os.path.join(tmp, f"dask{workers}"), client=client,
                                                   model=model, threads=max(1, cores // workers),
                                                   files_per_task=args.files_per_task)
                wall = time.perf_counter() - start
                assert r["restored"] == args.files and r["faces"] == faces, r
                rows.append((f"gpen.distributed, LocalCluster of {workers}",
                             f"{workers} worker{'s' if workers > 1 else ''} x {max(1, cores // workers)} threads, "
                             f"{r['tasks']} tasks", wall))
                overhead[workers] = (scheduler_overhead(client, args.empty_tasks), startup)
            finally:
                client.close()
                cluster.close()

    print(f"{args.files} photos ({source} crops, {faces} faces), random GPEN-{args.size} (channel multiplier 1, "
          f"narrow 0.5), {cores} cores, files_per_task {args.files_per_task}, PNG output")
    print()
    print("| | processes x threads | wall s | photos / s | vs in-process |")
    print("|---|---|---|---|---|")
    for name, how, wall in rows:
        print(f"| {name} | {how} | {wall:.1f} | {args.files / wall:.2f} | {engine_s / wall:.2f}x |")
    print()
    for workers, (ms, startup) in overhead.items():
        print(f"- {workers} worker(s): {args.empty_tasks} empty tasks, **{ms:.2f} ms per task** (scheduler, "
              f"client and worker round trip); cluster start {startup:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
