"""``verify_many``: verify many bare signatures in order, on one core, on all cores, or on any executor.

cryptography holds the GIL while it verifies, so threads do not scale: the parallel path is a
process pool (or a Dask cluster through its executor). Jobs travel in chunks of hundreds to
thousands, so the inter-process cost per signature is small; keys travel once per chunk as DER
bytes with an index, and each worker parses each distinct key once (see
:mod:`cryptokit.bulk.worker`). Certificates given as keys are used for their public key only: no
chain is validated (validate a shared chain once with :mod:`cryptokit.chain`, which caches it).

Consecutive plain jobs (prehashed digest, one key, default options) travel as one
:class:`~cryptokit.bulk.worker.PlainRun` (signatures and digests as two lists) and verify in a
tight loop; any other job is a row of its own.

Scheduling (:func:`cryptokit.bulk.dispatch.run_split`): the pool takes chunks from the front of the
job list, shrinking as the work runs out, so the workers finish together. A pool created by the
call uses ``fork`` on Linux when this process runs a single thread (see :func:`_pool_context`): the
workers then inherit the job list and receive index ranges only, and this process just dispatches.
Otherwise this process is one of the workers (up to :data:`RUN_HERE_MAX_WORKERS`): it verifies
small pieces from the back until it meets the pool, so it never waits for a worker's last chunk
and the pool's start-up overlaps its own work.
"""

from __future__ import annotations

import itertools
import sys
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import KW_ONLY, dataclass
from typing import TYPE_CHECKING, Any, Literal

from cryptography import x509

from ..errors import CryptokitError, InputError
from ..hashing import HashToSign
from .dispatch import Progress, chunk_size, cpu_count, run_split
from .packed_errors import pack_error
from .results import VerifyResult, VerifyResults
from .worker import Failed, KeyRef, PlainRun, Prepared, Row, load_ref, verify_chunk, verify_rows

if TYPE_CHECKING:
    from ..algorithms import HashArg
    from ..signatures.public_keys import KeyLike

__all__ = [
    "VerifyJob",
    "VerifyResult",
    "VerifyResults",
    "verify_many",
    "VERIFY_PARALLEL_MIN_JOBS",
    "RUN_HERE_MAX_WORKERS",
]

#: With ``workers=None``, fewer jobs than this run in the calling process: starting a process pool
#: costs about as much as verifying this many RSA-2048 signatures (10-30 ms with ``fork``).
VERIFY_PARALLEL_MIN_JOBS = 1000
#: With ``workers`` up to this, no executor and a pool that cannot fork (another platform, or other
#: threads alive), the calling process verifies too, next to a pool of ``workers - 1`` processes, so
#: that the pool's slow start-up costs nothing; with more, it only feeds a pool of ``workers``. A
#: forked pool starts in milliseconds and reads the jobs in place, so this process only dispatches.
RUN_HERE_MAX_WORKERS = 4
_CHUNKS_PER_WORKER = 8
_CHUNK_MIN = 64
_CHUNK_MAX = 4096
#: Items this process verifies between two looks at the pool (when it verifies too).
_HERE_PIECE = 256


@dataclass(frozen=True, slots=True)
class VerifyJob:
    """One signature to verify: exactly one of ``digest`` (prehashed) or ``message``.

    ``key``: anything :func:`cryptokit.signatures.verify_digest` takes (a cryptography public key,
    an ``x509.Certificate``, PEM/DER bytes of a certificate or SubjectPublicKeyInfo). ``digest`` may
    be a :class:`HashToSign`, whose algorithm is then the default. The other fields are
    ``verify_digest``'s keywords. The job is checked when it runs: a malformed job gives a failed
    :class:`VerifyResult`, not an exception.
    """

    key: KeyLike
    signature: bytes
    _: KW_ONLY
    digest: bytes | HashToSign | None = None
    message: bytes | None = None
    algorithm: HashArg | None = None
    scheme: Literal["auto", "pkcs1v15", "pss", "ecdsa", "ed25519", "ed448"] = "auto"
    signature_encoding: Literal["auto", "der", "raw"] = "auto"
    pss_salt_length: int | Literal["auto"] | None = None
    pss_mgf_hash: HashArg | None = None

    def __repr__(self) -> str:
        what = "digest" if self.digest is not None else "message"
        return f"VerifyJob({type(self.key).__name__} key, {self.scheme}, {what})"


def _alg_name(value: Any) -> Any:
    """A hash given as an object becomes its cryptokit name, so that it pickles."""
    if value is None or isinstance(value, str):
        return value
    from ..algorithms import hash_algorithm

    return hash_algorithm(value).name


def _row(job: Any, key_index: int, index: int, portable: bool) -> Row:
    """The worker's row for ``job``, or a failed VerifyResult when the job is malformed."""
    if type(job) is not VerifyJob:
        return VerifyResult(
            False, InputError(f"jobs[{index}]", f"must be a VerifyJob, not {type(job).__name__}"), None, None
        )
    digest = job.digest
    algorithm = job.algorithm
    if (digest is None) == (job.message is None):
        return VerifyResult(False, InputError(f"jobs[{index}]", "give exactly one of digest and message"), None, None)
    if isinstance(digest, HashToSign):
        if algorithm is None:
            algorithm = digest.algorithm
        digest = digest.digest
    mgf = job.pss_mgf_hash
    if portable:
        try:
            algorithm = _alg_name(algorithm)
            mgf = _alg_name(mgf)
        except CryptokitError as exc:
            from .packed_errors import relabel

            return VerifyResult(False, relabel(exc, f"jobs[{index}]"), None, None)
    return (
        key_index,
        job.signature,
        digest,
        job.message,
        algorithm,
        job.scheme,
        job.signature_encoding,
        job.pss_salt_length,
        mgf,
    )


class _Keys:
    """The distinct keys of a call: each key object or byte string gets one index and is loaded once."""

    def __init__(self, portable: bool) -> None:
        self.portable = portable  # references for another process, or loaded keys for this one
        self.refs: list[KeyRef] = []
        self.loaded: list[Prepared | Failed] = []
        self._by_id: dict[int, int] = {}
        self._by_value: dict[Any, int] = {}

    def index(self, key: Any) -> int:
        found = self._by_id.get(id(key))
        if found is not None:
            return found
        value = key if isinstance(key, (bytes, str)) else None
        if value is not None and value in self._by_value:
            found = self._by_value[value]
        else:
            ref = self._ref(key)
            identity = ref if isinstance(ref, (bytes, str)) else None
            if identity is not None and identity in self._by_value:
                found = self._by_value[identity]
            else:
                found = len(self.refs)
                self.refs.append(ref)
                if not self.portable:
                    self.loaded.append(load_ref(ref))
                if identity is not None:
                    self._by_value[identity] = found
        if value is not None:
            self._by_value.setdefault(value, found)
        self._by_id[id(key)] = found  # the job list keeps ``key`` alive, so its id stays unique
        return found

    def _ref(self, key: Any) -> KeyRef:
        if isinstance(key, (bytearray, memoryview)):
            key = bytes(key)
        if isinstance(key, (bytes, str)):
            return key if self.portable else _load_here(key)
        if self.portable and isinstance(key, x509.Certificate):
            from cryptography.hazmat.primitives.serialization import Encoding  # (loaded when used)

            return key.public_bytes(Encoding.DER)  # parsed by the workers, not here
        pk = _load_here(key)
        if not self.portable or isinstance(pk, tuple):
            return pk
        try:
            return _portable(pk)
        except Exception as exc:
            return ("error", pack_error(exc))


def _load_here(key: Any) -> Any:
    from ..signatures.sign_verify import load_public_key

    try:
        return load_public_key(key)
    except Exception as exc:  # every job with this key fails with the error; the others still run
        return ("error", pack_error(exc))


def _portable(pk: Any) -> KeyRef:
    """A picklable reference for a loaded PublicKey: SPKI DER, plus RSASSA-PSS parameters when it has them."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    spki = pk.key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    if pk.pss is None:
        return spki
    return ("pss", spki, pk.pss.hash.name, pk.pss.mgf_hash.name, pk.pss.salt_length, pk.pss_key)


def _chunk(jobs: Sequence[Any], keys: _Keys, start: int, end: int) -> tuple[list[Any], list[Row]]:
    """The chunk's own key table (references or loaded keys) and its rows."""
    local: dict[int, int] = {}
    chunk_keys: list[Any] = []
    rows: list[Row] = []
    append = rows.append
    portable = keys.portable
    last_key: Any = None
    key_index = -1
    run_shape: tuple[Any, ...] | None = None
    add_signature: Any = None
    add_digest: Any = None
    for index in range(start, end):
        job = jobs[index]
        if type(job) is not VerifyJob:
            append(_row(job, 0, index, portable))
            run_shape = None
            continue
        key = job.key
        if key is not last_key or key_index < 0:
            g = keys.index(key)
            key_index = local.get(g, -1)
            if key_index < 0:
                key_index = local[g] = len(chunk_keys)
                chunk_keys.append(keys.refs[g] if portable else keys.loaded[g])
            last_key = key
        digest = job.digest
        algorithm = job.algorithm
        if (
            type(digest) is bytes
            and job.message is None
            and (algorithm is None or type(algorithm) is str)
            and job.pss_salt_length is None
            and job.pss_mgf_hash is None
            and type(job.scheme) is str
            and type(job.signature_encoding) is str
        ):  # the common case: one more signature for the current run, or the start of a new one
            shape = (key_index, algorithm, job.scheme, job.signature_encoding)
            if shape != run_shape:
                run = PlainRun(key_index, algorithm, job.scheme, job.signature_encoding, [], [])
                append(run)
                run_shape = shape
                add_signature = run.signatures.append
                add_digest = run.digests.append
            add_signature(job.signature)
            add_digest(digest)
        else:
            append(_row(job, key_index, index, portable))
            run_shape = None
    return chunk_keys, rows


def _run_here(jobs: Sequence[Any], progress: Progress | None) -> VerifyResults:
    """In this process, in chunks, each chunk's results kept by column as soon as it is done."""
    keys = _Keys(portable=False)
    parts: list[VerifyResults] = []
    for start in range(0, len(jobs), _CHUNK_MAX):
        end = min(len(jobs), start + _CHUNK_MAX)
        chunk_keys, rows = _chunk(jobs, keys, start, end)
        parts.append(VerifyResults._join((verify_rows(chunk_keys, rows, start),)))
        if progress is not None:
            progress(end, len(jobs))
    return VerifyResults._join(parts)


def _pool_context() -> Any:
    """``fork`` on Linux while this process runs one thread, else the platform default.

    A forked worker starts in milliseconds with every module already imported (a spawned one
    imports cryptography and cryptokit first). cryptography and OpenSSL are fork-safe; the risk of
    ``fork`` is a lock held by another thread at fork time, so with other threads alive the default
    method is used.
    """
    if not can_fork():
        return None
    import multiprocessing  # here: the command's bulk path forks without it (~25 ms of imports)

    return multiprocessing.get_context("fork")


def _process_pool() -> Any:
    """``concurrent.futures.ProcessPoolExecutor``, imported when a pool is first made: it imports
    multiprocessing (~15 ms), which ``cryptokit verify bulk`` does not need when it forks by itself."""
    found = globals().get("ProcessPoolExecutor")
    if found is None:
        from concurrent.futures import ProcessPoolExecutor as found

        globals()["ProcessPoolExecutor"] = found
    return found


def __getattr__(name: str) -> Any:
    if name == "ProcessPoolExecutor":  # module.ProcessPoolExecutor, as before it was imported lazily
        return _process_pool()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def can_fork() -> bool:
    """True on Linux while this process runs one thread: a forked child then holds no lock another
    thread held at fork time (see :func:`_pool_context`)."""
    return sys.platform == "linux" and threading.active_count() == 1


def _call(fn: Any, *args: Any) -> Any:
    return fn(*args)


# The job lists of the calls whose pool this process forks, by call token. A forked worker
# inherits them with the rest of the parent's memory, so the parent sends it ``(token, start, end)``
# instead of pickling the jobs (6 MB for 20,000 RSA-2048 jobs) and the worker reads them in place.
_INHERITED: dict[int, list[Any]] = {}
_tokens = itertools.count()
# In a forked worker: the keys of each call, each loaded once per worker.
_WORKER_KEYS: dict[int, _Keys] = {}


def _verify_inherited(token: int, start: int, end: int) -> VerifyResults:
    """Worker side of a pool forked by :func:`verify_many`: verify ``jobs[start:end]`` from inherited memory."""
    items = _INHERITED[token]
    keys = _WORKER_KEYS.get(token)
    if keys is None:
        keys = _WORKER_KEYS[token] = _Keys(portable=False)
    chunk_keys, rows = _chunk(items, keys, start, end)
    return VerifyResults._join((verify_rows(chunk_keys, rows, start),))


def _verify_chunk_columns(refs: Sequence[KeyRef], rows: Sequence[Row], offset: int) -> VerifyResults:
    """Worker side for process and cluster executors: :func:`verify_chunk`, sent back by column."""
    return VerifyResults._join((verify_chunk(refs, rows, offset),))


def verify_many(
    jobs: Iterable[VerifyJob],
    *,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> VerifyResults:
    """Verify every job; one :class:`VerifyResult` per job, in order. Never raises for a bad job.

    The results come as a :class:`VerifyResults`, a read-only sequence kept by column (a byte per
    job and the jobs that did not verify): it reads like a list, and ``list(results)`` is one.

    ``workers=1``: in this process. ``workers=None``: every core for :data:`VERIFY_PARALLEL_MIN_JOBS`
    jobs or more, else in this process. ``workers=n``: n processes, created and shut down by this
    call (pass ``executor`` to reuse a pool); on Linux (``fork``) the pool reads the job list in
    place and this process only dispatches; elsewhere, for n <= :data:`RUN_HERE_MAX_WORKERS`, this
    process is one of them, next to a pool of n-1.
    ``executor``: any ``concurrent.futures.Executor`` (process pool, Dask ``Client.get_executor()``,
    or a thread pool, which shares the GIL and so does not speed verification up); ``workers`` then
    sizes the chunks (default: the local core count). ``progress(done, total)`` runs in this thread
    after each chunk. Raises only :class:`InputError` for a bad ``workers`` and
    :class:`~cryptokit.bulk.dispatch.ExecutorFailed` when the executor itself fails.

    Proves, per job, what ``verify_digest``/``verify_message`` prove: the signature is valid under
    the key. It validates no certificate chain and no certificate's validity.
    """
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise InputError("workers", "must be a positive integer or None")
    if not isinstance(jobs, list) and not hasattr(jobs, "__iter__"):
        raise InputError("jobs", f"must be an iterable of VerifyJob, not {type(jobs).__name__}")
    items = jobs if isinstance(jobs, list) else list(jobs)
    total = len(items)
    if total == 0:
        return VerifyResults()
    if executor is None:
        want = cpu_count() if workers is None else workers
        if want <= 1 or (workers is None and total < VERIFY_PARALLEL_MIN_JOBS):
            return _run_here(items, progress)
        size = chunk_size(total, want, per_worker=_CHUNKS_PER_WORKER, smallest=_CHUNK_MIN, largest=_CHUNK_MAX)
        # A forked pool inherits the job list: chunks travel as index ranges and the workers start in
        # milliseconds, so this process only dispatches. Otherwise, up to RUN_HERE_MAX_WORKERS, this
        # process is one of the ``want`` workers: it verifies while a pool of want-1 starts and runs
        # (no start-up wait, one process fewer). Above, it only dispatches: feeding many workers
        # needs the GIL that its own verifying would hold.
        context = _pool_context()
        token = None
        if context is not None:
            token = next(_tokens)
            _INHERITED[token] = items
        here = token is None and want <= RUN_HERE_MAX_WORKERS
        pool_size = want - 1 if here else want
        try:
            with _process_pool()(min(pool_size, -(-total // size)), mp_context=context) as pool:
                return _run_on(pool, items, pool_size, size, progress, run_here=here, inherited=token)
        finally:
            if token is not None:
                del _INHERITED[token]
    if isinstance(executor, ThreadPoolExecutor):
        want = workers or int(getattr(executor, "_max_workers", 0) or cpu_count())
    else:
        want = workers or cpu_count()
    size = chunk_size(total, want, per_worker=_CHUNKS_PER_WORKER, smallest=_CHUNK_MIN, largest=_CHUNK_MAX)
    return _run_on(executor, items, want, size, progress)


def _run_on(
    executor: Executor,
    items: list[Any],
    workers: int,
    size: int,
    progress: Progress | None,
    *,
    run_here: bool = False,
    inherited: int | None = None,
) -> VerifyResults:
    keys = _Keys(portable=inherited is None and not isinstance(executor, ThreadPoolExecutor))

    def build(start: int, end: int) -> tuple[Any, ...]:
        if inherited is not None:
            return (inherited, start, end)
        chunk_keys, rows = _chunk(items, keys, start, end)
        if keys.portable:
            return (chunk_keys, rows, start)
        return (verify_rows, chunk_keys, rows, start)

    here = None
    if run_here:

        def here(start: int, end: int) -> list[VerifyResult]:
            return verify_chunk(*build(start, end))  # this process's own key cache: each key parsed once

    fn: Any = _verify_inherited if inherited is not None else _verify_chunk_columns if keys.portable else _call
    # ``size`` caps the chunks (the chunk count per worker stays at least what it was); the executor
    # keeps two chunks per worker in flight so none idles while this thread builds the next.
    results: VerifyResults = run_split(
        executor,
        fn,
        build,
        len(items),
        verifiers=workers + (1 if run_here else 0),
        largest=size,
        smallest=min(size, _CHUNK_MIN),
        max_in_flight=2 * workers + (0 if run_here else 1),
        here=here,
        piece=max(16, min(_HERE_PIECE, size // 4)),
        progress=progress,
        join=VerifyResults._join,
    )
    return results
