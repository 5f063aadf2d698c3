"""Review findings on chain validation: trust-anchor constraints, a leaf that is an anchor, CRL algorithms."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from asn1crypto import algos
from asn1crypto import crl as acrl
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.x509.verification import ExtensionPolicy, PolicyBuilder, Store, VerificationError

from cryptokit.chain import ChainPolicy, validate_chain
from cryptokit.report import Indication, SubIndication
from tests.pki import DAY, NOW, make_cert, make_key, make_pki


def _failed(report: Any) -> list[str]:
    return [c.name for c in report.failures()]


def _cryptography_accepts(leaf: x509.Certificate, inters: list[x509.Certificate], root: x509.Certificate) -> bool:
    verifier = (
        PolicyBuilder()
        .store(Store([root]))
        .time(NOW)
        .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ExtensionPolicy.permit_all())
        .build_client_verifier()
    )
    try:
        verifier.verify(leaf, inters)
    except VerificationError:
        return False
    return True


def _anchor_chain(label: str, **anchor_options: Any) -> tuple[x509.Certificate, x509.Certificate, x509.Certificate]:
    rk, ik, lk = make_key("p256", "review-r"), make_key("p256", "review-i"), make_key("p256", "review-l")
    root = make_cert(f"Review Root {label}", rk, **anchor_options)
    inter = make_cert(f"Review CA {label}", ik, root, rk, ca=True)
    leaf = make_cert(f"Review Leaf {label}", lk, inter, ik)
    return root, inter, leaf


def test_anchor_path_length_constraint_is_enforced() -> None:
    root, inter, leaf = _anchor_chain("pl0", ca=True, path_length=0)
    report = validate_chain(leaf, intermediates=[inter], trust_anchors=[root], cache=None)
    assert not _cryptography_accepts(leaf, [inter], root)
    assert (report.indication, report.sub_indication) == (
        Indication.INDETERMINATE,
        SubIndication.CHAIN_CONSTRAINTS_FAILURE,
    )
    assert _failed(report) == ["path_length"]


def test_anchor_path_length_one_allows_one_intermediate() -> None:
    root, inter, leaf = _anchor_chain("pl1", ca=True, path_length=1)
    report = validate_chain(leaf, intermediates=[inter], trust_anchors=[root], cache=None)
    assert _cryptography_accepts(leaf, [inter], root)
    assert report.ok, report.failures()


def test_anchor_that_is_not_a_ca_cannot_issue() -> None:
    # e.g. a pinned end-entity certificate in a mixed anchor store: its holder must not mint certificates
    root, inter, leaf = _anchor_chain("nonca", ca=False)
    report = validate_chain(leaf, intermediates=[inter], trust_anchors=[root], cache=None)
    assert not _cryptography_accepts(leaf, [inter], root)
    assert not report.ok and report.sub_indication == SubIndication.CHAIN_CONSTRAINTS_FAILURE
    assert "basic_constraints" in _failed(report)
    direct = make_cert("Review Direct Leaf", make_key("p256", "review-l"), root, make_key("p256", "review-r"))
    report = validate_chain(direct, trust_anchors=[root], cache=None)
    assert not report.ok and "basic_constraints" in _failed(report)


def test_anchor_key_usage_without_key_cert_sign() -> None:
    root, inter, leaf = _anchor_chain("ku", ca=True, key_usage={"key_cert_sign": False})
    report = validate_chain(leaf, intermediates=[inter], trust_anchors=[root], cache=None)
    assert not report.ok and _failed(report) == ["key_usage"]
    assert report.sub_indication == SubIndication.CHAIN_CONSTRAINTS_FAILURE


def test_leaf_that_is_an_anchor_must_still_be_valid() -> None:
    key = make_key("p256", "review-l")
    expired = make_cert("Review Pinned Expired", key, not_before=NOW - 10 * DAY, not_after=NOW - 5 * DAY)
    report = validate_chain(expired, trust_anchors=[expired], cache=None)
    assert (report.indication, report.sub_indication) == (Indication.TOTAL_FAILED, SubIndication.EXPIRED)
    early = make_cert("Review Pinned Early", key, not_before=NOW + 5 * DAY, not_after=NOW + 10 * DAY)
    report = validate_chain(early, trust_anchors=[early], cache=None)
    assert report.sub_indication == SubIndication.NOT_YET_VALID
    assert validate_chain(early, trust_anchors=[early], at=NOW + 6 * DAY, cache=None).ok


def test_intermediate_with_the_anchor_name_but_another_key_is_refused() -> None:
    pki = make_pki("p256")
    evil_key = make_key("p256", "review-evil")
    fake_root = make_cert(pki.root.subject, evil_key, ca=True)
    fake_leaf = make_cert("Review Fake Leaf", make_key("p256", "review-l"), fake_root, evil_key)
    report = validate_chain(fake_leaf, intermediates=[fake_root], trust_anchors=[pki.root], cache=None)
    assert not report.ok
    assert "signature" in _failed(report)


def _resigned_crl(
    issuer: x509.Certificate, key: Any, alg: str, h: hashes.HashAlgorithm
) -> x509.CertificateRevocationList:
    """A CRL signed with ``alg`` (cryptography refuses to sign SHA-1/MD5 CRLs, so re-sign the TBS by hand)."""
    base = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.subject)
        .last_update(NOW - DAY)
        .next_update(NOW + 7 * DAY)
        .sign(key, hashes.SHA256())
    )
    tbs = acrl.CertificateList.load(base.public_bytes(serialization.Encoding.DER))["tbs_cert_list"]
    identifier = algos.SignedDigestAlgorithm({"algorithm": alg})
    tbs["signature"] = identifier
    tbs_der = tbs.dump(force=True)
    signature = key.sign(tbs_der, padding.PKCS1v15(), h)
    der = acrl.CertificateList(
        {"tbs_cert_list": acrl.TbsCertList.load(tbs_der), "signature_algorithm": identifier, "signature": signature}
    ).dump()
    return x509.load_der_x509_crl(der)


@pytest.mark.parametrize(("alg", "h"), [("sha1_rsa", hashes.SHA1()), ("md5_rsa", hashes.MD5())])
def test_crl_signed_with_a_refused_hash_is_not_usable(alg: str, h: hashes.HashAlgorithm) -> None:
    pki = make_pki("rsa2048")
    crls = [
        _resigned_crl(pki.intermediate, pki.intermediate_key, alg, h),
        _resigned_crl(pki.root, pki.root_key, alg, h),
    ]
    policy = ChainPolicy.document_signing(require_revocation=True)
    report = validate_chain(
        pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], crls=crls, policy=policy, cache=None
    )
    assert (report.indication, report.sub_indication) == (Indication.INDETERMINATE, SubIndication.TRY_LATER)
    assert all("algorithm refused" in c.message for c in report.failures())
    # control: the same CRLs signed with SHA-256 are usable
    good = [_resigned_crl(pki.intermediate, pki.intermediate_key, "sha256_rsa", hashes.SHA256())]
    good.append(_resigned_crl(pki.root, pki.root_key, "sha256_rsa", hashes.SHA256()))
    report = validate_chain(
        pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], crls=good, policy=policy, cache=None
    )
    assert report.ok, report.failures()


def test_crl_of_another_issuer_is_ignored() -> None:
    pki = make_pki("p256")
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(x509.Name.from_rfc4514_string("CN=Review Some Other CA"))
        .last_update(NOW - DAY)
        .next_update(NOW + 7 * DAY)
        .add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(pki.leaf.serial_number).revocation_date(NOW - DAY).build()
        )
        .sign(pki.intermediate_key, hashes.SHA256())
    )
    report = validate_chain(pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], crls=[crl], cache=None)
    assert report.ok
    revocation = [c for c in report.checks if c.name == "revocation"]
    assert revocation and all(c.outcome.value == "skipped" for c in revocation)


def _ecdsa_sha1_leaf(tamper: bool = False) -> tuple[x509.Certificate, x509.Certificate]:
    """A P-256 root and a leaf it signed with ecdsa-with-SHA1 in 2007 (cryptography no longer signs SHA-1)."""
    from asn1crypto import x509 as ax509
    from cryptography.hazmat.primitives.asymmetric import ec

    rk, lk = make_key("p256", "review-sha1-root"), make_key("p256", "review-sha1-leaf")
    start = dt.datetime(2007, 1, 1, tzinfo=dt.UTC)
    end = start + dt.timedelta(days=9000)
    root = make_cert("Review EC SHA1 Root", rk, ca=True, not_before=start, not_after=end)
    modern = make_cert("Review EC SHA1 Leaf", lk, root, rk, not_before=start, not_after=end)
    tbs = ax509.Certificate.load(modern.public_bytes(serialization.Encoding.DER))["tbs_certificate"]
    identifier = algos.SignedDigestAlgorithm({"algorithm": "sha1_ecdsa"})
    tbs["signature"] = identifier
    tbs_der = tbs.dump(force=True)
    signature = rk.sign(tbs_der + (b"x" if tamper else b""), ec.ECDSA(hashes.SHA1()))  # type: ignore[call-arg,arg-type]
    der = ax509.Certificate(
        {"tbs_certificate": ax509.TbsCertificate.load(tbs_der), "signature_algorithm": identifier}
        | {"signature_value": signature}
    ).dump()
    return root, x509.load_der_x509_certificate(der)


def test_ecdsa_sha1_certificate_is_a_policy_result_by_date() -> None:
    """Pitfall 3 for EC issuers: cryptography has no parameters object for ecdsa-with-SHA1, which made
    every such signature 'not verify' instead of verifying and being judged by date."""
    root, leaf = _ecdsa_sha1_leaf()
    before = validate_chain(leaf, trust_anchors=[root], at=dt.datetime(2008, 1, 1, tzinfo=dt.UTC), cache=None)
    assert before.ok, before.failures()
    after = validate_chain(leaf, trust_anchors=[root], at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC), cache=None)
    assert after.sub_indication == SubIndication.CRYPTO_CONSTRAINTS_FAILURE
    assert _failed(after) == ["algorithm"]
    root, forged = _ecdsa_sha1_leaf(tamper=True)
    bad = validate_chain(forged, trust_anchors=[root], at=dt.datetime(2008, 1, 1, tzinfo=dt.UTC), cache=None)
    assert not bad.ok and _failed(bad) == ["signature"]


@pytest.fixture(scope="module")
def pss_ca(tmp_path_factory: pytest.TempPathFactory) -> tuple[x509.Certificate, Any]:
    """A CA whose SPKI is id-RSASSA-PSS (SHA-256, MGF1-SHA-256, salt 32), made by openssl."""
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl command not available")
    d = tmp_path_factory.mktemp("pssca")
    key_cmd = ["openssl", "genpkey", "-algorithm", "RSA-PSS", "-out", str(d / "k.pem")]
    for opt in ("rsa_keygen_bits:2048", "rsa_pss_keygen_md:sha256", "rsa_pss_keygen_mgf1_md:sha256"):
        key_cmd += ["-pkeyopt", opt]
    subprocess.run(key_cmd, check=True, capture_output=True)
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-new", "-key", str(d / "k.pem"), "-subj", "/CN=Review PSS CA"),
            *("-days", "30", "-sigopt", "rsa_padding_mode:pss", "-out", str(d / "c.pem")),
            *("-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign"),
        ],
        check=True,
        capture_output=True,
    )
    key = serialization.load_pem_private_key((d / "k.pem").read_bytes(), None)
    cert = x509.load_pem_x509_certificate((d / "c.pem").read_bytes())
    assert cert.public_key_algorithm_oid.dotted_string == "1.2.840.113549.1.1.10"
    return cert, key


def test_rsassa_pss_issuer_key_refuses_pkcs1v15_certificate_signature(pss_ca: tuple[x509.Certificate, Any]) -> None:
    ca, ca_key = pss_ca
    child_key = make_key("p256", "review-pss-child")
    v15 = make_cert("Review PSS child v1.5", child_key, ca, ca_key)
    assert v15.signature_algorithm_oid.dotted_string == "1.2.840.113549.1.1.11"
    report = validate_chain(v15, trust_anchors=[ca], cache=None)
    assert not report.ok and _failed(report) == ["signature"]
    assert "RSASSA-PSS" in report.failures()[0].message
    # control: the same issuer signing with RSASSA-PSS is accepted
    pss = (
        x509.CertificateBuilder()
        .subject_name(x509.Name.from_rfc4514_string("CN=Review PSS child"))
        .issuer_name(ca.subject)
        .public_key(child_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - DAY)
        .not_valid_after(NOW + DAY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
                ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
            ),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256(), rsa_padding=padding.PSS(padding.MGF1(hashes.SHA256()), 32))
    )
    assert validate_chain(pss, trust_anchors=[ca], cache=None).ok


def test_certificate_objects_with_duplicate_extensions_are_input_errors() -> None:
    """cryptography parses extensions lazily; a bad one must be an InputError, as it is for bytes input."""
    from cryptokit.errors import InputError
    from tests.test_review_cms import _duplicate_extension_leaf

    pki, dup = _duplicate_extension_leaf()
    assert isinstance(dup, x509.Certificate)
    with pytest.raises(InputError) as info:
        validate_chain(dup, intermediates=pki.chain, trust_anchors=[pki.root], cache=None)
    assert info.value.field == "leaf"
    with pytest.raises(InputError):
        validate_chain(dup.public_bytes(serialization.Encoding.DER), trust_anchors=[pki.root], cache=None)
    with pytest.raises(InputError):
        validate_chain(pki.leaf, intermediates=[dup, *pki.chain], trust_anchors=[pki.root], cache=None)
