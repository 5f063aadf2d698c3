"""createCertificatesByIdWithMultipleCsrData: client and server halves in-process."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import uuid
from functools import cache
from typing import Any

import orjson
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from cryptokit.cms import cms_sign
from cryptokit.csr import build_csr
from cryptokit.encoding import b64encode
from cryptokit.envelope import PROFILES, Envelope
from cryptokit.errors import InputError, VerificationFailed
from cryptokit.pkcs12 import KeyBundle
from cryptokit.protocols import HttpRequest, HttpResponse, emca
from tests.pki import make_cert, make_key, make_pki, name
from tests.signatures.test_certificate_key import unknown_key_certificate

UTC = dt.UTC
NOW = dt.datetime.now(UTC).replace(microsecond=0)
KEY = bytes(range(32))
PASSWORD = "correct horse battery staple"
EMKEY = "0123456789abcdef0123456789abcdef01234567"
SPKI = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


@dataclasses.dataclass
class Setup:
    kind: str
    signer: KeyBundle
    ca: KeyBundle
    registry: emca.InMemoryRegistry


@cache
def setup(kind: str) -> Setup:
    pki = make_pki("rsa2048" if kind == "rsa" else "p256", label="emca")
    signer = KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain))
    ca = KeyBundle(pki.intermediate_key, pki.intermediate, (pki.root,))
    registry = emca.InMemoryRegistry(["PROFILE-1"])
    registry.register("alice", PASSWORD, pki.leaf, allowed_ips=emca.ANY)
    return Setup(kind, signer, ca, registry)


def inner(body: bytes) -> Any:
    """The answer object inside the seed's ``response`` wrapper (a JSON string)."""
    doc = orjson.loads(body)
    assert list(doc) == ["response"] and isinstance(doc["response"], str)
    return orjson.loads(doc["response"])


@cache
def csrs(kind: str, count: int) -> dict[str, bytes]:
    # 50-CSR runs use P-256 keys (fast); single-CSR runs use the signer's key type.
    key_kind = "p256" if count > 1 or kind == "ec" else "rsa2048"
    return {
        f"CSR-{i}": build_csr(make_key(key_kind, f"emca-csr-{i}"), {"CN": f"Subscriber {i}", "O": "Acme", "C": "IN"})
        for i in range(count)
    }


def build(s: Setup, envelope: Envelope, items: dict[str, bytes], **kw: Any) -> emca.CreateCertificatesRequest:
    options: dict[str, Any] = {
        "application_id": f"APP-{uuid.uuid4()}",  # a fresh one: the server returns what it issued for a known id
        "profile_id": "PROFILE-1",
        "subscriber_id": "SUB-1",
        "username": "alice",
        "password": PASSWORD,
        "signer": s.signer,
        "envelope": envelope,
        "auth": emca.EmcaAuth(emkey=EMKEY),
    }
    options.update(kw)
    return emca.build_create_certificates_request(items, **options)


def serve(s: Setup, request: HttpRequest, envelope: Envelope, **kw: Any) -> HttpResponse:
    return emca.handle_create_certificates(request, envelope=envelope, registry=s.registry, ca=s.ca, **kw)


# --- round trips -------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("kind", ["rsa", "ec"])
@pytest.mark.parametrize("count", [1, 50])
def test_round_trip(profile: Any, kind: str, count: int) -> None:
    s = setup(kind)
    envelope = Envelope(KEY, profile)
    items = csrs(kind, count)
    start = NOW - dt.timedelta(hours=1)
    request = build(s, envelope, items, validity="365:12:45:45", valid_from=start)
    assert PASSWORD.encode() not in request.body
    status, _, body = serve(s, request, envelope)
    result = emca.parse_create_certificates_response(status, body, request=request)
    assert result.ok and not result.pending
    assert list(result.certificates) == list(items)
    for csr_id, issued in result.certificates.items():
        cert = issued.certificate
        asked = x509.load_der_x509_csr(items[csr_id])
        assert cert.public_key().public_bytes(*SPKI) == asked.public_key().public_bytes(*SPKI)
        assert cert.subject == asked.subject
        assert cert.not_valid_before_utc == start
        assert (
            cert.not_valid_after_utc - cert.not_valid_before_utc == emca.Validity.parse("365:12:45:45").to_timedelta()
        )
        cert.verify_directly_issued_by(s.ca.certificate)  # type: ignore[arg-type]


def test_server_sees_what_the_client_asked() -> None:
    s = setup("ec")
    envelope = Envelope(KEY)
    items = csrs("ec", 3)
    request = build(
        s, envelope, items, validity=dt.timedelta(days=30), valid_from="12:12:2030 00:00:00", application_id="APP-1"
    )
    opened = emca.open_create_certificates_request(request, envelope=envelope, registry=s.registry)
    assert (opened.application_id, opened.profile_id, opened.subscriber_id) == ("APP-1", "PROFILE-1", "SUB-1")
    assert opened.validity == emca.Validity(30)
    assert opened.valid_from == dt.datetime(2030, 12, 12, tzinfo=UTC)
    assert list(opened.csrs) == list(items)
    assert [c.der for c in opened.csrs.values()] == list(items.values())
    inner = envelope.open_json(orjson.loads(request.body)["requestData"])
    assert inner["validity"] == "30:00:00:00" and inner["validFrom"] == "12:12:2030 00:00:00"
    assert inner["profileID"] == "PROFILE-1" and inner["userName"] == "alice"


def test_per_csr_framing_and_auth_headers_round_trip() -> None:
    s = setup("ec")
    registry = emca.InMemoryRegistry(["PROFILE-1"])
    registry.register("alice", PASSWORD, s.signer.certificate, allowed_ips={"10.0.0.1"}, emkey=EMKEY)  # type: ignore[arg-type]
    envelope = Envelope(KEY, "aes-256-cbc-hmac-sha256")
    auth = emca.EmcaAuth(emkey=EMKEY, client_id="client-1")
    assert EMKEY not in repr(auth)
    request = build(s, envelope, csrs("ec", 3), framing=emca.PerCsrFraming(), auth=auth)
    assert request.header("emKey") == EMKEY and request.header("AuthKey")
    verifier = emca.AuthKeyVerifier()
    answer = emca.handle_create_certificates(
        request,
        envelope=envelope,
        registry=registry,
        ca=s.ca,
        auth_verifier=verifier,
        source_ip="10.0.0.1",
        framing=emca.PerCsrFraming(),
    )
    assert emca.parse_create_certificates_response(answer, request=request).ok
    # the same request again is a replay
    status, _, body = emca.handle_create_certificates(
        request, envelope=envelope, registry=registry, ca=s.ca, auth_verifier=verifier, source_ip="10.0.0.1"
    )
    with pytest.raises(emca.InvalidRequestDetails):
        emca.parse_create_certificates_response(status, body, request=request)


@pytest.mark.parametrize("form", ["der", "pem", "pkcs7"])
def test_answer_forms_chain_and_lowercase_status(form: Any) -> None:
    s = setup("ec")
    envelope = Envelope(KEY)
    request = build(s, envelope, csrs("ec", 1))
    opened = emca.open_create_certificates_request(request, envelope=envelope, registry=s.registry)
    certs = emca.issue_certificates(opened, ca=s.ca)
    assert s.ca.certificate is not None
    chain = [s.ca.certificate, *s.ca.chain] if form != "der" else []
    status, _, body = emca.build_response(
        subscriber_id="SUB-1", certificates=certs, chain=chain, form=form, status_case="lower"
    )
    assert inner(body)["status"] == "success"
    result = emca.parse_create_certificates_response(status, body, request=request)
    assert result.ok and list(result.certificates) == ["CSR-0"]
    assert len(result.extra) == len(chain)


def test_manual_authorization_answer() -> None:
    s = setup("ec")
    envelope = Envelope(KEY)
    request = build(s, envelope, csrs("ec", 3))
    ids = {"CSR-0": "R100", "CSR-1": "R101", "CSR-2": "R102"}
    status, _, body = emca.build_pending_response(ids, subscriber_id="SUB-1")
    assert inner(body)["requestId"] == "CSR-0|R100~CSR-1|R101~CSR-2|R102"
    result = emca.parse_create_certificates_response(status, body, request=request)
    assert result.pending and result.request_ids == ids and not result.certificates
    assert result.message == "Request submitted for manual authorization"
    # an id that was never requested
    status, _, body = emca.build_pending_response({"CSR-9": "R1"}, subscriber_id="SUB-1")
    with pytest.raises(InputError):
        emca.parse_create_certificates_response(status, body, request=request)
    # one CSR: a bare request id
    single = build(s, envelope, csrs("ec", 1))
    body = orjson.dumps({"status": "success", "result": "queued", "subscriberId": "SUB-1", "requestId": "R7"})
    assert emca.parse_create_certificates_response(200, body, request=single).request_ids == {"CSR-0": "R7"}


# --- every documented error, produced by the server and mapped back by the client ---------------


def _raw(s: Setup, envelope: Envelope, params: dict[str, Any], **kw: Any) -> HttpRequest:
    options: dict[str, Any] = {
        "username": "alice",
        "password": PASSWORD,
        "envelope": envelope,
        "auth": emca.EmcaAuth(emkey=EMKEY),
    }
    options.update(kw)
    return emca.build_request(emca.METHOD_CREATE_CERTIFICATES, params, **options)


def _params(s: Setup, **changes: Any) -> dict[str, Any]:
    signature = emca.JoinedCsrFraming().sign(csrs("ec", 2), lambda c: cms_sign(c, s.signer))
    params: dict[str, Any] = {
        "applicationId": f"APP-{uuid.uuid4()}",
        "profileID": "PROFILE-1",
        "subscriberId": "SUB-1",
        "signature": signature,
    }
    params.update(changes)
    return {k: v for k, v in params.items() if v is not None}


def _bad_csr() -> bytes:
    der = bytearray(csrs("ec", 1)["CSR-0"])
    der[-5] ^= 1  # break the self-signature
    return bytes(der)


def _cases(s: Setup, envelope: Envelope) -> dict[type[emca.EmcaError], HttpRequest]:
    other = make_pki("p256", label="emca-unregistered")
    stranger = KeyBundle(other.leaf_key, other.leaf)
    return {
        emca.ProfileDoesNotExist: _raw(s, envelope, _params(s, profileID="NO-SUCH")),
        emca.InvalidData: _raw(
            s,
            envelope,
            _params(s, signature=emca.JoinedCsrFraming().sign({"X": _bad_csr()}, lambda c: cms_sign(c, s.signer))),
        ),
        emca.SignatureVerificationFailed: _raw(
            s,
            envelope,
            _params(s, signature=emca.JoinedCsrFraming().sign(csrs("ec", 1), lambda c: cms_sign(c, stranger))),
        ),
        emca.InvalidValidity: _raw(s, envelope, _params(s, validity="36136:00:00:00")),
        emca.InvalidFromDate: _raw(s, envelope, _params(s, validFrom="31:02:2019 00:00:00")),
        emca.InvalidParameter: _raw(s, envelope, _params(s, applicationId=None)),
        emca.InvalidInputData: _raw(s, Envelope(os.urandom(32)), _params(s)),
        emca.InvalidRequestDetails: _raw(s, envelope, _params(s), password="wrong password"),
    }


@pytest.mark.parametrize(
    "cls",
    [
        emca.ProfileDoesNotExist,
        emca.InvalidData,
        emca.SignatureVerificationFailed,
        emca.InvalidValidity,
        emca.InvalidFromDate,
        emca.InvalidParameter,
        emca.InvalidInputData,
        emca.InvalidRequestDetails,
    ],
)
def test_documented_error_round_trip(cls: type[emca.EmcaError]) -> None:
    s = setup("ec")
    envelope = Envelope(KEY)
    valid_request = build(s, envelope, csrs("ec", 1))
    status, _, body = serve(s, _cases(s, envelope)[cls], envelope)
    doc = inner(body)
    assert doc["status"] == "Failure"
    with pytest.raises(cls) as info:
        emca.parse_create_certificates_response(status, body, request=valid_request)
    assert type(info.value) is cls
    assert info.value.vendor == "emca" and info.value.code == cls.code_slug
    expected = "NO-SUCH profile does not exist" if cls is emca.ProfileDoesNotExist else cls.text
    assert info.value.message == doc["result"] == expected
    if cls is emca.ProfileDoesNotExist:
        assert info.value.profile_id == "NO-SUCH"  # type: ignore[attr-defined]


def test_internal_server_error_round_trip_leaks_nothing() -> None:
    s = setup("ec")
    envelope = Envelope(KEY)
    request = build(s, envelope, csrs("ec", 1))
    broken_ca = KeyBundle(None, s.ca.certificate)
    status, _, body = emca.handle_create_certificates(request, envelope=envelope, registry=s.registry, ca=broken_ca)
    assert inner(body) == {"status": "Failure", "result": "Internal server error", "subscriberId": "SUB-1"}
    with pytest.raises(emca.InternalServerError):
        emca.parse_create_certificates_response(status, body, request=request)


@pytest.mark.parametrize(
    "change",
    [
        {"password": "wrong"},
        {"username": "mallory"},
    ],
)
def test_request_details_refused(change: dict[str, str]) -> None:
    s = setup("ec")
    envelope = Envelope(KEY)
    options = {"username": "alice", "password": PASSWORD} | change
    request = _raw(s, envelope, _params(s), **options)
    with pytest.raises(emca.InvalidRequestDetails):
        emca.open_create_certificates_request(request, envelope=envelope, registry=s.registry)


def test_outer_and_inner_user_must_match_and_ip_and_emkey_checked() -> None:
    s = setup("ec")
    envelope = Envelope(KEY)
    request = _raw(s, envelope, _params(s))
    doc = orjson.loads(request.body)
    doc["userName"] = "bob"
    swapped = HttpRequest("POST", request.path, headers=request.headers, body=orjson.dumps(doc))
    with pytest.raises(emca.InvalidRequestDetails):
        emca.open_request(swapped, envelope=envelope, registry=s.registry)
    registry = emca.InMemoryRegistry(["PROFILE-1"])
    registry.register("alice", PASSWORD, s.signer.certificate, allowed_ips={"10.0.0.1"}, emkey=EMKEY)  # type: ignore[arg-type]
    with pytest.raises(emca.InvalidRequestDetails):
        emca.open_request(request, envelope=envelope, registry=registry, source_ip="10.9.9.9")
    headerless = HttpRequest("POST", request.path, headers={"Content-Type": "application/json"}, body=request.body)
    with pytest.raises(emca.InvalidRequestDetails):  # no emKey header
        emca.open_request(headerless, envelope=envelope, registry=registry, source_ip="10.0.0.1")
    keyed = _raw(s, envelope, _params(s), auth=emca.EmcaAuth(emkey=EMKEY))
    assert (
        emca.open_request(keyed, envelope=envelope, registry=registry, source_ip="10.0.0.1").client.user_name == "alice"
    )
    # cryptokit's own emKey scheme
    secret = os.urandom(32)
    issued = emca.issue_emkey(secret, "alice")
    good = _raw(s, envelope, _params(s), auth=emca.EmcaAuth(emkey=issued))
    emca.open_request(good, envelope=envelope, registry=s.registry, emkey_secret=secret)
    with pytest.raises(emca.InvalidRequestDetails):
        emca.open_request(keyed, envelope=envelope, registry=s.registry, emkey_secret=secret)


def test_stale_auth_key_is_refused() -> None:
    s = setup("ec")
    envelope = Envelope(KEY)
    old = NOW - dt.timedelta(hours=1)
    request = _raw(s, envelope, _params(s), auth=emca.EmcaAuth(emkey=EMKEY, client_id="c1"), now=old)
    with pytest.raises(emca.InvalidRequestDetails):
        emca.open_request(request, envelope=envelope, registry=s.registry, auth_verifier=emca.AuthKeyVerifier())


@pytest.mark.parametrize("profile", PROFILES)
def test_wrong_envelope_profile_is_invalid_input_data(profile: Any) -> None:
    s = setup("ec")
    request = _raw(s, Envelope(KEY, profile), _params(s))
    server_profile = "aes-256-gcm" if profile != "aes-256-gcm" else "aes-256-cbc-hmac-sha256"
    with pytest.raises(emca.InvalidInputData):
        emca.open_request(request, envelope=Envelope(KEY, server_profile), registry=s.registry)  # type: ignore[arg-type]


@pytest.mark.parametrize("body", [b"", b"[]", b"{}", b'{"requestData": 5, "userName": "alice"}', b"\xff"])
def test_malformed_outer_body_is_invalid_parameter(body: bytes) -> None:
    s = setup("ec")
    with pytest.raises(emca.InvalidParameter):
        emca.open_request(HttpRequest("POST", "/x", body=body), envelope=Envelope(KEY), registry=s.registry)


def test_inner_json_not_an_object() -> None:
    s = setup("ec")
    envelope = Envelope(KEY)
    body = orjson.dumps({"requestData": envelope.seal([1, 2]), "userName": "alice"})
    with pytest.raises(emca.InvalidInputData):
        emca.open_request(
            HttpRequest("POST", "/x", headers={"emKey": EMKEY}, body=body), envelope=envelope, registry=s.registry
        )


# --- certificates that do not answer the request -------------------------------------------------


def _answer(s: Setup, request: emca.CreateCertificatesRequest, envelope: Envelope, **changes: Any) -> dict[str, Any]:
    opened = emca.open_create_certificates_request(request, envelope=envelope, registry=s.registry)
    return emca.issue_certificates(dataclasses.replace(opened, **changes), ca=s.ca)


def _failed(result_or_exc: Any) -> set[str]:
    report = result_or_exc.report
    return {c.name for c in report.failures()}


def test_validity_differs_is_reported() -> None:
    s = setup("ec")
    envelope = Envelope(KEY)
    request = build(s, envelope, csrs("ec", 2), validity="365:00:00:00")
    certs = _answer(s, request, envelope, validity=emca.Validity(30))
    status, _, body = emca.build_response(subscriber_id="SUB-1", certificates=certs)
    with pytest.raises(VerificationFailed) as info:
        emca.parse_create_certificates_response(status, body, request=request)
    assert _failed(info.value) == {"validity"}
    # the same fail-closed rule as every verify_/validate_ pair: the exception carries the whole result
    assert isinstance(info.value.report, emca.CreateCertificatesResult) and not info.value.report.ok
    said = "emCA answer failed verification (INDETERMINATE / SIG_CONSTRAINTS_FAILURE): certificate validity"
    assert str(info.value).startswith(said)
    lenient = emca.validate_create_certificates_response(status, body, request=request)
    assert not lenient.ok and len(lenient.certificates) == 2
    # one way to choose raise-or-return: the verify_/validate_ pair, no strict= keyword
    with pytest.raises(VerificationFailed):
        emca.verify_create_certificates_response(status, body, request=request)
    with pytest.raises(TypeError):
        emca.parse_create_certificates_response(status, body, request=request, strict=False)  # type: ignore[call-arg]


def test_start_differs_is_reported() -> None:
    s = setup("ec")
    envelope = Envelope(KEY)
    start = dt.datetime(2030, 1, 1, tzinfo=UTC)
    request = build(s, envelope, csrs("ec", 1), valid_from=start)
    certs = _answer(s, request, envelope, valid_from=start + dt.timedelta(minutes=5))
    result = emca.validate_create_certificates_response(
        emca.build_response(subscriber_id="SUB-1", certificates=certs), request=request
    )
    assert _failed(result) == {"valid_from"}
    # within the tolerance it passes
    certs = _answer(s, request, envelope, valid_from=start + dt.timedelta(seconds=1))
    assert emca.parse_create_certificates_response(
        emca.build_response(subscriber_id="SUB-1", certificates=certs), request=request
    ).ok


def test_subject_differs_is_reported() -> None:
    s = setup("ec")
    envelope = Envelope(KEY)
    request = build(s, envelope, csrs("ec", 1))
    key = make_key("p256", "emca-csr-0")
    wrong = make_cert(name("Someone Else", o="Acme", c="IN"), key, s.ca.certificate, s.ca.private_key)  # type: ignore[arg-type]
    result = emca.validate_create_certificates_response(
        emca.build_response(subscriber_id="SUB-1", certificates={"CSR-0": wrong}), request=request
    )
    assert _failed(result) == {"subject"}
    assert result.certificates["CSR-0"].certificate == wrong


def _not_requested(s: Setup) -> x509.Certificate:
    """A certificate with the CSR's subject, issued by the CA, for a key no CSR holds."""
    other_key = make_key("p256", "emca-not-requested")
    return make_cert(name("Subscriber 0", o="Acme", c="IN"), other_key, s.ca.certificate, s.ca.private_key)  # type: ignore[arg-type]


def test_key_differs_is_reported() -> None:
    s = setup("ec")
    envelope = Envelope(KEY)
    request = build(s, envelope, csrs("ec", 1))
    wrong = _not_requested(s)
    with pytest.raises(VerificationFailed) as info:
        emca.parse_create_certificates_response(
            emca.build_response(subscriber_id="SUB-1", certificates={"CSR-0": wrong}), request=request
        )
    assert _failed(info.value) == {"public_key", "certificate"}


def _certificates_answer(result: str) -> bytes:
    return orjson.dumps({"status": "Success", "result": result, "subscriberId": "SUB-1"})


def test_pkcs7_certificate_with_an_unusable_key_is_reported_not_pending() -> None:
    """A PKCS#7 answer whose certificate has a key that matches no CSR (here: of an algorithm nobody
    knows) is read as certificates and fails the key checks; it was read as a pending answer
    ("requestId is missing") because the bundle did not load."""
    s = setup("ec")
    envelope = Envelope(KEY)
    request = build(s, envelope, csrs("ec", 1))
    odd = unknown_key_certificate(s.ca.certificate, s.ca.private_key)
    p7 = b64encode(pkcs7.serialize_certificates([odd], serialization.Encoding.DER))
    result = emca.validate_create_certificates_response(200, _certificates_answer(p7), request=request)
    assert not result.pending and not result.ok and not result.certificates
    assert _failed(result) == {"public_key", "certificate"}
    assert {c.subject for c in result.report.failures() if c.name == "public_key"} == {"certificate[0]"}
    with pytest.raises(VerificationFailed):
        emca.verify_create_certificates_response(200, _certificates_answer(p7), request=request)


def test_certificate_data_that_does_not_load_is_an_input_error_not_pending() -> None:
    s = setup("ec")
    envelope = Envelope(KEY)
    request = build(s, envelope, csrs("ec", 1))
    other = _not_requested(s)
    der = pkcs7.serialize_certificates([other], serialization.Encoding.DER)
    truncated = b64encode(der[: len(der) - 30])
    with pytest.raises(InputError) as info:
        emca.validate_create_certificates_response(200, _certificates_answer(truncated), request=request)
    assert info.value.field == "result" and "truncated" in info.value.rule
    # a bundle holding something that is not a certificate names its entry
    bad = bytearray(der)
    at = der.index(other.public_bytes(serialization.Encoding.DER))
    bad[at + 4 : at + 6] = b"\x05\x00"  # the TBSCertificate's first bytes: no longer a certificate
    with pytest.raises(InputError) as info:
        emca.validate_create_certificates_response(200, _certificates_answer(b64encode(bytes(bad))), request=request)
    assert info.value.field.startswith("result")
    # the follow-up reads the same way
    follow = emca.build_get_certificate_by_request_id_request(
        "R7", username="alice", password=PASSWORD, signer=s.signer, envelope=envelope, for_request=request,
        csr_id="CSR-0", auth=emca.EmcaAuth(emkey=EMKEY),
    )
    with pytest.raises(InputError) as info:
        emca.validate_get_certificate_by_request_id_response(200, _certificates_answer(truncated), request=follow)
    assert info.value.field == "result"
    # a message is still a pending answer
    pending = orjson.dumps({"status": "Success", "result": "Manual authorization pending", "requestId": "R7"})
    assert emca.validate_create_certificates_response(200, pending, request=request).pending


def test_missing_and_duplicate_certificates_are_reported() -> None:
    s = setup("ec")
    envelope = Envelope(KEY)
    request = build(s, envelope, csrs("ec", 3))
    certs = _answer(s, request, envelope)
    del certs["CSR-2"]
    result = emca.validate_create_certificates_response(
        emca.build_response(subscriber_id="SUB-1", certificates=certs), request=request
    )
    assert _failed(result) == {"certificate"} and list(result.certificates) == ["CSR-0", "CSR-1"]
    doubled = _answer(s, request, envelope)
    status, _, body = emca.build_response(
        subscriber_id="SUB-1", certificates=doubled, chain=[_answer(s, request, envelope)["CSR-0"]]
    )
    result = emca.validate_create_certificates_response(status, body, request=request)
    assert _failed(result) == {"certificate_count"}


def test_subscriber_id_differs_is_reported() -> None:
    s = setup("ec")
    envelope = Envelope(KEY)
    request = build(s, envelope, csrs("ec", 1))
    certs = _answer(s, request, envelope)
    result = emca.validate_create_certificates_response(
        emca.build_response(subscriber_id="SUB-2", certificates=certs), request=request
    )
    assert _failed(result) == {"subscriber_id"}


def test_issue_certificates_refuses_bad_ca_and_overflowing_validity() -> None:
    s = setup("ec")
    envelope = Envelope(KEY)
    request = build(s, envelope, csrs("ec", 1))
    opened = emca.open_create_certificates_request(request, envelope=envelope, registry=s.registry)
    other = make_pki("p256", label="emca-other-ca")
    with pytest.raises(InputError, match="does not belong"):
        emca.issue_certificates(opened, ca=KeyBundle(other.intermediate_key, s.ca.certificate))
    far = dataclasses.replace(opened, valid_from=dt.datetime(9999, 12, 31, tzinfo=UTC), validity=emca.Validity(36135))
    with pytest.raises(emca.InvalidValidity):
        emca.issue_certificates(far, ca=s.ca)


# --- client-side input rules ---------------------------------------------------------------------


def test_client_refuses_bad_inputs_before_sending() -> None:
    s = setup("ec")
    envelope = Envelope(KEY)
    items = csrs("ec", 2)
    with pytest.raises(InputError, match="Invalid validity"):
        build(s, envelope, items, validity="36136:00:00:00")
    with pytest.raises(InputError, match="Invalid From Date"):
        build(s, envelope, items, valid_from=dt.datetime(2030, 1, 1))
    with pytest.raises(InputError, match="same public key"):
        build(s, envelope, {"a": items["CSR-0"], "b": items["CSR-0"]})
    with pytest.raises(InputError):
        build(s, envelope, {"a|b": items["CSR-0"]})
    with pytest.raises(InputError):
        build(s, envelope, items, signer=KeyBundle(None, s.signer.certificate))
    with pytest.raises(InputError):
        build(s, envelope, {})


def test_client_response_errors() -> None:
    s = setup("ec")
    envelope = Envelope(KEY)
    request = build(s, envelope, csrs("ec", 1))
    with pytest.raises(emca.EmcaError) as info:
        emca.parse_create_certificates_response(502, b"<html>Bad gateway</html>", request=request)
    assert info.value.http_status == 502 and info.value.code is None
    with pytest.raises(InputError):
        emca.parse_create_certificates_response(200, b'{"status": "Maybe"}', request=request)
    with pytest.raises(InputError):
        emca.parse_create_certificates_response(200, b"not json", request=request)
    unknown = orjson.dumps({"status": "FAILURE", "result": "Quota exceeded"})
    with pytest.raises(emca.EmcaError) as info:
        emca.parse_create_certificates_response(200, unknown, request=request)
    assert type(info.value) is emca.EmcaError and info.value.message == "Quota exceeded"
    with pytest.raises(InputError):
        emca.parse_create_certificates_response(200, b"{}", request=HttpRequest("POST", "/x"))  # type: ignore[arg-type]


def test_request_repr_hides_secrets() -> None:
    s = setup("ec")
    envelope = Envelope(KEY)
    request = build(s, envelope, csrs("ec", 1), auth=emca.EmcaAuth(emkey=EMKEY, client_id="c"))
    shown = repr(request)
    assert EMKEY not in shown and PASSWORD not in shown and "emKey" in shown
    assert isinstance(request, HttpRequest)


# --- the open options, one set for every opener and handler ------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        emca.open_request,
        emca.open_create_certificates_request,
        emca.open_get_certificate_by_request_id,
        lambda request, **kw: emca.handle_create_certificates(request, ca=setup("ec").ca, **kw),
        lambda request, **kw: emca.handle_get_certificate_by_request_id(
            request, ca=setup("ec").ca, manual=emca.ManualAuthorization(["PROFILE-1"]), **kw
        ),
    ],
)
def test_open_options_are_checked_like_keyword_arguments_before_any_answer(call: Any) -> None:
    """Every opener and handler takes OpenOptions: a misspelt option is the caller's InputError naming
    it (a missing registry is Python's TypeError), raised before a handler could answer it as
    "Internal server error"; with the options right, the same call opens the request."""
    s = setup("ec")
    envelope = Envelope(KEY)
    request = build(s, envelope, csrs("ec", 1))
    with pytest.raises(InputError) as err:
        call(request, envelope=envelope, registry=s.registry, source_adress="10.0.0.1")
    assert err.value.field == "source_adress" and "source_ip" in err.value.rule
    with pytest.raises(TypeError, match="registry"):
        call(request, envelope=envelope)
    if call in (emca.open_request, emca.open_create_certificates_request):
        assert call(request, envelope=envelope, registry=s.registry, strict_emkey=True).client.user_name == "alice"
