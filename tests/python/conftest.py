import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# After PYTHONPATH: ctest points it at build/python (sources + extension); the source tree is
# the fallback for the model tools.
sys.path.append(os.path.join(ROOT, "python"))


def shared_dir() -> str:
    return os.environ.get("GPEN_SHARED") or os.path.join(ROOT, "..", "shared")


@pytest.fixture
def shared():
    path = shared_dir()
    if not os.path.isdir(os.path.join(path, "fixtures")):
        pytest.skip(f"{path} not found: the shared fixtures are needed for this test")
    return path
