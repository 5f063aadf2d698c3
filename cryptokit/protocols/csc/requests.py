"""CSC API requests (v1.0.4 and v2.0): ``signatures/signHash``, ``credentials/info``, ``credentials/list``.

Every builder returns an :class:`~cryptokit.protocols.HttpRequest` (``signHash`` a subclass that also
keeps the hashes and algorithms, so the answer can be verified against exactly what was sent). The
bearer token and the SAD go into the header and body only; ``repr`` shows neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ...algorithms import HashAlgorithm, SignatureAlgorithm, hash_algorithm, signature_algorithm
from ...encoding import b64decode, b64encode
from ...errors import InputError, UnsupportedAlgorithm
from ...hashing import HashToSign
from ...signatures.pss_params import PssParams, encode_pss_params, parse_pss_params
from .. import HttpRequest
from .._args import optional_str_arg
from . import _wire

if TYPE_CHECKING:
    from .responses import CredentialInfo

__all__ = [
    "SignHashRequest",
    "build_sign_hash_request",
    "parse_sign_hash_request",
    "build_sign_polling_request",
    "build_credentials_info_request",
    "build_credentials_list_request",
    "RSA_ENCRYPTION",
    "RSASSA_PSS",
    # RSASSA-PSS-params for signAlgoParams: the library's one implementation, under CSC's names
    "PssParams",
    "encode_pss_params",
    "parse_pss_params",
    "AuthorizeRequest",
    "build_authorize_request",
    "build_extend_transaction_request",
    "build_send_otp_request",
    "build_info_request",
    "build_login_request",
]

RSA_ENCRYPTION = "1.2.840.113549.1.1.1"
RSASSA_PSS = "1.2.840.113549.1.1.10"
#: Upper bound on hashes in one request when the credential's ``multisign`` is not given.
MAX_HASHES = 1000

Version = Literal[1, 2]
HashInput = HashToSign | bytes | str


@dataclass(frozen=True, slots=True, repr=False)
class SignHashRequest(HttpRequest):
    """A ``signatures/signHash`` request: the HTTP request plus what it asks to be signed.

    ``hashes`` are in request order; ``sign_algorithm`` is the resolved ``signAlgo``; ``pss`` the
    RSASSA-PSS parameters when ``signAlgo`` is RSASSA-PSS; ``operation_mode`` is "S" or "A" (v2).
    """

    version: int = 2
    credential_id: str = ""
    hashes: tuple[HashToSign, ...] = ()
    hash_algorithm: HashAlgorithm | None = None
    sign_algorithm: SignatureAlgorithm | None = None
    pss: PssParams | None = None
    operation_mode: str = "S"


def _base(version: int, base_path: str | None) -> str:
    if version not in (1, 2):
        raise InputError("version", "must be 1 or 2")
    optional_str_arg(base_path, "base_path")
    path = base_path if base_path is not None else f"/csc/v{version}/"
    return path if path.endswith("/") else path + "/"


def _headers(access_token: str | None) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    if access_token is not None:
        if not isinstance(access_token, str) or not access_token or any(c in access_token for c in "\r\n"):
            raise InputError("access_token", "must be a non-empty single-line string")
        headers["Authorization"] = f"Bearer {access_token}"
    return headers


def _text(value: object, field: str, *, max_len: int = 4096) -> str:
    if not isinstance(value, str) or not value:
        raise InputError(field, "must be a non-empty string")
    if len(value) > max_len:
        raise InputError(field, f"is longer than {max_len} characters")
    return value


def _hashes(items: Sequence[HashInput] | HashInput, alg: HashAlgorithm | None) -> tuple[HashToSign, ...]:
    if isinstance(items, (HashToSign, bytes, str)):
        items = [items]
    out: list[HashToSign] = []
    for i, item in enumerate(items):
        field = f"hashes[{i}]"
        if isinstance(item, HashToSign):
            if alg is not None and item.algorithm != alg:
                raise InputError(field, f"is a {item.algorithm.name} hash; the request uses {alg.name}")
            out.append(item)
            continue
        if alg is None:
            raise InputError("hash_algo", "is needed to read hashes given as bytes or base64 text")
        digest = b64decode(item, field=field, max_size=1024) if isinstance(item, str) else item
        if not isinstance(digest, bytes):
            raise InputError(field, "must be a HashToSign, bytes or base64 text")
        if len(digest) != alg.digest_size:
            raise InputError(field, f"is {len(digest)} bytes; {alg.name} digests are {alg.digest_size}")
        out.append(HashToSign(alg, digest))
    if not out:
        raise InputError("hashes", "must hold at least one hash")
    return tuple(out)


def _resolve_algorithms(
    sign_algo: str,
    hash_algo: str | HashAlgorithm | None,
    hashes: Sequence[HashInput] | HashInput,
    sign_algo_params: bytes | str | None,
    pss_salt_length: int | None,
) -> tuple[SignatureAlgorithm, HashAlgorithm, tuple[HashToSign, ...], PssParams | None, bool]:
    """(signature algorithm, hash algorithm, hashes, PSS params, whether hashAlgo goes on the wire)."""
    sig = signature_algorithm(_text(sign_algo, "sign_algo"))
    if sig.scheme in ("ed25519", "ed448"):
        raise UnsupportedAlgorithm(f"{sig.name} signs messages, not hashes; signHash cannot use it")
    declared = hash_algorithm(hash_algo) if hash_algo is not None else None
    if sig.hash is not None:
        if declared is not None and declared != sig.hash:
            raise InputError("hash_algo", f"is {declared.name} but signAlgo {sig.name} fixes {sig.hash.name}")
        alg = sig.hash
        hash_on_wire = False
    else:
        # rsaEncryption, RSASSA-PSS: hashAlgo is required; take it from the hashes when not given.
        first = (
            hashes
            if isinstance(hashes, HashToSign)
            else hashes[0]
            if isinstance(hashes, (list, tuple)) and hashes
            else None
        )
        if declared is None and isinstance(first, HashToSign):
            declared = first.algorithm
        if declared is None:
            raise InputError("hash_algo", f"is required when signAlgo is {sig.name}")
        alg = declared
        hash_on_wire = True
    if alg.weak:
        raise UnsupportedAlgorithm(f"{alg.name} is refused")
    items = _hashes(hashes, alg)
    pss: PssParams | None = None
    if sig.scheme == "pss":
        if sign_algo_params is None:
            pss = PssParams(alg, alg, alg.digest_size if pss_salt_length is None else pss_salt_length)
            encode_pss_params(alg, salt_length=pss.salt_length)  # range check
        else:
            pss = parse_pss_params(sign_algo_params)
            if pss.hash != alg:
                raise InputError("sign_algo_params", f"name {pss.hash.name} but the hashes are {alg.name}")
            if pss_salt_length is not None and pss_salt_length != pss.salt_length:
                raise InputError("pss_salt_length", "contradicts sign_algo_params")
    elif sign_algo_params is not None or pss_salt_length is not None:
        raise InputError("sign_algo_params", f"PSS parameters are only defined for RSASSA-PSS, not {sig.name}")
    return sig, alg, items, pss, hash_on_wire


def build_sign_hash_request(
    hashes: Sequence[HashInput] | HashInput,
    *,
    credential_id: str,
    sign_algo: str,
    sad: str | None = None,
    hash_algo: str | HashAlgorithm | None = None,
    sign_algo_params: bytes | str | None = None,
    pss_salt_length: int | None = None,
    version: Version = 2,
    operation_mode: Literal["S", "A"] | None = None,
    validity_period: int | None = None,
    response_uri: str | None = None,
    client_data: str | None = None,
    multisign: int | None = None,
    key_algos: Sequence[str] | None = None,
    credential: CredentialInfo | None = None,
    access_token: str | None = None,
    base_path: str | None = None,
) -> SignHashRequest:
    """Build ``signatures/signHash`` for CSC v1 (``hash``/``hashAlgo``) or v2 (``hashes``/``hashAlgorithmOID``).

    ``sign_algo`` is an OID (or registry name). ``hashAlgo`` is sent when ``signAlgo`` is
    rsaEncryption or RSASSA-PSS (taken from ``hash_algo`` or the hashes) and left out otherwise,
    where it follows from ``signAlgo``. For RSASSA-PSS, ``signAlgoParams`` is the base64 DER
    RSASSA-PSS-params: given, or built from the hash (MGF1 same hash, salt = digest length).

    Refused before anything is sent (InputError): a hash whose length does not fit its algorithm,
    hashes of mixed algorithms, more hashes than ``multisign`` (or ``credential.multisign``), a
    ``signAlgo`` not in ``key_algos`` (or ``credential.key_algos``), v2-only fields in v1.
    Proves nothing about the answer: see :func:`verify_sign_hash_response`.
    """
    if credential is not None:
        multisign = credential.multisign if multisign is None else multisign
        key_algos = credential.key_algos if key_algos is None else key_algos
    base = _base(version, base_path)
    sig, alg, items, pss, hash_on_wire = _resolve_algorithms(
        sign_algo, hash_algo, hashes, sign_algo_params, pss_salt_length
    )
    limit = MAX_HASHES if multisign is None else multisign
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InputError("multisign", "must be a positive integer")
    if len(items) > limit:
        raise InputError("hashes", f"has {len(items)} hashes, more than the credential's multisign of {limit}")
    if key_algos is not None and sig.oid not in key_algos:
        raise InputError("sign_algo", f"{sig.oid} is not among the credential's key/algo {list(key_algos)}")
    body: dict[str, Any] = {"credentialID": _text(credential_id, "credential_id", max_len=1024)}
    if sad is not None:
        body["SAD"] = _text(sad, "sad", max_len=65536)
    elif version == 1:
        raise InputError("sad", "is required by CSC v1 signHash")
    if version == 1:
        body["hash"] = [h.b64 for h in items]
        if hash_on_wire:
            body["hashAlgo"] = alg.oid
    else:
        body["hashes"] = [h.b64 for h in items]
        if hash_on_wire:
            body["hashAlgorithmOID"] = alg.oid
    body["signAlgo"] = sig.oid
    if pss is not None:
        body["signAlgoParams"] = (
            sign_algo_params
            if isinstance(sign_algo_params, str)
            else b64encode(sign_algo_params)
            if sign_algo_params is not None
            else pss.to_b64()
        )
    mode = operation_mode or "S"
    if version == 1:
        if operation_mode is not None or validity_period is not None or response_uri is not None:
            raise InputError("operation_mode", "operationMode, validity_period and response_uri are CSC v2 only")
    else:
        if mode not in ("S", "A"):
            raise InputError("operation_mode", 'must be "S" or "A"')
        if operation_mode is not None:
            body["operationMode"] = mode
        if (validity_period is not None or response_uri is not None) and mode != "A":
            raise InputError("operation_mode", 'validity_period and response_uri need operationMode "A"')
        if validity_period is not None:
            if isinstance(validity_period, bool) or not isinstance(validity_period, int) or validity_period <= 0:
                raise InputError("validity_period", "must be a positive number of milliseconds")
            body["validity_period"] = validity_period
        if response_uri is not None:
            body["response_uri"] = _text(response_uri, "response_uri")
    if client_data is not None:
        body["clientData"] = _text(client_data, "client_data")
    return SignHashRequest(
        "POST",
        base + "signatures/signHash",
        {},
        _headers(access_token),
        _wire.dumps(body),
        version=version,
        credential_id=credential_id,
        hashes=items,
        hash_algorithm=alg,
        sign_algorithm=sig,
        pss=pss,
        operation_mode=mode,
    )


def parse_sign_hash_request(body: bytes | str, *, version: Version | None = None) -> SignHashRequest:
    """Read a ``signatures/signHash`` body (the server half, or a logged request) into a SignHashRequest.

    The version is taken from the field names (``hash`` v1, ``hashes`` v2) unless given. The same
    rules as :func:`build_sign_hash_request` apply; a violation is an InputError.
    """
    obj = _wire.load_object(body, field="request")
    if obj is None:
        raise InputError("request", "is empty")
    if version is None:
        version = 1 if "hash" in obj else 2
    hashes = _wire.get_str_list(obj, "hash" if version == 1 else "hashes", "request", max_items=MAX_HASHES)
    if not hashes:
        raise InputError("request.hashes", "must hold at least one hash")
    mode = _wire.get_str(obj, "operationMode", "request", required=False)
    if mode not in (None, "S", "A"):
        raise InputError("request.operationMode", 'must be "S" or "A"')
    return build_sign_hash_request(
        hashes,
        credential_id=_wire.get_str(obj, "credentialID", "request") or "",
        sign_algo=_wire.get_str(obj, "signAlgo", "request") or "",
        sad=_wire.get_str(obj, "SAD", "request", required=False),
        hash_algo=_wire.get_str(obj, "hashAlgo" if version == 1 else "hashAlgorithmOID", "request", required=False),
        sign_algo_params=_wire.get_str(obj, "signAlgoParams", "request", required=False),
        version=version,
        operation_mode="A" if mode == "A" else "S" if mode == "S" else None,
        validity_period=_wire.get_int(obj, "validity_period", "request", required=False),
        response_uri=_wire.get_str(obj, "response_uri", "request", required=False),
        client_data=_wire.get_str(obj, "clientData", "request", required=False),
    )


def build_sign_polling_request(
    response_id: str, *, access_token: str | None = None, base_path: str | None = None
) -> HttpRequest:
    """CSC v2 ``signatures/signPolling`` for the ``responseID`` an asynchronous signHash returned."""
    body = {"responseID": _text(response_id, "response_id", max_len=1024)}
    return HttpRequest(
        "POST", _base(2, base_path) + "signatures/signPolling", {}, _headers(access_token), _wire.dumps(body)
    )


def build_credentials_info_request(
    credential_id: str,
    *,
    certificates: Literal["none", "single", "chain"] = "chain",
    cert_info: bool = False,
    auth_info: bool = False,
    version: Version = 2,
    client_data: str | None = None,
    access_token: str | None = None,
    base_path: str | None = None,
) -> HttpRequest:
    """``credentials/info``; asks for the whole chain by default so the answer can be verified."""
    if certificates not in ("none", "single", "chain"):
        raise InputError("certificates", 'must be "none", "single" or "chain"')
    body: dict[str, Any] = {"credentialID": _text(credential_id, "credential_id", max_len=1024)}
    body["certificates"] = certificates
    body["certInfo"] = bool(cert_info)
    body["authInfo"] = bool(auth_info)
    if client_data is not None:
        body["clientData"] = _text(client_data, "client_data")
    return HttpRequest(
        "POST", _base(version, base_path) + "credentials/info", {}, _headers(access_token), _wire.dumps(body)
    )


def build_credentials_list_request(
    *,
    user_id: str | None = None,
    max_results: int | None = None,
    page_token: str | None = None,
    version: Version = 2,
    credential_info: bool = False,
    certificates: Literal["none", "single", "chain"] | None = None,
    only_valid: bool | None = None,
    client_data: str | None = None,
    access_token: str | None = None,
    base_path: str | None = None,
) -> HttpRequest:
    """``credentials/list`` (v1: ``userID``, ``maxResults``, ``pageToken``; v2 adds ``credentialInfo``...)."""
    body: dict[str, Any] = {}
    if user_id is not None:
        body["userID"] = _text(user_id, "user_id", max_len=1024)
    if max_results is not None:
        if isinstance(max_results, bool) or not isinstance(max_results, int) or max_results < 1:
            raise InputError("max_results", "must be a positive integer")
        body["maxResults"] = max_results
    if page_token is not None:
        body["pageToken"] = _text(page_token, "page_token")
    if version == 2:
        if credential_info:
            body["credentialInfo"] = True
            if certificates is not None:
                body["certificates"] = certificates
        elif certificates is not None:
            raise InputError("certificates", "needs credential_info=True")
        if only_valid is not None:
            body["onlyValid"] = bool(only_valid)
    elif credential_info or certificates is not None or only_valid is not None:
        raise InputError("credential_info", "credentialInfo, certificates and onlyValid are CSC v2 only")
    if client_data is not None:
        body["clientData"] = _text(client_data, "client_data")
    return HttpRequest(
        "POST", _base(version, base_path) + "credentials/list", {}, _headers(access_token), _wire.dumps(body)
    )


# --------------------------------------------------------------------------- authorization (SAD) and service calls

#: Upper bound on ``numSignatures`` a client asks for in one authorization.
MAX_NUM_SIGNATURES = 10_000


@dataclass(frozen=True, slots=True, repr=False)
class AuthorizeRequest(HttpRequest):
    """A ``credentials/authorize`` (or ``credentials/extendTransaction``) request: the HTTP request
    plus the hashes it binds the SAD to (empty when it binds none). PIN, OTP and SAD travel in the
    body only; ``repr`` shows neither body nor headers."""

    version: int = 2
    credential_id: str = ""
    num_signatures: int = 0
    hashes: tuple[HashToSign, ...] = ()


def _bound_hashes(
    hashes: Sequence[HashInput] | HashInput | None, hash_algorithm: str | HashAlgorithm | None
) -> tuple[tuple[HashToSign, ...], HashAlgorithm | None]:
    if hashes is None:
        if hash_algorithm is not None:
            raise InputError("hash_algorithm", "names the algorithm of hashes, and no hashes are given")
        return (), None
    alg = _hash_alg(hash_algorithm) if hash_algorithm is not None else None
    if alg is None:
        first = (
            hashes
            if isinstance(hashes, HashToSign)
            else hashes[0]
            if isinstance(hashes, (list, tuple)) and hashes
            else None
        )
        if isinstance(first, HashToSign):
            alg = first.algorithm
    if alg is not None and alg.weak:
        raise UnsupportedAlgorithm(f"{alg.name} is refused")
    items = _hashes(hashes, alg)
    return items, items[0].algorithm


def _hash_alg(value: object) -> HashAlgorithm:
    if not isinstance(value, (str, HashAlgorithm)):
        raise InputError("hash_algorithm", "must be a hash algorithm name or OID")
    return value if isinstance(value, HashAlgorithm) else hash_algorithm(value)


def _client_data(body: dict[str, Any], client_data: str | None) -> None:
    if client_data is not None:
        body["clientData"] = _text(client_data, "client_data")


def _put_hashes(body: dict[str, Any], version: int, items: tuple[HashToSign, ...], alg: HashAlgorithm | None) -> None:
    if not items:
        return
    if version == 1:
        body["hash"] = [h.b64 for h in items]
    else:
        body["hashes"] = [h.b64 for h in items]
        assert alg is not None
        body["hashAlgorithmOID"] = alg.oid


def build_authorize_request(
    credential_id: str,
    *,
    num_signatures: int,
    hashes: Sequence[HashInput] | HashInput | None = None,
    hash_algorithm: str | HashAlgorithm | None = None,
    pin: str | None = None,
    otp: str | None = None,
    description: str | None = None,
    client_data: str | None = None,
    version: Version = 2,
    access_token: str | None = None,
    base_path: str | None = None,
) -> AuthorizeRequest:
    """``credentials/authorize``: ask for a SAD for ``num_signatures`` signatures with ``credential_id``.

    With ``hashes`` (HashToSign, or bytes/base64 with ``hash_algorithm``) the SAD is bound to them
    (required by SCAL 2 credentials); their number must equal ``num_signatures``. v1 sends ``hash``,
    ``PIN``, ``OTP``; v2 ``hashes`` with ``hashAlgorithmOID`` and the PIN/OTP as ``authData``.
    Refused before anything is sent (InputError): a count out of 1..10000, hashes of the wrong
    length or of mixed algorithms, a count that differs from the hashes, an empty PIN or OTP.
    """
    base = _base(version, base_path)
    if isinstance(num_signatures, bool) or not isinstance(num_signatures, int):
        raise InputError("num_signatures", "must be an integer")
    if not 1 <= num_signatures <= MAX_NUM_SIGNATURES:
        raise InputError("num_signatures", f"must be 1..{MAX_NUM_SIGNATURES}")
    items, alg = _bound_hashes(hashes, hash_algorithm)
    if items and len(items) != num_signatures:
        raise InputError("num_signatures", f"is {num_signatures}, but {len(items)} hashes are bound")
    body: dict[str, Any] = {"credentialID": _text(credential_id, "credential_id", max_len=1024)}
    body["numSignatures"] = num_signatures
    _put_hashes(body, version, items, alg)
    secrets = [
        (name, _text(value, field, max_len=1024))
        for name, value, field in (("PIN", pin, "pin"), ("OTP", otp, "otp"))
        if value is not None
    ]
    if version == 1:
        body.update(secrets)
    elif secrets:
        body["authData"] = [{"id": name, "value": value} for name, value in secrets]
    if description is not None:
        body["description"] = _text(description, "description", max_len=500)
    _client_data(body, client_data)
    return AuthorizeRequest(
        "POST",
        base + "credentials/authorize",
        {},
        _headers(access_token),
        _wire.dumps(body),
        version=version,
        credential_id=credential_id,
        num_signatures=num_signatures,
        hashes=items,
    )


def build_extend_transaction_request(
    credential_id: str,
    sad: str,
    *,
    hashes: Sequence[HashInput] | HashInput | None = None,
    hash_algorithm: str | HashAlgorithm | None = None,
    client_data: str | None = None,
    version: Version = 2,
    access_token: str | None = None,
    base_path: str | None = None,
) -> AuthorizeRequest:
    """``credentials/extendTransaction``: trade a SAD about to expire for a new one (same credential,
    optionally the hashes it binds). The answer is read by :func:`~.responses.parse_authorize_response`."""
    base = _base(version, base_path)
    items, alg = _bound_hashes(hashes, hash_algorithm)
    body: dict[str, Any] = {"credentialID": _text(credential_id, "credential_id", max_len=1024)}
    _put_hashes(body, version, items, alg)
    body["SAD"] = _text(sad, "sad", max_len=65536)
    _client_data(body, client_data)
    return AuthorizeRequest(
        "POST",
        base + "credentials/extendTransaction",
        {},
        _headers(access_token),
        _wire.dumps(body),
        version=version,
        credential_id=credential_id,
        num_signatures=len(items),
        hashes=items,
    )


def build_send_otp_request(
    credential_id: str,
    *,
    client_data: str | None = None,
    version: Version = 2,
    access_token: str | None = None,
    base_path: str | None = None,
) -> HttpRequest:
    """``credentials/sendOTP``: ask the service to send the user the OTP for ``credential_id``
    (answered with no content; read it with :func:`~.responses.parse_send_otp_response`)."""
    body: dict[str, Any] = {"credentialID": _text(credential_id, "credential_id", max_len=1024)}
    _client_data(body, client_data)
    return HttpRequest(
        "POST", _base(version, base_path) + "credentials/sendOTP", {}, _headers(access_token), _wire.dumps(body)
    )


def build_info_request(*, lang: str | None = None, version: Version = 2, base_path: str | None = None) -> HttpRequest:
    """``info``: the service's name, specification version, authentication types and methods.
    It needs no access token."""
    body: dict[str, Any] = {}
    if lang is not None:
        body["lang"] = _text(lang, "lang", max_len=64)
    headers = {"Content-Type": "application/json"}
    return HttpRequest("POST", _base(version, base_path) + "info", {}, headers, _wire.dumps(body))


def build_login_request(
    username: str,
    password: str,
    *,
    remember_me: bool | None = None,
    refresh_token: str | None = None,
    client_data: str | None = None,
    version: Version = 2,
    base_path: str | None = None,
) -> HttpRequest:
    """``auth/login`` with HTTP Basic authentication (``authType`` "basic"): ``username:password`` in
    the Authorization header, ``rememberMe``/``refresh_token`` in the body. The answer is read by
    :func:`~.responses.parse_login_response`. A username holding ``:`` or a line break is refused."""
    from ...encoding import b64encode as _b64

    user = _text(username, "username", max_len=1024)
    secret = _text(password, "password", max_len=1024)
    if ":" in user or any(c in user + secret for c in "\r\n"):
        raise InputError("username", "must not hold ':' or line breaks (HTTP Basic)")
    body: dict[str, Any] = {}
    if refresh_token is not None:
        body["refresh_token"] = _text(refresh_token, "refresh_token", max_len=65536)
    if remember_me is not None:
        if not isinstance(remember_me, bool):
            raise InputError("remember_me", "must be a boolean")
        body["rememberMe"] = remember_me
    _client_data(body, client_data)
    headers = {"Content-Type": "application/json", "Authorization": "Basic " + _b64(f"{user}:{secret}".encode())}
    return HttpRequest("POST", _base(version, base_path) + "auth/login", {}, headers, _wire.dumps(body))
