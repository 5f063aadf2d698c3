"""The fork-and-pipe scheduler shared by ``verify_many`` and ``cryptokit verify bulk``
(:mod:`cryptokit.bulk.forked`): every part answered once, in order; a dead child's parts done
again here or reported by a typed error naming them; no child outlives the call."""

from __future__ import annotations

import itertools
import marshal
import os
import pickle
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from cryptokit.bulk import forked
from cryptokit.errors import ExecutorFailed

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the forked scheduler runs on Linux only")


def test_guided_ranges_cover_the_items_and_shrink() -> None:
    ranges = forked.guided(20_000, 2, smallest=256)
    assert ranges[0] == (0, 5000) and ranges[-1][1] == 20_000
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    sizes = [b - a for a, b in ranges]
    assert sizes == sorted(sizes, reverse=True) and min(sizes[:-1]) == 256
    assert max(b - a for a, b in forked.guided(20_000, 2, smallest=16, largest=1000)) == 1000
    assert forked.guided(0, 2, smallest=8) == []


def test_every_part_is_answered_once_in_order() -> None:
    ranges = forked.guided(5000, 3, smallest=100)
    seen: list[tuple[int, int]] = []
    answers = forked.run_forked(
        ranges, lambda a, b: (a, b, os.getpid()), 3, meanwhile=lambda: None, progress=lambda d, t: seen.append((d, t))
    )
    assert [(a, b) for a, b, _pid in answers] == ranges
    assert seen[-1] == (5000, 5000) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    for codec in (marshal, pickle):
        assert forked.run_forked([(0, 1), (1, 5)], lambda a, b: [a, b], 2, codec=codec) == [[0, 1], [1, 5]]


def _dying_child(marker: Path) -> tuple[Any, Any]:
    """A work function whose calls in a child kill it (after marking the file), and a _take that
    lets the child take the first part before this process starts."""
    parent = os.getpid()
    real_take = forked._take

    def work(a: int, b: int) -> tuple[int, int]:
        if os.getpid() != parent:
            marker.write_bytes(b"")
            os._exit(9)
        return (a, b)

    def take(queue: int, *args: Any) -> Any:
        if os.getpid() == parent:
            for _ in range(2000):
                if marker.exists():
                    break
                time.sleep(0.005)
        return real_take(queue, *args)

    return work, take


def test_a_dead_childs_parts_are_done_here_or_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ranges = [(0, 10), (10, 20), (20, 25)]
    work, take = _dying_child(tmp_path / "died")
    monkeypatch.setattr(forked, "_take", take)
    assert forked.run_forked(ranges, work, 2, redo=True) == ranges  # part 0 done again here
    (tmp_path / "died").unlink()
    with pytest.raises(ExecutorFailed, match=r"\(exit code 9\): rows 0-9 have no result$"):
        forked.run_forked(ranges, work, 2, noun="rows")


def test_an_error_here_stops_the_children(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    parent = os.getpid()

    def work(a: int, b: int) -> int:
        if os.getpid() != parent:
            pid_file.write_text(str(os.getpid()))
            time.sleep(60)  # a child still busy when this process fails
            return a
        for _ in range(2000):
            if pid_file.exists():
                break
            time.sleep(0.005)
        raise ValueError("this process failed")

    with pytest.raises(ValueError, match="this process failed"):
        forked.run_forked([(0, 1), (1, 2), (2, 3)], work, 2)
    with pytest.raises(ProcessLookupError):  # killed and collected: no child outlives the call
        os.kill(int(pid_file.read_text()), 0)


def test_an_incomplete_answer_is_no_answer() -> None:
    good = pickle.dumps([(0, "a")])
    assert forked._received(len(good).to_bytes(8, "big") + good, pickle, 1) == [(0, "a")]
    for data in (
        b"",
        b"\0" * 8 + b"x",  # length does not match
        len(good).to_bytes(8, "big") + good[:-1],  # cut short
        len(good).to_bytes(8, "big") + b"\xff" + good[1:],  # garbled
    ):
        assert forked._received(data, pickle, 1) is None
    for parts in ({"a": 1}, [(0,)], [("0", "a")], [(1, "a")], [(-1, "a")]):  # not (part number, answer) in range
        data = pickle.dumps(parts)
        assert forked._received(len(data).to_bytes(8, "big") + data, pickle, 1) is None


def test_too_many_parts_are_refused_before_any_fork() -> None:
    with pytest.raises(ExecutorFailed, match="at most 16384 parts"):
        forked.run_forked([(i, i + 1) for i in range(forked.MAX_PARTS + 1)], lambda a, b: a, 2)


def test_a_fork_that_fails_is_a_typed_error_and_leaks_no_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    before = len(os.listdir("/proc/self/fd"))
    monkeypatch.setattr(forked.os, "fork", no_fork)
    with pytest.raises(ExecutorFailed, match="could not fork a worker: Resource temporarily unavailable"):
        forked.run_forked([(0, 1), (1, 2)], lambda a, b: a, 2)
    assert len(os.listdir("/proc/self/fd")) == before
