"""CSC server half: signHash requests built by the real client half, answered by EmbeddedCscSigner, read
back by the real client parser and verified offline; every refusal comes back as the matching class."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from Crypto.Hash import SHA384 as PycSHA384
from Crypto.PublicKey import RSA as PycRSA
from Crypto.Signature import pss as pyc_pss
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from cryptokit.encoding import b64encode
from cryptokit.errors import InputError, UnsupportedAlgorithm
from cryptokit.hashing import hash_to_sign
from cryptokit.pkcs12 import KeyBundle
from cryptokit.protocols import HttpRequest, HttpResponse, csc
from cryptokit.protocols.csc.server import (
    EmbeddedCscSigner,
    build_error_response,
    build_sign_hash_response,
    parse_sign_hash_request,
    sign_hashes,
)
from cryptokit.report import Indication
from tests.pki import Pki, make_key, make_pki

TOKEN = "eyJhbGciOiJIUzI1NiJ9.tok"
SAD = "_TiHRG-bAH3XlFQZ3ndFhkXf9P24/CKN69L8gdSYp5_pw"
CRED = "GX0112348"
DOCS = [b"invoice 1", b"invoice 2", b"contract"]
SHA256_RSA = "1.2.840.113549.1.1.11"
ECDSA_SHA256 = "1.2.840.10045.4.3.2"
ECDSA_PLAIN_SHA256 = "0.4.0.127.0.7.1.1.4.1.3"


def signer(pki: Pki, **options: Any) -> EmbeddedCscSigner:
    options.setdefault("access_token", TOKEN)
    options.setdefault("sad", SAD)
    return EmbeddedCscSigner(KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain)), credential_id=CRED, **options)


def sign_request(sign_algo: str = csc.RSA_ENCRYPTION, *, alg: str = "sha256", **options: Any) -> csc.SignHashRequest:
    options.setdefault("access_token", TOKEN)
    options.setdefault("sad", SAD)
    hashes = [hash_to_sign(d, alg) for d in DOCS]
    return csc.build_sign_hash_request(hashes, credential_id=CRED, sign_algo=sign_algo, **options)


def refused(response: HttpResponse, cls: type[csc.CscError], error: str, http_status: int) -> csc.CscError:
    assert response.status == http_status
    assert json.loads(response.body)["error"] == error
    with pytest.raises(cls) as info:
        csc.parse_sign_hash_response(response.status, response.body)
    assert type(info.value) is cls
    assert (info.value.code, info.value.http_status) == (error, http_status)
    return info.value


def tamper(req: HttpRequest, mutate: Any) -> HttpRequest:
    body = json.loads(req.body)
    mutate(body)
    return HttpRequest(req.method, req.path, req.query, req.headers, orjson.dumps(body))


# --------------------------------------------------------------------------- round trips

CASES = [
    ("rsa2048", csc.RSA_ENCRYPTION, {}, "pkcs1v15", None),
    ("rsa2048", SHA256_RSA, {}, "pkcs1v15", None),
    ("rsa2048", csc.RSASSA_PSS, {}, "pss", None),
    ("rsa2048", csc.RSASSA_PSS, {"pss_salt_length": 20, "alg": "sha384"}, "pss", None),
    ("p256", ECDSA_SHA256, {}, "ecdsa", "der"),
    ("p256", ECDSA_PLAIN_SHA256, {}, "ecdsa", "raw"),
]


@pytest.mark.parametrize("version", [1, 2])
@pytest.mark.parametrize(("kind", "sign_algo", "options", "scheme", "encoding"), CASES)
def test_round_trip_verifies(
    version: int, kind: str, sign_algo: str, options: dict[str, Any], scheme: str, encoding: str | None
) -> None:
    pki = make_pki(kind, label="csc-server")
    srv = signer(pki, key_algos=[sign_algo])
    req = sign_request(sign_algo, version=version, **options)
    assert req.path == f"/csc/v{version}/signatures/signHash"
    response = srv.handle(req)
    assert response.status == 200, response.body
    result = csc.parse_sign_hash_response(response.status, response.body, request=req)
    assert len(result.signatures) == len(DOCS)
    report = csc.verify_sign_hash_response(
        req, result, certificates=[pki.leaf, pki.intermediate], trust_anchors=[pki.root]
    )
    assert report.ok and report.indication is Indication.TOTAL_PASSED, report.to_dict()
    assert [(d.match.scheme, d.match.encoding) for d in report.documents if d.match] == [(scheme, encoding)] * 3


def test_credentials_info_then_sign() -> None:
    pki = make_pki("p256", label="csc-server")
    srv = signer(pki, multisign=3)
    info_req = csc.build_credentials_info_request(CRED, access_token=TOKEN)
    info_resp = srv.handle(info_req)
    info = csc.parse_credential_info(info_resp.status, info_resp.body, credential_id=CRED)
    assert info.certificate == pki.leaf and info.chain == tuple(pki.chain) and info.multisign == 3
    assert info.key_curve == "1.2.840.10045.3.1.7" and ECDSA_SHA256 in info.key_algos
    req = sign_request(ECDSA_SHA256, credential=info)
    resp = srv.handle(req)
    report = csc.verify_sign_hash_response(
        req, csc.parse_sign_hash_response(resp.status, resp.body), certificates=info, trust_anchors=[pki.root]
    )
    assert report.ok
    wrong = csc.build_credentials_info_request("other", access_token=TOKEN)
    refused(srv.handle(wrong), csc.CscInvalidRequest, "invalid_request", 400)


def test_pss_signature_verifies_with_pycryptodome() -> None:
    """An independent verifier: RSASSA-PSS, SHA-384, MGF1-SHA-384, salt 20 as signAlgoParams say."""
    pki = make_pki("rsa2048", label="csc-server")
    req_in = parse_sign_hash_request(sign_request(csc.RSASSA_PSS, alg="sha384", pss_salt_length=20))
    assert req_in.pss is not None and req_in.pss.salt_length == 20
    signatures = sign_hashes(req_in, KeyBundle(pki.leaf_key, pki.leaf))
    pem = pki.leaf_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    verifier = pyc_pss.new(PycRSA.import_key(pem).public_key(), salt_bytes=20)
    for data, signature in zip(DOCS, signatures, strict=True):
        verifier.verify(PycSHA384.new(data), signature)


def test_parse_keeps_fields_and_hides_secrets() -> None:
    req_in = parse_sign_hash_request(sign_request(version=1, client_data="ref 42"))
    assert (req_in.version, req_in.credential_id, req_in.client_data) == (1, CRED, "ref 42")
    assert [h.digest for h in req_in.hashes] == [hash_to_sign(d).digest for d in DOCS]
    assert req_in.sign_algorithm.oid == csc.RSA_ENCRYPTION and req_in.hash_algorithm.name == "sha256"
    assert req_in.access_token_matches(TOKEN) and req_in.sad_matches(SAD) and not req_in.sad_matches(SAD + "x")
    assert TOKEN not in repr(req_in) and SAD not in repr(req_in)


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("mutate", "description"),
    [
        (lambda b: b["hashes"].__setitem__(1, b64encode(b"\x01" * 20)), "Invalid digest value length"),
        (lambda b: b["hashes"].__setitem__(0, "not base64!"), "Invalid Base64 hash string parameter"),
        (lambda b: b.update(hashes=[]), "Empty hash array"),
        (lambda b: b.pop("hashes"), "Missing (or invalid type) array parameter hashes"),
    ],
)
def test_bad_hashes_are_invalid_hash(mutate: Any, description: str) -> None:
    srv = signer(make_pki("rsa2048", label="csc-server"))
    error = refused(srv.handle(tamper(sign_request(), mutate)), csc.CscInvalidHash, "invalid_request", 400)
    assert error.message == description


def test_wrong_length_v1_hash() -> None:
    srv = signer(make_pki("rsa2048", label="csc-server"))
    bad = tamper(sign_request(version=1), lambda b: b["hash"].__setitem__(0, b64encode(b"\x01" * 31)))
    assert refused(srv.handle(bad), csc.CscInvalidHash, "invalid_request", 400).message == "Invalid digest value length"


def test_bearer_token_refusals() -> None:
    srv = signer(make_pki("rsa2048", label="csc-server"))
    req = sign_request()
    missing = srv.handle(HttpRequest(req.method, req.path, {}, {"Content-Type": "application/json"}, req.body))
    refused(missing, csc.CscTokenError, "invalid_token", 401)
    assert missing.header("WWW-Authenticate") == "Bearer"
    basic = HttpRequest(req.method, req.path, {}, {"Authorization": "Basic dTpw"}, req.body)
    assert refused(srv.handle(basic), csc.CscInvalidRequest, "invalid_request", 400).message == (
        "Malformed authorization header"
    )
    refused(srv.handle(sign_request(access_token="stolen")), csc.CscTokenError, "invalid_token", 401)


def test_wrong_path_method_and_json() -> None:
    srv = signer(make_pki("rsa2048", label="csc-server"))
    req = sign_request()
    refused(
        srv.handle(HttpRequest("POST", "/csc/v2/signatures/signDoc", {}, req.headers, req.body)),
        csc.CscInvalidRequest,
        "invalid_request",
        404,
    )
    get = srv.handle(HttpRequest("GET", req.path, {}, req.headers, b""))
    refused(get, csc.CscInvalidRequest, "invalid_request", 405)
    assert get.header("Allow") == "POST"
    for body in (b"{oops", b"[]", b""):
        refused(
            srv.handle(HttpRequest("POST", req.path, {}, req.headers, body)),
            csc.CscInvalidRequest,
            "invalid_request",
            400,
        )
    v1_body_on_v2 = HttpRequest("POST", req.path, {}, req.headers, sign_request(version=1).body)
    refused(srv.handle(v1_body_on_v2), csc.CscInvalidRequest, "invalid_request", 400)


@pytest.mark.parametrize(
    ("request_options", "server_options", "cls", "description"),
    [
        ({"sad": "wrong"}, {}, csc.CscInvalidSad, "Invalid parameter SAD"),
        ({"sad": None}, {}, csc.CscInvalidSad, "Missing (or invalid type) string parameter SAD"),
        ({"credential_id": "other"}, {}, csc.CscInvalidRequest, "Invalid parameter credentialID"),
        ({}, {"multisign": 2}, csc.CscInvalidHash, "Invalid array parameter hash: 3 hashes, multisign is 2"),
        ({"sign_algo": ECDSA_SHA256}, {"key_algos": [ECDSA_SHA256]}, csc.CscInvalidRequest, None),
        ({"sign_algo": SHA256_RSA}, {"key_algos": [csc.RSA_ENCRYPTION]}, csc.CscInvalidRequest, None),
        ({"operation_mode": "A"}, {}, csc.CscInvalidRequest, None),
    ],
)
def test_credential_checks(
    request_options: dict[str, Any], server_options: dict[str, Any], cls: type[csc.CscError], description: str | None
) -> None:
    srv = signer(make_pki("rsa2048", label="csc-server"), **server_options)
    hashes = [hash_to_sign(d) for d in DOCS]
    options: dict[str, Any] = {"credential_id": CRED, "sign_algo": csc.RSA_ENCRYPTION, "sad": SAD}
    options.update(request_options)
    req = csc.build_sign_hash_request(hashes, access_token=TOKEN, **options)
    error = refused(srv.handle(req), cls, "invalid_request", 400)
    if description is not None:
        assert error.message == description
    else:
        assert error.message.startswith("Invalid parameter")


# --------------------------------------------------------------------------- builders

ERROR_ROWS = [
    ("invalid_request", "SAD expired", csc.CscSadExpired, 400),
    ("invalid_request", "Credential locked", csc.CscCredentialUnavailable, 400),
    ("invalid_otp", "The OTP is invalid", csc.CscInvalidOtp, 400),
    ("invalid_token", "The access token expired", csc.CscTokenError, 401),
    ("access_denied", "denied", csc.CscTokenError, 403),
    ("server_error", "Internal error", csc.CscServerError, 500),
]


@pytest.mark.parametrize(("error", "description", "cls", "status"), ERROR_ROWS)
def test_error_answers_map_back_to_their_class(
    error: str, description: str, cls: type[csc.CscError], status: int
) -> None:
    response = build_error_response(error, description)
    error_obj = refused(response, cls, error, status)
    assert error_obj.message == description


def test_answer_builders_check_their_arguments() -> None:
    assert json.loads(build_sign_hash_response([b"\x01\x02"], version=1).body) == {"signatures": ["AQI="]}
    pending = build_sign_hash_response([], version=2, response_id="12345678")
    assert csc.parse_sign_hash_response(pending.status, pending.body).response_id == "12345678"
    bad_calls: list[Callable[[], object]] = [
        lambda: build_sign_hash_response([], version=2),
        lambda: build_sign_hash_response([b"x"], version=3),
        lambda: build_sign_hash_response([], version=1, response_id="1"),
        lambda: build_sign_hash_response(["AQI="], version=2),  # type: ignore[list-item]
        lambda: build_error_response("bad error name", "x"),
        lambda: build_error_response("invalid_request", "x", http_status=200),
    ]
    for bad in bad_calls:
        with pytest.raises(InputError):
            bad()


def test_unusable_signers() -> None:
    pki = make_pki("rsa2048", label="csc-server")
    with pytest.raises(UnsupportedAlgorithm):
        EmbeddedCscSigner(KeyBundle(make_key("ed25519", "csc-server"), pki.leaf), credential_id=CRED)
    with pytest.raises(InputError):
        EmbeddedCscSigner(KeyBundle(pki.leaf_key, None), credential_id=CRED)
    with pytest.raises(InputError):
        signer(pki).handle("POST /csc/v2/signatures/signHash")  # type: ignore[arg-type]
