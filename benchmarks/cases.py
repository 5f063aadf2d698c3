"""Benchmark cases shared by the pytest-benchmark files and ``report.py``.

Each ``case_*`` function builds its inputs, measures the ratio and returns it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import cryptokit as ck
from cryptokit.hashing import hash_batch

from .ratio import Ratio, measure

MiB = 1024 * 1024


def make_file(size: int, directory: Path | None = None) -> Path:
    d = directory or Path(tempfile.mkdtemp(prefix="ck-bench-"))
    path = d / f"doc-{size}.bin"
    if not path.exists() or path.stat().st_size != size:
        with open(path, "wb") as f:
            block = os.urandom(MiB)
            for _ in range(size // MiB):
                f.write(block)
            f.write(block[: size % MiB])
    return path


def bare_file_sha256(path: Path) -> bytes:
    """The loop a careful user writes by hand."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(MiB):
            h.update(chunk)
    return h.digest()


def case_hash_large_file(size: int = 256 * MiB, quick: bool = False) -> Ratio:
    path = make_file(32 * MiB if quick else size)
    try:
        return measure(
            f"hash_to_sign sha256, {path.stat().st_size // MiB} MiB file (ops = MiB)",
            lambda: bare_file_sha256(path),
            lambda: ck.hash_to_sign(path, "sha256"),
            ops=path.stat().st_size // MiB,
            target=0.95,
            repeat=3 if quick else 5,
        )
    finally:
        path.unlink()


def case_hash_small_documents(count: int = 10_000, quick: bool = False) -> Ratio:
    docs = [os.urandom(1024) for _ in range(1_000 if quick else count)]

    def bare() -> None:
        for d in docs:
            hashlib.sha256(d).digest()

    return measure(
        f"hash_batch sha256, {len(docs):,} x 1 KiB",
        bare,
        lambda: hash_batch(docs, "sha256"),
        ops=len(docs),
        target=0.8,
        repeat=5 if quick else 9,
    )


CASES: dict[str, Callable[..., Ratio]] = {
    "hash-large-file": case_hash_large_file,
    "hash-small-documents": case_hash_small_documents,
}
