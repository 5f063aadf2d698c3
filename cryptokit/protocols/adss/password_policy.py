"""The ADSS CSP password policy (``POST /v2/users/password/policy``) and a local check of it.

:meth:`PasswordPolicy.check` answers with the codes the server would give (60032 too short,
60033 digits and special characters, 60034 upper and lower case), so a client can tell the user
before a round trip. It proves only what the published policy fields say; the server may apply
more rules (history, dictionary) that no public document describes.

The special characters are the guide's list, ``!"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~`` (the OWASP set
without the space). The printed guide shows ``{ }`` where ``|`` was lost in the PDF table; the set
is a field so a deployment that differs can say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...errors import InputError
from . import _wire

__all__ = ["PasswordPolicy", "SPECIAL_CHARACTERS", "TOO_SHORT", "NEEDS_DIGITS_AND_SPECIAL", "NEEDS_UPPER_AND_LOWER"]

SPECIAL_CHARACTERS = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
TOO_SHORT = "60032"
NEEDS_DIGITS_AND_SPECIAL = "60033"
NEEDS_UPPER_AND_LOWER = "60034"
#: Code used for a password over ``max_length``: the guide has no code of its own for it, and
#: 60043 is its generic "invalid parameter value".
TOO_LONG = "60043"


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    """``min_length``/``max_length`` in characters; the two composition rules as booleans."""

    min_length: int = 8
    max_length: int = 255
    upper_lower_letters: bool = False
    digits_and_special_char: bool = False
    special_characters: str = SPECIAL_CHARACTERS

    def __post_init__(self) -> None:
        if not 0 <= self.min_length <= self.max_length:
            raise InputError("min_pass_length", "must be between 0 and max_pass_length")

    @classmethod
    def from_response(cls, status: int, body: bytes | bytearray | memoryview | str | None) -> PasswordPolicy:
        """Parse the password-policy answer (raises the ADSS error of an error answer).

        The sample sends every value as a string (``"8"``, ``"true"``); JSON numbers and booleans
        are accepted too, and the table's spellings ``upper_lowe_letters`` and
        ``Digits_and_special_char``.
        """
        data = _wire.decode(status, body)
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PasswordPolicy:
        where = "password_policy"
        return cls(
            min_length=_wire.get_int(data, "min_pass_length", where),
            max_length=_wire.get_int(data, "max_pass_length", where, minimum=1),
            upper_lower_letters=_wire.get_bool(data, "upper_lower_letters", where, aliases=("upper_lowe_letters",)),
            digits_and_special_char=_wire.get_bool(
                data, "digits_and_special_char", where, aliases=("Digits_and_special_char",)
            ),
        )

    def check(self, password: str) -> tuple[str, ...]:
        """The vendor codes ``password`` would be refused with, ascending; empty if it complies.

        Lengths count Unicode code points. Upper/lower case use Unicode case; digits are 0-9.
        The password itself never appears in any output or exception.
        """
        if not isinstance(password, str):
            raise InputError("password", "must be a str")
        codes: list[str] = []
        if len(password) < self.min_length:
            codes.append(TOO_SHORT)
        if self.digits_and_special_char and not (
            any("0" <= ch <= "9" for ch in password) and any(ch in self.special_characters for ch in password)
        ):
            codes.append(NEEDS_DIGITS_AND_SPECIAL)
        if self.upper_lower_letters and not (
            any(ch.isupper() for ch in password) and any(ch.islower() for ch in password)
        ):
            codes.append(NEEDS_UPPER_AND_LOWER)
        if len(password) > self.max_length:
            codes.append(TOO_LONG)
        return tuple(sorted(codes))

    def require(self, password: str, field: str = "password") -> None:
        """Raise :class:`InputError` (naming the codes, never the password) unless it complies."""
        codes = self.check(password)
        if codes:
            from .errors import ERROR_CODES

            reasons = "; ".join(
                f"{c} {ERROR_CODES[c].description.removeprefix('Failed to process request - ')}" for c in codes
            )
            raise InputError(field, f"violates the password policy: {reasons}")
