"""The layer order of src/ (docs/architecture.md): each concept folder may include only the
public headers (gpen/...), its own folder and the folders below it. Also: no source file at the
root of src/. Prints each violation; exit 1 if any.

    check_layers.py SRC_DIR
"""

import os
import re
import sys

# Bottom to top. A folder may include the folders listed for it (and itself).
ALLOWED = {
    "core": [],
    "catalogue": ["core"],  # the model catalogue, the cache, name resolution
    "imaging": ["core"],
    "io": ["core", "imaging"],
    "device": ["core", "imaging"],
    "model": ["core", "catalogue", "imaging", "device"],
    "detect": ["core", "catalogue", "imaging", "device", "model"],
    "photo": ["core", "catalogue", "imaging", "device", "model", "detect"],
    "restorer": ["core", "catalogue", "imaging", "io", "device", "model", "detect", "photo"],
    "batch": ["core", "catalogue", "imaging", "io", "device", "model", "detect", "photo", "restorer"],
    "video": ["core", "io", "batch", "restorer", "photo", "device", "model"],  # FFmpeg's libraries, io's atomic temporaries, batch's queue and face batches over the restorer's phases
    "json": [],  # front ends' shared JSON vocabulary: the public API only
    "app": [],  # front ends' process set-up (OpenMP policy): the public API only
    "cli": ["json", "app"],  # a front end: the public API only
    "server": ["json", "app"],  # a front end: the public API only
}


def main(src: str) -> int:
    problems = []
    for name in sorted(os.listdir(src)):
        path = os.path.join(src, name)
        if os.path.isfile(path):
            problems.append(f"{name}: source file at the root of src/ (put it in a concept folder)")
        elif name not in ALLOWED:
            problems.append(f"{name}/: folder not in the layer table (tests/architecture/check_layers.py)")
    for folder, allowed in ALLOWED.items():
        directory = os.path.join(src, folder)
        if not os.path.isdir(directory):
            continue
        for f in sorted(os.listdir(directory)):
            if not f.endswith((".cpp", ".hpp", ".h")):
                continue  # e.g. server/ui/: the web UI's files
            with open(os.path.join(directory, f)) as fh:
                for number, line in enumerate(fh, 1):
                    m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
                    if not m:
                        continue
                    target = m.group(1)
                    top = target.split("/")[0] if "/" in target else folder
                    if top == "gpen" or top == folder or top in allowed:
                        continue
                    problems.append(f"src/{folder}/{f}:{number}: includes {target}: {folder}/ may use "
                                    f"{', '.join(['gpen', folder] + allowed)}")
    for p in problems:
        print(p)
    print(f"check_layers: {len(problems)} problem(s) in {src}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
