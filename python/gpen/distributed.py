"""Restore many photos on a Dask cluster (Debian's ``python3-distributed``).

    from distributed import Client
    import gpen.distributed

    report = gpen.distributed.restore_files(["/archive/scans/"], "/archive/restored/",
                                            client=Client("tcp://scheduler:8786"),
                                            model="GPEN-BFR-512", device="cuda", strength=90)

The client plans the run (the same plan as ``gpen-restore``: the same output names, the same
refusals) and sends each worker shares of ``files_per_task`` files, as names: the client never
holds pixels. Each worker process loads **one** :class:`gpen.Restorer` (a worker plugin holds it)
and restores its shares with the batch engine, so faces are still batched across photos. Outputs
are written atomically under deterministic names: a share retried elsewhere (a worker killed,
out of memory) writes nothing half-done, and ``skip_existing`` (on by default here) lets a run
whose client died go on where it stopped. Files that cannot be restored are entries of the
report, not a failed run.

Paths (inputs, output folder, model file) must mean the same on the client and every worker
(shared storage mounted at the same place); they are made absolute on the client.

Command line: ``python -m gpen.distributed --scheduler tcp://HOST:8786 -o OUT INPUTS...`` or
``--local N`` (a LocalCluster of N worker processes), with gpen-restore's restore flags.
"""

import glob
import hashlib
import json
import math
import os
import sys
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import gpen
from gpen.errors import GpenError, GpenFileNotFoundError, InvalidArgumentError

try:
    import distributed
    from distributed.diagnostics.plugin import WorkerPlugin
except ImportError as _e:  # the rest of gpen works without Dask
    distributed = None
    WorkerPlugin = object
    _dask_import_error = _e

#: Files per task when not given: enough shares for every worker to have several (so a slow or
#: lost worker delays little), at most this many files each.
MAX_AUTO_FILES_PER_TASK = 64


def _require_dask():
    if distributed is None:
        raise ImportError("gpen.distributed needs Dask's distributed package (Debian: python3-distributed; "
                          f"pip: distributed): {_dask_import_error}")


def expand_inputs(inputs) -> List[str]:
    """Paths as given (files, directories), with glob patterns (``*``, ``?``, ``[``, ``**``) expanded
    and everything made absolute. A path that does not exist, or a pattern that matches nothing,
    raises :class:`gpen.GpenFileNotFoundError`."""
    if isinstance(inputs, (str, bytes)) or hasattr(inputs, "__fspath__"):
        inputs = [inputs]
    out = []
    for item in inputs:
        path = os.fsdecode(os.fspath(item))
        if os.path.lexists(path):
            out.append(os.path.abspath(path))
        elif glob.has_magic(path):
            matches = sorted(glob.glob(path, recursive=True))
            if not matches:
                raise GpenFileNotFoundError(f"no file matches {path}")
            out.extend(os.path.abspath(m) for m in matches)
        else:
            raise GpenFileNotFoundError(f"input not found: {path}")
    return out


def keep_freed_memory() -> bool:
    """glibc's allocator keeps freed memory for reuse, as gpen-restore sets it (src/app/malloc_policy):
    no mmap for large blocks, trimming only above 1 GiB. Dask's nanny starts workers with
    MALLOC_TRIM_THRESHOLD_=65536, which also turns off glibc's adaptive mmap threshold, so every
    image buffer and tensor is mapped and page-faulted in again: restoring took 1.6x as long
    (docs/benchmarks.md). Returns False where it cannot be set (not glibc)."""
    import ctypes
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_MAX = -1, -2, -4
    return bool(mallopt(M_MMAP_MAX, 0) and mallopt(M_TRIM_THRESHOLD, 1 << 30) and mallopt(M_TOP_PAD, 64 << 20))


class RestorerPlugin(WorkerPlugin):
    """Holds one :class:`gpen.Restorer` per worker process, made on the first share the worker
    gets (so a model that cannot load is reported by the task, not lost in the plugin's set-up)
    and kept for every later share of the run."""

    def __init__(self, model: Optional[str], device: Optional[str], options: Dict[str, Any]):
        self.model = model
        self.device = device
        self.options = dict(options)
        self.name = "gpen-restorer-" + hashlib.sha1(
            repr((model, device, sorted(self.options.items()))).encode()).hexdigest()[:16]
        self._lock = None
        self._restorer = None

    def setup(self, worker=None):
        self._lock = threading.Lock()
        self._restorer = None
        keep_freed_memory()

    def teardown(self, worker=None):
        self._restorer = None

    def restorer(self) -> "gpen.Restorer":
        with self._lock:
            if self._restorer is None:
                self._restorer = gpen.Restorer(self.model, self.device, **self.options)
            return self._restorer


def _restore_share(plugin_name: str, share: List[Tuple[bytes, bytes]], batch: Dict[str, Any],
                   params: Dict[str, Any]) -> Dict[str, Any]:
    """One task, on a worker: restore `share` with the worker's Restorer and the batch engine.
    Errors that would fail every file (the model cannot load or gives bad output) come back as
    {"fatal": message, "code": code}, so the client stops the run instead of Dask retrying it."""
    worker = distributed.get_worker()
    try:
        restorer = worker.plugins[plugin_name].restorer()
        report = restorer._impl.restore_plan(share, batch, params, None)
    except GpenError as e:
        return {"fatal": str(e), "code": e.code, "worker": worker.address}
    files = [{"input": f["input"], "output": f["output"], "status": f["status"], "error": f["error"],
              "faces": len(f["faces"]), "seconds": f["seconds"], "worker": worker.address}
             for f in report["files"]]
    return {"files": files, "worker": worker.address, "pid": os.getpid(), "wall_seconds": report["wall_seconds"],
            "model_calls": report["model_calls"], "compute_busy_fraction": report["compute_busy_fraction"]}


def _split_options(options: Dict[str, Any]) -> Tuple[Dict[str, Any], Dict[str, Any], Dict[str, Any]]:
    """Keywords -> (restorer options, batch options, restore params), by the parameter table's
    groups; anything else is a TypeError naming it."""
    table = gpen.param_table()
    groups: Dict[str, Dict[str, Any]] = {"restorer": {}, "batch": {}, "restore": {}}
    for key, value in options.items():
        info = table.get(key)
        if info is None or info["group"] not in groups or key in ("model_path", "device", "output_dir"):
            raise TypeError(f"restore_files() got an unexpected keyword argument {key!r}")
        groups[info["group"]][key] = value
    return groups["restorer"], groups["batch"], groups["restore"]


def _auto_files_per_task(files: int, workers: int) -> int:
    return max(1, min(MAX_AUTO_FILES_PER_TASK, math.ceil(files / (4 * max(1, workers)))))


def _write_json(path: str, data: Dict[str, Any]) -> None:
    temporary = f"{path}.tmp-{os.getpid()}"
    with open(temporary, "w") as f:
        json.dump(data, f, indent=1, default=str)
    os.replace(temporary, path)


def restore_files(inputs, output_dir, *, client=None, local: Optional[int] = None, model: Optional[str] = None,
                  device: Optional[str] = None, preset: Optional[str] = None, skip_existing: bool = True,
                  recursive: bool = True, report: Optional[str] = None, files_per_task: Optional[int] = None,
                  retries: int = 3, progress: Optional[Callable[[Dict[str, Any]], None]] = None,
                  **options) -> Dict[str, Any]:
    """Restore photos on a Dask cluster into ``output_dir``; returns the report.

    ``inputs``: a path, directory (walked recursively unless ``recursive=False``) or glob
    pattern, or a list of them. ``client``: a ``distributed.Client`` (else the current default
    client; ``local=N`` starts a LocalCluster of N one-thread worker processes for this call).
    ``model``/``device`` and the other :class:`gpen.Restorer` options make each worker's restorer
    (``device="cuda"`` on workers started with their own ``CUDA_VISIBLE_DEVICES``); batch options
    (``format``, ``quality``, ``extensions``, ``readers``, ...) and restore parameters
    (``strength``, ``mode``, ..., ``preset``) as in :func:`gpen.restore_files`.

    ``skip_existing``: files whose output exists are not sent (a rerun after the client died
    goes on). ``files_per_task``: files per Dask task (default: enough tasks for each worker to
    get four, at most 64 files each). ``retries``: how often Dask re-runs a task whose worker
    raised; a worker that dies is replaced and its task re-run by Dask itself. ``report``: also
    write the report there as JSON. ``progress(d)``: after each task, with done, failed,
    skipped, total, faces, elapsed, eta, files_per_second.

    The report: files (input, output, status, error, faces, seconds, worker; in plan order),
    restored, failed, skipped, faces, tasks, files_per_task, workers, wall_seconds. Raises for
    what stops the whole run: bad arguments, inputs not found, a model that cannot load.
    """
    _require_dask()
    restorer_options, batch, params = _split_options(options)
    gpen._checked("restore_files", ("restorer",), restorer_options)  # wrong types fail here, not on workers
    batch.update(skip_existing=skip_existing, recursive=recursive)
    batch = gpen._checked("restore_files", ("batch",), batch)
    params = gpen._restore_params("restore_files", preset, params)
    if files_per_task is not None and (isinstance(files_per_task, bool) or not isinstance(files_per_task, int)
                                       or files_per_task < 1):
        raise InvalidArgumentError(f"files_per_task must be a positive integer, got {files_per_task!r}")
    if model is not None and os.path.exists(model):
        model = os.path.abspath(model)  # a file (not a catalogue name): the workers' path too
    batch["output_dir"] = os.fsencode(os.path.abspath(os.fsdecode(os.fspath(output_dir))))
    paths = [os.fsencode(p) for p in expand_inputs(inputs)]
    plan = gpen._ext().plan_batch(paths, batch)

    own_cluster = None
    if client is None:
        if local is not None:
            if isinstance(local, bool) or not isinstance(local, int) or local < 1:
                raise InvalidArgumentError(f"local must be a positive number of workers, got {local!r}")
            own_cluster = distributed.LocalCluster(n_workers=local, threads_per_worker=1, processes=True,
                                                   dashboard_address=None)
            client = distributed.Client(own_cluster)
            if "threads" not in restorer_options:  # the machine's cores shared among the workers
                restorer_options["threads"] = max(1, (os.cpu_count() or 1) // local)
        else:
            try:
                client = distributed.default_client()
            except ValueError:
                raise InvalidArgumentError("no Dask client: pass client=distributed.Client(...) "
                                           "(a scheduler's address) or local=N") from None
    try:
        return _run(client, plan, model, device, restorer_options, batch, params, skip_existing, files_per_task,
                    retries, progress, report)
    finally:
        if own_cluster is not None:
            client.close()
            own_cluster.close()


def _run(client, plan, model, device, restorer_options, batch, params, skip_existing, files_per_task, retries,
         progress, report_path) -> Dict[str, Any]:
    start = time.monotonic()
    entries: List[Optional[Dict[str, Any]]] = [None] * len(plan)
    todo: List[int] = []
    for i, (source, target) in enumerate(plan):
        if skip_existing and os.path.exists(target):
            entries[i] = {"input": source, "output": target, "status": "skipped", "error": "", "faces": 0,
                          "seconds": {}, "worker": ""}
        else:
            todo.append(i)
    workers = len(client.scheduler_info().get("workers", {}))
    per_task = files_per_task or _auto_files_per_task(len(todo), workers)
    shares = [todo[k:k + per_task] for k in range(0, len(todo), per_task)]

    plugin = RestorerPlugin(model, device, restorer_options)
    if shares:
        client.register_worker_plugin(plugin, name=plugin.name)
    to_bytes = os.fsencode
    futures = {}
    for share in shares:
        pairs = [(to_bytes(plan[i][0]), to_bytes(plan[i][1])) for i in share]
        future = client.submit(_restore_share, plugin.name, pairs, batch, params, pure=False, retries=retries)
        futures[future] = share

    counts = {"restored": 0, "failed": 0, "skipped": len(plan) - len(todo), "cancelled": 0}
    faces = 0
    per_worker: Dict[str, int] = {}
    done_files = counts["skipped"]
    try:
        for future in distributed.as_completed(list(futures)):
            share = futures[future]
            if future.status == "error":  # raised on every try, or its workers kept dying (KilledWorker)
                error = f"the task failed: {type(future.exception()).__name__}: {future.exception()}"
                results = [{"input": plan[i][0], "output": plan[i][1], "status": "failed", "error": error,
                            "faces": 0, "seconds": {}, "worker": ""} for i in share]
            else:
                result = future.result()
                if "fatal" in result:
                    raise gpen.errors.error_class(result["code"])(result["fatal"], result["code"])
                results = result["files"]
                per_worker[result["worker"]] = per_worker.get(result["worker"], 0) + len(results)
            for i, entry in zip(share, results):
                entries[i] = entry
                counts[entry["status"]] = counts.get(entry["status"], 0) + 1
                faces += entry["faces"]
            done_files += len(share)
            if progress is not None:
                elapsed = time.monotonic() - start
                rate = (done_files - counts["skipped"]) / elapsed if elapsed > 0 else 0.0
                progress({"done": done_files, "failed": counts["failed"], "skipped": counts["skipped"],
                          "total": len(plan), "faces": faces, "elapsed": elapsed,
                          "eta": (len(plan) - done_files) / rate if rate > 0 else 0.0, "files_per_second": rate})
    except BaseException:
        client.cancel(list(futures))
        raise
    result = {"files": entries, **counts, "faces": faces, "tasks": len(shares), "files_per_task": per_task,
              "workers": per_worker, "wall_seconds": time.monotonic() - start}
    if report_path:
        _write_json(report_path, result)
    return result


def _progress_bar(stream=sys.stderr):
    """A one-line progress bar (a line per 10% when the stream is not a terminal)."""
    last = [-1]
    tty = stream.isatty()

    def show(p):
        fraction = p["done"] / p["total"] if p["total"] else 1.0
        if not tty and int(fraction * 10) == last[0]:
            return
        last[0] = int(fraction * 10)
        bar = "#" * int(fraction * 30)
        eta = int(p["eta"])
        line = (f"[{bar:<30}] {p['done']}/{p['total']} files ({p['failed']} failed, {p['skipped']} skipped), "
                f"{p['files_per_second']:.1f} files/s, ETA {eta // 60}:{eta % 60:02d}")
        stream.write(("\r" + line) if tty else line + "\n")
        stream.flush()
    return show


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``python -m gpen.distributed``: exit status 0 all restored, 1 some failed, 2 nothing ran
    (bad flags, model, inputs, no scheduler), 130 interrupted."""
    from gpen.__main__ import _given, _parser
    table = {name: dict(info, name=name) for name, info in gpen.param_table().items()
             if info["group"] in ("restorer", "batch", "restore")}
    parser = _parser(table)
    parser.prog = "python -m gpen.distributed"
    parser.description = ("Restore photos on a Dask cluster: each worker loads the model once and restores "
                          "shares of files with the batch engine; outputs are written atomically to "
                          "OUTDIR/<name>.<format>, files already there are skipped (--no-skip-existing redoes them).")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS", help="a Dask scheduler, e.g. tcp://HOST:8786")
    where.add_argument("--local", type=int, metavar="N", help="start a LocalCluster of N worker processes")
    parser.add_argument("--files-per-task", type=int, metavar="N", help="files per Dask task (default: automatic)")
    parser.add_argument("--retries", type=int, default=3, help="re-runs of a task that raised (default 3)")
    parser.add_argument("--no-skip-existing", dest="skip_existing", action="store_false",
                        help="restore files whose output exists again")
    parser.add_argument("--no-recursive", dest="recursive", action="store_false",
                        help="only the top level of input folders")
    args = parser.parse_args(argv)
    if args.version:
        print("gpen", gpen.__version__)
        return 0
    try:
        given = _given(args, table)
    except ValueError as e:
        print(f"gpen.distributed: error: {e}", file=sys.stderr)
        return 2
    # Both on unless turned off (--skip-existing/--recursive, from the table, are then no-ops).
    given["skip_existing"] = args.skip_existing is not False
    given["recursive"] = args.recursive is not False
    out_dir = given.pop("output_dir", None)
    model = given.pop("model_path", None)
    device = given.pop("device", None)
    if not out_dir or not args.inputs:
        print("gpen.distributed: error: -o OUTDIR and at least one input are required (see --help)", file=sys.stderr)
        return 2
    if not args.scheduler and not args.local:
        print("gpen.distributed: error: give --scheduler ADDRESS or --local N", file=sys.stderr)
        return 2
    try:
        _require_dask()
        client = distributed.Client(args.scheduler) if args.scheduler else None
        report = restore_files(args.inputs, out_dir, client=client, local=args.local if client is None else None,
                               model=model, device=device, preset=args.preset, report=args.json,
                               files_per_task=args.files_per_task, retries=args.retries,
                               progress=None if args.quiet else _progress_bar(), **given)
    except KeyboardInterrupt:
        print("\ngpen.distributed: interrupted (rerun the same command to go on)", file=sys.stderr)
        return 130
    except (GpenError, TypeError, ImportError, OSError) as e:
        print(f"\ngpen.distributed: error: {e}", file=sys.stderr)
        return 2
    if not args.quiet:
        print(f"\ngpen.distributed: {report['restored']} restored, {report['failed']} failed, "
              f"{report['skipped']} skipped; {report['faces']} faces in {report['wall_seconds']:.1f} s "
              f"({report['tasks']} tasks on {len(report['workers'])} workers)", file=sys.stderr)
    for f in report["files"]:
        if f["status"] == "failed":
            print(f"failed: {f['input']}: {f['error']}", file=sys.stderr)
    return 1 if report["failed"] else 0


if __name__ == "__main__":
    # Run through the importable module, so the tasks pickle as gpen.distributed._restore_share
    # (workers import it) and not as __main__'s.
    from gpen.distributed import main as _main
    sys.exit(_main())
