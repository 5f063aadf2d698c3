"""cms_sign output shape and round trips; cms_verify trust modes, policy results and argument errors."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from asn1crypto import cms as acms
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import Encoding

from cryptokit.cms import CmsFormatError, CmsPolicy, cms_sign, cms_verify, cms_verify_unsafe_no_trust
from cryptokit.encoding import b64encode, pem_encode
from cryptokit.errors import InputError, UnsupportedAlgorithm, VerificationFailed
from cryptokit.pkcs12 import KeyBundle
from cryptokit.report import Indication, SubIndication
from tests.pki import NOW, make_cert, make_key, make_pki

CONTENT = b"MIIC...CSR bytes the emCA client signs"
WHEN = dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.UTC)


def bundle(kind: str = "rsa2048", **leaf_options: Any) -> KeyBundle:
    pki = make_pki("p256", leaf_kind=kind, **leaf_options) if kind != "p256" else make_pki("p256", **leaf_options)
    return KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain))


def fails(cms: bytes, **kw: object) -> VerificationFailed:
    with pytest.raises(VerificationFailed) as info:
        cms_verify(cms, **kw)  # type: ignore[arg-type]
    return info.value


def test_default_shape_matches_the_vendor_profile() -> None:
    b = bundle()
    der = cms_sign(CONTENT, b, signing_time=WHEN)
    ci = acms.ContentInfo.load(der)
    assert ci.dump(force=True) == der  # DER: re-encoding changes nothing
    sd = ci["content"]
    assert sd["version"].native == "v1"
    assert sd["encap_content_info"]["content"].native == CONTENT
    assert b.certificate is not None
    assert [c.chosen.dump() for c in sd["certificates"]] == [b.certificate.public_bytes(Encoding.DER)]
    si = sd["signer_infos"][0]
    assert si["version"].native == "v1"
    assert si["sid"].name == "issuer_and_serial_number"
    assert si["digest_algorithm"].dump().hex() == "300d06096086480165030402010500"  # SHA-256 with NULL
    attrs = {a["type"].native: a["values"][0] for a in si["signed_attrs"]}
    assert set(attrs) == {"content_type", "signing_time", "message_digest", "cms_algorithm_protection"}
    assert attrs["content_type"].native == "data"
    assert attrs["signing_time"].name == "utc_time" and attrs["signing_time"].native == WHEN
    assert attrs["message_digest"].native == hashlib.sha256(CONTENT).digest()
    result = cms_verify(der, trusted_signers=[b])
    assert result.signers[0].signing_time == WHEN and result.content == CONTENT


@pytest.mark.parametrize(
    ("kind", "scheme", "digest", "expected"),
    [
        ("rsa2048", "auto", "sha256", "RSA PKCS#1 v1.5 (sha256)"),
        ("rsa2048", "pss", "sha256", "RSASSA-PSS(sha256, MGF1-sha256, salt 32)"),
        ("rsa2048", "pkcs1v15", "sha512", "RSA PKCS#1 v1.5 (sha512)"),
        ("p256", "auto", "sha256", "ecdsa-with-SHA256"),
        ("p384", "ecdsa", "sha384", "ecdsa-with-SHA384"),
        ("p521", "auto", "sha512", "ecdsa-with-SHA512"),
        ("ed25519", "auto", "sha512", "Ed25519"),
    ],
)
@pytest.mark.parametrize("detached", [False, True])
@pytest.mark.parametrize("sid", ["issuer_serial", "ski"])
def test_round_trip(kind: str, scheme: str, digest: str, expected: str, detached: bool, sid: str) -> None:
    b = bundle(kind)
    der = cms_sign(CONTENT, b, detached=detached, digest=digest, scheme=scheme, signer_identifier=sid)  # type: ignore[arg-type]
    result = cms_verify(der, content=CONTENT if detached else None, trusted_signers=[b.certificate])  # type: ignore[list-item]
    assert result.signers[0].signature_algorithm == expected
    assert result.digest_algorithm.name == digest
    assert result.content == CONTENT and result.detached is detached
    assert result.report.indication is Indication.TOTAL_PASSED
    if sid == "ski":
        assert acms.ContentInfo.load(der)["content"]["version"].native == "v3"


def test_ed25519_signature_checked_with_cryptography_directly() -> None:
    b = bundle("ed25519")
    der = cms_sign(CONTENT, b, digest="sha512")
    si = acms.ContentInfo.load(der)["content"]["signer_infos"][0]
    key = b.certificate.public_key()  # type: ignore[union-attr]
    assert isinstance(key, ed25519.Ed25519PublicKey)
    attrs = si["signed_attrs"].dump()  # as parsed: [0] IMPLICIT, the received bytes
    assert attrs[0] == 0xA0
    key.verify(si["signature"].native, b"\x31" + attrs[1:])  # PureEdDSA over the DER SET OF
    with pytest.raises(InputError):
        cms_sign(CONTENT, b)  # Ed25519 needs SHA-512 (RFC 8419)


def test_no_signed_attributes_and_str_content() -> None:
    b = bundle("p256")
    der = cms_sign("DN=Ünïcode", b, signed_attributes=False)
    result = cms_verify(der, trusted_signers=[b])
    assert result.content == "DN=Ünïcode".encode() and result.signers[0].signed_attributes is False


def test_include_chain_embeds_the_chain_once() -> None:
    b = bundle("p256")
    assert b.certificate is not None
    der = cms_sign(CONTENT, KeyBundle(b.private_key, b.certificate, (*b.chain, b.certificate)), include_chain=True)
    assert len(acms.ContentInfo.load(der)["content"]["certificates"]) == 3


def test_sign_argument_errors() -> None:
    b = bundle("p256")
    other = bundle("rsa2048")
    with pytest.raises(InputError, match="does not match"):
        cms_sign(CONTENT, KeyBundle(b.private_key, other.certificate))
    with pytest.raises(InputError):
        cms_sign(CONTENT, KeyBundle(None, b.certificate))
    with pytest.raises(InputError):
        cms_sign(CONTENT, b.private_key)  # type: ignore[arg-type]
    with pytest.raises(InputError):
        cms_sign(CONTENT, b, scheme="pss")
    with pytest.raises(InputError):
        cms_sign(CONTENT, b, signing_time=dt.datetime(2026, 1, 1))  # naive
    with pytest.raises(InputError):
        cms_sign(12, b)  # type: ignore[arg-type]
    with pytest.raises(UnsupportedAlgorithm):
        cms_sign(CONTENT, b, digest="md5")
    no_ski = make_cert("No SKI", make_key("p256", "noski"), skid=False)
    with pytest.raises(InputError, match="subjectKeyIdentifier"):
        cms_sign(CONTENT, KeyBundle(make_key("p256", "noski"), no_ski), signer_identifier="ski")


def test_a_trust_decision_is_required() -> None:
    der = cms_sign(CONTENT, bundle("p256"))
    with pytest.raises(InputError, match="trusted_signers or trust_anchors"):
        cms_verify(der)
    result = cms_verify_unsafe_no_trust(der)
    assert any(c.name == "trust" and "UNSAFE" in c.message for c in result.report.checks)


def test_verify_argument_errors() -> None:
    b = bundle("p256")
    der = cms_sign(CONTENT, b)
    with pytest.raises(InputError):
        cms_verify(der, trusted_signers=[b], at=dt.datetime(2026, 1, 1))  # naive
    with pytest.raises(InputError):
        cms_verify(der, trusted_signers=["not a certificate"])  # type: ignore[list-item]
    with pytest.raises(InputError):
        cms_verify(12, trusted_signers=[b])  # type: ignore[arg-type]
    with pytest.raises(InputError):
        cms_verify(der, content="text", trusted_signers=[b])  # type: ignore[arg-type]
    # A single certificate or bundle instead of a sequence is accepted.
    assert cms_verify(der, trusted_signers=b).signer == b.certificate  # type: ignore[arg-type]


def test_pem_and_base64_input() -> None:
    b = bundle("p256")
    der = cms_sign(CONTENT, b)
    for text in (pem_encode(der, "CMS"), pem_encode(der, "PKCS7"), b64encode(der)):
        assert cms_verify(text, trusted_signers=[b]).content == CONTENT
        assert cms_verify(text.encode(), trusted_signers=[b]).content == CONTENT
    wrapped = "\n".join(b64encode(der)[i : i + 76] for i in range(0, len(b64encode(der)), 76))
    assert cms_verify(wrapped, trusted_signers=[b]).content == CONTENT


def test_sha1_is_a_policy_result() -> None:
    b = bundle("rsa2048")
    der = cms_sign(CONTENT, b, digest="sha1")
    err = fails(der, trusted_signers=[b])
    assert err.report.indication is Indication.INDETERMINATE
    assert err.report.sub_indication is SubIndication.CRYPTO_CONSTRAINTS_FAILURE
    assert cms_verify(der, trusted_signers=[b], policy=CmsPolicy(allow_sha1=True)).report.ok
    err = fails(
        cms_sign(CONTENT, b, digest="sha384"),
        trusted_signers=[b],
        policy=CmsPolicy(digest_algorithms=frozenset({"sha256"})),
    )
    assert err.report.sub_indication is SubIndication.CRYPTO_CONSTRAINTS_FAILURE


def test_key_usage_must_permit_signing() -> None:
    b = bundle(
        "p256", label="ku", key_usage={"digital_signature": False, "content_commitment": False, "key_agreement": True}
    )
    err = fails(cms_sign(CONTENT, b), trusted_signers=[b])
    assert err.report.sub_indication is SubIndication.CHAIN_CONSTRAINTS_FAILURE
    only_nr = bundle("p256", label="nr", key_usage={"digital_signature": False, "content_commitment": True})
    assert cms_verify(cms_sign(CONTENT, only_nr), trusted_signers=[only_nr]).report.ok


def test_small_rsa_key_refused() -> None:
    b = bundle("rsa1024")
    err = fails(cms_sign(CONTENT, b), trusted_signers=[b])
    assert err.report.sub_indication is SubIndication.CRYPTO_CONSTRAINTS_FAILURE
    assert cms_verify(cms_sign(CONTENT, b), trusted_signers=[b], policy=CmsPolicy(min_rsa_bits=1024)).report.ok


def test_registered_certificate_validity_at_verification_time() -> None:
    b = bundle("p256")
    der = cms_sign(CONTENT, b)
    err = fails(der, trusted_signers=[b], at=NOW + dt.timedelta(days=400))
    assert err.report.sub_indication is SubIndication.EXPIRED
    err = fails(der, trusted_signers=[b], at=NOW - dt.timedelta(days=2))
    assert err.report.sub_indication is SubIndication.NOT_YET_VALID
    assert cms_verify(
        der, trusted_signers=[b], at=NOW + dt.timedelta(days=400), policy=CmsPolicy(check_certificate_validity=False)
    ).report.ok


def test_supplied_content_must_match_an_attached_one() -> None:
    b = bundle("p256")
    der = cms_sign(CONTENT, b)
    assert cms_verify(der, content=CONTENT, trusted_signers=[b]).content == CONTENT
    assert fails(der, content=b"other", trusted_signers=[b]).report.sub_indication is SubIndication.HASH_FAILURE


def test_report_is_json_ready() -> None:
    b = bundle("p256")
    err = fails(cms_sign(CONTENT, b, detached=True), trusted_signers=[b])
    d = err.report.to_dict()
    assert d["sub_indication"] == "SIGNED_DATA_NOT_FOUND" and d["ok"] is False
    assert "SIGNED_DATA_NOT_FOUND" in str(err)


def test_format_errors_are_both_input_error_and_verification_failed() -> None:
    for junk in (
        b"",
        b"\x30",
        b"hello world",
        "-----BEGIN CMS-----\nAAAA\n-----END CMS-----\n",
        b"\x30\x03\x02\x01\x01",
    ):
        with pytest.raises(CmsFormatError) as info:
            cms_verify(junk, trusted_signers=[bundle("p256")])
        assert isinstance(info.value, InputError) and isinstance(info.value, VerificationFailed)
        assert info.value.report.sub_indication is SubIndication.FORMAT_FAILURE


def test_trust_anchors_validate_the_chain() -> None:
    chain = pytest.importorskip("cryptokit.chain")
    if not hasattr(chain, "validate_chain"):
        pytest.skip("cryptokit.chain.validate_chain not available yet")
    pki = make_pki("p256")
    b = KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain))
    with_chain = cms_sign(CONTENT, b, include_chain=True)
    result = cms_verify(with_chain, trust_anchors=[pki.root])
    assert result.signers[0].chain and result.signers[0].chain[0] == pki.leaf
    other = make_pki("p256", label="elsewhere")
    err = fails(with_chain, trust_anchors=[other.root])
    assert err.report.indication is Indication.INDETERMINATE
    assert err.report.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND
    # Both given: registered and chained.
    assert cms_verify(with_chain, trusted_signers=[b], trust_anchors=[pki.root]).report.ok
    assert fails(with_chain, trusted_signers=[other.leaf], trust_anchors=[pki.root]).report.sub_indication is (
        SubIndication.NO_SIGNING_CERTIFICATE_FOUND
    )
