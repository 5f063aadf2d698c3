"""ADSS CSP response parsers on the guide's sample answers, and their refusal of other shapes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cryptokit.encoding import b64encode
from cryptokit.errors import InputError
from cryptokit.protocols import adss
from cryptokit.protocols.adss import UserStatus

# Samples from the ADSS CSP Developers Guide 7.0.2 (the PDF's missing commas restored, the trailing
# commas removed: the printed samples are not valid JSON as they stand).
TOKEN_SAMPLE = b"""{ "access_token":"2YotnFZFEjr1zCsicMWpAA", "token_type":"Bearer", "expires_in":3600,
 "refresh_token":"tGzv3JOkF0XG5Qx2TIKWIA" }"""
PROFILES_SAMPLE = b"""{ "default_authentication_profile": { "profile_id": "adss:authentication:profile:001",
 "profile_name": "Azure AD", "auth_type": "AZURE_ACTIVE_DIRECTORY", "auth_info": { "app_id": "osdcnosdcn49309nn",
 "auth_url": "https://graph.microsoft.com" } },
 "allowed_authentication_profile": [{ "profile_id": "adss:authentication:profile:001", "profile_name": "Azure AD",
 "auth_type": "AZURE_ACTIVE_DIRECTORY", "auth_info": { "app_id": "osdcnosdcn49309nn",
 "auth_url": "https://graph.microsoft.com" } },
 { "profile_id": "adss:authentication:profile:002", "profile_name": "Microsoft Active Directory",
 "auth_type": "ACTIVE_DIRECTORY " },
 { "profile_id": "adss:authentication:profile:003", "profile_name": "Web RA", "auth_type": "PASSWORD " }] }"""
STATUS_SAMPLE = b'{ "message": "Success", "message_description": "ADSS CSP Service is running" }'
ABOUT_SAMPLE = b'{ "version": "Version", "build_number": "Build Number" }'
POLICY_SAMPLE = (
    b'{ "min_pass_length": "8", "max_pass_length": "255", "upper_lower_letters": "true", '
    b'"digits_and_special_char": "false" }'
)
SETTINGS_SAMPLE = b'{ "otp_expiry_time": 100, "otp_length": 6, "user_auth_retrie_limit": 5, "user_block_period": 100 }'
USER_SAMPLE = b"""{ "user_name": "John Doe", "user_id": "johnDoe12", "email": "john.doe@ascertia.com",
 "status": "ACTIVE", "profile_id": "CSP-Profile-User" }"""
COUNT_SAMPLE = b'{ "user_count": "99" }'
USERS_SAMPLE = b"""{ "users": [{ "user_name": "Peter Doe", "user_id": "PeterDoe12", "email": "peter.doe@ascertia.com",
 "status": "ACTIVE", "profile_id": "profile-001" },
 { "user_name": "John Doe", "user_id": "johnDoe12", "user_email": "john.doe@ascertia.com",
 "status": "ACTIVE", "profile_id": "profile-001" }] }"""


def test_token_response() -> None:
    tok = adss.parse_token_response(200, TOKEN_SAMPLE)
    assert (tok.access_token, tok.token_type, tok.expires_in, tok.refresh_token) == (
        "2YotnFZFEjr1zCsicMWpAA",
        "Bearer",
        3600,
        "tGzv3JOkF0XG5Qx2TIKWIA",
    )
    assert adss.parse_sso_response(200, TOKEN_SAMPLE, now=tok.expires_at - dt.timedelta(hours=1)) == tok  # type: ignore[operator]
    # the token can be used directly as the bearer of the next call
    assert adss.build_about_request(token=tok).header("Authorization") == "Bearer 2YotnFZFEjr1zCsicMWpAA"


ISSUED = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def test_token_knows_its_age() -> None:
    # The guide's sample answers "expires_in": 3600 (seconds): the token dies an hour after it arrived.
    tok = adss.parse_token_response(200, TOKEN_SAMPLE, now=ISSUED)
    assert tok.expires_at == ISSUED + dt.timedelta(hours=1)
    hour = dt.timedelta(hours=1)
    assert not tok.is_expired(ISSUED)
    assert not tok.is_expired(ISSUED + hour - dt.timedelta(seconds=31))  # outside the default 30 s leeway
    assert tok.is_expired(ISSUED + hour - dt.timedelta(seconds=29))  # inside it
    assert tok.is_expired(ISSUED + hour - dt.timedelta(seconds=29), leeway=dt.timedelta(0)) is False
    assert tok.is_expired(ISSUED + hour, leeway=0)
    assert tok.is_expired(ISSUED + hour - dt.timedelta(minutes=5), leeway=301)
    assert not tok.is_expired(ISSUED + hour - dt.timedelta(minutes=5), leeway=299.5)
    # another time zone is the same instant
    ist = dt.timezone(dt.timedelta(hours=5, minutes=30))
    assert tok.is_expired((ISSUED + hour).astimezone(ist), leeway=0)
    # default now: the current time, so a fresh answer is not expired and an old one is
    fresh = adss.parse_token_response(200, TOKEN_SAMPLE)
    assert fresh.expires_at is not None and not fresh.is_expired()
    assert tok.is_expired() is (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30) >= tok.expires_at)
    # the expiry shows in repr, the tokens do not
    assert "2026-03-01T13:00:00+00:00" in repr(tok) and "2YotnFZ" not in repr(tok) and "tGzv3" not in repr(tok)


def test_token_without_expires_in_has_an_unknown_expiry() -> None:
    tok = adss.parse_token_response(200, b'{"access_token": "2YotnFZFEjr1zCsicMWpAA"}', now=ISSUED)
    assert tok.expires_in is None and tok.expires_at is None
    assert not tok.is_expired(ISSUED + dt.timedelta(days=3650))  # only the server's 60045 can tell
    assert adss.Token("2YotnFZFEjr1zCsicMWpAA").expires_at is None


def test_token_time_arguments_are_checked() -> None:
    tok = adss.parse_token_response(200, TOKEN_SAMPLE, now=ISSUED)
    naive = dt.datetime(2026, 3, 1, 12, 0)
    with pytest.raises(InputError) as info:
        adss.parse_token_response(200, TOKEN_SAMPLE, now=naive)
    assert info.value.field == "now"
    for bad_now in (naive, "2026-03-01", 0):
        with pytest.raises(InputError) as info:
            tok.is_expired(bad_now)  # type: ignore[arg-type]
        assert info.value.field == "now"
    for bad_leeway in (-1, dt.timedelta(seconds=-1), "30", None, float("nan"), True, 10**20):
        with pytest.raises(InputError) as info:
            tok.is_expired(ISSUED, leeway=bad_leeway)  # type: ignore[arg-type]
        assert info.value.field == "leeway"
    with pytest.raises(InputError) as info:
        adss.Token("a", expires_at=naive)
    assert info.value.field == "expires_at"
    # expires_in beyond any real token (and beyond what a datetime can hold) is refused, typed
    for huge in (b"999999999999999999", b"3200000000"):
        with pytest.raises(InputError) as info:
            adss.parse_token_response(200, b'{"access_token": "a", "expires_in": ' + huge + b"}", now=ISSUED)
        assert info.value.field == "token_response.expires_in"
    late = dt.datetime(9999, 12, 31, 23, 0, tzinfo=dt.UTC)
    with pytest.raises(InputError):
        adss.parse_token_response(200, TOKEN_SAMPLE, now=late)
    assert adss.Token.issued("a", expires_in=10, now=ISSUED).is_expired(late)


def test_auth_profiles_response() -> None:
    profiles = adss.parse_auth_profiles_response(200, PROFILES_SAMPLE)
    assert profiles.default is not None
    assert profiles.default.profile_id == "adss:authentication:profile:001"
    assert dict(profiles.default.auth_info) == {
        "app_id": "osdcnosdcn49309nn",
        "auth_url": "https://graph.microsoft.com",
    }
    assert [p.auth_type for p in profiles.allowed] == ["AZURE_ACTIVE_DIRECTORY", "ACTIVE_DIRECTORY", "PASSWORD"]
    assert [p.profile_name for p in profiles.allowed] == ["Azure AD", "Microsoft Active Directory", "Web RA"]


def test_general_responses() -> None:
    status = adss.parse_status_response(200, STATUS_SAMPLE)
    assert status.running and status.message_description == "ADSS CSP Service is running"
    about = adss.parse_about_response(200, ABOUT_SAMPLE)
    assert (about.version, about.build_number) == ("Version", "Build Number")
    policy = adss.parse_password_policy_response(200, POLICY_SAMPLE)
    assert (policy.min_length, policy.max_length, policy.upper_lower_letters, policy.digits_and_special_char) == (
        8,
        255,
        True,
        False,
    )
    settings = adss.parse_advance_settings_response(200, SETTINGS_SAMPLE)
    assert (
        settings.otp_expiry_time,
        settings.otp_length,
        settings.user_auth_retries_limit,
        settings.user_block_period,
    ) == (
        100,
        6,
        5,
        100,
    )


def test_user_responses() -> None:
    user = adss.parse_user_response(200, USER_SAMPLE)
    assert (user.user_id, user.user_name, user.email, user.status, user.profile_id) == (
        "johnDoe12",
        "John Doe",
        "john.doe@ascertia.com",
        UserStatus.ACTIVE,
        "CSP-Profile-User",
    )
    assert adss.parse_user_count_response(200, COUNT_SAMPLE) == 99
    assert adss.parse_user_count_response(200, b'{"user_count": 7}') == 7
    page = adss.parse_users_response(200, USERS_SAMPLE, headers={"X-Total-Records": "2"})
    assert page.total_records == 2
    assert [(u.user_id, u.email) for u in page.users] == [
        ("PeterDoe12", "peter.doe@ascertia.com"),
        ("johnDoe12", "john.doe@ascertia.com"),
    ]
    assert adss.parse_users_response(200, USERS_SAMPLE).total_records is None
    with pytest.raises(InputError):
        adss.parse_users_response(200, USERS_SAMPLE, headers={"x-total-records": "many"})


def test_empty_responses() -> None:
    adss.parse_empty_response(200, b"")
    adss.parse_empty_response(201, b"Created")
    adss.parse_empty_response(200, None)
    assert adss.parse_revoke_tokens_response(200, b"{}") is None
    with pytest.raises(InputError):
        adss.parse_empty_response(200, b"<html>surprise</html>")


def test_certificates_response_with_a_real_ber_bundle(vectors: Path) -> None:
    """The guide's samples start MIAGCSqGSI (BER PKCS#7); a real BER bundle must load."""
    ber = (vectors / "pkcs7" / "amazon-roots.p7b").read_bytes()
    der = (vectors / "pkcs7" / "amazon-roots.der").read_bytes()
    b64 = b64encode(ber)
    assert b64.startswith("MIAGCSqGSI")
    body = (
        '{"certificates": [{"cert_alias": "o5eaqqdiai4j4chlpqt", "sam_user_id": "john.doe@ascertia.com", '
        f'"auth_pass": "TRUE", "certificate": "{b64}", "certificate_chain": "{b64encode(der)}"}}, '
        '{"cert_alias": "o5eaqadhlpqt", "sam_user_id": "john.doe@ascertia.com", "auth_pass": "FALSE", '
        f'"certificate": "{b64}"}}]}}'
    )
    entries = adss.parse_certificates_response(200, body)
    assert [(e.cert_alias, e.auth_pass) for e in entries] == [("o5eaqqdiai4j4chlpqt", True), ("o5eaqadhlpqt", False)]
    certs = entries[0].certificates()
    assert len(certs) >= 2
    assert entries[0].chain() == certs  # the BER and DER twins hold the same certificates
    assert entries[1].chain() == []


WRONG_SHAPES = [
    (adss.parse_token_response, b'{"token_type": "Bearer"}'),
    (adss.parse_token_response, b'{"access_token": 5}'),
    (adss.parse_token_response, b'{"access_token": "x", "token_type": "MAC"}'),
    (adss.parse_token_response, b'{"access_token": "x", "expires_in": "soon"}'),
    (adss.parse_token_response, b"[]"),
    (adss.parse_token_response, b"not json"),
    (adss.parse_token_response, b""),
    (adss.parse_auth_profiles_response, b"{}"),
    (adss.parse_auth_profiles_response, b'{"allowed_authentication_profile": {}}'),
    (adss.parse_auth_profiles_response, b'{"allowed_authentication_profile": [{"profile_name": "x"}]}'),
    (adss.parse_status_response, b'{"message_description": "x"}'),
    (adss.parse_about_response, b'{"version": 1, "build_number": "2"}'),
    (adss.parse_password_policy_response, b'{"min_pass_length": "eight", "max_pass_length": "255"}'),
    (
        adss.parse_password_policy_response,
        b'{"min_pass_length": "8", "max_pass_length": "255", "upper_lower_letters": "yes", '
        b'"digits_and_special_char": "false"}',
    ),
    (
        adss.parse_password_policy_response,
        b'{"min_pass_length": "300", "max_pass_length": "255", "upper_lower_letters": "true", '
        b'"digits_and_special_char": "false"}',
    ),
    (adss.parse_advance_settings_response, b'{"otp_expiry_time": 100}'),
    (
        adss.parse_advance_settings_response,
        b'{"otp_expiry_time": -1, "otp_length": 6, "user_auth_retries_limit": 5, "user_block_period": 1}',
    ),
    (adss.parse_user_response, b'{"user_name": "no id"}'),
    (adss.parse_user_count_response, b'{"user_count": true}'),
    (adss.parse_user_count_response, b'{"user_count": "-3"}'),
    (adss.parse_users_response, b'{"users": {}}'),
    (adss.parse_users_response, b'{"users": ["johnDoe12"]}'),
    (adss.parse_certificates_response, b'{"certificates": [{"cert_alias": "a", "auth_pass": "TRUE"}]}'),
    (
        adss.parse_certificates_response,
        b'{"certificates": [{"cert_alias": "a", "auth_pass": "maybe", "certificate": "MIIB"}]}',
    ),
    (
        adss.parse_certificates_response,
        b'{"certificates": [{"cert_alias": "a", "auth_pass": "TRUE", "certificate": "MIAGCSqGSI[...]AAAAA="}]}',
    ),
]


@pytest.mark.parametrize(("parse", "body"), WRONG_SHAPES)
def test_wrong_shapes_are_input_errors(parse, body: bytes) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError):
        parse(200, body)


def test_body_size_is_bounded() -> None:
    with pytest.raises(InputError) as info:
        adss.parse_about_response(200, b" " * (8 * 1024 * 1024 + 1))
    assert info.value.field == "body"


def test_user_certificate_chain_errors_are_input_errors_naming_the_block() -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    from cryptokit.encoding import pem_encode
    from tests.pki import make_pki

    pki = make_pki("p256", label="adss-values")
    der = pki.leaf.public_bytes(Encoding.DER)
    bad = der.replace(bytes.fromhex("a003020102"), bytes.fromhex("a003020142"), 1)  # version 66
    assert bad != der
    with pytest.raises(x509.InvalidVersion):  # what escaped before: not a ValueError
        x509.load_der_x509_certificate(bad)
    good_pem = pem_encode(der, "CERTIFICATE").encode()
    bad_pem = pem_encode(bad, "CERTIFICATE").encode()
    with pytest.raises(InputError, match="holds a PEM block that is not a certificate") as err:
        adss.UserCertificate.of("alias", der, auth_pass=False, certificate_chain=good_pem + bad_pem)
    assert err.value.field == "certificate_chain[1]"
    # Two good blocks still become one PKCS#7 bundle.
    entry = adss.UserCertificate.of("alias", der, auth_pass=False, certificate_chain=good_pem + good_pem)
    assert entry.certificate_chain is not None and entry.certificate_chain.startswith("MII")
