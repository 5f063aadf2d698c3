"""What ``verify_many`` returns: one :class:`VerifyResult` per job, kept by column in a :class:`VerifyResults`."""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import CryptokitError, InputError
from .packed_errors import PackedError, pack_error, unpack_error

__all__ = ["VerifyResult", "VerifyResults", "ok_result"]


@dataclass(frozen=True, slots=True, eq=False)
class VerifyResult:
    """The outcome of one :class:`VerifyJob`.

    ``ok`` is True when the signature verified; else ``error`` is the typed error
    (:class:`InvalidSignature` for a well-formed signature that does not verify, :class:`InputError`
    naming ``jobs[i].field`` for malformed input, :class:`UnsupportedAlgorithm`). ``scheme`` is the
    scheme checked (``pkcs1v15``, ``pss``, ``ecdsa``, ``ed25519``, ``ed448``; None when the key did
    not load) and ``encoding`` the ECDSA encoding checked (``der`` or ``raw``; None otherwise).
    Results compare equal when ok, scheme, encoding, error type and message are equal.
    """

    ok: bool
    error: CryptokitError | None
    scheme: str | None
    encoding: str | None

    def __bool__(self) -> bool:
        return self.ok

    def _key(self) -> tuple[Any, ...]:
        err = self.error
        return (self.ok, self.scheme, self.encoding, type(err), None if err is None else str(err))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VerifyResult):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self) -> tuple[Any, ...]:
        # Sent packed (packed_errors): a small tuple, and a foreign exception's text stays behind.
        packed = None if self.error is None else pack_error(self.error)
        return (_rebuild, (self.ok, packed, self.scheme, self.encoding))


def _rebuild(ok: bool, packed: PackedError | None, scheme: str | None, encoding: str | None) -> VerifyResult:
    if ok:
        return ok_result(scheme, encoding)
    return VerifyResult(False, None if packed is None else unpack_error(packed), scheme, encoding)


_OK: dict[tuple[str | None, str | None], VerifyResult] = {
    (s, e): VerifyResult(True, None, s, e)
    for s, e in (
        ("pkcs1v15", None),
        ("pss", None),
        ("ecdsa", "der"),
        ("ecdsa", "raw"),
        ("ed25519", None),
        ("ed448", None),
    )
}


def ok_result(scheme: str | None, encoding: str | None) -> VerifyResult:
    """The shared success result (results are immutable, so one object serves every success)."""
    result = _OK.get((scheme, encoding))
    return result if result is not None else VerifyResult(True, None, scheme, encoding)


#: The shared successes, in a fixed order: a job's code in :class:`VerifyResults` is its index here.
_TABLE: tuple[VerifyResult, ...] = tuple(_OK.values())
_CODE_BY_ID: dict[int, int] = {id(result): code for code, result in enumerate(_TABLE)}
_CODE_BY_VALUE: dict[tuple[str | None, str | None], int] = {key: code for code, key in enumerate(_OK)}
_OTHER = 255  # the job's result is in ``_others`` (a failure, or a success outside the table)


class VerifyResults(Sequence[VerifyResult]):
    """One :class:`VerifyResult` per job, in order, stored by column: what ``verify_many`` returns.

    It reads like a list (``len``, indexing, slicing, iteration, ``==`` against another
    ``VerifyResults``, a list or a tuple of results; ``list(results)`` gives a plain list), but it
    keeps one byte per job (which shared success it is) and the results of the jobs that did not
    verify, so a million jobs cost a megabyte and the failures, not a million list slots. The
    columns come without building entries: :attr:`ok`, :attr:`failed`, :meth:`failures` and
    :meth:`ok_mask`. A slice is a ``VerifyResults`` of its own (positions counted from its start).
    """

    __slots__ = ("_codes", "_others")

    _codes: bytes
    _others: dict[int, VerifyResult]

    def __init__(self, results: Iterable[VerifyResult] = ()) -> None:
        codes, others = _encode(results, 0, strict=True)
        object.__setattr__(self, "_codes", bytes(codes))
        object.__setattr__(self, "_others", others)

    @classmethod
    def _trusted(cls, codes: bytes, others: dict[int, VerifyResult]) -> VerifyResults:
        self = cls.__new__(cls)
        object.__setattr__(self, "_codes", codes)
        object.__setattr__(self, "_others", others)
        return self

    @classmethod
    def _join(cls, parts: Iterable[Sequence[VerifyResult]]) -> VerifyResults:
        """The parts (``VerifyResults`` or lists the engine built) one after the other."""
        codes = bytearray()
        others: dict[int, VerifyResult] = {}
        for part in parts:
            start = len(codes)
            if type(part) is VerifyResults:
                codes += part._codes
                others.update((start + i, r) for i, r in part._others.items())
            else:
                part_codes, part_others = _encode(part, start, strict=False)
                codes += part_codes
                others.update(part_others)
        return cls._trusted(bytes(codes), others)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("VerifyResults is read-only")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("VerifyResults is read-only")

    def __getitem__(self, index: int | slice) -> Any:  # a VerifyResult, or a VerifyResults for a slice
        if isinstance(index, slice):
            positions = range(len(self._codes))[index]
            codes = self._codes[index]
            others = {n: self._others[p] for n, p in enumerate(positions) if codes[n] == _OTHER}
            return VerifyResults._trusted(codes, others)
        try:
            code = self._codes[index]
        except TypeError:
            raise InputError("index", f"must be an int or a slice, not {type(index).__name__}") from None
        # IndexError is left as it is: it is how a Sequence ends iteration and how ``in`` stops.
        if code != _OTHER:
            return _TABLE[code]
        return self._others[index % len(self._codes)]

    def __iter__(self) -> Iterator[VerifyResult]:
        if not self._others:  # every job a shared success: mapped in C
            return map(_TABLE.__getitem__, self._codes)
        return self._iter_mixed()

    def __len__(self) -> int:
        return len(self._codes)

    def _iter_mixed(self) -> Iterator[VerifyResult]:
        others = self._others
        for position, code in enumerate(self._codes):
            yield _TABLE[code] if code != _OTHER else others[position]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, VerifyResults):
            return (self._codes, self._others) == (other._codes, other._others)
        if not isinstance(other, (list, tuple)):
            return NotImplemented
        return len(other) == len(self._codes) and all(map(operator.eq, self, other))

    __hash__ = None  # type: ignore[assignment]

    def __add__(self, other: object) -> Any:
        """Concatenation, as lists do: with another VerifyResults a VerifyResults, with a list a list."""
        if isinstance(other, VerifyResults):
            return VerifyResults._join((self, other))
        if isinstance(other, (list, tuple)):
            return [*self, *other]
        return NotImplemented

    def __radd__(self, other: object) -> Any:
        if isinstance(other, (list, tuple)):
            return [*other, *self]
        return NotImplemented

    def __repr__(self) -> str:
        return f"VerifyResults({len(self._codes)} jobs, {self.failed} failed)"

    def __reduce__(self) -> tuple[Any, ...]:
        return (VerifyResults._trusted, (self._codes, self._others))

    # -- the columns ----------------------------------------------------------------------------

    @property
    def ok(self) -> bool:
        """True when every job verified."""
        return self.failed == 0

    @property
    def failed(self) -> int:
        """How many jobs did not verify."""
        return sum(1 for r in self._others.values() if not r.ok)

    def failures(self) -> dict[int, VerifyResult]:
        """The result of each job that did not verify, by position (a new dict)."""
        return {position: r for position, r in self._others.items() if not r.ok}

    def ok_mask(self) -> bytes:
        """One byte per job: 1 where it verified, 0 where it did not."""
        if not self._others:
            return b"\x01" * len(self._codes)
        mask = bytearray(b"\x01" * len(self._codes))
        for position, r in self._others.items():
            mask[position] = 1 if r.ok else 0
        return bytes(mask)


def _encode(results: Iterable[VerifyResult], start: int, *, strict: bool) -> tuple[bytearray, dict[int, VerifyResult]]:
    """Codes for ``results`` (positions from ``start``) and the results kept whole."""
    get = _CODE_BY_ID.get
    items = results if isinstance(results, (list, tuple)) else list(results)
    codes = bytearray(get(id(r), _OTHER) for r in items)
    others: dict[int, VerifyResult] = {}
    if _OTHER in codes:
        for position, code in enumerate(codes):
            if code != _OTHER:
                continue
            r = items[position]
            if strict and type(r) is not VerifyResult:
                raise InputError(f"results[{position}]", f"must be a VerifyResult, not {type(r).__name__}")
            shared = _CODE_BY_VALUE.get((r.scheme, r.encoding)) if r.ok and r.error is None else None
            if shared is not None:
                codes[position] = shared
            else:
                others[start + position] = r
    return codes, others
