"""``hash_many``: hash many sources in order, on one core, on threads, or on any executor.

The engine is the comprehension of :func:`cryptokit.hashing.hash_batch` (many small in-memory
documents, one thread: the algorithm is resolved once and ``bytes`` take a fast path), with
``hash_to_sign`` for files, file objects and chunks, made never to raise for one source.
Parallelism comes from threads: ``hashlib`` releases the GIL while it hashes a buffer of more than
2 KiB and file reads release it too, so large inputs scale over cores in one process with no
copying. Small documents hold the GIL, and sending them to another process costs about what
hashing them does, so they stay in the calling thread.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..algorithms import HashAlgorithm, hash_algorithm
from ..errors import CryptokitError, InputError
from ..hashing import BLOCK_SIZE, HashError, HashOutcome, HashResults, HashSource, HashToSign, hash_to_sign
from .dispatch import Progress, cpu_count, run_ordered
from .packed_errors import PackedError, pack_error, relabel, unpack_error

__all__ = [
    "HashError",
    "HashOutcome",
    "HashResults",
    "hash_many",
    "unwrap",
    "HASH_PARALLEL_MIN_BYTES",
    "HASH_CHUNK_ITEMS",
]

#: With ``workers=None``, threads are used only when the sources that can release the GIL (buffers
#: over 2 KiB, files, file objects, chunk iterables) add up to at least this many bytes: below it a
#: thread pool costs more than it saves. Files count by their size on disk, file objects and chunk
#: iterables as 1 MiB each; the total is estimated from an even sample of at most 64 sources.
HASH_PARALLEL_MIN_BYTES = 4 * 1024 * 1024
#: Most items in one chunk (one task on an executor, one ``progress`` step in process).
HASH_CHUNK_ITEMS = 4096
_GIL_FREE_OVER = 2048  # hashlib releases the GIL for buffers larger than this
_CHUNK_MIN_BYTES = 1024 * 1024
_CHUNKS_PER_WORKER = 4


def unwrap(results: Iterable[HashOutcome]) -> list[HashToSign]:
    """The digests of ``hash_many`` as a plain list; raises the first entry's error if any failed."""
    if isinstance(results, HashResults):
        return results.unwrap()
    if not isinstance(results, Iterable):
        raise InputError("results", f"must be hash_many's results, not {type(results).__name__}")
    out: list[HashToSign] = []
    for r in results:
        if isinstance(r, HashError):
            raise r.error
        out.append(r)
    return out


def _error(index: int, exc: BaseException) -> HashError:
    if isinstance(exc, CryptokitError):
        return HashError(index, relabel(exc, f"sources[{index}]", "source"))
    return HashError(index, unpack_error(pack_error(exc)))


def _hash_local(sources: Sequence[Any], alg: HashAlgorithm, offset: int) -> list[Any]:
    """Entries for ``sources`` (digest bytes or HashError), hashed in this thread, in order; never raises.

    The comprehension is ``hash_batch``'s (``bytes`` take the fast path, the algorithm is resolved
    once) with a fallback that turns a bad source into an entry instead of raising, so a batch needs
    no type pre-check and no second pass unless something failed.
    """
    new = alg._new
    assert new is not None
    failed: list[int] = []
    out: list[Any] = [new(s).digest() if type(s) is bytes else _hash_one(s, alg, failed) for s in sources]
    if failed:
        for position, r in enumerate(out):
            if type(r) is _Failure:
                out[position] = _error(offset + position, r.exc)
    return out


class _Failure:
    """Placeholder for a failed source until its position is known."""

    __slots__ = ("exc",)

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def _hash_one(source: Any, alg: HashAlgorithm, failed: list[int]) -> bytes | _Failure:
    try:
        return hash_to_sign(source, alg).digest
    except Exception as exc:  # one bad source is one error entry, never a failed batch
        failed.append(1)
        return _Failure(exc)


def hash_chunk(sources: Sequence[Any], algorithm: str) -> list[bytes | PackedError]:
    """Worker side for process and cluster executors: raw digests or packed errors, all picklable."""
    alg = hash_algorithm(algorithm)
    new = alg._new
    assert new is not None
    if all(type(s) is bytes for s in sources):
        return [new(s).digest() for s in sources]
    out: list[bytes | PackedError] = []
    for source in sources:
        try:
            out.append(hash_to_sign(source, alg).digest)
        except Exception as exc:
            out.append(pack_error(exc))
    return out


def _estimate(source: Any) -> int:
    """Bytes of work that can run without the GIL (0 for small buffers, which hold it)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        n = source.nbytes if isinstance(source, memoryview) else len(source)
        return n if n > _GIL_FREE_OVER else 0
    if isinstance(source, os.PathLike):
        try:
            return os.stat(source).st_size
        except Exception:  # the hashing reports the error (even a __fspath__ that raises)
            return 0
    return BLOCK_SIZE


def _sendable(source: Any) -> Any:
    """``source`` as it can travel to another process, or None when it must be read here."""
    if type(source) is bytes or isinstance(source, bytearray):
        return source
    if isinstance(source, os.PathLike):
        try:
            return Path(os.path.abspath(os.fsdecode(source)))  # workers may run in another directory
        except Exception:  # hashed here instead, where the error becomes the source's entry
            return None
    return None


def _plan(sizes: Sequence[int], workers: int) -> list[tuple[int, int]]:
    """Contiguous ``(start, end)`` chunks of about ``total / (workers * 4)`` bytes and at most 4096 items."""
    total = sum(sizes)
    target = max(_CHUNK_MIN_BYTES, total // max(1, workers * _CHUNKS_PER_WORKER))
    chunks: list[tuple[int, int]] = []
    start = 0
    acc = 0
    for i, size in enumerate(sizes):
        acc += size + 64  # per-item cost, so many tiny items still split into chunks
        if acc >= target or i + 1 - start >= HASH_CHUNK_ITEMS:
            chunks.append((start, i + 1))
            start, acc = i + 1, 0
    if start < len(sizes):
        chunks.append((start, len(sizes)))
    return chunks


def hash_many(
    sources: Iterable[HashSource],
    algorithm: str | HashAlgorithm = "sha256",
    *,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> HashResults:
    """Hash every source, in order: one :class:`HashToSign` or :class:`HashError` per source.

    A source is anything ``hash_to_sign`` takes. One bad source (a missing file, a ``str``, a text
    file object) gives a :class:`HashError` at its position and the others are still hashed; an
    unknown ``algorithm`` raises (it is wrong for the whole call).

    ``workers=1``: in this thread. ``workers=None``: threads on every core when the large sources
    add up to :data:`HASH_PARALLEL_MIN_BYTES`, else in this thread. ``workers=n``: up to ``n``
    threads. ``executor``: any ``concurrent.futures.Executor`` (``workers`` then sizes the chunks
    and defaults to the local core count); with a process or Dask executor, bytes and paths are sent
    (paths made absolute: the workers must see the same files) and file objects and chunk iterables
    are read in the calling thread. ``progress(done, total)`` is called after each chunk.
    Proves nothing about the sources beyond their digests.
    """
    alg = hash_algorithm(algorithm)
    if not isinstance(sources, Iterable):
        raise InputError("sources", f"must be an iterable of sources, not {type(sources).__name__}")
    items = sources if isinstance(sources, list) else list(sources)
    total = len(items)
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise InputError("workers", "must be a positive integer or None")
    if total == 0:
        return HashResults._trusted(alg, [], 0)
    if executor is None:
        want = cpu_count() if workers is None else workers
        if want <= 1 or total == 1 or (workers is None and not _worth_threads(items)):
            entries = _run_here(items, alg, progress)
        else:
            with ThreadPoolExecutor(min(want, total), thread_name_prefix="cryptokit-hash") as pool:
                entries = _run_threads(pool, items, alg, want, progress)
    elif isinstance(executor, ThreadPoolExecutor):
        max_workers = workers or int(getattr(executor, "_max_workers", 0) or cpu_count())
        entries = _run_threads(executor, items, alg, max_workers, progress)
    else:
        entries = _run_remote(executor, items, alg, workers or cpu_count(), progress)
    return HashResults._trusted(alg, entries)


def _worth_threads(items: list[Any]) -> bool:
    """Whether the sources that can release the GIL add up to HASH_PARALLEL_MIN_BYTES.

    Estimated from an even sample of at most 64 sources (so that deciding costs nothing next to
    hashing 10,000 small documents); a few huge buffers hidden among many small ones may be missed,
    which costs speed, never correctness.
    """
    n = len(items)
    step = max(1, n // 64)
    sample = items[::step]
    estimate = sum(_estimate(s) for s in sample) * n // len(sample)
    return estimate >= HASH_PARALLEL_MIN_BYTES


def _sizes(items: Sequence[Any]) -> list[int]:
    if all(type(s) is bytes for s in items):
        return list(map(len, items))
    return [_estimate(s) for s in items]


def _run_here(items: list[Any], alg: HashAlgorithm, progress: Progress | None) -> list[Any]:
    if progress is None:
        return _hash_local(items, alg, 0)
    out: list[Any] = []
    for start, end in _plan(_sizes(items), 1):
        out.extend(_hash_local(items[start:end], alg, start))
        progress(end, len(items))
    return out


def _run_threads(
    pool: Executor, items: list[Any], alg: HashAlgorithm, workers: int, progress: Progress | None
) -> list[Any]:
    plan = _plan(_sizes(items), workers)
    tasks = ((end - start, (items[start:end], alg, start)) for start, end in plan)
    parts = run_ordered(pool, _hash_local, tasks, max_in_flight=2 * workers + 2, total=len(items), progress=progress)
    return [r for part in parts for r in part]


def _run_remote(
    executor: Executor, items: list[Any], alg: HashAlgorithm, workers: int, progress: Progress | None
) -> list[Any]:
    """Send bytes and paths to ``executor``; read file objects and chunk iterables here."""
    sendable = [_sendable(s) for s in items]
    remote = [i for i, s in enumerate(sendable) if s is not None]
    local = [i for i, s in enumerate(sendable) if s is None]
    out: list[Any] = [None] * len(items)
    for i in local:  # before the remote chunks: these may be file objects the caller is still holding open
        out[i] = _hash_local([items[i]], alg, i)[0]
    if progress is not None and local:
        progress(len(local), len(items))
    plan = _plan(_sizes([items[i] for i in remote]), workers)
    tasks = ((end - start, ([sendable[i] for i in remote[start:end]], alg.name)) for start, end in plan)
    parts = run_ordered(
        executor, hash_chunk, tasks, max_in_flight=len(plan), total=len(items), progress=progress, done=len(local)
    )
    for (start, _end), part in zip(plan, parts, strict=True):
        for offset, answer in enumerate(part):
            index = remote[start + offset]
            if type(answer) is bytes and len(answer) == alg.digest_size:
                out[index] = answer
            elif type(answer) is bytes:  # a worker that is not ours
                out[index] = _error(index, CryptokitError(f"worker returned a {len(answer)}-byte digest"))
            else:
                out[index] = _error(index, unpack_error(answer))  # type: ignore[arg-type]
    return out
