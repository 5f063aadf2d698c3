"""emCA's string formats: ``validity``, ``validFrom`` and the multiple request id list.

Vendor-documented (emCA API guide, createCertificatesByIdWithMultipleCsrData):

- ``validity``: ``Days:Hours:Minutes:Seconds``, days 0..36135, hours 0..23, minutes 0..59,
  seconds 0..59 (samples ``365:12:45:45``, ``120:23:45:54``); error text "Invalid validity".
- ``validFrom``: ``dd:MM:yyyy HH:mm:ss`` (sample ``12:12:2019 00:00:00``); error text
  "Invalid From Date". The time zone is *not* documented: cryptokit makes it an explicit
  argument, UTC by default.
- request ids: ``ID1|requestId1~ID2|requestId2`` where ID is the CSR id that was sent.

Every violation is an :class:`~cryptokit.errors.InputError` whose message carries the vendor's
text, so a server can answer with it and a client can recognise it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import ClassVar

from ...errors import InputError

__all__ = [
    "Validity",
    "INVALID_VALIDITY",
    "INVALID_FROM_DATE",
    "MAX_VALIDITY_DAYS",
    "parse_valid_from",
    "format_valid_from",
    "parse_request_ids",
    "format_request_ids",
    "MAX_REQUEST_IDS",
]

INVALID_VALIDITY = "Invalid validity"
INVALID_FROM_DATE = "Invalid From Date"
MAX_VALIDITY_DAYS = 36135
#: Upper bound on the number of ``ID|requestId`` pairs one string may hold.
MAX_REQUEST_IDS = 10_000
_MAX_TEXT = 64
_MAX_REQUEST_IDS_TEXT = 1024 * 1024

_VALIDITY_RE = re.compile(r"\A([0-9]{1,5}):([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})\Z")
_VALID_FROM_RE = re.compile(r"\A([0-9]{2}):([0-9]{2}):([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2})\Z")
UTC = dt.UTC


def _fields(text: object, pattern: re.Pattern[str], error: Callable[[str], InputError], form: str) -> list[int]:
    """The numbers of ``text`` read with ``pattern`` (the one reader of emCA's two time strings);
    ``error(rule)`` for anything not a short string in ``form``."""
    if not isinstance(text, str):
        raise error(f"must be a string, not {type(text).__name__}")
    if len(text) > _MAX_TEXT:
        raise error("is too long")
    match = pattern.match(text)
    if match is None:
        raise error(f"is not {form}")
    return [int(g) for g in match.groups()]


def _validity_error(rule: str) -> InputError:
    return InputError("validity", f"{INVALID_VALIDITY}: {rule} (format Days:Hours:Minutes:Seconds, e.g. 120:23:45:54)")


@dataclass(frozen=True, slots=True)
class Validity:
    """A certificate validity length as emCA writes it: ``Days:Hours:Minutes:Seconds``.

    ``str()`` gives the canonical form (days unpadded, the rest two digits), so
    ``Validity.parse(str(v)) == v`` always and ``str(Validity.parse(s)) == s`` for canonical ``s``.
    A zero length (``0:00:00:00``) is within the vendor's bounds and is accepted here.
    """

    days: int
    hours: int = 0
    minutes: int = 0
    seconds: int = 0

    _BOUNDS: ClassVar[tuple[tuple[str, int], ...]] = (
        ("days", MAX_VALIDITY_DAYS),
        ("hours", 23),
        ("minutes", 59),
        ("seconds", 59),
    )

    def __post_init__(self) -> None:
        for name, top in self._BOUNDS:
            value = getattr(self, name)
            if type(value) is not int:
                raise _validity_error(f"{name} must be an int")
            if not 0 <= value <= top:
                raise _validity_error(f"{name} must be 0..{top}, got {value}")

    @classmethod
    def parse(cls, text: str) -> Validity:
        """Read ``D:H:M:S`` (ASCII digits only; hours, minutes and seconds one or two digits)."""
        days, hours, minutes, seconds = _fields(text, _VALIDITY_RE, _validity_error, "Days:Hours:Minutes:Seconds")
        return cls(days, hours, minutes, seconds)

    def __str__(self) -> str:
        return f"{self.days}:{self.hours:02d}:{self.minutes:02d}:{self.seconds:02d}"

    def to_timedelta(self) -> dt.timedelta:
        return dt.timedelta(days=self.days, hours=self.hours, minutes=self.minutes, seconds=self.seconds)

    @property
    def total_seconds(self) -> int:
        return ((self.days * 24 + self.hours) * 60 + self.minutes) * 60 + self.seconds

    @classmethod
    def from_timedelta(cls, delta: dt.timedelta) -> Validity:
        """The validity for a non-negative ``delta`` of whole seconds, at most 36135 days 23:59:59."""
        if not isinstance(delta, dt.timedelta):
            raise _validity_error(f"must be a timedelta, not {type(delta).__name__}")
        if delta < dt.timedelta(0):
            raise _validity_error("must not be negative")
        if delta.microseconds:
            raise _validity_error("must be whole seconds")
        hours, rest = divmod(delta.seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        return cls(delta.days, hours, minutes, seconds)


def _from_date_error(rule: str) -> InputError:
    return InputError(
        "validFrom", f"{INVALID_FROM_DATE}: {rule} (format dd:MM:yyyy HH:mm:ss, e.g. 12:12:2019 00:00:00)"
    )


def _check_tz(tz: object) -> dt.tzinfo:
    if not isinstance(tz, dt.tzinfo):
        raise InputError("tz", "must be a datetime.tzinfo (emCA does not state its time zone; choose one explicitly)")
    return tz


def parse_valid_from(text: str, tz: dt.tzinfo = UTC) -> dt.datetime:
    """Read ``dd:MM:yyyy HH:mm:ss`` as a wall-clock time in ``tz`` (default UTC); returns it in UTC.

    Only real calendar dates and times are accepted (no 31:02, no 24:00:00, no local time that a
    daylight-saving jump skips). emCA does not document its time zone: pass the one your service uses.
    """
    zone = _check_tz(tz)
    day, month, year, hour, minute, second = _fields(text, _VALID_FROM_RE, _from_date_error, "dd:MM:yyyy HH:mm:ss")
    try:
        local = dt.datetime(year, month, day, hour, minute, second, tzinfo=zone)
        utc = local.astimezone(UTC)
    except (ValueError, OverflowError):
        raise _from_date_error("is not a real date and time") from None
    if utc.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise _from_date_error("does not exist in the given time zone (daylight-saving gap)")
    return utc


def format_valid_from(when: dt.datetime, tz: dt.tzinfo = UTC) -> str:
    """``dd:MM:yyyy HH:mm:ss`` of an aware datetime, as wall-clock time in ``tz`` (default UTC).

    Sub-second precision is dropped (the format has none). A naive datetime is an InputError.
    """
    zone = _check_tz(tz)
    if not isinstance(when, dt.datetime):
        raise _from_date_error(f"must be a datetime, not {type(when).__name__}")
    if when.tzinfo is None or when.utcoffset() is None:
        raise _from_date_error("datetime must be timezone-aware")
    try:
        local = when.astimezone(zone)
    except (ValueError, OverflowError):
        raise _from_date_error("is out of range in the given time zone") from None
    return f"{local.day:02d}:{local.month:02d}:{local.year:04d} {local.hour:02d}:{local.minute:02d}:{local.second:02d}"


def parse_request_ids(text: str) -> dict[str, str]:
    """``"ID1|requestId1~ID2|requestId2"`` -> ``{"ID1": "requestId1", "ID2": "requestId2"}``, in order.

    Empty parts (``a|b~~c|d``, a leading or trailing ``~``), a part without exactly one ``|``, an
    empty id or request id, and a repeated id are InputError (field ``requestId``).
    """
    if not isinstance(text, str):
        raise InputError("requestId", f"must be a string, not {type(text).__name__}")
    if len(text) > _MAX_REQUEST_IDS_TEXT:
        raise InputError("requestId", f"is over {_MAX_REQUEST_IDS_TEXT} characters")
    if not text:
        raise InputError("requestId", "is empty")
    parts = text.split("~")
    if len(parts) > MAX_REQUEST_IDS:
        raise InputError("requestId", f"holds more than {MAX_REQUEST_IDS} ids")
    out: dict[str, str] = {}
    for index, part in enumerate(parts):
        where = f"requestId[{index}]"
        if not part:
            raise InputError(where, "is empty (stray '~' separator)")
        pieces = part.split("|")
        if len(pieces) != 2:
            raise InputError(where, "must be ID|requestId with exactly one '|'")
        csr_id, request_id = pieces
        if not csr_id or not request_id:
            raise InputError(where, "has an empty id or request id")
        if csr_id in out:
            raise InputError(where, f"repeats the id {csr_id!r}")
        out[csr_id] = request_id
    return out


def format_request_ids(ids: Mapping[str, str]) -> str:
    """Inverse of :func:`parse_request_ids`; ids and request ids must be non-empty and hold no ``|`` or ``~``."""
    if not isinstance(ids, Mapping):
        raise InputError("requestId", f"must be a mapping, not {type(ids).__name__}")
    if not ids:
        raise InputError("requestId", "is empty")
    if len(ids) > MAX_REQUEST_IDS:
        raise InputError("requestId", f"holds more than {MAX_REQUEST_IDS} ids")
    parts = []
    for csr_id, request_id in ids.items():
        for what, value in (("id", csr_id), ("request id", request_id)):
            if not isinstance(value, str) or not value:
                raise InputError(f"requestId[{csr_id!r}]", f"{what} must be a non-empty string")
            if "|" in value or "~" in value:
                raise InputError(f"requestId[{csr_id!r}]", f"{what} may not contain '|' or '~'")
        parts.append(f"{csr_id}|{request_id}")
    return "~".join(parts)
