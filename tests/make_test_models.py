"""Writes the models the C++ and CLI tests use into one directory (argument 1).

random-64.pt     small random-weight GPEN (size 64, channel multiplier 1, narrow 0.25)
parity-64.pt     ../shared/fixtures/gpen/parity-64/checkpoint.pth exported (if ../shared exists)
no-meta.pt       a TorchScript file without gpen metadata
bad-version.pt   a gpen export whose metadata says format_version 99
checkpoint.pth   a plain torch.save state_dict (a zip, but not TorchScript)
legacy-checkpoint.pth  the same in the legacy pickle format (as the published GPEN .pth files)
truncated.pt     the first half of random-64.pt
not-a-model.pt   a text file
face-64.png      a synthetic 64x64 "face" image for examples
solvay.ppm       the Solvay photograph as binary PPM (RGB), for the C test (if ../shared exists)
retinaface-parity.pt  the RetinaFace MobileNet-0.25 parity fixture exported (if ../shared exists)
retinaface-random.pt  a random-weight RetinaFace MobileNet-0.25
colorize-64.pt   random-64's weights exported for the colorize task
seg2face-parity-64.pt  the parity-64 checkpoint exported for the seg2face task (if ../shared exists)
gpen-sr-32-64.pt ../shared/fixtures/gpen/parity-sr-32-64 (FullGenerator_SR, 32 in, 64 out) exported
sr-x{1,2,4}.pt   ../shared/fixtures/realesrnet/parity-x{1,2,4} exported (if ../shared exists)
sr-random-x2.pt  a small random-weight RRDBNet x2 (16 features, 2 blocks)
sr-tiny-x2.pt    a tiny random-weight RRDBNet x2 (4 features, 1 block): the 27 MP memory test
parsenet-parity.pt  ../shared/fixtures/parsenet/parity exported (if ../shared exists)
bad-sr.pt, bad-parser.pt  an upsampler (x2) and a parser whose metadata is right but which return
                 their input (wrong size / wrong class count)
parsenet-random.pt  a small random-weight ParseNet (128 px, 16 base channels, 2 body blocks)
bad-*.pt         "GPEN" models with valid metadata whose output is wrong (batch, channels,
                 NaN, integers, size, a tuple)
identity-512.pt  a 512 "GPEN" model that returns its input, nudged by +2e-5 so that the
                 reference conversion back to uint8 (which truncates) gives back the input
                 levels exactly (checks paste-back geometry)
"""

import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))

from gpen import export, parsenet, retinaface, rrdbnet  # noqa: E402


class Nudge(torch.nn.Module):
    def forward(self, x):
        return x + 2e-5


# Hostile "GPEN" models (valid metadata, wrong outputs): the library must refuse their output
# with a clear error instead of reading past it.
class FirstFaceOnly(torch.nn.Module):
    def forward(self, x):
        return x[:1]


class OneChannel(torch.nn.Module):
    def forward(self, x):
        return x[:, :1]


class NotANumber(torch.nn.Module):
    def forward(self, x):
        return x * float("nan")


class Integers(torch.nn.Module):
    def forward(self, x):
        return x.long()


class DoubleSize(torch.nn.Module):
    def forward(self, x):
        return torch.nn.functional.interpolate(x, scale_factor=2.0)


class Pair(torch.nn.Module):
    def forward(self, x):
        return (x, x)


BAD_MODELS = {"bad-batch.pt": FirstFaceOnly, "bad-channels.pt": OneChannel, "bad-nan.pt": NotANumber,
              "bad-int.pt": Integers, "bad-size.pt": DoubleSize, "bad-tuple.pt": Pair}


def main(out_dir: str, shared: str) -> None:
    os.makedirs(out_dir, exist_ok=True)
    model = export.build_reference(64, 1, 0.25, seed=1)
    random_path = os.path.join(out_dir, "random-64.pt")
    export.export_model(model, random_path, {"random_weights": True, "seed": 1})
    export.export_model(model, os.path.join(out_dir, "colorize-64.pt"), {"random_weights": True, "seed": 1},
                        task="colorize")

    checkpoint = os.path.join(shared, "fixtures", "gpen", "parity-64", "checkpoint.pth")
    if os.path.isfile(checkpoint):
        sd = export.load_checkpoint(checkpoint)
        ref = export.build_reference(64, 1, 0.25, state_dict=sd)
        export.export_model(ref, os.path.join(out_dir, "parity-64.pt"),
                            {"checkpoint": "parity-64", "random_weights": False})
        export.export_model(ref, os.path.join(out_dir, "seg2face-parity-64.pt"),
                            {"checkpoint": "parity-64", "random_weights": False}, task="seg2face")
    else:
        print(f"note: {checkpoint} not found; parity tests will be skipped")

    rf_checkpoint = os.path.join(shared, "fixtures", "retinaface", "parity-mobilenet0.25", "checkpoint.pth")
    if os.path.isfile(rf_checkpoint):
        rf = retinaface.RetinaFace("mobilenet0.25")
        rf.load_state_dict(export.load_checkpoint(rf_checkpoint), strict=True)
        export.export_retinaface(rf, os.path.join(out_dir, "retinaface-parity.pt"),
                                 {"checkpoint": "parity-mobilenet0.25", "random_weights": False})
    rf = retinaface.randomize_(retinaface.RetinaFace("mobilenet0.25"), 0)
    export.export_retinaface(rf, os.path.join(out_dir, "retinaface-random.pt"), {"random_weights": True})

    sr_gpen = os.path.join(shared, "fixtures", "gpen", "parity-sr-32-64", "checkpoint.pth")
    if os.path.isfile(sr_gpen):
        ref = export.build_reference(64, 1, 0.25, state_dict=export.load_checkpoint(sr_gpen), in_size=32)
        export.export_model(ref, os.path.join(out_dir, "gpen-sr-32-64.pt"),
                            {"checkpoint": "parity-sr-32-64", "random_weights": False})
    for scale in (1, 2, 4):
        sr_checkpoint = os.path.join(shared, "fixtures", "realesrnet", f"parity-x{scale}", "checkpoint.pth")
        if os.path.isfile(sr_checkpoint):
            sd = export.load_checkpoint(sr_checkpoint)
            sr = rrdbnet.RRDBNet(**rrdbnet.infer_config(sd))
            sr.load_state_dict(sd, strict=True)
            export.export_realesrnet(sr.eval(), os.path.join(out_dir, f"sr-x{scale}.pt"),
                                     {"checkpoint": f"parity-x{scale}", "random_weights": False})
    sr = rrdbnet.randomize_(rrdbnet.RRDBNet(2, 16, 2, 8), 0)
    export.export_realesrnet(sr.eval(), os.path.join(out_dir, "sr-random-x2.pt"), {"random_weights": True, "seed": 0})
    tiny = rrdbnet.randomize_(rrdbnet.RRDBNet(2, 4, 1, 4), 0)
    export.export_realesrnet(tiny.eval(), os.path.join(out_dir, "sr-tiny-x2.pt"), {"random_weights": True, "seed": 0})
    parse_checkpoint = os.path.join(shared, "fixtures", "parsenet", "parity", "checkpoint.pth")
    if os.path.isfile(parse_checkpoint):
        sd = export.load_checkpoint(parse_checkpoint)
        net = parsenet.ParseNet(**parsenet.infer_config(sd))
        net.load_state_dict(sd, strict=True)
        export.export_parsenet(net.eval(), os.path.join(out_dir, "parsenet-parity.pt"),
                               {"checkpoint": "parsenet/parity", "random_weights": False})
    net = parsenet.randomize_(parsenet.ParseNet(16, [16, 32, 64], 2, [64, 32, 16]), 0)
    export.export_parsenet(net.eval(), os.path.join(out_dir, "parsenet-random.pt"), {"random_weights": True, "seed": 0})

    torch.jit.save(torch.jit.script(torch.nn.Identity()), os.path.join(out_dir, "bad-sr.pt"),
                   _extra_files={export.META_FILE: json.dumps(export.realesrnet_metadata(sr, {"random_weights": True}))})
    torch.jit.save(torch.jit.script(torch.nn.Identity()), os.path.join(out_dir, "bad-parser.pt"),
                   _extra_files={export.META_FILE: json.dumps(export.parsenet_metadata(net, {"random_weights": True}))})
    torch.jit.save(torch.jit.script(torch.nn.Identity()), os.path.join(out_dir, "no-meta.pt"))

    meta = export.metadata(model, {"random_weights": True})
    meta["format_version"] = 99
    scripted = torch.jit.script(torch.nn.Identity())
    torch.jit.save(scripted, os.path.join(out_dir, "bad-version.pt"),
                   _extra_files={export.META_FILE: json.dumps(meta)})

    identity_meta = export.metadata(export.build_reference(64, 1, 0.25, seed=0), {"random_weights": True})
    identity_meta["size"] = identity_meta["in_size"] = 512
    torch.jit.save(torch.jit.script(Nudge()), os.path.join(out_dir, "identity-512.pt"),
                   _extra_files={export.META_FILE: json.dumps(identity_meta)})

    bad_meta = export.metadata(model, {"random_weights": True})  # a 64 px GPEN's metadata
    for name, cls in BAD_MODELS.items():
        torch.jit.save(torch.jit.script(cls()), os.path.join(out_dir, name),
                       _extra_files={export.META_FILE: json.dumps(bad_meta)})

    torch.save(model.state_dict(), os.path.join(out_dir, "checkpoint.pth"))
    # torch.save's format before PyTorch 1.6 (older published .pth files): a pickle stream.
    torch.save(model.state_dict(), os.path.join(out_dir, "legacy-checkpoint.pth"),
               _use_new_zipfile_serialization=False)
    with open(random_path, "rb") as f:
        data = f.read()
    with open(os.path.join(out_dir, "truncated.pt"), "wb") as f:
        f.write(data[: len(data) // 2])
    with open(os.path.join(out_dir, "not-a-model.pt"), "w") as f:
        f.write("this is not a model\n")
    gen = torch.Generator().manual_seed(0)
    face = (torch.rand(64, 64, 3, generator=gen) * 255).to(torch.uint8).numpy()
    import cv2
    cv2.imwrite(os.path.join(out_dir, "face-64.png"), cv2.GaussianBlur(face, (7, 7), 2))
    photo = os.path.join(shared, "data", "solvay_conference_1927.png")
    if os.path.isfile(photo):
        cv2.imwrite(os.path.join(out_dir, "solvay.ppm"), cv2.imread(photo, cv2.IMREAD_COLOR))
    print(f"test models written to {out_dir}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
