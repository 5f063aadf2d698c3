"""A bounded LRU of chain reports, so a bulk run validates each distinct chain once.

Key: (leaf, intermediates, anchors, CRLs, policy, time bucket), where each certificate or CRL is
keyed as given (an ``x509.Certificate`` hashes by its DER; bytes by themselves), so a hit costs no
parsing. A report is stored only when no time boundary that could change it (a notBefore/notAfter
of any input certificate, a CRL's thisUpdate/nextUpdate or revocation date, a policy algorithm
end date) falls inside its bucket: a cached answer is then exactly the answer for any ``at`` in the
bucket. Thread-safe. It is a memo of a pure function, not configuration.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from ..errors import InputError

__all__ = ["ChainCache", "CacheStats"]

V = TypeVar("V")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class CacheStats:
    hits: int
    misses: int
    uncacheable: int
    size: int
    maxsize: int


class _Key:
    """A cache key hashed once: the dict then hashes it in O(1) on every lookup, move and store."""

    __slots__ = ("_hash", "parts")

    def __init__(self, parts: tuple[object, ...], hashed: int) -> None:
        self.parts, self._hash = parts, hashed

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Key) and other._hash == self._hash and other.parts == self.parts


_PLAIN = frozenset({bytes, str, int, type(None)})
_EMPTY_HASH = hash(())


class ChainCache(Generic[V]):
    """LRU of at most ``maxsize`` reports; ``bucket_seconds`` wide time buckets."""

    def __init__(self, maxsize: int = 4096, bucket_seconds: int = 300) -> None:
        if not isinstance(maxsize, int) or maxsize < 1:
            raise InputError("maxsize", "must be a positive integer")
        if not isinstance(bucket_seconds, int) or bucket_seconds < 1:
            raise InputError("bucket_seconds", "must be a positive integer")
        self.maxsize = maxsize
        self.bucket_seconds = bucket_seconds
        self._data: OrderedDict[Hashable, V] = OrderedDict()
        #: hash values of the objects of recent keys by id() (the object is kept, so the id stays its)
        self._hashes: dict[int, tuple[object, int]] = {}
        self._lock = threading.Lock()
        self._hits = self._misses = self._uncacheable = 0

    def key(self, parts: tuple[object, ...]) -> Hashable:
        """A key for ``parts`` (hashable items and tuples of them) that is hashed once, here; the hash of
        an object such as an ``x509.Certificate`` (which hashes its DER on every call) is remembered
        for that object. Keys are equal when their parts are, as for the tuple itself. Raises
        TypeError for an unhashable item."""
        return _Key(parts, self._hash_of(parts))

    def _hash_of(self, item: object) -> int:
        kind = type(item)
        if kind in _PLAIN:
            return hash(item)
        if kind is tuple:
            if not item:
                return _EMPTY_HASH
            hashes = self._hashes
            out = []
            for p in item:  # type: ignore[attr-defined]
                found = hashes.get(id(p))  # the common case inline: an object seen in a recent key
                out.append(found[1] if found is not None and found[0] is p else self._hash_of(p))
            return hash(tuple(out))
        found = self._hashes.get(id(item))
        if found is not None and found[0] is item:
            return found[1]
        hashed = hash(item)
        with self._lock:
            if len(self._hashes) >= 4 * self.maxsize:
                self._hashes.clear()  # the objects of old keys: let them go
            self._hashes[id(item)] = (item, hashed)
        return hashed

    def bucket(self, at: dt.datetime) -> int:
        return int((at - _EPOCH).total_seconds()) // self.bucket_seconds

    def bucket_bounds(self, bucket: int) -> tuple[dt.datetime, dt.datetime]:
        start = _EPOCH + dt.timedelta(seconds=bucket * self.bucket_seconds)
        return start, start + dt.timedelta(seconds=self.bucket_seconds)

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            value = self._data.get(key)
            if value is None:
                self._misses += 1
                return None
            self._data.move_to_end(key)
            self._hits += 1
            return value

    def put(self, key: Hashable, bucket: int, boundaries: Iterable[dt.datetime], value: V) -> bool:
        """Store ``value`` unless a boundary falls inside ``bucket``; True when stored."""
        start, end = self.bucket_bounds(bucket)
        if any(start <= b < end for b in boundaries):
            with self._lock:
                self._uncacheable += 1
            return False
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)
        return True

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._hashes.clear()
            self._hits = self._misses = self._uncacheable = 0

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(self._hits, self._misses, self._uncacheable, len(self._data), self.maxsize)

    def __len__(self) -> int:
        return len(self._data)
