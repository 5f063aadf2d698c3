"""Values the ADSS CSP API sends and receives: tokens, users, certificates, profiles, settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

from ...encoding import b64decode, b64encode, is_pem, pem_decode_all, utf8
from ...errors import InputError
from . import _wire

__all__ = [
    "MAX_EXPIRES_IN",
    "DEFAULT_LEEWAY",
    "Token",
    "UserStatus",
    "User",
    "UserPage",
    "UserCertificate",
    "AuthProfile",
    "AuthProfiles",
    "ServiceStatus",
    "About",
    "AdvanceSettings",
    "certificate_b64",
    "MAX_DOCUMENTS",
    "SignStatus",
    "SignResult",
]


#: Longest ``expires_in`` accepted from a token answer (100 years, in seconds): beyond it no expiry
#: time can be computed, and no real service issues such a token.
MAX_EXPIRES_IN = 100 * 366 * 86400
#: Default margin of :meth:`Token.is_expired`: a token this close to its expiry counts as expired,
#: so that a request built now does not reach the server after the token died.
DEFAULT_LEEWAY = dt.timedelta(seconds=30)


def _aware(value: object, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InputError(field, "must be an aware datetime (UTC)")
    return value


def _leeway(value: object) -> dt.timedelta:
    if isinstance(value, dt.timedelta):
        delta = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and value == value:  # not NaN
        if abs(value) > MAX_EXPIRES_IN:
            raise InputError("leeway", f"must be at most {MAX_EXPIRES_IN} seconds")
        delta = dt.timedelta(seconds=value)
    else:
        raise InputError("leeway", "must be a timedelta or a number of seconds")
    if delta < dt.timedelta(0):
        raise InputError("leeway", "must not be negative")
    return delta


@dataclass(frozen=True, slots=True, repr=False)
class Token:
    """An OAuth 2.0 token answer. ``access_token`` and ``refresh_token`` never appear in ``repr``.

    ``expires_at`` is when the access token stops being valid: the time the answer was parsed plus
    ``expires_in`` (:func:`~cryptokit.protocols.adss.parse_token_response` sets it; None when the
    answer had no ``expires_in`` or the Token was built by hand without one). Use
    :meth:`Token.issued` to build one with its expiry from a known issue time.
    """

    access_token: str
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret
    expires_in: int | None = None
    refresh_token: str | None = None
    expires_at: dt.datetime | None = None

    def __post_init__(self) -> None:
        if self.expires_at is not None:
            _aware(self.expires_at, "expires_at")

    @classmethod
    def issued(
        cls,
        access_token: str,
        *,
        expires_in: int | None,
        refresh_token: str | None = None,
        now: dt.datetime | None = None,
        token_type: str = "Bearer",  # noqa: S107 - the scheme name, not a secret
    ) -> Token:
        """A token issued at ``now`` (default: the current UTC time) that lives ``expires_in`` seconds."""
        expires_at = None
        start = dt.datetime.now(dt.UTC) if now is None else _aware(now, "now")
        if expires_in is not None:
            if isinstance(expires_in, bool) or not isinstance(expires_in, int) or expires_in < 0:
                raise InputError("expires_in", "must be an integer >= 0")
            if expires_in > MAX_EXPIRES_IN:
                raise InputError("expires_in", f"is over {MAX_EXPIRES_IN} seconds")
            try:
                expires_at = start + dt.timedelta(seconds=expires_in)
            except OverflowError:
                raise InputError("now", "plus expires_in is past the year 9999") from None
        return cls(access_token, token_type, expires_in, refresh_token, expires_at)

    def is_expired(self, now: dt.datetime | None = None, leeway: dt.timedelta | float = DEFAULT_LEEWAY) -> bool:
        """True when ``now`` (default: the current UTC time) is within ``leeway`` of ``expires_at`` or past it.

        False when the expiry is unknown (``expires_at`` is None): only the server can then say, with
        error 60045 (:class:`~cryptokit.protocols.adss.AdssInvalidToken`). Says nothing about a token
        the server revoked early.
        """
        margin = _leeway(leeway)
        at = dt.datetime.now(dt.UTC) if now is None else _aware(now, "now")
        if self.expires_at is None:
            return False
        try:
            return at + margin >= self.expires_at
        except OverflowError:  # at + margin past the year 9999: later than any expiry
            return True

    def __repr__(self) -> str:
        refresh = ", refresh_token=<hidden>" if self.refresh_token else ""
        expires = "" if self.expires_at is None else f", expires_at={self.expires_at.isoformat()}"
        return (
            f"Token(access_token=<hidden>, token_type={self.token_type!r}, expires_in={self.expires_in}"
            f"{expires}{refresh})"
        )


class UserStatus(StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    BLOCKED = "BLOCKED"


@dataclass(frozen=True, slots=True)
class User:
    """A registered CSP user. ``status`` is kept as text when the server sends a value not in :class:`UserStatus`."""

    user_id: str
    user_name: str | None
    email: str | None
    status: UserStatus | str | None
    profile_id: str | None

    @classmethod
    def from_dict(cls, data: Any, where: str) -> User:
        obj = _wire.get_obj(data, where)
        status = _wire.opt_str(obj, "status", where)
        return cls(
            user_id=_wire.get_str(obj, "user_id", where),
            user_name=_wire.opt_str(obj, "user_name", where),
            # The get-users sample spells it "user_email" once; the table says "email".
            email=_wire.opt_str(obj, "email", where, aliases=("user_email",)),
            status=UserStatus(status) if status is not None and status in UserStatus.__members__ else status,
            profile_id=_wire.opt_str(obj, "profile_id", where),
        )


@dataclass(frozen=True, slots=True)
class UserPage:
    """One page of ``GET /v2/users/{start}/{size}``; ``total_records`` from the ``x-total-records`` header."""

    users: tuple[User, ...]
    total_records: int | None


def _pem_certificate(der: bytes, field: str) -> x509.Certificate:
    """The X.509 certificate in one PEM block's DER, fully parsed by cryptokit.certificates so every error
    cryptography raises (InvalidVersion, DuplicateExtension, ...) becomes an InputError naming ``field``."""
    from ...certificates import load_certificates

    header = 2 + (der[1] & 0x7F if len(der) > 1 and der[1] & 0x80 else 0)
    if der[:1] != b"\x30" or der[header : header + 1] != b"\x30":  # a PKCS#7 ContentInfo has an OID here
        raise InputError(field, "holds a PEM block that is not a certificate")
    try:
        return load_certificates(der, max_count=1)[0]
    except InputError as exc:
        raise InputError(field, f"holds a PEM block that is not a certificate ({exc.rule})") from None


def certificate_b64(value: object, field: str) -> str:
    """Base64 text of a certificate or a chain for the certificates API.

    Accepts an ``x509.Certificate`` (its DER), a sequence of them (a DER PKCS#7 certs-only bundle,
    as cryptography writes it), PEM text or bytes (one block: its DER; several: a PKCS#7 bundle),
    raw DER/BER bytes (sent as they are), or base64 text (checked strictly, sent as it is).
    """
    if isinstance(value, x509.Certificate):
        return b64encode(value.public_bytes(Encoding.DER))
    if isinstance(value, (list, tuple)):
        if not value or not all(isinstance(c, x509.Certificate) for c in value):
            raise InputError(field, "a sequence must hold one or more x509.Certificate objects")
        return b64encode(pkcs7.serialize_certificates(list(value), Encoding.DER))
    if isinstance(value, str):
        raw = utf8(value, field)
        if not is_pem(raw):
            b64decode(raw, field=field, max_size=_wire.MAX_FIELD)
            return value
        value = raw
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        if len(data) > _wire.MAX_FIELD:
            raise InputError(field, f"is over {_wire.MAX_FIELD} bytes")
        if is_pem(data):
            blocks = pem_decode_all(data, labels=("CERTIFICATE", "PKCS7"), field=field)
            if len(blocks) == 1:
                return b64encode(blocks[0].der)
            certs = [_pem_certificate(b.der, f"{field}[{i}]") for i, b in enumerate(blocks)]
            return b64encode(pkcs7.serialize_certificates(certs, Encoding.DER))
        if not data or data[0] != 0x30:
            raise InputError(field, "bytes must be DER/BER (a SEQUENCE) or PEM")
        return b64encode(data)
    raise InputError(field, f"must be a certificate, bytes or base64 text, not {type(value).__name__}")


@dataclass(frozen=True, slots=True)
class UserCertificate:
    """A certificate entry of the certificates API: ``certificate`` and ``certificate_chain`` are
    base64 text exactly as on the wire (often a BER PKCS#7 bundle, ``MIAGCSqGSI...``)."""

    cert_alias: str
    auth_pass: bool
    certificate: str
    sam_user_id: str | None = None
    certificate_chain: str | None = None

    @classmethod
    def of(
        cls,
        cert_alias: str,
        certificate: object,
        *,
        auth_pass: bool,
        sam_user_id: str | None = None,
        certificate_chain: object = None,
    ) -> UserCertificate:
        """Build an entry from certificates in any form (see :func:`certificate_b64`)."""
        if not isinstance(auth_pass, bool):
            raise InputError("auth_pass", "must be a bool")
        return cls(
            cert_alias=_wire.text_arg(cert_alias, "cert_alias", max_len=256),
            auth_pass=auth_pass,
            certificate=certificate_b64(certificate, "certificate"),
            sam_user_id=None if sam_user_id is None else _wire.text_arg(sam_user_id, "sam_user_id", max_len=256),
            certificate_chain=None
            if certificate_chain is None
            else certificate_b64(certificate_chain, "certificate_chain"),
        )

    def to_json(self) -> dict[str, str]:
        """The request form, fields in the guide's order; ``auth_pass`` as ``"TRUE"``/``"FALSE"``."""
        out: dict[str, str] = {"cert_alias": self.cert_alias}
        if self.sam_user_id is not None:
            out["sam_user_id"] = self.sam_user_id
        out["auth_pass"] = "TRUE" if self.auth_pass else "FALSE"
        out["certificate"] = self.certificate
        if self.certificate_chain is not None:
            out["certificate_chain"] = self.certificate_chain
        return out

    @classmethod
    def from_dict(cls, data: Any, where: str) -> UserCertificate:
        obj = _wire.get_obj(data, where)
        certificate = _wire.get_str(obj, "certificate", where)
        chain = _wire.opt_str(obj, "certificate_chain", where)
        for name, value in (("certificate", certificate), ("certificate_chain", chain)):
            if value is not None:
                b64decode(value, field=f"{where}.{name}", max_size=_wire.MAX_FIELD)
        return cls(
            cert_alias=_wire.get_str(obj, "cert_alias", where),
            auth_pass=_wire.get_bool(obj, "auth_pass", where),
            certificate=certificate,
            sam_user_id=_wire.opt_str(obj, "sam_user_id", where),
            certificate_chain=chain,
        )

    def certificates(self) -> list[x509.Certificate]:
        """The certificates of ``certificate`` (one, or a PKCS#7 bundle in DER or BER)."""
        from ...certificates import load_certificates

        return load_certificates(self.certificate)

    def chain(self) -> list[x509.Certificate]:
        """The certificates of ``certificate_chain`` (empty when absent)."""
        from ...certificates import load_certificates

        return [] if self.certificate_chain is None else load_certificates(self.certificate_chain)


@dataclass(frozen=True, slots=True)
class AuthProfile:
    """An authentication profile; ``auth_type`` is stripped (the sample has ``"ACTIVE_DIRECTORY "``)."""

    profile_id: str
    profile_name: str | None
    auth_type: str
    auth_info: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "auth_info", MappingProxyType(dict(self.auth_info)))

    @classmethod
    def from_dict(cls, data: Any, where: str) -> AuthProfile:
        obj = _wire.get_obj(data, where)
        info = obj.get("auth_info") or {}
        if not isinstance(info, dict) or not all(isinstance(v, (str, int, bool)) for v in info.values()):
            raise InputError(f"{where}.auth_info", "must be an object of plain values")
        return cls(
            profile_id=_wire.get_str(obj, "profile_id", where),
            profile_name=_wire.opt_str(obj, "profile_name", where),
            auth_type=_wire.get_str(obj, "auth_type", where).strip(),
            auth_info=info,
        )


@dataclass(frozen=True, slots=True)
class AuthProfiles:
    default: AuthProfile | None
    allowed: tuple[AuthProfile, ...]


@dataclass(frozen=True, slots=True)
class ServiceStatus:
    """The status service answer; ``running`` is True when ``message`` is ``Success``."""

    message: str
    message_description: str | None

    @property
    def running(self) -> bool:
        return self.message.strip().lower() == "success"


@dataclass(frozen=True, slots=True)
class About:
    version: str
    build_number: str


@dataclass(frozen=True, slots=True)
class AdvanceSettings:
    """CSP advance settings: OTP expiry (seconds), OTP length, authentication retries, block period (seconds)."""

    otp_expiry_time: int
    otp_length: int
    user_auth_retries_limit: int
    user_block_period: int


#: Most documents one sign request may carry (and one answer may return).
MAX_DOCUMENTS = 10_000


class SignStatus(StrEnum):
    PENDING = "PENDING"
    TIMEOUT = "TIMEOUT"
    DECLINED = "DECLINED"
    FAILED = "FAILED"
    SUCCESS = "SUCCESS"

    @property
    def final(self) -> bool:
        """False only for PENDING (poll ``/v2/sign/status`` again)."""
        return self is not SignStatus.PENDING


@dataclass(frozen=True, slots=True)
class SignResult:
    """A sign answer: ``status``, ``request_id`` (for polling; None in status answers) and the raw
    signature values in the order the server listed them (the guide: request order)."""

    status: SignStatus
    request_id: str | None
    signatures: tuple[bytes, ...]

    @property
    def succeeded(self) -> bool:
        return self.status is SignStatus.SUCCESS

    def __repr__(self) -> str:
        return f"SignResult({self.status.value}, request_id={self.request_id!r}, signatures={len(self.signatures)})"
