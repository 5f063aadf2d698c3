"""emCA request authentication: the AuthKey (vendor-documented) and the emKey header (not).

What the vendor documents (emCA 4.3 CA-management API)::

    AuthKey = lowercase_hex(SHA-256(ClientID + ts + txn))

sent with ``ClientID``, ``ts`` (the current time) and ``txn`` (unique per request). The vendor
does not state the ``ts`` format; cryptokit sends Unix time in milliseconds (``epoch-millis``, what
Java's ``System.currentTimeMillis()`` gives) and can read seconds too. Note that the AuthKey is a
bare hash of public values: it proves freshness and uniqueness, not possession of a secret. The
server half (:class:`AuthKeyVerifier`) therefore only adds value together with the CMS signature
and the user/password checks.

What the vendor does *not* document: how the v4.0 ``emKey`` header (presence M) is computed or
what it looks like; the one observed value is 40 hexadecimal digits (160 bits). cryptokit offers
two paths:

- static keys: :func:`check_emkey_text` accepts any non-empty, printable, bounded text (the
  default, since the format is not documented); :func:`check_emkey_format` is the optional strict
  40-hex check; :func:`check_static_emkey` compares a presented key with the one the operator
  issued (constant time);
- cryptokit's own scheme for services that issue emKeys themselves: :func:`issue_emkey` /
  :func:`check_emkey` = hex(HMAC-SHA1(server secret, registered credentials)), which fits the
  observed 160-bit hex format. This is NOT the vendor's algorithm; a client of the real emCA
  service uses the emKey the operator handed out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Final, Literal, Protocol, runtime_checkable

from ...encoding import utf8
from ...errors import AuthenticationFailed, InputError, PolicyViolation

__all__ = [
    "auth_key",
    "auth_headers",
    "TsFormat",
    "format_ts",
    "parse_ts",
    "ReplayStore",
    "InMemoryReplayStore",
    "AuthKeyVerifier",
    "EMKEY_HEADER",
    "MAX_EMKEY",
    "check_emkey_text",
    "check_emkey_format",
    "check_static_emkey",
    "issue_emkey",
    "check_emkey",
]

UTC = dt.UTC
TsFormat = Literal["epoch-millis", "epoch-seconds"]
EMKEY_HEADER: Final = "emKey"
_EMKEY_RE = re.compile(r"\A[0-9A-Fa-f]{40}\Z")
#: Longest emKey accepted (characters); its format is not documented, so only the size is bounded.
MAX_EMKEY: Final = 1024
_EMKEY_TEXT_RE = re.compile(r"\A[\x21-\x7e]+\Z")
_TS_RE = re.compile(r"\A[0-9]{1,16}\Z")
_MAX_FIELD = 256
_EMKEY_DOMAIN: Final = b"cryptokit emKey v1"
_MIN_SECRET = 16
# How long past ``ts + window`` a txn stays in the replay store (see AuthKeyVerifier).
_REPLAY_MARGIN = dt.timedelta(seconds=1)

Clock = Callable[[], dt.datetime]


def _utc_now() -> dt.datetime:
    return dt.datetime.now(UTC)


def _text(value: object, field: str) -> str:
    if not isinstance(value, str) or not value:
        raise InputError(field, "must be a non-empty string")
    if len(value) > _MAX_FIELD:
        raise InputError(field, f"is over {_MAX_FIELD} characters")
    return value


def auth_key(client_id: str, ts: str | int, txn: str) -> str:
    """``lowercase_hex(SHA-256(client_id + ts + txn))`` (UTF-8), emCA 4.3's documented AuthKey."""
    ts_text = str(ts) if isinstance(ts, int) and not isinstance(ts, bool) else ts
    parts = (_text(client_id, "client_id"), _text(ts_text, "ts"), _text(txn, "txn"))
    return hashlib.sha256(utf8("".join(parts), "AuthKey fields")).hexdigest()


def format_ts(when: dt.datetime, ts_format: TsFormat = "epoch-millis") -> str:
    """Unix time of an aware datetime as decimal text, in milliseconds or seconds."""
    if not isinstance(when, dt.datetime) or when.utcoffset() is None:
        raise InputError("now", "must be a timezone-aware datetime")
    micros = (when - dt.datetime(1970, 1, 1, tzinfo=UTC)) // dt.timedelta(microseconds=1)
    if ts_format == "epoch-millis":
        return str(micros // 1000)
    if ts_format == "epoch-seconds":
        return str(micros // 1_000_000)
    raise InputError("ts_format", "must be 'epoch-millis' or 'epoch-seconds'")


def parse_ts(ts: str, ts_format: TsFormat = "epoch-millis") -> dt.datetime:
    """Inverse of :func:`format_ts`; InputError for anything but 1..16 ASCII digits."""
    if not isinstance(ts, str) or not _TS_RE.match(ts):
        raise InputError("ts", "must be decimal Unix time")
    unit = {"epoch-millis": 1000, "epoch-seconds": 1}.get(ts_format)
    if unit is None:
        raise InputError("ts_format", "must be 'epoch-millis' or 'epoch-seconds'")
    try:
        return dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(seconds=int(ts) / unit)
    except OverflowError:
        raise InputError("ts", "is out of range") from None


def auth_headers(
    client_id: str,
    now: dt.datetime | None = None,
    *,
    ts_format: TsFormat = "epoch-millis",
) -> dict[str, str]:
    """``ClientID``, ``ts``, ``txn`` and ``AuthKey`` headers with a fresh random ``txn`` (128 bits)."""
    ts = format_ts(now if now is not None else _utc_now(), ts_format)
    txn = secrets.token_hex(16)
    return {"ClientID": client_id, "ts": ts, "txn": txn, "AuthKey": auth_key(client_id, ts, txn)}


@runtime_checkable
class ReplayStore(Protocol):
    """Remembers ``txn`` values until they expire. A service can back it with Redis or a database.

    ``add`` must be atomic check-and-set (Redis ``SET key 1 NX PXAT expiry``): True when ``key``
    was new and is now stored until ``expires_at``; False when it is already stored (a replay).
    """

    def add(self, key: str, expires_at: dt.datetime) -> bool: ...


class InMemoryReplayStore:
    """A thread-safe in-process :class:`ReplayStore` with expiry and a size bound.

    Expired entries are dropped as new ones arrive. When ``max_entries`` live entries are held,
    ``add`` raises :class:`PolicyViolation` rather than forget one early (which would allow a replay).
    One process only: several workers need a shared store.
    """

    __slots__ = ("_clock", "_entries", "_lock", "max_entries")

    def __init__(self, *, max_entries: int = 1_000_000, clock: Clock | None = None) -> None:
        self.max_entries = max_entries
        self._clock = clock or _utc_now
        self._entries: dict[str, dt.datetime] = {}
        self._lock = threading.Lock()

    def _purge(self, now: dt.datetime) -> None:
        expired = [k for k, exp in self._entries.items() if exp <= now]
        for k in expired:
            del self._entries[k]

    def add(self, key: str, expires_at: dt.datetime) -> bool:
        with self._lock:
            now = self._clock()
            current = self._entries.get(key)
            if current is not None and current > now:
                return False
            if len(self._entries) >= self.max_entries:
                self._purge(now)
                if len(self._entries) >= self.max_entries:
                    raise PolicyViolation("replay store is full; refusing new requests until entries expire")
            self._entries[key] = expires_at
            return True

    def __len__(self) -> int:
        with self._lock:
            self._purge(self._clock())
            return len(self._entries)


class AuthKeyVerifier:
    """Server half of the AuthKey scheme: refuses a stale ``ts``, a reused ``txn`` and a wrong key.

    ``window`` is the accepted clock skew either side of now, bounds included; a ``txn`` is remembered
    (per ``ClientID``) until one second past ``ts + window``, so it is held for as long as the ``ts``
    check accepts it (even by a store with millisecond or second expiry).
    ``client_ids``, when given, is the set of registered client ids. Every refusal is
    :class:`AuthenticationFailed` with ``reason`` "malformed", "stale", "wrong-key" or "replayed".
    The key is checked before the ``txn`` is recorded, so forged requests cannot burn real ``txn`` values.
    """

    __slots__ = ("_clock", "client_ids", "replay_store", "ts_format", "window")

    def __init__(
        self,
        *,
        window: dt.timedelta = dt.timedelta(minutes=5),
        replay_store: ReplayStore | None = None,
        clock: Clock | None = None,
        ts_format: TsFormat = "epoch-millis",
        client_ids: Iterable[str] | None = None,
    ) -> None:
        if not isinstance(window, dt.timedelta) or window <= dt.timedelta(0):
            raise InputError("window", "must be a positive timedelta")
        self.window = window
        self._clock = clock or _utc_now
        self.replay_store: ReplayStore = replay_store if replay_store is not None else InMemoryReplayStore(clock=clock)
        self.ts_format: TsFormat = ts_format
        self.client_ids = frozenset(client_ids) if client_ids is not None else None

    def verify(self, client_id: str, ts: str, txn: str, key: str) -> dt.datetime:
        """Check one request's values; returns the request time (UTC) on success."""
        try:
            expected = auth_key(client_id, ts, txn)
            when = parse_ts(ts, self.ts_format)
        except InputError as exc:
            raise AuthenticationFailed("malformed", f"AuthKey headers are malformed ({exc.field})") from None
        if not isinstance(key, str) or len(key) != 64:
            raise AuthenticationFailed("malformed", "AuthKey must be 64 hexadecimal digits")
        if self.client_ids is not None and client_id not in self.client_ids:
            raise AuthenticationFailed("wrong-key", "ClientID is not registered")
        now = self._clock()
        if abs(now - when) > self.window:
            raise AuthenticationFailed("stale", "ts is outside the accepted clock-skew window")
        if not hmac.compare_digest(expected.encode("ascii"), key.lower().encode("ascii", "replace")):
            raise AuthenticationFailed("wrong-key", "AuthKey does not match")
        # The ts check accepts now == when + window (inclusive), so the txn must outlive that instant;
        # the margin also covers stores whose expiry is coarser than a microsecond (Redis PXAT: milliseconds).
        if not self.replay_store.add(f"{client_id}\x00{txn}", when + self.window + _REPLAY_MARGIN):
            raise AuthenticationFailed("replayed", "txn was already used")
        return when

    def verify_headers(self, headers: Mapping[str, str]) -> dt.datetime:
        """:meth:`verify` with the values read (case-insensitively) from request headers.

        ``headers`` that is not a mapping is an :class:`InputError`; a header value that is not text
        is refused as "malformed".
        """
        if not isinstance(headers, Mapping):
            raise InputError("headers", f"must be a mapping of header names to values, not {type(headers).__name__}")
        lowered = {k.lower(): v for k, v in headers.items() if isinstance(k, str)}
        values = [lowered.get(name) for name in ("clientid", "ts", "txn", "authkey")]
        if any(v is None for v in values):
            raise AuthenticationFailed("malformed", "ClientID, ts, txn and AuthKey headers are required")
        if not all(isinstance(v, str) for v in values):
            raise AuthenticationFailed("malformed", "ClientID, ts, txn and AuthKey headers must be text")
        client_id, ts, txn, key = (str(v) for v in values)
        return self.verify(client_id, ts, txn, key)


# --- emKey -----------------------------------------------------------------------------------


def check_emkey_text(value: object) -> str:
    """The emKey unchanged if it is 1..:data:`MAX_EMKEY` visible ASCII characters (no space, no control
    character, so it cannot break a header); else InputError. The vendor's format is undocumented,
    so this is all that is checked by default; :func:`check_emkey_format` is the strict 40-hex check.
    """
    if not isinstance(value, str) or not value:
        raise InputError("emKey", "must be a non-empty string (the emKey header is mandatory)")
    if len(value) > MAX_EMKEY:
        raise InputError("emKey", f"is over {MAX_EMKEY} characters")
    if not _EMKEY_TEXT_RE.match(value):
        raise InputError("emKey", "must be printable ASCII without spaces or control characters")
    return value


def check_emkey_format(value: str) -> str:
    """The emKey if it has the observed format (40 hexadecimal digits), returned lowercase; else InputError.

    Proves only the format: the vendor's generator is not public. Optional (``strict``); the
    default check is :func:`check_emkey_text`.
    """
    if not isinstance(value, str) or not _EMKEY_RE.match(value):
        raise InputError("emKey", "must be 40 hexadecimal digits")
    return value.lower()


def _emkey_value(value: str, strict: bool) -> str:
    # Hex keys compare case-insensitively (the same 160 bits); any other text compares exactly.
    if strict:
        return check_emkey_format(value)
    text = check_emkey_text(value)
    return text.lower() if _EMKEY_RE.match(text) else text


def check_static_emkey(presented: str | None, expected: str, *, strict: bool = False) -> None:
    """Compare a presented emKey with the registered static one, in constant time.

    Both must pass :func:`check_emkey_text` (or, with ``strict``, be 40 hexadecimal digits). Raises
    AuthenticationFailed ("malformed" for a missing or badly formatted key, "wrong-key"); an
    ``expected`` key that is not well formed is the caller's InputError.
    """
    expected_key = _emkey_value(expected, strict)
    if presented is None:
        raise AuthenticationFailed("malformed", "emKey header is missing")
    try:
        presented_key = _emkey_value(presented, strict)
    except InputError as exc:
        raise AuthenticationFailed("malformed", f"emKey {exc.rule}") from None
    if not hmac.compare_digest(presented_key, expected_key):  # both ASCII-only (checked above)
        raise AuthenticationFailed("wrong-key", "emKey does not match")


def _secret(secret: bytes) -> bytes:
    if not isinstance(secret, (bytes, bytearray)) or len(secret) < _MIN_SECRET:
        raise InputError("secret", f"must be at least {_MIN_SECRET} random bytes")
    return bytes(secret)


def _credentials_message(user_name: str, context: Iterable[str]) -> bytes:
    # Length-prefixed fields: ("ab", "c") and ("a", "bc") give different messages.
    fields = [_text(user_name, "user_name"), *(_text(c, "context") for c in context)]
    out = bytearray(_EMKEY_DOMAIN)
    for f in fields:
        raw = utf8(f, "emKey fields")
        out += len(raw).to_bytes(4, "big") + raw
    return bytes(out)


def issue_emkey(secret: bytes, user_name: str, *, context: Iterable[str] = ()) -> str:
    """cryptokit's emKey scheme (NOT the vendor's): hex(HMAC-SHA1(secret, credentials)), 40 digits.

    ``credentials`` are the registered user name plus any ``context`` strings the service binds
    (e.g. the registered source IP or application id), length-prefixed under a domain label.
    HMAC-SHA1 is fine as a PRF/MAC; it was chosen to fit the observed 160-bit format.
    """
    mac = hmac.new(_secret(secret), _credentials_message(user_name, tuple(context)), hashlib.sha1)
    return mac.hexdigest()


def check_emkey(secret: bytes, emkey: str | None, user_name: str, *, context: Iterable[str] = ()) -> None:
    """Check an emKey made by :func:`issue_emkey` (constant time); AuthenticationFailed if wrong."""
    expected = issue_emkey(secret, user_name, context=context)
    if emkey is None:
        raise AuthenticationFailed("malformed", "emKey header is missing")
    try:
        presented = check_emkey_format(emkey)
    except InputError:
        raise AuthenticationFailed("malformed", "emKey must be 40 hexadecimal digits") from None
    if not hmac.compare_digest(presented, expected):
        raise AuthenticationFailed("wrong-key", "emKey does not match")
