"""Offline verification of CSC signHash answers: real signatures on a test PKI, then each tampering."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
import pytest
from Crypto.Hash import SHA256 as Pyc_SHA256
from Crypto.PublicKey import ECC, RSA
from Crypto.Signature import DSS, pss
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from cryptokit.algorithms import hash_algorithm
from cryptokit.encoding import b64encode
from cryptokit.errors import InputError, VerificationFailed
from cryptokit.hashing import hash_to_sign
from cryptokit.protocols import csc
from cryptokit.report import Indication, SubIndication
from cryptokit.signatures import sign_digest
from tests.pki import DAY, NOW, make_key, make_pki

ECDSA_SHA256 = "1.2.840.10045.4.3.2"
ECDSA_PLAIN_SHA256 = "0.4.0.127.0.7.1.1.4.1.3"
HOUR = dt.timedelta(hours=1)
DOCS = [b"invoice 1", b"invoice 2", b"contract"]


@pytest.fixture(scope="module")
def rsa() -> Any:
    return make_pki("rsa2048", label="csc")


@pytest.fixture(scope="module")
def ec() -> Any:
    return make_pki("p256", label="csc")


def request(sign_algo: str = csc.RSA_ENCRYPTION, **kw: Any) -> csc.SignHashRequest:
    hashes = [hash_to_sign(d) for d in DOCS]
    return csc.build_sign_hash_request(hashes, credential_id="GX0112348", sad="sad", sign_algo=sign_algo, **kw)


def answer(signatures: list[bytes]) -> csc.SignHashResult:
    """Through the real parser, as a transport would hand it over."""
    return csc.parse_sign_hash_response(200, orjson.dumps({"signatures": [b64encode(s) for s in signatures]}))


def sign_all(key: Any, req: csc.SignHashRequest, **kw: Any) -> list[bytes]:
    return [sign_digest(key, h.digest, h.algorithm, **kw) for h in req.hashes]


def verify(req: Any, result: Any, pki: Any, **kw: Any) -> csc.SignHashReport:
    """``csc.validate_sign_hash_response``'s report, cross-checked with the fail-closed
    ``csc.verify_sign_hash_response``: the same verdict returned when it passed, VerificationFailed
    carrying the same report otherwise."""
    kw.setdefault("certificates", [pki.leaf, pki.intermediate])
    kw.setdefault("trust_anchors", [pki.root])
    report = csc.validate_sign_hash_response(req, result, **kw)
    if report.ok:
        assert same_verdict(csc.verify_sign_hash_response(req, result, **kw), report)
    else:
        with pytest.raises(VerificationFailed) as err:
            csc.verify_sign_hash_response(req, result, **kw)
        assert isinstance(err.value.report, csc.SignHashReport)
        assert same_verdict(err.value.report, report)
        assert same_verdict(csc.validate_sign_hash_response(req, result, **kw), report)
    return report


def same_verdict(a: csc.SignHashReport, b: csc.SignHashReport) -> bool:
    """Equal reports up to the chain report's validation time."""
    da, db = a.to_dict(), b.to_dict()
    ca, cb = da.pop("chain", None), db.pop("chain", None)
    chains = (ca is None and cb is None) or (
        ca is not None
        and cb is not None
        and (ca["indication"], ca["sub_indication"]) == (cb["indication"], cb["sub_indication"])
    )
    return da == db and chains


def failed(report: csc.SignHashReport) -> list[tuple[str, str | None, SubIndication | None]]:
    return [(c.name, c.subject, c.sub_indication) for c in report.report.failures()]


# --------------------------------------------------------------------------- passing answers


def test_rsa_pkcs1_answer_verifies(rsa: Any) -> None:
    req = request()
    report = verify(req, answer(sign_all(rsa.leaf_key, req)), rsa)
    assert report.ok and report.indication is Indication.TOTAL_PASSED
    assert [d.match.scheme for d in report.documents] == ["pkcs1v15"] * 3
    assert all(d.ok for d in report.documents) and report.chain.ok
    assert report.to_dict()["documents"][0]["scheme"] == "pkcs1v15"


def test_credential_info_serves_as_the_certificates(rsa: Any) -> None:
    info_body = orjson.dumps(
        {
            "key": {"status": "enabled", "algo": [csc.RSA_ENCRYPTION], "len": 2048},
            "cert": {"certificates": [b64encode(c.public_bytes(Encoding.DER)) for c in (rsa.leaf, rsa.intermediate)]},
            "multisign": 3,
        }
    )
    info = csc.parse_credential_info(200, info_body)
    req = request(credential=info)
    report = csc.validate_sign_hash_response(
        req, answer(sign_all(rsa.leaf_key, req)), certificates=info, trust_anchors=rsa.root
    )
    assert report.ok


def test_pss_with_sign_algo_params_verifies_and_reports_the_salt(rsa: Any) -> None:
    req = request(csc.RSASSA_PSS, pss_salt_length=20)
    sigs = sign_all(rsa.leaf_key, req, scheme="pss", pss_salt_length=20)
    report = verify(req, answer(sigs), rsa)
    assert report.ok
    assert {(d.match.scheme, d.match.pss_salt_length) for d in report.documents} == {("pss", 20)}


def test_pss_signed_by_pycryptodome_verifies(rsa: Any) -> None:
    """An independent peer: PSS signatures made by pycryptodome, checked by cryptokit."""
    pem = rsa.leaf_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    signer = pss.new(RSA.import_key(pem))
    req = request(csc.RSASSA_PSS)  # salt = digest length, pycryptodome's default too
    sigs = [signer.sign(Pyc_SHA256.new(d)) for d in DOCS]
    assert verify(req, answer(sigs), rsa).ok


def test_pss_answered_with_pkcs1_is_a_format_failure(rsa: Any) -> None:
    req = request(csc.RSASSA_PSS)
    report = verify(req, answer(sign_all(rsa.leaf_key, req)), rsa)
    assert (report.indication, report.sub_indication) == (Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
    assert {n for n, _, _ in failed(report)} == {"signature-algorithm"}


def test_pss_with_another_salt_than_declared_fails(rsa: Any) -> None:
    req = request(csc.RSASSA_PSS, pss_salt_length=32)
    sigs = sign_all(rsa.leaf_key, req, scheme="pss", pss_salt_length=0)
    report = verify(req, answer(sigs), rsa)
    assert not report.ok and report.sub_indication is SubIndication.SIG_CRYPTO_FAILURE


def test_ecdsa_der_answer_verifies(ec: Any) -> None:
    req = request(ECDSA_SHA256)
    report = verify(req, answer(sign_all(ec.leaf_key, req)), ec)
    assert report.ok and {(d.match.scheme, d.match.encoding) for d in report.documents} == {("ecdsa", "der")}


def test_ecdsa_plain_oid_with_raw_signatures_from_pycryptodome(ec: Any) -> None:
    pem = ec.leaf_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    signer = DSS.new(ECC.import_key(pem), "fips-186-3", encoding="binary")
    req = request(ECDSA_PLAIN_SHA256)
    report = verify(req, answer([signer.sign(Pyc_SHA256.new(d)) for d in DOCS]), ec)
    assert report.ok and {d.match.encoding for d in report.documents} == {"raw"}


def test_ecdsa_x962_oid_answered_raw_is_a_format_failure(ec: Any) -> None:
    req = request(ECDSA_SHA256)
    report = verify(req, answer(sign_all(ec.leaf_key, req, signature_encoding="raw")), ec)
    assert report.sub_indication is SubIndication.FORMAT_FAILURE
    assert failed(report)[0][0] == "signature-algorithm"


def test_plain_http_request_or_body_works_as_the_request(rsa: Any) -> None:
    req = request()
    sigs = sign_all(rsa.leaf_key, req)
    assert verify(req.body, sigs, rsa).ok
    plain = csc.parse_sign_hash_request(req.body)
    assert verify(plain, answer(sigs), rsa).ok


# --------------------------------------------------------------------------- tampering


def test_other_key_is_sig_crypto_failure(rsa: Any) -> None:
    req = request()
    sigs = sign_all(make_key("rsa2048", "csc-other"), req)
    report = verify(req, answer(sigs), rsa)
    assert (report.indication, report.sub_indication) == (Indication.TOTAL_FAILED, SubIndication.SIG_CRYPTO_FAILURE)
    assert [s for _, s, _ in failed(report)] == ["hash[0]", "hash[1]", "hash[2]"]
    assert report.chain.ok  # the chain is fine; the signatures are not


def test_other_hash_rsa_is_hash_failure(rsa: Any) -> None:
    req = request()
    sigs = sign_all(rsa.leaf_key, req)
    other = hash_to_sign(b"something else")
    sigs[1] = sign_digest(rsa.leaf_key, other.digest, other.algorithm)
    report = verify(req, answer(sigs), rsa)
    assert (report.indication, report.sub_indication) == (Indication.TOTAL_FAILED, SubIndication.HASH_FAILURE)
    assert failed(report) == [("signature", "hash[1]", SubIndication.HASH_FAILURE)]
    assert [d.ok for d in report.documents] == [True, False, True]


def test_other_hash_ecdsa_is_sig_crypto_failure(ec: Any) -> None:
    req = request(ECDSA_SHA256)
    sigs = sign_all(ec.leaf_key, req)
    other = hash_to_sign(b"something else")
    sigs[2] = sign_digest(ec.leaf_key, other.digest, other.algorithm)
    report = verify(req, answer(sigs), ec)
    assert failed(report) == [("signature", "hash[2]", SubIndication.SIG_CRYPTO_FAILURE)]


@pytest.mark.parametrize("kind", ["rsa", "ec"])
def test_swapped_order_is_reported(kind: str, rsa: Any, ec: Any) -> None:
    pki = rsa if kind == "rsa" else ec
    req = request(csc.RSA_ENCRYPTION if kind == "rsa" else ECDSA_SHA256)
    sigs = sign_all(pki.leaf_key, req)
    sigs[0], sigs[2] = sigs[2], sigs[0]
    report = verify(req, answer(sigs), pki)
    assert (report.indication, report.sub_indication) == (Indication.TOTAL_FAILED, SubIndication.HASH_FAILURE)
    assert failed(report) == [
        ("signature", "hash[0]", SubIndication.HASH_FAILURE),
        ("signature", "hash[2]", SubIndication.HASH_FAILURE),
        ("signature-order", None, SubIndication.HASH_FAILURE),
    ]
    assert report.documents[0].report.checks[0].details["signs_hash"] == 2


def test_missing_signature_is_a_failure_not_an_exception(rsa: Any) -> None:
    req = request()
    report = verify(req, answer(sign_all(rsa.leaf_key, req)[:2]), rsa)
    assert (report.indication, report.sub_indication) == (Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
    assert failed(report) == [
        ("signature-count", None, SubIndication.FORMAT_FAILURE),
        ("signature", "hash[2]", SubIndication.FORMAT_FAILURE),
    ]
    assert [d.ok for d in report.documents] == [True, True, False]


def test_extra_signature_is_a_count_failure(rsa: Any) -> None:
    req = request()
    sigs = sign_all(rsa.leaf_key, req)
    report = verify(req, answer([*sigs, sigs[0]]), rsa)
    assert failed(report) == [("signature-count", None, SubIndication.FORMAT_FAILURE)]
    assert all(d.ok for d in report.documents)


def test_expired_chain_is_reported_expired() -> None:
    pki = make_pki("p256", label="csc-expired", not_before=NOW - 30 * DAY, not_after=NOW - HOUR)
    req = request(ECDSA_SHA256)
    report = verify(req, answer(sign_all(pki.leaf_key, req)), pki)
    assert (report.indication, report.sub_indication) == (Indication.TOTAL_FAILED, SubIndication.EXPIRED)
    assert failed(report) == [("certificate-chain", pki.leaf.subject.rfc4514_string(), SubIndication.EXPIRED)]
    assert all(d.report.sub_indication is SubIndication.EXPIRED for d in report.documents)
    # At a time inside the validity period the same answer passes.
    assert verify(req, answer(sign_all(pki.leaf_key, req)), pki, at=NOW - 2 * HOUR).ok


def test_untrusted_chain_is_indeterminate(rsa: Any, ec: Any) -> None:
    req = request()
    report = verify(req, answer(sign_all(rsa.leaf_key, req)), rsa, trust_anchors=[ec.root])
    assert (report.indication, report.sub_indication) == (
        Indication.INDETERMINATE,
        SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
    )


def test_absent_null_digest_info_is_refused_unless_allowed(rsa: Any) -> None:
    req = request()
    numbers = rsa.leaf_key.private_numbers()
    n, d = numbers.public_numbers.n, numbers.d
    size = (n.bit_length() + 7) // 8
    sigs = []
    for h in req.hashes:
        alg = hash_algorithm("sha256")
        info = alg._di_prefix_no_null + h.digest  # DigestInfo without the NULL parameters
        em = b"\x00\x01" + b"\xff" * (size - len(info) - 3) + b"\x00" + info
        sigs.append(pow(int.from_bytes(em, "big"), d, n).to_bytes(size, "big"))
    report = verify(req, answer(sigs), rsa)
    assert report.sub_indication is SubIndication.FORMAT_FAILURE
    assert {n for n, _, _ in failed(report)} == {"signature-algorithm"}
    assert verify(req, answer(sigs), rsa, allow_absent_null=True).ok


def test_pending_async_answer_is_try_later(rsa: Any) -> None:
    req = request(operation_mode="A")
    pending = csc.parse_sign_hash_response(200, b'{"responseID": "158112-652341-khj"}', request=req)
    report = verify(req, pending, rsa)
    assert (report.indication, report.sub_indication) == (Indication.INDETERMINATE, SubIndication.TRY_LATER)


def test_verify_fails_closed_and_bad_arguments(rsa: Any) -> None:
    req = request()
    kw: dict[str, Any] = {"certificates": [rsa.leaf, rsa.intermediate], "trust_anchors": [rsa.root]}
    short = answer(sign_all(rsa.leaf_key, req)[:1])
    report = csc.validate_sign_hash_response(req, short, **kw)
    assert not report.ok and report.sub_indication is SubIndication.FORMAT_FAILURE
    with pytest.raises(VerificationFailed) as err:  # by default: fail closed
        csc.verify_sign_hash_response(req, short, **kw)
    assert err.value.report.sub_indication is SubIndication.FORMAT_FAILURE and "FORMAT_FAILURE" in str(err.value)
    assert same_verdict(err.value.report, report)
    # one way to choose raise-or-return: the verify_/validate_ pair, no keyword that turns one into the other
    with pytest.raises(TypeError):
        csc.verify_sign_hash_response(req, short, raise_on_failure=False, **kw)  # type: ignore[call-arg]
    good = csc.verify_sign_hash_response(req, answer(sign_all(rsa.leaf_key, req)), **kw)
    assert isinstance(good, csc.SignHashReport) and good.ok
    with pytest.raises(InputError):
        csc.verify_sign_hash_response(req, short, at=dt.datetime(2025, 1, 1), **kw)  # naive
    with pytest.raises(InputError):
        verify(req, answer([]), rsa, at=dt.datetime(2025, 1, 1))  # naive
    with pytest.raises(InputError):
        verify(object(), answer([]), rsa)
    with pytest.raises(InputError):
        verify(req, ["not bytes"], rsa)


def test_ocsp_response_decides_the_signing_certificates_revocation(ec: Any) -> None:
    """ocsp_responses= reaches the chain check of a signHash answer: a good answer satisfies
    require_revocation, a revoked one fails with OCSP named as the deciding source, and a response
    signed by a responder the CA did not authorise is not usable (TRY_LATER)."""
    from cryptography import x509
    from cryptography.x509 import ocsp

    from cryptokit.chain import ChainPolicy
    from tests.chain.test_ocsp import _good_for_inter, _resp

    req = request(ECDSA_SHA256)
    result = answer(sign_all(ec.leaf_key, req))
    policy = ChainPolicy.document_signing(require_revocation=True)
    for_ca = _good_for_inter(ec)
    good = _resp(ec.leaf, ec.intermediate, ec.intermediate, ec.intermediate_key)
    revoked = _resp(ec.leaf, ec.intermediate, ec.intermediate, ec.intermediate_key, ocsp.OCSPCertStatus.REVOKED,
                    revoked_at=NOW - DAY, reason=x509.ReasonFlags.key_compromise)  # fmt: skip
    other = make_pki("p256", label="csc-ocsp-other")
    forged = _resp(ec.leaf, ec.intermediate, other.intermediate, other.intermediate_key)

    def leaf_revocation(report: csc.SignHashReport) -> Any:
        assert report.chain is not None
        subject = ec.leaf.subject.rfc4514_string()
        return next(c for c in report.chain.checks if c.name == "revocation" and c.subject == subject)

    bare = verify(req, result, ec, policy=policy, at=NOW)
    assert not bare.ok and bare.sub_indication is SubIndication.TRY_LATER
    passed = verify(req, result, ec, policy=policy, at=NOW, ocsp_responses=[good, for_ca])
    assert passed.ok, failed(passed)
    assert leaf_revocation(passed).details["source"] == "ocsp"
    refused = verify(req, result, ec, policy=policy, at=NOW, ocsp_responses=[revoked, for_ca])
    assert refused.sub_indication is SubIndication.REVOKED
    check = leaf_revocation(refused)
    assert check.details["source"] == "ocsp" and check.details["reason"] == "key_compromise"
    assert "OCSP" in check.message or "ocsp" in check.message
    wrong = verify(req, result, ec, policy=policy, at=NOW, ocsp_responses=[forged, for_ca])
    assert wrong.sub_indication is SubIndication.TRY_LATER
    assert "ocsp_responses[0]" in leaf_revocation(wrong).message
