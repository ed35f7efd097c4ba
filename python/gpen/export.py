"""Export published GPEN checkpoints (or random-weight test models) to TorchScript.

Usage (from a source checkout, with only Debian's PyTorch)::

    PYTHONPATH=python /usr/bin/python3 -m gpen.export gpen --checkpoint GPEN-BFR-512.pth \\
        --size 512 --channel-multiplier 2 --narrow 1 -o model.pt
    PYTHONPATH=python /usr/bin/python3 -m gpen.export gpen --random --seed 0 --size 256 \\
        --channel-multiplier 1 --narrow 0.5 -o test-model.pt
    PYTHONPATH=python /usr/bin/python3 -m gpen.export retinaface \\
        --checkpoint RetinaFace-R50.pth --backbone resnet50 -o det.pt
    PYTHONPATH=python /usr/bin/python3 -m gpen.export realesrnet \\
        --checkpoint realesrnet_x2.pth --check -o realesrnet_x2.pt
    PYTHONPATH=python /usr/bin/python3 -m gpen.export parsenet \\
        --checkpoint ParseNet-latest.pth --check -o parsenet.pt

The output is a TorchScript archive holding the fast inference graph (:mod:`gpen.fast`) and a
metadata file ``gpen/meta.json`` (architecture, size, channel multiplier, narrow, input
normalisation, colour order, exporter version), so the C++ side needs no flags.
"""

import argparse
import json
import os
import sys
import tempfile
from typing import Dict, Optional

import torch

from . import parsenet, retinaface, rrdbnet
from .model import FullGenerator, randomize_, unwrap_state_dict
from .fast import FastGPEN
from .models import sha256_of

EXPORTER_VERSION = "0.1.0"
FORMAT = "gpen-torchscript"
FORMAT_VERSION = 1
META_FILE = "gpen/meta.json"


class ExportError(Exception):
    """A checkpoint that cannot be exported; the message says why."""


def infer_config(sd: Dict[str, torch.Tensor]) -> Dict[str, float]:
    """Read size, channel multiplier and narrow (and, for FullGenerator_SR, the smaller in_size)
    off a GPEN state_dict's shapes."""
    try:
        n_encoder = len({k.split(".")[0] for k in sd if k.startswith("ecd")})
        in_size = 2 ** (n_encoder + 1)
        size = 2 ** (len({k.split(".")[2] for k in sd if k.startswith("generator.to_rgbs.")}) + 2)
        c4 = sd["generator.input.input"].shape[1]
        narrow = c4 / 512.0
        c64 = sd["generator.convs.6.conv.weight"].shape[1]
        multiplier = int(round(c64 / (256.0 * narrow)))
    except KeyError as e:
        raise ExportError(f"not a GPEN checkpoint: parameter {e.args[0]} is missing") from None
    config = {"size": size, "channel_multiplier": multiplier, "narrow": narrow}
    if in_size != size:
        config["in_size"] = in_size
    return config


def build_reference(size: int, channel_multiplier: int, narrow: float,
                    state_dict: Optional[Dict[str, torch.Tensor]] = None,
                    seed: Optional[int] = None, in_size: Optional[int] = None) -> FullGenerator:
    """The reference module tree, loaded strictly from ``state_dict`` or randomised with ``seed``."""
    model = FullGenerator(size, channel_multiplier, narrow, in_size)
    if state_dict is not None:
        try:
            model.load_state_dict(state_dict, strict=True)
        except RuntimeError as e:
            raise ExportError(f"checkpoint does not match GPEN size={size} "
                              f"channel_multiplier={channel_multiplier} narrow={narrow}: {e}") from None
    else:
        randomize_(model, seed if seed is not None else 0)
    return model.eval()


# The GPEN release's tasks: what the model does and how its reference pre/post-processing scales
# pixels. is_norm False (Seg2face): input x/255 and output clipped from [0, 1], instead of [-1, 1].
TASKS = {"enhance": True, "colorize": True, "inpaint": True, "seg2face": False}


class UnnormalisedIO(torch.nn.Module):
    """A model trained on [0, 1] pixels behind the library's [-1, 1] contract: the input is mapped
    to [0, 1] before it and the output back to [-1, 1] after it (exact up to rounding)."""

    def __init__(self, inner: torch.nn.Module):
        super().__init__()
        self.inner = inner

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.inner(x * 0.5 + 0.5) * 2.0 - 1.0


def metadata(model: FullGenerator, source: Dict[str, object], task: str = "enhance") -> Dict[str, object]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exporter_version": EXPORTER_VERSION,
        "architecture": "gpen",
        "task": task,
        # The reference scaling of this task; the graph itself always takes and returns [-1, 1].
        "is_norm": TASKS[task],
        "size": model.size,
        "in_size": model.in_size,  # smaller than size for FullGenerator_SR (GPEN-BFR-2048)
        "channel_multiplier": model.channel_multiplier,
        "narrow": model.narrow,
        "input": {"layout": "NCHW", "color_order": "RGB", "dtype": "float32",
                  "scale": 1.0 / 255.0, "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]},
        "output": {"layout": "NCHW", "color_order": "RGB", "dtype": "float32",
                   "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]},
        "source": source,
    }


def save_scripted(scripted: torch.jit.ScriptModule, path: str, meta: Dict[str, object]) -> None:
    """Save with the metadata entry, atomically (temporary file + rename), mode 0666 & ~umask."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".gpen-export-", suffix=".pt", dir=directory)
    os.close(fd)
    try:
        torch.jit.save(scripted, tmp, _extra_files={META_FILE: json.dumps(meta, indent=1)})
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp files are 0600
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def export_model(model: FullGenerator, path: str, source: Dict[str, object],
                 task: str = "enhance") -> Dict[str, object]:
    """Script the fast graph of ``model`` and save it, with metadata, atomically to ``path``."""
    if task not in TASKS:
        raise ExportError(f"task must be one of {', '.join(TASKS)}, got {task!r}")
    with torch.no_grad():
        fast = FastGPEN(model).eval()
        scripted = torch.jit.script(fast if TASKS[task] else UnnormalisedIO(fast).eval())
    meta = metadata(model, source, task)
    save_scripted(scripted, path, meta)
    return meta


def retinaface_metadata(model: retinaface.RetinaFace, source: Dict[str, object]) -> Dict[str, object]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exporter_version": EXPORTER_VERSION,
        "architecture": "retinaface",
        "backbone": model.backbone,
        "min_sizes": retinaface.MIN_SIZES,
        "steps": retinaface.STEPS,
        "variance": retinaface.VARIANCE,
        "clip": False,
        "input": {"layout": "NCHW", "color_order": "BGR", "dtype": "float32", "scale": 1.0,
                  "mean": retinaface.MEAN_BGR},
        "outputs": ["loc [N,P,4]", "conf [N,P,2] softmaxed", "landms [N,P,10]"],
        "source": source,
    }


def export_retinaface(model: retinaface.RetinaFace, path: str,
                      source: Dict[str, object]) -> Dict[str, object]:
    with torch.no_grad():
        scripted = torch.jit.script(model.eval())
    meta = retinaface_metadata(model, source)
    save_scripted(scripted, path, meta)
    return meta


def _header(architecture: str, source: Dict[str, object]) -> Dict[str, object]:
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "exporter_version": EXPORTER_VERSION,
            "architecture": architecture, "source": source}


def realesrnet_metadata(model: rrdbnet.RRDBNet, source: Dict[str, object]) -> Dict[str, object]:
    meta = _header("realesrnet", source)
    meta.update({
        "scale": model.scale, "num_feat": model.num_feat, "num_block": model.num_block,
        "num_grow_ch": model.num_grow_ch,
        "multiple_of": model.unshuffle,  # input height and width must be multiples of this
        "input": {"layout": "NCHW", "color_order": "RGB", "dtype": "float32", "scale": 1.0 / 255.0,
                  "mean": [0.0, 0.0, 0.0], "std": [1.0, 1.0, 1.0]},
        "output": {"layout": "NCHW", "color_order": "RGB", "dtype": "float32", "range": [0.0, 1.0]},
    })
    return meta


def parsenet_metadata(model: parsenet.ParseNet, source: Dict[str, object]) -> Dict[str, object]:
    meta = _header("parsenet", source)
    meta.update({
        "size": model.size, "config": model.config, "labels": parsenet.LABELS,
        "mask_colormap": parsenet.MASK_COLORMAP,
        "input": {"layout": "NCHW", "color_order": "RGB", "dtype": "float32", "scale": 1.0 / 255.0,
                  "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]},
        "outputs": ["logits [N, classes, size, size]"],
    })
    return meta


def export_realesrnet(model: rrdbnet.RRDBNet, path: str, source: Dict[str, object]) -> Dict[str, object]:
    with torch.no_grad():
        scripted = torch.jit.script(model.eval())
    meta = realesrnet_metadata(model, source)
    save_scripted(scripted, path, meta)
    return meta


def export_parsenet(model: parsenet.ParseNet, path: str, source: Dict[str, object]) -> Dict[str, object]:
    with torch.no_grad():
        scripted = torch.jit.script(parsenet.ParseNetLogits(model.eval()).eval())
    meta = parsenet_metadata(model, source)
    save_scripted(scripted, path, meta)
    return meta


def read_metadata(path: str) -> Dict[str, object]:
    files = {META_FILE: ""}
    torch.jit.load(path, map_location="cpu", _extra_files=files)
    return json.loads(files[META_FILE])




def load_checkpoint(path: str) -> Dict[str, torch.Tensor]:
    if not os.path.isfile(path):
        raise ExportError(f"checkpoint not found: {path}")
    try:
        obj = torch.load(path, map_location="cpu")
    except Exception as e:  # torch raises many types for bad files
        raise ExportError(f"cannot read checkpoint {path}: {e}") from None
    try:
        return unwrap_state_dict(obj)
    except ValueError as e:
        raise ExportError(f"{path}: {e}") from None


def check_against_reference(model: torch.nn.Module, path: str, seed: int = 0, height: int = 0,
                            width: int = 0) -> float:
    """Max |diff| between the exported file and the reference formulation on a random input
    (``model.size`` square unless a height and width are given)."""
    gen = torch.Generator().manual_seed(seed)
    shape = (1, 3, height or model.size, width or model.size)
    x = torch.rand(*shape, generator=gen) * 2 - 1
    loaded = torch.jit.load(path, map_location="cpu")
    with torch.no_grad():
        reference = model(x)
        if isinstance(reference, tuple):  # ParseNet: (logits, image)
            reference = reference[0]
        return float((loaded(x) - reference).abs().max())


def _report_check(model: torch.nn.Module, path: str, **shape: int) -> None:
    diff = check_against_reference(model, path, **shape)
    print(f"check: max |exported - reference| = {diff:.3g}")
    if diff > 1e-3:
        raise ExportError(f"exported graph differs from the reference by {diff}")


def _gpen_command(args: argparse.Namespace) -> int:
    if args.random == (args.checkpoint is not None):
        raise ExportError("give exactly one of --checkpoint PATH or --random")
    if args.checkpoint:
        sd = load_checkpoint(args.checkpoint)
        found = infer_config(sd)
        config = {"size": args.size or found["size"],
                  "channel_multiplier": args.channel_multiplier or found["channel_multiplier"],
                  "narrow": args.narrow or found["narrow"]}
        for key, value in config.items():
            if abs(float(value) - float(found[key])) > 1e-6:
                raise ExportError(f"--{key.replace('_', '-')} {value} does not match the checkpoint, "
                                  f"whose shapes say {found[key]}")
        model = build_reference(int(config["size"]), int(config["channel_multiplier"]),
                                float(config["narrow"]), state_dict=sd, in_size=found.get("in_size"))
        source = {"checkpoint": os.path.basename(args.checkpoint),
                  "sha256": sha256_of(args.checkpoint), "random_weights": False}
    else:
        size = args.size or 512
        multiplier = args.channel_multiplier or (1 if size <= 256 else 2)
        narrow = args.narrow or (0.5 if size <= 256 else 1.0)
        model = build_reference(size, multiplier, narrow, seed=args.seed)
        source = {"random_weights": True, "seed": args.seed}
    meta = export_model(model, args.output, source, args.task)
    sizes = (f"{meta['in_size']} -> {meta['size']}" if meta["in_size"] != meta["size"]
             else f"{meta['size']}x{meta['size']}")
    print(f"wrote {args.output}: GPEN {sizes} ({args.task}), channel multiplier "
          f"{meta['channel_multiplier']}, narrow {meta['narrow']}"
          + (" (RANDOM WEIGHTS: output is noise)" if source["random_weights"] else ""))
    if args.check:
        _report_check(model if TASKS[args.task] else UnnormalisedIO(model), args.output, height=model.in_size,
                      width=model.in_size)
    return 0


def _retinaface_command(args: argparse.Namespace) -> int:
    if args.random == (args.checkpoint is not None):
        raise ExportError("give exactly one of --checkpoint PATH or --random")
    model = retinaface.RetinaFace(args.backbone)
    if args.checkpoint:
        sd = load_checkpoint(args.checkpoint)
        try:
            model.load_state_dict(sd, strict=True)
        except RuntimeError as e:
            raise ExportError(f"checkpoint does not match RetinaFace {args.backbone}: {e}") from None
        source = {"checkpoint": os.path.basename(args.checkpoint),
                  "sha256": sha256_of(args.checkpoint), "random_weights": False}
    else:
        retinaface.randomize_(model, args.seed)
        source = {"random_weights": True, "seed": args.seed}
    export_retinaface(model, args.output, source)
    print(f"wrote {args.output}: RetinaFace {args.backbone}"
          + (" (RANDOM WEIGHTS: finds nothing useful)" if source["random_weights"] else ""))
    return 0


def _source(args: argparse.Namespace) -> Dict[str, object]:
    if args.checkpoint:
        return {"checkpoint": os.path.basename(args.checkpoint), "sha256": sha256_of(args.checkpoint),
                "random_weights": False}
    return {"random_weights": True, "seed": args.seed}


def _load_strict(model: torch.nn.Module, sd: Dict[str, torch.Tensor], what: str) -> None:
    try:
        model.load_state_dict(sd, strict=True)
    except RuntimeError as e:
        raise ExportError(f"checkpoint does not match {what}: {e}") from None


def _realesrnet_command(args: argparse.Namespace) -> int:
    if args.random == (args.checkpoint is not None):
        raise ExportError("give exactly one of --checkpoint PATH or --random")
    if args.checkpoint:
        sd = load_checkpoint(args.checkpoint)
        config = rrdbnet.infer_config(sd)
        model = rrdbnet.RRDBNet(**config)
        _load_strict(model, sd, f"RRDBNet {config}")
    else:
        config = {"scale": args.scale, "num_feat": args.num_feat, "num_block": args.num_block,
                  "num_grow_ch": args.num_grow_ch}
        model = rrdbnet.randomize_(rrdbnet.RRDBNet(**config), args.seed)
    export_realesrnet(model.eval(), args.output, _source(args))
    print(f"wrote {args.output}: RRDBNet x{model.scale}, {model.num_feat} features, {model.num_block} blocks"
          + (" (RANDOM WEIGHTS: output is noise)" if args.random else ""))
    if args.check:
        _report_check(model, args.output, height=32, width=48)
    return 0


def _parsenet_command(args: argparse.Namespace) -> int:
    if args.random == (args.checkpoint is not None):
        raise ExportError("give exactly one of --checkpoint PATH or --random")
    if args.checkpoint:
        sd = load_checkpoint(args.checkpoint)
        model = parsenet.ParseNet(**parsenet.infer_config(sd))
        _load_strict(model, sd, f"ParseNet {model.config}")
    else:
        # The published layout (ParseNet-latest: 512, 64 base channels, 10 body blocks) unless smaller.
        base, levels = args.base_ch, args.levels
        down = [base] + [min(256, base * 2 ** (i + 1)) for i in range(levels)]
        up = [down[-1]] + [min(256, max(base, base * 2 ** (levels - i - 1))) for i in range(levels)]
        model = parsenet.randomize_(parsenet.ParseNet(base, down, args.body, up), args.seed)
    export_parsenet(model.eval(), args.output, _source(args))
    print(f"wrote {args.output}: ParseNet {model.size}x{model.size}, {model.config['parsing_ch']} classes"
          + (" (RANDOM WEIGHTS: its masks are noise)" if args.random else ""))
    if args.check:
        _report_check(model, args.output)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gpen.export",
                                     description="Export models to TorchScript for gpen.")
    sub = parser.add_subparsers(dest="model", required=True)
    g = sub.add_parser("gpen", help="a GPEN face restoration generator")
    g.add_argument("--checkpoint", help="published .pth checkpoint (e.g. GPEN-BFR-512.pth)")
    g.add_argument("--random", action="store_true", help="random weights (for tests)")
    g.add_argument("--seed", type=int, default=0, help="seed for --random (default 0)")
    g.add_argument("--size", type=int, help="512 for GPEN-BFR-512 (read off the checkpoint if omitted)")
    g.add_argument("--channel-multiplier", type=int, help="2 for GPEN-BFR-512/1024, 1 for 256")
    g.add_argument("--narrow", type=float, help="1 for GPEN-BFR-512/1024, 0.5 for 256")
    g.add_argument("--task", default="enhance", choices=sorted(TASKS),
                   help="what the checkpoint was trained for: enhance (GPEN-BFR-*), colorize (Colorization-1024), "
                        "inpaint (Inpainting-1024), seg2face (Seg2face-512: [0, 1] pixels); recorded in the metadata")
    g.add_argument("--check", action="store_true",
                   help="compare the exported graph with the reference formulation")
    g.add_argument("-o", "--output", required=True, help="output TorchScript file")
    r = sub.add_parser("retinaface", help="a RetinaFace face detector")
    r.add_argument("--checkpoint", help="published .pth (e.g. Resnet50_Final.pth, mobilenet0.25_Final.pth)")
    r.add_argument("--random", action="store_true", help="random weights (for tests)")
    r.add_argument("--seed", type=int, default=0, help="seed for --random (default 0)")
    r.add_argument("--backbone", required=True, choices=sorted(retinaface.CONFIGS),
                   help="resnet50 or mobilenet0.25")
    r.add_argument("-o", "--output", required=True, help="output TorchScript file")
    e = sub.add_parser("realesrnet", help="an RRDBNet background upsampler (Real-ESRNet / Real-ESRGAN)")
    e.add_argument("--checkpoint", help="published .pth (realesrnet_x2.pth, RealESRGAN_x4plus.pth, ...); "
                                        "scale and sizes are read off it")
    e.add_argument("--random", action="store_true", help="random weights (for tests)")
    e.add_argument("--seed", type=int, default=0, help="seed for --random (default 0)")
    e.add_argument("--scale", type=int, default=2, choices=[1, 2, 4], help="with --random (default 2)")
    e.add_argument("--num-feat", type=int, default=32, help="with --random (default 32, as realesrnet_x*)")
    e.add_argument("--num-block", type=int, default=23, help="with --random (default 23)")
    e.add_argument("--num-grow-ch", type=int, default=32, help="with --random (default 32)")
    e.add_argument("--check", action="store_true", help="compare the exported graph with the reference")
    e.add_argument("-o", "--output", required=True, help="output TorchScript file")
    p = sub.add_parser("parsenet", help="a ParseNet face-parsing network (paste-back masks)")
    p.add_argument("--checkpoint", help="published ParseNet-latest.pth")
    p.add_argument("--random", action="store_true", help="random weights (for tests)")
    p.add_argument("--seed", type=int, default=0, help="seed for --random (default 0)")
    p.add_argument("--base-ch", type=int, default=64, help="with --random (default 64, as published)")
    p.add_argument("--levels", type=int, default=4, help="with --random: down/up steps; size = 32 * 2^levels (default 4)")
    p.add_argument("--body", type=int, default=10, help="with --random: residual blocks at 32x32 (default 10)")
    p.add_argument("--check", action="store_true", help="compare the exported graph with the reference")
    p.add_argument("-o", "--output", required=True, help="output TorchScript file")
    args = parser.parse_args(argv)
    commands = {"gpen": _gpen_command, "retinaface": _retinaface_command,
                "realesrnet": _realesrnet_command, "parsenet": _parsenet_command}
    try:
        return commands[args.model](args)
    except (ExportError, ValueError) as e:
        print(f"gpen.export: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
