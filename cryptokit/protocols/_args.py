"""Caller arguments that go into a vendor request, checked the same way by every vendor package."""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import InputError

__all__ = ["text_arg", "optional_str_arg", "known_options"]


def text_arg(
    value: object,
    field: str,
    *,
    max_len: int = 1024,
    allow_empty: bool = False,
    refuse_blank: bool = False,
    secret: bool = False,
) -> str:
    """``value`` when it is a str of at most ``max_len`` characters with no control character;
    empty only with ``allow_empty``, white space only not with ``refuse_blank``. The InputError names
    ``field`` and never repeats the value (``secret`` adds "value not shown" for passwords and OTPs)."""
    if not isinstance(value, str):
        raise InputError(field, f"must be a str, not {type(value).__name__}")
    if (not value and not allow_empty) or (refuse_blank and value and not value.strip()):
        raise InputError(field, "is required (a non-empty string)")
    if len(value) > max_len or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise InputError(
            field, f"must be at most {max_len} printable characters" + (" (value not shown)" if secret else "")
        )
    return value


def optional_str_arg(value: object, field: str) -> None:
    """Refuse ``value`` unless it is a str or None (an InputError naming ``field`` and the type given)."""
    if value is not None and not isinstance(value, str):
        raise InputError(field, f"must be a string or None, not {type(value).__name__}")


def known_options(function: str, options: Iterable[str], names: frozenset[str]) -> None:
    """Refuse a keyword outside ``names``, for functions that take a shared option set as
    ``**options: Unpack[SomeOptions]``: an unknown option name is bad input, so an InputError whose
    ``field`` is that name and whose rule lists the known ones (not Python's TypeError)."""
    for key in options:
        if key not in names:
            raise InputError(str(key)[:64], f"is not an option of {function}() (known: {', '.join(sorted(names))})")
