"""Packs what building gpen needs beyond LibTorch, from this Debian machine, into one archive for a
GPU machine that has PyTorch but no OpenCV C++, dlib, Eigen or doctest (bench/gpu/check.sh part 2).

    bench/gpu/make-bundle.sh [-o .gpu-bundle/gpen-gpu-deps.tar.xz]

What goes in (prefix layout: lib/, include/, lib/cmake/, share/eigen3/cmake/):
  - the shared libraries of OpenCV core/imgproc/imgcodecs and dlib, with every library they need
    except the C/C++ runtime (glibc, libstdc++, libgcc_s), which every Linux machine has;
  - STUBS instead of the libraries that only formats gpen never reads pull in (GDAL, GDCM,
    OpenEXR, and GLX for OpenCV's OpenGL interop): a stub has the real soname and defines exactly
    the symbols the kept libraries import from it (functions do nothing and return 0, since
    OpenCV constructs its decoders, EXR's included, whatever it reads; objects are
    zero-filled of the real size), so the loader is satisfied and nothing of GDAL's
    ~100-library closure travels;
  - headers: opencv2 core/imgproc/imgcodecs, dlib, Eigen, doctest;
  - small CMake package files (OpenCVConfig.cmake, dlibConfig.cmake, Eigen3's own) pointing into
    the prefix, so `cmake -DCMAKE_PREFIX_PATH=PREFIX` finds them.
Prints the sizes; the archive must fit the device tool's 64 MiB together with the repository.
"""

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

LIBDIR = "/usr/lib/x86_64-linux-gnu"
ROOTS = ["libopencv_core.so.406", "libopencv_imgproc.so.406", "libopencv_imgcodecs.so.406",
         "libopencv_photo.so.406", "libdlib.so.19.1"]
# The C/C++ runtime: present on every machine, and the GPU machine's is newer (backward compatible).
SYSTEM = {"libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "libpthread.so.0", "libdl.so.2",
          "librt.so.1", "ld-linux-x86-64.so.2"}
# Pulled in only for formats and features gpen does not use: replaced by stubs.
STUB = re.compile(r"^lib(gdal|gdcm|OpenEXR|Iex|IlmThread|Imath|GLX)")


def sh(*cmd) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def ldconfig_paths() -> dict:
    paths = {}
    for line in sh("/sbin/ldconfig", "-p").splitlines():
        m = re.match(r"\s+(\S+) \(libc6,x86-64[^)]*\) => (\S+)", line)
        if m and m.group(1) not in paths:
            paths[m.group(1)] = m.group(2)
    return paths


def needed(path: str) -> list:
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", sh("readelf", "-d", "-W", path))


def dyn_symbols(path: str):
    """(name, version or '', defined?, type, size) of each dynamic symbol."""
    for line in sh("readelf", "--dyn-syms", "-W", path).splitlines():
        f = line.split()
        if len(f) < 8 or not f[0].endswith(":") or not f[0][:-1].isdigit():
            continue
        size = int(f[2], 0) if f[2].startswith("0x") else int(f[2])
        name = f[7]
        version = ""
        if "@" in name:
            name, version = name.split("@", 1)
            version = version.lstrip("@")
        version = version.split(" ")[0]
        yield name, version, f[6] != "UND", f[3], size


def closure(paths: dict):
    keep, stubs, queue = {}, {}, list(ROOTS)
    while queue:
        soname = queue.pop()
        if soname in keep:
            continue
        path = paths.get(soname) or os.path.join(LIBDIR, soname)
        if not os.path.exists(path):
            raise SystemExit(f"make_bundle: {soname} not found (is libopencv-dev / libdlib-dev installed?)")
        keep[soname] = path
        for dep in needed(path):
            if dep in SYSTEM or dep in keep:
                continue
            if STUB.match(dep):
                stubs[dep] = paths[dep]
            else:
                queue.append(dep)
    return keep, stubs


def make_stub(soname: str, real: str, keep: dict, out_dir: str, work: str) -> int:
    wanted = {}
    for path in keep.values():
        for name, version, defined, _, _ in dyn_symbols(path):
            if not defined:
                wanted.setdefault(name, set()).add(version)
    asm, versions = [], {}
    for name, version, defined, kind, size in dyn_symbols(real):
        if not defined or name not in wanted:
            continue
        if kind == "FUNC" or kind == "IFUNC":
            asm += [".text", f".globl {name}", f".type {name},@function", f"{name}:", "xor %eax, %eax", "ret"]
        elif kind == "OBJECT":
            asm += [".data", f".globl {name}", f".type {name},@object", f".size {name},{max(size, 1)}",
                    f"{name}:", f".zero {max(size, 1)}"]
        else:
            continue
        versions.setdefault(version, []).append(name)
        wanted.pop(name)
    src = os.path.join(work, soname + ".S")
    with open(src, "w") as f:
        f.write("\n".join(asm) + "\n")
    cmd = ["gcc", "-shared", "-nostdlib", "-o", os.path.join(out_dir, soname), f"-Wl,-soname,{soname}", src]
    if any(versions):
        script = os.path.join(work, soname + ".map")
        with open(script, "w") as f:
            for version, names in versions.items():
                body = " ".join(n + ";" for n in names)
                f.write(f"{version or 'STUB'} {{ global: {body} }};\n")
        cmd.append(f"-Wl,--version-script={script}")
    sh(*cmd)
    return sum(len(v) for v in versions.values())


OPENCV_CONFIG = """# Written by bench/gpu/make_bundle.py: OpenCV core/imgproc/imgcodecs/photo from the bundle.
get_filename_component(_gpen_bundle "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
set(OpenCV_INCLUDE_DIRS "${_gpen_bundle}/include/opencv4")
set(OpenCV_LIBS opencv_core opencv_imgproc opencv_imgcodecs opencv_photo)
foreach(_m core imgproc imgcodecs photo)
  if(NOT TARGET opencv_${_m})
    add_library(opencv_${_m} SHARED IMPORTED)
    set_target_properties(opencv_${_m} PROPERTIES
      IMPORTED_LOCATION "${_gpen_bundle}/lib/libopencv_${_m}.so.406"
      INTERFACE_INCLUDE_DIRECTORIES "${OpenCV_INCLUDE_DIRS}")
  endif()
endforeach()
set(OpenCV_VERSION 4.6.0)
set(OpenCV_FOUND TRUE)
"""

DLIB_CONFIG = """# Written by bench/gpu/make_bundle.py: dlib from the bundle.
get_filename_component(_gpen_bundle "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
if(NOT TARGET dlib::dlib)
  add_library(dlib::dlib SHARED IMPORTED)
  set_target_properties(dlib::dlib PROPERTIES
    IMPORTED_LOCATION "${_gpen_bundle}/lib/libdlib.so.19.1"
    INTERFACE_INCLUDE_DIRECTORIES "${_gpen_bundle}/include")
endif()
set(dlib_FOUND TRUE)
"""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("-o", "--output", default=".gpu-bundle/gpen-gpu-deps.tar.xz")
    args = ap.parse_args()
    paths = ldconfig_paths()
    keep, stubs = closure(paths)
    with tempfile.TemporaryDirectory() as work:
        prefix = os.path.join(work, "prefix")
        lib = os.path.join(prefix, "lib")
        os.makedirs(lib)
        for soname, path in sorted(keep.items()):
            shutil.copy2(os.path.realpath(path), os.path.join(lib, soname))
        stubbed = {s: make_stub(s, os.path.realpath(p), keep, lib, work) for s, p in sorted(stubs.items())}
        inc = os.path.join(prefix, "include")
        cv = os.path.join(inc, "opencv4", "opencv2")
        os.makedirs(cv)
        for name in ("core", "imgproc", "imgcodecs", "photo"):
            shutil.copytree(f"/usr/include/opencv4/opencv2/{name}", os.path.join(cv, name))
        for f in glob.glob("/usr/include/opencv4/opencv2/*.h*"):
            shutil.copy2(f, cv)
        shutil.copytree("/usr/include/dlib", os.path.join(inc, "dlib"))
        shutil.copytree("/usr/include/eigen3", os.path.join(inc, "eigen3"))
        shutil.copytree("/usr/include/doctest", os.path.join(inc, "doctest"))
        shutil.copytree("/usr/include/nlohmann", os.path.join(inc, "nlohmann"))  # the model catalogue
        shutil.copytree("/usr/share/cmake/nlohmann_json", os.path.join(prefix, "share", "cmake", "nlohmann_json"))
        os.makedirs(os.path.join(lib, "cmake", "opencv4"))
        with open(os.path.join(lib, "cmake", "opencv4", "OpenCVConfig.cmake"), "w") as f:
            f.write(OPENCV_CONFIG)
        os.makedirs(os.path.join(lib, "cmake", "dlib"))
        with open(os.path.join(lib, "cmake", "dlib", "dlibConfig.cmake"), "w") as f:
            f.write(DLIB_CONFIG)
        shutil.copytree("/usr/share/eigen3/cmake", os.path.join(prefix, "share", "eigen3", "cmake"))
        raw = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(prefix) for f in fs)
        os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
        with tarfile.open(args.output, "w:xz", preset=9) as tar:
            tar.add(prefix, arcname="gpen-gpu-deps")
    libs_mb = sum(os.path.getsize(p) for p in keep.values()) / 2**20
    print(f"make_bundle: {len(keep)} libraries kept ({libs_mb:.1f} MiB), {len(stubs)} stubbed: "
          + ", ".join(f"{s} ({n} symbols)" for s, n in stubbed.items()))
    print(f"make_bundle: kept: {' '.join(sorted(keep))}")
    print(f"make_bundle: {raw / 2**20:.1f} MiB unpacked, {os.path.getsize(args.output) / 2**20:.1f} MiB "
          f"as {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
