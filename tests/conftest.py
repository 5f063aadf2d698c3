from __future__ import annotations

import shutil
from pathlib import Path

import pytest

VECTORS = Path(__file__).resolve().parent.parent / "vectors"
OPENSSL = shutil.which("openssl")


@pytest.fixture(scope="session")
def vectors() -> Path:
    return VECTORS


requires_openssl = pytest.mark.skipif(OPENSSL is None, reason="the openssl command is not on this machine")
