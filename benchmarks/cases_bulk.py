"""Bulk engines against the bare primitive loop, on one worker and on several (``python -m benchmarks.report``).

Hashing: 4 files of 64 MiB (256 MiB) and 10,000 x 1 KiB documents against a bare ``hashlib`` loop.
Verifying: 20,000 RSA-2048 PKCS#1 v1.5, 10,000 P-256 and 10,000 Ed25519 signatures against a bare
``cryptography`` loop (padding and algorithm objects built once, as a careful user would). The
multi-worker rows count the pool: ``workers=2`` starts and stops a process pool inside the timed
call, ``executor=`` reuses one started beforehand. ``openssl speed`` rows (target 0: informative)
give cryptokit's one-worker rate as a fraction of OpenSSL's own loop, the physical limit.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from cryptokit.bulk import VerifyJob, hash_many, verify_many

from .cases import bare_file_sha256
from .openssl_speed import openssl_speed
from .ratio import Ratio, cpu_count, measure, measure_parallel

MiB = 1024 * 1024
_SHA256 = Prehashed(hashes.SHA256())
_PKCS1 = padding.PKCS1v15()
_ECDSA = ec.ECDSA(_SHA256)


def make_files(count: int, size: int) -> list[Path]:
    """``count`` files of ``size`` random bytes in a fresh temporary directory."""
    directory = Path(tempfile.mkdtemp(prefix="ck-bulk-"))
    paths = []
    for i in range(count):
        path = directory / f"doc-{i}.bin"
        with open(path, "wb") as f:
            for _ in range(size // MiB):
                f.write(os.urandom(MiB))
            f.write(os.urandom(size % MiB))
        paths.append(path)
    return paths


def _digest(i: int) -> bytes:
    return hashlib.sha256(i.to_bytes(8, "big")).digest()


def rsa_jobs(count: int, distinct: int = 500) -> tuple[Any, list[VerifyJob]]:
    """``count`` RSA-2048 PKCS#1 v1.5 jobs over ``distinct`` signatures (signing 20,000 would take seconds)."""
    key = rsa.generate_private_key(65537, 2048)
    pairs = [(_digest(i), key.sign(_digest(i), _PKCS1, _SHA256)) for i in range(min(count, distinct))]
    pub = key.public_key()
    jobs = []
    for i in range(count):
        digest, sig = pairs[i % len(pairs)]
        jobs.append(VerifyJob(pub, bytes(bytearray(sig)), digest=bytes(bytearray(digest)), algorithm="sha256"))
    return pub, jobs


def p256_jobs(count: int) -> tuple[Any, list[VerifyJob]]:
    key = ec.generate_private_key(ec.SECP256R1())
    pub = key.public_key()
    jobs = [VerifyJob(pub, key.sign(_digest(i), _ECDSA), digest=_digest(i), algorithm="sha256") for i in range(count)]
    return pub, jobs


def ed25519_jobs(count: int) -> tuple[Any, list[VerifyJob]]:
    key = ed25519.Ed25519PrivateKey.generate()
    pub = key.public_key()
    messages = [b"document %d" % i for i in range(count)]
    return pub, [VerifyJob(pub, key.sign(m), message=m) for m in messages]


def bare_verify(kind: str, pub: Any, jobs: list[VerifyJob]) -> Callable[[], None]:
    """The loop a careful user writes with cryptography directly."""
    verify = pub.verify
    pairs = [(j.signature, j.digest if j.digest is not None else j.message) for j in jobs]

    def rsa_loop() -> None:
        for sig, digest in pairs:
            verify(sig, digest, _PKCS1, _SHA256)

    def ec_loop() -> None:
        for sig, digest in pairs:
            verify(sig, digest, _ECDSA)

    def ed_loop() -> None:
        for sig, message in pairs:
            verify(sig, message)

    return {"rsa": rsa_loop, "p256": ec_loop, "ed25519": ed_loop}[kind]


# The two halves of the current case's bare loop, for the ceiling row: set before the fork pool starts.
_HALVES: list[Callable[[], None]] = []


def _run_half(index: int) -> None:
    _HALVES[index]()


def _fork_halves() -> None:
    """Both halves at once in two processes started for this run (fork where there is fork)."""
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
    processes = [context.Process(target=_run_half, args=(i,)) for i in (0, 1)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise AssertionError("a ceiling process failed")


def _ceiling_pool() -> ProcessPoolExecutor:
    if sys.platform == "linux":
        return ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork"))
    return ProcessPoolExecutor(2)


def _checked(results: Sequence[Any]) -> None:
    if not all(r.ok for r in results):
        raise AssertionError("a benchmark signature did not verify")


def _verify_case(kind: str, label: str, count: int, quick: bool) -> list[Ratio]:
    maker = {"rsa": rsa_jobs, "p256": p256_jobs, "ed25519": ed25519_jobs}[kind]
    pub, jobs = maker(count)
    bare = bare_verify(kind, pub, jobs)
    repeat = 3 if quick else 5
    _checked(verify_many(jobs, workers=1))
    rows = [
        measure(
            f"verify_many {label}, {count:,} (workers=1)",
            bare,
            lambda: verify_many(jobs, workers=1),
            ops=count,
            target=0.9,
            repeat=repeat,
        )
    ]
    if cpu_count() >= 2:
        # The machine's own 2-core limit: the bare loop split in two halves run at once in two
        # processes (no chunking, no pickling). Informative (target 0): what 2 workers can reach.
        # Against a pool made per call, the ceiling forks its two processes per run too; against a
        # reused executor, it uses a pool started beforehand. The per-call rows run first, while this
        # process has no other thread (a live pool's threads would make verify_many avoid fork).
        half = len(jobs) // 2
        _HALVES[:] = [bare_verify(kind, pub, jobs[:half]), bare_verify(kind, pub, jobs[half:])]
        _checked(verify_many(jobs, workers=2))
        rows += measure_parallel(
            bare,
            _fork_halves,
            {f"verify_many {label}, {count:,} (workers=2, pool per call)": lambda: verify_many(jobs, workers=2)},
            ceiling_name=f"ceiling: bare {label} loop, two halves in 2 processes forked per run",
            ops=count,
            target=1.7,
            of_ceiling=0.0,
            repeat=repeat,
        )
        with _ceiling_pool() as ceiling, ProcessPoolExecutor(2) as pool:
            _checked(verify_many(jobs, executor=pool, workers=2))
            rows += measure_parallel(
                bare,
                lambda: list(ceiling.map(_run_half, [0, 1])),
                {
                    f"verify_many {label}, {count:,} (executor=ProcessPoolExecutor(2), reused)": lambda: verify_many(
                        jobs, executor=pool, workers=2
                    ),
                },
                ceiling_name=f"ceiling: bare {label} loop, two halves in a 2-process pool started beforehand",
                ops=count,
                target=1.7,
                of_ceiling=0.0,
                repeat=repeat,
            )
    return rows


def case_bulk_verify_rsa(quick: bool = False) -> list[Ratio]:
    return _verify_case("rsa", "RSA-2048 PKCS#1 v1.5", 2_000 if quick else 20_000, quick)


def case_bulk_verify_p256(quick: bool = False) -> list[Ratio]:
    return _verify_case("p256", "ECDSA P-256", 1_000 if quick else 10_000, quick)


def case_bulk_verify_ed25519(quick: bool = False) -> list[Ratio]:
    return _verify_case("ed25519", "Ed25519", 1_000 if quick else 10_000, quick)


def case_bulk_hash_large_files(quick: bool = False) -> list[Ratio]:
    size = (8 if quick else 64) * MiB
    paths = make_files(4, size)
    total_mib = 4 * size // MiB
    cores = cpu_count()
    repeat = 3 if quick else 5

    def bare() -> None:
        for p in paths:
            bare_file_sha256(p)

    try:
        rows = [
            measure(
                f"hash_many sha256, 4 x {size // MiB} MiB files (ops = MiB, workers=1)",
                bare,
                lambda: hash_many(paths, workers=1),
                ops=total_mib,
                target=0.95,
                repeat=repeat,
            )
        ]
        if cores >= 2:
            rows.append(
                measure(
                    f"hash_many sha256, 4 x {size // MiB} MiB files (ops = MiB, workers=None: {cores} threads)",
                    bare,
                    lambda: hash_many(paths),
                    ops=total_mib,
                    target=1.7,
                    repeat=repeat,
                    cores=cores,
                )
            )
        return rows
    finally:
        shutil.rmtree(paths[0].parent, ignore_errors=True)


def case_bulk_hash_small_documents(quick: bool = False) -> list[Ratio]:
    docs = [os.urandom(1024) for _ in range(2_000 if quick else 10_000)]
    repeat = 5 if quick else 9

    def bare() -> None:
        for d in docs:
            hashlib.sha256(d).digest()

    return [
        measure(
            f"hash_many sha256, {len(docs):,} x 1 KiB (workers=1)",
            bare,
            lambda: hash_many(docs, workers=1),
            ops=len(docs),
            target=0.8,
            repeat=repeat,
        ),
        measure(
            f"hash_many sha256, {len(docs):,} x 1 KiB (workers=None: in-process by design)",
            bare,
            lambda: hash_many(docs),
            ops=len(docs),
            target=0.8,
            repeat=repeat,
        ),
    ]


def _best(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def case_bulk_openssl_limit(quick: bool = False) -> list[Ratio]:
    """cryptokit on one worker as a fraction of ``openssl speed`` (target 0: the limit, not a goal)."""
    limits = openssl_speed()
    if not limits:
        return []
    repeat = 2 if quick else 3
    rows: list[Ratio] = []
    if "sha256" in limits:
        paths = make_files(1, (16 if quick else 64) * MiB)
        try:
            mib = paths[0].stat().st_size // MiB
            hash_many(paths, workers=1)
            ours = _best(lambda: hash_many(paths, workers=1), repeat)
            rate = limits["sha256"] / MiB
            rows.append(Ratio("openssl speed: sha256 16 KiB blocks (ops = MiB)", mib, mib / rate, ours, 0.0))
        finally:
            shutil.rmtree(paths[0].parent, ignore_errors=True)
    makers: dict[str, tuple[str, Callable[[int], tuple[Any, list[VerifyJob]]]]] = {
        "rsa2048_verify": ("openssl speed: rsa2048 verify", rsa_jobs),
        "ecdsap256_verify": ("openssl speed: ecdsap256 verify", p256_jobs),
        "ed25519_verify": ("openssl speed: ed25519 verify", ed25519_jobs),
    }
    for key, (label, maker) in makers.items():
        if key not in limits:
            continue
        count = 2_000 if quick else 10_000
        _pub, jobs = maker(count)
        ours = _best(lambda jobs=jobs: verify_many(jobs, workers=1), repeat)  # type: ignore[misc]
        rows.append(Ratio(label, count, count / limits[key], ours, 0.0))
    return rows


CASES: dict[str, Callable[..., list[Ratio]]] = {
    "bulk-hash-large-files": case_bulk_hash_large_files,
    "bulk-hash-small-documents": case_bulk_hash_small_documents,
    "bulk-verify-rsa2048": case_bulk_verify_rsa,
    "bulk-verify-p256": case_bulk_verify_p256,
    "bulk-verify-ed25519": case_bulk_verify_ed25519,
    "bulk-openssl-limit": case_bulk_openssl_limit,
}
