"""Hash-to-sign: the digest a remote-signing client sends, with its algorithm and OID.

``hash_to_sign`` streams files in large blocks (never reads them whole), so a 1 GiB document
costs one buffer of memory. ``HashToSign.from_b64`` rebuilds a value received on the wire and checks
its length against the algorithm (the condition of ADSS error 60055 and CSC's hash mismatch).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import IO, Any, ClassVar, NamedTuple, Union, overload

from .algorithms import HashAlgorithm, digest_info, hash_algorithm
from .encoding import b64decode, b64encode, b64encode_all
from .errors import CryptokitError, InputError

__all__ = [
    "HashToSign",
    "HashSource",
    "hash_to_sign",
    "hash_batch",
    "digest_source",
    "BLOCK_SIZE",
    "HashError",
    "HashOutcome",
    "HashResults",
]

#: Read size for files and file objects (1 MiB: large enough that the per-call cost vanishes).
BLOCK_SIZE = 1024 * 1024

HashSource = Union[bytes, bytearray, memoryview, "os.PathLike[str]", "os.PathLike[bytes]", IO[bytes], Iterable[bytes]]


class _HashToSignFields(NamedTuple):
    algorithm: HashAlgorithm
    digest: bytes


class HashToSign(_HashToSignFields):
    """A digest and the algorithm that made it (immutable).

    Proves nothing by itself: it is what a client sends to be signed and what a verifier checks a
    returned signature against. It is a named tuple rather than a frozen dataclass because bulk
    hashing makes millions of them and a tuple is built three times faster.
    """

    __slots__ = ()
    #: Always True and None: lets ``hash_many`` results (``HashToSign`` or ``HashError``) be checked alike.
    ok: ClassVar[bool] = True
    error: ClassVar[None] = None

    def __new__(cls, algorithm: HashAlgorithm, digest: bytes) -> HashToSign:
        if not isinstance(algorithm, HashAlgorithm):
            raise InputError("algorithm", "must be a HashAlgorithm (use hash_algorithm(name))")
        if not isinstance(digest, bytes):
            raise InputError("digest", f"must be bytes, not {type(digest).__name__}")
        if len(digest) != algorithm.digest_size:
            raise InputError(
                "digest",
                f"is {len(digest)} bytes; {algorithm.name} digests are {algorithm.digest_size}",
            )
        return _make(cls, (algorithm, digest))

    @property
    def oid(self) -> str:
        """Dotted OID of the hash algorithm (what ADSS ``hash_algo`` and CSC ``hashAlgo`` carry)."""
        return self.algorithm.oid

    @property
    def b64(self) -> str:
        """Standard base64 of the digest."""
        return b64encode(self.digest)

    @property
    def hex(self) -> str:
        """Lowercase hex of the digest."""
        return self.digest.hex()

    def digest_info(self) -> bytes:
        """DER DigestInfo (what RSA PKCS#1 v1.5 signs)."""
        return digest_info(self.algorithm, self.digest)

    @classmethod
    def from_b64(cls, algorithm: str | HashAlgorithm, b64: str | bytes) -> HashToSign:
        """Rebuild from base64 text, checking the length against the algorithm."""
        alg = hash_algorithm(algorithm)
        return cls(alg, b64decode(b64, field="hash_to_sign_base64", max_size=1024))

    @classmethod
    def from_hex(cls, algorithm: str | HashAlgorithm, hex_text: str | bytes) -> HashToSign:
        """Rebuild from hex text, checking the length against the algorithm."""
        from .encoding import hex_decode

        alg = hash_algorithm(algorithm)
        return cls(alg, hex_decode(hex_text, field="hash_hex", max_size=1024))

    def __repr__(self) -> str:
        return f"HashToSign({self.algorithm.name}, {self.hex})"


def _digest_file(path: str | bytes | os.PathLike[Any], alg: HashAlgorithm) -> bytes:
    h = alg.new()
    buf = bytearray(BLOCK_SIZE)
    view = memoryview(buf)
    try:
        with open(path, "rb", buffering=0) as f:
            while n := f.readinto(buf):
                h.update(view[:n])
    except OSError as exc:
        raise InputError("source", f"cannot read file: {exc.strerror or exc}") from None
    return bytes(h.digest())


def _digest_fileobj(f: Any, alg: HashAlgorithm) -> bytes:
    h = alg.new()
    readinto = getattr(f, "readinto", None)
    try:
        if readinto is not None:
            buf = bytearray(BLOCK_SIZE)
            view = memoryview(buf)
            while n := readinto(buf):
                h.update(view[:n])
        else:
            while chunk := f.read(BLOCK_SIZE):
                if not isinstance(chunk, (bytes, bytearray, memoryview)):
                    raise InputError("source", "file object must be opened in binary mode")
                h.update(chunk)
    except OSError as exc:
        raise InputError("source", f"cannot read file object: {exc.strerror or exc}") from None
    return bytes(h.digest())


def _digest_chunks(chunks: Iterable[Any], alg: HashAlgorithm) -> bytes:
    h = alg.new()
    for index, chunk in enumerate(chunks):
        if not isinstance(chunk, (bytes, bytearray, memoryview)):
            raise InputError(f"source[{index}]", f"chunks must be bytes, not {type(chunk).__name__}")
        h.update(chunk)
    return bytes(h.digest())


def digest_source(source: Any, alg: HashAlgorithm) -> bytes:
    """The raw digest of any supported source (the engine behind ``hash_to_sign``)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(alg._new(source).digest())  # type: ignore[misc]
    if isinstance(source, os.PathLike):
        return _digest_file(source, alg)
    if isinstance(source, str):
        raise InputError("source", "a str is ambiguous: pass bytes for data or a pathlib.Path for a file")
    if hasattr(source, "readinto") or hasattr(source, "read"):
        return _digest_fileobj(source, alg)
    if isinstance(source, Iterable):
        return _digest_chunks(source, alg)
    raise InputError("source", f"must be bytes, a path, a binary file object or chunks, not {type(source).__name__}")


_make = tuple.__new__  # builds a HashToSign whose digest length is already known to be right


def hash_to_sign(source: HashSource, algorithm: str | HashAlgorithm = "sha256") -> HashToSign:
    """Hash ``source`` (bytes-like data, a path, a binary file object, or an iterable of chunks).

    Files are streamed in 1 MiB blocks. Errors reading the source are :class:`InputError`.
    """
    alg = hash_algorithm(algorithm)
    try:
        digest = digest_source(source, alg)
    except CryptokitError:
        raise
    except (TypeError, ValueError) as exc:  # e.g. a closed file object
        raise InputError("source", f"cannot be read: {type(exc).__name__}") from None
    return _make(HashToSign, (alg, digest))


def hash_batch(sources: Iterable[HashSource], algorithm: str | HashAlgorithm = "sha256") -> HashResults:
    """Hash many sources in order in this thread; the first bad source raises.

    The engine under ``bulk.hash_many``: the algorithm is resolved once and ``bytes`` take a fast
    path that keeps only the digest; the :class:`HashResults` returned
    builds each ``HashToSign`` when it is read, so many small documents cost what bare ``hashlib`` does.
    """
    alg = hash_algorithm(algorithm)
    new = alg._new
    assert new is not None
    if not isinstance(sources, Iterable):
        raise InputError("sources", f"must be an iterable of sources, not {type(sources).__name__}")
    entries = [new(s).digest() if type(s) is bytes else hash_to_sign(s, alg).digest for s in sources]
    return HashResults._trusted(alg, entries, 0)

# ----------------------------------------------------------------- the results of hashing many
#
# The results of hashing many sources: one ordered, read-only sequence, stored by column.
#
# ``hash_batch`` and ``hash_many`` return a :class:`HashResults`. It reads like a list of
# :class:`~cryptokit.hashing.HashToSign` (one per source, or a :class:`HashError` where a source could
# not be hashed), but it keeps the raw digests and builds each ``HashToSign`` when it is read. A bulk
# run over millions of documents so holds one ``bytes`` per document instead of a tuple, a bytes
# and a list slot, and the column accessors (:meth:`HashResults.digests`, :meth:`~HashResults.b64`,
# :meth:`~HashResults.hex`) hand the digests on without building an object per entry at all.
#
# Proves nothing about the sources beyond their digests.




@dataclass(frozen=True, slots=True, eq=False)
class HashError:
    """The entry for a source that could not be hashed, in place of its :class:`HashToSign`.

    ``index`` is the source's position, ``error`` the typed cryptokit error (an :class:`InputError`
    names the field ``sources[index]``). It is falsy and its ``digest``, ``b64`` and ``hex`` are
    None, so ``[r.digest for r in results]`` gives bytes or None and ``if r:`` tells the two apart.
    Two HashErrors are equal when index, error type and message are.
    """

    index: int
    error: CryptokitError
    #: Always False (a :class:`HashToSign` in the same results is the success); no digest in any form.
    ok: ClassVar[bool] = False
    digest: ClassVar[None] = None
    b64: ClassVar[None] = None
    hex: ClassVar[None] = None

    def __post_init__(self) -> None:
        if isinstance(self.index, bool) or not isinstance(self.index, int) or self.index < 0:
            raise InputError("index", "must be a non-negative integer")
        if not isinstance(self.error, CryptokitError):
            raise InputError("error", f"must be a cryptokit error, not {type(self.error).__name__}")

    def __bool__(self) -> bool:
        return False

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, HashError):
            return NotImplemented
        return (self.index, type(self.error), str(self.error)) == (other.index, type(other.error), str(other.error))

    def __hash__(self) -> int:
        return hash((self.index, type(self.error), str(self.error)))


HashOutcome = HashToSign | HashError


class HashResults(Sequence[HashOutcome]):
    """One entry per source, in order: a :class:`HashToSign`, or a :class:`HashError` for a bad source.

    A read-only sequence: ``len``, indexing, iteration and ``==`` against another ``HashResults``, a
    list or a tuple of entries work as on a list; ``list(results)`` gives a plain list. A slice is a
    ``HashResults`` whose :class:`HashError` entries keep their ``index`` in the whole call. Entries
    are built when read, so reading one twice gives equal, not identical, objects. The columns come
    without building entries: :meth:`digests`, :meth:`b64`, :meth:`hex` (None where a source
    failed), and :attr:`errors`.

    Construct one with :func:`cryptokit.hashing.hash_batch` or :func:`cryptokit.bulk.hash_many`;
    the constructor, for results rebuilt by hand, checks every digest's length.
    """

    __slots__ = ("_algorithm", "_entries", "_failed")

    _algorithm: HashAlgorithm
    _entries: list[Any]  # bytes (a digest of the right length) or HashError
    _failed: int

    def __init__(self, algorithm: str | HashAlgorithm, entries: Sequence[bytes | HashError]) -> None:
        alg = hash_algorithm(algorithm)
        if not isinstance(entries, (list, tuple)):
            raise InputError("entries", f"must be a list or tuple, not {type(entries).__name__}")
        checked: list[Any] = []
        for index, entry in enumerate(entries):
            if isinstance(entry, HashError):
                checked.append(entry)
            elif type(entry) is bytes and len(entry) == alg.digest_size:
                checked.append(entry)
            else:
                rule = f"must be a {alg.digest_size}-byte {alg.name} digest or a HashError"
                raise InputError(f"entries[{index}]", rule)
        self._set(alg, checked)

    @classmethod
    def _trusted(cls, algorithm: HashAlgorithm, entries: list[Any], failed: int | None = None) -> HashResults:
        """Wrap ``entries`` (owned from now on) that the engines built: digests of the right length or HashErrors."""
        self = cls.__new__(cls)
        self._set(algorithm, entries, failed)
        return self

    def _set(self, algorithm: HashAlgorithm, entries: list[Any], failed: int | None = None) -> None:
        if failed is None:
            failed = len(entries) - list(map(type, entries)).count(bytes)
        object.__setattr__(self, "_algorithm", algorithm)
        object.__setattr__(self, "_entries", entries)
        object.__setattr__(self, "_failed", failed)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("HashResults is read-only")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("HashResults is read-only")

    # -- the sequence ---------------------------------------------------------------------------

    @property
    def algorithm(self) -> HashAlgorithm:
        """The hash algorithm of every digest."""
        return self._algorithm

    def __len__(self) -> int:
        return len(self._entries)

    @overload
    def __getitem__(self, index: int) -> HashOutcome: ...

    @overload
    def __getitem__(self, index: slice) -> HashResults: ...

    def __getitem__(self, index: int | slice) -> HashOutcome | HashResults:
        if isinstance(index, slice):
            return HashResults._trusted(self._algorithm, self._entries[index])
        try:
            entry = self._entries[index]
        except TypeError:
            raise InputError("index", f"must be an int or a slice, not {type(index).__name__}") from None
        # IndexError is left as it is: it is how a Sequence ends iteration and how ``in`` stops.
        if type(entry) is bytes:
            return _make(HashToSign, (self._algorithm, entry))
        return entry  # type: ignore[no-any-return]

    def __iter__(self) -> Iterator[HashOutcome]:
        if not self._failed:  # every entry a digest: built in C, one tuple per step
            return map(_make, repeat(HashToSign), zip(repeat(self._algorithm), self._entries))
        return self._iter_mixed()

    def _iter_mixed(self) -> Iterator[HashOutcome]:
        alg = self._algorithm
        for entry in self._entries:
            yield _make(HashToSign, (alg, entry)) if type(entry) is bytes else entry

    def __eq__(self, other: object) -> bool:
        if isinstance(other, HashResults):
            return self._algorithm.name == other._algorithm.name and self._entries == other._entries
        if isinstance(other, (list, tuple)):
            return len(other) == len(self._entries) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"HashResults({self._algorithm.name}, {len(self._entries)} entries, {self._failed} failed)"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self._algorithm.name, self._entries, self._failed))

    # -- the columns ----------------------------------------------------------------------------

    @property
    def ok(self) -> bool:
        """True when every source was hashed (no :class:`HashError` entry)."""
        return not self._failed

    @property
    def errors(self) -> list[HashError]:
        """The error entries, in order (empty when :attr:`ok`)."""
        if not self._failed:
            return []
        return [e for e in self._entries if type(e) is not bytes]

    def digests(self) -> list[bytes | None]:
        """The raw digests in order, None where a source failed (a new list; no entry is built)."""
        if not self._failed:
            return list(self._entries)
        return [e if type(e) is bytes else None for e in self._entries]

    def b64(self) -> list[str | None]:
        """Standard base64 of each digest (what ADSS and CSC carry), None where a source failed."""
        if not self._failed:
            return b64encode_all(self._entries)  # type: ignore[return-value]
        return [b64encode(e) if type(e) is bytes else None for e in self._entries]

    def hex(self) -> list[str | None]:
        """Lowercase hex of each digest, None where a source failed."""
        if not self._failed:
            return list(map(bytes.hex, self._entries))
        return [e.hex() if type(e) is bytes else None for e in self._entries]

    def unwrap(self) -> list[HashToSign]:
        """Every entry as a plain list of :class:`HashToSign`; raises the first failed entry's error."""
        if self._failed:
            raise self.errors[0].error
        return list(self)  # type: ignore[arg-type]


def _rebuild(algorithm: str, entries: list[Any], failed: int) -> HashResults:
    return HashResults._trusted(hash_algorithm(algorithm), entries, failed)
