"""ADSS sign request/status: builder vs the guide's sample, parsers, and offline verification of
answers signed on a test PKI (by cryptokit and, independently, by pycryptodome)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import orjson
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from cryptokit.algorithms import hash_algorithm
from cryptokit.encoding import b64decode, b64encode
from cryptokit.errors import InputError, VerificationFailed
from cryptokit.hashing import HashToSign, hash_to_sign
from cryptokit.protocols import adss
from cryptokit.protocols.adss import SignResult, SignStatus
from cryptokit.report import Indication, SubIndication
from cryptokit.returned_signatures import pss_shaped_for, recovered_digest_info
from cryptokit.signatures import sign_digest
from tests.pki import DAY, NOW, make_cert, make_key, make_pki, name

TOKEN = "2YotnFZFEjr1zCsicMWpAA"

# Guide 7.1 request sample (as printed; its hash value is 27 characters, not valid base64).
SIGN_REQUEST_SAMPLE = {
    "profile_id": "CSP Service Profile",
    "sam_user_id": "john.doe@ascertia.com",
    "cert_alias": "o5eaqqdi9htel7vj6s63ai4j4chlpqt",
    "cert_password": "password",
    "request_description": "Display Text",
    "docs_to_sign_info": [
        {
            "doc_alias": "DWORD.EXE",
            "hash_algo": "2.16.840.1.101.3.4.2.1",
            "hash_to_sign_base64": "35456465465GCSqGSAAAAAAAAA=",
        },
        {
            "doc_alias": "DWORD.EXE",
            "hash_algo": "2.16.840.1.101.3.4.2.1",
            "hash_to_sign_base64": "35456465465GCSqGSAAAAAAAAA=",
        },
    ],
}
# Guide 7.1 / 7.2 answers.
SIGN_RESPONSE_SAMPLE = (
    b'{ "request_id": "1613630666", "status": "SUCCESS", "signatures": [{ "signature_base64": "35456465465AAAA=" }, '
    b'{ "signature_base64": "35456465465AAAA=" }] }'
)
SIGN_STATUS_SAMPLE = (
    b'{ "status": "SUCCESS", "signatures": [{ "signature_base64": "35456465465AAAA=" }, '
    b'{ "signature_base64": "35456465465AAAA=" }] }'
)


def validate(*args: Any, **kw: Any) -> adss.SignResponseReport:
    """``adss.validate_sign_response``, cross-checked with the fail-closed ``adss.verify_sign_response``:
    that one returns the same verdict when the report passed and raises VerificationFailed carrying
    the same report otherwise."""
    report = adss.validate_sign_response(*args, **kw)
    if report.ok:
        assert same_verdict(adss.verify_sign_response(*args, **kw), report)
    else:
        with pytest.raises(VerificationFailed) as err:
            adss.verify_sign_response(*args, **kw)
        assert isinstance(err.value.report, adss.SignResponseReport)
        assert same_verdict(err.value.report, report)
        assert report.indication.value in str(err.value)
    return report


def same_verdict(a: adss.SignResponseReport, b: adss.SignResponseReport) -> bool:
    """Equal reports up to the chain report's validation time."""
    da, db = a.to_dict(), b.to_dict()
    ca, cb = da.pop("chain"), db.pop("chain")
    chains = (ca is None and cb is None) or (
        ca is not None
        and cb is not None
        and (ca["indication"], ca["sub_indication"]) == (cb["indication"], cb["sub_indication"])
    )
    return da == db and chains


# --------------------------------------------------------------------------- builders


def test_sign_request_matches_sample() -> None:
    sha256 = hash_algorithm("2.16.840.1.101.3.4.2.1")
    # The sample's hash text is not base64 of a SHA-256 digest: ADSS would answer 60055.
    with pytest.raises(InputError):
        HashToSign.from_b64(sha256, "35456465465GCSqGSAAAAAAAAA=")
    h = hash_to_sign(b"DWORD.EXE contents")
    req = adss.build_sign_request(
        [h, h],
        profile_id="CSP Service Profile",
        sam_user_id="john.doe@ascertia.com",
        cert_alias="o5eaqqdi9htel7vj6s63ai4j4chlpqt",
        cert_password="password",
        request_description="Display Text",
        doc_aliases=["DWORD.EXE", "DWORD.EXE"],
        token=TOKEN,
        app_name="vcsp",
        accept_language="en-US",
    )
    assert (req.method, req.path) == ("POST", "/adss/service/csp/v2/sign/request")
    assert req.header("Authorization") == f"Bearer {TOKEN}"
    assert req.header("Content-Type") == "application/json; charset=utf-8"
    assert req.header("App-Name") == "vcsp"
    got = json.loads(req.body)
    assert list(got) == list(SIGN_REQUEST_SAMPLE)
    for key in ("profile_id", "sam_user_id", "cert_alias", "cert_password", "request_description"):
        assert got[key] == SIGN_REQUEST_SAMPLE[key]
    sample_docs: list[dict[str, str]] = SIGN_REQUEST_SAMPLE["docs_to_sign_info"]  # type: ignore[assignment]
    for doc, sample in zip(got["docs_to_sign_info"], sample_docs, strict=True):
        assert list(doc) == list(sample)
        assert doc["doc_alias"] == sample["doc_alias"] and doc["hash_algo"] == sample["hash_algo"]
        assert b64decode(doc["hash_to_sign_base64"]) == h.digest
    assert req.body == orjson.dumps(got)  # exact compact JSON
    assert "password" not in repr(req)


def test_sign_request_optional_fields_and_base64_description() -> None:
    h = hash_to_sign(b"x", "sha512")
    req = adss.build_sign_request(
        [h], profile_id="p", cert_alias="c", token=TOKEN, request_description="Pārskaitījums", base64_description=True
    )
    body = json.loads(req.body)
    assert list(body) == ["profile_id", "cert_alias", "request_description", "docs_to_sign_info"]
    assert b64decode(body["request_description"]).decode("utf-8") == "Pārskaitījums"
    assert body["docs_to_sign_info"] == [{"hash_algo": "2.16.840.1.101.3.4.2.3", "hash_to_sign_base64": h.b64}]


def test_sign_request_refuses_hashes_that_do_not_fit_their_oid() -> None:
    sha256 = hash_algorithm("sha256")
    short = tuple.__new__(HashToSign, (sha256, b"\x00" * 20))  # bypasses HashToSign's own check
    with pytest.raises(InputError) as info:
        adss.build_sign_request([hash_to_sign(b"ok"), short], profile_id="p", cert_alias="c", token=TOKEN)
    assert info.value.field == "hashes[1]" and "60055" in str(info.value)
    import dataclasses

    liar = tuple.__new__(HashToSign, (dataclasses.replace(sha256, oid="2.16.840.1.101.3.4.2.2"), b"\x00" * 32))
    with pytest.raises(InputError):
        adss.build_sign_request([liar], profile_id="p", cert_alias="c", token=TOKEN)
    with pytest.raises(InputError) as empty:
        adss.build_sign_request([], profile_id="p", cert_alias="c", token=TOKEN)
    assert "60049" in str(empty.value)
    with pytest.raises(InputError):
        adss.build_sign_request([b"\x00" * 32], profile_id="p", cert_alias="c", token=TOKEN)  # type: ignore[list-item]
    with pytest.raises(InputError):
        adss.build_sign_request(
            [hash_to_sign(b"a")], profile_id="p", cert_alias="c", token=TOKEN, doc_aliases=["a", "b"]
        )


def test_sign_status_request_matches_sample() -> None:
    req = adss.build_sign_status_request("CSP Service Profile", "85963A58745", token=TOKEN)
    assert (req.method, req.path) == ("POST", "/adss/service/csp/v2/sign/status")
    assert req.body == orjson.dumps({"profile_id": "CSP Service Profile", "request_id": "85963A58745"})


# --------------------------------------------------------------------------- parsers


def test_parse_samples() -> None:
    result = adss.parse_sign_response(200, SIGN_RESPONSE_SAMPLE)
    assert result.status is SignStatus.SUCCESS and result.request_id == "1613630666"
    assert result.signatures == (b64decode("35456465465AAAA="),) * 2
    status = adss.parse_sign_status(200, SIGN_STATUS_SAMPLE)
    assert status.status is SignStatus.SUCCESS and status.request_id is None and len(status.signatures) == 2


@pytest.mark.parametrize("value", ["PENDING", "TIMEOUT", "DECLINED", "FAILED", "SUCCESS"])
def test_every_status_is_an_enum_member(value: str) -> None:
    result = adss.parse_sign_response(200, orjson.dumps({"request_id": "42", "status": value}))
    assert result.status is SignStatus(value)
    assert result.status.final is (value != "PENDING")
    assert result.signatures == ()


def test_signatures_keep_their_order() -> None:
    sigs = [bytes([i]) * 64 for i in range(1, 6)]
    body = orjson.dumps({"status": "SUCCESS", "signatures": [{"signature_base64": b64encode(s)} for s in sigs]})
    assert adss.parse_sign_status(200, body).signatures == tuple(sigs)


@pytest.mark.parametrize(
    "body",
    [
        b'{"status": "DONE"}',
        b'{"request_id": "1"}',
        b'{"status": "PENDING"}',  # nothing to poll
        b'{"request_id": "1", "status": "FAILED", "signatures": [{"signature_base64": "AAAA"}]}',
        b'{"request_id": "1", "status": "SUCCESS", "signatures": {"signature_base64": "AAAA"}}',
        b'{"request_id": "1", "status": "SUCCESS", "signatures": ["AAAA"]}',
        b'{"request_id": "1", "status": "SUCCESS", "signatures": [{"signature": "AAAA"}]}',
        b'{"request_id": "1", "status": "SUCCESS", "signatures": [{"signature_base64": "AAA"}]}',
        b'{"request_id": "1", "status": "SUCCESS", "signatures": [{"signature_base64": ""}]}',
        b'{"request_id": "", "status": "SUCCESS"}',
        b'["SUCCESS"]',
    ],
)
def test_sign_response_wrong_shapes(body: bytes) -> None:
    with pytest.raises(InputError):
        adss.parse_sign_response(200, body)


def test_sign_error_answers() -> None:
    with pytest.raises(adss.AdssSigningError) as info:
        adss.parse_sign_response(400, b'{"error": "60055", "error_description": "Invalid hash algorithm or data"}')
    assert info.value.code == "60055" and info.value.http_status == 400
    with pytest.raises(adss.AdssAuthenticationError):
        adss.parse_sign_status(401, b'{"error": "60045", "error_description": "expired"}')


# --------------------------------------------------------------------------- verification helpers


def ber_certs_only(certs: Sequence[x509.Certificate]) -> bytes:
    """A PKCS#7 certs-only bundle with indefinite lengths, laid out as Java writes it (the guide's
    ``MIAGCSqGSI...``; same layout as vectors/pkcs7/amazon-roots.p7b)."""
    eoc = b"\x00\x00"
    body = b"".join(c.public_bytes(Encoding.DER) for c in certs)
    signed_data = (
        b"\x30\x80"
        + b"\x02\x01\x01"
        + b"\x31\x00"
        + b"\x30\x80\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x01"
        + eoc
        + b"\xa0\x80"
        + body
        + eoc
        + b"\x31\x00"
        + eoc
    )
    return b"\x30\x80\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02" + b"\xa0\x80" + signed_data + eoc + eoc


HASHES = [
    hash_to_sign(b"invoice-1.pdf"),
    hash_to_sign(b"invoice-2.pdf", "sha384"),
    hash_to_sign(b"contract.pdf", "sha512"),
]


def sign_request(hashes: Sequence[HashToSign] = HASHES) -> adss.HttpRequest:  # type: ignore[name-defined]
    return adss.build_sign_request(
        hashes, profile_id="p", cert_alias="c", token=TOKEN, doc_aliases=["a", "b", "c"][: len(hashes)]
    )


def answer(signatures: Sequence[bytes], status: str = "SUCCESS") -> SignResult:
    body = {
        "request_id": "1613630666",
        "status": status,
        "signatures": [{"signature_base64": b64encode(s)} for s in signatures],
    }
    return adss.parse_sign_response(200, orjson.dumps(body))


def sign_all(key: object, hashes: Sequence[HashToSign] = HASHES, **options: Any) -> list[bytes]:
    return [sign_digest(key, h.digest, h.algorithm, **options) for h in hashes]


CASES = [
    ("rsa2048", {}, "pkcs1v15", None),
    ("rsa2048", {"scheme": "pss"}, "pss", None),
    ("p256", {"signature_encoding": "der"}, "ecdsa", "der"),
    ("p256", {"signature_encoding": "raw"}, "ecdsa", "raw"),
    ("p384", {"signature_encoding": "raw"}, "ecdsa", "raw"),
]


@pytest.mark.parametrize(("kind", "options", "scheme", "encoding"), CASES)
def test_valid_answers_verify_and_report_the_scheme(
    kind: str, options: dict[str, Any], scheme: str, encoding: str | None
) -> None:
    pki = make_pki(kind, label="adss")
    req = sign_request()
    report = validate(
        req,
        answer(sign_all(pki.leaf_key, **options)),
        certificate=pki.leaf,
        certificate_chain=pki.chain,
        trust_anchors=[pki.root],
    )
    assert report.ok, report.to_dict()
    assert report.indication is Indication.TOTAL_PASSED and report.sub_indication is None
    assert [(d.index, d.doc_alias, d.ok, d.scheme, d.encoding) for d in report.documents] == [
        (i, alias, True, scheme, encoding) for i, alias in enumerate("abc")
    ]
    assert [d.hash for d in report.documents] == HASHES
    if scheme == "pss":
        assert [d.match.pss_salt_length for d in report.documents] == [32, 48, 64]  # type: ignore[union-attr]
    assert report.chain is not None and report.chain.ok
    json.dumps(report.to_dict())  # JSON-able


def test_answers_signed_by_pycryptodome_verify() -> None:
    """An independent signer (pycryptodome) plays the ADSS server."""
    from Crypto.Hash import SHA256, SHA384, SHA512
    from Crypto.PublicKey import ECC, RSA
    from Crypto.Signature import DSS, pkcs1_15, pss

    classes = {"sha256": SHA256, "sha384": SHA384, "sha512": SHA512}
    rsa_pki = make_pki("rsa2048", label="adss")
    ec_pki = make_pki("p256", label="adss")
    pem = rsa_pki.leaf_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    rsa_key = RSA.import_key(pem)
    ec_key = ECC.import_key(ec_pki.leaf_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    digests = [
        classes[h.algorithm.name].new(data)
        for h, data in zip(HASHES, (b"invoice-1.pdf", b"invoice-2.pdf", b"contract.pdf"), strict=True)
    ]
    variants = [
        (rsa_pki, [pkcs1_15.new(rsa_key).sign(d) for d in digests], ("pkcs1v15", None)),
        (rsa_pki, [pss.new(rsa_key, salt_bytes=20).sign(d) for d in digests], ("pss", None)),
        (ec_pki, [DSS.new(ec_key, "fips-186-3").sign(d) for d in digests], ("ecdsa", "raw")),
        (ec_pki, [DSS.new(ec_key, "fips-186-3", encoding="der").sign(d) for d in digests], ("ecdsa", "der")),
    ]
    for pki, signatures, expected in variants:
        report = validate(
            sign_request(),
            answer(signatures),
            certificate=pki.leaf,
            certificate_chain=pki.chain,
            trust_anchors=pki.root,
        )
        assert report.ok, report.to_dict()
        assert {(d.scheme, d.encoding) for d in report.documents} == {expected}


def test_certificates_as_ber_pkcs7_and_base64() -> None:
    pki = make_pki("p256", label="adss")
    bundle = ber_certs_only([pki.root, pki.leaf, pki.intermediate])  # unordered, root included
    b64 = b64encode(bundle)
    assert b64.startswith("MIAGCSqGSI")
    signatures = sign_all(pki.leaf_key)
    report = validate(sign_request(), answer(signatures), certificate=b64, trust_anchors=[pki.root])
    assert report.ok, report.to_dict()
    # as the certificates API delivers it
    entry = adss.UserCertificate(
        "c", True, b64encode(ber_certs_only([pki.leaf])), None, b64encode(ber_certs_only(pki.chain))
    )
    report2 = validate(sign_request(), answer(signatures), certificate=entry, trust_anchors=[pki.root])
    assert report2.ok, report2.to_dict()
    # a bundle with two end-entity certificates names no signer
    other = make_pki("p256", label="adss-other")
    report3 = validate(
        sign_request(), answer(signatures), certificate=ber_certs_only([pki.leaf, other.leaf]), trust_anchors=[pki.root]
    )
    assert (report3.indication, report3.sub_indication) == (
        Indication.INDETERMINATE,
        SubIndication.NO_SIGNING_CERTIFICATE_FOUND,
    )
    assert report3.chain is None and not any(d.ok for d in report3.documents)


def test_request_may_be_the_hashes_themselves() -> None:
    pki = make_pki("p256", label="adss")
    report = validate(HASHES, answer(sign_all(pki.leaf_key)), certificate=pki.leaf, trust_anchors=pki.chain)
    assert report.ok
    assert [d.doc_alias for d in report.documents] == [None, None, None]


# --------------------------------------------------------------------------- tampering


def verdict(report: adss.SignResponseReport) -> tuple[Indication, SubIndication | None]:
    return report.indication, report.sub_indication


def doc_verdicts(report: adss.SignResponseReport) -> list[tuple[Indication, SubIndication | None]]:
    return [(d.indication, d.sub_indication) for d in report.documents]


PASSED = (Indication.TOTAL_PASSED, None)


@pytest.mark.parametrize("kind", ["rsa2048", "p256"])
def test_other_key(kind: str) -> None:
    pki = make_pki(kind, label="adss")
    stranger = make_key(kind, "adss-stranger")
    signatures = sign_all(pki.leaf_key)
    signatures[1] = sign_all(stranger)[1]
    report = validate(
        sign_request(), answer(signatures), certificate=pki.leaf, certificate_chain=pki.chain, trust_anchors=[pki.root]
    )
    failed = (Indication.TOTAL_FAILED, SubIndication.SIG_CRYPTO_FAILURE)
    assert verdict(report) == failed
    assert doc_verdicts(report) == [PASSED, failed, PASSED]


@pytest.mark.parametrize(
    ("kind", "sub"), [("rsa2048", SubIndication.HASH_FAILURE), ("p256", SubIndication.SIG_CRYPTO_FAILURE)]
)
def test_other_hash(kind: str, sub: SubIndication) -> None:
    """RSA PKCS#1 v1.5 reveals what the key signed (HASH_FAILURE); ECDSA cannot tell (SIG_CRYPTO_FAILURE)."""
    pki = make_pki(kind, label="adss")
    signatures = sign_all(pki.leaf_key)
    elsewhere = hash_to_sign(b"a document nobody asked for", "sha384")
    signatures[1] = sign_digest(pki.leaf_key, elsewhere.digest, elsewhere.algorithm)
    report = validate(
        sign_request(), answer(signatures), certificate=pki.leaf, certificate_chain=pki.chain, trust_anchors=[pki.root]
    )
    assert verdict(report) == (Indication.TOTAL_FAILED, sub)
    assert doc_verdicts(report) == [PASSED, (Indication.TOTAL_FAILED, sub), PASSED]
    if kind == "rsa2048":
        (check,) = report.documents[1].report.failures()
        assert check.details["signed_hash"] == elsewhere.b64


@pytest.mark.parametrize(
    ("kind", "options"), [("rsa2048", {}), ("rsa2048", {"scheme": "pss"}), ("p256", {"signature_encoding": "raw"})]
)
def test_swapped_order(kind: str, options: dict[str, Any]) -> None:
    pki = make_pki(kind, label="adss")
    hashes = [hash_to_sign(b"one"), hash_to_sign(b"two"), hash_to_sign(b"three")]
    signatures = sign_all(pki.leaf_key, hashes, **options)
    signatures[0], signatures[2] = signatures[2], signatures[0]
    report = validate(
        sign_request(hashes),
        answer(signatures),
        certificate=pki.leaf,
        certificate_chain=pki.chain,
        trust_anchors=[pki.root],
    )
    failed = (Indication.TOTAL_FAILED, SubIndication.HASH_FAILURE)
    assert verdict(report) == failed
    assert doc_verdicts(report) == [failed, PASSED, failed]
    assert [c.details.get("signed_document") for c in report.failures()] == [2, 0]


def test_missing_and_extra_signatures() -> None:
    pki = make_pki("p256", label="adss")
    signatures = sign_all(pki.leaf_key)
    missing = validate(
        sign_request(),
        answer(signatures[:2]),
        certificate=pki.leaf,
        certificate_chain=pki.chain,
        trust_anchors=[pki.root],
    )
    assert verdict(missing) == (Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
    assert doc_verdicts(missing) == [PASSED, PASSED, (Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)]
    assert [c.name for c in missing.failures()] == ["signature-count", "signature"]
    extra = validate(
        sign_request(),
        answer([*signatures, signatures[0]]),
        certificate=pki.leaf,
        certificate_chain=pki.chain,
        trust_anchors=[pki.root],
    )
    assert verdict(extra) == (Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
    assert doc_verdicts(extra) == [PASSED, PASSED, PASSED]
    none = validate(
        sign_request(), answer([]), certificate=pki.leaf, certificate_chain=pki.chain, trust_anchors=[pki.root]
    )
    assert verdict(none) == (Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
    assert not any(d.ok for d in none.documents)


def test_expired_chain() -> None:
    pki = make_pki("p256", label="adss")
    expired_leaf = make_cert(
        name("Expired Signer"),
        pki.leaf_key,
        pki.intermediate,
        pki.intermediate_key,
        not_before=NOW - 30 * DAY,
        not_after=NOW - DAY,
    )
    signatures = sign_all(pki.leaf_key)
    report = validate(
        sign_request(),
        answer(signatures),
        certificate=expired_leaf,
        certificate_chain=pki.chain,
        trust_anchors=[pki.root],
    )
    expired = (Indication.TOTAL_FAILED, SubIndication.EXPIRED)
    assert verdict(report) == expired
    assert doc_verdicts(report) == [expired] * 3
    assert all(d.scheme == "ecdsa" for d in report.documents)  # the signatures themselves were fine
    # the same valid chain, judged at a time after it ends
    later = validate(
        sign_request(),
        answer(signatures),
        certificate=pki.leaf,
        certificate_chain=pki.chain,
        trust_anchors=[pki.root],
        at=NOW + 400 * DAY,
    )
    assert verdict(later) == expired
    earlier = validate(
        sign_request(),
        answer(signatures),
        certificate=pki.leaf,
        certificate_chain=pki.chain,
        trust_anchors=[pki.root],
        at=NOW + 10 * DAY,
    )
    assert earlier.ok


def test_untrusted_root() -> None:
    pki = make_pki("p256", label="adss")
    other = make_pki("p256", label="adss-other")
    report = validate(
        sign_request(),
        answer(sign_all(pki.leaf_key)),
        certificate=pki.leaf,
        certificate_chain=pki.chain,
        trust_anchors=[other.root],
    )
    untrusted = (Indication.INDETERMINATE, SubIndication.NO_CERTIFICATE_CHAIN_FOUND)
    assert verdict(report) == untrusted
    assert doc_verdicts(report) == [untrusted] * 3


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("PENDING", (Indication.INDETERMINATE, SubIndication.TRY_LATER)),
        ("DECLINED", (Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)),
        ("TIMEOUT", (Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)),
        ("FAILED", (Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)),
    ],
)
def test_answers_without_signatures(status: str, expected: tuple[Indication, SubIndication]) -> None:
    pki = make_pki("p256", label="adss")
    report = validate(
        sign_request(), answer([], status), certificate=pki.leaf, certificate_chain=pki.chain, trust_anchors=[pki.root]
    )
    assert verdict(report) == expected and not report.ok
    assert report.status is SignStatus(status)
    assert doc_verdicts(report) == [expected] * 3


def test_bad_arguments_raise() -> None:
    pki = make_pki("p256", label="adss")
    result = answer(sign_all(pki.leaf_key))
    with pytest.raises(InputError):
        validate(sign_request(), result, certificate=pki.leaf, trust_anchors=[pki.root], at=dt.datetime(2030, 1, 1))
    with pytest.raises(InputError):
        validate(sign_request(), (200, b"{}"), certificate=pki.leaf, trust_anchors=[pki.root])  # type: ignore[arg-type]
    with pytest.raises(InputError):
        validate(adss.build_about_request(token=TOKEN), result, certificate=pki.leaf, trust_anchors=[pki.root])
    # an unreadable signing certificate is a finding, not a crash
    report = validate(sign_request(), result, certificate=b"garbage", trust_anchors=[pki.root])
    assert verdict(report) == (Indication.INDETERMINATE, SubIndication.NO_SIGNING_CERTIFICATE_FOUND)


def test_digest_info_without_null_needs_the_named_flag() -> None:
    """A legacy signer that leaves out the NULL parameters of the DigestInfo: refused unless asked."""
    pki = make_pki("rsa2048", label="adss")
    h = HASHES[0]
    key = pki.leaf_key
    assert hasattr(key, "private_numbers")
    numbers = key.private_numbers()  # type: ignore[union-attr]
    n, d = numbers.public_numbers.n, numbers.d
    size = (n.bit_length() + 7) // 8
    di = h.algorithm._di_prefix_no_null + h.digest
    em = b"\x00\x01" + b"\xff" * (size - len(di) - 3) + b"\x00" + di
    signature = pow(int.from_bytes(em, "big"), d, n).to_bytes(size, "big")
    strict = validate([h], answer([signature]), certificate=pki.leaf, trust_anchors=pki.chain)
    assert verdict(strict) == (Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
    assert strict.documents[0].match is not None and strict.documents[0].match.absent_null
    lenient = validate([h], answer([signature]), certificate=pki.leaf, trust_anchors=pki.chain, allow_absent_null=True)
    assert lenient.ok
    assert lenient.documents[0].report.checks[0].details["absent_null"] is True


# --------------------------------------------------------------------------- fail closed


def test_verify_sign_response_fails_closed() -> None:
    """verify_* raises VerificationFailed carrying the report validate_* returns; passing answers come back."""
    pki = make_pki("rsa2048", label="adss")
    signatures = sign_all(pki.leaf_key)
    good = adss.verify_sign_response(
        sign_request(), answer(signatures), certificate=pki.leaf, certificate_chain=pki.chain, trust_anchors=[pki.root]
    )
    assert isinstance(good, adss.SignResponseReport) and good.ok
    signatures[1] = sign_all(make_key("rsa2048", "adss-stranger"))[1]
    kw: dict[str, Any] = {"certificate": pki.leaf, "certificate_chain": pki.chain, "trust_anchors": [pki.root]}
    report = adss.validate_sign_response(sign_request(), answer(signatures), **kw)
    assert not report.ok and report.sub_indication is SubIndication.SIG_CRYPTO_FAILURE
    with pytest.raises(VerificationFailed) as err:
        adss.verify_sign_response(sign_request(), answer(signatures), **kw)
    assert same_verdict(err.value.report, report)
    assert "SIG_CRYPTO_FAILURE" in str(err.value) and TOKEN not in str(err.value)
    # a status other than SUCCESS carries no signature: verify_* refuses it too
    with pytest.raises(VerificationFailed) as pending:
        adss.verify_sign_response(sign_request(), answer([], "PENDING"), **kw)
    assert pending.value.report.sub_indication is SubIndication.TRY_LATER
    # malformed arguments stay InputError
    with pytest.raises(InputError):
        adss.verify_sign_response(sign_request(), answer(signatures), **kw, at=dt.datetime(2030, 1, 1))


# --------------------------------------------------------------------------- bounded diagnosis


def _garbage(n: int, size: int) -> list[bytes]:
    """Deterministic noise signatures (fixed, so a test never depends on a lucky draw)."""
    import hashlib

    return [hashlib.shake_256(b"adss-garbage-%d" % i).digest(size) for i in range(n)]


def _count_work(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Count swap probes (positions handed to find_signed_hash) and all identify_signature calls."""
    import cryptokit.signatures.sign_verify as signatures_module
    from cryptokit.protocols.adss import verify as signing

    counts = {"probes": 0, "verifications": 0}
    real_find = signing.find_signed_hash
    real_identify = signatures_module.identify_signature

    def find(key: Any, signature: bytes, hashes: Any, candidates: Any, **kw: Any) -> int | None:
        probed = list(candidates)
        counts["probes"] += len(probed)
        return real_find(key, signature, hashes, probed, **kw)

    def identify(*args: Any, **kw: Any) -> Any:
        counts["verifications"] += 1
        return real_identify(*args, **kw)

    monkeypatch.setattr(signing, "find_signed_hash", find)
    monkeypatch.setattr(signatures_module, "identify_signature", identify)
    return counts


def test_rsa_garbage_is_never_probed(monkeypatch: pytest.MonkeyPatch) -> None:
    """RSA: no DigestInfo and no PSS shape means no hash could match, so no probe at all."""
    pki = make_pki("rsa2048", label="adss")
    counts = _count_work(monkeypatch)
    n = 300
    hashes = [hash_to_sign(i.to_bytes(2, "big")) for i in range(n)]
    # The premise, under this run's key (the test PKI's keys are fresh per run): no noise value that
    # happens to decode as a DigestInfo or an EMSA-PSS block (about 1 in 300 would).
    key = pki.leaf.public_key()
    sha256 = [hash_algorithm("sha256")]
    noise = [
        s
        for s in _garbage(2 * n, 256)
        if recovered_digest_info(key, s) is None and not pss_shaped_for(key, s, sha256)
    ][:n]
    report = adss.validate_sign_response(hashes, answer(noise), certificate=pki.leaf, trust_anchors=pki.chain)
    assert doc_verdicts(report) == [(Indication.TOTAL_FAILED, SubIndication.SIG_CRYPTO_FAILURE)] * n
    assert counts == {"probes": 0, "verifications": n}


def test_probe_budget_is_per_response(monkeypatch: pytest.MonkeyPatch) -> None:
    """ECDSA (nothing to recover) and well-formed PSS over foreign hashes: the whole response costs at
    most MAX_SWAP_PROBES probes, however many signatures fail."""
    from cryptokit.protocols.adss import verify as signing

    counts = _count_work(monkeypatch)
    n = 200
    hashes = [hash_to_sign(i.to_bytes(2, "big")) for i in range(n)]
    ec_pki = make_pki("p256", label="adss")
    report = adss.validate_sign_response(
        hashes, answer(_garbage(n, 64)), certificate=ec_pki.leaf, trust_anchors=ec_pki.chain
    )
    assert not report.ok and counts["probes"] == signing.MAX_SWAP_PROBES
    assert counts["verifications"] == n + signing.MAX_SWAP_PROBES
    rsa_pki = make_pki("rsa2048", label="adss")
    foreign = [hash_to_sign(b"foreign %d" % i) for i in range(40)]
    counts.update(probes=0, verifications=0)
    report = adss.validate_sign_response(
        hashes[:40],
        answer(sign_all(rsa_pki.leaf_key, foreign, scheme="pss")),
        certificate=rsa_pki.leaf,
        trust_anchors=rsa_pki.chain,
    )
    assert not report.ok and counts["probes"] == signing.MAX_SWAP_PROBES


def test_pkcs1v15_swap_is_found_at_any_distance_without_probing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The recovered DigestInfo is looked up among all sent hashes, not probed nearby."""
    pki = make_pki("rsa2048", label="adss")
    n = 120
    hashes = [hash_to_sign(i.to_bytes(2, "big")) for i in range(n)]
    signatures = sign_all(pki.leaf_key, hashes)
    signatures[0], signatures[n - 1] = signatures[n - 1], signatures[0]
    counts = _count_work(monkeypatch)
    report = adss.validate_sign_response(hashes, answer(signatures), certificate=pki.leaf, trust_anchors=pki.chain)
    assert [(c.subject, c.details.get("signed_document")) for c in report.failures()] == [
        ("doc[0]", n - 1),
        (f"doc[{n - 1}]", 0),
    ]
    assert report.sub_indication is SubIndication.HASH_FAILURE and counts["probes"] == 0


def test_pss_swap_beyond_the_budget_is_a_crypto_failure() -> None:
    """PSS hides the hash: swaps are found by probing nearest first until the response's budget is spent."""
    from cryptokit.protocols.adss import verify as signing

    pki = make_pki("rsa2048", label="adss")
    n = 2 * signing.MAX_SWAP_PROBES
    hashes = [hash_to_sign(i.to_bytes(2, "big")) for i in range(n)]
    signatures = sign_all(pki.leaf_key, hashes, scheme="pss")
    for i in range(0, n, 2):  # swap neighbours: each failure costs at most 2 probes (its pair is nearest)
        signatures[i], signatures[i + 1] = signatures[i + 1], signatures[i]
    report = adss.validate_sign_response(hashes, answer(signatures), certificate=pki.leaf, trust_anchors=pki.chain)
    subs = [d.sub_indication for d in report.documents]
    assert subs[0] is SubIndication.HASH_FAILURE and report.documents[0].report.failures()[0].details == {
        "signed_document": 1
    }
    assert subs[-1] is SubIndication.SIG_CRYPTO_FAILURE
    assert set(subs) == {SubIndication.HASH_FAILURE, SubIndication.SIG_CRYPTO_FAILURE}


def test_crls_reach_chain_validation_and_a_revoked_signer_fails() -> None:
    import datetime as _dt

    from cryptography import x509 as _x509
    from cryptography.hazmat.primitives import hashes as _hashes

    from cryptokit.errors import VerificationFailed
    from cryptokit.hashing import hash_to_sign
    from cryptokit.pkcs12 import KeyBundle
    from cryptokit.protocols import adss
    from cryptokit.report import Indication, SubIndication
    from tests.pki import make_pki

    pki = make_pki("p256", label="adss-crl")
    signer = adss.EmbeddedSigner(KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain)), cert_alias="a1", token="tok1")
    req = adss.build_sign_request([hash_to_sign(b"doc")], profile_id="p", cert_alias="a1", token="tok1")
    resp = signer.handle(req)
    result = adss.parse_sign_response(resp.status, resp.body)
    now = _dt.datetime.now(_dt.UTC)

    def crl(revoked: bool) -> bytes:
        builder = (
            _x509.CertificateRevocationListBuilder()
            .issuer_name(pki.intermediate.subject)
            .last_update(now - _dt.timedelta(hours=1))
            .next_update(now + _dt.timedelta(days=1))
            .add_extension(_x509.CRLNumber(1), critical=False)  # RFC 5280 5.2.3: a usable CRL carries one
        )
        if revoked:
            builder = builder.add_revoked_certificate(
                _x509.RevokedCertificateBuilder()
                .serial_number(pki.leaf.serial_number)
                .revocation_date(now - _dt.timedelta(minutes=30))
                .build()
            )
        from cryptography.hazmat.primitives.serialization import Encoding

        return builder.sign(pki.intermediate_key, _hashes.SHA256()).public_bytes(Encoding.DER)  # type: ignore[arg-type]

    common = {"certificate": pki.leaf, "certificate_chain": pki.chain, "trust_anchors": [pki.root]}
    assert adss.verify_sign_response(req, result, crls=[crl(False)], **common).ok
    report = adss.validate_sign_response(req, result, crls=[crl(True)], **common)
    assert (report.indication, report.sub_indication) == (Indication.TOTAL_FAILED, SubIndication.REVOKED)
    try:
        adss.verify_sign_response(req, result, crls=[crl(True)], **common)
    except VerificationFailed as exc:
        assert exc.report.sub_indication is SubIndication.REVOKED
    else:
        raise AssertionError("a revoked signer must fail closed")


# --------------------------------------------------------------------------- require_scheme


def test_require_scheme_refuses_a_pss_answer_naming_the_scheme_found() -> None:
    # The guide (section 2): signature_base64 is "PKCS#1". A PSS signature verifies under the key,
    # so by default it passes and says pss; with require_scheme="pkcs1v15" it fails, naming pss.
    pki = make_pki("rsa2048", label="adss")
    req = sign_request()
    kw: dict[str, Any] = {"certificate": pki.leaf, "certificate_chain": pki.chain, "trust_anchors": [pki.root]}
    pss = answer(sign_all(pki.leaf_key, scheme="pss"))
    default = validate(req, pss, **kw)
    assert default.ok and {d.scheme for d in default.documents} == {"pss"}
    strict = validate(req, pss, require_scheme="pkcs1v15", **kw)
    assert not strict.ok
    # a constraint of the caller, not a broken signature: INDETERMINATE as in EN 319 102-1
    assert (strict.indication, strict.sub_indication) == (
        Indication.INDETERMINATE,
        SubIndication.CRYPTO_CONSTRAINTS_FAILURE,
    )
    for doc in strict.documents:
        assert not doc.ok and doc.scheme == "pss"  # the scheme found stays reported
        (check,) = [c for c in doc.checks if c.name == "signature"]
        assert check.message == "the signature verified as pss, not the required pkcs1v15"
        assert check.details["scheme"] == "pss" and check.details["required"] == ["pkcs1v15"]
    with pytest.raises(VerificationFailed, match="verified as pss, not the required pkcs1v15"):
        adss.verify_sign_response(req, pss, require_scheme="pkcs1v15", **kw)
    # the documented scheme passes under the requirement, and so does a collection naming it
    v15 = answer(sign_all(pki.leaf_key))
    assert validate(req, v15, require_scheme="pkcs1v15", **kw).ok
    assert validate(req, v15, require_scheme=("pkcs1v15", "ecdsa"), **kw).ok
    assert not validate(req, v15, require_scheme="pss", **kw).ok


def test_require_scheme_ecdsa_for_ec_keys() -> None:
    pki = make_pki("p256", label="adss")
    req = sign_request()
    kw: dict[str, Any] = {"certificate": pki.leaf, "certificate_chain": pki.chain, "trust_anchors": [pki.root]}
    for encoding in ("der", "raw"):
        ok = validate(req, answer(sign_all(pki.leaf_key, signature_encoding=encoding)), require_scheme="ecdsa", **kw)
        assert ok.ok and {d.encoding for d in ok.documents} == {encoding}
    wrong = validate(req, answer(sign_all(pki.leaf_key)), require_scheme="pkcs1v15", **kw)
    assert wrong.sub_indication is SubIndication.CRYPTO_CONSTRAINTS_FAILURE
    assert "verified as ecdsa, not the required pkcs1v15" in wrong.failures()[0].message


@pytest.mark.parametrize("bad", ["PKCS1", "rsa", "", (), ["pss", "md5"], 1, b"pss"])
def test_require_scheme_argument_is_checked(bad: Any) -> None:
    pki = make_pki("rsa2048", label="adss")
    with pytest.raises(InputError) as info:
        adss.validate_sign_response(
            sign_request(),
            answer(sign_all(pki.leaf_key)),
            certificate=pki.leaf,
            trust_anchors=[pki.root],
            require_scheme=bad,
        )
    assert info.value.field == "require_scheme"
