"""CSC API answers: ``signatures/signHash``, ``credentials/info``, ``credentials/list``.

Each ``parse_*`` takes the HTTP status and body. An error answer (``{"error", "error_description"}``
or a non-2xx status) raises a :class:`~cryptokit.protocols.csc.errors.CscError` subclass; a body that
is not the documented shape raises :class:`~cryptokit.errors.InputError`. Parsing proves only the
shape: a signature is checked by :func:`~cryptokit.protocols.csc.verify.verify_sign_hash_response`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509

from ...certificates import is_ca
from ...encoding import b64decode
from ...errors import InputError
from .._json import http_status
from . import _wire
from .errors import error_from_answer
from .requests import SignHashRequest

__all__ = [
    "SignHashResult",
    "CredentialInfo",
    "CredentialsList",
    "parse_sign_hash_response",
    "parse_credential_info",
    "parse_credentials_list",
    "Sad",
    "ServiceInfo",
    "LoginToken",
    "parse_authorize_response",
    "parse_extend_transaction_response",
    "parse_send_otp_response",
    "parse_info_response",
    "parse_login_response",
]

MAX_SIGNATURE = 16 * 1024
MAX_CERTIFICATE = 64 * 1024
MAX_CERTIFICATES = 16


@dataclass(frozen=True, slots=True)
class SignHashResult:
    """``signatures`` (raw bytes, in the order the server returned them) or, for an asynchronous
    v2 call, the ``response_id`` to poll with (``pending`` is then True)."""

    signatures: tuple[bytes, ...] = ()
    response_id: str | None = None

    @property
    def pending(self) -> bool:
        return self.response_id is not None

    def __repr__(self) -> str:
        if self.response_id is not None:
            return f"SignHashResult(pending, response_id={self.response_id!r})"
        return f"SignHashResult({len(self.signatures)} signatures)"


def _answer(status: int, body: bytes | str, field: str) -> dict[str, Any] | None:
    http_status(status)
    try:
        obj = _wire.load_object(body, field=field)
    except InputError:
        if status >= 400:
            raise error_from_answer(status, None, text=body) from None
        raise
    if status >= 300 or (obj is not None and "error" in obj):
        raise error_from_answer(status, obj)
    return obj


def _object_answer(status: int, body: bytes | str) -> dict[str, Any]:
    """:func:`_answer` of a call whose success carries a JSON object: an empty body is refused."""
    obj = _answer(status, body, "body")
    if obj is None:
        raise InputError("body", "is empty")
    return obj


def parse_sign_hash_response(
    status: int, body: bytes | str, *, request: SignHashRequest | None = None
) -> SignHashResult:
    """Parse a ``signatures/signHash`` (or v2 ``signatures/signPolling``) answer.

    A synchronous answer must carry ``signatures`` (base64, strictly decoded); an asynchronous one
    (v2 ``operationMode`` "A") ``responseID``. With ``request``, the answer must match its mode.
    Returns the signatures as sent: a count that differs from the request is left for the verifier to
    report, not refused here.
    """
    obj = _object_answer(status, body)
    response_id = _wire.get_str(obj, "responseID", "body", required=False)
    raw = _wire.get_str_list(obj, "signatures", "body")
    if response_id is not None and raw is not None:
        raise InputError("body", "carries both signatures and responseID")
    if response_id is not None:
        if not response_id or len(response_id) > 1024:
            raise InputError("body.responseID", "must be 1..1024 characters")
        if request is not None and request.operation_mode != "A":
            raise InputError("body.responseID", "answers a synchronous request")
        return SignHashResult((), response_id)
    if raw is None:
        raise InputError("body.signatures", "is required")
    sigs = tuple(b64decode(s, field=f"body.signatures[{i}]", max_size=MAX_SIGNATURE * 2) for i, s in enumerate(raw))
    for i, sig in enumerate(sigs):
        if not sig:
            raise InputError(f"body.signatures[{i}]", "is empty")
    return SignHashResult(sigs, None)


@dataclass(frozen=True, slots=True)
class CredentialInfo:
    """A credential as ``credentials/info`` (or a ``credentials/list`` entry) describes it.

    ``certificates`` are end-entity first, as CSC requires; ``certificate`` is that end-entity
    certificate and ``chain`` the rest. ``key_algos`` are signature-algorithm OIDs, ``key_len`` bits,
    ``key_curve`` the curve OID for EC keys. ``multisign`` caps the hashes per signHash call.
    Nothing here is trusted: validate the chain before relying on it.
    """

    credential_id: str | None
    key_status: str | None
    key_algos: tuple[str, ...]
    key_len: int
    key_curve: str | None
    certificates: tuple[x509.Certificate, ...]
    certificate_status: str | None
    multisign: int
    auth_mode: str | None = None
    scal: str | None = None
    description: str | None = None

    @property
    def certificate(self) -> x509.Certificate | None:
        return self.certificates[0] if self.certificates else None

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        return self.certificates[1:]


def _der_certificate(der: bytes, field: str) -> x509.Certificate:
    """One DER X.509 certificate (not a PKCS#7 bundle), fully parsed by cryptokit.certificates so every
    error cryptography raises (InvalidVersion, DuplicateExtension, ...) becomes an InputError naming ``field``."""
    from ...certificates import load_certificates

    header = 2 + (der[1] & 0x7F if len(der) > 1 and der[1] & 0x80 else 0)
    if der[:1] != b"\x30" or der[header : header + 1] != b"\x30":
        raise InputError(field, "is not a DER X.509 certificate")
    try:
        return load_certificates(der, max_count=1)[0]
    except InputError as exc:
        raise InputError(field, f"is not a DER X.509 certificate ({exc.rule})") from None


def _credential(
    obj: Mapping[str, Any], field: str, credential_id: str | None, allow_ca_certificate: bool = False
) -> CredentialInfo:
    key = obj.get("key")
    if not isinstance(key, dict):
        raise InputError(f"{field}.key", "must be an object")
    algos = _wire.get_str_list(key, "algo", f"{field}.key", max_items=64)
    if not algos:
        raise InputError(f"{field}.key.algo", "must list at least one algorithm OID")
    key_len = _wire.get_int(key, "len", f"{field}.key")
    assert key_len is not None
    if key_len <= 0:
        raise InputError(f"{field}.key.len", "must be positive")
    cert = obj.get("cert")
    certs: tuple[x509.Certificate, ...] = ()
    cert_status = None
    if cert is not None:
        if not isinstance(cert, dict):
            raise InputError(f"{field}.cert", "must be an object")
        cert_status = _wire.get_str(cert, "status", f"{field}.cert", required=False)
        encoded = _wire.get_str_list(cert, "certificates", f"{field}.cert", max_items=MAX_CERTIFICATES) or []
        loaded = []
        for i, text in enumerate(encoded):
            where = f"{field}.cert.certificates[{i}]"
            loaded.append(_der_certificate(b64decode(text, field=where, max_size=MAX_CERTIFICATE * 2), where))
        if loaded and is_ca(loaded[0]) and not allow_ca_certificate:
            raise InputError(f"{field}.cert.certificates[0]", "is a CA certificate; CSC puts the end-entity first")
        certs = tuple(loaded)
    multisign = _wire.get_int(obj, "multisign", field)
    assert multisign is not None
    if multisign < 1:
        raise InputError(f"{field}.multisign", "must be at least 1")
    auth = obj.get("auth")
    auth_mode = None
    if isinstance(auth, dict):
        auth_mode = _wire.get_str(auth, "mode", f"{field}.auth", required=False)
    elif auth is not None:
        raise InputError(f"{field}.auth", "must be an object")
    scal = obj.get("SCAL")
    return CredentialInfo(
        credential_id=credential_id,
        key_status=_wire.get_str(key, "status", f"{field}.key", required=False),
        key_algos=tuple(algos),
        key_len=key_len,
        key_curve=_wire.get_str(key, "curve", f"{field}.key", required=False),
        certificates=certs,
        certificate_status=cert_status,
        multisign=multisign,
        auth_mode=auth_mode or _wire.get_str(obj, "authMode", field, required=False),
        scal=str(scal) if isinstance(scal, (str, int)) and not isinstance(scal, bool) else None,
        description=_wire.get_str(obj, "description", field, required=False),
    )


def parse_credential_info(
    status: int, body: bytes | str, *, credential_id: str | None = None, allow_ca_certificate: bool = False
) -> CredentialInfo:
    """Parse a ``credentials/info`` answer (v1 and v2 share the fields read here; ``authMode`` v1 or
    ``auth.mode`` v2, ``SCAL``).

    A first certificate that is a CA certificate is refused (CSC puts the end-entity first) unless
    ``allow_ca_certificate=True`` (a credential whose key belongs to a CA, e.g. one that signs CRLs).
    """
    obj = _object_answer(status, body)
    return _credential(obj, "body", credential_id, allow_ca_certificate is True)


@dataclass(frozen=True, slots=True)
class CredentialsList:
    """``credentialIDs``, and for v2 with ``credentialInfo`` the parsed entries; ``next_page_token`` (v1)."""

    credential_ids: tuple[str, ...]
    credential_infos: tuple[CredentialInfo, ...] = ()
    next_page_token: str | None = None
    only_valid: bool | None = None


def parse_credentials_list(status: int, body: bytes | str) -> CredentialsList:
    """Parse a ``credentials/list`` answer."""
    obj = _object_answer(status, body)
    ids = _wire.get_str_list(obj, "credentialIDs", "body")
    if ids is None:
        raise InputError("body.credentialIDs", "is required")
    infos_raw = obj.get("credentialInfos")
    infos: list[CredentialInfo] = []
    if infos_raw is not None:
        if not isinstance(infos_raw, list) or len(infos_raw) > 10_000:
            raise InputError("body.credentialInfos", "must be an array")
        for i, entry in enumerate(infos_raw):
            if not isinstance(entry, dict):
                raise InputError(f"body.credentialInfos[{i}]", "must be an object")
            cid = _wire.get_str(entry, "credentialID", f"body.credentialInfos[{i}]")
            infos.append(_credential(entry, f"body.credentialInfos[{i}]", cid))
    only_valid = obj.get("onlyValid")
    if only_valid is not None and not isinstance(only_valid, bool):
        raise InputError("body.onlyValid", "must be a boolean")
    return CredentialsList(
        tuple(ids), tuple(infos), _wire.get_str(obj, "nextPageToken", "body", required=False), only_valid
    )


# --------------------------------------------------------------------------- authorization and service answers


@dataclass(frozen=True, slots=True)
class Sad:
    """Signature Activation Data from ``credentials/authorize`` (or ``extendTransaction``): the
    ``sad`` to put in signHash, valid ``expires_in`` seconds after it was issued (CSC's default
    3600 when the answer does not say). ``repr`` never shows the SAD."""

    sad: str = field(repr=False)
    expires_in: int = 3600

    def __repr__(self) -> str:
        return f"Sad(expires_in={self.expires_in})"


def _positive(obj: Mapping[str, Any], key: str, default: int | None) -> int | None:
    value = _wire.get_int(obj, key, "body", required=default is None)
    if value is None:
        return default
    if not 0 < value <= 10 * 365 * 86400:
        raise InputError(f"body.{key}", "must be a positive number of seconds")
    return value


def parse_authorize_response(status: int, body: bytes | str) -> Sad:
    """Parse a ``credentials/authorize`` or ``credentials/extendTransaction`` answer into a :class:`Sad`.

    Proves only that the service answered with a SAD; whether it is bound to the hashes asked for
    shows when signHash accepts it."""
    obj = _object_answer(status, body)
    sad = _wire.get_str(obj, "SAD", "body")
    if not sad or len(sad) > 65536:
        raise InputError("body.SAD", "must be 1..65536 characters")
    expires = _positive(obj, "expiresIn", 3600)
    assert expires is not None
    return Sad(sad, expires)


#: ``credentials/extendTransaction`` answers like ``credentials/authorize``.
parse_extend_transaction_response = parse_authorize_response


def parse_send_otp_response(status: int, body: bytes | str) -> None:
    """Check a ``credentials/sendOTP`` answer: success has no content (an empty object is accepted);
    an error answer raises its :class:`~.errors.CscError`."""
    obj = _answer(status, body, "body")
    if obj:
        raise InputError("body", "must be empty for a sendOTP answer")


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """What ``info`` says about the service: ``specs`` (the CSC version), ``name``, ``auth_types``
    (``basic``, ``oauth2code``, ``external``...), ``methods`` it implements, ``oauth2`` URI if any."""

    specs: str
    name: str
    auth_types: tuple[str, ...]
    methods: tuple[str, ...]
    oauth2: str | None = None
    region: str | None = None
    lang: str | None = None
    description: str | None = None
    logo: str | None = None


def parse_info_response(status: int, body: bytes | str) -> ServiceInfo:
    """Parse an ``info`` answer (v1 and v2): ``specs``, ``name``, ``authType``, ``methods`` are required."""
    obj = _object_answer(status, body)
    auth = _wire.get_str_list(obj, "authType", "body", max_items=64)
    methods = _wire.get_str_list(obj, "methods", "body", max_items=256)
    if auth is None:
        raise InputError("body.authType", "is required")
    if methods is None:
        raise InputError("body.methods", "is required")
    return ServiceInfo(
        specs=_wire.get_str(obj, "specs", "body") or "",
        name=_wire.get_str(obj, "name", "body") or "",
        auth_types=tuple(auth),
        methods=tuple(methods),
        oauth2=_wire.get_str(obj, "oauth2", "body", required=False),
        region=_wire.get_str(obj, "region", "body", required=False),
        lang=_wire.get_str(obj, "lang", "body", required=False),
        description=_wire.get_str(obj, "description", "body", required=False),
        logo=_wire.get_str(obj, "logo", "body", required=False),
    )


@dataclass(frozen=True, slots=True)
class LoginToken:
    """The ``auth/login`` answer: ``access_token`` for the Authorization header, optional
    ``refresh_token``, ``expires_in`` seconds (3600 when not said). ``repr`` shows no token."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    expires_in: int = 3600

    def __repr__(self) -> str:
        refresh = ", refresh_token=..." if self.refresh_token else ""
        return f"LoginToken(expires_in={self.expires_in}{refresh})"


def parse_login_response(status: int, body: bytes | str) -> LoginToken:
    """Parse an ``auth/login`` answer."""
    obj = _object_answer(status, body)
    token = _wire.get_str(obj, "access_token", "body")
    if not token or len(token) > 65536 or any(c in token for c in "\r\n"):
        raise InputError("body.access_token", "must be 1..65536 characters on one line")
    refresh = _wire.get_str(obj, "refresh_token", "body", required=False)
    expires = _positive(obj, "expires_in", 3600)
    assert expires is not None
    return LoginToken(token, refresh or None, expires)
