"""Fail closed: every ``verify_*`` raises on a forged or tampered input (the architecture's rule:
``verify_*`` raises, ``validate_*`` returns a report); validators return a failing report, never
pass, on the same inputs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding

from cryptokit.encoding import b64encode
from cryptokit.errors import CryptokitError, InvalidSignature, VerificationFailed
from cryptokit.hashing import hash_to_sign
from cryptokit.pkcs12 import KeyBundle
from tests.pki import make_cert, make_key, make_pki


@pytest.fixture(scope="module")
def setup() -> dict[str, Any]:
    pki = make_pki("p256", label="failclosed")
    rsa_key = make_key("rsa2048", "failclosed")
    rsa_root_key = make_key("rsa2048", "failclosed-root")
    rsa_root = make_cert("Fail Closed Root", rsa_root_key, ca=True)
    rsa_cert = make_cert("Fail Closed Signer", rsa_key, issuer=rsa_root, issuer_key=rsa_root_key)
    return {
        "pki": pki,
        "bundle": KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain)),
        "at": pki.leaf.not_valid_before_utc + dt.timedelta(hours=1),
        "rsa_key": rsa_key,
        "rsa_cert": rsa_cert,
        "rsa_root": rsa_root,
    }


def test_verify_digest_and_message(setup: dict[str, Any]) -> None:
    from cryptokit.signatures import verify_digest, verify_message

    key = setup["pki"].leaf_key
    sig = key.sign(b"document", ec.ECDSA(hashes.SHA256()))
    verify_message(key.public_key(), sig, b"document", "sha256")
    with pytest.raises(InvalidSignature):
        verify_message(key.public_key(), sig, b"documenT", "sha256")
    with pytest.raises(InvalidSignature):
        verify_digest(key.public_key(), sig, hash_to_sign(b"other").digest, "sha256")


def test_cms_verify(setup: dict[str, Any]) -> None:
    from cryptokit.cms import cms_sign, cms_verify

    pki, at = setup["pki"], setup["at"]
    cms = cms_sign(b"content", setup["bundle"], detached=True)
    cms_verify(cms, content=b"content", trusted_signers=[pki.leaf], at=at)
    with pytest.raises(VerificationFailed) as info:
        cms_verify(cms, content=b"Content", trusted_signers=[pki.leaf], at=at)
    assert not info.value.report.ok
    other = make_pki("p256", label="failclosed-other")
    with pytest.raises(VerificationFailed):
        cms_verify(cms, content=b"content", trusted_signers=[other.leaf], at=at)
    with pytest.raises(CryptokitError):
        cms_verify(cms, content=b"content", at=at)  # no trust input at all: refused, not "verified"


def test_verify_csr_rejects_a_tampered_request() -> None:
    from cryptokit.csr import build_csr, verify_csr

    csr = bytearray(build_csr(make_key("p256", "failclosed-csr"), {"CN": "Alice"}))
    i = csr.index(b"Alice")
    csr[i] ^= 0x20  # "alice": still well-formed, signature no longer matches
    with pytest.raises(CryptokitError):
        verify_csr(bytes(csr))


def test_validate_chain_reports_failure(setup: dict[str, Any]) -> None:
    from cryptokit.chain import validate_chain

    pki = setup["pki"]
    other = make_pki("p256", label="failclosed-other")
    report = validate_chain(pki.leaf, intermediates=pki.chain, trust_anchors=[other.root], at=setup["at"], cache=None)
    assert not report.ok


def _adss_forged(setup: dict[str, Any], message: bytes = b"another document") -> tuple[Any, Any]:
    from cryptokit.protocols import adss

    h = hash_to_sign(b"document")
    request = adss.build_sign_request([h], profile_id="p", cert_alias="a", token="t")
    forged = setup["rsa_key"].sign(message, padding.PKCS1v15(), hashes.SHA256())
    body = orjson.dumps(
        {"status": "SUCCESS", "request_id": "r1", "signatures": [{"signature_base64": b64encode(forged)}]}
    )
    return request, adss.parse_sign_response(200, body)


def test_adss_report_fails_on_a_forged_signature(setup: dict[str, Any]) -> None:
    from cryptokit.protocols import adss

    for message, ok in ((b"document", True), (b"another document", False)):
        request, result = _adss_forged(setup, message)
        report = adss.validate_sign_response(
            request, result, certificate=setup["rsa_cert"], trust_anchors=[setup["rsa_root"]], at=setup["at"]
        )
        assert report.ok is ok


def test_adss_verify_sign_response_raises(setup: dict[str, Any]) -> None:
    from cryptokit.protocols import adss

    request, result = _adss_forged(setup)
    with pytest.raises(CryptokitError):
        adss.verify_sign_response(
            request, result, certificate=setup["rsa_cert"], trust_anchors=[setup["rsa_root"]], at=setup["at"]
        )


def _csc_forged(setup: dict[str, Any], message: bytes = b"another document") -> tuple[Any, Any]:
    from cryptokit.protocols import csc

    h = hash_to_sign(b"document")
    request = csc.build_sign_hash_request([h], credential_id="c", sign_algo="1.2.840.113549.1.1.11", sad="s")
    forged = setup["rsa_key"].sign(message, padding.PKCS1v15(), hashes.SHA256())
    return request, csc.parse_sign_hash_response(
        200, orjson.dumps({"signatures": [b64encode(forged)]}), request=request
    )


def test_csc_report_fails_on_a_forged_signature(setup: dict[str, Any]) -> None:
    from cryptokit.protocols import csc

    chain = [setup["rsa_cert"].public_bytes(serialization.Encoding.DER)]
    for message, ok in ((b"document", True), (b"another document", False)):
        request, result = _csc_forged(setup, message)
        report = csc.validate_sign_hash_response(
            request, result, certificates=chain, trust_anchors=[setup["rsa_root"]], at=setup["at"]
        )
        assert report.ok is ok
    with pytest.raises(VerificationFailed):
        csc.verify_sign_hash_response(
            request,
            result,
            certificates=chain,
            trust_anchors=[setup["rsa_root"]],
            at=setup["at"],
        )


def test_csc_verify_sign_hash_response_raises_by_default(setup: dict[str, Any]) -> None:
    from cryptokit.protocols import csc

    request, result = _csc_forged(setup)
    chain = [setup["rsa_cert"].public_bytes(serialization.Encoding.DER)]
    with pytest.raises(CryptokitError):
        csc.verify_sign_hash_response(
            request, result, certificates=chain, trust_anchors=[setup["rsa_root"]], at=setup["at"]
        )
