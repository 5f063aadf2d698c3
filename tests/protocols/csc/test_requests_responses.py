"""CSC API: signHash / credentials builders, parsers and the error table."""

from __future__ import annotations

import orjson
import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import Encoding

from cryptokit.algorithms import hash_algorithm
from cryptokit.encoding import b64decode, b64encode
from cryptokit.errors import InputError, UnsupportedAlgorithm, VendorError
from cryptokit.hashing import hash_to_sign
from cryptokit.protocols import HttpRequest, csc
from tests.pki import make_key, make_pki

SHA256 = "2.16.840.1.101.3.4.2.1"
SHA384 = "2.16.840.1.101.3.4.2.2"
SHA256_RSA = "1.2.840.113549.1.1.11"
ECDSA_SHA256 = "1.2.840.10045.4.3.2"
SAD = "_TiHRG-bAH3XlFQZ3ndFhkXf9P24/CKN69L8gdSYp5_pw"
TOKEN = "4/CKN69L8gdSYp5_pwH3XlFQZ3ndFhkXf9P2_TiHRG-bA"

# CSC API v1.0.4.0, 11.9 signatures/signHash, sample request.
V1_SAMPLE = {
    "credentialID": "GX0112348",
    "SAD": SAD,
    "hash": ["sTOgwOm+474gFj0q0x1iSNspKqbcse4IeiqlDg/HWuI=", "HZQzZmMAIWekfGH0/ZKW1nsdt0xg3H6bZYztgsMTLw0="],
    "hashAlgo": SHA256,
    "signAlgo": "1.2.840.113549.1.1.1",
    "clientData": "12345678",
}
# CSC API v2.0, 11.10 signatures/signHash, sample request (its second hash is 44 bytes: not a SHA-256).
V2_SAMPLE = {
    "credentialID": "GX0112348",
    "SAD": SAD,
    "hashes": [
        "sTOgwOm+474gFj0q0x1iSNspKqbcse4IeiqlDg/HWuI=",
        "c1RPZ3dPbSs0NzRnRmowcTB4MWlTTnNwS3FiY3NlNEllaXFsRGcvSFd1ST0=",
    ],
    "hashAlgorithmOID": SHA256,
    "signAlgo": "1.2.840.113549.1.1.1",
    "clientData": "12345678",
}


def body(req: HttpRequest) -> dict[str, object]:
    out = orjson.loads(req.body)
    assert isinstance(out, dict)
    return out


# --------------------------------------------------------------------------- signHash builder


def test_v1_request_equals_the_spec_sample_field_by_field() -> None:
    req = csc.build_sign_hash_request(
        V1_SAMPLE["hash"],
        credential_id="GX0112348",
        sad=SAD,
        hash_algo=SHA256,
        sign_algo="1.2.840.113549.1.1.1",
        client_data="12345678",
        version=1,
        access_token=TOKEN,
    )
    assert body(req) == V1_SAMPLE
    assert list(body(req)) == list(V1_SAMPLE)
    assert (req.method, req.path) == ("POST", "/csc/v1/signatures/signHash")
    assert req.header("authorization") == f"Bearer {TOKEN}"
    assert req.header("content-type") == "application/json"
    assert [h.b64 for h in req.hashes] == V1_SAMPLE["hash"]


def test_v2_request_equals_the_spec_sample_and_refuses_its_wrong_length_hash() -> None:
    with pytest.raises(InputError) as err:
        csc.build_sign_hash_request(
            V2_SAMPLE["hashes"],
            credential_id="GX0112348",
            sad=SAD,
            hash_algo=SHA256,
            sign_algo="1.2.840.113549.1.1.1",
        )
    assert err.value.field == "hashes[1]" and "44 bytes" in err.value.rule
    first = V2_SAMPLE["hashes"][:1]
    req = csc.build_sign_hash_request(
        first,
        credential_id="GX0112348",
        sad=SAD,
        hash_algo=SHA256,
        sign_algo="1.2.840.113549.1.1.1",
        client_data="12345678",
    )
    assert body(req) == {**V2_SAMPLE, "hashes": first}
    assert req.path == "/csc/v2/signatures/signHash" and req.version == 2 and req.operation_mode == "S"


def test_hash_to_sign_values_fill_hash_algo_for_rsa_encryption() -> None:
    hs = [hash_to_sign(b"a", "sha384"), hash_to_sign(b"b", "sha384")]
    req = csc.build_sign_hash_request(hs, credential_id="c", sad="s", sign_algo=csc.RSA_ENCRYPTION)
    assert body(req)["hashAlgorithmOID"] == SHA384
    assert body(req)["hashes"] == [h.b64 for h in hs]
    req1 = csc.build_sign_hash_request(hs, credential_id="c", sad="s", sign_algo=csc.RSA_ENCRYPTION, version=1)
    assert body(req1)["hashAlgo"] == SHA384 and "hashAlgorithmOID" not in body(req1)


def test_a_single_hash_to_sign_is_one_hash() -> None:
    h = hash_to_sign(b"one", "sha512")
    req = csc.build_sign_hash_request(h, credential_id="c", sad="s", sign_algo=csc.RSA_ENCRYPTION)
    assert req.hashes == (h,) and body(req)["hashes"] == [h.b64]
    assert body(req)["hashAlgorithmOID"] == "2.16.840.1.101.3.4.2.3"


def test_raw_digests_need_hash_algo_with_rsa_encryption() -> None:
    with pytest.raises(InputError) as err:
        csc.build_sign_hash_request([bytes(32)], credential_id="c", sad="s", sign_algo=csc.RSA_ENCRYPTION)
    assert err.value.field == "hash_algo"


@pytest.mark.parametrize("sign_algo", [SHA256_RSA, ECDSA_SHA256, "0.4.0.127.0.7.1.1.4.1.3"])
def test_hash_algo_follows_from_sign_algo_and_is_left_out(sign_algo: str) -> None:
    req = csc.build_sign_hash_request([bytes(32)], credential_id="c", sad="s", sign_algo=sign_algo)
    b = body(req)
    assert "hashAlgorithmOID" not in b and "hashAlgo" not in b and b["signAlgo"] == sign_algo
    assert req.hashes[0].algorithm.name == "sha256"


def test_hash_of_another_algorithm_than_sign_algo_is_refused() -> None:
    with pytest.raises(InputError):
        csc.build_sign_hash_request([hash_to_sign(b"x", "sha384")], credential_id="c", sad="s", sign_algo=SHA256_RSA)
    with pytest.raises(InputError):
        csc.build_sign_hash_request([bytes(32)], credential_id="c", sad="s", sign_algo=SHA256_RSA, hash_algo=SHA384)
    with pytest.raises(InputError) as err:
        csc.build_sign_hash_request([bytes(48)], credential_id="c", sad="s", sign_algo=SHA256_RSA)
    assert err.value.field == "hashes[0]"


def test_mixed_hash_algorithms_are_refused() -> None:
    hs = [hash_to_sign(b"a", "sha256"), hash_to_sign(b"b", "sha384")]
    with pytest.raises(InputError) as err:
        csc.build_sign_hash_request(hs, credential_id="c", sad="s", sign_algo=csc.RSA_ENCRYPTION)
    assert err.value.field == "hashes[1]"


def test_more_hashes_than_multisign_are_refused() -> None:
    hs = [hash_to_sign(bytes([i])) for i in range(3)]
    with pytest.raises(InputError) as err:
        csc.build_sign_hash_request(hs, credential_id="c", sad="s", sign_algo=SHA256_RSA, multisign=2)
    assert err.value.field == "hashes" and "multisign of 2" in err.value.rule
    assert (
        len(csc.build_sign_hash_request(hs, credential_id="c", sad="s", sign_algo=SHA256_RSA, multisign=3).hashes) == 3
    )


def test_credential_info_caps_hashes_and_algorithms() -> None:
    pki = make_pki("rsa2048", label="csc")
    info = csc.parse_credential_info(200, credential_info_body([pki.leaf, pki.intermediate], multisign=1))
    hs = [hash_to_sign(b"a"), hash_to_sign(b"b")]
    with pytest.raises(InputError):
        csc.build_sign_hash_request(hs, credential_id="c", sad="s", sign_algo=SHA256_RSA, credential=info)
    with pytest.raises(InputError) as err:
        csc.build_sign_hash_request(hs[:1], credential_id="c", sad="s", sign_algo=ECDSA_SHA256, credential=info)
    assert err.value.field == "sign_algo"
    csc.build_sign_hash_request(hs[:1], credential_id="c", sad="s", sign_algo=SHA256_RSA, credential=info)


def test_pss_request_carries_der_rsassa_pss_params_like_openssl() -> None:
    h = hash_to_sign(b"doc")
    req = csc.build_sign_hash_request([h], credential_id="c", sad="s", sign_algo=csc.RSASSA_PSS)
    b = body(req)
    assert b["signAlgo"] == "1.2.840.113549.1.1.10" and b["hashAlgorithmOID"] == SHA256
    params = b64decode(b["signAlgoParams"])  # type: ignore[arg-type]
    # The same DER that OpenSSL (through cryptography) writes into a PSS-signed certificate.
    key = make_key("rsa2048", "csc")
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([]))
        .issuer_name(x509.Name([]))
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(__import__("datetime").datetime(2020, 1, 1))
        .not_valid_after(__import__("datetime").datetime(2030, 1, 1))
        .sign(key, hashes.SHA256(), rsa_padding=padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32))
    )
    openssl_params = asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))["signature_algorithm"]["parameters"]
    assert params == openssl_params.dump()
    assert req.pss == csc.PssParams(h.algorithm, h.algorithm, 32)


def test_pss_params_given_are_checked_against_the_hash() -> None:
    h = hash_to_sign(b"doc")
    given = csc.encode_pss_params("sha256", salt_length=0)
    req = csc.build_sign_hash_request([h], credential_id="c", sad="s", sign_algo=csc.RSASSA_PSS, sign_algo_params=given)
    assert b64decode(body(req)["signAlgoParams"]) == given  # type: ignore[arg-type]
    assert req.pss is not None and req.pss.salt_length == 0
    with pytest.raises(InputError):
        csc.build_sign_hash_request(
            [h], credential_id="c", sad="s", sign_algo=csc.RSASSA_PSS, sign_algo_params=csc.encode_pss_params("sha384")
        )
    with pytest.raises(InputError):
        csc.build_sign_hash_request([h], credential_id="c", sad="s", sign_algo=SHA256_RSA, sign_algo_params=given)
    with pytest.raises(InputError):
        csc.build_sign_hash_request(
            [h], credential_id="c", sad="s", sign_algo=csc.RSASSA_PSS, sign_algo_params=b"\x30\x03"
        )


def test_pss_params_defaults_are_the_rfc_defaults() -> None:
    sha1 = hash_algorithm("sha1")
    assert csc.parse_pss_params(b"\x30\x00") == csc.PssParams(sha1, sha1, 20)
    assert csc.encode_pss_params("sha1") == b"\x30\x00"
    assert csc.parse_pss_params(csc.encode_pss_params("sha384", salt_length=7)).salt_length == 7


def test_v2_async_mode_and_its_fields() -> None:
    h = hash_to_sign(b"x")
    req = csc.build_sign_hash_request(
        [h],
        credential_id="c",
        sad="s",
        sign_algo=SHA256_RSA,
        operation_mode="A",
        validity_period=60000,
        response_uri="https://client.example/done",
    )
    b = body(req)
    assert (b["operationMode"], b["validity_period"], b["response_uri"]) == ("A", 60000, "https://client.example/done")
    assert req.operation_mode == "A"
    with pytest.raises(InputError):
        csc.build_sign_hash_request([h], credential_id="c", sad="s", sign_algo=SHA256_RSA, validity_period=5)
    with pytest.raises(InputError):
        csc.build_sign_hash_request(
            [h], credential_id="c", sad="s", sign_algo=SHA256_RSA, version=1, operation_mode="A"
        )
    with pytest.raises(InputError):
        csc.build_sign_hash_request([h], credential_id="c", sign_algo=SHA256_RSA, version=1)  # v1 needs the SAD
    polling = csc.build_sign_polling_request("158112-652341-khj", access_token=TOKEN)
    assert polling.path == "/csc/v2/signatures/signPolling" and body(polling) == {"responseID": "158112-652341-khj"}


def test_ed25519_and_unknown_sign_algorithms_are_refused() -> None:
    with pytest.raises(UnsupportedAlgorithm):
        csc.build_sign_hash_request([bytes(32)], credential_id="c", sad="s", sign_algo="1.3.101.112", hash_algo=SHA256)
    with pytest.raises(UnsupportedAlgorithm):
        csc.build_sign_hash_request([bytes(32)], credential_id="c", sad="s", sign_algo="1.2.3.4")


def test_secrets_stay_out_of_repr() -> None:
    req = csc.build_sign_hash_request(
        [hash_to_sign(b"x")], credential_id="c", sad=SAD, sign_algo=SHA256_RSA, access_token=TOKEN
    )
    text = repr(req) + str(req)
    assert SAD not in text and TOKEN not in text and "Bearer" not in text


def test_request_body_parses_back() -> None:
    for version in (1, 2):
        req = csc.build_sign_hash_request(
            [hash_to_sign(b"a"), hash_to_sign(b"b")],
            credential_id="c",
            sad="s",
            sign_algo=csc.RSASSA_PSS,
            version=version,
        )
        again = csc.parse_sign_hash_request(req.body)
        assert again.body == req.body and again.hashes == req.hashes and again.pss == req.pss
    with pytest.raises(InputError):
        csc.parse_sign_hash_request(b'{"credentialID": "c", "hashes": [], "signAlgo": "1.2.840.113549.1.1.11"}')
    with pytest.raises(InputError):
        csc.parse_sign_hash_request(b'{"credentialID": "c", "hashes": ["AA=="], "signAlgo": 5}')


def test_credentials_info_and_list_requests() -> None:
    info = csc.build_credentials_info_request("GX0112348", cert_info=True, auth_info=True, access_token=TOKEN)
    assert body(info) == {"credentialID": "GX0112348", "certificates": "chain", "certInfo": True, "authInfo": True}
    assert info.path == "/csc/v2/credentials/info"
    lst = csc.build_credentials_list_request(credential_info=True, certificates="chain", version=2)
    assert body(lst) == {"credentialInfo": True, "certificates": "chain"}
    v1 = csc.build_credentials_list_request(
        user_id="u", max_results=10, version=1, base_path="/adss/service/ras/csc/v1"
    )
    assert v1.path == "/adss/service/ras/csc/v1/credentials/list" and body(v1) == {"userID": "u", "maxResults": 10}
    with pytest.raises(InputError):
        csc.build_credentials_list_request(credential_info=True, version=1)


# --------------------------------------------------------------------------- signHash response


def test_sync_response_spec_sample() -> None:
    first = "KedJuTob5gtvYx9qM3k3gm7kbLBwVbEQRl26S2tmXjqNND7MRGtoew=="
    # The spec's second sample value is made up: its last quantum has non-zero trailing bits, so
    # strict base64 (the default everywhere in cryptokit) refuses it.
    second = "Idhef7xzgtvYx9qM3k3gm7kbLBwVbE98239S2tm8hUh85KKsfdowel=="
    res = csc.parse_sign_hash_response(200, orjson.dumps({"signatures": [first, first]}))
    assert [b64encode(s) for s in res.signatures] == [first, first]
    assert not res.pending and res.response_id is None
    with pytest.raises(InputError) as err:
        csc.parse_sign_hash_response(200, orjson.dumps({"signatures": [first, second]}))
    assert err.value.field == "body.signatures[1]"


def test_async_response_spec_sample() -> None:
    res = csc.parse_sign_hash_response(200, b'{"responseID": "158112-652341-khj"}')
    assert res.pending and res.response_id == "158112-652341-khj" and res.signatures == ()
    sync_req = csc.build_sign_hash_request([hash_to_sign(b"x")], credential_id="c", sad="s", sign_algo=SHA256_RSA)
    with pytest.raises(InputError):
        csc.parse_sign_hash_response(200, b'{"responseID": "158112-652341-khj"}', request=sync_req)


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[]",
        b"{}",
        b'{"signatures": "AAAA"}',
        b'{"signatures": [1]}',
        b'{"signatures": ["not base64!"]}',
        b'{"signatures": ["AAAB="]}',
        b'{"signatures": [""]}',
        b'{"signatures": ["AAAA"], "responseID": "x"}',
        b'{"responseID": 5}',
        b"",
    ],
)
def test_sign_hash_response_of_the_wrong_shape_is_input_error(raw: bytes) -> None:
    with pytest.raises(InputError):
        csc.parse_sign_hash_response(200, raw)


def test_oversized_body_is_refused() -> None:
    with pytest.raises(InputError):
        csc.parse_sign_hash_response(200, b'{"signatures": ["' + b"A" * (9 * 1024 * 1024) + b'"]}')


# --------------------------------------------------------------------------- errors

# (error, error_description) rows from the CSC v1.0.4 / v2.0 error tables, and the class each maps to.
ERROR_ROWS = [
    ("invalid_request", "Malformed authorization header", csc.CscInvalidRequest),
    ("invalid_request", "Missing (or invalid type) string parameter credentialID", csc.CscInvalidRequest),
    ("invalid_request", "Invalid parameter credentialID", csc.CscInvalidRequest),
    ("invalid_request", "Missing (or invalid type) string parameter SAD", csc.CscInvalidSad),
    ("invalid_request", "Invalid parameter SAD", csc.CscInvalidSad),
    ("invalid_request", "SAD expired", csc.CscSadExpired),
    ("SAD_expired", "SAD expired", csc.CscSadExpired),
    ("invalid_request", "Missing (or invalid type) array parameter hash", csc.CscInvalidHash),
    ("invalid_request", "Empty hash array", csc.CscInvalidHash),
    ("invalid_request", "Invalid Base64 hash string parameter", csc.CscInvalidHash),
    ("invalid_request", "Hash is not authorized by the SAD", csc.CscInvalidHash),
    ("invalid_request", "Invalid digest value length", csc.CscInvalidHash),
    ("invalid_hash", "Invalid digest value length", csc.CscInvalidHash),
    ("invalid_request", "Missing (or invalid type) string parameter signAlgo", csc.CscInvalidRequest),
    ("invalid_request", "Invalid parameter hashAlgorithmOID", csc.CscInvalidRequest),
    ("invalid_request", "Invalid parameter operationMode", csc.CscInvalidRequest),
    ("invalid_request", "Signing certificate is expired", csc.CscCredentialUnavailable),
    ("invalid_request", "Signing certificate 'O=ACME,CN=Jane' is expired", csc.CscCredentialUnavailable),
    ("invalid_request", "Credential locked", csc.CscCredentialUnavailable),
    ("invalid_request", "PIN locked", csc.CscCredentialUnavailable),
    ("invalid_request", "The credential identified by credentialID is disabled", csc.CscCredentialUnavailable),
    ("invalid_otp", "The OTP is invalid", csc.CscInvalidOtp),
    ("invalid_pin", "The PIN is invalid", csc.CscInvalidPin),
    ("invalid_authentication_data", "The authentication data is invalid", csc.CscAuthorizationFailed),
    ("authentication_error", "An error occurred during authentication process", csc.CscAuthorizationFailed),
    ("invalid_token", "The access token is invalid", csc.CscTokenError),
    ("expired_token", "The access token expired", csc.CscTokenError),
    ("access_denied", "denied", csc.CscTokenError),
    ("server_error", "Internal error", csc.CscServerError),
    ("temporarily_unavailable", "busy", csc.CscServerError),
    ("some_vendor_error", "unknown", csc.CscError),
]


@pytest.mark.parametrize(("error", "description", "cls"), ERROR_ROWS)
def test_every_error_maps_to_its_class(error: str, description: str, cls: type[csc.CscError]) -> None:
    raw = orjson.dumps({"error": error, "error_description": description})
    for parse in (csc.parse_sign_hash_response, csc.parse_credential_info, csc.parse_credentials_list):
        with pytest.raises(cls) as err:
            parse(400, raw)
        assert type(err.value) is cls
        assert isinstance(err.value, VendorError)
        assert (err.value.vendor, err.value.code, err.value.message, err.value.http_status) == (
            "csc",
            error,
            description,
            400,
        )


def test_error_body_with_status_200_is_still_an_error() -> None:
    with pytest.raises(csc.CscSadExpired):
        csc.parse_sign_hash_response(200, b'{"error": "invalid_request", "error_description": "SAD expired"}')


def test_http_error_without_a_csc_body() -> None:
    with pytest.raises(csc.CscError) as err:
        csc.parse_sign_hash_response(502, b"<html>Bad gateway</html>")
    assert err.value.code is None and err.value.http_status == 502


# --------------------------------------------------------------------------- credentials/info and list


def credential_info_body(certs: list[x509.Certificate], *, multisign: int = 5, **extra: object) -> bytes:
    obj: dict[str, object] = {
        "key": {"status": "enabled", "algo": [SHA256_RSA, "1.2.840.113549.1.1.10"], "len": 2048},
        "cert": {
            "status": "valid",
            "certificates": [b64encode(c.public_bytes(Encoding.DER)) for c in certs],
            "serialNumber": "5AAC41CD8FA22B953640",
        },
        "auth": {"mode": "explicit", "expression": "PIN AND OTP"},
        "SCAL": "1",
        "multisign": multisign,
        "lang": "en-US",
    }
    obj.update(extra)
    return orjson.dumps(obj)


def test_credential_info_end_entity_first() -> None:
    pki = make_pki("rsa2048", label="csc")
    info = csc.parse_credential_info(200, credential_info_body([pki.leaf, pki.intermediate, pki.root]))
    assert info.certificate == pki.leaf and info.chain == (pki.intermediate, pki.root)
    assert info.key_algos == (SHA256_RSA, "1.2.840.113549.1.1.10") and info.key_len == 2048
    assert info.multisign == 5 and info.key_status == "enabled" and info.auth_mode == "explicit" and info.scal == "1"
    assert info.key_curve is None


def test_credential_info_ec_curve() -> None:
    pki = make_pki("p256", label="csc")
    raw = orjson.dumps(
        {
            "key": {"status": "enabled", "algo": [ECDSA_SHA256], "len": 256, "curve": "1.2.840.10045.3.1.7"},
            "cert": {"certificates": [b64encode(pki.leaf.public_bytes(Encoding.DER))]},
            "multisign": 1,
        }
    )
    info = csc.parse_credential_info(200, raw)
    assert info.key_curve == "1.2.840.10045.3.1.7" and info.certificate == pki.leaf


@pytest.mark.parametrize(
    "mutate",
    [
        lambda o: o.pop("key"),
        lambda o: o.pop("multisign"),
        lambda o: o.__setitem__("multisign", 0),
        lambda o: o.__setitem__("multisign", "5"),
        lambda o: o["key"].pop("algo"),
        lambda o: o["key"].__setitem__("algo", []),
        lambda o: o["key"].__setitem__("len", "2048"),
        lambda o: o["cert"].__setitem__("certificates", ["AAAA"]),
        lambda o: o["cert"].__setitem__("certificates", "AAAA"),
        lambda o: o.__setitem__("cert", []),
    ],
)
def test_credential_info_of_the_wrong_shape_is_input_error(mutate: object) -> None:
    pki = make_pki("rsa2048", label="csc")
    obj = orjson.loads(credential_info_body([pki.leaf]))
    mutate(obj)  # type: ignore[operator]
    with pytest.raises(InputError):
        csc.parse_credential_info(200, orjson.dumps(obj))


def test_credential_info_with_a_ca_first_is_refused() -> None:
    pki = make_pki("rsa2048", label="csc")
    with pytest.raises(InputError) as err:
        csc.parse_credential_info(200, credential_info_body([pki.intermediate, pki.leaf]))
    assert err.value.field == "body.cert.certificates[0]"


def test_credentials_list() -> None:
    pki = make_pki("rsa2048", label="csc")
    entry = orjson.loads(credential_info_body([pki.leaf, pki.intermediate]))
    entry["credentialID"] = "GX0112348"
    raw = orjson.dumps({"credentialIDs": ["GX0112348", "HX0224685"], "credentialInfos": [entry]})
    lst = csc.parse_credentials_list(200, raw)
    assert lst.credential_ids == ("GX0112348", "HX0224685")
    assert lst.credential_infos[0].credential_id == "GX0112348" and lst.credential_infos[0].certificate == pki.leaf
    assert csc.parse_credentials_list(200, b'{"credentialIDs": []}').credential_ids == ()
    for bad in (b"{}", b'{"credentialIDs": "x"}', b'{"credentialIDs": [], "credentialInfos": [1]}'):
        with pytest.raises(InputError):
            csc.parse_credentials_list(200, bad)


def test_pss_options_with_a_non_pss_algorithm_are_refused() -> None:
    with pytest.raises(InputError):
        csc.build_sign_hash_request([bytes(32)], credential_id="c", sad="s", sign_algo=SHA256_RSA, pss_salt_length=32)


def _bad_version(cert: x509.Certificate) -> bytes:
    der = cert.public_bytes(Encoding.DER)
    v3 = bytes.fromhex("a003020102")  # [0] EXPLICIT INTEGER 2 (v3)
    assert v3 in der
    return der.replace(v3, bytes.fromhex("a003020142"), 1)  # version 66: cryptography raises InvalidVersion


def test_credential_info_certificate_errors_are_input_errors_naming_the_entry() -> None:
    from cryptography.hazmat.primitives.serialization import pkcs7

    pki = make_pki("rsa2048", label="csc")
    with pytest.raises(x509.InvalidVersion):  # what escaped before: not a ValueError
        x509.load_der_x509_certificate(_bad_version(pki.leaf))
    good = orjson.loads(credential_info_body([pki.leaf, pki.intermediate]))
    bundle = pkcs7.serialize_certificates([pki.intermediate], Encoding.DER)  # a PKCS#7 is not a certificate
    for index, bad in ((0, _bad_version(pki.leaf)), (1, _bad_version(pki.intermediate)), (1, bundle)):
        obj = orjson.loads(orjson.dumps(good))
        obj["cert"]["certificates"][index] = b64encode(bad)
        with pytest.raises(InputError, match=r"is not a DER X\.509 certificate") as err:
            csc.parse_credential_info(200, orjson.dumps(obj))
        assert err.value.field == f"body.cert.certificates[{index}]"


@pytest.mark.parametrize("value", [None, 5, 1.5, [], [1], {"a": 1}, object()])
def test_pss_params_of_the_wrong_type_are_input_errors(value: object) -> None:
    with pytest.raises(InputError, match="signAlgoParams: must be bytes or base64 text"):
        csc.parse_pss_params(value)  # type: ignore[arg-type]


def test_pss_params_do_not_take_an_int_as_a_length() -> None:
    import tracemalloc

    tracemalloc.start()
    try:
        with pytest.raises(InputError):
            csc.parse_pss_params(64 * 1024 * 1024)  # type: ignore[arg-type]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024
    der = csc.encode_pss_params("sha256")
    assert csc.parse_pss_params(bytearray(der)) == csc.parse_pss_params(memoryview(der)) == csc.parse_pss_params(der)
