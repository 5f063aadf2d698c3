"""Parts of a bulk job shared by this process and ``workers - 1`` children forked from it (Linux).

:func:`run_forked` is the scheduler of ``verify_many`` (when it may fork) and of ``cryptokit verify
bulk``. The children inherit everything the parent holds (the job list, the modules, keys already
loaded), so each starts in about a millisecond, imports nothing and receives no job: only part
numbers. The numbers sit in a pipe written before the fork; each process reads the next one when
it is free (a 4-byte read from a pipe is atomic), so whichever process is free takes the next part
and all end within a part of each other, even when the host slows one of them. The calling process
is one of the workers: on two cores it and one child are the two workers (a process pool would
leave it waiting, and importing and starting a pool costs more than a tenth of a 20,000-signature
run). A child sends its answers through its own pipe when the numbers run out.

Failure stays closed: a part that a child took and did not answer (the child died, or its answer
was cut short) is either done again by this process (``redo=True``: every item still gets its
answer from the work itself) or reported as :class:`~cryptokit.errors.ExecutorFailed` naming the
item ranges that have no answer; no answer is ever made up or silently dropped.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ..errors import ExecutorFailed

__all__ = ["can_fork", "guided", "run_forked"]

T = TypeVar("T")

#: Most parts one call may have: their numbers are written to a pipe before the fork, and a write
#: of up to 64 KiB (the Linux pipe buffer) never blocks.
MAX_PARTS = 16384


def can_fork() -> bool:
    """True on Linux while this process runs one thread: a forked child then holds no lock another
    thread held at fork time (cryptography and OpenSSL are fork-safe; a lock is the risk). A process
    that never imported ``threading`` started no thread through it (and need not import it to know)."""
    threading = sys.modules.get("threading")
    return sys.platform == "linux" and (threading is None or threading.active_count() == 1)


def guided(total: int, workers: int, *, smallest: int, largest: int | None = None) -> list[tuple[int, int]]:
    """Item ranges that shrink as the items run out (each a ``2 * workers``-th of what is left, within
    ``[smallest, largest]``), so that the workers finish together."""
    ranges: list[tuple[int, int]] = []
    start = 0
    share = 2 * max(1, workers)
    while start < total:
        size = max(smallest, -(-(total - start) // share))
        if largest is not None:
            size = min(size, largest)
        ranges.append((start, min(total, start + size)))
        start += size
    return ranges


def run_forked(
    ranges: Sequence[tuple[int, int]],
    work: Callable[[int, int], T],
    workers: int,
    *,
    redo: bool = False,
    meanwhile: Callable[[], object] | None = None,
    progress: Callable[[int, int], object] | None = None,
    codec: Any = None,
    noun: str = "items",
) -> list[T]:
    """``[work(a, b) for a, b in ranges]``, computed by this process and ``workers - 1`` forked children.

    ``meanwhile()`` runs here after the fork, before this process takes its first part (work of the
    caller's own that overlaps the children's). ``progress(done, total)`` runs here after each part
    this process does and once at the end (``total`` is the sum of the ranges). ``codec`` is the
    module whose ``dumps``/``loads`` carry the children's answers (``pickle`` by default; ``marshal``
    for answers made of plain values only); ``noun`` names the items in the error (``jobs``, ``rows``).
    Only :func:`can_fork` callers should use this.
    """
    if len(ranges) > MAX_PARTS:
        raise ExecutorFailed(f"a forked run takes at most {MAX_PARTS} parts, not {len(ranges)}")
    if codec is None:
        import pickle as codec
    total = sum(end - start for start, end in ranges)
    queue, feed = os.pipe()
    try:
        os.write(feed, b"".join(i.to_bytes(4, "big") for i in range(len(ranges))))  # < 64 KiB: never blocks
    finally:
        os.close(feed)
    sys.stdout.flush()  # nothing buffered is written twice (once by a child)
    sys.stderr.flush()
    children: list[tuple[int, int]] = []  # (pid, read end of its answer pipe), until answered
    answered = False
    try:
        for _ in range(max(0, workers - 1)):
            read_end, write_end = os.pipe()
            try:
                pid = os.fork()
            except OSError as exc:  # no process to be had (EAGAIN, ENOMEM): typed, and no fd left open
                os.close(read_end)
                os.close(write_end)
                raise ExecutorFailed(f"could not fork a worker: {exc.strerror or exc}") from exc
            if pid == 0:  # the child: take parts, write the answers, exit without running the caller's code
                code = 70
                try:
                    os.close(read_end)
                    data = codec.dumps(_take(queue, ranges, work, None))
                    with open(write_end, "wb") as out:
                        out.write(len(data).to_bytes(8, "big") + data)
                    code = 0
                finally:
                    os._exit(code)
            os.close(write_end)
            children.append((pid, read_end))
        if meanwhile is not None:
            meanwhile()
        done: dict[int, T] = dict(_take(queue, ranges, work, (progress, total)))
        lost: list[str] = []
        while children:
            pid, pipe = children.pop(0)
            try:
                with open(pipe, "rb") as answer:
                    data = answer.read()
            finally:
                _pid, status = os.waitpid(pid, 0)
            parts = _received(data, codec, len(ranges)) if status == 0 else None
            if parts is None:
                code = os.waitstatus_to_exitcode(status)
                lost.append(f"exit code {code}" if code > 0 else f"signal {-code}" if code else "an incomplete answer")
            else:
                done.update(parts)
        missing = [i for i in range(len(ranges)) if i not in done]
        if missing and not redo:
            rows = ", ".join(f"{ranges[i][0]}-{ranges[i][1] - 1}" for i in missing[:10])
            more = f" and {len(missing) - 10} more parts" if len(missing) > 10 else ""
            raise ExecutorFailed(
                f"a forked worker ended without answering ({'; '.join(lost) or 'no answer'}): "
                f"{noun} {rows}{more} have no result"
            )
        answers = [done[i] if i in done else work(*ranges[i]) for i in range(len(ranges))]
        answered = True
        if progress is not None:
            progress(total, total)
        return answers
    finally:  # after an error here: no child outlives the call
        os.close(queue)
        for pid, pipe in children:
            os.close(pipe)
            if not answered:
                _stop(pid)
            os.waitpid(pid, 0)


def _stop(pid: int) -> None:
    import signal

    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:  # already ended (waitpid below collects it)
        pass


def _take(
    queue: int,
    ranges: Sequence[tuple[int, int]],
    work: Callable[[int, int], T],
    report: tuple[Callable[[int, int], object] | None, int] | None,
) -> list[tuple[int, T]]:
    """(part number, answer) of each part this process takes from ``queue`` until it is empty."""
    done: list[tuple[int, T]] = []
    count = 0
    while number := os.read(queue, 4):
        index = int.from_bytes(number, "big")
        start, end = ranges[index]
        done.append((index, work(start, end)))
        count += end - start
        if report is not None and report[0] is not None:
            report[0](count, report[1])
    return done


def _received(data: bytes, codec: Any, count: int) -> list[tuple[int, Any]] | None:
    """A child's answers (a list of (part number, answer)), or None when its answer is incomplete."""
    if len(data) < 8 or int.from_bytes(data[:8], "big") != len(data) - 8:
        return None
    try:
        parts = codec.loads(data[8:])  # our own forked child, through our own pipe
    except Exception:  # a cut or garbled answer: its parts count as not answered
        return None
    if type(parts) is not list:
        return None
    for part in parts:
        if type(part) is not tuple or len(part) != 2 or type(part[0]) is not int or not 0 <= part[0] < count:
            return None
    return parts
