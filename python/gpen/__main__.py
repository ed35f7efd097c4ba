"""`gpen` (the console command pip installs) and `python -m gpen`: gpen-restore's command line
over the Python package. The flags are generated from the parameter table, as gpen-restore's
are: `--strength`, `--mode`, `--model`, `--batch-size`, `-o/--output`, `--compare`, ...

    gpen models pull GPEN-BFR-512          # once: download, check, convert, cache
    gpen --model GPEN-BFR-512 -o restored/ family.jpg album/

Exit status: 0 all restored, 1 some failed, 2 nothing ran (bad flags, model, inputs), 130
interrupted.
"""

import argparse
import json
import os
import sys

# gpen-restore's historical spellings (src/cli/cli_args.cpp); every other flag is the name.
_FLAG_NAMES = {"model_path": "--model", "max_batch": "--batch-size", "extensions": "--ext",
               "output_dir": "--output"}


def _flag(name):
    return _FLAG_NAMES.get(name, "--" + name.replace("_", "-"))


def _parser(table):
    p = argparse.ArgumentParser(
        prog="gpen", description="Restore the faces in photographs with a GPEN model: a name "
        "(`gpen models pull GPEN-BFR-512` fetches it once; `gpen models list`), a published .pth or "
        "an exported .pt; without --model, the classic (model-free) path. Each result is "
        "written to OUTDIR/<name>.<format>.", allow_abbrev=False)
    p.add_argument("inputs", nargs="*", metavar="IMAGE|DIR", help="photos, or folders of photos")
    p.add_argument("--preset", help="a named parameter set, applied first: " + ", ".join(_preset_names()))
    p.add_argument("--json", metavar="REPORT", help="write the run's report as JSON")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    p.add_argument("--version", action="store_true", help="print the version")
    for name, info in table.items():
        flags = [_flag(name)] + (["-o"] if name == "output_dir" else [])
        doc = info["doc"]
        if info["kind"] == "bool":
            p.add_argument(*flags, dest=name, action="store_true", default=None, help=doc)
            if info["default"] is True:
                p.add_argument("--no-" + _flag(name)[2:], dest=name, action="store_false",
                               help=f"turn off {_flag(name)}")
        else:
            extra = ""
            if info["kind"] in ("int", "float"):
                extra = f" ({info['min']:g}-{info['max']:g}, default {info['default']})"
            elif info["kind"] == "choice":
                extra = f" ({' | '.join(info['choices'])}, default {info['default']})"
            p.add_argument(*flags, dest=name, default=None, metavar=name.upper(), help=doc + extra)
    return p


def _preset_names():
    import gpen
    return gpen.preset_names()


def _value(info, text):
    """Flag text -> the keyword's Python value (the table's checks then apply)."""
    kind = info["kind"]
    try:
        if kind == "int":
            return int(text)
        if kind == "float":
            return float(text)
    except ValueError:
        raise ValueError(f"{_flag(info['name'])} needs a number, got '{text}'") from None
    if kind == "text-list":
        return [t.strip() for t in text.split(",") if t.strip()]
    return text


def _given(args, table):
    """The flags given on the command line, as the keywords' Python values (ValueError naming a
    flag whose text is not a number)."""
    return {name: _value(info, getattr(args, name)) if info["kind"] != "bool" else getattr(args, name)
            for name, info in table.items() if getattr(args, name) is not None}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["models"]:  # gpen models list | pull NAME | convert FILE.pth | path NAME
        from . import models
        return models.main(argv[1:])
    import gpen
    table = {name: dict(info, name=name) for name, info in gpen.param_table().items()}
    args = _parser(table).parse_args(argv)
    if args.version:
        print("gpen", gpen.__version__ if hasattr(gpen, "__version__") else "")
        return 0
    try:
        given = _given(args, table)
    except ValueError as e:
        print(f"gpen: error: {e}", file=sys.stderr)
        return 2
    out_dir = given.pop("output_dir", None)
    if not out_dir:
        print("gpen: error: -o OUTDIR is required (see --help)", file=sys.stderr)
        return 2
    if not args.inputs:
        print("gpen: error: no input images given", file=sys.stderr)
        return 2
    options = {k: v for k, v in given.items() if table[k]["group"] == "restorer"}
    work = {k: v for k, v in given.items() if table[k]["group"] != "restorer"}
    model = options.pop("model_path", None)

    def progress(p):
        if args.quiet and p["status"] != "failed":
            return
        line = f"[{p['done']}/{p['total']}] {p['status']}: {p['file']}"
        if p["status"] == "failed":
            line += f": {p.get('error', '')}"
        print(line, file=sys.stderr, flush=True)

    try:
        restorer = gpen.Restorer(model, **options)
        if not args.quiet and not restorer.has_model:
            print("gpen: note: no --model given: faces go through the classic path (noise removed where "
                  "there is noise; no detail is added), not through GPEN.", file=sys.stderr)
        report = gpen.restore_files(args.inputs, out_dir, restorer=restorer, progress=progress,
                                    preset=args.preset, **work)
    except KeyboardInterrupt:
        print("gpen: interrupted", file=sys.stderr)
        return 130
    except (gpen.GpenError, TypeError) as e:
        print(f"gpen: error: {e}", file=sys.stderr)
        return 2
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1, default=str)
    if not args.quiet:
        n = report["faces"]
        print(f"gpen: {report['restored']} restored, {report['failed']} failed, {report['skipped']} skipped; "
              f"{n} face{'' if n == 1 else 's'} in {report['wall_seconds']:.1f} s", file=sys.stderr)
    return 1 if report["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
