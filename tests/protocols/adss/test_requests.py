"""ADSS CSP request builders against the samples of the ADSS CSP Developers Guide 7.0.2.

Each sample body below is copied from the guide (the PDF's missing commas restored); the builders
must produce the same fields in the same order with the same values.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import parse_qsl

import pytest

from cryptokit.errors import InputError
from cryptokit.protocols import HttpRequest, adss
from cryptokit.protocols.adss import PasswordPolicy, Token, UserCertificate

TOKEN = "2YotnFZFEjr1zCsicMWpAA"
V2 = "/adss/service/csp/v2"


def body_of(req: HttpRequest) -> dict[str, object]:
    data = json.loads(req.body)
    assert isinstance(data, dict)
    return data


def assert_same_fields(req: HttpRequest, sample: Mapping[str, object]) -> None:
    """Field by field, in order, and the exact compact JSON bytes."""
    got = body_of(req)
    assert list(got) == list(sample)
    for key, value in sample.items():
        assert got[key] == value, key
    assert req.body == json.dumps(sample, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def assert_headers(req: HttpRequest, *, bearer: bool = True, content_type: str | None = None) -> None:
    assert req.header("Accept") == "application/json"
    assert req.header("Authorization") == (f"Bearer {TOKEN}" if bearer else None)
    assert req.header("Content-Type") == content_type


# --------------------------------------------------------------------------- authentication


def test_authenticate_password_grant_matches_sample() -> None:
    # Guide 3.1: grant_type=password& client_id=...& client_secret=...& username=...& password=...
    sample = [
        ("grant_type", "password"),
        ("client_id", "samples_test_client"),
        ("client_secret", "jr67gj0h76gr83nf8734nj59g4he895jh87nr"),
        ("username", "admin@ascertia.com"),
        ("password", "Password@12"),
    ]
    req = adss.build_password_grant_request(
        "samples_test_client",
        "jr67gj0h76gr83nf8734nj59g4he895jh87nr",
        "admin@ascertia.com",
        "Password@12",
        authentication_profile_id="adss:authentication:profile:001",
        accept_language="en-US",
    )
    assert (req.method, req.path) == ("POST", "/adss/service/csp/authenticate")
    assert parse_qsl(req.body.decode("ascii"), strict_parsing=True) == sample
    assert (
        req.body
        == b"grant_type=password&client_id=samples_test_client&client_secret=jr67gj0h76gr83nf8734nj59g4he895jh87nr"
        b"&username=admin%40ascertia.com&password=Password%4012"
    )
    assert req.header("Content-Type") == "application/x-www-form-urlencoded"
    assert req.header("authentication_profile_id") == "adss:authentication:profile:001"
    assert req.header("Accept-Language") == "en-US"
    assert req.header("Authorization") is None
    assert "Password@12" not in repr(req) and "jr67gj0h" not in repr(req)


def test_authenticate_other_grants() -> None:
    cc = adss.build_client_credentials_request("cid", "secret")
    assert parse_qsl(cc.body.decode()) == [
        ("grant_type", "client_credentials"),
        ("client_id", "cid"),
        ("client_secret", "secret"),
    ]
    rt = adss.build_refresh_token_request("cid", "secret", "tGzv3JOkF0XG5Qx2TIKWIA")
    assert parse_qsl(rt.body.decode()) == [
        ("grant_type", "refresh_token"),
        ("client_id", "cid"),
        ("client_secret", "secret"),
        ("refresh_token", "tGzv3JOkF0XG5Qx2TIKWIA"),
    ]
    ad = adss.build_active_directory_request("cid", "DOMAIN\\john", "pw d&=x", client_secret="secret")
    assert parse_qsl(ad.body.decode()) == [
        ("grant_type", "active_directory"),
        ("client_id", "cid"),
        ("client_secret", "secret"),
        ("username", "DOMAIN\\john"),
        ("password", "pw d&=x"),
    ]


@pytest.mark.parametrize("grant", ["password", "active_directory"])
def test_user_grants_need_the_client_secret_unless_opted_out_by_name(grant: str) -> None:
    # Guide 3.1: the parameters of an authentication are grant type, client ID, client secret,
    # user name and password; a request without the secret is answered 60007.
    with pytest.raises(InputError) as info:
        adss.build_authenticate_request(grant, client_id="cid", username="u", password="Password@12")
    assert info.value.field == "client_secret" and "60007" in str(info.value)
    assert "require_client_secret=False" in str(info.value) and "Password@12" not in str(info.value)
    builder = adss.build_password_grant_request if grant == "password" else None
    if builder is not None:
        with pytest.raises(InputError, match="60007"):
            builder("cid", None, "u", "p")
    else:
        with pytest.raises(InputError, match="60007"):
            adss.build_active_directory_request("cid", "u", "p")
    # the named opt-out sends the grant without client_secret
    req = adss.build_authenticate_request(
        grant, client_id="cid", username="u", password="p", require_client_secret=False
    )
    assert parse_qsl(req.body.decode()) == [
        ("grant_type", grant),
        ("client_id", "cid"),
        ("username", "u"),
        ("password", "p"),
    ]
    if grant == "active_directory":
        ad = adss.build_active_directory_request("cid", "u", "p", require_client_secret=False)
        assert ad.body == req.body


@pytest.mark.parametrize("grant", ["client_credentials", "refresh_token"])
def test_the_opt_out_does_not_reach_the_client_grants(grant: str) -> None:
    extra = {"refresh_token": "tGzv3JOkF0XG5Qx2TIKWIA"} if grant == "refresh_token" else {}
    with pytest.raises(InputError) as info:
        adss.build_authenticate_request(grant, client_id="c", require_client_secret=False, **extra)
    assert info.value.field == "client_secret"
    with pytest.raises(InputError) as info:
        adss.build_authenticate_request(grant, client_id="c", client_secret="s", require_client_secret="no", **extra)  # type: ignore[arg-type]
    assert info.value.field == "require_client_secret"


def test_refresh_grant_takes_the_token_to_renew() -> None:
    tok = adss.parse_token_response(
        200,
        b'{ "access_token":"2YotnFZFEjr1zCsicMWpAA", "token_type":"Bearer", "expires_in":3600, '
        b'"refresh_token":"tGzv3JOkF0XG5Qx2TIKWIA" }',
    )
    by_token = adss.build_refresh_token_request("cid", "secret", tok)
    by_text = adss.build_refresh_token_request("cid", "secret", "tGzv3JOkF0XG5Qx2TIKWIA")
    assert by_token.body == by_text.body
    assert ("refresh_token", "tGzv3JOkF0XG5Qx2TIKWIA") in parse_qsl(by_token.body.decode())
    assert "2YotnFZFEjr1zCsicMWpAA" not in by_token.body.decode()  # the access token is not sent
    with pytest.raises(InputError) as info:
        adss.build_refresh_token_request("cid", "secret", Token("2YotnFZFEjr1zCsicMWpAA"))
    assert info.value.field == "refresh_token" and "60047" in str(info.value)
    assert "2YotnFZFEjr1zCsicMWpAA" not in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"grant_type": "implicit", "client_id": "c"}, "grant_type"),
        ({"grant_type": "client_credentials", "client_id": "c"}, "client_secret"),
        ({"grant_type": "password", "client_id": "c", "client_secret": "s", "password": "p"}, "username"),
        ({"grant_type": "password", "client_id": "c", "client_secret": "s", "username": "u"}, "password"),
        ({"grant_type": "refresh_token", "client_id": "c", "client_secret": "s"}, "refresh_token"),
        ({"grant_type": "client_credentials", "client_id": "c", "client_secret": "s", "username": "u"}, "username"),
        (
            {
                "grant_type": "password",
                "client_id": "c",
                "client_secret": "s",
                "username": "u",
                "password": "p\r\nX: y",
            },
            "password",
        ),
    ],
)
def test_authenticate_refuses_incomplete_grants(kwargs: dict[str, str], field: str) -> None:
    grant = kwargs.pop("grant_type")
    with pytest.raises(InputError) as info:
        adss.build_authenticate_request(grant, **kwargs)
    assert info.value.field == field
    assert "p\r\n" not in str(info.value)


def test_sso_matches_sample() -> None:
    sample = {"token": "2YotnFZFEjr1zCsicMWpAA", "method": "AZURE_ACTIVE_DIRECTORY"}
    req = adss.build_sso_request(
        "2YotnFZFEjr1zCsicMWpAA", token=TOKEN, authentication_profile_id="adss:authentication:profile:001"
    )
    assert (req.method, req.path) == ("POST", "/adss/service/csp/authenticate/sso")
    assert_same_fields(req, sample)
    assert_headers(req, content_type="application/json; charset=utf-8")
    assert req.header("authentication_profile_id") == "adss:authentication:profile:001"


def test_revoke_tokens_matches_sample() -> None:
    req = adss.build_revoke_tokens_request("jr67gj0h76gr83nf8734nj59g4he895jh87nr", token=Token(TOKEN))
    assert (req.method, req.path) == ("POST", "/adss/service/csp/tokens")
    assert parse_qsl(req.body.decode()) == [
        ("refresh_token", "jr67gj0h76gr83nf8734nj59g4he895jh87nr"),
        ("token_type", "refresh_token"),
    ]
    assert_headers(req, content_type="application/x-www-form-urlencoded")


@pytest.mark.parametrize("bad", ["", "a b", "tok\r\nX-Evil: 1", "tok\n", 'a"b', 12])
def test_bearer_token_is_checked(bad: object) -> None:
    with pytest.raises(InputError) as info:
        adss.build_about_request(token=bad)  # type: ignore[arg-type]
    assert info.value.field == "token"
    assert "Evil" not in str(info.value)


def test_token_repr_hides_secrets() -> None:
    tok = Token(TOKEN, "Bearer", 3600, "tGzv3JOkF0XG5Qx2TIKWIA")
    assert TOKEN not in repr(tok) and "tGzv3" not in repr(tok)
    assert "3600" in repr(tok)


# --------------------------------------------------------------------------- general services


@pytest.mark.parametrize(
    ("build", "method", "path"),
    [
        (lambda: adss.build_auth_profiles_request(token=TOKEN, app_name="proxy-client"), "GET", V2 + "/profiles/auth"),
        (lambda: adss.build_about_request(token=TOKEN), "GET", V2 + "/about"),
        (
            lambda: adss.build_advance_settings_request(token=TOKEN, app_name="proxy-client"),
            "GET",
            V2 + "/advancesettings",
        ),
        (lambda: adss.build_get_user_request("johnDoe12", token=TOKEN), "GET", V2 + "/users/johnDoe12"),
        (lambda: adss.build_delete_user_request("johnDoe12", token=TOKEN), "DELETE", V2 + "/users/johnDoe12"),
        (lambda: adss.build_user_count_request(token=TOKEN), "GET", V2 + "/users/count"),
        (lambda: adss.build_users_request(0, 2, token=TOKEN), "GET", V2 + "/users/0/2"),
        (lambda: adss.build_users_request(token=TOKEN), "GET", V2 + "/users"),
        (lambda: adss.build_resend_change_email_request(token=TOKEN), "GET", V2 + "/users/email/change/resend"),
        (lambda: adss.build_list_certificates_request(token=TOKEN), "GET", V2 + "/users/certs"),
        (lambda: adss.build_get_certificates_request("johnDoe12", token=TOKEN), "GET", V2 + "/users/certs/johnDoe12"),
        (
            lambda: adss.build_delete_certificate_request("johnDoe12", "o5eaqqdiai4j4chlpqt", token=TOKEN),
            "DELETE",
            V2 + "/users/certs/johnDoe12/o5eaqqdiai4j4chlpqt",
        ),
    ],
)
def test_bodyless_requests(build, method: str, path: str) -> None:  # type: ignore[no-untyped-def]
    req = build()
    assert (req.method, req.path, req.body) == (method, path, b"")
    assert_headers(req)


def test_app_name_and_language_headers() -> None:
    req = adss.build_auth_profiles_request(token=TOKEN, app_name="proxy-client", accept_language="en-US")
    assert list(req.headers) == ["Authorization", "Accept", "Accept-Language", "App-Name"]
    assert req.header("App-Name") == "proxy-client"
    assert req.header("Accept-Language") == "en-US"
    with pytest.raises(InputError):
        adss.build_about_request(token=TOKEN, accept_language="en\r\nX: 1")


def test_status_request_has_query_and_no_token() -> None:
    req = adss.build_status_request(client_id="abc", profile_id="xyz")
    assert (req.method, req.path, dict(req.query)) == (
        "GET",
        "/adss/service/csp",
        {"client_id": "abc", "profile_id": "xyz"},
    )
    assert_headers(req, bearer=False)


def test_password_policy_request_matches_sample() -> None:
    req = adss.build_password_policy_request("ADSS CSP Profile", token=TOKEN)
    assert (req.method, req.path) == ("POST", V2 + "/users/password/policy")
    assert_same_fields(req, {"profile_id": "ADSS CSP Profile"})
    assert_headers(req, content_type="application/json; charset=utf-8")


# --------------------------------------------------------------------------- users


def test_register_user_matches_sample() -> None:
    sample = {
        "user_id": "johnDoe12",
        "user_name": "John Doe",
        "user_password": "password",
        "email": "john.doe@ascertia.com",
        "profile_id": "CSP-RegisterUser",
    }
    req = adss.build_register_user_request(
        "johnDoe12",
        "john.doe@ascertia.com",
        token=TOKEN,
        profile_id="CSP-RegisterUser",
        user_name="John Doe",
        user_password="password",
    )
    assert (req.method, req.path) == ("POST", V2 + "/users/register")
    assert_same_fields(req, sample)
    assert "password" not in repr(req).replace("user_password", "")


def test_register_user_checks_policy_without_echoing_password() -> None:
    policy = PasswordPolicy(8, 255, upper_lower_letters=True, digits_and_special_char=True)
    with pytest.raises(InputError) as info:
        adss.build_register_user_request("u1", "u1@example.com", token=TOKEN, user_password="sEcretpw", policy=policy)
    assert info.value.field == "user_password"
    assert "60033" in str(info.value) and "sEcretpw" not in str(info.value)
    ok = adss.build_register_user_request(
        "u1", "u1@example.com", token=TOKEN, user_password="sEcret-pw1", policy=policy
    )
    assert body_of(ok)["user_password"] == "sEcret-pw1"


def test_update_user_matches_sample() -> None:
    req = adss.build_update_user_request("johnDoe12", token=TOKEN, user_name="John Doe", status="ACTIVE")
    assert (req.method, req.path) == ("PUT", V2 + "/users/johnDoe12")
    assert_same_fields(req, {"user_name": "John Doe", "status": "ACTIVE"})
    with pytest.raises(InputError) as info:
        adss.build_update_user_request("johnDoe12", token=TOKEN, status="DELETED")
    assert "60031" in str(info.value)


def test_user_ids_are_path_safe() -> None:
    req = adss.build_get_user_request("john/../doe smith", token=TOKEN)
    assert req.path == V2 + "/users/john%2F..%2Fdoe%20smith"
    for reserved in ("count", "register", "..", "."):
        with pytest.raises(InputError):
            adss.build_get_user_request(reserved, token=TOKEN)


@pytest.mark.parametrize(
    ("start", "size", "code"), [(-1, 5, "60036"), (0, 0, "60035"), (True, 5, "60036"), (0, None, "60035")]
)
def test_users_paging_bounds(start: int, size: int | None, code: str) -> None:
    with pytest.raises(InputError) as info:
        adss.build_users_request(start, size, token=TOKEN)
    assert code in str(info.value)


def test_password_and_email_requests_match_samples() -> None:
    cases = [
        (
            adss.build_change_password_request("password", "password", token=TOKEN, app_name="proxy"),
            V2 + "/users/password/change",
            {"old_password": "password", "new_password": "password"},
            "application/json; charset=utf-8",
        ),
        (
            adss.build_reset_password_noauth_request("john.doe", "password", token=TOKEN),
            V2 + "/users/password/reset/noauth",
            {"user_id": "john.doe", "user_password": "password"},
            "application/json; charset=utf-8",
        ),
        (
            adss.build_reset_password_request("john.doe ", token=TOKEN),
            V2 + "/users/password/reset",
            {"user_id": "john.doe "},
            "application/json; charset=utf-8",
        ),
        (
            adss.build_confirm_reset_password_request("john.doe", "password", "46548", token=TOKEN),
            V2 + "/users/password/reset/confirm",
            {"user_id": "john.doe", "new_password": "password", "otp": "46548"},
            "application/json",
        ),
        (
            adss.build_change_email_request("jhon@ascertia.com", "john.doe2@ascertia.com", token=TOKEN),
            V2 + "/users/email/change",
            {"old_email": "jhon@ascertia.com", "new_email": "john.doe2@ascertia.com"},
            "application/json; charset=utf-8",
        ),
        (
            adss.build_confirm_change_email_request("4565468", "4565468", token=TOKEN),
            V2 + "/users/email/change/confirm",
            {"otp": "4565468", "new_email_otp": "4565468"},
            "application/json; charset=utf-8",
        ),
    ]
    for req, path, sample, content_type in cases:
        assert (req.method, req.path) == ("POST", path)
        assert_same_fields(req, sample)
        assert_headers(req, content_type=content_type)


# --------------------------------------------------------------------------- certificates


def _cert_entries() -> list[dict[str, str]]:
    # Guide 6.4 sample; "MIAGCSqGSI[...]AAAAAAAAA=" is elided in the guide, so a real base64 stands in.
    return [
        {
            "cert_alias": "o5eaqqdi9hte17vj6s63ai4j4chlpqt",
            "sam_user_id": "john.doe@ascertia.com",
            "auth_pass": "TRUE",
            "certificate": "MIAGCSqGSIb3DQEHAqCAMIACAQExADCABgkqhkiG",
            "certificate_chain": "MIAGCSqGSIb3DQEHAqCAMIACAQExADCABgkqhkiG",
        },
        {
            "cert_alias": "o5eaqqdi9hsdf63ai4j4chlpqt",
            "sam_user_id": "john.doe@ascertia.com",
            "auth_pass": "FALSE",
            "certificate": "MIAGCSqGSIb3DQEHAqCAMIACAQExADCABgkqhkiG",
        },
    ]


def _entries_from(sample: list[dict[str, str]]) -> list[UserCertificate]:
    return [
        UserCertificate.of(
            e["cert_alias"],
            e["certificate"],
            auth_pass=e["auth_pass"] == "TRUE",
            sam_user_id=e.get("sam_user_id"),
            certificate_chain=e.get("certificate_chain"),
        )
        for e in sample
    ]


def test_add_certificates_matches_sample() -> None:
    sample = {"certificates": _cert_entries()}
    req = adss.build_add_certificates_request("johnDoe12", _entries_from(_cert_entries()), token=TOKEN, app_name="p")
    assert (req.method, req.path) == ("POST", V2 + "/users/certs/johnDoe12")
    assert_same_fields(req, sample)


def test_update_certificates_matches_sample() -> None:
    sample = {"user_id": "johnDoe12", "certificates": _cert_entries()}
    req = adss.build_update_certificates_request("johnDoe12", _entries_from(_cert_entries()), token=TOKEN)
    assert (req.method, req.path) == ("POST", V2 + "/users/certs/update")
    assert_same_fields(req, sample)
    with pytest.raises(InputError) as info:
        adss.build_update_certificates_request("johnDoe12", [], token=TOKEN)
    assert "60025" in str(info.value)


def test_update_certificate_matches_sample() -> None:
    sample = {
        "cert_alias": "o5eaqqdi9hsdf63ai4j4chlpqt",
        "sam_user_id": "john.doe@ascertia.com",
        "auth_pass": "FALSE",
        "certificate": "MIAGCSqGSIb3DQEHAqCAMIACAQExADCABgkqhkiG",
        "certificate_chain": "MIAGCSqGSIb3DQEHAqCAMIACAQExADCABgkqhkiG",
    }
    entry = _entries_from([sample])[0]
    req = adss.build_update_certificate_request("johnDoe12", entry, token=TOKEN)
    assert (req.method, req.path) == ("PUT", V2 + "/users/certs/johnDoe12")
    assert_same_fields(req, sample)


def test_user_certificate_accepts_every_form() -> None:
    from cryptography.hazmat.primitives.serialization import Encoding

    from cryptokit.certificates import load_certificates
    from tests.pki import make_pki

    pki = make_pki("p256", label="adss-req")
    der = pki.leaf.public_bytes(Encoding.DER)
    pem = pki.leaf.public_bytes(Encoding.PEM)
    forms = [pki.leaf, der, pem, pem.decode("ascii")]
    for form in forms:
        entry = UserCertificate.of("a", form, auth_pass=False, certificate_chain=pki.chain)
        assert entry.certificates() == [pki.leaf]
        assert set(entry.chain()) == set(pki.chain)  # a DER SET OF: cryptography sorts it
    bundle = UserCertificate.of("a", [pki.leaf, *pki.chain], auth_pass=True)
    assert sorted(load_certificates(bundle.certificate), key=str) == sorted([pki.leaf, *pki.chain], key=str)
    bads: list[object] = ["not base64!", b"\x04\x00", 42, []]
    for bad in bads:
        with pytest.raises(InputError):
            UserCertificate.of("a", bad, auth_pass=True)
