"""Vendor packages give the same role the same name (old names kept working), and each package
exports exactly the union of its modules' export lists."""

from __future__ import annotations

import importlib

import pytest

from cryptokit.protocols import adss, csc, onespan, signer_digital


def test_embedded_signers_share_a_name() -> None:
    assert csc.EmbeddedSigner is csc.EmbeddedCscSigner
    assert adss.EmbeddedSigner.__name__ == "EmbeddedSigner"
    assert signer_digital.EmbeddedSigner.__name__ == "EmbeddedSigner"
    assert onespan.EmbeddedSigner is onespan.EmbeddedGateway


def test_http_request_readers_share_a_pattern() -> None:
    assert adss.parse_sign_http_request is adss.parse_sign_request
    assert csc.parse_sign_hash_http_request is csc.server.parse_sign_hash_request
    # csc.parse_sign_hash_request reads a body; the HttpRequest reader is the *_http_request one
    assert csc.parse_sign_hash_request is csc.requests.parse_sign_hash_request
    assert csc.parse_sign_hash_request is not csc.parse_sign_hash_http_request


@pytest.mark.parametrize(
    ("vendor", "modules"),
    [
        (
            "adss",
            ["errors", "values", "password_policy", "requests", "responses", "verify", "poll", "server", "documents"],
        ),
        ("csc", ["errors", "requests", "responses", "server", "verify", "documents"]),
        (
            "emca",
            ["errors", "auth", "strings", "framing", "methods", "manual", "requests", "responses", "verify", "server"],
        ),
        ("onespan", ["errors", "requests", "responses", "server"]),
        ("signer_digital", ["errors", "requests", "responses", "flow", "server"]),
    ],
)
def test_package_exports_are_its_modules_exports(vendor: str, modules: list[str]) -> None:
    pkg = importlib.import_module(f"cryptokit.protocols.{vendor}")
    union: list[str] = []
    for name in modules:
        mod = importlib.import_module(f"cryptokit.protocols.{vendor}.{name}")
        union.extend(mod.__all__)
        for exported in mod.__all__:
            assert getattr(pkg, exported) is getattr(mod, exported), f"{vendor}.{exported}"
    assert sorted(pkg.__all__) == sorted(union)
    assert len(set(pkg.__all__)) == len(pkg.__all__), "a name exported by two modules"


def test_every_server_half_answers_with_an_http_response() -> None:
    from cryptokit.protocols import HttpResponse, emca

    answers = [
        emca.build_response(subscriber_id="S", error=emca.InvalidParameter()),
        emca.build_pending_response({"CSR-0": "R1"}, subscriber_id="S"),
        adss.build_error_response(adss.AdssInputError("60055", "bad hash")),
        csc.build_error_response(csc.CscInvalidRequest("invalid_request", "bad", 400)),
        signer_digital.build_error_response(signer_digital.SignerDigitalError(None, "bad", 400)),
        onespan.build_error_response(onespan.error_for("STAT_LOCKED")),
    ]
    for answer in answers:
        assert isinstance(answer, HttpResponse) and 100 <= answer.status <= 599
    # and the emCA client parser reads one as it is
    with pytest.raises(emca.InvalidParameter):
        emca.parse_response(answers[0])
    assert emca.parse_response(answers[1])["requestId"] == "CSR-0|R1"
