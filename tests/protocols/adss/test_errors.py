"""ADSS error table (guide section 8) and error answers -> VendorError subclasses."""

from __future__ import annotations

import orjson
import pytest

from cryptokit.errors import CryptokitError, InputError, VendorError
from cryptokit.protocols import adss
from cryptokit.protocols.adss import (
    ERROR_CODES,
    AdssAccessControlError,
    AdssAuthenticationError,
    AdssCertificateError,
    AdssError,
    AdssInputError,
    AdssServiceError,
    AdssSigningError,
)

# Table 30 of the ADSS CSP Developers Guide 7.0.2, copied verbatim (code, description).
SEED_TABLE = [
    ("60001", "An internal error occurred while processing the request - see the CSP service debug logs for details"),
    ("60002", "Failed to process request - CSP service is stopped"),
    ("60003", "Failed to process request - CSP service not enabled in license"),
    ("60004", "Failed to process request - CSP service license has expired"),
    ("60005", "Failed to process request - CSP service not enabled in system"),
    ("60006", "Failed to process request - Registered User is not found"),
    ("60007", "Failed to process request - Client secret is missing in request"),
    ("60008", "Failed to process request - User ID or password is not valid"),
    ("60009", "Failed to process request - User is not active"),
    ("60010", "Failed to process request - Client ID is missing in request"),
    ("60011", "Failed to process request - User ID is missing in request"),
    ("60012", "Failed to process request - User password is missing in request"),
    ("60013", "Failed to process request - User email is not valid"),
    ("60014", "Failed to process request - User new password is missing in request"),
    ("60015", "Failed to process request - Request ID is missing in request"),
    ("60016", "Failed to process request - OTP is not valid"),
    ("60017", "Failed to process request - Email OTP is missing in request"),
    ("60018", "Failed to process request - Email address is missing in request"),
    ("60019", "Failed to process request - CSP Profile does not exist"),
    ("60020", "Failed to process request - CSP Profile ID is missing in request"),
    ("60021", "Failed to process request - User certificate is not valid"),
    ("60022", "Failed to process request - Certificate alias is missing in request"),
    ("60023", "Failed to process request - Certificate auth_pass is missing in request"),
    ("60024", "Failed to process request - Certificate is missing in the request"),
    ("60025", "Failed to process request - Certificate list is empty"),
    ("60026", "Failed to process request - OTP for Password Change is missing in request"),
    ("60027", "Failed to process request - Profile ID is missing in the request"),
    ("60028", "Failed to process request - User is already registered"),
    ("60029", "Failed to process request - User is blocked"),
    ("60030", "Failed to process request - Certificate is not found"),
    ("60031", "Failed to process request - Status is not valid"),
    ("60032", "Failed to process request - Password is less than minimum password length"),
    ("60033", "Failed to process request - Password must contains digits and special characters"),
    ("60034", "Failed to process request - Password must contains upper and lower case letters"),
    ("60035", "Failed to process request - Fetch size should be greater than 0"),
    ("60036", "Failed to process request - Start pointer should not be negative"),
    ("60037", "Failed to process request - Certificate entry does not exist"),
    ("60038", "Failed to process request - Certificate entry already exists"),
    ("60039", "Failed to process request - Invalid User ID"),
    ("60040", "Failed to process request - Invalid Certificate chain"),
    ("60041", "Failed to process request - Invalid Certificate chain"),
    ("60042", "Failed to process request - HMAC Key not configured in CSP service manager"),
    (
        "60043",
        "Failed to process request - The request is missing a required parameter, includes an invalid parameter "
        "value, includes a parameter more than once, or is otherwise malformed",
    ),
    ("60044", "Failed to process request - Authentication type mismatch with profile's authentication"),
    ("60045", "Failed to process request - Invalid or expired token"),
    ("60046", "Failed to process request - Existing email mismatch"),
    ("60047", "Failed to process request - Refresh token is missing"),
    ("60048", "Failed to process request - Hashing algo is missing"),
    ("60049", "Failed to process request - Data to be signed is missing"),
    ("60050", "Failed to process request - Authentication profile is missing"),
    ("60051", "Failed to process request - Single Sign On token is missing"),
    ("60052", "Failed to process request - Authentication method is missing"),
    ("60053", "Failed to process request - Authentication profile is not allowed to client"),
    ("60054", "Failed to process request - Invalid grant type"),
    ("60055", "Failed to process request - Invalid hash algorithm or data"),
    ("60056", "Failed to process request - Invalid method type"),
    ("86000", "Failed to authenticate client - TLS client authentication certificate has expired"),
    ("86001", "Failed to authenticate client - TLS certificate CN does not match with client ID"),
    ("86002", "Failed to authenticate client - TLS client certificate is revoked"),
    ("86003", "Failed to authenticate client - revocation status for TLS client certificate is unknown"),
    (
        "86004",
        "Failed to authenticate client - client ID does not match with the client identified by TLS client certificate",
    ),
    (
        "86005",
        "Failed to authenticate client - TLS client certificate does not match with the configured client certificate",
    ),
    ("86011", "Failed to authenticate client - Client ID does not exist"),
    ("86012", "An error occurred while communicating with database - see the service debug logs for details"),
    ("86015", "Failed to authenticate client - Client ID is not found in the request"),
    ("86017", "Failed to authenticate client - client is marked inactive"),
    ("86018", "Failed to authorise client - service is not allowed to this client."),
    ("86019", "Failed to authorise client - service profile does not exist."),
    ("86020", "Failed to authorise client - service profile is inactive"),
    ("86021", "Failed to authorise client - profile is not allowed to this client"),
    ("86022", "Failed to authorise client - default profile not configured and neither found in request"),
    ("86023", "Failed to authorise client - default profile is inactive"),
    ("86024", "Failed to authorise client \u2013 client secret is invalid"),  # en dash, as printed
]

# cryptokit's family for each code (the vendor assigns none): see cryptokit/protocols/adss/errors.py.
FAMILIES: dict[type[AdssError], set[str]] = {
    AdssServiceError: {"60001", "60002", "60003", "60004", "60005", "60042", "86012"},
    AdssAuthenticationError: {"60006", "60008", "60009", "60016", "60029", "60044", "60045", "60054", "41091"},
    AdssCertificateError: {"60021", "60030", "60037", "60038", "60040", "60041"},
    AdssSigningError: {"60048", "60049", "60055", "58062"},
    AdssAccessControlError: {"60019", "60053"} | {c for c, _ in SEED_TABLE if c.startswith("86")} - {"86012"},
}
FAMILIES[AdssInputError] = {c for c, _ in SEED_TABLE if c.startswith("600")} - set().union(*FAMILIES.values())


# Codes with a class of their own, a subclass of their family's class.
OWN_CLASS: dict[str, type[AdssError]] = {"60045": adss.AdssInvalidToken}


def expected_class(code: str) -> type[AdssError]:
    (cls,) = [cls for cls, codes in FAMILIES.items() if code in codes]
    own = OWN_CLASS.get(code)
    if own is not None:
        assert issubclass(own, cls) and own is not cls
        return own
    return cls


def test_invalid_or_expired_token_has_its_own_class_in_the_authentication_family() -> None:
    # Guide section 8: 60045 "Invalid or expired token"; the 401 answer a client refreshes on.
    body = b'{ "error": "60045", "error_description": "Failed to process request - Invalid or expired token" }'
    with pytest.raises(adss.AdssInvalidToken) as info:
        adss.parse_sign_status(401, body)
    err = info.value
    assert isinstance(err, AdssAuthenticationError) and type(err).family is adss.ErrorFamily.AUTHENTICATION
    assert (err.code, err.http_status) == ("60045", 401)
    # other authentication codes stay the family class, not the token class
    other = adss.error_for("60008", None, 401)
    assert type(other) is AdssAuthenticationError and not isinstance(other, adss.AdssInvalidToken)


def test_table_is_complete_and_verbatim() -> None:
    assert len(SEED_TABLE) == 73
    seed_codes = {c for c, _ in SEED_TABLE}
    assert seed_codes | {"41091", "58062"} == set(ERROR_CODES)
    for code, description in SEED_TABLE:
        assert ERROR_CODES[code].description == description


@pytest.mark.parametrize(("code", "description"), SEED_TABLE)
def test_every_seed_code_maps_to_its_class(code: str, description: str) -> None:
    cls = expected_class(code)
    assert ERROR_CODES[code].error_class is cls
    assert adss.error_class(code) is cls
    assert adss.error_class(int(code)) is cls
    body = orjson.dumps({"error": code, "error_description": "Detailed error message"})
    with pytest.raises(cls) as info:
        adss.parse_about_response(400, body)
    err = info.value
    assert isinstance(err, VendorError) and isinstance(err, CryptokitError)
    assert (err.vendor, err.code, err.message, err.http_status) == ("adss", code, "Detailed error message", 400)
    assert type(err).family is ERROR_CODES[code].family


@pytest.mark.parametrize("code", ["41091", "58062"])
def test_other_adss_service_codes(code: str) -> None:
    err = adss.error_for(code, None, 401)
    assert type(err) is expected_class(code)
    assert err.message == ERROR_CODES[code].description


def test_families_are_disjoint_and_cover_everything() -> None:
    every = [c for codes in FAMILIES.values() for c in codes]
    assert len(every) == len(set(every)) == len(ERROR_CODES)


def test_unknown_and_odd_error_answers() -> None:
    with pytest.raises(AdssError) as info:
        adss.parse_about_response(500, b'{"error": "99999", "error_description": "new"}')
    assert type(info.value) is AdssError and info.value.code == "99999"
    # numeric code, the status sample's misspelt description key, empty description
    with pytest.raises(AdssAuthenticationError) as info2:
        adss.parse_status_response(401, b'{"error": 60045, "error__escription": "Detailed error message"}')
    assert info2.value.code == "60045" and info2.value.message == "Detailed error message"
    with pytest.raises(AdssSigningError) as info3:
        adss.parse_sign_response(412, b'{"error": "60055"}')
    assert info3.value.message == ERROR_CODES["60055"].description
    # an error object in a 200 answer is still an error
    with pytest.raises(AdssAccessControlError):
        adss.parse_user_count_response(200, b'{"error": "86024", "error_description": "x"}')
    # a non-2xx answer without an ADSS error object (a proxy page): plain AdssError, code None
    with pytest.raises(AdssError) as info4:
        adss.parse_about_response(502, b"<html>Bad Gateway</html>")
    assert type(info4.value) is AdssError and info4.value.code is None and info4.value.http_status == 502
    with pytest.raises(AdssError):
        adss.parse_empty_response(404, b"")


def test_bad_status_argument() -> None:
    for status in (99, 600, True, "200"):
        with pytest.raises(InputError):
            adss.parse_about_response(status, b"{}")  # type: ignore[arg-type]


@pytest.mark.parametrize("code", ["60045", "60055", "86024", "99999", None])
def test_errors_survive_pickling(code: str | None) -> None:
    # Errors cross process pools (bulk runs, executors): the class, code, text and status come back.
    import pickle

    err = adss.error_for(code, "Detailed error message", 401)
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is type(err)
    assert (again.code, again.message, again.http_status, str(again)) == (err.code, err.message, 401, str(err))
