"""pip install support: `python -m pip install --no-build-isolation .` (Debian's setuptools).

The extension module gpen._gpen is built by CMake (target _gpen) in, by order of preference:
the build directory named by GPEN_CMAKE_BUILD_DIR; the project's own build/ when it already
holds the module for this Python (./scripts/setup.sh made it: the install then takes seconds);
else a fresh build in build/pip (about a minute on 2 cores). The pure-Python package comes
from python/gpen.
"""

import glob
import os
import shutil
import subprocess
import sys
import sysconfig

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))


def existing_build():
    """The project's build/ if it already built the module for this Python, else None."""
    build = os.path.join(ROOT, "build")
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    if os.path.isfile(os.path.join(build, "CMakeCache.txt")) and \
            os.path.isfile(os.path.join(build, "python", "gpen", "_gpen" + suffix)):
        print(f"gpen: reusing the CMake build in {build}", file=sys.stderr)
        return build
    return None


class CMakeExtension(Extension):
    def __init__(self, name: str):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext: Extension) -> None:
        build_dir = os.environ.get("GPEN_CMAKE_BUILD_DIR") or existing_build() or os.path.join(ROOT, "build", "pip")
        if not os.path.isfile(os.path.join(build_dir, "CMakeCache.txt")):
            subprocess.check_call(["cmake", "-S", ROOT, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release",
                                   f"-DPython3_EXECUTABLE={sys.executable}", "-DGPEN_BUILD_TESTS=OFF",
                                   "-DGPEN_BUILD_BENCH=OFF", "-DGPEN_BUILD_EXAMPLES=OFF"])
        subprocess.check_call(["cmake", "--build", build_dir, "--target", "_gpen", "--parallel",
                               str(os.cpu_count() or 2)])
        built = glob.glob(os.path.join(build_dir, "python", "gpen", "_gpen*.so"))
        if not built:
            raise RuntimeError(f"CMake did not produce gpen/_gpen*.so in {build_dir}/python")
        target = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(built[0], target)


setup(
    name="gpen",
    version="0.1.0",
    description="Restore faces in old, blurred and noisy photographs with GPEN",
    packages=["gpen"],
    package_dir={"": "python"},
    package_data={"gpen": ["*.pyi", "py.typed", "catalogue.json"]},
    ext_modules=[CMakeExtension("gpen._gpen")],
    cmdclass={"build_ext": CMakeBuild},
    entry_points={"console_scripts": ["gpen=gpen.__main__:main"]},  # gpen-restore's flags, in Python
    python_requires=">=3.9",
    install_requires=[],  # numpy and (for gpen.export) torch come from the system: Debian's packages
    zip_safe=False,
)
