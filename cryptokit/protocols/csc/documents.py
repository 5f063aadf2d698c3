"""CSC in one step: documents in, verified CMS files out, through ``signatures/signHash`` exchanges.

:func:`sign_documents` prepares a CAdES-BES SignedData per document (:func:`cryptokit.cms.cms_prepare`),
sends the ``to_sign`` hashes in as few signHash calls as the credential's ``multisign`` allows (one
when it allows them all), maps the returned signatures back by position (the order search of
:func:`~.verify.validate_sign_hash_response` names a signature that belongs to another document) and
finishes each CMS, which is verified against the certificate before it is returned. The SAD comes from
the caller (``sad=``) or, opted in with ``authorize=`` (:class:`Authorize`), from a
``credentials/authorize`` call before each signHash call, bound to its hashes. The module opens no
socket: the caller's ``send`` does the HTTP.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Unpack

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ..._dsa import public_key as load_public_key
from ...errors import ForeignSignature, InputError
from ...hashing import HashToSign
from ...report import SubIndication
from .._documents import (
    Diagnosis,
    DocumentOptions,
    Exchange,
    Prepared,
    SigningPending,
    check_returned,
    exchange,
    finish_all,
    prepare_documents,
)
from .requests import (
    MAX_HASHES,
    RSA_ENCRYPTION,
    RSASSA_PSS,
    build_authorize_request,
    build_credentials_info_request,
    build_sign_hash_request,
)
from .responses import CredentialInfo, parse_authorize_response, parse_credential_info, parse_sign_hash_response

__all__ = ["Authorize", "DocumentOptions", "SigningPending", "sign_documents"]

_ECDSA = {"sha256": "1.2.840.10045.4.3.2", "sha384": "1.2.840.10045.4.3.3", "sha512": "1.2.840.10045.4.3.4"}
_RSA = {"sha256": "1.2.840.113549.1.1.11", "sha384": "1.2.840.113549.1.1.12", "sha512": "1.2.840.113549.1.1.13"}
_DER = serialization.Encoding.DER

SadArg = str | Callable[[Sequence[HashToSign]], str] | None


def _sign_algo(key: Any, scheme: str, hash_name: str, key_algos: Sequence[str] | None) -> str:
    """The signAlgo OID for the prepared scheme, preferring what the credential lists."""
    if isinstance(key, ec.EllipticCurvePublicKey):
        candidates = [_ECDSA.get(hash_name)]
    elif scheme == "pss":
        candidates = [RSASSA_PSS]
    else:
        candidates = [RSA_ENCRYPTION, _RSA.get(hash_name)]
    options = [c for c in candidates if c is not None]
    if key_algos is not None:
        listed = [c for c in options if c in key_algos]
        if not listed:
            raise InputError("sign_algo", f"the credential offers none of {options} for {scheme} with {hash_name}")
        return listed[0]
    if not options:
        raise InputError("sign_algo", f"no CSC signAlgo for {scheme} with {hash_name}: pass sign_algo")
    return options[0]


def _sad(sad: object, hashes: Sequence[HashToSign]) -> str | None:
    if sad is None or isinstance(sad, str):
        return sad
    if callable(sad):
        value = sad(hashes)
        if not isinstance(value, str):
            raise InputError("sad", "the callable must return the SAD as a str")
        return value
    raise InputError("sad", "must be a str, a callable(hashes) -> str, or None")


@dataclass(frozen=True, slots=True)
class Authorize:
    """``sign_documents(..., authorize=Authorize(...))``: before each signHash call, ask
    ``credentials/authorize`` (through the same ``send``, access token, version and base path) for a
    SAD for that call's signatures, bound to its hashes (what SCAL 2 requires), and sign with it.

    ``pin``: the user's PIN. ``otp``: the OTP, or a callable returning a fresh one for each call
    (an OTP is usually good once, and a job may take several calls). ``description`` and
    ``client_data`` go into the request as :func:`~.requests.build_authorize_request` says. The PIN
    and OTP never reach a ``repr``. Proves nothing by itself: signHash accepting the SAD does."""

    pin: str | None = field(default=None, repr=False)
    otp: str | Callable[[], str] | None = field(default=None, repr=False)
    description: str | None = None
    client_data: str | None = None


def _authorized_sad(
    send: Exchange,
    authorize: Authorize,
    hashes: Sequence[HashToSign],
    credential_id: str,
    access: tuple[str | None, Literal[1, 2], str | None],
) -> str:
    """The SAD ``credentials/authorize`` answers for ``hashes`` (one call's)."""
    otp = authorize.otp() if callable(authorize.otp) else authorize.otp
    if otp is not None and not isinstance(otp, str):
        raise InputError("authorize.otp", "the callable must return the OTP as a str")
    access_token, version, base_path = access
    texts = {"description": authorize.description, "client_data": authorize.client_data}
    request = build_authorize_request(
        credential_id, num_signatures=len(hashes), hashes=hashes, pin=authorize.pin, otp=otp, **texts,
        version=version, access_token=access_token, base_path=base_path,
    )  # fmt: skip
    return parse_authorize_response(*exchange(send, request)).sad


def _finish_chunk(items: Sequence[Prepared], request: Any, signatures: Sequence[bytes]) -> None:
    """Check one signHash call's signatures against its hashes; raise naming the document."""
    from ... import returned_signatures as rs
    from .verify import _verify_one

    budget = rs.ProbeBudget(rs.MAX_SWAP_PROBES)  # one swap-search budget for the whole answer
    key = load_public_key(items[0].cms.certificate)

    def diagnose(position: int, item: Prepared, signature: bytes) -> Diagnosis | None:
        checks, _, signs = _verify_one(request, position, signature, key, False, budget)
        failed = next((c for c in checks if c.outcome.value == "failed"), None)
        if failed is None:
            return None
        on_signature = failed.name == "signature"
        foreign = on_signature and failed.sub_indication is SubIndication.SIG_CRYPTO_FAILURE
        other = signs if on_signature and isinstance(signs, int) and signs != position else None
        return Diagnosis(failed.message, foreign, other)

    check_returned(items, signatures, diagnose)


def sign_documents(
    documents: Sequence[Any],
    send: Exchange,
    *,
    credential_id: str,
    access_token: str | None = None,
    sad: SadArg = None,
    authorize: Authorize | None = None,
    certificate: x509.Certificate | bytes | str | None = None,
    chain: Sequence[x509.Certificate] | None = None,
    credential: CredentialInfo | None = None,
    sign_algo: str | None = None,
    multisign: int | None = None,
    version: Literal[1, 2] = 2,
    base_path: str | None = None,
    **options: Unpack[DocumentOptions],
) -> list[bytes]:
    """Sign ``documents`` with the CSC credential ``credential_id``; one verified CMS (DER) per document.

    ``documents``: bytes, paths (streamed when ``detached``) or HashToSign digests (detached only).
    ``send(HttpRequest)`` performs one HTTP exchange and returns ``(status, headers, body)`` (an
    HttpResponse unpacks as that). Without ``credential`` (a parsed ``credentials/info``), and unless
    both ``certificate`` and ``multisign`` are given, ``credentials/info`` is asked first; a
    certificate given that differs from the credential's raises
    :class:`~cryptokit.errors.ForeignSignature` before any hash is sent. The hashes go in calls of at
    most ``multisign`` each. ``sad``: the SAD string, a callable that returns one for each call's
    hashes (CSC binds a SAD to the hashes it authorises), or None. ``authorize`` (opt-in, instead
    of ``sad``): an :class:`Authorize` that has each call ask ``credentials/authorize`` for its SAD
    first (bound to the call's hashes; a refusal raises its :class:`~.errors.CscError` and nothing
    more is sent). ``sign_algo`` defaults to the OID
    matching the key, ``scheme`` and ``hash`` among the credential's ``key/algo``. ``options``:
    :class:`DocumentOptions` (hash, detached, signing_time, scheme,
    pss_salt_length, doc_aliases, policy).

    Errors: what :func:`~cryptokit.cms.cms_prepare` refuses, before anything is sent; a CSC error answer
    raises its :class:`~.errors.CscError`; an asynchronous answer raises :class:`SigningPending`;
    :class:`~cryptokit.errors.SignatureCountMismatch`, :class:`~cryptokit.errors.SignatureLengthError`,
    :class:`~cryptokit.errors.MisplacedSignature`, :class:`~cryptokit.errors.ForeignSignature` or
    :class:`~cryptokit.errors.DocumentSigningError`, each naming the document.
    """
    from ...cms.prepare import _certificate_arg

    if authorize is not None and not isinstance(authorize, Authorize):
        raise InputError("authorize", "must be an Authorize (the PIN/OTP for credentials/authorize) or None")
    if authorize is not None and sad is not None:
        raise InputError("authorize", "give sad or authorize, not both")
    cert = None if certificate is None else _certificate_arg(certificate, "certificate")
    if credential is not None and not isinstance(credential, CredentialInfo):
        raise InputError("credential", "must be a CredentialInfo from parse_credential_info")
    if credential is None and (cert is None or multisign is None):
        info_request = build_credentials_info_request(
            credential_id, access_token=access_token, version=version, base_path=base_path
        )
        credential = parse_credential_info(*exchange(send, info_request), credential_id=credential_id)
    key_algos: Sequence[str] | None = None
    if credential is not None:
        if credential.certificate is None:
            raise InputError("credential", "carries no certificate")
        if cert is None:
            cert = credential.certificate
        elif cert.public_bytes(_DER) != credential.certificate.public_bytes(_DER):
            raise ForeignSignature(
                f"the service answers for another certificate: credential {credential_id} holds "
                f"{credential.certificate.subject.rfc4514_string()}, not {cert.subject.rfc4514_string()}"
            )
        if chain is None:
            chain = credential.chain
        if multisign is None:
            multisign = credential.multisign
        key_algos = credential.key_algos or None
    assert cert is not None
    limit = MAX_HASHES if multisign is None else multisign
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InputError("multisign", "must be a positive integer")
    items = prepare_documents("sign_documents", documents, certificate=cert, chain=chain or (), options=options)
    first = items[0].cms
    key = load_public_key(cert)
    if not isinstance(key, (rsa.RSAPublicKey, ec.EllipticCurvePublicKey)):  # cms_prepare refused others
        raise InputError("certificate", "must hold an RSA or EC key")
    algo = sign_algo if sign_algo is not None else _sign_algo(key, first.scheme, first.hash_name, key_algos)
    salt = options.get("pss_salt_length") if first.scheme == "pss" else None
    if first.scheme == "pss" and salt is None:
        from asn1crypto import algos

        salt = algos.SignedDigestAlgorithm.load(first.signature_algorithm)["parameters"]["salt_length"].native
    signatures: list[bytes] = []
    for start in range(0, len(items), limit):
        chunk = items[start : start + limit]
        hashes = [item.cms.to_sign for item in chunk]
        call_sad: str | None
        if authorize is not None:
            call_sad = _authorized_sad(send, authorize, hashes, credential_id, (access_token, version, base_path))
        else:
            call_sad = _sad(sad, hashes)
        request = build_sign_hash_request(
            hashes,
            credential_id=credential_id,
            sign_algo=algo,
            sad=call_sad,
            hash_algo=first.hash_name if algo in (RSA_ENCRYPTION, RSASSA_PSS) else None,
            pss_salt_length=salt,
            version=version,
            multisign=limit,
            key_algos=key_algos,
            access_token=access_token,
            base_path=base_path,
        )
        result = parse_sign_hash_response(*exchange(send, request), request=request)
        if result.pending:
            raise SigningPending(
                f"CSC signHash answered asynchronously (responseID {result.response_id}): poll signatures/"
                "signPolling, then finish each prepared document with its signature",
                result.response_id,
                [item.cms for item in items],
            )
        _finish_chunk(chunk, request, result.signatures)
        signatures.extend(result.signatures)
    return finish_all(items, signatures, policy=options.get("policy"))
