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
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ..errors import CryptokitError, ExecutorFailed

if TYPE_CHECKING:  # concurrent.futures is imported when an executor is used (it imports logging and threading)
    from concurrent.futures import Executor, Future

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
    meanwhile: Callable[[], object] | None = None,
) -> list[R]:
    """``[fn(*args) for _, args in tasks]`` run on ``executor``, in task order.

    Each task is ``(item_count, args)``; ``progress(done, total)`` is called in this thread after
    each chunk finishes, ``done`` counting items (starting from ``done``). A chunk whose future
    fails raises :class:`ExecutorFailed` after the chunks not yet started are cancelled.
    (:func:`run_split` is the variant that sizes chunks as it goes and can share the work with
    this thread; hashing plans its chunks by bytes up front, so it uses this one.) ``meanwhile()``
    runs in this thread once, when the first ``max_in_flight`` chunks are submitted (or all of
    them), before any is waited for: work of the caller's own that overlaps the executor's.
    """
    answers: dict[int, R] = {}
    submitted = 0
    with _InFlight(executor, fn, answers, total, progress, done) as flight:
        for count, args in tasks:
            while len(flight) >= max_in_flight:
                if meanwhile is not None:
                    meanwhile()
                    meanwhile = None
                flight.wait_some()
            flight.submit(submitted, count, args)
            submitted += 1
        if meanwhile is not None:
            meanwhile()
        while flight.wait_some():
            pass
    return [answers[i] for i in range(submitted)]


class _InFlight(Generic[R]):
    """The chunks submitted to an executor and not yet collected, each keyed to where its answer goes.

    Collecting moves a finished future's answer into ``into`` (failures become :class:`ExecutorFailed`)
    and reports ``progress(done, total)``; leaving the ``with`` block cancels what has not started.
    """

    def __init__(
        self,
        executor: Executor,
        fn: Callable[..., R],
        into: dict[int, R],
        total: int,
        progress: Progress | None,
        done: int = 0,
    ) -> None:
        self._executor, self._fn, self._into = executor, fn, into
        self._pending: dict[Future[R], tuple[int, int]] = {}
        self.total, self.progress, self.done = total, progress, done

    def __len__(self) -> int:
        return len(self._pending)

    def __enter__(self) -> _InFlight[R]:
        return self

    def __exit__(self, *exc: object) -> None:
        for future in self._pending:
            future.cancel()

    def submit(self, key: int, count: int, args: tuple[Any, ...]) -> None:
        """Run ``fn(*args)`` (``count`` items) on the executor; its answer goes to ``into[key]``."""
        try:
            future = self._executor.submit(self._fn, *args)
        except Exception as exc:  # a shut-down or broken executor
            raise ExecutorFailed(f"the executor refused a bulk chunk: {type(exc).__name__}") from exc
        self._pending[future] = (key, count)

    def record(self, key: int, answer: R, count: int) -> None:
        """Put ``answer`` (``count`` items) at ``into[key]`` and report progress."""
        self._into[key] = answer
        self.done += count
        if self.progress is not None:
            self.progress(self.done, self.total)

    def collect_ready(self) -> None:
        """Collect the futures that have finished, without waiting."""
        self._collect([f for f in self._pending if f.done()])

    def wait_some(self) -> bool:
        """Wait until at least one chunk finishes and collect the finished ones; False when none is pending."""
        if not self._pending:
            return False
        from concurrent.futures import FIRST_COMPLETED, wait

        finished, _ = wait(self._pending, return_when=FIRST_COMPLETED)
        self._collect(finished)
        return True

    def _collect(self, finished: Iterable[Future[R]]) -> None:
        for future in finished:
            key, count = self._pending.pop(future)
            self.record(key, _result(future), count)


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
    join: Callable[[list[Any]], Any] | None = None,
) -> Any:
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
    started are cancelled. With ``join``, the answer is ``join(answers of each call, in order)``
    instead of one flat list.
    """
    parts: dict[int, list[R]] = {}
    lo, hi = 0, total
    share = 2 * max(1, verifiers)
    step = piece

    with _InFlight(executor, fn, parts, total, progress) as flight:
        while True:
            while lo < hi and len(flight) < max_in_flight:
                size = min(hi - lo, largest, max(smallest, -(-(hi - lo) // share)))
                flight.submit(lo, size, build(lo, lo + size))
                lo += size
            if here is not None and lo < hi:
                start = max(lo, hi - step)
                began = time.perf_counter()
                answers = here(start, hi)
                elapsed = time.perf_counter() - began
                if elapsed > 0:  # pieces of about _PIECE_SECONDS, so the pool's queue is refilled in time
                    step = max(8, min(piece, int(_PIECE_SECONDS * (hi - start) / elapsed)))
                flight.record(start, answers, hi - start)
                hi = start
                time.sleep(0)  # lets the executor's feeder threads take the GIL that verifying holds
                flight.collect_ready()
                continue
            if not flight.wait_some():
                break
    if join is not None:
        return join([parts[start] for start in sorted(parts)])
    return [answer for start in sorted(parts) for answer in parts[start]]
