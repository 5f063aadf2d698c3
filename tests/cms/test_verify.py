"""The vendor's CMS shape built by hand (Java BouncyCastle streaming BER), and what breaks it.

The builder here encodes every TLV itself and signs with cryptography directly, so the verifier is
checked against bytes that no cryptokit code produced. Other CMS test modules import the builder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from asn1crypto import cms as acms
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from cryptokit.algorithms import oid_to_der
from cryptokit.cms import CmsFormatError, CmsPolicy, cms_sign, cms_verify
from cryptokit.errors import InputError, VerificationFailed
from cryptokit.pkcs12 import KeyBundle
from cryptokit.report import Indication, SubIndication
from tests.pki import Pki, make_cert, make_key, make_pki

DATA = "1.2.840.113549.1.7.1"
SIGNED_DATA = "1.2.840.113549.1.7.2"
CT, MD, ST, CAP = ("1.2.840.113549.1.9.3", "1.2.840.113549.1.9.4", "1.2.840.113549.1.9.5", "1.2.840.113549.1.9.52")
SHA256 = "2.16.840.1.101.3.4.2.1"
RSA_ENC = "1.2.840.113549.1.1.1"
ECDSA_SHA256 = "1.2.840.10045.4.3.2"
NULL = b"\x05\x00"


# --------------------------------------------------------------------------- a hand BER encoder


def length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + length(len(content)) + content


def ber(tag: int, *parts: bytes) -> bytes:
    """Indefinite length: constructed tag, 0x80, the parts, end-of-contents."""
    return bytes([tag | 0x20, 0x80]) + b"".join(parts) + b"\x00\x00"


def integer(n: int) -> bytes:
    return tlv(0x02, n.to_bytes(n.bit_length() // 8 + 1, "big"))


def oid(dotted: str) -> bytes:
    return oid_to_der(dotted)


def alg(dotted: str, params: bytes | None = NULL) -> bytes:
    return tlv(0x30, oid(dotted) + (params or b""))


def attribute(type_oid: str, *values: bytes) -> bytes:
    return tlv(0x30, oid(type_oid) + tlv(0x31, b"".join(values)))


def chunked_octets(data: bytes, size: int) -> bytes:
    """A constructed, indefinite-length OCTET STRING of primitive chunks (BouncyCastle streaming)."""
    return ber(0x04, *(tlv(0x04, data[i : i + size]) for i in range(0, len(data), size)))


def sign_rsa(key: object) -> Callable[[bytes], bytes]:
    assert isinstance(key, rsa.RSAPrivateKey)
    return lambda m: key.sign(m, padding.PKCS1v15(), hashes.SHA256())


def sign_ec(key: object) -> Callable[[bytes], bytes]:
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return lambda m: key.sign(m, ec.ECDSA(hashes.SHA256()))


@dataclass
class Signer:
    """One SignerInfo to build. ``attrs`` None = the vendor set computed from the content."""

    cert: x509.Certificate
    sign: Callable[[bytes], bytes]
    sig_alg: bytes
    digest_alg: bytes = field(default_factory=lambda: alg(SHA256))
    attrs: list[bytes] | None = None
    signed_attributes: bool = True
    attrs_indefinite: bool = False
    sid: bytes | None = None


def vendor_attrs(content: bytes, when: str = "261126010203Z", content_type: str = DATA) -> list[bytes]:
    """contentType, signingTime (UTCTime), messageDigest: the vendor's set, in its order."""
    return [
        attribute(CT, oid(content_type)),
        attribute(ST, tlv(0x17, when.encode())),
        attribute(MD, tlv(0x04, hashlib.sha256(content).digest())),
    ]


def issuer_and_serial(cert: x509.Certificate) -> bytes:
    return tlv(0x30, cert.issuer.public_bytes() + integer(cert.serial_number))


def signer_info(s: Signer, content: bytes) -> bytes:
    sid = s.sid if s.sid is not None else issuer_and_serial(s.cert)
    parts = [integer(1), sid, s.digest_alg]
    if s.signed_attributes:
        attrs = s.attrs if s.attrs is not None else vendor_attrs(content)
        field_ = ber(0xA0, *attrs) if s.attrs_indefinite else tlv(0xA0, b"".join(attrs))
        message = b"\x31" + field_[1:]
        parts.append(field_)
    else:
        message = content
    parts += [s.sig_alg, tlv(0x04, s.sign(message))]
    return tlv(0x30, b"".join(parts))


def build_cms(
    content: bytes,
    signers: Sequence[Signer],
    *,
    chunk: int = 7,
    detached: bool = False,
    certs: Sequence[x509.Certificate] | None = None,
) -> bytes:
    """The vendor shape: BER indefinite lengths, version 1, SHA-256 with NULL, eContent in chunks,
    only the signer certificate(s), SignerInfo v1 with issuerAndSerialNumber."""
    encap = [oid(DATA)]
    if not detached:
        encap.append(ber(0xA0, chunked_octets(content, chunk)))
    cert_list = certs if certs is not None else [s.cert for s in signers]
    signed_data = ber(
        0x30,
        integer(1),
        tlv(0x31, alg(SHA256)),
        ber(0x30, *encap),
        ber(0xA0, *(c.public_bytes(Encoding.DER) for c in cert_list)),
        ber(0x31, *(signer_info(s, content) for s in signers)),
    )
    return ber(0x30, oid(SIGNED_DATA), ber(0xA0, signed_data))


# --------------------------------------------------------------------------- fixtures

CONTENT = b"CN=Asha Rao,SERIALNUMBER=1234,E=asha@example.in,O=Example,S=KA,C=IN,PostalCode=560001" * 3


def rsa_signer(**kw: object) -> tuple[Signer, x509.Certificate]:
    pki = make_pki("rsa2048")
    return Signer(pki.leaf, sign_rsa(pki.leaf_key), alg(RSA_ENC), **kw), pki.leaf  # type: ignore[arg-type]


def ec_signer(**kw: object) -> tuple[Signer, x509.Certificate]:
    pki = make_pki("p256")
    return Signer(pki.leaf, sign_ec(pki.leaf_key), alg(ECDSA_SHA256, None), **kw), pki.leaf  # type: ignore[arg-type]


def failure(cms: bytes, **kw: object) -> VerificationFailed:
    with pytest.raises(VerificationFailed) as info:
        cms_verify(cms, **kw)  # type: ignore[arg-type]
    return info.value


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("make", [rsa_signer, ec_signer], ids=["rsa", "ecdsa"])
def test_vendor_ber_sample_verifies(make: Callable[..., tuple[Signer, x509.Certificate]]) -> None:
    signer, cert = make()
    cms = build_cms(CONTENT, [signer])
    assert cms[:2] == b"\x30\x80"
    result = cms_verify(cms, trusted_signers=[cert])
    assert result.content == CONTENT
    assert result.encoding == "ber"
    assert result.signer == cert
    assert result.digest_algorithm.name == "sha256"
    assert result.report.ok
    assert result.signers[0].signing_time == dt.datetime(2026, 11, 26, 1, 2, 3, tzinfo=dt.UTC)
    names = {c.name for c in result.report.checks if c.outcome.value == "passed"}
    assert {"content_type", "message_digest", "signature", "signing_certificate", "key_usage"} <= names


def test_chunked_content_is_hashed_as_the_joined_octets() -> None:
    signer, cert = rsa_signer()
    for chunk in (1, 5, 64, 1000):
        assert cms_verify(build_cms(CONTENT, [signer], chunk=chunk), trusted_signers=[cert]).content == CONTENT


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def test_one_byte_of_content_changed_is_hash_failure() -> None:
    signer, cert = rsa_signer()
    cms = build_cms(CONTENT, [signer])
    at = cms.index(CONTENT[20:27])  # inside the third 7-byte chunk
    err = failure(_flip(cms, at), trusted_signers=[cert])
    assert err.report.indication is Indication.TOTAL_FAILED
    assert err.report.sub_indication is SubIndication.HASH_FAILURE


def test_one_byte_of_an_attribute_changed_is_sig_crypto_failure() -> None:
    signer, cert = rsa_signer()
    cms = build_cms(CONTENT, [signer])
    at = cms.index(b"261126010203Z") + 11  # a seconds digit of signingTime: still a valid time
    err = failure(_flip(cms, at), trusted_signers=[cert])
    assert err.report.sub_indication is SubIndication.SIG_CRYPTO_FAILURE
    # The messageDigest attribute changed: the content no longer matches it (and the signature breaks too).
    digest = hashlib.sha256(CONTENT).digest()
    err = failure(_flip(cms, cms.index(digest) + 3), trusted_signers=[cert])
    assert err.report.sub_indication is SubIndication.HASH_FAILURE


@pytest.mark.parametrize("make", [rsa_signer, ec_signer], ids=["rsa", "ecdsa"])
def test_one_byte_of_the_signature_changed_is_sig_crypto_failure(
    make: Callable[..., tuple[Signer, x509.Certificate]],
) -> None:
    signer, cert = make()
    cms = build_cms(CONTENT, [signer])
    # The signature is the last OCTET STRING; flip a byte 10 from its end (inside r/s for ECDSA).
    end = len(cms) - 2 * 5  # five end-of-contents pairs close the outer elements
    err = failure(_flip(cms, end - 10), trusted_signers=[cert])
    assert err.report.sub_indication is SubIndication.SIG_CRYPTO_FAILURE


def test_signature_is_over_the_received_attribute_bytes_not_a_reserialisation() -> None:
    """Attributes sent in BER (indefinite length, not DER-sorted) are hashed as received.

    A verifier that re-serialised them (asn1crypto dump(force=True) sorts the SET OF and uses DER
    lengths) would hash other bytes, and the signature would not verify over those: proven below.
    """
    pki = make_pki("rsa2048")
    attrs = list(reversed(vendor_attrs(CONTENT)))  # messageDigest, signingTime, contentType: not DER order
    signer = Signer(pki.leaf, sign_rsa(pki.leaf_key), alg(RSA_ENC), attrs=attrs, attrs_indefinite=True)
    cms = build_cms(CONTENT, [signer])
    assert cms_verify(cms, trusted_signers=[pki.leaf]).report.ok

    received = b"\x31" + ber(0xA0, *attrs)[1:]
    reserialised = acms.CMSAttributes.load(received).dump(force=True)
    assert reserialised != received
    signature = acms.ContentInfo.load(cms)["content"]["signer_infos"][0]["signature"].native
    public = pki.leaf.public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    public.verify(signature, received, padding.PKCS1v15(), hashes.SHA256())  # what was signed
    with pytest.raises(InvalidSignature):
        public.verify(signature, reserialised, padding.PKCS1v15(), hashes.SHA256())


def test_definite_length_attributes_in_an_otherwise_ber_message() -> None:
    signer, cert = ec_signer(attrs_indefinite=False)
    assert cms_verify(build_cms(CONTENT, [signer]), trusted_signers=[cert]).report.ok


def test_signature_by_another_key_with_a_copied_certificate_fails() -> None:
    victim = make_pki("rsa2048")
    attacker_key = make_key("rsa2048", "attacker")
    assert isinstance(attacker_key, rsa.RSAPrivateKey)
    forged = Signer(victim.leaf, sign_rsa(attacker_key), alg(RSA_ENC))
    err = failure(build_cms(CONTENT, [forged]), trusted_signers=[victim.leaf])
    assert err.report.sub_indication is SubIndication.SIG_CRYPTO_FAILURE


def test_forged_certificate_with_the_registered_issuer_and_serial_cannot_redirect_the_key() -> None:
    """The attacker embeds a certificate of their own with the registered signer's issuer and serial."""
    victim = make_pki("rsa2048")
    attacker_key = make_key("rsa2048", "attacker")
    assert isinstance(attacker_key, rsa.RSAPrivateKey)
    fake_issuer = make_cert(victim.intermediate.subject, attacker_key, ca=True)
    lookalike = make_cert(
        victim.leaf.subject, attacker_key, fake_issuer, attacker_key, serial=victim.leaf.serial_number
    )
    assert lookalike.issuer == victim.leaf.issuer and lookalike.serial_number == victim.leaf.serial_number
    signer = Signer(lookalike, sign_rsa(attacker_key), alg(RSA_ENC))
    err = failure(build_cms(CONTENT, [signer]), trusted_signers=[victim.leaf])
    assert err.report.sub_indication is SubIndication.SIG_CRYPTO_FAILURE


def test_same_serial_other_issuer_is_not_the_signer() -> None:
    """Pitfall 10: a certificate with the registered serial but another issuer does not match."""
    registered = make_pki("rsa2048")
    other = make_pki("rsa2048", label="other")
    twin = make_cert(
        "Twin",
        make_key("rsa2048", "twin"),
        other.intermediate,
        other.intermediate_key,
        serial=registered.leaf.serial_number,
    )
    twin_key = make_key("rsa2048", "twin")
    assert isinstance(twin_key, rsa.RSAPrivateKey)
    cms = build_cms(CONTENT, [Signer(twin, sign_rsa(twin_key), alg(RSA_ENC))])
    err = failure(cms, trusted_signers=[registered.leaf])
    assert err.report.sub_indication is SubIndication.NO_SIGNING_CERTIFICATE_FOUND


def test_unregistered_signer_is_no_signing_certificate_found() -> None:
    signer, _ = rsa_signer()
    someone_else = make_pki("p256").leaf
    err = failure(build_cms(CONTENT, [signer]), trusted_signers=[someone_else])
    assert err.report.indication is Indication.INDETERMINATE
    assert err.report.sub_indication is SubIndication.NO_SIGNING_CERTIFICATE_FOUND


def test_signer_certificate_missing_is_no_signing_certificate_found_unless_registered() -> None:
    signer, cert = rsa_signer()
    cms = build_cms(CONTENT, [signer], certs=[])
    result = cms_verify(cms, trusted_signers=[cert])  # the registered certificate supplies the key
    assert result.signer == cert
    from cryptokit.cms import cms_verify_unsafe_no_trust

    with pytest.raises(VerificationFailed) as info:
        cms_verify_unsafe_no_trust(cms)
    assert info.value.report.sub_indication is SubIndication.NO_SIGNING_CERTIFICATE_FOUND


def test_content_type_attribute_must_equal_econtent_type() -> None:
    pki = make_pki("rsa2048")
    attrs = vendor_attrs(CONTENT, content_type="1.2.840.113549.1.9.16.1.4")  # id-ct-TSTInfo
    cms = build_cms(CONTENT, [Signer(pki.leaf, sign_rsa(pki.leaf_key), alg(RSA_ENC), attrs=attrs)])
    err = failure(cms, trusted_signers=[pki.leaf])
    assert err.report.sub_indication is SubIndication.FORMAT_FAILURE
    assert any(c.name == "content_type" and c.outcome.value == "failed" for c in err.report.checks)


def test_missing_message_digest_fails() -> None:
    pki = make_pki("rsa2048")
    attrs = vendor_attrs(CONTENT)[:2]
    cms = build_cms(CONTENT, [Signer(pki.leaf, sign_rsa(pki.leaf_key), alg(RSA_ENC), attrs=attrs)])
    err = failure(cms, trusted_signers=[pki.leaf])
    assert any(c.name == "message_digest" and c.outcome.value == "failed" for c in err.report.checks)


def test_no_signed_attributes_signature_over_the_content() -> None:
    signer, cert = rsa_signer(signed_attributes=False)
    cms = build_cms(CONTENT, [signer])
    assert cms_verify(cms, trusted_signers=[cert]).signers[0].signed_attributes is False
    err = failure(cms, trusted_signers=[cert], policy=CmsPolicy(require_signed_attributes=True))
    assert err.report.sub_indication is SubIndication.FORMAT_FAILURE
    err = failure(_flip(cms, cms.index(CONTENT[:7]) + 2), trusted_signers=[cert])
    assert err.report.sub_indication is SubIndication.SIG_CRYPTO_FAILURE


def _protection(digest_alg: bytes, sig_alg: bytes) -> bytes:
    return attribute(CAP, tlv(0x30, digest_alg + b"\xa1" + sig_alg[1:]))


def test_algorithm_protection_consistent_passes_and_inconsistent_fails() -> None:
    pki = make_pki("rsa2048")
    good = [*vendor_attrs(CONTENT), _protection(alg(SHA256), alg(RSA_ENC))]
    cms = build_cms(CONTENT, [Signer(pki.leaf, sign_rsa(pki.leaf_key), alg(RSA_ENC), attrs=good)])
    result = cms_verify(cms, trusted_signers=[pki.leaf])
    assert any(c.name == "algorithm_protection" and c.outcome.value == "passed" for c in result.report.checks)
    bad = [*vendor_attrs(CONTENT), _protection(alg(SHA256), alg("1.2.840.113549.1.1.10", None))]
    cms = build_cms(CONTENT, [Signer(pki.leaf, sign_rsa(pki.leaf_key), alg(RSA_ENC), attrs=bad)])
    err = failure(cms, trusted_signers=[pki.leaf])
    assert err.report.sub_indication is SubIndication.FORMAT_FAILURE
    assert any(c.name == "algorithm_protection" and c.outcome.value == "failed" for c in err.report.checks)


def _pss_alg(salt: int) -> bytes:
    sha = alg(SHA256, None)
    mgf = alg("1.2.840.113549.1.1.8", sha)
    params = tlv(0x30, tlv(0xA0, sha) + tlv(0xA1, mgf) + tlv(0xA2, integer(salt)))
    return alg("1.2.840.113549.1.1.10", params)


def test_pss_parameters_come_from_the_signer_info() -> None:
    pki = make_pki("rsa2048")
    key = pki.leaf_key
    assert isinstance(key, rsa.RSAPrivateKey)

    def pss(salt: int) -> Callable[[bytes], bytes]:
        return lambda m: key.sign(m, padding.PSS(padding.MGF1(hashes.SHA256()), salt), hashes.SHA256())

    # Salt 20 with SHA-256 (Java's common choice): verifies only because the parameters say 20.
    cms = build_cms(CONTENT, [Signer(pki.leaf, pss(20), _pss_alg(20))])
    assert "salt 20" in cms_verify(cms, trusted_signers=[pki.leaf]).signers[0].signature_algorithm
    cms = build_cms(CONTENT, [Signer(pki.leaf, pss(20), _pss_alg(32))])
    assert failure(cms, trusted_signers=[pki.leaf]).report.sub_indication is SubIndication.SIG_CRYPTO_FAILURE
    # An element RSASSA-PSS-params does not define (here an untagged INTEGER) is refused, not skipped.
    sha = alg(SHA256, None)
    odd = tlv(0x30, tlv(0xA0, sha) + tlv(0xA1, alg("1.2.840.113549.1.1.8", sha)) + tlv(0xA2, integer(20)) + integer(5))
    cms = build_cms(CONTENT, [Signer(pki.leaf, pss(20), alg("1.2.840.113549.1.1.10", odd))])
    err = failure(cms, trusted_signers=[pki.leaf])
    assert err.report.sub_indication is SubIndication.FORMAT_FAILURE
    assert any("not its fields" in c.message for c in err.report.checks), err.report.checks
    # Absent RSASSA-PSS-params mean SHA-1 (pitfall 5): refused by the default policy.
    cms = build_cms(CONTENT, [Signer(pki.leaf, pss(20), alg("1.2.840.113549.1.1.10", None))])
    err = failure(cms, trusted_signers=[pki.leaf])
    assert err.report.sub_indication is SubIndication.CRYPTO_CONSTRAINTS_FAILURE


def test_multi_signer_passes_only_if_every_signer_passes() -> None:
    rsa_s, rsa_cert = rsa_signer()
    ec_s, ec_cert = ec_signer()
    cms = build_cms(CONTENT, [rsa_s, ec_s])
    result = cms_verify(cms, trusted_signers=[rsa_cert, ec_cert])
    assert [s.certificate for s in result.signers] == [rsa_cert, ec_cert]
    # One registered signer is not enough.
    err = failure(cms, trusted_signers=[rsa_cert])
    assert err.report.sub_indication is SubIndication.NO_SIGNING_CERTIFICATE_FOUND
    assert any(c.subject == "signer[1]" and c.outcome.value == "failed" for c in err.report.checks)
    # One bad signature fails the whole.
    other = make_key("p256", "other")
    assert isinstance(other, ec.EllipticCurvePrivateKey)
    bad = Signer(ec_cert, sign_ec(other), alg(ECDSA_SHA256, None))
    err = failure(build_cms(CONTENT, [rsa_s, bad]), trusted_signers=[rsa_cert, ec_cert])
    assert err.report.sub_indication is SubIndication.SIG_CRYPTO_FAILURE


def test_detached_vendor_shape() -> None:
    signer, cert = ec_signer()
    cms = build_cms(CONTENT, [signer], detached=True)
    assert cms_verify(cms, content=CONTENT, trusted_signers=[cert]).detached
    err = failure(cms, trusted_signers=[cert])
    assert err.report.sub_indication is SubIndication.SIGNED_DATA_NOT_FOUND
    err = failure(cms, content=CONTENT + b"!", trusted_signers=[cert])
    assert err.report.sub_indication is SubIndication.HASH_FAILURE


def test_strict_policy_refuses_ber_but_default_accepts() -> None:
    signer, cert = rsa_signer()
    cms = build_cms(CONTENT, [signer])
    with pytest.raises(CmsFormatError) as info:
        cms_verify(cms, trusted_signers=[cert], policy=CmsPolicy.strict())
    assert info.value.report.sub_indication is SubIndication.FORMAT_FAILURE
    assert isinstance(info.value, InputError)


def test_bounds_signers_and_certificates() -> None:
    signer, cert = ec_signer()
    cms = build_cms(CONTENT, [signer] * 3)
    assert len(cms_verify(cms, trusted_signers=[cert]).signers) == 3
    for policy in (CmsPolicy(max_signers=2), CmsPolicy(max_certificates=2), CmsPolicy(max_size=len(cms) - 1)):
        with pytest.raises(CmsFormatError) as info:
            cms_verify(cms, trusted_signers=[cert], policy=policy)
        assert isinstance(info.value, InputError) and isinstance(info.value, VerificationFailed)
        assert info.value.report.sub_indication is SubIndication.FORMAT_FAILURE


def test_nesting_bound() -> None:
    deep = b"\x30\x80" * 40 + b"\x00\x00" * 40
    with pytest.raises(CmsFormatError) as info:
        cms_verify(deep, trusted_signers=[make_pki("p256").leaf])
    assert "nesting" in info.value.rule
    nested = b""
    for _ in range(100):
        nested = tlv(0x30, nested)
    with pytest.raises(CmsFormatError, match="nesting"):
        cms_verify(nested, trusted_signers=[make_pki("p256").leaf])


def test_issuer_name_is_compared_by_rfc5280_rules_not_bytes() -> None:
    """A sid whose issuer is spelt as PrintableString in upper case still names the same issuer."""
    pki = make_pki("rsa2048")
    rdns = b"".join(
        tlv(0x31, tlv(0x30, oid(a.oid.dotted_string) + tlv(0x13, str(a.value).upper().encode())))
        for a in pki.leaf.issuer
    )
    sid = tlv(0x30, tlv(0x30, rdns) + integer(pki.leaf.serial_number))
    assert sid != issuer_and_serial(pki.leaf)
    signer = Signer(pki.leaf, sign_rsa(pki.leaf_key), alg(RSA_ENC), sid=sid)
    assert cms_verify(build_cms(CONTENT, [signer]), trusted_signers=[pki.leaf]).signer == pki.leaf
    other_issuer = tlv(0x30, tlv(0x31, tlv(0x30, oid("2.5.4.3") + tlv(0x13, b"Someone Else"))))
    signer.sid = tlv(0x30, other_issuer + integer(pki.leaf.serial_number))  # the right serial alone
    err = failure(build_cms(CONTENT, [signer]), trusted_signers=[pki.leaf])
    assert err.report.sub_indication is SubIndication.NO_SIGNING_CERTIFICATE_FOUND


# --- review findings on CMS verification

_ID_DATA = bytes.fromhex("06092A864886F70D010701")  # OID 1.2.840.113549.1.7.1
_ID_DIGESTED_DATA = bytes.fromhex("06092A864886F70D010705")  # OID 1.2.840.113549.1.7.5


def test_econtent_type_without_signed_attributes_must_be_id_data() -> None:
    """RFC 5652 5.3: without signed attributes nothing signs eContentType, so anyone could change it."""
    pki = make_pki("p256")
    signer = KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain))
    cms = cms_sign(b"hello", signer, signed_attributes=False)
    assert cms.count(_ID_DATA) == 1
    assert cms_verify(cms, trusted_signers=[signer]).content_type == "1.2.840.113549.1.7.1"
    tampered = cms.replace(_ID_DATA, _ID_DIGESTED_DATA)
    with pytest.raises(VerificationFailed) as info:
        cms_verify(tampered, trusted_signers=[signer])
    assert info.value.report.sub_indication == SubIndication.FORMAT_FAILURE
    assert [c.name for c in info.value.report.failures()] == ["signed_attributes"]


@pytest.fixture(scope="module")
def pss_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An RSASSA-PSS key (SPKI id-RSASSA-PSS binding SHA-256, MGF1-SHA-256, salt 32) made by openssl."""
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl command not available")
    d = tmp_path_factory.mktemp("pss")
    opts = ["rsa_keygen_bits:2048", "rsa_pss_keygen_md:sha256", "rsa_pss_keygen_mgf1_md:sha256"]
    opts.append("rsa_pss_keygen_saltlen:32")
    cmd = ["openssl", "genpkey", "-algorithm", "RSA-PSS", "-out", str(d / "k.pem")]
    for o in opts:
        cmd += ["-pkeyopt", o]
    subprocess.run(cmd, check=True, capture_output=True)
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-new", "-key", str(d / "k.pem"), "-subj", "/CN=Review PSS Signer"),
            *("-days", "30", "-sigopt", "rsa_padding_mode:pss", "-out", str(d / "c.pem")),
        ],
        check=True,
        capture_output=True,
    )
    return d


@pytest.fixture(scope="module")
def pss_signer(pss_files: Path) -> KeyBundle:
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key((pss_files / "k.pem").read_bytes(), None)
    cert = x509.load_pem_x509_certificate((pss_files / "c.pem").read_bytes())
    assert cert.public_key_algorithm_oid.dotted_string == "1.2.840.113549.1.1.10"
    return KeyBundle(key, cert, ())


def test_rsassa_pss_key_refuses_pkcs1v15_signer_info(pss_signer: KeyBundle) -> None:
    """RFC 4055: a key whose SPKI is id-RSASSA-PSS may only make PSS signatures with its parameters."""
    good = cms_sign(b"hello", pss_signer, scheme="pss")
    assert cms_verify(good, trusted_signers=[pss_signer]).signers[0].signature_algorithm.startswith("RSASSA-PSS")
    v15 = cms_sign(b"hello", pss_signer, scheme="pkcs1v15")
    with pytest.raises(VerificationFailed) as info:
        cms_verify(v15, trusted_signers=[pss_signer])
    assert info.value.report.sub_indication == SubIndication.SIG_CRYPTO_FAILURE
    assert "RSASSA-PSS key" in info.value.report.failures()[0].message
    # PSS, but with a hash the key's parameters do not allow
    other_hash = cms_sign(b"hello", pss_signer, scheme="pss", digest="sha512")
    with pytest.raises(VerificationFailed):
        cms_verify(other_hash, trusted_signers=[pss_signer])


def test_openssl_pss_cms_from_a_pss_key_verifies(pss_files: Path, pss_signer: KeyBundle) -> None:
    import subprocess

    d = pss_files
    (d / "m.txt").write_bytes(b"hello")
    subprocess.run(
        [
            *("openssl", "cms", "-sign", "-binary", "-nodetach", "-in", str(d / "m.txt"), "-signer", str(d / "c.pem")),
            *("-inkey", str(d / "k.pem"), "-outform", "DER", "-out", str(d / "s.der")),
            *("-keyopt", "rsa_padding_mode:pss", "-md", "sha256"),
        ],
        check=True,
        capture_output=True,
    )
    result = cms_verify((d / "s.der").read_bytes(), trusted_signers=[pss_signer])
    assert result.content == b"hello"


def _duplicate_extension_leaf() -> tuple[Pki, x509.Certificate]:
    """(pki, leaf) where the leaf repeats its keyUsage extension (cryptography parses it, then raises lazily)."""
    from asn1crypto import x509 as ax509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pki = make_pki("p256")
    tbs = ax509.Certificate.load(pki.leaf.public_bytes(serialization.Encoding.DER))["tbs_certificate"]
    exts = list(tbs["extensions"])
    ku = next(e for e in exts if e["extn_id"].native == "key_usage")
    tbs["extensions"] = ax509.Extensions([*exts, ax509.Extension.load(ku.dump())])
    tbs_der = tbs.dump(force=True)
    signature = pki.intermediate_key.sign(tbs_der, ec.ECDSA(hashes.SHA256()))  # type: ignore[call-arg,arg-type]
    identifier = ax509.Certificate.load(pki.leaf.public_bytes(serialization.Encoding.DER))["signature_algorithm"]
    der = ax509.Certificate(
        {"tbs_certificate": ax509.TbsCertificate.load(tbs_der), "signature_algorithm": identifier}
        | {"signature_value": signature}
    ).dump()
    return pki, x509.load_der_x509_certificate(der)


def test_embedded_certificate_with_duplicate_extensions_is_a_format_error() -> None:
    """An attacker-supplied SignedData must not make cms_verify raise cryptography's DuplicateExtension."""
    from cryptokit.cms import CmsFormatError
    from cryptokit.errors import InputError

    pki, dup = _duplicate_extension_leaf()
    cms = cms_sign(b"x", KeyBundle(pki.leaf_key, dup, ()))
    with pytest.raises(CmsFormatError):
        cms_verify(cms, trust_anchors=[pki.root])
    with pytest.raises(CmsFormatError):
        cms_verify(cms, trusted_signers=[pki.leaf])
    good = cms_sign(b"x", KeyBundle(pki.leaf_key, pki.leaf, ()), signer_identifier="ski")
    with pytest.raises(InputError):
        cms_verify(good, trusted_signers=[dup, pki.leaf])


def test_embedded_certificate_with_an_invalid_version_is_a_format_error() -> None:
    """x509.InvalidVersion is not a ValueError; it escaped cms_verify before."""
    from cryptokit.cms import CmsFormatError

    pki = make_pki("p256")
    cms = cms_sign(b"x", KeyBundle(pki.leaf_key, pki.leaf, ()))
    v3 = bytes.fromhex("a003020102")  # [0] EXPLICIT INTEGER 2 (v3) of the embedded certificate
    assert cms.count(v3) == 1
    bad = cms.replace(v3, bytes.fromhex("a003020142"))  # version 66
    with pytest.raises(CmsFormatError):
        cms_verify(bad, trusted_signers=[pki.leaf])


def test_empty_chain_inputs_load_nothing() -> None:
    """Empty lists (what the command passes without --intermediates/--crl/--ocsp) take the defaults'
    path instead of loading per call; anything else is still checked."""
    from cryptokit.cms.verify import _NO_CHAIN_INPUTS, _chain_inputs
    from cryptokit.errors import InputError

    assert _chain_inputs([], [], []) is _NO_CHAIN_INPUTS
    assert _chain_inputs((), [], ()) is _NO_CHAIN_INPUTS
    for bad in ((0, (), ()), ((), 5, ()), ((), (), [b"not OCSP"])):
        with pytest.raises(InputError):
            _chain_inputs(*bad)
