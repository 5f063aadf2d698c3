"""What ``verify_many`` returns: one :class:`VerifyResult` per job."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import CryptokitError
from .packed_errors import PackedError, pack_error, unpack_error

__all__ = ["VerifyResult", "ok_result"]


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
        # Typed errors do not pickle (InputError needs field and rule); send them packed.
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
