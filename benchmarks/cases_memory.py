"""Peak resident memory of the bulk engines (``python -m benchmarks.report memory-hash-many memory-verify-many``).

Each row runs a fresh interpreter (``sys.executable``) that builds the inputs, resets its peak
resident set to what is resident now (Linux: ``5`` written to ``/proc/self/clear_refs``) and reads
that as the baseline (``VmRSS``), calls the engine, then reads its peak (``VmHWM``; elsewhere
``resource.getrusage(RUSAGE_SELF).ru_maxrss``) and that of the largest worker process it waited
for (``RUSAGE_CHILDREN``). What is compared with the bound is the growth over that baseline: the
interpreter, cryptography and the caller's own inputs (the paths, or the million ``VerifyJob``
values) are in the baseline, since the caller holds them whatever the engine does. A forked worker
maps the parent's pages, so its peak is also taken over the parent's baseline.

Rows: ``hash_many`` over 10,000 files of 16 KiB (threads; files are streamed, the results keep
raw digests) and ``verify_many`` over 1,000,000 RSA-2048 jobs on 2 forked workers (the results
kept by column: a byte per job and the failures only). ``--quick``: 2,000 files, 100,000 jobs.
The "ops/s" columns of these rows are MiB: growth measured, and the bound; ratio = bound / growth.
A growth shown as +0.1 MiB means at most that: the peak stayed at (or, for a worker, below) the
baseline. Measured 2026-12-07, largest of three runs: hash_many +5.8 MiB; verify_many +2.8-2.9 MiB in
the caller, workers below its baseline. The list ``verify_many`` returned before measured the same
resident growth (it reuses heap pages freed while the jobs were built); what it keeps is what changed
(8 bytes per job then, about 1 now: ``tests/bulk/test_results.py``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .ratio import Ratio

MiB = 1024 * 1024

#: Stated bounds (MiB of peak resident memory over the baseline), also in the README.
HASH_MANY_BOUND_MIB = 16
VERIFY_MANY_BOUND_MIB = 16
VERIFY_MANY_WORKER_BOUND_MIB = 32


@dataclass(frozen=True)
class MemoryRow(Ratio):
    """A Ratio whose two "seconds" are MiB: the bound (``bare_seconds``) and the growth measured."""

    def row(self) -> str:
        mark = "met" if self.met else "MISSED"
        return (
            f"| {self.name} | +{self.ours_seconds:,.1f} MiB | bound {self.bare_seconds:,.0f} MiB | "
            f"{self.ratio:.2f}x | >= {self.target:.2f}x ({mark}) | {self.cores} |"
        )


_PEAK = """
import json, resource, sys
def status(field):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith(field + ":"))
def rss():
    # Linux: the peak (VmHWM) is reset to what is resident now, so that the peak read after the
    # call is the call's own; elsewhere the peak so far, which can hide growth below it.
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return status("VmRSS")
    except (OSError, StopIteration):
        return peak()
def peak(who=resource.RUSAGE_SELF):
    if who == resource.RUSAGE_SELF:
        try:
            return status("VmHWM")
        except (OSError, StopIteration):
            pass
    return resource.getrusage(who).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
"""

_HASH = (
    _PEAK
    + """
from pathlib import Path
from cryptokit.bulk import hash_many
paths = sorted(Path(sys.argv[1]).iterdir())
hash_many(paths[:10], workers=1)  # the modules it loads are the interpreter's, not the call's
base = rss()
results = hash_many(paths)
top = peak()
assert len(results) == len(paths) and all(results.digests())
print(json.dumps({"base": base, "peak": top, "children": peak(resource.RUSAGE_CHILDREN)}))
"""
)

_VERIFY = (
    _PEAK
    + """
import hashlib
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
from cryptokit.bulk import VerifyJob, verify_many
count = int(sys.argv[1])
key = rsa.generate_private_key(65537, 2048)
pub, pad, alg = key.public_key(), padding.PKCS1v15(), utils.Prehashed(hashes.SHA256())
digests = [hashlib.sha256(b"%d" % i).digest() for i in range(500)]
pairs = [(key.sign(d, pad, alg), d) for d in digests]
jobs = [VerifyJob(pub, s, digest=d, algorithm="sha256") for s, d in (pairs[i % 500] for i in range(count))]
verify_many(jobs[:2000], workers=2)  # modules and the pool machinery loaded before the baseline
base = rss()
results = verify_many(jobs, workers=2)
top, children = peak(), peak(resource.RUSAGE_CHILDREN)
assert len(results) == count and results.ok
print(json.dumps({"base": base, "peak": top, "children": children}))
"""
)


def _child(code: str, *args: str) -> dict[str, int]:
    done = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True)
    out: dict[str, int] = json.loads(done.stdout.splitlines()[-1])
    return out


def _rows(name: str, runs: list[dict[str, int]], bound: int, worker_bound: int | None, cores: int) -> list[MemoryRow]:
    """The largest growth of the runs (a bound holds in every run) against each bound."""
    growth = max(r["peak"] - r["base"] for r in runs) / MiB
    rows = [MemoryRow(f"{name}: peak RSS growth of the calling process", 1, bound, max(growth, 0.1), 1.0, cores)]
    if worker_bound is not None:
        worker = max(r["children"] - r["base"] for r in runs) / MiB
        label = f"{name}: peak RSS of the largest worker, over the caller's baseline"
        rows.append(MemoryRow(label, 1, worker_bound, max(worker, 0.1), 1.0, cores))
    return rows


def case_memory_hash_many(quick: bool = False) -> list[MemoryRow]:
    count = 2_000 if quick else 10_000
    directory = Path(tempfile.mkdtemp(prefix="ck-mem-"))
    try:
        block = bytes(range(256)) * 64  # 16 KiB
        for i in range(count):
            (directory / f"doc-{i:05d}.bin").write_bytes(i.to_bytes(4, "big") + block)
        runs = [_child(_HASH, str(directory)) for _ in range(3)]
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return _rows(f"hash_many sha256, {count:,} files of 16 KiB (threads)", runs, HASH_MANY_BOUND_MIB, None, 2)


def case_memory_verify_many(quick: bool = False) -> list[MemoryRow]:
    count = 100_000 if quick else 1_000_000
    runs = [_child(_VERIFY, str(count)) for _ in range(3 if not quick else 1)]
    return _rows(
        f"verify_many RSA-2048, {count:,} jobs (workers=2, forked)",
        runs,
        VERIFY_MANY_BOUND_MIB,
        VERIFY_MANY_WORKER_BOUND_MIB,
        2,
    )


CASES: dict[str, Callable[..., list[MemoryRow]]] = {
    "memory-hash-many": case_memory_hash_many,
    "memory-verify-many": case_memory_verify_many,
}
