"""gpen-restore's progress output: library warnings (libpng's, printed by the decoder straight to
stderr) never break the progress bar on a terminal, go to the JSON report, and -q hides them.

    test_progress.py GPEN_RESTORE WORK_DIR"""

import json
import os
import pty
import struct
import subprocess
import sys

import cv2
import numpy as np


def png_with_bad_text_crc(path, seed):
    """A valid PNG plus a tEXt chunk with a wrong CRC: libpng warns "tEXt: CRC error"."""
    img = (np.random.default_rng(seed).random((96, 96, 3)) * 255).astype(np.uint8)
    data = bytes(cv2.imencode(".png", img)[1])
    text = b"Comment\x00hello"
    chunk = struct.pack(">I", len(text)) + b"tEXt" + text + struct.pack(">I", 12345)
    with open(path, "wb") as f:
        f.write(data[:33] + chunk + data[33:])  # after the signature and IHDR


def run_on_terminal(cmd):
    master, slave = pty.openpty()
    p = subprocess.Popen(cmd, stdout=slave, stderr=slave)
    os.close(slave)
    out = b""
    while True:
        try:
            block = os.read(master, 4096)
        except OSError:
            break
        if not block:
            break
        out += block
    p.wait()
    return p.returncode, out.decode(errors="replace")


def main(restore, work):
    os.makedirs(work, exist_ok=True)
    inputs = []
    for i in range(6):
        inputs.append(os.path.join(work, f"warn{i}.png"))
        png_with_bad_text_crc(inputs[-1], i)
    failures = []

    rc, out = run_on_terminal([restore, "-o", os.path.join(work, "tty"), "--json", os.path.join(work, "tty.json"),
                               *inputs])
    lines = out.replace("\r\n", "\n").split("\n")
    warnings = [l for l in lines if "libpng warning" in l]
    if rc != 0 or len(warnings) != 6:
        failures.append(f"terminal run: rc {rc}, {len(warnings)} warnings (6 expected):\n{out}")
    for line in warnings:
        # what the terminal shows: the text after the last carriage return; the bar before it is
        # erased ("\r\033[K") so the warning gets a line of its own, and the bar is redrawn below
        visible = line.split("\r")[-1].replace("\x1b[K", "")
        if visible != "libpng warning: tEXt: CRC error" or ("[" in line and "\x1b[K" not in line):
            failures.append(f"a warning shares its line with the bar: {line!r}")
    if "6/6" not in out:
        failures.append(f"no finished bar on the terminal:\n{out}")
    report = json.load(open(os.path.join(work, "tty.json")))
    if report["library_messages"] != ["libpng warning: tEXt: CRC error"] * 6:
        failures.append(f"report library_messages: {report['library_messages']}")

    q = subprocess.run([restore, "-q", "-o", os.path.join(work, "quiet"), "--json", os.path.join(work, "q.json"),
                        *inputs], capture_output=True, text=True)
    if q.returncode != 0 or q.stderr or q.stdout:
        failures.append(f"-q printed something (rc {q.returncode}): {q.stdout!r} {q.stderr!r}")
    if len(json.load(open(os.path.join(work, "q.json")))["library_messages"]) != 6:
        failures.append("-q: the warnings are missing from the report")

    plain = subprocess.run([restore, "-o", os.path.join(work, "plain"), *inputs], capture_output=True, text=True)
    per_file = [l for l in plain.stderr.splitlines() if l.startswith("[") and "restored:" in l]
    if len(per_file) != 6 or "\r" in plain.stderr:
        failures.append(f"not a terminal: one line per file expected:\n{plain.stderr}")

    for f in failures:
        print("FAILED:", f)
    print(f"progress output: {len(failures)} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
