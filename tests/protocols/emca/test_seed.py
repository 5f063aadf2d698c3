"""emCA exactly as the seed (createCertificatesByIdWithMultipleCsrData) says, by default.

One test (or group) per point of issue 19: method name and routing, the ``response`` wrapper, the
mandatory emKey, the source IP check, applicationId idempotency, the manual-authorization follow-up,
the per-CSR framing default, and line-wrapped base64 as Java writes it.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from functools import cache
from typing import Any

import orjson
import pytest

from cryptokit.cms import cms_sign
from cryptokit.csr import build_csr
from cryptokit.envelope import Envelope
from cryptokit.errors import DecryptionFailed, FlowMisuse, InputError, PolicyViolation, VerificationFailed
from cryptokit.pkcs12 import KeyBundle
from cryptokit.protocols import HttpRequest, HttpResponse, emca
from tests.pki import make_key, make_pki

UTC = dt.UTC
KEY = bytes(range(32))
PASSWORD = "seed-password"
EMKEY = "operator-issued-emKey:4f1c"  # not 40 hex: the vendor's format is undocumented
PKI = make_pki("p256", label="emca-seed")
SIGNER = KeyBundle(PKI.leaf_key, PKI.leaf, tuple(PKI.chain))
CA = KeyBundle(PKI.intermediate_key, PKI.intermediate, (PKI.root,))
IP = "203.0.113.7"


@cache
def csrs(count: int, label: str = "seed") -> dict[str, bytes]:
    return {
        f"ID{i}": build_csr(make_key("p256", f"{label}-{i}"), {"CN": f"Seed {label} {i}", "O": "Acme", "C": "IN"})
        for i in range(1, count + 1)
    }


def registry(allowed_ips: Any = (IP,), **kw: Any) -> emca.InMemoryRegistry:
    reg = emca.InMemoryRegistry(["PROFILE-1"])
    reg.register("alice", PASSWORD, PKI.leaf, allowed_ips=allowed_ips, **kw)
    return reg


def build(items: dict[str, bytes], **kw: Any) -> emca.CreateCertificatesRequest:
    options: dict[str, Any] = {
        "application_id": f"APP-{uuid.uuid4()}",
        "profile_id": "PROFILE-1",
        "subscriber_id": "SUB-1",
        "username": "alice",
        "password": PASSWORD,
        "signer": SIGNER,
        "envelope": Envelope(KEY),
        "auth": emca.EmcaAuth(emkey=EMKEY),
    }
    options.update(kw)
    return emca.build_create_certificates_request(items, **options)


def serve(request: HttpRequest, reg: emca.InMemoryRegistry, **kw: Any) -> HttpResponse:
    options: dict[str, Any] = {"envelope": Envelope(KEY), "registry": reg, "ca": CA, "source_ip": IP}
    options.update(kw)
    return emca.handle_request(request, **options)


def inner(body: bytes) -> dict[str, Any]:
    doc = orjson.loads(body)
    assert list(doc) == ["response"] and isinstance(doc["response"], str)
    out = orjson.loads(doc["response"])
    assert isinstance(out, dict)
    return out


def with_path(request: HttpRequest, path: str, method: str = "POST") -> HttpRequest:
    return HttpRequest(method, path, request.query, request.headers, request.body)


def with_headers(request: HttpRequest, headers: dict[str, str]) -> HttpRequest:
    return HttpRequest(request.method, request.path, request.query, headers, request.body)


def with_inner(request: HttpRequest, change: Any) -> HttpRequest:
    """The request with its sealed inner JSON changed by ``change(dict)`` (resealed, same key)."""
    env = Envelope(KEY)
    outer = orjson.loads(request.body)
    doc = env.open_json(outer["requestData"])
    change(doc)
    outer["requestData"] = env.seal(doc)
    return HttpRequest(request.method, request.path, request.query, request.headers, orjson.dumps(outer))


# --- 1. method name and routing ------------------------------------------------------------------


def test_default_method_is_the_seeds_and_the_other_name_is_an_option() -> None:
    request = build(csrs(1))
    assert request.method == "POST" and request.path == "/createCertificatesByIdWithMultipleCsrData"
    other = build(csrs(1), method=emca.METHOD_CREATE_X509_CERTIFICATES)
    assert other.path == "/createX509CertificatesByIdWithMultipleCsrData"
    reg = registry()
    # the server answers the seed's name by default and refuses the other one ...
    assert emca.parse_create_certificates_response(serve(request, reg), request=request).ok
    status, _, body = serve(other, reg)
    assert status == 404 and inner(body) == {
        "subscriberId": None,
        "status": "Failure",
        "result": "Invalid request details found",
    }
    with pytest.raises(emca.UnknownMethod) as info:
        emca.parse_create_certificates_response(status, body, request=other)
    assert info.value.http_status == 404 and isinstance(info.value, emca.InvalidRequestDetails)
    # ... unless told to answer it too
    both = emca.CREATE_METHODS | {emca.METHOD_CREATE_X509_CERTIFICATES}
    assert emca.parse_create_certificates_response(serve(other, reg, create_methods=both), request=other).ok


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/emCAServices/api/createCertificatesByIdWithMultipleCsrData"),
        ("POST", "/createCertificatesByIdWithMultipleCsrData/"),
        ("POST", "/createCertificatesByIdWithMultipleCsrData?x=1"),
    ],
)
def test_router_finds_the_method_under_a_base_path(method: str, path: str) -> None:
    request = build(csrs(1))
    status, _, body = serve(with_path(request, path, method), registry())
    assert status == 200 and inner(body)["status"] == "Success"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/createcertificatesbyidwithmultiplecsrdata"),  # servlet mappings are case-sensitive
        ("POST", "/revoke"),
        ("POST", "/"),
        ("GET", "/createCertificatesByIdWithMultipleCsrData"),
        ("POST", "/getCertificateByRequestID"),  # no manual authorization configured: not offered
    ],
)
def test_unknown_method_is_404_with_the_vendor_text(method: str, path: str) -> None:
    request = build(csrs(1))
    status, _, body = serve(with_path(request, path, method), registry())
    assert status == 404 and inner(body)["result"] == "Invalid request details found"
    status, _, body = emca.handle_create_certificates(
        with_path(request, path, method), envelope=Envelope(KEY), registry=registry(), ca=CA, source_ip=IP
    )
    assert status == 404
    with pytest.raises(emca.UnknownMethod):
        emca.open_create_certificates_request(
            with_path(request, path, method), envelope=Envelope(KEY), registry=registry(), source_ip=IP
        )


def test_client_maps_a_plain_404_page_to_unknown_method() -> None:
    request = build(csrs(1))
    with pytest.raises(emca.UnknownMethod):
        emca.parse_create_certificates_response(404, b"<html>Not Found</html>", request=request)


# --- 2. the response wrapper ---------------------------------------------------------------------


def test_server_writes_the_wrapped_answer_and_bare_on_request() -> None:
    request = build(csrs(2))
    reg = registry()
    status, _, body = serve(request, reg)
    doc = inner(body)
    assert status == 200 and set(doc) == {"subscriberId", "status", "result"} and doc["status"] == "Success"
    bare_request = build(csrs(2, "bare"))
    status, _, body = serve(bare_request, reg, wrapped=False)
    assert set(orjson.loads(body)) == {"subscriberId", "status", "result"}
    assert emca.parse_create_certificates_response(status, body, request=bare_request).ok


def test_client_reads_wrapped_string_wrapped_object_and_bare() -> None:
    request = build(csrs(2))
    status, _, body = serve(request, registry())
    doc = inner(body)
    forms = {
        "string": body,
        "object": orjson.dumps({"response": doc}),
        "bare": orjson.dumps(doc),
        "mapping": {"response": orjson.dumps(doc).decode()},
    }
    for form, answer in forms.items():
        result = emca.parse_create_certificates_response(status, answer, request=request)  # type: ignore[arg-type]
        assert result.ok and list(result.certificates) == ["ID1", "ID2"], form
    # a wrapped failure maps to its typed error
    failure = orjson.dumps({"response": orjson.dumps({"status": "Failure", "result": "Invalid validity"}).decode()})
    with pytest.raises(emca.InvalidValidity):
        emca.parse_create_certificates_response(200, failure, request=request)
    # a wrapper that does not hold an object is refused with a typed error
    for broken in ({"response": "[1]"}, {"response": "not json"}, {"response": 5}):
        with pytest.raises(InputError):
            emca.parse_response(200, orjson.dumps(broken))


# --- 3. emKey is mandatory -----------------------------------------------------------------------


def test_client_refuses_to_build_without_an_emkey() -> None:
    with pytest.raises(InputError) as info:
        build(csrs(1), auth=None)
    assert info.value.field == "auth"
    with pytest.raises(InputError) as info:
        emca.EmcaAuth(client_id="c1")
    assert info.value.field == "emKey"


@pytest.mark.parametrize("emkey", ["abc", "0123456789abcdef0123456789abcdef01234567", "K3y/with+base64=", "x" * 1024])
def test_emca_auth_takes_any_printable_bounded_emkey(emkey: str) -> None:
    auth = emca.EmcaAuth(emkey=emkey)
    assert auth.headers()["emKey"] == emkey and emkey not in repr(auth)


@pytest.mark.parametrize("emkey", ["", " ", "a b", "key\r\nX-Evil: 1", "tab\tkey", "ключ", "x" * 1025])
def test_emca_auth_refuses_empty_unprintable_or_huge(emkey: str) -> None:
    with pytest.raises(InputError):
        emca.EmcaAuth(emkey=emkey)


def test_strict_emkey_is_the_40_hex_shape() -> None:
    assert emca.EmcaAuth(emkey="AB" * 20, strict_emkey=True).emkey == "ab" * 20
    with pytest.raises(InputError):
        emca.EmcaAuth(emkey="abc", strict_emkey=True)
    request = build(csrs(1))
    with pytest.raises(emca.InvalidRequestDetails):
        emca.open_request(request, envelope=Envelope(KEY), registry=registry(), source_ip=IP, strict_emkey=True)


def test_generated_emkey_is_cryptokits_scheme() -> None:
    secret = bytes(range(32))
    auth = emca.EmcaAuth.generated(secret, "alice")
    assert auth.emkey == emca.issue_emkey(secret, "alice")
    request = build(csrs(1), auth=auth)
    emca.open_request(request, envelope=Envelope(KEY), registry=registry(), source_ip=IP, emkey_secret=secret)


@pytest.mark.parametrize("headers", [{}, {"emKey": ""}, {"emKey": "a b"}, {"emKey": "x" * 2000}])
def test_server_refuses_a_request_without_a_valid_emkey(headers: dict[str, str]) -> None:
    request = build(csrs(1))
    stripped = with_headers(request, {"Content-Type": "application/json", **headers})
    with pytest.raises(emca.InvalidRequestDetails):
        emca.open_request(stripped, envelope=Envelope(KEY), registry=registry(), source_ip=IP)
    body = serve(stripped, registry()).body
    assert inner(body) == {"subscriberId": None, "status": "Failure", "result": "Invalid request details found"}
    # the same request with its header opens: the header is what was refused
    assert emca.open_request(request, envelope=Envelope(KEY), registry=registry(), source_ip=IP)


def test_registered_static_emkey_must_match() -> None:
    reg = registry(emkey=EMKEY)
    assert emca.open_request(build(csrs(1)), envelope=Envelope(KEY), registry=reg, source_ip=IP)
    other = build(csrs(1), auth=emca.EmcaAuth(emkey=EMKEY + "x"))
    with pytest.raises(emca.InvalidRequestDetails):
        emca.open_request(other, envelope=Envelope(KEY), registry=reg, source_ip=IP)


# --- 4. source IP, on by default -----------------------------------------------------------------


def test_client_registered_without_addresses_is_refused() -> None:
    request = build(csrs(1))
    for source_ip in (IP, "127.0.0.1", None):
        with pytest.raises(emca.InvalidRequestDetails):
            emca.open_request(request, envelope=Envelope(KEY), registry=registry(allowed_ips=None), source_ip=source_ip)
    # ANY, said explicitly, accepts any address (and none)
    for source_ip in (IP, "::1", None):
        emca.open_request(request, envelope=Envelope(KEY), registry=registry(allowed_ips=emca.ANY), source_ip=source_ip)


@pytest.mark.parametrize(
    ("allowed", "source", "ok"),
    [
        ([IP], IP, True),
        ([IP], "203.0.113.8", False),
        ([IP], None, False),
        ([IP], "not an address", False),
        ([IP], f"::ffff:{IP}", True),  # IPv4-mapped IPv6 is the same address
        (["203.0.113.0/24"], "203.0.113.200", True),
        (["203.0.113.0/24"], "198.51.100.1", False),
        (["2001:db8::/32"], "2001:db8::1", True),
        (IP, IP, True),  # one address as a string
    ],
)
def test_source_ip_matches_registered_addresses(allowed: Any, source: str | None, ok: bool) -> None:
    request = build(csrs(1))
    reg = registry(allowed_ips=allowed)
    if ok:
        emca.open_request(request, envelope=Envelope(KEY), registry=reg, source_ip=source)
    else:
        with pytest.raises(emca.InvalidRequestDetails):
            emca.open_request(request, envelope=Envelope(KEY), registry=reg, source_ip=source)


def test_bad_registered_address_is_an_input_error() -> None:
    with pytest.raises(InputError) as info:
        registry(allowed_ips=["10.0.0.300"])
    assert info.value.field == "allowed_ips"


# --- 5. applicationId idempotency ----------------------------------------------------------------


def test_server_returns_the_existing_certificate_for_an_application_id() -> None:
    reg = registry()
    first = build(csrs(2), application_id="APP-IDEM", validity="30:00:00:00")
    issued = emca.parse_create_certificates_response(serve(first, reg), request=first)
    assert issued.ok and not issued.existing
    later = dt.datetime.now(UTC) + dt.timedelta(hours=1)  # the retry is built an hour later
    retry = build(csrs(2), application_id="APP-IDEM", validity="90:00:00:00", now=later)
    status, _, body = serve(retry, reg)
    result = emca.parse_create_certificates_response(status, body, request=retry)
    assert result.ok and result.existing and all(i.existing for i in result.certificates.values())
    assert [i.certificate for i in result.certificates.values()] == [
        i.certificate for i in issued.certificates.values()
    ]
    assert {c.name for c in result.report.checks if c.outcome.name == "PASSED"} >= {"existing", "public_key"}
    # the seed's order: the lookup comes before the parameter checks, so even a retry with a now
    # unknown profile gets the existing certificate
    odd = build(csrs(2), application_id="APP-IDEM", profile_id="GONE")
    assert emca.parse_create_certificates_response(serve(odd, reg), request=odd).ok


def test_existing_certificate_for_another_key_is_not_accepted() -> None:
    reg = registry()
    first = build(csrs(1), application_id="APP-KEYS")
    assert emca.parse_create_certificates_response(serve(first, reg), request=first).ok
    new_key = build(csrs(1, "rekeyed"), application_id="APP-KEYS")
    with pytest.raises(VerificationFailed) as info:
        emca.parse_create_certificates_response(serve(new_key, reg), request=new_key)
    assert {c.name for c in info.value.report.failures()} == {"public_key", "certificate"}


def test_application_ids_are_per_user() -> None:
    reg = registry()
    other_pki = make_pki("p256", label="emca-seed-bob")
    reg.register("bob", PASSWORD, other_pki.leaf, allowed_ips=emca.ANY)
    alice = build(csrs(1), application_id="APP-SHARED")
    assert emca.parse_create_certificates_response(serve(alice, reg), request=alice).ok
    bob = build(
        csrs(1, "bob"),
        application_id="APP-SHARED",
        username="bob",
        signer=KeyBundle(other_pki.leaf_key, other_pki.leaf),
    )
    result = emca.parse_create_certificates_response(serve(bob, reg), request=bob)
    assert result.ok and not result.existing
    assert reg.find_issued("alice", "APP-SHARED") != reg.find_issued("bob", "APP-SHARED")


def test_registry_record_keeps_the_first() -> None:
    reg = registry()
    first = build(csrs(1), application_id="APP-RACE")
    emca.parse_create_certificates_response(serve(first, reg), request=first)
    stored = reg.find_issued("alice", "APP-RACE")
    assert stored is not None
    assert reg.record_issued("alice", "APP-RACE", {"ID9": PKI.leaf}) == stored


# --- 6. manual authorization and the follow-up ---------------------------------------------------


def _follow_ups(request: emca.CreateCertificatesRequest, pending: emca.CreateCertificatesResult) -> Any:
    return emca.build_follow_up_requests(
        pending,
        request=request,
        username="alice",
        password=PASSWORD,
        signer=SIGNER,
        envelope=Envelope(KEY),
        auth=emca.EmcaAuth(emkey=EMKEY),
    )


def test_manual_authorization_round_trip() -> None:
    reg = registry()
    manual = emca.ManualAuthorization(["PROFILE-1"])
    request = build(csrs(3), validity="10:00:00:00")
    status, _, body = serve(request, reg, manual=manual)
    doc = inner(body)
    assert doc["result"] == emca.PENDING_MESSAGE and doc["requestId"].count("|") == 3
    pending = emca.parse_create_certificates_response(status, body, request=request)
    assert pending.pending and list(pending.request_ids) == ["ID1", "ID2", "ID3"]
    # the same applicationId again answers the same request ids
    again = emca.parse_create_certificates_response(serve(request, reg, manual=manual), request=request)
    assert again.request_ids == pending.request_ids
    follow = _follow_ups(request, pending)
    assert list(follow) == ["ID1", "ID2", "ID3"]
    assert all(f.path == "/getCertificateByRequestID" for f in follow.values())
    # the signed content is exactly the request id
    sealed = Envelope(KEY).open_json(orjson.loads(follow["ID1"].body)["requestData"])
    assert set(sealed) == {"requestId", "signature", "userName", "password"}
    from cryptokit.cms import cms_verify

    signed = cms_verify(base64.b64decode(sealed["signature"]), trusted_signers=[PKI.leaf]).content
    assert signed == pending.request_ids["ID1"].encode()
    # before approval: still pending
    first = emca.parse_get_certificate_by_request_id_response(
        serve(follow["ID1"], reg, manual=manual), request=follow["ID1"]
    )
    assert first.pending and first.certificate is None
    manual.approve(pending.request_ids["ID1"])
    manual.approve(pending.request_ids["ID3"])
    manual.reject(pending.request_ids["ID2"])
    answers = {}
    for csr_id in ("ID1", "ID3"):
        answers[csr_id] = emca.parse_get_certificate_by_request_id_response(
            serve(follow[csr_id], reg, manual=manual), request=follow[csr_id]
        )
        assert answers[csr_id].ok and answers[csr_id].certificate is not None
        assert answers[csr_id].certificate.csr_id == csr_id  # type: ignore[union-attr]
    # a second fetch returns the same certificate (issued once)
    repeat = emca.parse_get_certificate_by_request_id_response(
        serve(follow["ID1"], reg, manual=manual), request=follow["ID1"]
    )
    assert repeat.certificate.certificate == answers["ID1"].certificate.certificate  # type: ignore[union-attr]
    with pytest.raises(emca.RequestRejected):
        emca.parse_get_certificate_by_request_id_response(
            serve(follow["ID2"], reg, manual=manual), request=follow["ID2"]
        )
    merged = emca.collect_follow_ups(request, answers)
    assert list(merged.certificates) == ["ID1", "ID3"] and not merged.pending and merged.ok
    cert = merged.certificates["ID1"].certificate
    assert cert.not_valid_after_utc - cert.not_valid_before_utc == dt.timedelta(days=10)
    assert emca.collect_follow_ups(request, [first]).pending


def test_follow_up_checks_that_the_certificate_answers_its_csr() -> None:
    reg = registry()
    manual = emca.ManualAuthorization()
    request = build(csrs(2))
    pending = emca.parse_create_certificates_response(serve(request, reg, manual=manual), request=request)
    follow = _follow_ups(request, pending)
    for request_id in pending.request_ids.values():
        manual.approve(request_id)
    # the server answers ID2's certificate to the follow-up for ID1: the client refuses it
    status, _, body = serve(follow["ID2"], reg, manual=manual)
    with pytest.raises(VerificationFailed) as info:
        emca.parse_get_certificate_by_request_id_response(status, body, request=follow["ID1"])
    assert {c.name for c in info.value.report.failures()} >= {"csr_id", "certificate"}
    # the verify_/validate_ pair is the one way to choose raise-or-return (no strict= keyword)
    with pytest.raises(VerificationFailed):
        emca.verify_get_certificate_by_request_id_response(status, body, request=follow["ID1"])
    returned = emca.validate_get_certificate_by_request_id_response(status, body, request=follow["ID1"])
    assert not returned.ok and {c.name for c in returned.report.failures()} >= {"csr_id", "certificate"}
    with pytest.raises(TypeError):
        emca.parse_get_certificate_by_request_id_response(status, body, request=follow["ID1"], strict=False)  # type: ignore[call-arg]


def test_follow_up_refusals() -> None:
    reg = registry()
    manual = emca.ManualAuthorization()
    request = build(csrs(1))
    pending = emca.parse_create_certificates_response(serve(request, reg, manual=manual), request=request)
    request_id = pending.request_ids["ID1"]
    common: dict[str, Any] = {
        "username": "alice",
        "password": PASSWORD,
        "signer": SIGNER,
        "envelope": Envelope(KEY),
        "auth": emca.EmcaAuth(emkey=EMKEY),
    }
    unknown = emca.build_get_certificate_by_request_id_request("no-such-id", **common)
    with pytest.raises(emca.InvalidParameter):
        emca.parse_get_certificate_by_request_id_response(serve(unknown, reg, manual=manual), request=unknown)
    # the CMS signs another id than the one asked for
    good = emca.build_get_certificate_by_request_id_request(request_id, **common)
    swapped = with_inner(good, lambda d: d.update(requestId="other-id"))
    with pytest.raises(emca.SignatureVerificationFailed):
        emca.open_get_certificate_by_request_id(swapped, envelope=Envelope(KEY), registry=reg, source_ip=IP)
    # another user cannot fetch alice's request
    bob_pki = make_pki("p256", label="emca-seed-bob2")
    reg.register("bob", PASSWORD, bob_pki.leaf, allowed_ips=emca.ANY)
    bob = emca.build_get_certificate_by_request_id_request(
        request_id, **{**common, "username": "bob", "signer": KeyBundle(bob_pki.leaf_key, bob_pki.leaf)}
    )
    with pytest.raises(emca.InvalidParameter):
        emca.parse_get_certificate_by_request_id_response(serve(bob, reg, manual=manual), request=bob)
    with pytest.raises(InputError):
        emca.build_follow_up_requests(
            emca.parse_create_certificates_response(serve(build(csrs(1, "x")), reg), request=build(csrs(1, "x"))),
            request=request,
            **common,
        )


def test_seal_options_are_one_set_for_every_builder() -> None:
    """build_request, the create and follow-up builders and build_follow_up_requests take the same
    SealOptions: a misspelt one is a TypeError (as for any keyword), ``path`` and ``now`` reach every
    follow-up request, and a missing ``auth`` is still refused by name."""
    reg = registry()
    manual = emca.ManualAuthorization(["PROFILE-1"])
    request = build(csrs(2, "seal"))
    pending = emca.parse_create_certificates_response(serve(request, reg, manual=manual), request=request)
    login = {"username": "alice", "password": PASSWORD, "signer": SIGNER, "envelope": Envelope(KEY)}
    at = dt.datetime(2030, 5, 1, 12, 0, tzinfo=dt.UTC)
    auth = emca.EmcaAuth(emkey=EMKEY, client_id="CLIENT-1")
    follow = emca.build_follow_up_requests(
        pending, request=request, **login, auth=auth, path="/emca/api/getCertificateByRequestID", now=at
    )
    assert {r.path for r in follow.values()} == {"/emca/api/getCertificateByRequestID"}
    assert {r.header("ts") for r in follow.values()} == {str(int(at.timestamp() * 1000))}
    with pytest.raises(InputError) as err:  # an unknown option name, named with the known ones
        emca.build_follow_up_requests(pending, request=request, **login, auth=auth, pth="/x")  # type: ignore[call-arg]
    assert err.value.field == "pth" and "path" in err.value.rule
    with pytest.raises(InputError) as err:
        build(csrs(1, "seal"), now_=at)
    assert err.value.field == "now_" and "build_create_certificates_request" in err.value.rule
    with pytest.raises(InputError) as err:
        emca.build_request("m", {}, username="alice", password=PASSWORD, envelope=Envelope(KEY))
    assert err.value.field == "auth"


def test_state_table() -> None:
    S, E = emca.State, emca.Event
    assert dict(emca.TRANSITIONS) == {
        (S.PENDING, E.APPROVE): S.APPROVED,
        (S.PENDING, E.REJECT): S.REJECTED,
        (S.APPROVED, E.ISSUE): S.ISSUED,
    }
    manual = emca.ManualAuthorization()
    rid = _request_in(manual, emca.State.PENDING)
    with pytest.raises(PolicyViolation):
        manual.issue(rid, PKI.leaf)  # not approved yet
    manual.reject(rid)
    for action in (manual.approve, manual.reject):
        with pytest.raises(PolicyViolation):
            action(rid)  # final
    with pytest.raises(InputError):
        manual.approve("unknown")


def _request_in(manual: emca.ManualAuthorization, state: emca.State) -> str:
    """A request id brought to ``state`` through the public methods only."""
    ids = manual.submit(
        user_name="u",
        application_id=f"a-{uuid.uuid4()}",
        profile_id="p",
        subscriber_id="s",
        csrs={"ID1": object()},  # type: ignore[dict-item]
        validity=None,
        valid_from=None,
    )
    rid = ids["ID1"]
    steps = {
        emca.State.PENDING: [],
        emca.State.APPROVED: [manual.approve],
        emca.State.REJECTED: [manual.reject],
        emca.State.ISSUED: [manual.approve, lambda r: manual.issue(r, PKI.leaf)],
    }
    for step in steps[state]:
        step(rid)
    return rid


@pytest.mark.parametrize("state", list(emca.State))
@pytest.mark.parametrize("event", list(emca.Event))
def test_every_state_and_event_follows_the_table(state: emca.State, event: emca.Event) -> None:
    """The manual-authorization table walked whole: each (state, event) the table lists moves the
    request to the listed state, through next_state and through ManualAuthorization; every other
    pair is a ManualAuthorizationMisuse (a FlowMisuse naming state and event, still a
    PolicyViolation) that leaves the request as it was."""
    manual = emca.ManualAuthorization()
    rid = _request_in(manual, state)
    assert manual.get(rid).state is state  # type: ignore[union-attr]
    act = {
        emca.Event.APPROVE: manual.approve,
        emca.Event.REJECT: manual.reject,
        emca.Event.ISSUE: lambda r: manual.issue(r, PKI.leaf),
    }[event]
    if (state, event) in emca.TRANSITIONS:
        assert emca.next_state(state, event) is emca.TRANSITIONS[(state, event)]
        assert act(rid).state is emca.TRANSITIONS[(state, event)]
        return
    for attempt in (lambda: emca.next_state(state, event), lambda: act(rid)):
        with pytest.raises(emca.ManualAuthorizationMisuse) as err:
            attempt()
        assert (err.value.state, err.value.event) == (state.value, event.value)
        assert isinstance(err.value, FlowMisuse) and isinstance(err.value, PolicyViolation)
    assert manual.get(rid).state is state  # type: ignore[union-attr]


# --- 7. framing ----------------------------------------------------------------------------------


def test_client_default_framing_shows_the_csr_ids_in_the_signature() -> None:
    items = csrs(3)
    request = build(items)
    field = Envelope(KEY).open_json(orjson.loads(request.body)["requestData"])["signature"]
    assert [part.split("|")[0] for part in field.split("~")] == list(items)
    assert request.framing == "per-csr" and emca.DEFAULT_FRAMING == emca.PerCsrFraming()


@pytest.mark.parametrize("framing", [emca.PerCsrFraming(), emca.JoinedCsrFraming()])
def test_server_detects_both_framings(framing: emca.CsrFraming) -> None:
    items = csrs(3)
    request = build(items, framing=framing)
    opened = emca.open_create_certificates_request(request, envelope=Envelope(KEY), registry=registry(), source_ip=IP)
    assert opened.framing == framing.name and {k: v.der for k, v in opened.csrs.items()} == items
    assert emca.parse_create_certificates_response(serve(request, registry()), request=request).ok


def test_a_server_pinned_to_one_framing_refuses_the_other() -> None:
    request = build(csrs(2), framing=emca.JoinedCsrFraming())
    with pytest.raises(emca.InvalidData):
        emca.open_create_certificates_request(
            request, envelope=Envelope(KEY), registry=registry(), source_ip=IP, framing=emca.PerCsrFraming()
        )


# --- 8. line-wrapped base64 as Java writes it ----------------------------------------------------


def _wrap(text: str, width: int, newline: str, final: bool) -> str:
    lines = [text[i : i + width] for i in range(0, len(text), width)]
    return newline.join(lines) + (newline if final else "")


ENCODERS = {
    "java-mime": (76, "\r\n", False),  # java.util.Base64.getMimeEncoder()
    "sun-misc": (76, "\n", True),  # sun.misc.BASE64Encoder on Unix
    "commons-chunked": (76, "\r\n", True),  # commons-codec Base64.encodeBase64Chunked
    "pem-64": (64, "\n", False),  # OpenSSL / PEM bodies
}


@pytest.mark.parametrize("encoder", list(ENCODERS))
@pytest.mark.parametrize("framing", [emca.PerCsrFraming(), emca.JoinedCsrFraming()])
def test_server_accepts_line_wrapped_request_data_and_signature(encoder: str, framing: emca.CsrFraming) -> None:
    width, newline, final = ENCODERS[encoder]
    items = csrs(2)
    request = build(items, framing=framing)
    env = Envelope(KEY)
    outer = orjson.loads(request.body)
    doc = env.open_json(outer["requestData"])
    if "|" in doc["signature"]:
        doc["signature"] = "~".join(
            f"{i}|{_wrap(b64, width, newline, final)}" for i, b64 in (p.split("|") for p in doc["signature"].split("~"))
        )
    else:
        doc["signature"] = _wrap(doc["signature"], width, newline, final)
    assert newline in doc["signature"]
    token = env.seal(doc)
    outer["requestData"] = _wrap(token, width, newline, final)
    wrapped = HttpRequest(request.method, request.path, {}, request.headers, orjson.dumps(outer))
    opened = emca.open_create_certificates_request(wrapped, envelope=env, registry=registry(), source_ip=IP)
    assert {k: v.der for k, v in opened.csrs.items()} == items
    assert emca.parse_create_certificates_response(serve(wrapped, registry()), request=request).ok
    # strict canonical base64 stays the default elsewhere: the envelope itself refuses the wrapped token
    with pytest.raises(DecryptionFailed):
        env.open(outer["requestData"])
    with pytest.raises(emca.InvalidInputData):
        emca.open_request(wrapped, envelope=env, registry=registry(), source_ip=IP, accept_wrapped_base64=False)


@pytest.mark.parametrize(
    "text",
    [
        "QUJD\nREVG\r\nR0hJ",  # mixed line breaks
        "QUJDREVG\nR0hJ\nSktM",  # lines of different lengths
        "QUJ\nDRE",  # width not a multiple of 4
        "Q" * 80 + "\n" + "QUJD",  # lines over 76
        "QUJD\rREVG",  # lone CR
        "QUJD\n\nREVG",  # empty line
        "\n",  # nothing but a break
    ],
)
def test_irregular_wrapping_is_refused(text: str) -> None:
    with pytest.raises(InputError):
        emca.unwrap_base64(text, "requestData")


def test_unwrap_base64_accepts_the_regular_forms() -> None:
    data = bytes(range(256)) * 3
    plain = base64.b64encode(data).decode()
    for width, newline, final in ENCODERS.values():
        assert emca.unwrap_base64(_wrap(plain, width, newline, final), "x") == plain
    assert emca.unwrap_base64(base64.encodebytes(data).decode(), "x") == plain  # Python's MIME encoder
    assert emca.unwrap_base64(plain, "x") == plain


def test_wrapped_base64_in_the_follow_up_signature() -> None:
    reg = registry()
    manual = emca.ManualAuthorization()
    request = build(csrs(1))
    pending = emca.parse_create_certificates_response(serve(request, reg, manual=manual), request=request)
    follow = _follow_ups(request, pending)["ID1"]
    wrapped = with_inner(follow, lambda d: d.update(signature=_wrap(d["signature"], 76, "\r\n", False)))
    opened = emca.open_get_certificate_by_request_id(wrapped, envelope=Envelope(KEY), registry=reg, source_ip=IP)
    assert opened.request_id == pending.request_ids["ID1"]


def test_client_side_stays_strict() -> None:
    """The line-wrapping allowance is the server's (requestData, signature); the client's envelope
    and the framing objects it uses are strict."""
    items = csrs(1)
    field = emca.PerCsrFraming().sign(items, lambda c: cms_sign(c, SIGNER))
    csr_id, b64 = field.split("|")
    with pytest.raises(InputError):
        emca.PerCsrFraming().open(f"{csr_id}|{_wrap(b64, 76, chr(13) + chr(10), False)}", lambda c: c)


def test_server_misconfiguration_is_the_callers_input_error() -> None:
    class OldRegistry:
        def authenticate(self, user_name: str, password: str) -> None:
            return None

        def has_profile(self, profile_id: str) -> bool:
            return True

    with pytest.raises(InputError) as info:
        emca.handle_create_certificates(build(csrs(1)), envelope=Envelope(KEY), registry=OldRegistry(), ca=CA)  # type: ignore[arg-type]
    assert info.value.field == "registry"
    with pytest.raises(InputError) as info:
        serve(build(csrs(1)), registry(), sorce_ip=IP)  # a misspelt option
    assert info.value.field == "options" and "sorce_ip" in info.value.rule
