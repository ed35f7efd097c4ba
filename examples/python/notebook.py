# %% [markdown]
# # Restoring a family album with gpen (notebook-style; each `# %%` is a cell)
# Run as a script too: `python examples/python/notebook.py [MODEL.pt] PHOTO OUTDIR`.
# Without a model, faces go through the classic (model-free) path.

# %%
import os
import sys

import numpy as np

import gpen

args = sys.argv[1:]
model = args.pop(0) if len(args) == 3 else None
photo_path, out_dir = args
os.makedirs(out_dir, exist_ok=True)

# %% Load once, restore many (thread-safe).
restorer = gpen.Restorer(model)  # gpen.Restorer("models/GPEN-BFR-512.pt", device="cpu")
print(restorer, restorer.model_info["size"], "px")

# %% One photo: numpy in (BGR, like OpenCV), numpy out.
photo = gpen.read_image(photo_path)
result = restorer.restore(photo, preset="old-photo", strength=90)
print(f"{len(result.faces)} faces; output {result.image.shape}")
for face in result.faces[:3]:
    x, y, w, h = face.box
    print(f"  face at ({x:.0f}, {y:.0f}) {w:.0f}x{h:.0f}, score {face.score:.2f}")
gpen.write_image(os.path.join(out_dir, "restored.png"), result.image)

# %% Side by side, the way a notebook would show it (e.g. with matplotlib's imshow).
before_after = np.hstack([photo[..., :3], result.image[..., :3]])
gpen.write_image(os.path.join(out_dir, "before-after.png"), before_after)

# %% Aligned crops and their restorations are in the result.
if result.faces:
    gpen.write_image(os.path.join(out_dir, "face0-aligned.png"), result.faces[0].crop)
    gpen.write_image(os.path.join(out_dir, "face0-restored.png"), result.faces[0].restored)

# %% A whole folder with progress (the batch engine: decoding, restoring and encoding overlap).
report = gpen.restore_files([photo_path], os.path.join(out_dir, "batch"), restorer=restorer,
                            progress=lambda p: print(f"{p['done']}/{p['total']} {p['file']}"))
print(f"restored {report['restored']}, failed {report['failed']}, "
      f"compute busy {100 * report['compute_busy_fraction']:.0f}%")
