"""validate_chain on chains built with tests/pki.py: valid paths, each failure mode, path building."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest
from asn1crypto import algos
from asn1crypto import crl as acrl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.verification import ExtensionPolicy, PolicyBuilder, Store, VerificationError

from cryptokit.chain import ChainPolicy, validate_chain
from cryptokit.errors import InputError
from cryptokit.report import Indication, Outcome, SubIndication
from tests.pki import DAY, NOW, make_cert, make_key, make_pki, name

UTC = dt.UTC


def resign(cert: x509.Certificate, key: Any, algorithm: str, digest: hashes.HashAlgorithm) -> x509.Certificate:
    """``cert`` re-signed by ``key`` (RSA) with ``algorithm`` (asn1crypto name, e.g. ``sha1_rsa``):
    cryptography 50 no longer signs certificates with SHA-1 or MD5, so the test builds them itself."""
    parsed = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    tbs = parsed["tbs_certificate"]
    tbs["signature"] = asn1_x509.SignedDigestAlgorithm({"algorithm": algorithm})
    signature = key.sign(tbs.dump(force=True), padding.PKCS1v15(), digest)
    out = asn1_x509.Certificate(
        {
            "tbs_certificate": tbs,
            "signature_algorithm": asn1_x509.SignedDigestAlgorithm({"algorithm": algorithm}),
            "signature_value": signature,
        }
    )
    return x509.load_der_x509_certificate(out.dump())


def _two_intermediates(kind: str = "p256") -> dict[str, x509.Certificate]:
    rk, ak, bk, lk = (make_key(kind, f"two-{n}") for n in ("root", "a", "b", "leaf"))
    root = make_cert(name("Two Root"), rk, ca=True)
    a = make_cert(name("Two CA A"), ak, root, rk, ca=True, path_length=1)
    b = make_cert(name("Two CA B"), bk, a, ak, ca=True, path_length=0)
    leaf = make_cert(name("Two Signer"), lk, b, bk)
    return {"root": root, "a": a, "b": b, "leaf": leaf}


@pytest.mark.parametrize("kind", ["p256", "rsa2048", "ed25519", "p384"])
def test_valid_chain_passes_with_the_right_path(kind: str) -> None:
    pki = make_pki(kind)
    report = validate_chain(pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], cache=None)
    assert report.ok, report.failures()
    assert report.indication is Indication.TOTAL_PASSED and report.sub_indication is None
    assert report.path == (pki.leaf, pki.intermediate, pki.root)
    # one entry per check per certificate, each naming its subject
    subjects = {c.subject for c in report.checks}
    assert {pki.leaf.subject.rfc4514_string(), pki.intermediate.subject.rfc4514_string()} <= subjects
    names_for_leaf = [c.name for c in report.checks if c.subject == pki.leaf.subject.rfc4514_string()]
    assert {"signature", "validity", "algorithm", "name_chaining", "revocation", "key_usage"} <= set(names_for_leaf)
    assert len(names_for_leaf) == len(set(names_for_leaf))


def test_two_intermediates_path() -> None:
    c = _two_intermediates()
    report = validate_chain(c["leaf"], intermediates=[c["b"], c["a"]], trust_anchors=c["root"], cache=None)
    assert report.ok, report.failures()
    assert report.path == (c["leaf"], c["b"], c["a"], c["root"])


def test_unordered_duplicated_root_included_and_irrelevant_intermediates() -> None:
    c = _two_intermediates()
    other = make_pki("p256", label="irrelevant")
    messy = [c["root"], other.intermediate, c["a"], other.leaf, c["b"], c["a"], other.root, c["b"], c["leaf"]]
    report = validate_chain(c["leaf"], intermediates=messy, trust_anchors=[other.root, c["root"]], cache=None)
    assert report.ok, report.failures()
    assert report.path == (c["leaf"], c["b"], c["a"], c["root"])


def test_leaf_that_is_an_anchor() -> None:
    pki = make_pki("p256")
    report = validate_chain(pki.root, trust_anchors=[pki.root], cache=None)
    assert report.ok and report.path == (pki.root,)


def test_missing_intermediate_is_no_chain_found() -> None:
    c = _two_intermediates()
    report = validate_chain(c["leaf"], intermediates=[c["b"]], trust_anchors=[c["root"]], cache=None)
    assert report.indication is Indication.INDETERMINATE
    assert report.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND
    assert report.path == (c["leaf"], c["b"])  # the longest partial path
    assert not report.ok


def test_wrong_anchor_is_no_chain_found() -> None:
    pki, other = make_pki("p256"), make_pki("p256", label="other")
    report = validate_chain(pki.leaf, intermediates=pki.chain, trust_anchors=[other.root], cache=None)
    assert report.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND


def test_expired_leaf_and_not_yet_valid_intermediate() -> None:
    pki = make_pki("p256")
    later = pki.leaf.not_valid_after_utc + DAY
    report = validate_chain(pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], at=later, cache=None)
    assert (report.indication, report.sub_indication) == (Indication.TOTAL_FAILED, SubIndication.EXPIRED)
    assert report.path == (pki.leaf, pki.intermediate, pki.root)

    rk, ik, lk = make_key("p256", "nyv-root"), make_key("p256", "nyv-inter"), make_key("p256", "nyv-leaf")
    root = make_cert("NYV Root", rk, ca=True, not_before=NOW - 10 * DAY)
    inter = make_cert("NYV CA", ik, root, rk, ca=True, not_before=NOW + 5 * DAY, not_after=NOW + 50 * DAY)
    leaf = make_cert("NYV Leaf", lk, inter, ik, not_before=NOW - 5 * DAY)
    report = validate_chain(leaf, intermediates=[inter], trust_anchors=[root], cache=None)
    assert (report.indication, report.sub_indication) == (Indication.TOTAL_FAILED, SubIndication.NOT_YET_VALID)
    failed = report.failures()
    assert [c.subject for c in failed] == [inter.subject.rfc4514_string()]


def test_bad_signature_in_path() -> None:
    pki = make_pki("p256")
    impostor = make_key("p256", "impostor")
    forged = make_cert(name("Forged Signer"), make_key("p256", "forged-leaf"), pki.intermediate, impostor)
    report = validate_chain(forged, intermediates=pki.chain, trust_anchors=[pki.root], cache=None)
    assert report.indication is Indication.INDETERMINATE
    assert report.sub_indication is SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE
    assert report.path == (forged, pki.intermediate, pki.root)
    sig = [c for c in report.failures() if c.name == "signature"]
    assert len(sig) == 1 and sig[0].subject == forged.subject.rfc4514_string()


def test_intermediate_that_is_not_a_ca() -> None:
    rk, ik, lk = make_key("p256", "nca-root"), make_key("p256", "nca-inter"), make_key("p256", "nca-leaf")
    root = make_cert("NCA Root", rk, ca=True)
    inter = make_cert("NCA Not A CA", ik, root, rk, ca=False)
    leaf = make_cert("NCA Leaf", lk, inter, ik)
    report = validate_chain(leaf, intermediates=[inter], trust_anchors=[root], cache=None)
    assert (report.indication, report.sub_indication) == (
        Indication.INDETERMINATE,
        SubIndication.CHAIN_CONSTRAINTS_FAILURE,
    )
    assert any(c.name == "basic_constraints" for c in report.failures())


def test_path_length_exceeded() -> None:
    rk, ak, bk, lk = (make_key("p256", f"pl-{n}") for n in ("root", "a", "b", "leaf"))
    root = make_cert("PL Root", rk, ca=True)
    a = make_cert("PL CA A", ak, root, rk, ca=True, path_length=0)
    b = make_cert("PL CA B", bk, a, ak, ca=True)
    leaf = make_cert("PL Leaf", lk, b, bk)
    report = validate_chain(leaf, intermediates=[a, b], trust_anchors=[root], cache=None)
    assert report.sub_indication is SubIndication.CHAIN_CONSTRAINTS_FAILURE
    assert [c.name for c in report.failures()] == ["path_length"]


def test_ca_key_usage_without_key_cert_sign() -> None:
    rk, ik, lk = make_key("p256", "ku-root"), make_key("p256", "ku-inter"), make_key("p256", "ku-leaf")
    root = make_cert("KU Root", rk, ca=True)
    inter = make_cert("KU CA", ik, root, rk, ca=True, key_usage={"key_cert_sign": False})
    leaf = make_cert("KU Leaf", lk, inter, ik)
    report = validate_chain(leaf, intermediates=[inter], trust_anchors=[root], cache=None)
    assert report.sub_indication is SubIndication.CHAIN_CONSTRAINTS_FAILURE
    assert [c.name for c in report.failures()] == ["key_usage"]
    failure = report.failures()[0]
    assert (failure.subject, failure.message) == (inter.subject.rfc4514_string(), "keyUsage lacks keyCertSign")


def test_document_signing_leaf_key_usage_versus_rfc5280() -> None:
    pki = make_pki(
        "p256",
        label="kuleaf",
        key_usage={"digital_signature": False, "content_commitment": False, "key_agreement": True},
    )
    doc = validate_chain(pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], cache=None)
    assert doc.sub_indication is SubIndication.CHAIN_CONSTRAINTS_FAILURE
    plain = validate_chain(
        pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], policy=ChainPolicy.rfc5280(), cache=None
    )
    assert plain.ok
    # nonRepudiation alone is enough for document signing
    nr = make_pki("p256", label="nr", key_usage={"digital_signature": False, "content_commitment": True})
    assert validate_chain(nr.leaf, intermediates=nr.chain, trust_anchors=[nr.root], cache=None).ok


def test_required_ekus() -> None:
    pki = make_pki("p256")
    policy = ChainPolicy.document_signing(required_ekus={ExtendedKeyUsageOID.CODE_SIGNING})
    report = validate_chain(pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], policy=policy, cache=None)
    assert report.sub_indication is SubIndication.CHAIN_CONSTRAINTS_FAILURE
    assert [c.name for c in report.failures()] == ["extended_key_usage"]
    with_eku = make_pki("p256", label="eku", eku=[ExtendedKeyUsageOID.CODE_SIGNING])
    ok = validate_chain(
        with_eku.leaf, intermediates=with_eku.chain, trust_anchors=[with_eku.root], policy=policy, cache=None
    )
    assert ok.ok, ok.failures()


def test_unknown_critical_extension() -> None:
    rk, lk = make_key("p256", "uc-root"), make_key("p256", "uc-leaf")
    root = make_cert("UC Root", rk, ca=True)
    ext = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.99999.1"), b"\x05\x00")
    leaf = make_cert("UC Leaf", lk, root, rk, extra_extensions=[(ext, True)])
    report = validate_chain(leaf, trust_anchors=[root], cache=None)
    assert report.sub_indication is SubIndication.CHAIN_CONSTRAINTS_FAILURE
    assert [c.name for c in report.failures()] == ["critical_extensions"]
    noncrit = make_cert("UC Leaf 2", lk, root, rk, extra_extensions=[(ext, False)])
    assert validate_chain(noncrit, trust_anchors=[root], cache=None).ok


def test_max_depth() -> None:
    c = _two_intermediates()
    policy = ChainPolicy.document_signing(max_depth=3)
    report = validate_chain(c["leaf"], intermediates=[c["a"], c["b"]], trust_anchors=[c["root"]], policy=policy)
    # issue 16: a path that exists but is too long says so (not "no chain", not a signature failure)
    assert report.sub_indication is SubIndication.CHAIN_CONSTRAINTS_FAILURE
    assert [c.name for c in report.failures()] == ["depth"] and len(report.path) == 4


def test_cross_signed_mesh_finishes_quickly() -> None:
    """Six CAs that all cross-sign each other (30 certificates, factorially many loop-free paths) and
    no anchor at the end: the bounded search gives up fast with NO_CERTIFICATE_CHAIN_FOUND."""
    keys = [make_key("p256", f"mesh-{i}") for i in range(6)]
    selfs = [make_cert(name(f"Mesh CA {i}"), keys[i], ca=True) for i in range(6)]
    mesh = [
        make_cert(name(f"Mesh CA {i}"), keys[i], selfs[j], keys[j], ca=True)
        for i in range(6)
        for j in range(6)
        if i != j
    ]
    leaf = make_cert("Mesh Leaf", make_key("p256", "mesh-leaf"), selfs[0], keys[0])
    unrelated = make_pki("p256", label="mesh-anchor").root
    t0 = time.perf_counter()
    report = validate_chain(leaf, intermediates=mesh * 2, trust_anchors=[unrelated], cache=None)
    elapsed = time.perf_counter() - t0
    assert report.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND
    assert elapsed < 2.0, elapsed
    # with one of the mesh's self-signed CAs as the anchor, the mesh still validates (and quickly)
    t0 = time.perf_counter()
    report = validate_chain(leaf, intermediates=mesh, trust_anchors=[selfs[3]], cache=None)
    assert report.ok, report.failures()
    assert report.path[-1] == selfs[3]
    assert time.perf_counter() - t0 < 2.0


def test_sha1_is_a_policy_result_by_date() -> None:
    rk, ik, lk = make_key("rsa2048", "sha1-root"), make_key("rsa2048", "sha1-inter"), make_key("rsa2048", "sha1-leaf")
    start, end = dt.datetime(2007, 1, 1, tzinfo=UTC), NOW + 365 * DAY
    sha1 = hashes.SHA1()
    root = resign(make_cert("SHA1 Root", rk, ca=True, not_before=start, not_after=end), rk, "sha1_rsa", sha1)
    inter = resign(make_cert("SHA1 CA", ik, root, rk, ca=True, not_before=start, not_after=end), rk, "sha1_rsa", sha1)
    leaf = resign(make_cert("SHA1 Leaf", lk, inter, ik, not_before=start, not_after=end), ik, "sha1_rsa", sha1)
    args = dict(intermediates=[inter], trust_anchors=[root], cache=None)
    in_2008 = validate_chain(leaf, at=dt.datetime(2008, 6, 1, tzinfo=UTC), **args)
    assert in_2008.ok, in_2008.failures()
    now = validate_chain(leaf, **args)
    assert (now.indication, now.sub_indication) == (Indication.INDETERMINATE, SubIndication.CRYPTO_CONSTRAINTS_FAILURE)
    assert {c.name for c in now.failures()} == {"algorithm"}
    assert "2009-01-01" in now.failures()[0].message
    # a user policy that allows SHA-1 longer gets a pass even though cryptography's verifier refuses SHA-1
    lenient = ChainPolicy.document_signing(hash_algorithms={"sha1": None, "sha256": None})
    assert validate_chain(leaf, policy=lenient, **args).ok


def test_small_rsa_key_and_allowed_algorithms() -> None:
    rk, lk = make_key("rsa2048", "small-root"), make_key("rsa1024", "small-leaf")
    root = make_cert("Small Root", rk, ca=True)
    leaf = make_cert("Small Leaf", lk, root, rk)
    report = validate_chain(leaf, trust_anchors=[root], cache=None)
    assert report.sub_indication is SubIndication.CRYPTO_CONSTRAINTS_FAILURE
    assert [c.name for c in report.failures()] == ["public_key"]
    assert validate_chain(leaf, trust_anchors=[root], policy=ChainPolicy.document_signing(min_rsa_bits=1024)).ok
    pki = make_pki("p256")
    rsa_only = ChainPolicy.document_signing(signature_algorithms={"1.2.840.113549.1.1.11"})
    ec = validate_chain(pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], policy=rsa_only, cache=None)
    assert ec.sub_indication is SubIndication.CRYPTO_CONSTRAINTS_FAILURE


def test_checks_and_to_dict_are_json() -> None:
    pki = make_pki("p256")
    at = NOW + DAY
    report = validate_chain(pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], at=at, cache=None)
    out = json.loads(json.dumps(report.to_dict()))
    assert out["ok"] is True and out["indication"] == "TOTAL_PASSED" and out["sub_indication"] is None
    assert out["at"] == at.isoformat()
    assert [p["subject"] for p in out["path"]] == [c.subject.rfc4514_string() for c in report.path]
    assert len(out["path"][0]["sha256"]) == 64
    assert all({"name", "outcome", "message"} <= set(c) for c in out["checks"])
    assert all(c.outcome in (Outcome.PASSED, Outcome.SKIPPED) for c in report.checks)


def test_malformed_arguments_raise_input_error() -> None:
    pki = make_pki("p256")
    with pytest.raises(InputError) as naive:
        validate_chain(pki.leaf, trust_anchors=[pki.root], at=dt.datetime(2024, 1, 1))
    assert naive.value.field == "at"
    with pytest.raises(InputError):
        validate_chain(pki.leaf, trust_anchors=[])
    with pytest.raises(InputError):
        validate_chain(pki.leaf, trust_anchors=[pki.root], policy="strict")  # type: ignore[arg-type]
    with pytest.raises(InputError):
        validate_chain(pki.leaf, trust_anchors=[pki.root], intermediates=[42])  # type: ignore[list-item]
    with pytest.raises(InputError):
        validate_chain(pki.leaf, trust_anchors=[pki.root], crls=[b"not a crl"])
    with pytest.raises(InputError):
        ChainPolicy.document_signing(no_such_option=True)
    with pytest.raises(InputError):
        ChainPolicy.rfc5280(max_depth=0)


def test_md5_is_never_allowed() -> None:
    rk, lk = make_key("rsa2048", "md5-root"), make_key("rsa2048", "md5-leaf")
    start = dt.datetime(1995, 1, 1, tzinfo=UTC)
    root = make_cert("MD5 Root", rk, ca=True, not_before=start)
    leaf = resign(make_cert("MD5 Leaf", lk, root, rk, not_before=start), rk, "md5_rsa", hashes.MD5())
    for at in (dt.datetime(1996, 1, 1, tzinfo=UTC), NOW):
        report = validate_chain(leaf, trust_anchors=[root], at=at, cache=None)
        assert report.sub_indication is SubIndication.CRYPTO_CONSTRAINTS_FAILURE
        assert "md5" in report.failures()[0].message
    # the signature itself verifies: the refusal is the policy's, not a crypto failure
    assert not any(c.name == "signature" for c in report.failures())
    assert not ChainPolicy.rfc5280().hash_allowed("md5", start)[0]


def test_verdicts_agree_with_cryptography_verifier() -> None:
    """Cross-check with cryptography's own RFC 5280 verifier (document-signing extension policy)
    where both apply: a valid chain, an expired leaf, a non-CA intermediate, a wrong anchor."""
    from cryptography.x509 import verification as v

    def theirs(leaf: x509.Certificate, chain: list[x509.Certificate], root: x509.Certificate, at: dt.datetime) -> bool:
        verifier = (
            v.PolicyBuilder()
            .store(v.Store([root]))
            .time(at)
            .extension_policies(
                ca_policy=v.ExtensionPolicy.webpki_defaults_ca(), ee_policy=v.ExtensionPolicy.permit_all()
            )
            .build_client_verifier()
        )
        try:
            verifier.verify(leaf, chain)
            return True
        except v.VerificationError:
            return False

    pki = make_pki("p256")
    other = make_pki("p256", label="xcheck")
    rk, ik, lk = make_key("p256", "nca-root"), make_key("p256", "nca-inter"), make_key("p256", "nca-leaf")
    nca_root = make_cert("X NCA Root", rk, ca=True)
    nca_inter = make_cert("X NCA Not A CA", ik, nca_root, rk, ca=False)
    nca_leaf = make_cert("X NCA Leaf", lk, nca_inter, ik)
    later = pki.leaf.not_valid_after_utc + DAY
    cases = [
        (pki.leaf, [pki.intermediate], pki.root, NOW),
        (pki.leaf, [pki.intermediate], pki.root, later),
        (nca_leaf, [nca_inter], nca_root, NOW),
        (pki.leaf, [pki.intermediate], other.root, NOW),
    ]
    verdicts = []
    for leaf, chain, root, at in cases:
        ours = validate_chain(leaf, intermediates=chain, trust_anchors=[root], at=at, cache=None).ok
        assert ours is theirs(leaf, chain, root, at)
        verdicts.append(ours)
    assert verdicts == [True, False, False, False]


# --------------------------------------------------------------------------- RSA exponent (NIST SP 800-89)


def _huge_e_key(bits: int = 257) -> Any:
    """An RSA private key with an odd public exponent of ``bits`` bits (above the SP 800-89 bound)."""
    from math import gcd

    from cryptography.hazmat.primitives.asymmetric import rsa

    base = make_key("rsa2048", "huge-e").private_numbers()  # type: ignore[union-attr]
    p, q, n = base.p, base.q, base.public_numbers.n
    lam = (p - 1) * (q - 1) // gcd(p - 1, q - 1)
    e = (1 << (bits - 1)) + 1
    while gcd(e, lam) != 1:
        e += 2
    d = pow(e, -1, lam)
    numbers = rsa.RSAPrivateNumbers(
        p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q), rsa.RSAPublicNumbers(e, n)
    )
    return numbers.private_key()


def test_issuer_rsa_key_with_huge_exponent_is_a_crypto_constraints_failure() -> None:
    from cryptokit.chain.sigs import verify_signed

    rk, lk = make_key("p256", "he-root"), make_key("p256", "he-leaf")
    hk = _huge_e_key()
    root = make_cert("HE Root", rk, ca=True)
    inter = make_cert("HE Inter", hk, root, rk, ca=True)
    leaf = make_cert("HE Leaf", lk, inter, hk)
    # the leaf's signature is genuine: only the exponent rule refuses it
    inter.public_key().verify(leaf.signature, leaf.tbs_certificate_bytes, padding.PKCS1v15(), hashes.SHA256())  # type: ignore[call-arg,union-attr]
    report = validate_chain(leaf, intermediates=[inter], trust_anchors=[root], cache=None)
    assert not report.ok
    assert report.sub_indication is SubIndication.CRYPTO_CONSTRAINTS_FAILURE
    failed = {(c.name, c.subject, c.sub_indication) for c in report.failures()}
    assert ("signature", "CN=HE Leaf", SubIndication.CRYPTO_CONSTRAINTS_FAILURE) in failed
    assert ("public_key", "CN=HE Inter", SubIndication.CRYPTO_CONSTRAINTS_FAILURE) in failed
    assert any("2^256" in c.message for c in report.failures())
    assert verify_signed(leaf, inter.public_key()) is not None
    assert verify_signed(leaf, hk.public_key()) is not None

    # as the trust anchor, and as the leaf's own key
    anchor = make_cert("HE Anchor", hk, ca=True)
    child = make_cert("HE Child", lk, anchor, hk)
    report = validate_chain(child, trust_anchors=[anchor], cache=None)
    assert report.sub_indication is SubIndication.CRYPTO_CONSTRAINTS_FAILURE
    assert {c.name for c in report.failures()} == {"public_key", "signature"}
    ok_root = make_cert("HE OK Root", rk, ca=True)
    report = validate_chain(make_cert("HE Key Leaf", hk, ok_root, rk), trust_anchors=[ok_root], cache=None)
    assert report.sub_indication is SubIndication.CRYPTO_CONSTRAINTS_FAILURE
    assert [(c.name, c.subject) for c in report.failures()] == [("public_key", "CN=HE Key Leaf")]


def test_rsa_exponent_at_the_bound_is_accepted() -> None:
    rk = make_key("p256", "he-root")
    k = _huge_e_key(256)  # e < 2^256: allowed
    root = make_cert("HE256 Root", rk, ca=True)
    inter = make_cert("HE256 Inter", k, root, rk, ca=True)
    leaf = make_cert("HE256 Leaf", make_key("p256", "he-leaf"), inter, k)
    report = validate_chain(leaf, intermediates=[inter], trust_anchors=[root], cache=None)
    assert report.ok, report.failures()


# --- trust-anchor constraints, a leaf that is an anchor, CRL algorithms (from the review)


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
    assert [c.message for c in report.failures()] == ["trust anchor keyUsage lacks keyCertSign"]


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
        .add_extension(x509.CRLNumber(1), critical=False)
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
    from tests.cms.test_verify import _duplicate_extension_leaf

    pki, dup = _duplicate_extension_leaf()
    assert isinstance(dup, x509.Certificate)
    with pytest.raises(InputError) as info:
        validate_chain(dup, intermediates=pki.chain, trust_anchors=[pki.root], cache=None)
    assert info.value.field == "leaf"
    with pytest.raises(InputError):
        validate_chain(dup.public_bytes(serialization.Encoding.DER), trust_anchors=[pki.root], cache=None)
    with pytest.raises(InputError):
        validate_chain(pki.leaf, intermediates=[dup, *pki.chain], trust_anchors=[pki.root], cache=None)
