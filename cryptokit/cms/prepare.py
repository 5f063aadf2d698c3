"""A CMS SignedData prepared for a remote signer (ADSS, CSC signHash): sans-I/O, in two halves.

:func:`cms_prepare` builds the CAdES-BES signed attributes (contentType, messageDigest, signingTime,
signingCertificateV2 of RFC 5035 and CMSAlgorithmProtection of RFC 6211) for a content or its digest
and a certificate whose key lives elsewhere; :attr:`PreparedCms.to_sign` is the hash of their DER,
exactly what goes into ADSS ``hash_to_sign_base64`` or CSC ``hashes`` (the service builds the
DigestInfo or PSS encoding). :meth:`PreparedCms.finish` takes the bare signature the service
returned, assembles the DER SignedData and verifies it with :func:`~cryptokit.cms.cms_verify` against
the certificate before returning it: a signature by another key, over other data or with another
scheme raises :class:`~cryptokit.errors.VerificationFailed` with the report.

What :meth:`PreparedCms.finish` proves: the returned CMS verifies under ``certificate`` (its key,
key usage, validity period and the policy's algorithms) over the prepared content. It does not
validate the certificate's chain or revocation: pass the result to ``cms_verify`` with
``trust_anchors`` for that.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from asn1crypto import algos, core, tsp
from asn1crypto import cms as acms
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm as CryptographyUnsupported
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

from .._dsa import public_key as load_public_key
from ..algorithms import HashAlgorithm, hash_algorithm
from ..encoding import b64decode, b64encode
from ..errors import CryptokitError, InputError, PolicyViolation, UnsupportedAlgorithm
from ..hashing import HashToSign, hash_to_sign
from ..signatures.ecdsa_encoding import is_strict_der, order_byte_length, raw_to_der
from .policy import CmsPolicy
from .sign import (
    assemble_signed_data,
    der_tlv,
    digest_algorithm_id,
    signature_algorithm_id,
    signed_attributes_der,
    signer_identifier_for,
)

__all__ = ["PreparedCms", "cms_prepare"]

_DER = serialization.Encoding.DER
_FORMAT: Final = "cryptokit.PreparedCms/1"
_SIGNING_CERTIFICATE_V2: Final = "1.2.840.113549.1.9.16.2.47"
_MAX_CHAIN: Final = 16
_MAX_DICT_FIELD: Final = 256 * 1024  # base64 characters of one stored certificate or attribute set

_ = tsp  # importing asn1crypto.tsp registers signingCertificateV2 with asn1crypto.cms (for reading it back)


def _certificate_arg(value: object, field: str) -> x509.Certificate:
    from ..certificates import load_certificate, parsed_certificate

    if isinstance(value, x509.Certificate):
        return parsed_certificate(value, field)
    if isinstance(value, (bytes, bytearray, memoryview, str)):
        return load_certificate(value if isinstance(value, str) else bytes(value))
    raise InputError(field, f"must be an x509.Certificate (or its PEM/DER), not {type(value).__name__}")


def _chain_arg(value: object, leaf: x509.Certificate) -> tuple[x509.Certificate, ...]:
    if value is None:
        return ()
    if isinstance(value, (x509.Certificate, bytes, str)) or not isinstance(value, Iterable):
        raise InputError("chain", "must be a sequence of certificates")
    leaf_der = leaf.public_bytes(_DER)
    out: list[x509.Certificate] = []
    seen = {leaf_der}
    for index, item in enumerate(value):
        if index >= _MAX_CHAIN:
            raise InputError("chain", f"holds more than {_MAX_CHAIN} certificates")
        cert = _certificate_arg(item, f"chain[{index}]")
        der = cert.public_bytes(_DER)
        if der not in seen:
            seen.add(der)
            out.append(cert)
    return tuple(out)


def _check_certificate(cert: x509.Certificate, h: HashAlgorithm, policy: CmsPolicy) -> Any:
    """The certificate's public key, after the checks that must pass before anything is sent."""
    from ..signatures.public_keys import load_public_key

    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        ku = None
    except ValueError:
        raise InputError("certificate", "has malformed extensions") from None
    if ku is not None and not (ku.digital_signature or ku.content_commitment):
        raise PolicyViolation(
            "certificate: keyUsage forbids signing (neither digitalSignature nor nonRepudiation is set)"
        )
    if not policy.allows_digest(h.name):
        raise UnsupportedAlgorithm(f"hash: {h.name} is refused by the CMS policy")
    bound = load_public_key(cert)
    key = bound.key
    if isinstance(key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
        raise UnsupportedAlgorithm(
            "certificate: an EdDSA key signs the whole message, not a hash; a remote hash-signing service "
            "(ADSS, CSC signHash) cannot make its CMS signature"
        )
    if not isinstance(key, (rsa.RSAPublicKey, ec.EllipticCurvePublicKey)):
        raise UnsupportedAlgorithm(f"certificate: a {type(key).__name__.lstrip('_')} key is not supported")
    if isinstance(key, rsa.RSAPublicKey) and key.key_size < policy.min_rsa_bits:
        raise PolicyViolation(f"certificate: RSA-{key.key_size} is below the policy minimum of {policy.min_rsa_bits}")
    if policy.check_certificate_validity:
        now = dt.datetime.now(dt.UTC)
        if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
            raise PolicyViolation("certificate: not within its validity period now")
    return bound


def _content_arg(content: object, detached: bool, policy: CmsPolicy) -> bytes | os.PathLike[Any]:
    if isinstance(content, str):
        return content.encode("utf-8")
    if isinstance(content, (bytes, bytearray, memoryview)):
        return bytes(content)
    if isinstance(content, os.PathLike):
        if detached:
            return content
        try:
            size = os.stat(content).st_size
            if size > policy.max_size:
                raise InputError("content", f"the file is over the policy's {policy.max_size} bytes")
            with open(content, "rb") as f:
                return f.read()
        except OSError as exc:
            raise InputError("content", f"cannot read file: {exc.strerror or exc}") from None
    raise InputError("content", f"must be bytes, str or a path, not {type(content).__name__}")


def _digest_arg(digest: object, h: HashAlgorithm) -> bytes:
    if isinstance(digest, HashToSign):
        if digest.algorithm != h:
            raise InputError("digest", f"is a {digest.algorithm.name} digest but hash is {h.name}")
        return digest.digest
    if isinstance(digest, (bytes, bytearray, memoryview)):
        raw = bytes(digest)
        if len(raw) != h.digest_size:
            raise InputError("digest", f"is {len(raw)} bytes; {h.name} digests are {h.digest_size}")
        return raw
    raise InputError("digest", f"must be a HashToSign or the raw digest bytes, not {type(digest).__name__}")


def _signing_certificate_v2(cert_asn1: ax509.Certificate, h: HashAlgorithm) -> bytes:
    """The DER signingCertificateV2 attribute (RFC 5035): SigningCertificateV2 { certs { ESSCertIDv2 {
    [hashAlgorithm,] certHash, issuerSerial { GeneralNames { directoryName issuer }, serialNumber } } } }.

    Put together from the certificate's own DER pieces: asn1crypto's ``dump(force=True)`` re-encodes the
    issuer name and cost most of ``cms_prepare``'s time. ``test_prepare`` parses it back with asn1crypto
    and ``openssl cms -verify`` checks it against the signer certificate.
    """
    hasher = h.new()
    hasher.update(cert_asn1.dump())
    algorithm = b"" if h.name == "sha256" else bytes(algos.DigestAlgorithm({"algorithm": h.oid}).dump())  # DEFAULT
    issuer = bytes(cert_asn1["tbs_certificate"]["issuer"].dump())
    serial = bytes(core.Integer(cert_asn1.serial_number).dump())
    issuer_serial = der_tlv(0x30, der_tlv(0x30, der_tlv(0xA4, issuer)) + serial)  # [4] EXPLICIT: directoryName
    ess = der_tlv(0x30, algorithm + der_tlv(0x04, hasher.digest()) + issuer_serial)
    value = der_tlv(0x30, der_tlv(0x30, ess))
    return der_tlv(0x30, bytes(core.ObjectIdentifier(_SIGNING_CERTIFICATE_V2).dump()) + der_tlv(0x31, value))


@dataclass(frozen=True, slots=True)
class PreparedCms:
    """The first half of a remote CMS signature: everything but the signature value.

    Holds bytes only (it pickles, and :meth:`to_dict` / :meth:`from_dict` store it as JSON between
    the two halves of an asynchronous flow): the DER ``signed_attributes`` the signature covers, the
    DER ``signature_algorithm`` identifier, the signer ``certificate_der`` and ``chain_der``, the
    ``content`` (attached signatures only; a detached one keeps just ``message_digest``).
    """

    hash_name: str
    scheme: str
    signed_attributes: bytes
    signature_algorithm: bytes
    message_digest: bytes
    certificate_der: bytes
    chain_der: tuple[bytes, ...]
    detached: bool
    content: bytes | None
    signer_identifier: str = "issuer_serial"

    def __repr__(self) -> str:
        mode = "detached" if self.detached else f"attached, {len(self.content or b'')} bytes"
        return f"PreparedCms({self.hash_name}, {self.scheme}, {mode}, to_sign={self.to_sign.hex})"

    @property
    def hash(self) -> HashAlgorithm:
        return hash_algorithm(self.hash_name)

    @property
    def to_sign(self) -> HashToSign:
        """The hash of the DER signed attributes: what the remote service signs."""
        h = self.hash
        hasher = h.new()
        hasher.update(self.signed_attributes)
        return HashToSign(h, hasher.digest())

    @property
    def content_digest(self) -> HashToSign:
        """The digest of the content (the messageDigest attribute)."""
        return HashToSign(self.hash, self.message_digest)

    @property
    def certificate(self) -> x509.Certificate:
        from ..certificates import load_der_certificate

        return load_der_certificate(self.certificate_der, "certificate_der")

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        from ..certificates import load_der_certificate

        return tuple(load_der_certificate(c, f"chain_der[{i}]") for i, c in enumerate(self.chain_der))

    def _public_key(self) -> rsa.RSAPublicKey | ec.EllipticCurvePublicKey:
        """The certificate's key, which must be of the kind the prepared scheme signs with."""
        try:
            key = load_public_key(self.certificate)
        except (ValueError, CryptographyUnsupported):
            raise InputError("certificate_der", "holds a public key that cannot be loaded") from None
        wanted = ec.EllipticCurvePublicKey if self.scheme == "ecdsa" else rsa.RSAPublicKey
        if self.scheme not in ("pkcs1v15", "pss", "ecdsa") or not isinstance(key, wanted):
            raise InputError("scheme", f"{self.scheme!r} does not fit the certificate's {type(key).__name__}")
        return key

    def _signature_value(self, signature: object, encoding: str) -> bytes:
        if not isinstance(signature, (bytes, bytearray, memoryview)):
            raise InputError("signature", f"must be bytes, not {type(signature).__name__}")
        sig = bytes(signature)
        if encoding not in ("der", "raw", "auto"):
            raise InputError("signature_encoding", "must be 'der', 'raw' or 'auto'")
        key = self._public_key()
        if isinstance(key, rsa.RSAPublicKey):
            size = (key.key_size + 7) // 8
            if len(sig) != size:
                raise InputError("signature", f"is {len(sig)} bytes; an RSA-{key.key_size} signature is {size}")
            return sig
        n = order_byte_length(key)
        if encoding in ("der", "auto") and is_strict_der(sig, key):
            return sig
        if encoding in ("raw", "auto") and len(sig) == 2 * n:
            return raw_to_der(sig, key)
        if encoding == "raw":
            raise InputError("signature", f"is {len(sig)} bytes; a raw r||s signature on {key.curve.name} is {2 * n}")
        raise InputError(
            "signature",
            f"is not a DER ECDSA signature on {key.curve.name} ({len(sig)} bytes; "
            "pass signature_encoding='raw' for r||s)",
        )

    def finish(
        self,
        signature: bytes,
        *,
        signature_encoding: str = "der",
        at: dt.datetime | None = None,
        policy: CmsPolicy | None = None,
    ) -> bytes:
        """The DER ContentInfo with this prepared SignedData and ``signature``, verified before it is returned.

        ``signature``: the bare value the service returned over :attr:`to_sign` (RSA PKCS#1 v1.5 or
        PSS as prepared; ECDSA DER, or raw r||s with ``signature_encoding="raw"`` (``"auto"`` takes
        either), converted to DER). A value of the wrong length or encoding is an InputError; a CMS that
        does not verify against :attr:`certificate` at ``at`` (default now) under ``policy`` raises
        :class:`~cryptokit.errors.VerificationFailed` carrying the report.
        """
        from .verify import cms_verify

        value = self._signature_value(signature, signature_encoding)
        cert = self.certificate
        cert_asn1 = ax509.Certificate.load(self.certificate_der)
        h = self.hash
        sid, version = signer_identifier_for(cert, cert_asn1, self.signer_identifier)
        digest_alg = digest_algorithm_id(h)
        signer_info: dict[str, Any] = {
            "version": version,
            "sid": sid,
            "digest_algorithm": digest_alg,
            "signed_attrs": acms.CMSAttributes.load(self.signed_attributes),
            "signature_algorithm": algos.SignedDigestAlgorithm.load(self.signature_algorithm),
            "signature": value,
        }
        certificates = [cert_asn1, *(ax509.Certificate.load(c) for c in self.chain_der)]
        der = assemble_signed_data(signer_info, digest_alg, certificates, None if self.detached else self.content)
        cms_verify(
            der,
            content_digest=self.content_digest if self.detached else None,
            trusted_signers=[cert],
            at=at,
            policy=policy,
        )
        return der

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (base64 for bytes) that :meth:`from_dict` reads back."""
        return {
            "format": _FORMAT,
            "hash": self.hash_name,
            "scheme": self.scheme,
            "signed_attributes": b64encode(self.signed_attributes),
            "signature_algorithm": b64encode(self.signature_algorithm),
            "message_digest": b64encode(self.message_digest),
            "certificate": b64encode(self.certificate_der),
            "chain": [b64encode(c) for c in self.chain_der],
            "detached": self.detached,
            "content": None if self.content is None else b64encode(self.content),
            "signer_identifier": self.signer_identifier,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PreparedCms:
        """Read back :meth:`to_dict`'s output, checking every field (InputError naming it otherwise).

        The stored values are not trusted: :meth:`finish` verifies the assembled CMS against the
        stored certificate, and here the messageDigest and CMSAlgorithmProtection attributes must agree
        with the stored digest and signature algorithm.
        """
        if not isinstance(data, Mapping):
            raise InputError("data", "must be a mapping from PreparedCms.to_dict()")
        if data.get("format") != _FORMAT:
            raise InputError("data.format", f"must be {_FORMAT!r}")

        def text(key: str) -> str:
            value = data.get(key)
            if not isinstance(value, str):
                raise InputError(f"data.{key}", "must be a string")
            return value

        def blob(key: str, value: object = None, *, max_size: int = _MAX_DICT_FIELD) -> bytes:
            value = data.get(key) if value is None else value
            if not isinstance(value, str):
                raise InputError(f"data.{key}", "must be base64 text")
            return b64decode(value, field=f"data.{key}", max_size=max_size)

        h = hash_algorithm(text("hash"))
        scheme = text("scheme")
        if scheme not in ("pkcs1v15", "pss", "ecdsa"):
            raise InputError("data.scheme", "must be 'pkcs1v15', 'pss' or 'ecdsa'")
        detached = data.get("detached")
        if not isinstance(detached, bool):
            raise InputError("data.detached", "must be true or false")
        chain_items = data.get("chain")
        if not isinstance(chain_items, list) or len(chain_items) > _MAX_CHAIN:
            raise InputError("data.chain", f"must be a list of at most {_MAX_CHAIN} base64 certificates")
        content_value = data.get("content")
        if detached != (content_value is None):
            raise InputError("data.content", "must be present exactly when the signature is attached")
        content = None if content_value is None else blob("content", max_size=CmsPolicy().max_size)
        signer_identifier = text("signer_identifier")
        if signer_identifier not in ("issuer_serial", "ski"):
            raise InputError("data.signer_identifier", "must be 'issuer_serial' or 'ski'")
        prepared = cls(
            hash_name=h.name,
            scheme=scheme,
            signed_attributes=blob("signed_attributes"),
            signature_algorithm=blob("signature_algorithm"),
            message_digest=_digest_arg(blob("message_digest"), h),
            certificate_der=blob("certificate"),
            chain_der=tuple(blob(f"chain[{i}]", c) for i, c in enumerate(chain_items)),
            detached=detached,
            content=content,
            signer_identifier=signer_identifier,
        )
        prepared._check_consistent()
        return prepared

    def _check_consistent(self) -> None:
        self.chain  # noqa: B018 - loads every chain certificate (InputError otherwise)
        self._public_key()
        try:
            attrs = acms.CMSAttributes.load(self.signed_attributes, strict=True)
            sig_alg = algos.SignedDigestAlgorithm.load(self.signature_algorithm, strict=True)
            values = {a["type"].dotted: a["values"] for a in attrs}
            digest_values = values.get("1.2.840.113549.1.9.4")
            protection = values.get("1.2.840.113549.1.9.52")
            if digest_values is None or len(digest_values) != 1 or protection is None or len(protection) != 1:
                raise InputError(
                    "data.signed_attributes", "must carry one messageDigest and one CMSAlgorithmProtection"
                )
            if bytes(digest_values[0].native) != self.message_digest:
                raise InputError("data.message_digest", "differs from the messageDigest signed attribute")
            if protection[0]["signature_algorithm"].untag().dump() != sig_alg.dump():
                raise InputError("data.signature_algorithm", "differs from the CMSAlgorithmProtection signed attribute")
            if self.content is not None:
                hasher = self.hash.new()
                hasher.update(self.content)
                if hasher.digest() != self.message_digest:
                    raise InputError("data.content", "does not match the messageDigest")
        except CryptokitError:
            raise
        except (ValueError, TypeError, KeyError) as exc:
            raise InputError("data", f"holds a malformed value ({type(exc).__name__})") from None


def cms_prepare(
    content: bytes | str | os.PathLike[Any] | None = None,
    *,
    digest: HashToSign | bytes | None = None,
    hash: str | HashAlgorithm = "sha256",
    certificate: x509.Certificate | bytes | str,
    chain: Iterable[x509.Certificate] = (),
    detached: bool = True,
    signing_time: dt.datetime | None = None,
    scheme: str | None = None,
    pss_salt_length: int | None = None,
    signer_identifier: str = "issuer_serial",
    policy: CmsPolicy | None = None,
) -> PreparedCms:
    """Prepare a CAdES-BES SignedData whose signature a remote service makes over ``.to_sign``.

    Give ``content`` (bytes, str as UTF-8, or a path: streamed when ``detached``) or its ``digest``
    (a HashToSign or raw bytes of ``hash``; detached only). ``certificate`` is the signer's (its key is
    the remote one); ``chain`` is embedded after it. ``scheme``: None picks PKCS#1 v1.5 for RSA and
    ECDSA for EC keys; ``"pss"`` prepares RSASSA-PSS (MGF1 with ``hash``, salt ``pss_salt_length`` or the
    digest length). ``signing_time``: aware, default now.

    Refused before anything is sent: a certificate whose keyUsage has neither digitalSignature nor
    nonRepudiation, an RSA key under the policy minimum or a certificate outside its validity period
    (:class:`~cryptokit.errors.PolicyViolation`); a hash the ``policy`` (default
    :class:`~cryptokit.cms.CmsPolicy`) refuses and EdDSA keys, which cannot sign a prehashed value
    (:class:`~cryptokit.errors.UnsupportedAlgorithm`).
    """
    policy = policy if policy is not None else CmsPolicy()
    if not isinstance(policy, CmsPolicy):
        raise InputError("policy", "must be a CmsPolicy")
    if not isinstance(detached, bool):
        raise InputError("detached", "must be True or False")
    h = hash_algorithm(hash)
    cert = _certificate_arg(certificate, "certificate")
    bound = _check_certificate(cert, h, policy)
    extra = _chain_arg(chain, cert)
    if signing_time is None:
        signing_time = dt.datetime.now(dt.UTC)
    elif not isinstance(signing_time, dt.datetime) or signing_time.utcoffset() is None:
        raise InputError("signing_time", "must be a timezone-aware datetime")

    if (content is None) == (digest is None):
        raise InputError("content", "give either content or digest (not both, not neither)")
    data: bytes | None = None
    if digest is not None:
        if not detached:
            raise InputError("digest", "an attached signature embeds the content: give content, not its digest")
        message_digest = _digest_arg(digest, h)
    else:
        source = _content_arg(content, detached, policy)
        message_digest = hash_to_sign(source, h).digest
        data = None if detached else bytes(source)  # type: ignore[arg-type]  # attached: read above

    key = bound.key
    if bound.pss is not None:  # an RSASSA-PSS certificate key: PSS only, with its parameters (RFC 4055)
        if scheme not in (None, "pss"):
            raise PolicyViolation("certificate: its RSASSA-PSS key refuses anything but scheme='pss'")
        if bound.pss.hash != h or bound.pss.mgf_hash != h:
            raise PolicyViolation(f"certificate: its RSASSA-PSS key is bound to {bound.pss.hash.name}, not {h.name}")
        scheme = "pss"
        if pss_salt_length is None:
            pss_salt_length = bound.pss.salt_length
    if scheme not in (None, "auto", "pkcs1v15", "pss", "ecdsa"):
        raise InputError("scheme", "must be None, 'pkcs1v15', 'pss' or 'ecdsa'")
    sig_alg, resolved = signature_algorithm_id(key, h, scheme or "auto", pss_salt_length)
    digest_alg = digest_algorithm_id(h)
    cert_der = cert.public_bytes(_DER)
    cert_asn1 = ax509.Certificate.load(cert_der)
    signer_identifier_for(cert, cert_asn1, signer_identifier)  # refuse 'ski' without the extension now
    signing_certificate = _signing_certificate_v2(cert_asn1, h)
    attributes = signed_attributes_der(signing_time, message_digest, digest_alg, sig_alg, [signing_certificate])
    return PreparedCms(
        hash_name=h.name,
        scheme=resolved,
        signed_attributes=attributes,
        signature_algorithm=bytes(sig_alg.dump()),
        message_digest=message_digest,
        certificate_der=cert_der,
        chain_der=tuple(c.public_bytes(_DER) for c in extra),
        detached=detached,
        content=data,
        signer_identifier=signer_identifier,
    )
