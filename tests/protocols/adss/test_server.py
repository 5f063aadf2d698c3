"""ADSS server half: requests built by the real client half, answered by EmbeddedSigner, read back by
the real client parsers and verified offline; every refusal comes back as the matching error class."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from Crypto.Hash import SHA256 as PycSHA256
from Crypto.PublicKey import RSA as PycRSA
from Crypto.Signature import pkcs1_15
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from cryptokit.encoding import b64encode
from cryptokit.errors import InputError, UnsupportedAlgorithm
from cryptokit.hashing import HashToSign, hash_to_sign
from cryptokit.pkcs12 import KeyBundle
from cryptokit.protocols import HttpRequest, HttpResponse, adss
from cryptokit.protocols.adss import SignStatus
from cryptokit.protocols.adss.server import (
    EmbeddedSigner,
    build_error_response,
    build_sign_response,
    build_sign_status_response,
    parse_sign_request,
    parse_sign_status_request,
    sign_hashes,
)
from cryptokit.report import Indication
from tests.pki import Pki, make_key, make_pki

TOKEN = "2YotnFZFEjr1zCsicMWpAA"
PROFILE = "CSP Service Profile"
ALIAS = "o5eaqqdi9htel7vj6s63ai4j4chlpqt"
DOCS = [(b"invoice 1", "sha256"), (b"invoice 2", "sha384"), (b"contract", "sha512")]
HASHES = [hash_to_sign(data, alg) for data, alg in DOCS]


def bundle(pki: Pki) -> KeyBundle:
    return KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain))


def server(pki: Pki, **options: Any) -> EmbeddedSigner:
    options.setdefault("token", TOKEN)
    options.setdefault("profile_id", PROFILE)
    return EmbeddedSigner(bundle(pki), cert_alias=ALIAS, **options)


def sign_request(**options: Any) -> HttpRequest:
    options.setdefault("token", TOKEN)
    return adss.build_sign_request(
        HASHES, profile_id=PROFILE, cert_alias=ALIAS, doc_aliases=["a", "b", "c"], cert_password="pw", **options
    )


def verify(req: HttpRequest, result: adss.SignResult, pki: Pki) -> adss.SignResponseReport:
    return adss.verify_sign_response(
        req, result, certificate=pki.leaf, certificate_chain=pki.chain, trust_anchors=[pki.root]
    )


def tamper(req: HttpRequest, mutate: Any) -> HttpRequest:
    body = json.loads(req.body)
    mutate(body)
    return HttpRequest(req.method, req.path, req.query, req.headers, orjson.dumps(body))


def refused(response: HttpResponse, cls: type[adss.AdssError], code: str, http_status: int) -> adss.AdssError:
    """The answer is the ADSS error ``code`` and the client half raises ``cls`` for it."""
    assert response.status == http_status
    assert json.loads(response.body)["error"] == code
    with pytest.raises(cls) as info:
        adss.parse_sign_response(response.status, response.body)
    assert type(info.value) is cls
    assert (info.value.code, info.value.http_status) == (code, http_status)
    return info.value


# --------------------------------------------------------------------------- round trips

CASES = [
    ("rsa2048", {}, "pkcs1v15", None),
    ("rsa2048", {"scheme": "pss"}, "pss", None),
    ("p256", {"signature_encoding": "der"}, "ecdsa", "der"),
    ("p256", {"signature_encoding": "raw"}, "ecdsa", "raw"),
]


@pytest.mark.parametrize(("kind", "options", "scheme", "encoding"), CASES)
def test_round_trip_verifies(kind: str, options: dict[str, Any], scheme: str, encoding: str | None) -> None:
    pki = make_pki(kind, label="adss-server")
    req = sign_request()
    response = server(pki, **options).handle(req)
    assert response.status == 200 and response.header("content-type") == "application/json; charset=utf-8"
    result = adss.parse_sign_response(response.status, response.body)
    assert result.status is SignStatus.SUCCESS and result.request_id and len(result.signatures) == 3
    report = verify(req, result, pki)
    assert report.ok and report.indication is Indication.TOTAL_PASSED, report.to_dict()
    assert [(d.doc_alias, d.scheme, d.encoding) for d in report.documents] == [
        (alias, scheme, encoding) for alias in "abc"
    ]


def test_pending_then_status_poll() -> None:
    pki = make_pki("rsa2048", label="adss-server")
    srv = server(pki, pending_polls=2)
    req = sign_request()
    first = adss.parse_sign_response(*_status_body(srv.handle(req)))
    assert first.status is SignStatus.PENDING and not first.signatures and first.request_id
    poll = adss.build_sign_status_request(PROFILE, first.request_id, token=TOKEN)
    second = adss.parse_sign_status(*_status_body(srv.handle(poll)))
    assert second.status is SignStatus.PENDING
    third = adss.parse_sign_status(*_status_body(srv.handle(poll)))
    assert third.status is SignStatus.SUCCESS and third.request_id is None
    assert verify(req, third, pki).indication is Indication.TOTAL_PASSED
    # Another profile cannot read the request; an unknown ID is refused.
    other = adss.build_sign_status_request("other", first.request_id, token=TOKEN)
    refused(srv.handle(other), adss.AdssAccessControlError, "60019", 404)
    unknown = adss.build_sign_status_request(PROFILE, "nope", token=TOKEN)
    refused(srv.handle(unknown), adss.AdssInputError, "60043", 404)


def _status_body(response: HttpResponse) -> tuple[int, bytes]:
    return response.status, response.body


def test_signatures_verify_with_pycryptodome() -> None:
    """An independent verifier: RSASSA-PKCS1-v1_5 over the SHA-256 of the document."""
    pki = make_pki("rsa2048", label="adss-server")
    h = hash_to_sign(b"invoice 1")
    req_in = parse_sign_request(adss.build_sign_request([h], profile_id=PROFILE, cert_alias=ALIAS, token=TOKEN))
    (signature,) = sign_hashes(req_in, bundle(pki))
    pem = pki.leaf_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    pkcs1_15.new(PycRSA.import_key(pem).public_key()).verify(PycSHA256.new(b"invoice 1"), signature)


def test_parse_sign_request_keeps_every_field_and_hides_secrets() -> None:
    req_in = parse_sign_request(sign_request(app_name="vcsp", accept_language="en-US"))
    assert (req_in.profile_id, req_in.cert_alias, req_in.doc_aliases) == (PROFILE, ALIAS, ("a", "b", "c"))
    assert list(req_in.hashes) == HASHES and (req_in.app_name, req_in.accept_language) == ("vcsp", "en-US")
    assert req_in.token_matches(TOKEN) and not req_in.token_matches(TOKEN + "x")
    assert req_in.cert_password_matches("pw") and not req_in.cert_password_matches("px")
    assert TOKEN not in repr(req_in) and "pw" not in repr(req_in).replace("profile", "")
    poll = parse_sign_status_request(adss.build_sign_status_request(PROFILE, "85963A58745", token=TOKEN))
    assert (poll.profile_id, poll.request_id) == (PROFILE, "85963A58745") and TOKEN not in repr(poll)


# --------------------------------------------------------------------------- refusals


def _wrong_length(body: dict[str, Any]) -> None:
    body["docs_to_sign_info"][1]["hash_to_sign_base64"] = b64encode(b"\x01" * 32)  # SHA-384 OID, 32 bytes


@pytest.mark.parametrize(
    "mutate",
    [
        _wrong_length,
        lambda b: b["docs_to_sign_info"][0].update(hash_to_sign_base64="not base64!"),
        lambda b: b["docs_to_sign_info"][0].update(hash_algo="1.2.3.4"),  # unknown OID
        lambda b: b["docs_to_sign_info"][0].update(hash_algo="sha256"),  # a name, not an OID
        lambda b: b["docs_to_sign_info"][0].update(hash_algo="1.2.840.113549.2.5"),  # MD5
    ],
)
def test_hash_that_does_not_fit_its_oid_is_60055(mutate: Any) -> None:
    pki = make_pki("p256", label="adss-server")
    error = refused(server(pki).handle(tamper(sign_request(), mutate)), adss.AdssSigningError, "60055", 400)
    assert "Invalid hash algorithm or data" in error.message and "docs_to_sign_info[" in error.message


def test_bearer_token_refusals() -> None:
    srv = server(make_pki("p256", label="adss-server"))
    req = sign_request()
    no_header = HttpRequest(req.method, req.path, req.query, {"Content-Type": "application/json"}, req.body)
    response = srv.handle(no_header)
    refused(response, adss.AdssInvalidToken, "60045", 401)
    assert response.header("WWW-Authenticate") == "Bearer"
    basic = HttpRequest(req.method, req.path, req.query, {"Authorization": "Basic dXNlcjpwdw=="}, req.body)
    refused(srv.handle(basic), adss.AdssInvalidToken, "60045", 401)
    refused(srv.handle(sign_request(token="someoneElse")), adss.AdssInvalidToken, "60045", 401)
    by_callable = server(make_pki("p256", label="adss-server"), token=lambda t: t == "fromCallable")
    assert by_callable.handle(sign_request(token="fromCallable")).status == 200
    refused(by_callable.handle(sign_request()), adss.AdssInvalidToken, "60045", 401)


def test_wrong_path_method_and_json() -> None:
    srv = server(make_pki("p256", label="adss-server"))
    req = sign_request()
    wrong_path = HttpRequest("POST", "/adss/service/csp/v2/sign/requests", {}, req.headers, req.body)
    refused(srv.handle(wrong_path), adss.AdssInputError, "60043", 404)
    get = HttpRequest("GET", req.path, {}, req.headers, b"")
    response = srv.handle(get)
    refused(response, adss.AdssInputError, "60056", 405)
    assert response.header("Allow") == "POST"
    for body in (b"{not json", b"[1, 2]", b""):
        refused(srv.handle(HttpRequest("POST", req.path, {}, req.headers, body)), adss.AdssInputError, "60043", 400)


@pytest.mark.parametrize(
    ("mutate", "cls", "code"),
    [
        (lambda b: b.pop("profile_id"), adss.AdssInputError, "60020"),
        (lambda b: b.pop("cert_alias"), adss.AdssInputError, "60022"),
        (lambda b: b.update(docs_to_sign_info=[]), adss.AdssSigningError, "60049"),
        (lambda b: b["docs_to_sign_info"][0].pop("hash_algo"), adss.AdssSigningError, "60048"),
        (lambda b: b["docs_to_sign_info"][0].pop("hash_to_sign_base64"), adss.AdssSigningError, "60049"),
        (lambda b: b.update(docs_to_sign_info={"a": 1}), adss.AdssInputError, "60043"),
        (lambda b: b.update(cert_alias=5), adss.AdssInputError, "60043"),
    ],
)
def test_missing_fields_get_their_codes(mutate: Any, cls: type[adss.AdssError], code: str) -> None:
    srv = server(make_pki("p256", label="adss-server"))
    refused(srv.handle(tamper(sign_request(), mutate)), cls, code, 400)


def test_unknown_alias_profile_and_missing_request_id() -> None:
    srv = server(make_pki("p256", label="adss-server"))
    refused(
        srv.handle(tamper(sign_request(), lambda b: b.update(cert_alias="x"))), adss.AdssCertificateError, "60030", 404
    )
    refused(
        srv.handle(tamper(sign_request(), lambda b: b.update(profile_id="x"))),
        adss.AdssAccessControlError,
        "60019",
        404,
    )
    poll = adss.build_sign_status_request(PROFILE, "1", token=TOKEN)
    no_id = HttpRequest(poll.method, poll.path, {}, poll.headers, orjson.dumps({"profile_id": PROFILE}))
    refused(srv.handle(no_id), adss.AdssInputError, "60015", 400)


# --------------------------------------------------------------------------- builders


@pytest.mark.parametrize("code", sorted(adss.ERROR_CODES))
def test_every_error_code_round_trips_to_its_class(code: str) -> None:
    response = build_error_response(code)
    assert 400 <= response.status <= 599
    with pytest.raises(adss.error_class(code)) as info:
        adss.parse_sign_response(response.status, response.body)
    assert type(info.value) is adss.error_class(code)
    assert (info.value.code, info.value.message) == (code, adss.ERROR_CODES[code].description)


def test_answer_builders_refuse_inconsistent_answers() -> None:
    with pytest.raises(InputError):
        build_sign_response("1", SignStatus.SUCCESS)  # SUCCESS without signatures
    with pytest.raises(InputError):
        build_sign_response(None, "PENDING")  # nothing to poll
    with pytest.raises(InputError):
        build_sign_response("1", "FAILED", [b"sig"])
    with pytest.raises(InputError):
        build_sign_response("1", "MAYBE")
    with pytest.raises(InputError):
        build_error_response("99999")  # not in the table
    declined = adss.parse_sign_status(*_status_body(build_sign_status_response("DECLINED")))
    assert declined.status is SignStatus.DECLINED and not declined.signatures
    status, _headers, body = build_sign_response("7", "FAILED")
    assert status == 200 and json.loads(body) == {"request_id": "7", "status": "FAILED"}  # type: ignore[arg-type]


def test_unusable_signers_and_options() -> None:
    ed = make_key("ed25519", "adss-server")
    with pytest.raises(UnsupportedAlgorithm):
        EmbeddedSigner(ed, cert_alias=ALIAS)  # type: ignore[arg-type]
    with pytest.raises(InputError):
        EmbeddedSigner(KeyBundle(None, None), cert_alias=ALIAS)
    rsa_key = make_key("rsa2048", "adss-serverleaf")
    with pytest.raises(InputError):
        sign_hashes(HASHES, rsa_key, signature_encoding="raw")  # raw r||s is ECDSA only
    with pytest.raises(InputError):
        sign_hashes([b"\x00" * 32], rsa_key)  # type: ignore[list-item]
    with pytest.raises(InputError):
        EmbeddedSigner(rsa_key, cert_alias=ALIAS).handle(b"POST /")  # type: ignore[arg-type]
    assert isinstance(sign_hashes([HashToSign.from_b64("sha256", HASHES[0].b64)], rsa_key)[0], bytes)


# --------------------------------------------------------------------------- sam_user_id and cert_password

SAM_USER = "john.doe@ascertia.com"  # the guide's sample request (section 7.1)
CERT_PASSWORD = "password"  # the guide's sample cert_password


def guarded(pki: Pki) -> EmbeddedSigner:
    return server(pki, sam_user_id=SAM_USER, cert_password=CERT_PASSWORD)


def guide_request(**options: Any) -> HttpRequest:
    options.setdefault("token", TOKEN)
    return adss.build_sign_request(
        HASHES, profile_id=PROFILE, cert_alias=ALIAS, request_description="Display Text", **options
    )


def test_sam_user_and_cert_password_as_in_the_guide_sample_are_accepted() -> None:
    pki = make_pki("rsa2048", label="adss-server")
    srv = guarded(pki)
    req = guide_request(sam_user_id=SAM_USER, cert_password=CERT_PASSWORD)
    response = srv.handle(req)
    assert response.status == 200
    assert verify(req, adss.parse_sign_response(response.status, response.body), pki).ok
    assert CERT_PASSWORD not in repr(srv) and CERT_PASSWORD not in repr(parse_sign_request(req))


@pytest.mark.parametrize(
    ("options", "cls", "code", "http_status"),
    [
        ({"cert_password": CERT_PASSWORD}, adss.AdssInputError, "60011", 400),  # no sam_user_id
        ({"sam_user_id": "jane.doe@ascertia.com", "cert_password": CERT_PASSWORD}, adss.AdssInputError, "60039", 400),
        ({"sam_user_id": SAM_USER}, adss.AdssInputError, "60012", 400),  # no cert_password
        ({"sam_user_id": SAM_USER, "cert_password": "Wr0ng-Secret!"}, adss.AdssAuthenticationError, "60008", 401),
        ({"sam_user_id": SAM_USER, "cert_password": CERT_PASSWORD + "-x"}, adss.AdssAuthenticationError, "60008", 401),
    ],
)
def test_sam_user_and_cert_password_refusals_use_the_guide_codes(
    options: dict[str, str], cls: type[adss.AdssError], code: str, http_status: int
) -> None:
    srv = guarded(make_pki("p256", label="adss-server"))
    err = refused(srv.handle(guide_request(**options)), cls, code, http_status)
    assert err.message.startswith(adss.ERROR_CODES[code].description)
    wrong = options.get("cert_password")
    if wrong is not None and wrong != CERT_PASSWORD:
        assert wrong not in err.message


def test_without_configuration_neither_is_required() -> None:
    srv = server(make_pki("p256", label="adss-server"))
    assert srv.handle(guide_request()).status == 200
    assert srv.handle(guide_request(sam_user_id="anyone", cert_password="anything")).status == 200


@pytest.mark.parametrize(
    ("final", "cls"),
    [("TIMEOUT", adss.AdssSignTimeout), ("DECLINED", adss.AdssSignDeclined), ("FAILED", adss.AdssSignFailed)],
)
def test_final_status_other_than_success_reaches_the_poller_as_its_error(final: str, cls: type[Exception]) -> None:
    pki = make_pki("p256", label="adss-server")
    srv = server(pki, pending_polls=2, final_status=final)
    req = sign_request()
    first = srv.handle(req)
    poller = adss.SignStatusPoller.for_answer(
        req,
        adss.parse_sign_response(first.status, first.body),
        profile_id=PROFILE,
        token=TOKEN,
        certificate=pki.leaf,
        trust_anchors=[pki.root],
        clock=lambda: 0.0,
    )
    step = poller.start()
    with pytest.raises(cls):
        while isinstance(step, adss.Poll):
            answer = srv.handle(step.request)
            step = poller.receive(answer.status, answer.body)
    direct = server(pki, final_status=final).handle(sign_request())
    assert json.loads(direct.body)["status"] == final and "signatures" not in json.loads(direct.body)
    with pytest.raises(InputError):
        server(pki, final_status="PENDING")
