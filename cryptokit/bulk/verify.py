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

Scheduling. On Linux, while this process runs a single thread, a call with ``workers=n`` uses
:func:`cryptokit.bulk.forked.run_forked`: this process and n-1 children forked from it take parts
of the job list (shrinking as the jobs run out) from a shared pipe; the children inherit the job
list and read it in place, and send back their results by column. A child that dies makes the call
raise :class:`~cryptokit.errors.ExecutorFailed` naming the jobs without a result. Otherwise
(another platform, other threads alive, or an ``executor``) :func:`cryptokit.bulk.dispatch.run_split`
feeds a process pool: it takes chunks from the front of the job list, shrinking as the work runs
out, and this process verifies too (up to :data:`RUN_HERE_MAX_WORKERS`), small pieces from the
back until it meets the pool.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import KW_ONLY, dataclass
from typing import TYPE_CHECKING, Any, Literal

from cryptography import x509

from ..errors import CryptokitError, InputError
from . import forked
from .dispatch import Progress, chunk_size, cpu_count, run_split
from .packed_errors import pack_error
from .results import VerifyResult, VerifyResults
from .worker import Failed, KeyRef, PlainRun, Prepared, Row, load_ref, verify_chunk, verify_rows

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from ..algorithms import HashArg
    from ..hashing import HashToSign
    from ..signatures.public_keys import KeyLike

__all__ = [
    "VerifyJob",
    "VerifyResult",
    "VerifyResults",
    "verify_many",
    "verify_digests",
    "VERIFY_PARALLEL_MIN_JOBS",
    "RUN_HERE_MAX_WORKERS",
]

#: With ``workers=None``, fewer jobs than this run in the calling process: starting a process pool
#: costs about as much as verifying this many RSA-2048 signatures (a few ms with ``fork``).
VERIFY_PARALLEL_MIN_JOBS = 1000
#: With ``workers`` up to this, no executor and a pool that cannot fork (another platform, or other
#: threads alive), the calling process verifies too, next to a pool of ``workers - 1`` processes, so
#: that the pool's slow start-up costs nothing; with more, it only feeds a pool of ``workers``. (Where
#: it can fork, the calling process is always one of the ``workers``: :mod:`cryptokit.bulk.forked`.)
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
    if digest is not None and type(digest) is not bytes:
        from ..hashing import HashToSign  # here: plain digests need no cryptokit.hashing

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


def _verify_range(
    jobs: Sequence[Any], keys: _Keys, start: int, end: int, progress: Progress | None = None
) -> VerifyResults:
    """``jobs[start:end]`` in this process, in chunks, each chunk's results kept by column as soon as it is done."""
    parts: list[VerifyResults] = []
    for first in range(start, end, _CHUNK_MAX):
        last = min(end, first + _CHUNK_MAX)
        chunk_keys, rows = _chunk(jobs, keys, first, last)
        parts.append(VerifyResults._join((verify_rows(chunk_keys, rows, first),)))
        if progress is not None:
            progress(last, len(jobs))
    return VerifyResults._join(parts)


def _run_here(jobs: Sequence[Any], progress: Progress | None) -> VerifyResults:
    return _verify_range(jobs, _Keys(portable=False), 0, len(jobs), progress)


def _run_forked(jobs: Sequence[Any], workers: int, progress: Progress | None) -> VerifyResults:
    """This process and ``workers - 1`` forked children (:func:`~cryptokit.bulk.forked.run_forked`);
    the children inherit the job list, and each process loads each key it meets once."""
    keys = _Keys(portable=False)
    ranges = forked.guided(len(jobs), workers, smallest=_HERE_PIECE)

    def work(start: int, end: int) -> VerifyResults:
        return _verify_range(jobs, keys, start, end)

    return VerifyResults._join(forked.run_forked(ranges, work, workers, progress=progress, noun="jobs"))


def verify_digests(
    key: KeyLike, signatures: Sequence[bytes], digests: Sequence[bytes], algorithm: str
) -> VerifyResults:
    """``verify_many([VerifyJob(key, s, digest=d, algorithm=algorithm) for s, d in zip(signatures,
    digests)], workers=1)``, the same results, without building a job per signature: the column
    form of one signer's prehashed signatures (what ``cryptokit verify bulk`` has for most rows).

    In this process. ``signatures`` and ``digests`` must be lists of ``bytes`` of one length and
    ``algorithm`` a hash name (``InputError`` otherwise); each entry proves what ``verify_many``'s does.
    """
    if type(algorithm) is not str:
        raise InputError("algorithm", "must be a hash name")
    sigs, hashes = _bytes_column(signatures, "signatures"), _bytes_column(digests, "digests")
    if len(sigs) != len(hashes):
        raise InputError("digests", f"has {len(hashes)} entries for {len(sigs)} signatures")
    if not sigs:
        return VerifyResults()
    keys = _Keys(portable=False)
    loaded = keys.loaded[keys.index(key)]
    run = PlainRun(0, algorithm, "auto", "auto", sigs, hashes)
    return VerifyResults._join((verify_rows([loaded], [run], 0),))


def _bytes_column(values: Any, name: str) -> list[bytes]:
    if not isinstance(values, (list, tuple)):
        raise InputError(name, f"must be a list of bytes, not {type(values).__name__}")
    for i, value in enumerate(values):
        if type(value) is not bytes:
            raise InputError(f"{name}[{i}]", f"must be bytes, not {type(value).__name__}")
    return list(values)


def _may_fork() -> bool:
    """Whether ``verify_many`` forks its workers itself (:func:`cryptokit.bulk.forked.can_fork`)."""
    return forked.can_fork()


def _process_pool() -> Any:
    """``concurrent.futures.ProcessPoolExecutor``, imported when a pool is first made: it imports
    multiprocessing (~15 ms), which a forked run does not need."""
    found = globals().get("ProcessPoolExecutor")
    if found is None:
        from concurrent.futures import ProcessPoolExecutor as found

        globals()["ProcessPoolExecutor"] = found
    return found


def __getattr__(name: str) -> Any:
    if name == "ProcessPoolExecutor":  # module.ProcessPoolExecutor, as before it was imported lazily
        return _process_pool()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _call(fn: Any, *args: Any) -> Any:
    return fn(*args)


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
    call (pass ``executor`` to reuse a pool); on Linux, while this process runs one thread, this
    process and n-1 children forked from it share the job list (see the module docstring);
    elsewhere, for n <= :data:`RUN_HERE_MAX_WORKERS`, this process is one of them, next to a pool
    of n-1.
    ``executor``: any ``concurrent.futures.Executor`` (process pool, Dask ``Client.get_executor()``,
    or a thread pool, which shares the GIL and so does not speed verification up); ``workers`` then
    sizes the chunks (default: the local core count). ``progress(done, total)`` runs in this thread
    after each chunk. Raises only :class:`InputError` for a bad ``workers`` and
    :class:`~cryptokit.bulk.dispatch.ExecutorFailed` when the executor itself fails (or a forked
    worker dies: the message names the jobs left without a result).

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
        if _may_fork():  # this process and want-1 forked children, reading the job list in place
            want = min(want, -(-total // _HERE_PIECE))  # each process at least a piece
            return _run_forked(items, want, progress) if want > 1 else _run_here(items, progress)
        # Up to RUN_HERE_MAX_WORKERS, this process is one of the ``want`` workers: it verifies while a
        # pool of want-1 starts and runs (no start-up wait, one process fewer). Above, it only
        # dispatches: feeding many workers needs the GIL that its own verifying would hold.
        size = chunk_size(total, want, per_worker=_CHUNKS_PER_WORKER, smallest=_CHUNK_MIN, largest=_CHUNK_MAX)
        here = want <= RUN_HERE_MAX_WORKERS
        pool_size = want - 1 if here else want
        with _process_pool()(min(pool_size, -(-total // size))) as pool:
            return _run_on(pool, items, pool_size, size, progress, run_here=here)
    from concurrent.futures import ThreadPoolExecutor

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
) -> VerifyResults:
    from concurrent.futures import ThreadPoolExecutor

    keys = _Keys(portable=not isinstance(executor, ThreadPoolExecutor))

    def build(start: int, end: int) -> tuple[Any, ...]:
        chunk_keys, rows = _chunk(items, keys, start, end)
        if keys.portable:
            return (chunk_keys, rows, start)
        return (verify_rows, chunk_keys, rows, start)

    here = None
    if run_here:

        def here(start: int, end: int) -> list[VerifyResult]:
            return verify_chunk(*build(start, end))  # this process's own key cache: each key parsed once

    fn: Any = _verify_chunk_columns if keys.portable else _call
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
