"""Bulk engines: hash and verify many items at the machine's limit, on one core, all cores or a cluster.

``hash_many(sources, algorithm="sha256", *, workers=None, executor=None, progress=None)`` returns
a :class:`HashResults`, one entry per source, in order: a :class:`~cryptokit.hashing.HashToSign`, or
a :class:`HashError` (falsy, ``.ok`` False, ``.error`` the typed error, ``.digest``/``.b64``/``.hex``
None) for a source that could not be read. So ``[r.digest for r in results]`` gives bytes or None,
``if r:`` separates the two, and :func:`unwrap` gives a plain list or raises the first error.
``HashResults`` stores the digests by column and builds entries when read; ``.digests()``,
``.b64()`` and ``.hex()`` give whole columns without building them. Large inputs run on
threads (``hashlib`` releases the GIL for buffers over 2 KiB, and file reads release it); many
small documents are batched in the calling thread (the comprehension of
:func:`cryptokit.hashing.hash_batch`, made never to raise for one source).

``verify_many(jobs, *, workers=None, executor=None, progress=None)`` takes :class:`VerifyJob` values
and returns one :class:`VerifyResult` per job, in order (``.ok``, ``.error``, ``.scheme``,
``.encoding``), as a :class:`VerifyResults`: a read-only sequence kept by column (one byte per job
and the results of the jobs that did not verify; ``.ok``, ``.failed``, ``.failures()``,
``.ok_mask()``), so a million jobs need no million-slot list. It runs on several processes by
default, because cryptography holds the GIL while it verifies: on Linux the calling process and
n-1 children forked from it share the job list (:mod:`cryptokit.bulk.forked`, the scheduler
``cryptokit verify bulk`` uses too); elsewhere, with ``workers=n`` up to
:data:`RUN_HERE_MAX_WORKERS`, the calling process verifies next to a pool of n-1.
``verify_digests(key, signatures, digests, algorithm)`` is the column form of one signer's
prehashed signatures: ``verify_many``'s results without a ``VerifyJob`` per signature. Keys go to
pool workers as DER or PEM bytes once per chunk (forked children inherit them) and are parsed once
per worker process (:func:`key_cache_info` shows the count for pickled keys). It verifies
signatures only: certificate chains are not validated here (``cryptokit.chain`` caches chain
validation, so validate each distinct chain once, then verify in bulk).

Both accept any ``concurrent.futures.Executor``: ``ThreadPoolExecutor``, ``ProcessPoolExecutor`` or
a Dask cluster's ``distributed.Client(...).get_executor()``; the results are the same as on one
core. ``workers=1`` means in the calling process with no pool; ``workers=None`` means every core
for batches big enough to gain from it (:data:`HASH_PARALLEL_MIN_BYTES` of large inputs,
:data:`VERIFY_PARALLEL_MIN_JOBS` jobs) and in-process below that. ``progress(done, total)`` is called
in the calling thread after each chunk.

Scheme and encoding reported by ``verify_many``: ``scheme="auto"`` resolves from the key exactly as
``verify_digest`` does (RSA: ``pkcs1v15``, or ``pss`` for an RSASSA-PSS key; EC: ``ecdsa``; EdDSA:
``ed25519``/``ed448``). For ECDSA with ``signature_encoding="auto"`` the encoding is decided before
verifying, by the rule ``verify_digest`` itself uses: a signature of exactly twice the curve's order
length is ``raw`` r||s, anything else ``der``; only when a raw-length value fails as raw and is also
strict DER is it verified a second time, as DER (as ``verify_digest`` does), and reported ``der``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import _lazy_attribute
from .dispatch import ExecutorFailed, Progress

if TYPE_CHECKING:
    from .hash import HASH_CHUNK_ITEMS, HASH_PARALLEL_MIN_BYTES, HashError, HashOutcome, HashResults, hash_many, unwrap
    from .verify import (
        RUN_HERE_MAX_WORKERS,
        VERIFY_PARALLEL_MIN_JOBS,
        VerifyJob,
        VerifyResult,
        VerifyResults,
        verify_digests,
        verify_many,
    )
    from .worker import KEY_CACHE_SIZE, key_cache_info, reset_key_cache

# Each name loads its module on first use: ``cryptokit verify bulk`` needs the verify engine, not
# the hashing one (and ``from cryptokit.bulk import X`` works as before).
_LAZY: dict[str, str] = {
    **dict.fromkeys(("HASH_CHUNK_ITEMS", "HASH_PARALLEL_MIN_BYTES", "HashError", "HashOutcome", "HashResults"), "hash"),
    **dict.fromkeys(("hash_many", "unwrap"), "hash"),
    **dict.fromkeys(
        (
            "RUN_HERE_MAX_WORKERS",
            "VERIFY_PARALLEL_MIN_JOBS",
            "VerifyJob",
            "VerifyResult",
            "VerifyResults",
            "verify_digests",
            "verify_many",
        ),
        "verify",
    ),
    **dict.fromkeys(("KEY_CACHE_SIZE", "key_cache_info", "reset_key_cache"), "worker"),
}


def __getattr__(name: str) -> object:
    return _lazy_attribute(__name__, _LAZY, globals(), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "hash_many",
    "HashError",
    "HashOutcome",
    "HashResults",
    "unwrap",
    "verify_many",
    "verify_digests",
    "VerifyJob",
    "VerifyResult",
    "VerifyResults",
    "ExecutorFailed",
    "Progress",
    "key_cache_info",
    "reset_key_cache",
    "HASH_PARALLEL_MIN_BYTES",
    "HASH_CHUNK_ITEMS",
    "VERIFY_PARALLEL_MIN_JOBS",
    "RUN_HERE_MAX_WORKERS",
    "KEY_CACHE_SIZE",
]
