"""CSC authorization (SAD) both halves: the client builders and parsers for info, auth/login,
credentials/authorize, sendOTP and extendTransaction, against EmbeddedCscSigner, which issues SADs
bound to the credential, a count and (SCAL 2 or when given) the hashes, and lets them expire."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cryptokit.encoding import b64decode
from cryptokit.errors import InputError
from cryptokit.hashing import hash_to_sign
from cryptokit.pkcs12 import KeyBundle
from cryptokit.protocols import HttpRequest, HttpResponse, csc
from cryptokit.protocols.csc.server import EmbeddedCscSigner
from tests.pki import Pki, make_pki

TOKEN = "tok-3f9a"
CRED = "cred-1"
PIN = "4711"
OTP = "982451"
DOCS = [b"one", b"two", b"three"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def service(pki: Pki, **options: Any) -> EmbeddedCscSigner:
    options.setdefault("access_token", TOKEN)
    return EmbeddedCscSigner(KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain)), credential_id=CRED, **options)


def hashes(docs: list[bytes] = DOCS) -> list[Any]:
    return [hash_to_sign(d) for d in docs]


def authorize(srv: EmbeddedCscSigner, version: int = 2, **options: Any) -> csc.Sad:
    options.setdefault("access_token", TOKEN)
    options.setdefault("num_signatures", len(DOCS))
    resp = srv.handle(csc.build_authorize_request(CRED, version=version, **options))  # type: ignore[arg-type]
    return csc.parse_authorize_response(resp.status, resp.body)


def sign(srv: EmbeddedCscSigner, sad: str | None, docs: list[bytes] = DOCS, version: int = 2) -> HttpResponse:
    req = csc.build_sign_hash_request(
        hashes(docs),
        credential_id=CRED,
        sign_algo="1.2.840.10045.4.3.2",
        sad=sad,
        version=version,  # type: ignore[arg-type]
        access_token=TOKEN,
    )
    return srv.handle(req)


def refused(resp: HttpResponse, cls: type[csc.CscError], status: int = 400) -> csc.CscError:
    assert resp.status == status, resp.body
    with pytest.raises(cls) as info:
        csc.parse_sign_hash_response(resp.status, resp.body)
    assert type(info.value) is cls, info.value
    return info.value


# --------------------------------------------------------------------------- client half: wire shapes


def test_authorize_bodies_v1_and_v2_hide_secrets() -> None:
    hs = hashes()
    v1 = csc.build_authorize_request(CRED, num_signatures=3, hashes=hs, pin=PIN, otp=OTP, version=1, description="d")
    body = json.loads(v1.body)
    assert v1.path == "/csc/v1/credentials/authorize"
    assert body == {
        "credentialID": CRED,
        "numSignatures": 3,
        "hash": [h.b64 for h in hs],
        "PIN": PIN,
        "OTP": OTP,
        "description": "d",
    }
    v2 = csc.build_authorize_request(CRED, num_signatures=3, hashes=hs, pin=PIN, otp=OTP, client_data="c")
    body = json.loads(v2.body)
    assert body == {
        "credentialID": CRED,
        "numSignatures": 3,
        "hashes": [h.b64 for h in hs],
        "hashAlgorithmOID": "2.16.840.1.101.3.4.2.1",
        "authData": [{"id": "PIN", "value": PIN}, {"id": "OTP", "value": OTP}],
        "clientData": "c",
    }
    assert v2.hashes == tuple(hs) and v2.num_signatures == 3
    for text in (repr(v1), repr(v2)):
        assert PIN not in text and OTP not in text
    # digests as base64 need their algorithm; its length is checked
    raw = csc.build_authorize_request(CRED, num_signatures=1, hashes=[hs[0].b64], hash_algorithm="sha256")
    assert json.loads(raw.body)["hashes"] == [hs[0].b64]
    with pytest.raises(InputError, match="hash_algo"):
        csc.build_authorize_request(CRED, num_signatures=1, hashes=[hs[0].b64])
    with pytest.raises(InputError) as info:
        csc.build_authorize_request(CRED, num_signatures=1, hashes=[hs[0].digest[:20]], hash_algorithm="sha256")
    assert info.value.field == "hashes[0]"
    with pytest.raises(InputError) as info:
        csc.build_authorize_request(CRED, num_signatures=2, hashes=hs)
    assert info.value.field == "num_signatures"
    for bad in (0, True, 10_001):
        with pytest.raises(InputError):
            csc.build_authorize_request(CRED, num_signatures=bad)
    with pytest.raises(InputError):
        csc.build_authorize_request(CRED, num_signatures=1, pin="")


def test_sad_login_and_info_parsers() -> None:
    sad = csc.parse_authorize_response(200, b'{"SAD": "s3cr3t-sad", "expiresIn": 120}')
    assert (sad.sad, sad.expires_in) == ("s3cr3t-sad", 120) and "s3cr3t" not in repr(sad)
    assert csc.parse_authorize_response(200, b'{"SAD": "x"}').expires_in == 3600
    for body in (b'{"expiresIn": 5}', b'{"SAD": ""}', b'{"SAD": "x", "expiresIn": -1}', b'{"SAD": 5}'):
        with pytest.raises(InputError):
            csc.parse_authorize_response(200, body)
    with pytest.raises(csc.CscSadExpired):
        csc.parse_extend_transaction_response(400, b'{"error": "invalid_request", "error_description": "SAD expired"}')

    login = csc.build_login_request("alice", "pa55word", remember_me=True)
    assert login.path == "/csc/v2/auth/login" and json.loads(login.body) == {"rememberMe": True}
    assert b64decode(login.header("Authorization").removeprefix("Basic ")) == b"alice:pa55word"  # type: ignore[union-attr]
    assert "pa55word" not in repr(login)
    with pytest.raises(InputError):
        csc.build_login_request("al:ice", "x")
    token = csc.parse_login_response(200, b'{"access_token": "AT-1", "refresh_token": "RT-1", "expires_in": 60}')
    assert (token.access_token, token.refresh_token, token.expires_in) == ("AT-1", "RT-1", 60)
    assert "AT-1" not in repr(token) and "RT-1" not in repr(token)
    with pytest.raises(csc.CscAuthorizationFailed):
        csc.parse_login_response(401, b'{"error": "authentication_error", "error_description": "bad"}')

    info = csc.parse_info_response(
        200, b'{"specs": "1.0.4.0", "name": "S", "authType": ["basic"], "methods": ["signatures/signHash"]}'
    )
    assert (info.specs, info.auth_types, info.methods) == ("1.0.4.0", ("basic",), ("signatures/signHash",))
    with pytest.raises(InputError, match="methods"):
        csc.parse_info_response(200, b'{"specs": "1", "name": "S", "authType": []}')
    assert json.loads(csc.build_info_request(lang="en-US", version=1).body) == {"lang": "en-US"}
    assert csc.build_info_request().header("Authorization") is None


def test_send_otp_and_extend_builders() -> None:
    req = csc.build_send_otp_request(CRED, version=1, access_token=TOKEN)
    assert req.path == "/csc/v1/credentials/sendOTP" and json.loads(req.body) == {"credentialID": CRED}
    csc.parse_send_otp_response(204, b"")
    csc.parse_send_otp_response(200, b"{}")
    with pytest.raises(InputError):
        csc.parse_send_otp_response(200, b'{"unexpected": 1}')
    ext = csc.build_extend_transaction_request(CRED, "the-sad", hashes=hashes()[:1], version=1)
    assert json.loads(ext.body) == {"credentialID": CRED, "hash": [hashes()[0].b64], "SAD": "the-sad"}
    assert "the-sad" not in repr(ext)


def test_non_json_error_keeps_its_text() -> None:
    with pytest.raises(csc.CscError) as info:
        csc.parse_sign_hash_response(400, b"400: Bad Request\r\n(from the proxy)")
    assert "400: Bad Request (from the proxy)" in info.value.message and info.value.http_status == 400
    with pytest.raises(csc.CscError) as info:
        csc.parse_credential_info(502, "<html>" + "x" * 5000)
    assert info.value.message.endswith("...") and len(info.value.message) < 300


def test_credential_info_ca_certificate_only_when_allowed() -> None:
    pki = make_pki("p256", label="csc-auth")
    ca = EmbeddedCscSigner(KeyBundle(pki.intermediate_key, pki.intermediate, (pki.root,)), credential_id=CRED)
    resp = ca.handle(csc.build_credentials_info_request(CRED))
    with pytest.raises(InputError, match="CA certificate"):
        csc.parse_credential_info(resp.status, resp.body)
    info = csc.parse_credential_info(resp.status, resp.body, allow_ca_certificate=True)
    assert info.certificate == pki.intermediate


# --------------------------------------------------------------------------- both halves: the flow


@pytest.mark.parametrize("version", [1, 2])
def test_full_flow_scal2_pin_otp(version: int) -> None:
    pki = make_pki("p256", label="csc-auth")
    sent: list[str] = []
    srv = service(pki, scal=2, pin=PIN, otp=OTP, send_otp=sent.append)
    info_resp = srv.handle(csc.build_info_request(version=version))  # type: ignore[arg-type]
    info = csc.parse_info_response(info_resp.status, info_resp.body)
    assert "credentials/authorize" in info.methods and "credentials/sendOTP" in info.methods
    lst = srv.handle(csc.build_credentials_list_request(version=version, access_token=TOKEN))  # type: ignore[arg-type]
    assert csc.parse_credentials_list(lst.status, lst.body).credential_ids == (CRED,)
    cred_resp = srv.handle(csc.build_credentials_info_request(CRED, version=version, access_token=TOKEN))  # type: ignore[arg-type]
    cred = csc.parse_credential_info(cred_resp.status, cred_resp.body)
    assert (cred.auth_mode, cred.scal) == ("explicit", "2")
    otp_resp = srv.handle(csc.build_send_otp_request(CRED, version=version, access_token=TOKEN))  # type: ignore[arg-type]
    csc.parse_send_otp_response(otp_resp.status, otp_resp.body)
    assert sent == [CRED]
    # SCAL 2: no SAD without the hashes
    resp = srv.handle(
        csc.build_authorize_request(CRED, num_signatures=3, pin=PIN, otp=OTP, version=version, access_token=TOKEN)  # type: ignore[arg-type]
    )
    refused(resp, csc.CscInvalidHash)
    sad = authorize(srv, version, hashes=hashes(), pin=PIN, otp=OTP)
    # another hash than the bound ones is refused before anything is signed or used up
    refused(sign(srv, sad.sad, [b"other"], version), csc.CscInvalidHash)
    resp = sign(srv, sad.sad, DOCS, version)
    assert resp.status == 200, resp.body
    req = csc.build_sign_hash_request(hashes(), credential_id=CRED, sign_algo="1.2.840.10045.4.3.2", sad=sad.sad)
    result = csc.parse_sign_hash_response(resp.status, resp.body)
    assert csc.verify_sign_hash_response(req, result, certificates=cred, trust_anchors=[pki.root]).ok
    # used up: the same SAD signs nothing more
    refused(sign(srv, sad.sad, DOCS[:1], version), csc.CscInvalidSad)


@pytest.mark.parametrize(
    ("pin", "otp", "cls"),
    [("0000", OTP, csc.CscInvalidPin), (PIN, "000000", csc.CscInvalidOtp), (None, OTP, csc.CscInvalidPin)],
)
def test_wrong_pin_or_otp(pin: str | None, otp: str, cls: type[csc.CscError]) -> None:
    srv = service(make_pki("p256", label="csc-auth"), pin=PIN, otp=OTP)
    resp = srv.handle(csc.build_authorize_request(CRED, num_signatures=1, pin=pin, otp=otp, access_token=TOKEN))
    refused(resp, cls)


def test_count_without_hash_binding_scal1() -> None:
    srv = service(make_pki("p256", label="csc-auth"))
    cred = srv.handle(csc.build_credentials_info_request(CRED, access_token=TOKEN))
    assert csc.parse_credential_info(cred.status, cred.body).auth_mode == "implicit"
    sad = authorize(srv, num_signatures=2)
    assert sign(srv, sad.sad, DOCS[:1]).status == 200
    refused(sign(srv, sad.sad, DOCS[1:3]), csc.CscInvalidSad)  # two asked, one left: nothing signed
    assert sign(srv, sad.sad, DOCS[2:3]).status == 200
    refused(sign(srv, sad.sad, DOCS[:1]), csc.CscInvalidSad)


def test_hash_binding_counts_each_hash_once() -> None:
    srv = service(make_pki("p256", label="csc-auth"))
    sad = authorize(srv, num_signatures=2, hashes=hashes(DOCS[:2]))
    assert sign(srv, sad.sad, DOCS[:1]).status == 200
    refused(sign(srv, sad.sad, DOCS[:1]), csc.CscInvalidHash)  # hash 0 is used up
    assert sign(srv, sad.sad, DOCS[1:2]).status == 200


def test_sad_expires_and_extends() -> None:
    clock = Clock()
    srv = service(make_pki("p256", label="csc-auth"), clock=clock, sad_lifetime=60)
    sad = authorize(srv)
    assert sad.expires_in == 60
    clock.now += 59
    ext = srv.handle(csc.build_extend_transaction_request(CRED, sad.sad, access_token=TOKEN))
    new = csc.parse_extend_transaction_response(ext.status, ext.body)
    refused(sign(srv, sad.sad), csc.CscInvalidSad)  # the old SAD is gone
    clock.now += 59
    assert sign(srv, new.sad, DOCS[:1]).status == 200
    clock.now += 2
    refused(sign(srv, new.sad, DOCS[1:2]), csc.CscSadExpired)


def test_sad_is_bound_to_its_signer_and_credential() -> None:
    pki = make_pki("p256", label="csc-auth")
    one, other = service(pki), service(pki)
    sad = authorize(one)
    refused(sign(other, sad.sad), csc.CscInvalidSad)
    refused(sign(one, "made-up-sad"), csc.CscInvalidSad)
    refused(sign(one, None), csc.CscInvalidSad)
    # a configured external SAD is still accepted (without count or hash binding)
    static = service(pki, sad="external-sad")
    assert sign(static, "external-sad").status == 200


def test_no_authentication_when_access_token_is_none() -> None:
    srv = service(make_pki("p256", label="csc-auth"), access_token=None)
    resp = srv.handle(csc.build_authorize_request(CRED, num_signatures=1))
    sad = csc.parse_authorize_response(resp.status, resp.body)
    req = csc.build_sign_hash_request(
        hashes(DOCS[:1]), credential_id=CRED, sign_algo="1.2.840.10045.4.3.2", sad=sad.sad
    )
    assert req.header("Authorization") is None
    assert srv.handle(req).status == 200
    guarded = service(make_pki("p256", label="csc-auth"))
    refused(guarded.handle(csc.build_authorize_request(CRED, num_signatures=1)), csc.CscTokenError, 401)
    refused(guarded.handle(req), csc.CscTokenError, 401)


@pytest.mark.parametrize(
    "path", ["/csc/v2/signatures/timestamp", "/csc/v1/credentials/foo", "/other/path", "/csc/v2/auth/login"]
)
def test_unknown_endpoint_is_named(path: str) -> None:
    srv = service(make_pki("p256", label="csc-auth"))
    error = refused(
        srv.handle(HttpRequest("POST", path, {}, {"Authorization": f"Bearer {TOKEN}"}, b"{}")),
        csc.CscInvalidRequest,
        404,
    )
    assert error.message.startswith("Unknown endpoint") and path.split("/", 3)[-1] in error.message
    assert "signHash" not in error.message


def test_send_otp_without_hook_and_failing_hook() -> None:
    pki = make_pki("p256", label="csc-auth")
    req = csc.build_send_otp_request(CRED, access_token=TOKEN)
    refused(service(pki).handle(req), csc.CscInvalidRequest)

    def broken(credential_id: str) -> None:
        raise RuntimeError("smtp password=hunter2 refused")

    resp = service(pki, otp=OTP, send_otp=broken).handle(req)
    error = refused(resp, csc.CscServerError, 500)
    assert "hunter2" not in error.message


def test_v2_credentials_info_auth_object_and_list_infos() -> None:
    srv = service(make_pki("p256", label="csc-auth"), pin=PIN, scal=2)
    doc = json.loads(srv.handle(csc.build_credentials_info_request(CRED, access_token=TOKEN)).body)
    assert doc["auth"] == {"mode": "explicit", "objects": [{"type": "Password", "id": "PIN"}]} and doc["SCAL"] == "2"
    doc1 = json.loads(srv.handle(csc.build_credentials_info_request(CRED, version=1, access_token=TOKEN)).body)
    assert doc1["authMode"] == "explicit" and doc1["PIN"]["presence"] == "true"
    resp = srv.handle(csc.build_credentials_list_request(credential_info=True, access_token=TOKEN))
    listed = csc.parse_credentials_list(resp.status, resp.body)
    assert listed.credential_infos[0].credential_id == CRED and listed.credential_infos[0].scal == "2"
