"""Produce a CMS SignedData (RFC 5652) with a KeyBundle: attached or detached, DER.

The shape follows what a Java BouncyCastle server expects and what the emCA vendor samples show:
version 1, the digest AlgorithmIdentifier with NULL parameters, SignerInfo v1 with
issuerAndSerialNumber (or v3 with subjectKeyIdentifier), the signer certificate embedded, and the
signed attributes contentType, signingTime (UTCTime until 2049), messageDigest and
CMSAlgorithmProtection (RFC 6211), DER-sorted as a SET OF. Signature algorithms: rsaEncryption
(PKCS#1 v1.5), RSASSA-PSS (parameters spelt out: the digest, MGF1 with the digest, salt = digest
length), ecdsa-with-SHA*, and Ed25519 (RFC 8419, digest SHA-512).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Final, Literal

from asn1crypto import algos, core
from asn1crypto import cms as acms
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from .._dsa import public_key as load_public_key
from ..algorithms import HashAlgorithm, hash_algorithm
from ..errors import InputError, UnsupportedAlgorithm
from ..pkcs12 import KeyBundle
from .parse import DATA_OID

__all__ = ["cms_sign", "der_tlv", "signed_attributes_der"]

_DER = serialization.Encoding.DER
_SPKI = serialization.PublicFormat.SubjectPublicKeyInfo
_ECDSA_OIDS = {
    "sha224": "1.2.840.10045.4.3.1",
    "sha256": "1.2.840.10045.4.3.2",
    "sha384": "1.2.840.10045.4.3.3",
    "sha512": "1.2.840.10045.4.3.4",
    "sha3-224": "2.16.840.1.101.3.4.3.9",
    "sha3-256": "2.16.840.1.101.3.4.3.10",
    "sha3-384": "2.16.840.1.101.3.4.3.11",
    "sha3-512": "2.16.840.1.101.3.4.3.12",
}


def _content_bytes(content: object) -> bytes:
    if isinstance(content, str):
        return content.encode("utf-8")
    if isinstance(content, (bytes, bytearray, memoryview)):
        return bytes(content)
    raise InputError("content", f"must be bytes or str, not {type(content).__name__}")


def _signer_parts(signer: object) -> tuple[Any, x509.Certificate]:
    if not isinstance(signer, KeyBundle):
        raise InputError("signer", f"must be a KeyBundle, not {type(signer).__name__}")
    key, cert = signer.private_key, signer.certificate
    if key is None or cert is None:
        raise InputError("signer", "the KeyBundle needs both a private key and a certificate")
    if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey)):
        raise UnsupportedAlgorithm(f"CMS signing with a {type(key).__name__.lstrip('_')} key is not supported")
    if key.public_key().public_bytes(_DER, _SPKI) != load_public_key(cert).public_bytes(_DER, _SPKI):
        raise InputError("signer", "the private key does not match the certificate")
    return key, cert


def digest_algorithm_id(h: HashAlgorithm) -> algos.DigestAlgorithm:
    return algos.DigestAlgorithm({"algorithm": h.oid, "parameters": core.Null()})


def signature_algorithm_id(
    key: Any, h: HashAlgorithm, scheme: str, pss_salt_length: int | None = None
) -> tuple[algos.SignedDigestAlgorithm, str]:
    """The SignerInfo signatureAlgorithm for ``key`` (private or public) and digest ``h``, and the scheme.

    RSA: rsaEncryption (PKCS#1 v1.5, the default) or RSASSA-PSS with its parameters spelt out (the
    digest, MGF1 with the digest, salt = ``pss_salt_length`` or the digest length); EC: ecdsa-with-*;
    Ed25519: id-Ed25519 (digest SHA-512, RFC 8419).
    """
    if isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
        if scheme in ("auto", "pkcs1v15"):
            if pss_salt_length is not None:
                raise InputError("pss_salt_length", "applies only to scheme='pss'")
            return algos.SignedDigestAlgorithm({"algorithm": "rsassa_pkcs1v15", "parameters": core.Null()}), "pkcs1v15"
        if scheme == "pss":
            salt = h.digest_size if pss_salt_length is None else pss_salt_length
            if isinstance(salt, bool) or not isinstance(salt, int) or not 0 <= salt <= 1024:
                raise InputError("pss_salt_length", "must be an integer 0..1024")
            params = algos.RSASSAPSSParams(
                {
                    "hash_algorithm": {"algorithm": h.oid},
                    "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": h.oid}},
                    "salt_length": salt,
                }
            )
            return algos.SignedDigestAlgorithm({"algorithm": "rsassa_pss", "parameters": params}), "pss"
        raise InputError("scheme", f"{scheme!r} does not fit an RSA key (use 'pkcs1v15' or 'pss')")
    if pss_salt_length is not None:
        raise InputError("pss_salt_length", "applies only to RSA keys with scheme='pss'")
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        if scheme not in ("auto", "ecdsa"):
            raise InputError("scheme", f"{scheme!r} does not fit an EC key (use 'ecdsa')")
        oid = _ECDSA_OIDS.get(h.name)
        if oid is None:
            raise UnsupportedAlgorithm(f"no ECDSA signature algorithm with {h.name}")
        return algos.SignedDigestAlgorithm({"algorithm": oid}), "ecdsa"
    if scheme not in ("auto", "ed25519"):
        raise InputError("scheme", f"{scheme!r} does not fit an Ed25519 key (use 'ed25519')")
    if h.name != "sha512":
        raise InputError("digest", "Ed25519 CMS signatures use SHA-512 (RFC 8419): pass digest='sha512'")
    return algos.SignedDigestAlgorithm({"algorithm": "ed25519"}), "ed25519"


def signer_identifier_for(cert: x509.Certificate, cert_asn1: ax509.Certificate, choice: str) -> tuple[Any, str]:
    """(SignerIdentifier, SignerInfo version): issuerAndSerialNumber (v1) or subjectKeyIdentifier (v3)."""
    if choice == "issuer_serial":
        sid = acms.SignerIdentifier(
            {
                "issuer_and_serial_number": acms.IssuerAndSerialNumber(
                    {"issuer": cert_asn1.issuer, "serial_number": cert_asn1.serial_number}
                )
            }
        )
        return sid, "v1"
    if choice == "ski":
        try:
            ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
        except x509.ExtensionNotFound:
            raise InputError("signer_identifier", "the certificate has no subjectKeyIdentifier extension") from None
        return acms.SignerIdentifier({"subject_key_identifier": ski}), "v3"
    raise InputError("signer_identifier", "must be 'issuer_serial' or 'ski'")


def assemble_signed_data(
    signer_info: dict[str, Any],
    digest_alg: algos.DigestAlgorithm,
    certificates: list[ax509.Certificate],
    content: bytes | None,
) -> bytes:
    """DER ContentInfo of a SignedData with one SignerInfo; ``content`` None leaves it detached.

    ``certificates`` are embedded in order, duplicates dropped.
    """
    seen: set[bytes] = set()
    unique = []
    for c in certificates:
        der = c.dump()
        if der not in seen:
            seen.add(der)
            unique.append(c)
    encap: dict[str, Any] = {"content_type": DATA_OID}
    if content is not None:
        encap["content"] = content  # asn1crypto wraps it in the spec its OID table picks
    signed_data = acms.SignedData(
        {
            "version": "v3" if signer_info["version"] == "v3" else "v1",
            "digest_algorithms": [digest_alg],
            "encap_content_info": encap,
            "certificates": [acms.CertificateChoices({"certificate": c}) for c in unique],
            "signer_infos": [acms.SignerInfo(signer_info)],
        }
    )
    return bytes(acms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump())


def der_tlv(tag: int, body: bytes) -> bytes:
    """One DER TLV with a single-octet tag."""
    if isinstance(tag, bool) or not isinstance(tag, int) or not 0 <= tag <= 0xFF:
        raise InputError("tag", "must be a single-octet tag (0..255)")
    if not isinstance(body, bytes):
        raise InputError("body", f"must be bytes, not {type(body).__name__}")
    size = len(body)
    if size < 0x80:
        return bytes([tag, size]) + body
    octets = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(octets)]) + octets + body


def _oid(dotted: str) -> bytes:
    return bytes(core.ObjectIdentifier(dotted).dump())


#: the contentType attribute saying id-data, whole (RFC 5652 11.1)
_CONTENT_TYPE_DATA: Final = der_tlv(0x30, _oid("1.2.840.113549.1.9.3") + der_tlv(0x31, _oid(DATA_OID)))
_SIGNING_TIME: Final = _oid("1.2.840.113549.1.9.5")
_MESSAGE_DIGEST: Final = _oid("1.2.840.113549.1.9.4")
_ALGORITHM_PROTECTION: Final = _oid("1.2.840.113549.1.9.52")


def signed_attributes_der(
    signing_time: dt.datetime,
    message_digest: bytes,
    digest_alg: algos.DigestAlgorithm,
    sig_alg: algos.SignedDigestAlgorithm,
    extra: Iterable[bytes] = (),
) -> bytes:
    """The DER SET OF signed attributes the signature covers: contentType (id-data), signingTime,
    messageDigest, CMSAlgorithmProtection (RFC 6211: the digest algorithm and the signature algorithm
    as [1] IMPLICIT) and the ``extra`` attributes given as DER, sorted as DER requires (X.690 11.6).

    Put together from DER pieces, for ``cms_sign`` and ``cms_prepare`` alike: asn1crypto's
    ``dump(force=True)`` of the whole set re-encoded every nested value. ``tests/cms/test_sign_golden``
    holds the bytes the asn1crypto encoding gave; ``openssl cms -verify`` checks them."""
    if not isinstance(signing_time, dt.datetime) or not isinstance(message_digest, bytes):
        raise InputError("signed_attributes", "need a datetime signing_time and the bytes of message_digest")
    if not isinstance(digest_alg, algos.DigestAlgorithm) or not isinstance(sig_alg, algos.SignedDigestAlgorithm):
        raise InputError("signed_attributes", "need asn1crypto DigestAlgorithm and SignedDigestAlgorithm values")
    signature_algorithm = bytes(sig_alg.dump())
    protection = bytes(digest_alg.dump()) + b"\xa1" + signature_algorithm[1:]  # SEQUENCE -> [1] IMPLICIT
    attributes = [
        _CONTENT_TYPE_DATA,
        der_tlv(0x30, _SIGNING_TIME + der_tlv(0x31, bytes(signing_time_value(signing_time).dump()))),
        der_tlv(0x30, _MESSAGE_DIGEST + der_tlv(0x31, der_tlv(0x04, message_digest))),
        der_tlv(0x30, _ALGORITHM_PROTECTION + der_tlv(0x31, der_tlv(0x30, protection))),
        *extra,
    ]
    return der_tlv(0x31, b"".join(sorted(attributes)))


def signing_time_value(value: dt.datetime) -> acms.Time:
    value = value.astimezone(dt.UTC).replace(microsecond=0)
    if 1950 <= value.year < 2050:
        return acms.Time({"utc_time": value})
    return acms.Time({"general_time": value})


def _sign(key: Any, message: bytes, h: HashAlgorithm, scheme: str) -> bytes:
    from ..signatures.sign_verify import sign_digest, sign_message

    if scheme == "ed25519":
        return sign_message(key, message, None)
    hasher = h.new()
    hasher.update(message)
    if scheme == "pss":
        return sign_digest(key, hasher.digest(), h, scheme="pss", pss_salt_length=h.digest_size, pss_mgf_hash=h)
    return sign_digest(key, hasher.digest(), h, scheme=scheme)  # type: ignore[arg-type]


def cms_sign(
    content: bytes | str,
    signer: KeyBundle,
    *,
    detached: bool = False,
    digest: str = "sha256",
    signed_attributes: bool = True,
    include_chain: bool = False,
    scheme: Literal["auto", "pkcs1v15", "pss", "ecdsa", "ed25519"] = "auto",
    signer_identifier: Literal["issuer_serial", "ski"] = "issuer_serial",
    signing_time: dt.datetime | None = None,
) -> bytes:
    """Sign ``content`` (bytes, or str as UTF-8) and return a DER ContentInfo holding a SignedData.

    ``detached`` leaves the content out; ``digest`` names the hash; ``signed_attributes=False`` signs the
    content directly (no attributes); ``include_chain`` embeds ``signer.chain`` after the signer
    certificate; ``scheme`` picks PKCS#1 v1.5 (default for RSA) or ``"pss"``; ``signer_identifier``
    ``"ski"`` identifies the signer by subjectKeyIdentifier (SignerInfo v3); ``signing_time`` (aware,
    default now) is the signingTime attribute. The key must match the certificate.
    """
    data = _content_bytes(content)
    key, cert = _signer_parts(signer)
    h = hash_algorithm(digest)
    if signing_time is None:
        signing_time = dt.datetime.now(dt.UTC)
    elif not isinstance(signing_time, dt.datetime) or signing_time.utcoffset() is None:
        raise InputError("signing_time", "must be a timezone-aware datetime")
    digest_alg = digest_algorithm_id(h)
    sig_alg, resolved = signature_algorithm_id(key, h, scheme)
    cert_asn1 = ax509.Certificate.load(cert.public_bytes(_DER))
    sid, version = signer_identifier_for(cert, cert_asn1, signer_identifier)

    signer_info: dict[str, Any] = {"version": version, "sid": sid, "digest_algorithm": digest_alg}
    if signed_attributes:
        hasher = h.new()
        hasher.update(data)
        attrs_der = signed_attributes_der(signing_time, hasher.digest(), digest_alg, sig_alg)
        signer_info["signed_attrs"] = acms.CMSAttributes.load(attrs_der)
        message = attrs_der
    else:
        message = data
    signer_info["signature_algorithm"] = sig_alg
    signer_info["signature"] = _sign(key, message, h, resolved)

    certificates = [cert_asn1]
    if include_chain:
        certificates.extend(ax509.Certificate.load(extra.public_bytes(_DER)) for extra in signer.chain)
    return assemble_signed_data(signer_info, digest_alg, certificates, None if detached else data)
