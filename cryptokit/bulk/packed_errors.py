"""Carry errors across a process boundary (the bulk engines' workers) as small tuples.

A worker sends a plain tuple and the caller rebuilds a typed error: exceptions that are not
cryptokit errors become a :class:`CryptokitError` naming only their type (their text may quote
input), and the payload stays small. Every cryptokit error also pickles directly, with its type,
text, args and attributes (``CryptokitError.__reduce__``, since 4fd3765): this packing is a choice
of size and of hiding foreign exceptions' text, not a workaround. It keeps InputError's field and
rule and the message-only classes' types; other cryptokit errors arrive as CryptokitError with
their class name in the message (pickle them directly where their type and attributes matter)."""

from __future__ import annotations

from .. import errors
from ..errors import CryptokitError, InputError

__all__ = ["PackedError", "pack_error", "unpack_error", "relabel"]

#: ("InputError", field, rule) or (class name, message).
PackedError = tuple[str, ...]

# Errors whose constructor takes exactly one message argument.
_MESSAGE_ONLY: dict[str, type[CryptokitError]] = {
    cls.__name__: cls
    for cls in (
        errors.CryptokitError,
        errors.UnsupportedAlgorithm,
        errors.InvalidSignature,
        errors.PolicyViolation,
    )
}


def pack_error(exc: BaseException) -> PackedError:
    """A picklable description of ``exc`` from which :func:`unpack_error` rebuilds a typed error."""
    if isinstance(exc, InputError):
        return ("InputError", exc.field, exc.rule)
    if isinstance(exc, CryptokitError):
        name = type(exc).__name__
        if name in _MESSAGE_ONLY:
            return (name, str(exc))
        return ("CryptokitError", f"{name}: {exc}")
    return ("CryptokitError", f"unexpected {type(exc).__name__} in a bulk worker")


def unpack_error(packed: PackedError) -> CryptokitError:
    """The typed error described by a :func:`pack_error` tuple."""
    if packed[0] == "InputError" and len(packed) == 3:
        return InputError(packed[1], packed[2])
    cls = _MESSAGE_ONLY.get(packed[0], CryptokitError)
    return cls(packed[-1])


def relabel(exc: CryptokitError, prefix: str, own: str | None = None) -> CryptokitError:
    """``exc`` with its InputError field placed under ``prefix``.

    A field ``own...`` becomes ``prefix...`` (``source[3]`` -> ``sources[7][3]``); any other field
    ``f`` becomes ``prefix.f`` (``signature`` -> ``jobs[7].signature``). Other errors are returned as
    is, without their traceback and chained exceptions: a result keeps its error, and a kept traceback
    would keep the frames of the whole batch (its jobs included) alive with it.
    """
    if type(exc) is InputError:
        field = exc.field
        if own is not None and (field == own or field.startswith((own + "[", own + "."))):
            return InputError(prefix + field[len(own) :], exc.rule)
        return InputError(f"{prefix}.{field}", exc.rule)
    exc.__context__ = exc.__cause__ = None
    return exc.with_traceback(None)
