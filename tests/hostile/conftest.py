"""What the hostile suites share: the programs and test models under test (from ctest's
environment) and skipping, with the reason, when one is missing."""

import os

import pytest

CLI = os.environ.get("GPEN_RESTORE", "")
MODELS = os.environ.get("GPEN_TEST_MODELS", "")


def need(path, what):
    if not path or not os.path.exists(path):
        pytest.skip(f"SKIPPED: {what} not found ({path!r})")
    return path
