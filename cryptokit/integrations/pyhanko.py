"""A pyHanko ``Signer`` whose key is held by ADSS or a CSC service (optional extra ``pdf``).

pyHanko builds the PDF signature (PAdES B-B with ``subfilter=PADES``, its signed attributes, the
byte ranges); the raw signature over the hash of its signed attributes is made by the remote service
through the caller's ``send`` callable (one HTTP exchange: ``HttpRequest -> (status, headers, body)``),
the same callable ``adss.sign_documents`` / ``csc.sign_documents`` take.

    from pyhanko.sign import signers
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from cryptokit.integrations.pyhanko import adss_signer

    signer = adss_signer(send, certificate=cert, chain=chain, profile_id="...", cert_alias="...", token=tok)
    meta = signers.PdfSignatureMetadata(field_name="Signature1", subfilter=fields.SigSeedSubFilter.PADES)
    signed = signers.sign_pdf(IncrementalPdfFileWriter(pdf_stream), meta, signer=signer)

Every returned signature is verified over the hash sent, under the certificate's key and with the
scheme announced in the CMS, before pyHanko embeds it (:class:`~cryptokit.errors.DocumentSigningError`
subclasses otherwise). ECDSA answers in raw r||s are converted to DER. EdDSA keys cannot sign a
prehashed value and are refused. This is the only module of cryptokit that imports pyHanko.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

from asn1crypto import algos
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from .._dsa import quiet_dsa_deprecation
from ..algorithms import hash_algorithm
from ..cms.policy import CmsPolicy
from ..errors import (
    DocumentSigningError,
    ForeignSignature,
    InputError,
    InvalidSignature,
    SignatureCountMismatch,
    SignatureLengthError,
    UnsupportedAlgorithm,
)
from ..hashing import HashToSign, hash_to_sign
from ..protocols import HttpRequest
from ..signatures.ecdsa_encoding import is_strict_der, order_byte_length, raw_to_der

try:
    with quiet_dsa_deprecation():  # pyHanko names the DSA classes at import (a warning on cryptography 51)
        from pyhanko.sign.signers import Signer as _PyHankoSigner
        from pyhanko_certvalidator.registry import SimpleCertificateStore as _CertificateStore
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError("cryptokit.integrations.pyhanko needs pyHanko: pip install 'cryptokit[pdf]'") from exc

if TYPE_CHECKING:
    from ..protocols.adss.requests import TokenArg

__all__ = ["RemoteSigner", "adss_signer", "csc_signer"]

_DER = serialization.Encoding.DER
#: Largest DER ECDSA signature per curve size in bytes (SEQUENCE of two INTEGERs, each with a sign byte).
_ECDSA_DER_OVERHEAD = 9

SignHash = Callable[[HashToSign], bytes]


def _certificate(value: object, field: str) -> x509.Certificate:
    from ..cms.prepare import _certificate_arg

    return _certificate_arg(value, field)


class RemoteSigner(_PyHankoSigner):  # type: ignore[misc,unused-ignore]  # pyHanko ships no type information
    """A pyHanko ``Signer`` that sends the hash of pyHanko's signed attributes to ``sign_hash``.

    ``sign_hash(HashToSign) -> bytes`` returns the bare signature (the factories :func:`adss_signer`
    and :func:`csc_signer` build it from a ``send`` callable). ``scheme``: None (PKCS#1 v1.5 for RSA,
    ECDSA for EC) or ``"pss"`` (MGF1 with the digest, salt ``pss_salt_length`` or the digest length).
    The certificate is checked up front as :func:`cryptokit.cms.cms_prepare` checks it (keyUsage,
    key size, validity, no EdDSA).
    """

    def __init__(
        self,
        sign_hash: SignHash,
        *,
        certificate: x509.Certificate | bytes | str,
        chain: Sequence[x509.Certificate] = (),
        scheme: str | None = None,
        pss_salt_length: int | None = None,
        embed_roots: bool = True,
        policy: CmsPolicy | None = None,
    ) -> None:
        from ..cms.prepare import _check_certificate

        if not callable(sign_hash):
            raise InputError("sign_hash", "must be a callable HashToSign -> signature bytes")
        cert = _certificate(certificate, "certificate")
        self._policy = policy if policy is not None else CmsPolicy()
        bound = _check_certificate(cert, hash_algorithm("sha256"), self._policy)
        key = bound.key
        if scheme not in (None, "auto", "pkcs1v15", "pss", "ecdsa"):
            raise InputError("scheme", "must be None, 'pkcs1v15', 'pss' or 'ecdsa'")
        if isinstance(key, rsa.RSAPublicKey) and scheme == "ecdsa":
            raise InputError("scheme", "'ecdsa' does not fit an RSA key")
        if isinstance(key, ec.EllipticCurvePublicKey) and scheme in ("pkcs1v15", "pss"):
            raise InputError("scheme", f"{scheme!r} does not fit an EC key")
        if bound.pss is not None:
            scheme = "pss"
            pss_salt_length = bound.pss.salt_length if pss_salt_length is None else pss_salt_length
        self._scheme = (
            "pss" if scheme == "pss" else "ecdsa" if isinstance(key, ec.EllipticCurvePublicKey) else "pkcs1v15"
        )
        self._salt = pss_salt_length
        self._key = key
        self._sign_hash = sign_hash
        self._cert = cert
        leaf = ax509.Certificate.load(cert.public_bytes(_DER))
        others = [ax509.Certificate.load(_certificate(c, "chain").public_bytes(_DER)) for c in chain]
        super().__init__(
            prefer_pss=self._scheme == "pss",
            embed_roots=embed_roots,
            signing_cert=leaf,
            cert_registry=_CertificateStore.from_certs([leaf, *others]),  # type: ignore[no-untyped-call,unused-ignore]
        )

    def __repr__(self) -> str:
        return f"RemoteSigner({self._cert.subject.rfc4514_string()}, {self._scheme})"

    def get_signature_mechanism_for_digest(self, digest_algorithm: str | None) -> algos.SignedDigestAlgorithm:
        """pyHanko's choice, except for RSASSA-PSS: its parameters are the ones the service is asked for."""
        if self._scheme != "pss":
            return super().get_signature_mechanism_for_digest(digest_algorithm)
        from ..cms.sign import signature_algorithm_id

        if digest_algorithm is None:
            raise InputError("digest_algorithm", "RSASSA-PSS needs the digest algorithm")
        mechanism, _ = signature_algorithm_id(self._key, hash_algorithm(digest_algorithm), "pss", self._salt)
        return mechanism

    def _placeholder(self) -> bytes:
        if isinstance(self._key, rsa.RSAPublicKey):
            return bytes((self._key.key_size + 7) // 8)
        assert isinstance(self._key, ec.EllipticCurvePublicKey)
        return bytes(2 * order_byte_length(self._key) + _ECDSA_DER_OVERHEAD)

    def _checked(self, signature: object, h: HashToSign) -> bytes:
        """The service's signature, verified over ``h`` under the certificate key, ECDSA as DER."""
        from ..signatures import verify_digest

        if not isinstance(signature, (bytes, bytearray)):
            raise InputError("sign_hash", "must return the signature as bytes")
        sig = bytes(signature)
        key = self._key
        if isinstance(key, rsa.RSAPublicKey):
            size = (key.key_size + 7) // 8
            if len(sig) != size:
                raise SignatureLengthError(
                    f"PDF signature: the service returned {len(sig)} bytes; an RSA-{key.key_size} signature is {size}",
                    document=0,
                    name="PDF signature",
                )
        else:
            n = order_byte_length(key)
            if not is_strict_der(sig, key):
                if len(sig) != 2 * n:
                    raise SignatureLengthError(
                        f"PDF signature: the service returned {len(sig)} bytes, neither DER nor raw r||s "
                        f"({2 * n} bytes) on {key.curve.name}",
                        document=0,
                        name="PDF signature",
                    )
                sig = raw_to_der(sig, key)
        options: dict[str, Any] = {"scheme": self._scheme}
        if self._scheme == "pss":
            options["pss_salt_length"] = h.algorithm.digest_size if self._salt is None else self._salt
            options["pss_mgf_hash"] = h.algorithm
        if self._scheme == "ecdsa":
            options["signature_encoding"] = "der"
        try:
            verify_digest(key, sig, h.digest, h.algorithm, **options)
        except InvalidSignature:
            raise ForeignSignature(
                f"PDF signature: the returned signature does not verify over the hash sent under the key of "
                f"{self._cert.subject.rfc4514_string()} ({self._scheme})",
                document=0,
                name="PDF signature",
            ) from None
        return sig

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        """Hash ``data`` (pyHanko's signed attributes) and have the service sign it (in a worker thread,
        since ``send`` blocks); ``dry_run`` returns a placeholder of the largest signature size."""
        h = hash_to_sign(bytes(data), digest_algorithm)
        if not self._policy.allows_digest(h.algorithm.name):
            raise UnsupportedAlgorithm(f"digest_algorithm: {h.algorithm.name} is refused by the CMS policy")
        if dry_run:
            return self._placeholder()
        signature = await asyncio.to_thread(self._sign_hash, h)
        return self._checked(signature, h)


def _one(signatures: Sequence[bytes]) -> bytes:
    if len(signatures) != 1:
        raise SignatureCountMismatch(
            f"PDF signature: {len(signatures)} signatures returned for 1 hash sent", document=0, name="PDF signature"
        )
    return signatures[0]


def adss_signer(
    send: Callable[[HttpRequest], Any],
    *,
    certificate: x509.Certificate | bytes | str,
    chain: Sequence[x509.Certificate] = (),
    profile_id: str,
    cert_alias: str,
    token: TokenArg,
    scheme: str | None = None,
    pss_salt_length: int | None = None,
    cert_password: str | None = None,
    sam_user_id: str | None = None,
    request_description: str | None = None,
    max_polls: int = 0,
    poll_interval: float = 1.0,
    embed_roots: bool = True,
) -> RemoteSigner:
    """A :class:`RemoteSigner` whose hash goes to ADSS ``/v2/sign/request`` through ``send``.

    A PENDING answer is polled ``max_polls`` times, ``poll_interval`` seconds apart; still PENDING
    raises :class:`~cryptokit.errors.DocumentSigningError`, DECLINED, FAILED or TIMEOUT their
    ``AdssSignStatusError``. An ADSS error
    answer raises its ``AdssError``.
    """
    import time

    from ..protocols import adss
    from ..protocols._documents import exchange

    if isinstance(max_polls, bool) or not isinstance(max_polls, int) or max_polls < 0:
        raise InputError("max_polls", "must be an integer >= 0")

    def sign_hash(h: HashToSign) -> bytes:
        request = adss.build_sign_request(
            [h],
            profile_id=profile_id,
            cert_alias=cert_alias,
            token=token,
            cert_password=cert_password,
            sam_user_id=sam_user_id,
            request_description=request_description,
        )
        result = adss.parse_sign_response(*exchange(send, request))
        polls = 0
        while result.status is adss.SignStatus.PENDING and polls < max_polls and result.request_id is not None:
            polls += 1
            if poll_interval:
                time.sleep(poll_interval)
            poll = adss.build_sign_status_request(profile_id, result.request_id, token=token)
            result = adss.parse_sign_status(*exchange(send, poll))
        adss.raise_for_sign_status(result, result.request_id)  # TIMEOUT, DECLINED, FAILED: typed
        if result.status is not adss.SignStatus.SUCCESS:
            raise DocumentSigningError(
                f"PDF signature: ADSS answered {result.status.value}", document=0, name="PDF signature"
            )
        return _one(result.signatures)

    return RemoteSigner(
        sign_hash,
        certificate=certificate,
        chain=chain,
        scheme=scheme,
        pss_salt_length=pss_salt_length,
        embed_roots=embed_roots,
    )


def csc_signer(
    send: Callable[[HttpRequest], Any],
    *,
    credential_id: str,
    access_token: str | None = None,
    sad: str | Callable[[Sequence[HashToSign]], str] | None = None,
    certificate: x509.Certificate | bytes | str | None = None,
    chain: Sequence[x509.Certificate] | None = None,
    scheme: str | None = None,
    pss_salt_length: int | None = None,
    sign_algo: str | None = None,
    version: Literal[1, 2] = 2,
    base_path: str | None = None,
    embed_roots: bool = True,
) -> RemoteSigner:
    """A :class:`RemoteSigner` whose hash goes to CSC ``signatures/signHash`` through ``send``.

    Without ``certificate``, ``credentials/info`` is asked once, now (its certificates, end-entity
    first, and ``key/algo``). ``sad``: a string, a callable returning one for the hash of each call, or
    None. A signature by another key than the certificate's raises
    :class:`~cryptokit.errors.ForeignSignature` when pyHanko asks for it.
    """
    from ..protocols import csc
    from ..protocols._documents import exchange
    from ..protocols.csc.documents import _sad, _sign_algo

    if version not in (1, 2):
        raise InputError("version", "must be 1 or 2")
    cert = None if certificate is None else _certificate(certificate, "certificate")
    key_algos: Sequence[str] | None = None
    if cert is None:
        info_request = csc.build_credentials_info_request(
            credential_id,
            access_token=access_token,
            version=version,
            base_path=base_path,
        )
        info = csc.parse_credential_info(*exchange(send, info_request), credential_id=credential_id)
        if info.certificate is None:
            raise InputError("credential", "credentials/info returned no certificate")
        cert = info.certificate
        chain = info.chain if chain is None else chain
        key_algos = info.key_algos or None

    def sign_hash(h: HashToSign) -> bytes:
        algo = sign_algo or _sign_algo(signer._key, signer._scheme, h.algorithm.name, key_algos)
        salt = None
        if algo == csc.RSASSA_PSS:
            salt = h.algorithm.digest_size if signer._salt is None else signer._salt
        request = csc.build_sign_hash_request(
            [h],
            credential_id=credential_id,
            sign_algo=algo,
            sad=_sad(sad, [h]),
            hash_algo=h.algorithm if algo in (csc.RSA_ENCRYPTION, csc.RSASSA_PSS) else None,
            pss_salt_length=salt,
            version=version,
            access_token=access_token,
            base_path=base_path,
        )
        result = csc.parse_sign_hash_response(*exchange(send, request), request=request)
        if result.pending:
            raise DocumentSigningError(
                "PDF signature: CSC answered asynchronously (responseID); use synchronous signing",
                document=0,
                name="PDF signature",
            )
        return _one(result.signatures)

    signer = RemoteSigner(
        sign_hash,
        certificate=cert,
        chain=chain or (),
        scheme=scheme,
        pss_salt_length=pss_salt_length,
        embed_roots=embed_roots,
    )
    return signer
