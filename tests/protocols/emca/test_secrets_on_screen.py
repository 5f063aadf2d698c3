"""Secrets never leave in an error or on a screen: emCA (issue 15, point 6).

* ``cryptokit emca open --json`` printed createPKCS12's PFX password: it travels inside the base64
  CMS SignedData of the ``signature`` field. Redaction now looks inside everything it decodes and
  masks every field whose name contains password/pin/otp/secret/token/key at any depth.
* ``parse_pkcs12_content`` split a password holding the separator, put the fragment into an error or
  the certificate subject and truncated the password; values holding a separator are refused when
  building and parsing, and errors never quote values.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from cryptokit.cli.redact import redact
from cryptokit.cms import cms_sign
from cryptokit.envelope import Envelope
from cryptokit.errors import InputError
from cryptokit.pkcs12 import KeyBundle
from cryptokit.protocols import emca
from cryptokit.protocols.emca.framing import sign_content
from tests.pki import make_pki

MARKER = "Pfx-MARKER-9f1"
KEY_HEX = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
PKI = make_pki("p256", label="emca-secrets")
SIGNER = KeyBundle(PKI.leaf_key, PKI.leaf, tuple(PKI.chain))


def _create_pkcs12_plaintext() -> dict[str, Any]:
    content = emca.format_pkcs12_content({"CN": "Asha Rao", "C": "IN"}, password=MARKER, vendor_spelling=True)
    signature = sign_content(content, lambda data: cms_sign(data, SIGNER))
    return {
        "applicationId": "APP-1",
        "userName": "alice",
        "password": "login-" + MARKER,
        "signature": signature,
        "nested": {"deep": [{"pfxPin": MARKER, "clientSecret": MARKER, "otpValue": MARKER}]},
        "bearerToken": MARKER,
        "apiKey": MARKER,
        "jsonText": orjson.dumps({"inner": {"PIN": MARKER}}).decode(),
        "b64Text": base64.b64encode(f"user=x,password={MARKER}".encode()).decode(),
    }


def test_redact_looks_inside_cms_base64_json_and_text() -> None:
    doc = _create_pkcs12_plaintext()
    shown = redact(doc)
    text = orjson.dumps(shown).decode()
    assert MARKER not in text
    assert shown["applicationId"] == "APP-1" and shown["userName"] == "alice"
    assert shown["signature"]["content"].startswith("CN=Asha Rao")  # what was signed, password masked
    assert shown["signature"]["content"].endswith("***")


def test_cli_emca_open_json_does_not_print_the_pfx_password(tmp_path: Path) -> None:
    token = Envelope(bytes.fromhex(KEY_HEX)).seal(_create_pkcs12_plaintext())
    (tmp_path / "token.txt").write_text(token)
    env = {**os.environ, "EMCA_KEY": KEY_HEX}
    for extra in (["--json"], []):
        r = subprocess.run(
            [sys.executable, "-m", "cryptokit", "emca", "open", str(tmp_path / "token.txt"), "--key-env", "EMCA_KEY",
             *extra],
            capture_output=True, text=True, timeout=60, env=env,
        )  # fmt: skip
        assert r.returncode == 0, r.stderr
        everything = r.stdout + r.stderr
        assert MARKER not in everything
        # nor in any base64 shown
        for word in everything.replace('"', " ").split():
            try:
                assert MARKER.encode() not in base64.b64decode(word, validate=True)
            except (ValueError, base64.binascii.Error):
                pass
    plain_text = Envelope(bytes.fromhex(KEY_HEX)).seal_bytes(
        f"CN=x,KeyAlgorithmAndSize=RSA-2048,Password={MARKER}".encode()
    )
    (tmp_path / "text.txt").write_text(base64.b64encode(bytes(plain_text)).decode())
    for extra in (["--json"], []):
        r = subprocess.run(
            [sys.executable, "-m", "cryptokit", "emca", "open", str(tmp_path / "text.txt"), "--key-env", "EMCA_KEY",
             *extra],
            capture_output=True, text=True, timeout=60, env=env,
        )  # fmt: skip
        assert r.returncode == 0, r.stderr
        assert MARKER not in r.stdout + r.stderr


@pytest.mark.parametrize(
    "text",
    [
        f"CN=S,KeyAlgorithmAndSize=RSA-2048,Password=ab,{MARKER}",  # a ',' inside the password
        f"CN=S,KeyAlgorithmAndSize=RSA-2048,Password=ab,CN={MARKER}",  # the tail would join the subject
        f"CN=S~KeyAlogirthmAndSize=RSA-2048~Password=ab~CN={MARKER}",
        f"CN=S,KeyAlgorithmAndSize=RSA-2048,Password=ab~{MARKER}",  # both separators
        f"CN=S,{MARKER}=x,KeyAlgorithmAndSize=RSA-2048,Password=pw",  # a bad name is not quoted
        f"CN=S,C={MARKER},KeyAlgorithmAndSize=RSA-2048,Password=pw",  # nor a bad value
        f"CN=S,Password={MARKER},KeyAlgorithmAndSize=RSA-2048",  # Password must be last
    ],
)
def test_parse_pkcs12_content_refuses_separators_in_values_without_quoting(text: str) -> None:
    with pytest.raises(InputError) as info:
        emca.parse_pkcs12_content(text)
    assert MARKER not in str(info.value) and MARKER[:6] not in str(info.value)
    assert info.value.__context__ is None or MARKER not in str(info.value.__context__)


def test_format_pkcs12_content_refuses_separators_in_values() -> None:
    for password in (f"ab,{MARKER}", f"ab~{MARKER}"):
        with pytest.raises(InputError) as info:
            emca.format_pkcs12_content({"CN": "S"}, password=password)
        assert MARKER not in str(info.value)
    for subject in ({"CN": "a,b"}, {"O": "x~y"}):
        with pytest.raises(InputError):
            emca.format_pkcs12_content(subject, password="pw")
    parsed = emca.parse_pkcs12_content(emca.format_pkcs12_content({"CN": "S"}, password="p@ss w0rd!"))
    assert parsed.password == "p@ss w0rd!"
