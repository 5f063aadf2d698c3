"""emCA error texts <-> typed errors."""

from __future__ import annotations

import pytest

from cryptokit.errors import CryptokitError, VendorError
from cryptokit.protocols import emca
from cryptokit.protocols.emca.errors import error_from_text, error_text

DOCUMENTED = [
    ("P123 profile does not exist", emca.ProfileDoesNotExist),
    ("Please enter valid data", emca.InvalidData),
    ("Signature verification failed", emca.SignatureVerificationFailed),
    ("Invalid validity", emca.InvalidValidity),
    ("Invalid From Date", emca.InvalidFromDate),
    (
        "Invalid Input: From Date should be in proper format dd:MM:YYYY hh:mm:ss e.g: 12:12:2019 00:00:00",
        emca.InvalidFromDate,
    ),
    ("Invalid parameter", emca.InvalidParameter),
    ("Invalid input data", emca.InvalidInputData),
    ("Invalid request details found", emca.InvalidRequestDetails),
    ("Internal server error", emca.InternalServerError),
]


@pytest.mark.parametrize(("text", "cls"), DOCUMENTED)
def test_documented_texts_map_to_classes(text: str, cls: type[emca.EmcaError]) -> None:
    err = error_from_text(text, 200)
    assert type(err) is cls
    assert isinstance(err, VendorError) and isinstance(err, CryptokitError)
    assert err.vendor == "emca" and err.message == text and err.http_status == 200
    assert err.code == cls.code_slug and err.code is not None


@pytest.mark.parametrize(
    ("text", "cls"),
    [
        ("  invalid   VALIDITY ", emca.InvalidValidity),
        ("Invalid validity: validity should be in proper format dd:hh:mm:ss", emca.InvalidValidity),
        ("Signature verification failed.", emca.SignatureVerificationFailed),
        ("INTERNAL SERVER ERROR", emca.InternalServerError),
    ],
)
def test_case_and_spacing_variants(text: str, cls: type[emca.EmcaError]) -> None:
    assert type(error_from_text(text)) is cls


@pytest.mark.parametrize(
    "text", ["Invalid validity period found", "Invalid parameters", "Something else", "", "profile does not exist"]
)
def test_unknown_text_keeps_raw_message(text: str) -> None:
    err = error_from_text(text, 500)
    assert type(err) is emca.EmcaError
    assert err.code is None and err.message == text


def test_profile_id_extracted() -> None:
    err = error_from_text("EMCA Profile 7 profile does not exist")
    assert isinstance(err, emca.ProfileDoesNotExist)
    assert err.profile_id == "EMCA Profile 7"


@pytest.mark.parametrize(("text", "cls"), DOCUMENTED)
def test_server_text_round_trips(text: str, cls: type[emca.EmcaError]) -> None:
    produced = error_text(cls, profile_id="P123")
    assert type(error_from_text(produced)) is cls
    if cls is emca.ProfileDoesNotExist:
        assert produced == "P123 profile does not exist"
    assert error_text(cls(produced)) == produced
