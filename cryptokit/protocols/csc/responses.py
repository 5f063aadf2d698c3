"""CSC API answers: ``signatures/signHash``, ``credentials/info``, ``credentials/list``.

Each ``parse_*`` takes the HTTP status and body. An error answer (``{"error", "error_description"}``
or a non-2xx status) raises a :class:`~cryptokit.protocols.csc.errors.CscError` subclass; a body that
is not the documented shape raises :class:`~cryptokit.errors.InputError`. Parsing proves only the
shape: a signature is checked by :func:`~cryptokit.protocols.csc.verify.verify_sign_hash_response`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography import x509

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
            raise error_from_answer(status, None) from None
        raise
    if status >= 300 or (obj is not None and "error" in obj):
        raise error_from_answer(status, obj)
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
    obj = _answer(status, body, "body")
    if obj is None:
        raise InputError("body", "is empty")
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


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _credential(obj: Mapping[str, Any], field: str, credential_id: str | None) -> CredentialInfo:
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
        if loaded and _is_ca(loaded[0]):
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


def parse_credential_info(status: int, body: bytes | str, *, credential_id: str | None = None) -> CredentialInfo:
    """Parse a ``credentials/info`` answer (v1 and v2 share the fields read here)."""
    obj = _answer(status, body, "body")
    if obj is None:
        raise InputError("body", "is empty")
    return _credential(obj, "body", credential_id)


@dataclass(frozen=True, slots=True)
class CredentialsList:
    """``credentialIDs``, and for v2 with ``credentialInfo`` the parsed entries; ``next_page_token`` (v1)."""

    credential_ids: tuple[str, ...]
    credential_infos: tuple[CredentialInfo, ...] = ()
    next_page_token: str | None = None
    only_valid: bool | None = None


def parse_credentials_list(status: int, body: bytes | str) -> CredentialsList:
    """Parse a ``credentials/list`` answer."""
    obj = _answer(status, body, "body")
    if obj is None:
        raise InputError("body", "is empty")
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
