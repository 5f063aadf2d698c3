"""Vendor protocols, sans-I/O: each builds :class:`HttpRequest` values and parses (status, body).

No module here opens a socket. A transport sends ``HttpRequest`` however it likes and hands the
answer's status and body back to the matching ``parse_*`` function.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["HttpRequest", "HttpResponse"]


def _frozen(mapping: Mapping[str, str] | None) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping or {}))


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """One HTTP request as data: what a transport must send, byte for byte.

    ``path`` is relative to the service's base URL; ``query`` and ``headers`` are read-only
    mappings; ``body`` is the exact bytes to send (empty for GET).
    """

    method: str
    path: str
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def __post_init__(self) -> None:
        object.__setattr__(self, "query", _frozen(self.query))
        object.__setattr__(self, "headers", _frozen(self.headers))

    def header(self, name: str) -> str | None:
        """A header's value, matched case-insensitively."""
        return _header(self.headers, name)

    def __repr__(self) -> str:
        # Headers may carry credentials (Authorization, emKey, passwords): show names only.
        names = ", ".join(sorted(self.headers))
        return (
            f"HttpRequest({self.method} {self.path}, query={sorted(self.query)}, "
            f"headers=[{names}], body={len(self.body)} bytes)"
        )


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """One HTTP answer as data, what a server half returns: ``status``, ``headers``, ``body`` bytes.

    Unpacks as ``status, headers, body = response``; a client parser takes ``(response.status,
    response.body)``. ``headers`` is a read-only mapping.
    """

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def __post_init__(self) -> None:
        object.__setattr__(self, "headers", _frozen(self.headers))

    def header(self, name: str) -> str | None:
        """A header's value, matched case-insensitively."""
        return _header(self.headers, name)

    def __iter__(self) -> Iterator[object]:
        return iter((self.status, self.headers, self.body))

    def __repr__(self) -> str:
        names = ", ".join(sorted(self.headers))
        return f"HttpResponse({self.status}, headers=[{names}], body={len(self.body)} bytes)"
