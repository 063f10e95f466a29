"""Real programs the tests need."""

from __future__ import annotations

import shutil

import pytest

from tests.support.paths import IN_CI


def require_binary(name: str) -> str:
    """The path of a real program a test needs; missing is a failure in CI, a skip elsewhere."""
    found = shutil.which(name)
    if found is None:
        message = f"{name} is not installed (make test installs it: scripts/test-deps.sh)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return found
