"""Measure cryptokit against the bare primitive in the same run, as a ratio.

Each case gives a ``bare`` and an ``ours`` callable doing the same amount of work (``ops``
operations). Runs are interleaved (bare, ours, bare, ours, ...) so that both see the same machine
state, and the best time of each is kept. ratio = bare_time / ours_time, so 1.0 means "as fast as
the bare primitive" and the targets read as ">= 0.95x".
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Ratio:
    name: str
    ops: int
    bare_seconds: float
    ours_seconds: float
    target: float
    cores: int = 1

    @property
    def ratio(self) -> float:
        return self.bare_seconds / self.ours_seconds

    @property
    def ours_per_second(self) -> float:
        return self.ops / self.ours_seconds

    @property
    def bare_per_second(self) -> float:
        return self.ops / self.bare_seconds

    @property
    def met(self) -> bool:
        return self.ratio >= self.target

    def row(self) -> str:
        mark = "met" if self.met else "MISSED"
        return (
            f"| {self.name} | {self.ours_per_second:,.0f} | {self.bare_per_second:,.0f} | "
            f"{self.ratio:.2f}x | >= {self.target:.2f}x ({mark}) | {self.cores} |"
        )


HEADER = "| operation | cryptokit ops/s | bare ops/s | ratio | target | cores |\n|---|---:|---:|---:|---|---:|"


def measure(
    name: str,
    bare: Callable[[], object],
    ours: Callable[[], object],
    *,
    ops: int,
    target: float,
    repeat: int = 5,
    cores: int = 1,
) -> Ratio:
    """Interleave ``repeat`` runs of each and keep the best of each."""
    bare()  # warm caches, page cache and lazy imports on both sides
    ours()
    best_bare = best_ours = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        bare()
        t1 = time.perf_counter()
        ours()
        t2 = time.perf_counter()
        best_bare = min(best_bare, t1 - t0)
        best_ours = min(best_ours, t2 - t1)
    return Ratio(name, ops, best_bare, best_ours, target, cores)


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def measure_parallel(
    bare: Callable[[], object],
    ceiling: Callable[[], object],
    ours: dict[str, Callable[[], object]],
    *,
    ceiling_name: str,
    ops: int,
    target: float,
    of_ceiling: float,
    repeat: int = 5,
    cores: int = 2,
) -> list[Ratio]:
    """Multi-worker rows: the bare loop, the machine's ceiling and each of ``ours``, interleaved.

    Every round runs all of them back to back, so that a slow spell of the host hits each alike; the
    best time of each is kept. Returns the ceiling row (ceiling against bare, informative), then for
    each of ``ours`` its row against bare (``target``) and its row against the ceiling
    (``of_ceiling``, 0 for informative): the second says how much of what this machine lets two
    processes reach cryptokit gets, which is the part of the first ratio that cryptokit controls.
    """
    bare()
    ceiling()
    for run in ours.values():
        run()
    best_bare = best_ceiling = float("inf")
    best_ours = dict.fromkeys(ours, float("inf"))
    for _ in range(repeat):
        t0 = time.perf_counter()
        bare()
        t1 = time.perf_counter()
        ceiling()
        t2 = time.perf_counter()
        best_bare = min(best_bare, t1 - t0)
        best_ceiling = min(best_ceiling, t2 - t1)
        for name, run in ours.items():
            t3 = time.perf_counter()
            run()
            best_ours[name] = min(best_ours[name], time.perf_counter() - t3)
    rows = [Ratio(ceiling_name, ops, best_bare, best_ceiling, 0.0, cores)]
    for name, seconds in best_ours.items():
        rows.append(Ratio(name, ops, best_bare, seconds, target, cores))
        rows.append(Ratio(f"{name}, against the ceiling", ops, best_ceiling, seconds, of_ceiling, cores))
    return rows


def check_rows(record_ratio: Callable[[Ratio], Ratio], rows: list[Ratio]) -> None:
    """A benchmark target: record every row of a case (the terminal summary prints them), then fail
    naming each row that missed its target."""
    recorded = [record_ratio(row) for row in rows]
    missed = [row.row() for row in recorded if not row.met]
    assert recorded and not missed, "\n".join(missed)
