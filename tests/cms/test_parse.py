"""parse_signed_data's fast path (issue 23): elements the main scan leaves opaque are still held to the
scanner's rules, and what is cached by bytes gives the same answers as a fresh decode."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding

from cryptokit.cms import CmsFormatError, CmsPolicy, cms_verify, parse_signed_data
from cryptokit.cms.ber import scan
from cryptokit.errors import InputError, VerificationFailed
from tests.cms.test_verify import (
    CAP,
    CONTENT,
    DATA,
    NULL,
    RSA_ENC,
    SHA256,
    SIGNED_DATA,
    Signer,
    alg,
    attribute,
    integer,
    oid,
    rsa_signer,
    signer_info,
    tlv,
    vendor_attrs,
)
from tests.pki import make_key, name


def der_cms(signer: Signer, digest_algorithms: bytes | None = None) -> bytes:
    """build_cms's shape with definite lengths only (DER), so any BER comes from the part under test."""
    encap = tlv(0x30, oid(DATA) + tlv(0xA0, tlv(0x04, CONTENT)))
    certs = tlv(0xA0, signer.cert.public_bytes(Encoding.DER))
    digests = digest_algorithms if digest_algorithms is not None else tlv(0x31, alg(SHA256))
    body = integer(1) + digests + encap + certs + tlv(0x31, signer_info(signer, CONTENT))
    return tlv(0x30, oid(SIGNED_DATA) + tlv(0xA0, tlv(0x30, body)))


def long_form(element: bytes) -> bytes:
    """``element`` (short-form length) with its length written in the BER-only long form."""
    assert element[1] < 0x80
    return element[:1] + b"\x81" + element[1:]


def protection(digest: bytes, signature: bytes) -> bytes:
    return tlv(0x30, digest + b"\xa1" + signature[1:])  # signatureAlgorithm is [1] IMPLICIT


def _sid(s: Signer) -> bytes:
    """issuerAndSerialNumber whose serial INTEGER (inside it) has a long-form length."""
    return tlv(0x30, s.cert.issuer.public_bytes() + long_form(integer(s.cert.serial_number)))


def _ber_alg(dotted: str) -> bytes:
    """An AlgorithmIdentifier whose OID (inside it) has a long-form length."""
    return tlv(0x30, long_form(oid(dotted)) + NULL)


# Each makes one element the scanner leaves opaque hold a BER-only length inside it (its own header
# is read by the main scan, so the BER is one level down).
BER_INSIDE: dict[str, Callable[[Signer], None]] = {
    "digestAlgorithm": lambda s: setattr(s, "digest_alg", _ber_alg(SHA256)),
    "signatureAlgorithm": lambda s: setattr(s, "sig_alg", _ber_alg(RSA_ENC)),
    "algorithm protection value": lambda s: setattr(
        s, "attrs", [*vendor_attrs(CONTENT), attribute(CAP, protection(_ber_alg(SHA256), alg(RSA_ENC)))]
    ),
    "unknown attribute value": lambda s: setattr(
        s, "attrs", [*vendor_attrs(CONTENT), attribute("1.2.3.4", tlv(0x30, long_form(integer(7))))]
    ),
}


@pytest.mark.parametrize("where", sorted(BER_INSIDE))
def test_ber_inside_an_opaque_element_is_seen(where: str) -> None:
    signer, cert = rsa_signer()
    assert parse_signed_data(der_cms(signer)).encoding == "der"
    BER_INSIDE[where](signer)
    cms = der_cms(signer)
    assert parse_signed_data(cms).encoding == "ber"
    assert cms_verify(cms, trusted_signers=[cert]).encoding == "ber"  # still a valid signature
    with pytest.raises(CmsFormatError, match="BER encoding refused"):
        parse_signed_data(cms, CmsPolicy.strict())


def test_ber_in_the_signer_identifier_and_in_digest_algorithms_is_seen() -> None:
    signer, cert = rsa_signer()
    signer.sid = _sid(signer)
    assert parse_signed_data(der_cms(signer)).encoding == "ber"
    assert cms_verify(der_cms(signer), trusted_signers=[cert]).signer == cert  # same signer, matched
    signer.sid = None
    digests = tlv(0x31, tlv(0x30, oid(SHA256) + tlv(0x30, long_form(integer(1)))))  # BER in a parameter
    assert parse_signed_data(der_cms(signer, digests)).encoding == "ber"


def test_malformed_inside_an_opaque_element_is_a_format_failure() -> None:
    signer, cert = rsa_signer()
    bad = alg(SHA256)
    signer.digest_alg = bad[:-2] + b"\x05\x05"  # NULL claiming 5 bytes inside a 15-byte AlgorithmIdentifier
    with pytest.raises(CmsFormatError):
        parse_signed_data(der_cms(signer))
    with pytest.raises(CmsFormatError):
        cms_verify(der_cms(signer), trusted_signers=[cert])


def test_nesting_bound_reaches_into_an_opaque_element() -> None:
    signer, _ = rsa_signer()
    deep = integer(1)
    for _ in range(40):
        deep = tlv(0x30, deep)
    signer.attrs = [*vendor_attrs(CONTENT), attribute("1.2.3.4", deep)]
    with pytest.raises(CmsFormatError, match="nesting deeper"):
        parse_signed_data(der_cms(signer))


def test_scan_leaves_the_elements_on_an_opaque_path_unwalked() -> None:
    signer, _ = rsa_signer()
    cms = der_cms(signer)
    full, _ = scan(cms)
    cert = full.children[1].children[0].children[3].children[0]
    assert cert.children and not cert.opaque
    lazy, ber = scan(cms, opaque=((0x30, 0xA0, 0x30, 0xA0),))
    same = lazy.children[1].children[0].children[3].children[0]
    assert same.opaque and same.children == () and (same.start, same.end) == (cert.start, cert.end) and not ber


def test_cached_answers_follow_the_policy_and_the_certificate() -> None:
    signer, cert = rsa_signer()
    cms = der_cms(signer)
    assert cms_verify(cms, trusted_signers=[cert]).digest_algorithm.name == "sha256"
    refused = CmsPolicy(digest_algorithms=frozenset({"sha384"}))
    with pytest.raises(Exception, match="sha256 is refused"):
        cms_verify(cms, trusted_signers=[cert], policy=refused)
    assert cms_verify(cms, trusted_signers=[cert]).ok
    unhashable = CmsPolicy(digest_algorithms={"sha256"})  # type: ignore[arg-type]  # a set, not a frozenset
    assert cms_verify(cms, trusted_signers=[cert], policy=unhashable).ok
    _, other_cert = rsa_signer()  # same key and subject, another serial: not the signer
    assert other_cert != cert
    with pytest.raises(VerificationFailed, match="not one of the registered signers"):
        cms_verify(cms, trusted_signers=[other_cert])
    assert cms_verify(cms, trusted_signers=[other_cert, cert]).signer == cert
    for _ in range(2):  # a refused trusted certificate is refused every time, with its field
        with pytest.raises(InputError, match=r"trusted_signers\[0\]"):
            cms_verify(cms, trusted_signers=[_non_positive_serial(cert)])


def _non_positive_serial(cert: x509.Certificate) -> x509.Certificate:
    key = make_key("p256", "parse-cache")
    builder = (
        x509.CertificateBuilder()
        .subject_name(name("serial zero"))
        .issuer_name(name("serial zero"))
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(cert.not_valid_before_utc)
        .not_valid_after(cert.not_valid_after_utc)
    )
    good = builder.sign(key, hashes.SHA256())  # type: ignore[arg-type]
    der = bytearray(good.public_bytes(Encoding.DER))
    at = der.find(b"\x02\x01\x01")  # the serial INTEGER 1 -> 0 (cryptography loads it with a warning)
    der[at + 2] = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return x509.load_der_x509_certificate(bytes(der))

