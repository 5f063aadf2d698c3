"""The results of hashing many sources: one ordered, read-only sequence, stored by column.

``hash_batch`` and ``hash_many`` return a :class:`HashResults`. It reads like a list of
:class:`~cryptokit.hashing.HashToSign` (one per source, or a :class:`HashError` where a source could
not be hashed), but it keeps the raw digests and builds each ``HashToSign`` when it is read. A bulk
run over millions of documents so holds one ``bytes`` per document instead of a tuple, a bytes
and a list slot, and the column accessors (:meth:`HashResults.digests`, :meth:`~HashResults.b64`,
:meth:`~HashResults.hex`) hand the digests on without building an object per entry at all.

Proves nothing about the sources beyond their digests.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any, ClassVar, overload

from .algorithms import HashAlgorithm, hash_algorithm
from .encoding import b64encode, b64encode_all
from .errors import CryptokitError, InputError
from .hashing import HashToSign

__all__ = ["HashError", "HashOutcome", "HashResults"]

_make = tuple.__new__  # builds a HashToSign whose digest length is already known to be right


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
