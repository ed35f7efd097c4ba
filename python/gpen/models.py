"""Published models by name: the catalogue, the cache, download and conversion.

    gpen models list                      # what is known, what is cached
    gpen models pull GPEN-BFR-512         # download, verify, convert to TorchScript, cache
    gpen models convert GPEN-BFR-512.pth  # a .pth you already have, converted once into the cache
    gpen models path GPEN-BFR-512         # the cached file (exit 1 if not cached)

(`python -m gpen.models ...` is the same, and needs only Python + PyTorch: no compiled extension.)

The catalogue is `catalogue.json` next to this file (data, not code; the C++ library embeds the
same file). The cache is ``$GPEN_HOME``, else ``$XDG_CACHE_HOME/gpen``, else ``~/.cache/gpen``:

    models/NAME.pt          converted, ready to run (with NAME.json: address, sha256, size, date)
    downloads/FILE.part     a download in progress (a later pull resumes it)
    converted/STEM-SHA.pt   .pth files given by path, converted once (keyed by their sha256)

``GPEN_MODELS_URL`` replaces the directory of every download address (a mirror, or the tests'
loopback server); ``GPEN_CATALOGUE`` reads another catalogue file (tests).
"""

import argparse
import fcntl
import hashlib
import json
import os
import sys
import time
import urllib.error
import urllib.request
from typing import Any, Dict, List, Optional

CHUNK = 1 << 16
RETRIES = 4  # a broken connection is resumed this many times per address


class ModelsError(Exception):
    """A pull or conversion that cannot be done; the message says why and what to do."""


def catalogue_path() -> str:
    return os.environ.get("GPEN_CATALOGUE") or os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                             "catalogue.json")


def catalogue() -> Dict[str, Dict[str, Any]]:
    """The known models by name, in catalogue order."""
    with open(catalogue_path()) as f:
        return {m["name"]: m for m in json.load(f)["models"]}


def cache_dir() -> str:
    if os.environ.get("GPEN_HOME"):
        return os.environ["GPEN_HOME"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "gpen")


def cached_path(name: str) -> str:
    return os.path.join(cache_dir(), "models", name + ".pt")


def urls(entry: Dict[str, Any]) -> List[str]:
    base = os.environ.get("GPEN_MODELS_URL")
    if base:
        return [base.rstrip("/") + "/" + entry["file"]]
    return list(entry["urls"])


def _lookup(name: str) -> Dict[str, Any]:
    known = catalogue()
    if name in known:
        return known[name]
    lower = {k.lower(): k for k in known}
    hint = lower.get(name.lower()) or next((k for k in known if name.lower() in k.lower()), None)
    raise ModelsError(f"unknown model '{name}'" + (f" (did you mean {hint}?)" if hint else "") +
                      "; `gpen models list` shows the known names")


def sha256_of(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class _Progress:
    """A one-line progress bar on stderr when it is a terminal, else a line every 25%."""

    def __init__(self, label: str, total: Optional[int], quiet: bool):
        self.label, self.total, self.quiet = label, total, quiet
        self.tty = sys.stderr.isatty()
        self.last = -1
        self.start = time.monotonic()

    def update(self, done: int) -> None:
        if self.quiet:
            return
        if self.total:
            pct = int(100 * done / self.total)
            if self.tty:
                if pct != self.last:
                    bar = "#" * (pct // 4)
                    rate = done / max(1e-3, time.monotonic() - self.start) / 1e6
                    sys.stderr.write(f"\r{self.label} [{bar:<25}] {pct:3d}% {done / 1e6:.1f}/"
                                     f"{self.total / 1e6:.1f} MB {rate:.1f} MB/s")
                    sys.stderr.flush()
            elif pct // 25 != self.last // 25:
                print(f"{self.label}: {pct}% of {self.total / 1e6:.1f} MB", file=sys.stderr, flush=True)
            self.last = pct
        elif self.tty:
            sys.stderr.write(f"\r{self.label}: {done / 1e6:.1f} MB")
            sys.stderr.flush()

    def finish(self) -> None:
        if not self.quiet and self.tty:
            sys.stderr.write("\n")


def _download(url: str, part: str, expected_size: Optional[int], quiet: bool) -> None:
    """Append to `part` from `url`, resuming from its current length; retries broken connections."""
    failures = 0
    while True:
        have = os.path.getsize(part) if os.path.exists(part) else 0
        if expected_size and have == expected_size:
            return
        request = urllib.request.Request(url, headers={"User-Agent": "gpen-models/1"})
        if have:
            request.add_header("Range", f"bytes={have}-")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                if have and response.status != 206:  # the server ignored Range: start over
                    have = 0
                length = response.headers.get("Content-Length")
                total = have + int(length) if length is not None else expected_size
                progress = _Progress(os.path.basename(part)[:-len(".part")], total, quiet)
                with open(part, "ab" if have else "wb") as out:
                    done = have
                    while True:
                        block = response.read(CHUNK)
                        if not block:
                            break
                        out.write(block)
                        done += len(block)
                        progress.update(done)
                progress.finish()
                if total is not None and done < total:
                    raise ConnectionError(f"connection closed after {done} of {total} bytes")
                return
        except urllib.error.HTTPError as e:
            if e.code == 416 and have:  # asked past the end: the part file is whole (or bigger)
                return
            raise ModelsError(f"{url}: HTTP {e.code} {e.reason}") from None
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as e:
            failures += 1
            reason = getattr(e, "reason", e)
            if failures > RETRIES:
                kept = (f"; the partial file {part} is kept and a later pull resumes it"
                        if os.path.exists(part) else "")
                raise ModelsError(f"{url}: {reason} (gave up after {RETRIES} resumed attempts{kept})") from None
            if not quiet:
                print(f"gpen models: {reason}; resuming", file=sys.stderr, flush=True)
            time.sleep(min(2.0, 0.2 * failures))


def _load_exactly(model, sd: Dict[str, Any], entry: Dict[str, Any]) -> None:
    from . import export
    try:
        model.load_state_dict(sd, strict=True)
    except RuntimeError as e:
        raise export.ExportError(f"wrong layout for {entry['name']}: {str(e).splitlines()[0]}") from None


def _export(entry: Dict[str, Any], checkpoint: str, out: str) -> Dict[str, Any]:
    """Convert `checkpoint` with the exporter, loading it strictly into the catalogue's layout."""
    try:
        from . import export
    except ImportError as e:  # no torch
        raise ModelsError(f"converting {checkpoint} needs PyTorch ({e}); install python3-torch, or convert "
                          f"on another machine with `python3 -m gpen.export` and copy the .pt") from None
    spec = entry["export"]
    try:
        sd = export.load_checkpoint(checkpoint)
        source = {"checkpoint": entry.get("file", os.path.basename(checkpoint)),
                  "sha256": sha256_of(checkpoint), "random_weights": False, "catalogue_name": entry["name"]}
        if spec["architecture"] == "gpen":
            found = export.infer_config(sd)
            found.setdefault("in_size", found["size"])
            for key in ("size", "in_size", "channel_multiplier", "narrow"):
                if abs(float(found[key]) - float(spec.get(key, spec["size"]))) > 1e-6:
                    raise export.ExportError(f"wrong layout for {entry['name']}: its {key} is {found[key]}, "
                                             f"the catalogue says {spec[key]}")
            model = export.build_reference(spec["size"], spec["channel_multiplier"], spec["narrow"],
                                           state_dict=sd, in_size=spec.get("in_size"))
            return export.export_model(model, out, source, spec.get("task", "enhance"))
        if spec["architecture"] == "retinaface":
            model = export.retinaface.RetinaFace(spec["backbone"])
            _load_exactly(model, sd, entry)
            return export.export_retinaface(model, out, source)
        if spec["architecture"] == "rrdbnet":
            config = export.rrdbnet.infer_config(sd)
            for key in ("scale", "num_feat", "num_block"):
                if key in spec and config[key] != spec[key]:
                    raise export.ExportError(f"wrong layout for {entry['name']}: its {key} is {config[key]}, "
                                             f"the catalogue says {spec[key]}")
            model = export.rrdbnet.RRDBNet(**config)
            _load_exactly(model, sd, entry)
            return export.export_realesrnet(model.eval(), out, source)
        if spec["architecture"] == "parsenet":
            model = export.parsenet.ParseNet(**export.parsenet.infer_config(sd))
            _load_exactly(model, sd, entry)
            return export.export_parsenet(model.eval(), out, source)
    except (export.ExportError, ValueError) as e:
        raise ModelsError(str(e)) from None
    raise ModelsError(f"{entry['name']}: no exporter for architecture {spec['architecture']} yet")


class _Lock:
    """An exclusive lock on a file in the cache, so two pulls of one model do not interleave."""

    def __init__(self, path: str):
        self.path = path

    def __enter__(self):
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        self.fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o644)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


def pull(name: str, force: bool = False, quiet: bool = False) -> str:
    """Download, verify and convert a catalogue model into the cache; returns the .pt path."""
    entry = _lookup(name)
    target = cached_path(name)
    if not entry.get("supported", False):
        raise ModelsError(f"{name} is in the catalogue but gpen cannot run it yet: {entry.get('note', '')}")
    if os.path.isfile(target) and not force:
        return target
    downloads = os.path.join(cache_dir(), "downloads")
    with _Lock(os.path.join(downloads, entry["file"] + ".lock")):
        if os.path.isfile(target) and not force:
            return target  # another process pulled it while we waited
        part = os.path.join(downloads, entry["file"] + ".part")
        errors = []
        for url in urls(entry):
            try:
                if not quiet:
                    print(f"gpen models: downloading {name} from {url}", file=sys.stderr, flush=True)
                _download(url, part, entry.get("size_bytes"), quiet)
                break
            except ModelsError as e:
                errors.append(str(e))
        else:
            raise ModelsError(f"cannot download {name}: " + "; ".join(errors) + _manual_help(entry))
        size = os.path.getsize(part)
        if entry.get("size_bytes") and size != entry["size_bytes"]:
            os.unlink(part)
            raise ModelsError(f"{name}: downloaded {size} bytes, the catalogue says {entry['size_bytes']} "
                              f"(file deleted; try again, or the address now serves another file)")
        digest = sha256_of(part)
        if entry.get("sha256") and digest != entry["sha256"].lower():
            os.unlink(part)
            raise ModelsError(f"{name}: checksum mismatch: sha256 {digest}, the catalogue says {entry['sha256']} "
                              f"(file deleted; the address may now serve another file)")
        if not entry.get("sha256") and not quiet:
            print(f"gpen models: note: the catalogue has no published sha256 for {name}; the downloaded "
                  f"file's is {digest} ({size} bytes)", file=sys.stderr)
        if not quiet:
            print(f"gpen models: converting {name} to TorchScript", file=sys.stderr, flush=True)
        try:
            _export(entry, part, target)
        except ModelsError:
            os.unlink(part)  # a file of the wrong layout is not worth resuming
            raise
        manifest = {"name": name, "url": url, "sha256": digest, "size_bytes": size,
                    "pulled": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "catalogue": entry}
        with open(target[:-3] + ".json", "w") as f:
            json.dump(manifest, f, indent=1)
        os.unlink(part)
    return target


def _manual_help(entry: Dict[str, Any]) -> str:
    spec = entry["export"]
    kind = {"rrdbnet": "realesrnet"}.get(spec["architecture"], spec["architecture"])
    extra = f" --backbone {spec['backbone']}" if spec["architecture"] == "retinaface" else ""
    return (f". Offline? Download {entry['urls'][0]} on a machine that can, copy it here, then: "
            f"gpen models convert {entry['file']} (or python3 -m gpen.export {kind} --checkpoint "
            f"{entry['file']}{extra} -o {entry['name']}.pt)")


def _guess_entry(sd_keys: List[str], path: str) -> Dict[str, Any]:
    """The catalogue-like export spec of a checkpoint given by path, read off its parameter names."""
    if any(k.startswith("ecd") for k in sd_keys):
        return {"name": os.path.basename(path), "export": {"architecture": "gpen"}}
    if "conv_first.weight" in sd_keys:
        return {"name": os.path.basename(path), "export": {"architecture": "rrdbnet"}}
    if "encoder.0.conv2d.weight" in sd_keys:
        return {"name": os.path.basename(path), "export": {"architecture": "parsenet"}}
    if any(k.startswith("body.") or k.startswith("ClassHead") for k in sd_keys):
        backbone = "resnet50" if any(k.startswith("body.layer") for k in sd_keys) else "mobilenet0.25"
        return {"name": os.path.basename(path), "export": {"architecture": "retinaface", "backbone": backbone}}
    raise ModelsError(f"{path}: not a GPEN generator, RetinaFace detector, RRDBNet upsampler or ParseNet "
                      f"checkpoint "
                      f"(first parameters: {', '.join(sd_keys[:3])})")


def convert(path: str, quiet: bool = False) -> str:
    """A published .pth given by path, converted once into the cache; returns the .pt path."""
    if not os.path.isfile(path):
        raise ModelsError(f"checkpoint not found: {path}")
    digest = sha256_of(path)
    stem = os.path.splitext(os.path.basename(path))[0]
    target = os.path.join(cache_dir(), "converted", f"{stem}-{digest[:16]}.pt")
    if os.path.isfile(target):
        return target
    try:
        from . import export
    except ImportError as e:
        raise ModelsError(f"{path} is a PyTorch checkpoint; converting it needs Python with PyTorch ({e}): install "
                          f"python3-torch, or run `python3 -m gpen.export gpen --checkpoint {path} -o "
                          f"{stem}.pt` on a machine that has it and pass the .pt") from None
    with _Lock(target + ".lock"):
        if os.path.isfile(target):
            return target
        try:
            sd = export.load_checkpoint(path)
        except export.ExportError as e:
            raise ModelsError(str(e)) from None
        entry = _guess_entry(list(sd), path)
        if entry["export"]["architecture"] == "gpen":
            try:
                entry["export"].update(export.infer_config(sd))
            except export.ExportError as e:
                raise ModelsError(f"{path}: {e}") from None
        if not quiet:
            print(f"gpen models: converting {path} to TorchScript (once; cached as {target})",
                  file=sys.stderr, flush=True)
        _export(entry, path, target)
    return target


def listing() -> List[Dict[str, Any]]:
    """Every known model with its cache state: name, kind, task, supported, cached (path or None)."""
    rows = []
    for name, entry in catalogue().items():
        path = cached_path(name)
        rows.append({"name": name, "kind": entry["kind"], "task": entry["task"],
                     "supported": bool(entry.get("supported")), "cached": path if os.path.isfile(path) else None})
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="gpen models", description="Published models by name: list, pull "
                                     f"(download + verify + convert), convert a .pth. Cache: {cache_dir()}")
    # The library runs this tool and turns its error into an exception it reports itself: the error
    # line goes to stdout then, so that it is not also shown through the passed-through stderr.
    parser.add_argument("--errors-on-stdout", action="store_true", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="known models and what is cached")
    p = sub.add_parser("pull", help="download, verify and convert a model into the cache")
    p.add_argument("names", nargs="+", metavar="NAME")
    p.add_argument("--force", action="store_true", help="download again even if cached")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors and the path")
    c = sub.add_parser("convert", help="convert a published .pth you have into the cache")
    c.add_argument("checkpoint")
    c.add_argument("-q", "--quiet", action="store_true")
    w = sub.add_parser("path", help="print a cached model's path (exit 1 if it is not cached)")
    w.add_argument("name")
    args = parser.parse_args(argv)
    try:
        if args.command == "list":
            print(f"cache: {cache_dir()}")
            for row in listing():
                state = row["cached"] or ("not cached" if row["supported"] else "not runnable yet")
                print(f"  {row['name']:<26} {row['kind']:<10} {state:<12}  {row['task']}")
            return 0
        if args.command == "pull":
            for name in args.names:
                print(pull(name, force=args.force, quiet=args.quiet))
            return 0
        if args.command == "convert":
            print(convert(args.checkpoint, quiet=args.quiet))
            return 0
        _lookup(args.name)
        path = cached_path(args.name)
        if not os.path.isfile(path):
            print(f"gpen models: {args.name} is not cached; run `gpen models pull {args.name}`", file=sys.stderr)
            return 1
        print(path)
        return 0
    except ModelsError as e:
        print(f"gpen models: error: {e}", file=sys.stdout if args.errors_on_stdout else sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gpen models: interrupted (a later pull resumes the download)", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
