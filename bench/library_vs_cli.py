"""The library as fast as the CLI: the README's Python snippet vs gpen-restore on the same photo
and model, on a quiet machine and with other work on the cores (busy-loop processes).

    /usr/bin/python3 bench/library_vs_cli.py [--model M.pt] [--photo P] [--busy 4]

`python (torch first)` imports torch before gpen, so libgpen's OpenMP runtime is already loaded
and keeps its default (spinning) wait policy: what every Python caller got before `import gpen`
set a passive one."""

import argparse
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SNIPPET = """
import sys{pre}
import gpen
restorer = gpen.Restorer(sys.argv[1])
result = restorer.restore(gpen.read_image(sys.argv[2]))
gpen.write_image(sys.argv[3], result.image)
"""


def timed(cmd, env):
    start = time.monotonic()
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    return time.monotonic() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "random-256.pt"))
    ap.add_argument("--photo", default=os.path.join(ROOT, "..", "shared", "data", "solvay_conference_1927.png"))
    ap.add_argument("--busy", type=int, default=4, help="busy-loop processes for the loaded runs")
    ap.add_argument("--out", default="/tmp/gpen-library-vs-cli")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    env["PYTHONPATH"] = os.path.join(ROOT, "build", "python")
    variants = {
        "gpen-restore (CLI)": [os.path.join(ROOT, "build", "bin", "gpen-restore"), "-q", "--model", args.model,
                               "-o", args.out, args.photo],
        "python (import gpen)": [sys.executable, "-c", SNIPPET.format(pre=""), args.model, args.photo,
                                 os.path.join(args.out, "py.png")],
        "python (torch first)": [sys.executable, "-c", SNIPPET.format(pre="\nimport torch"), args.model, args.photo,
                                 os.path.join(args.out, "py-torch.png")],
    }
    for name, cmd in variants.items():
        timed(cmd, env)  # warm the page cache
    print(f"| variant | quiet (s) | {args.busy} busy processes (s) |\n|---|---|---|")
    rows = {}
    for name, cmd in variants.items():
        rows[name] = [timed(cmd, env)]
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.busy)]
    try:
        time.sleep(1)
        for name, cmd in variants.items():
            rows[name].append(timed(cmd, env))
    finally:
        for p in busy:
            p.kill()
    for name, (quiet, loaded) in rows.items():
        print(f"| {name} | {quiet:.2f} | {loaded:.2f} |")


if __name__ == "__main__":
    main()
