"""Run chunks of a bulk job on a ``concurrent.futures.Executor`` and put the answers back in order.

Any executor works: ``ThreadPoolExecutor``, ``ProcessPoolExecutor`` or a Dask
``distributed.Client(...).get_executor()`` (its futures are ``concurrent.futures.Future`` objects).
At most ``max_in_flight`` chunks are submitted at a time, so the caller builds the next chunk while
the workers run the current ones, and the memory held in queues stays bounded.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from typing import Any, TypeVar

from ..errors import CryptokitError, ExecutorFailed

__all__ = ["ExecutorFailed", "Progress", "run_ordered", "run_split", "cpu_count", "chunk_size"]

R = TypeVar("R")

# How long this thread verifies between two looks at the executor, when it verifies too.
_PIECE_SECONDS = 0.002

#: ``progress(done, total)``: items finished so far and the number of items in the call.
Progress = Callable[[int, int], object]


def cpu_count() -> int:
    """CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def chunk_size(items: int, workers: int, *, per_worker: int, smallest: int, largest: int) -> int:
    """Items per chunk: about ``per_worker`` chunks per worker, within ``[smallest, largest]``."""
    want = -(-items // max(1, workers * per_worker))
    return max(1, min(largest, max(smallest, want)))


def run_ordered(
    executor: Executor,
    fn: Callable[..., R],
    tasks: Iterable[tuple[int, tuple[Any, ...]]],
    *,
    max_in_flight: int,
    total: int,
    progress: Progress | None = None,
    done: int = 0,
) -> list[R]:
    """``[fn(*args) for _, args in tasks]`` run on ``executor``, in task order.

    Each task is ``(item_count, args)``; ``progress(done, total)`` is called in this thread after
    each chunk finishes, ``done`` counting items (starting from ``done``). A chunk whose future
    fails raises :class:`ExecutorFailed` after the chunks not yet started are cancelled.
    (:func:`run_split` is the variant that sizes chunks as it goes and can share the work with
    this thread; hashing plans its chunks by bytes up front, so it uses this one.)
    """
    answers: dict[int, R] = {}
    pending: dict[Future[R], tuple[int, int]] = {}
    submitted = 0
    iterator = iter(tasks)
    exhausted = False

    try:
        while True:
            while not exhausted and len(pending) < max_in_flight:
                task = next(iterator, None)
                if task is None:
                    exhausted = True
                    break
                count, args = task
                pending[_submit(executor, fn, args)] = (submitted, count)
                submitted += 1
            if not pending:
                break
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            done = _collect(finished, pending, answers, done, total, progress)
    finally:
        for future in pending:
            future.cancel()
    return [answers[i] for i in range(submitted)]


def _collect(
    finished: Iterable[Future[R]],
    pending: dict[Future[R], tuple[int, int]],
    into: dict[int, R],
    done: int,
    total: int,
    progress: Progress | None,
) -> int:
    """Move each finished future's answer from ``pending`` into ``into`` (by its key); the new ``done``."""
    for future in finished:
        key, count = pending.pop(future)
        into[key] = _result(future)
        done += count
        if progress is not None:
            progress(done, total)
    return done


def _submit(executor: Executor, fn: Callable[..., R], args: tuple[Any, ...]) -> Future[R]:
    try:
        return executor.submit(fn, *args)
    except Exception as exc:  # a shut-down or broken executor
        raise ExecutorFailed(f"the executor refused a bulk chunk: {type(exc).__name__}") from exc


def _result(future: Future[R]) -> R:
    try:
        return future.result()
    except CryptokitError:
        raise
    except Exception as exc:  # BrokenProcessPool, PicklingError, a Dask KilledWorker, ...
        raise ExecutorFailed(f"a bulk chunk could not run on the executor: {type(exc).__name__}") from exc


def run_split(
    executor: Executor,
    fn: Callable[..., list[R]],
    build: Callable[[int, int], tuple[Any, ...]],
    total: int,
    *,
    verifiers: int,
    largest: int,
    smallest: int,
    max_in_flight: int,
    here: Callable[[int, int], list[R]] | None = None,
    piece: int = 64,
    progress: Progress | None = None,
) -> list[R]:
    """``fn(*build(a, b))`` over ``[0, total)`` in chunks on ``executor``, optionally sharing the work with this thread.

    Guided scheduling: the executor takes chunks from the front, each about ``remaining / (2 *
    verifiers)`` items within ``[smallest, largest]``, so the chunks shrink as the work runs out and
    the last ones finish together (equal chunks leave one worker idle for up to a chunk at the end).
    With ``here``, this thread verifies too, at most ``piece`` items (about 2 ms) at a time from
    the back of the range, yielding the GIL to the executor's threads in between, until it meets
    the executor's front: no worker waits for the other at the end, and the first
    items start with no pool start-up delay. Each call returns one answer per item of its range;
    the answers come back in item order. ``progress(done, total)`` runs in this thread after each
    chunk and piece. A failed future raises :class:`ExecutorFailed` after the chunks not yet
    started are cancelled.
    """
    parts: dict[int, list[R]] = {}
    pending: dict[Future[list[R]], tuple[int, int]] = {}
    lo, hi, done = 0, total, 0
    share = 2 * max(1, verifiers)
    step = piece

    try:
        while True:
            while lo < hi and len(pending) < max_in_flight:
                size = min(hi - lo, largest, max(smallest, -(-(hi - lo) // share)))
                pending[_submit(executor, fn, build(lo, lo + size))] = (lo, size)
                lo += size
            if here is not None and lo < hi:
                start = max(lo, hi - step)
                began = time.perf_counter()
                parts[start] = here(start, hi)
                elapsed = time.perf_counter() - began
                if elapsed > 0:  # pieces of about _PIECE_SECONDS, so the pool's queue is refilled in time
                    step = max(8, min(piece, int(_PIECE_SECONDS * (hi - start) / elapsed)))
                done += hi - start
                hi = start
                if progress is not None:
                    progress(done, total)
                time.sleep(0)  # lets the executor's feeder threads take the GIL that verifying holds
                done = _collect([f for f in pending if f.done()], pending, parts, done, total, progress)
                continue
            if not pending:
                break
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            done = _collect(finished, pending, parts, done, total, progress)
    finally:
        for future in pending:
            future.cancel()
    return [answer for start in sorted(parts) for answer in parts[start]]
