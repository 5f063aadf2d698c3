"""Benchmark cases shared by the pytest-benchmark files and ``report.py``.

Each ``case_*`` function builds its inputs, measures the ratio and returns it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pybase64

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


def case_hash_small_documents_read(count: int = 10_000, quick: bool = False) -> list[Ratio]:
    """What reading the results costs: by column (base64 of every digest) and entry by entry.

    ``hash_batch`` keeps raw digests and builds a ``HashToSign`` when an entry is read; these rows
    show both ways of reading beside the bare loop doing the same work, so the saving of the row
    above is not hidden cost moved elsewhere. The entry-by-entry row has no target: it is the price
    of one Python object per document, which a bare loop does not pay.
    """
    docs = [os.urandom(1024) for _ in range(1_000 if quick else count)]
    repeat = 5 if quick else 9

    def bare_b64() -> None:
        for d in docs:
            pybase64.b64encode_as_string(hashlib.sha256(d).digest())

    def bare_read() -> None:
        for d in docs:
            hashlib.sha256(d).digest()

    def ours_read() -> None:
        for r in hash_batch(docs, "sha256"):
            _ = r.digest

    return [
        measure(
            f"hash_batch sha256, {len(docs):,} x 1 KiB, then .b64() of every digest (vs hashlib + pybase64)",
            bare_b64,
            lambda: hash_batch(docs, "sha256").b64(),
            ops=len(docs),
            target=0.8,
            repeat=repeat,
        ),
        measure(
            f"hash_batch sha256, {len(docs):,} x 1 KiB, then every entry read as a HashToSign (informational)",
            bare_read,
            ours_read,
            ops=len(docs),
            target=0.0,
            repeat=repeat,
        ),
    ]


CASES: dict[str, Callable[..., Ratio | list[Ratio]]] = {
    "hash-large-file": case_hash_large_file,
    "hash-small-documents": case_hash_small_documents,
    "hash-small-documents-read": case_hash_small_documents_read,
}
