"""Runs every code block of the README and docs/ (sh, python, cpp, c), so that none can rot.

Each block runs alone in a fresh folder that holds what the docs talk about: `build/` (this
build), `python/`, `include/`, photos (family.jpg, photo.jpg, album/, face.png, ...), a model
cache ($GPEN_HOME) where GPEN-BFR-512 and RetinaFace-R50 are the tests' small random-weight
models, `models/GPEN-BFR-512.pt` and a published-format `GPEN-BFR-512.pth`. C++ and C blocks
without a main() are compiled as the body of one. A block preceded by the line
`<!-- not run: REASON -->` is listed as skipped with its reason (a server that runs until
stopped, a benchmark, a GPU). docs/server.md is run by server.docs against a live server.

    run_doc_blocks.py SOURCE_DIR BUILD_DIR TEST_MODELS SHARED_DIR WORK_DIR
"""

import os
import re
import shutil
import subprocess
import sys

LANGS = {"sh", "bash", "python", "cpp", "c"}
SKIP_FILES = {"docs/server.md"}  # run by tests/server/run_docs_examples.sh (server.docs)
TIMEOUT = 600


def blocks(path):
    """(line, language, code, skip_reason) of each fenced block."""
    lines = open(path).read().split("\n")
    out, i = [], 0
    while i < len(lines):
        m = re.match(r"^```(\w+)\s*$", lines[i])
        if not m:
            i += 1
            continue
        start, lang = i, m.group(1)
        j = i + 1
        while j < len(lines) and not lines[j].startswith("```"):
            j += 1
        code = "\n".join(lines[i + 1:j]) + "\n"
        prev = next((lines[k] for k in range(start - 1, -1, -1) if lines[k].strip()), "")
        skip = re.match(r"^<!-- not run: (.*) -->$", prev.strip())
        out.append((start + 1, lang, code, skip.group(1) if skip else None))
        i = j + 1
    return out


def make_sandbox(work, source, build, models, shared):
    if os.path.exists(work):
        shutil.rmtree(work)
    os.makedirs(work)
    for name, target in (("build", build), ("python", os.path.join(source, "python")),
                         ("include", os.path.join(source, "include")), ("capi", os.path.join(source, "capi")),
                         ("examples", os.path.join(source, "examples")), ("scripts", os.path.join(source, "scripts")),
                         ("tests", os.path.join(source, "tests"))):
        os.symlink(target, os.path.join(work, name))
    parent_shared = os.path.join(os.path.dirname(work), "shared")  # ../shared, as in a checkout
    if shared and os.path.isdir(shared) and not os.path.lexists(parent_shared):
        os.symlink(shared, parent_shared)
    import cv2
    face = cv2.imread(os.path.join(models, "face-64.png"))
    photo = cv2.resize(face, (192, 192))
    for name in ("family.jpg", "photo.jpg", "more.jpg", "wedding.png", "scan.tif", "old.jpg", "portrait.jpg"):
        cv2.imwrite(os.path.join(work, name), photo)
    cv2.imwrite(os.path.join(work, "face.png"), face)
    os.makedirs(os.path.join(work, "album", "1952"))
    for i in range(2):
        cv2.imwrite(os.path.join(work, "album", f"{i}.jpg"), photo)
        cv2.imwrite(os.path.join(work, "album", "1952", f"{i}.png"), photo)
    os.makedirs(os.path.join(work, "models"))
    os.makedirs(os.path.join(work, "cache", "models"))
    for dst in ("models/GPEN-BFR-512.pt", "models/GPEN-BFR-256.pt", "models/model.pt",
                "cache/models/GPEN-BFR-512.pt", "cache/models/GPEN-BFR-256.pt"):
        shutil.copy(os.path.join(models, "random-64.pt"), os.path.join(work, dst))
    for dst in ("models/retinaface-r50.pt", "cache/models/RetinaFace-R50.pt", "cache/models/RetinaFace-mobilenet0.25.pt"):
        shutil.copy(os.path.join(models, "retinaface-random.pt"), os.path.join(work, dst))
    shutil.copy(os.path.join(models, "legacy-checkpoint.pth"), os.path.join(work, "GPEN-BFR-512.pth"))
    os.makedirs(os.path.join(work, "bin"))
    for tool in ("gpen", "gpen-restore"):
        os.symlink(os.path.join(build, "bin", tool), os.path.join(work, "bin", tool))
    os.symlink("/usr/bin/python3", os.path.join(work, "bin", "python3"))
    os.symlink("/usr/bin/python3", os.path.join(work, "bin", "python"))


def cpp_program(code):
    if "main(" in code:
        return code
    includes = [l for l in code.split("\n") if l.startswith("#include")]
    body = [l for l in code.split("\n") if not l.startswith("#include")]
    return "\n".join(includes + ["int main() {"] + ["  " + l for l in body] +
                     ["  return 0;", "}"]) + "\n"


def run_block(lang, code, work, build, env):
    if lang in ("sh", "bash"):
        return subprocess.run(["bash", "-euo", "pipefail", "-c", code], cwd=work, env=env, capture_output=True,
                              text=True, timeout=TIMEOUT)
    if lang == "python":
        return subprocess.run(["/usr/bin/python3", "-c", code], cwd=work, env=env, capture_output=True, text=True,
                              timeout=TIMEOUT)
    src = os.path.join(work, "block." + ("cpp" if lang == "cpp" else "c"))
    with open(src, "w") as f:
        f.write(cpp_program(code))
    if lang == "cpp":
        cmd = ["g++", "-std=c++17", "-O0", "-Iinclude", src, "-o", "block", f"-L{build}/lib", "-lgpen",
               f"-Wl,-rpath,{build}/lib"]
    else:
        cmd = ["gcc", "-std=c99", "-O0", "-Icapi", src, "-o", "block", f"-L{build}/lib", "-lgpen_c",
               f"-Wl,-rpath,{build}/lib"]
    compiled = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    if compiled.returncode != 0:
        return compiled
    return subprocess.run(["./block"], cwd=work, env=env, capture_output=True, text=True, timeout=TIMEOUT)


def main(argv):
    source, build, models, shared, work = (os.path.abspath(a) for a in argv[1:6])
    files = ["README.md"] + sorted(os.path.join("docs", f) for f in os.listdir(os.path.join(source, "docs"))
                                   if f.endswith(".md"))
    passed = failed = skipped = 0
    for rel in files:
        if rel in SKIP_FILES:
            print(f"SKIPPED {rel}: run by server.docs against a live server")
            continue
        for line, lang, code, reason in blocks(os.path.join(source, rel)):
            if lang not in LANGS:
                continue
            where = f"{rel}:{line} ({lang})"
            if reason:
                print(f"skipped {where}: {reason}")
                skipped += 1
                continue
            sandbox = os.path.join(work, "run", f"{rel.replace('/', '_')}-{line}")
            make_sandbox(sandbox, source, build, models, shared)
            env = dict(os.environ, GPEN_HOME=os.path.join(sandbox, "cache"), PYTHONPATH=os.path.join(build, "python"),
                       PATH=os.path.join(sandbox, "bin") + ":" + os.environ.get("PATH", ""))
            try:
                p = run_block(lang, code, sandbox, build, env)
                ok, output = p.returncode == 0, (p.stdout + p.stderr)
            except subprocess.TimeoutExpired:
                ok, output = False, f"timed out after {TIMEOUT} s"
            if ok:
                passed += 1
                print(f"ok      {where}")
                shutil.rmtree(sandbox, ignore_errors=True)
            else:
                failed += 1
                print(f"FAILED  {where}:\n{code}--- output:\n{output[-3000:]}")
    print(f"doc blocks: {passed} passed, {failed} failed, {skipped} marked not run")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
