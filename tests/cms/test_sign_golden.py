"""``cms_sign`` output is byte-identical to what it wrote before its signed attributes were built from
DER pieces (vectors/cms-sign-golden: made by cms_sign at e6bb745 with asn1crypto's
``dump(force=True)``, fixed keys and signing time), and ``openssl cms -verify`` accepts what it writes
now. PKCS#1 v1.5 and Ed25519 signatures are deterministic: the whole DER must match; ECDSA and PSS
signatures are randomised: everything but the signature value must match."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import cms as acms
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from cryptokit.cms import cms_sign
from cryptokit.pkcs12 import KeyBundle

GOLDEN = Path(__file__).resolve().parents[2] / "vectors" / "cms-sign-golden"
WHEN = dt.datetime(2026, 5, 4, 3, 2, 1, tzinfo=dt.UTC)
CONTENT = (GOLDEN / "content.txt").read_bytes()
OPENSSL = shutil.which("openssl")

CASES: dict[str, tuple[str, dict[str, Any], bool]] = {  # name: (key, cms_sign options, deterministic)
    "rsa-pkcs1-sha256-attached": ("rsa2048", {"digest": "sha256"}, True),
    "rsa-pkcs1-sha512-detached-ski": (
        "rsa2048",
        {"digest": "sha512", "detached": True, "signer_identifier": "ski"},
        True,
    ),
    "rsa-pss-sha256-attached": ("rsa2048", {"digest": "sha256", "scheme": "pss"}, False),
    "p256-ecdsa-sha256-attached": ("p256", {"digest": "sha256"}, False),
    "p384-ecdsa-sha384-detached": ("p384", {"digest": "sha384", "detached": True}, False),
    "ed25519-attached": ("ed25519", {"digest": "sha512"}, True),
}


def _bundle(kind: str) -> KeyBundle:
    key = serialization.load_pem_private_key((GOLDEN / f"{kind}.key.pem").read_bytes(), None)
    cert = x509.load_pem_x509_certificate((GOLDEN / f"{kind}.cert.pem").read_bytes())
    return KeyBundle(key, cert, ())  # type: ignore[arg-type]


def _with_signature(der: bytes, signature: bytes) -> bytes:
    ci = acms.ContentInfo.load(der)
    ci["content"]["signer_infos"][0]["signature"] = signature
    return bytes(ci.dump(force=True))


def _signature(der: bytes) -> bytes:
    return bytes(acms.ContentInfo.load(der)["content"]["signer_infos"][0]["signature"].native)


@pytest.mark.parametrize("name", list(CASES))
def test_output_is_byte_identical_to_before(name: str, tmp_path: Path) -> None:
    kind, options, deterministic = CASES[name]
    golden = (GOLDEN / f"{name}.der").read_bytes()
    der = cms_sign(CONTENT, _bundle(kind), signing_time=WHEN, **options)
    if deterministic:
        assert der == golden
    else:
        assert _signature(der) != _signature(golden)  # a fresh randomised signature ...
        assert _with_signature(der, _signature(golden)) == golden  # ... and every other byte unchanged
    if OPENSSL is None or kind == "ed25519":  # OpenSSL 3.0's cms refuses Ed25519 with signed attributes
        return
    path = tmp_path / "out.der"
    path.write_bytes(der)
    cmd = [OPENSSL, "cms", "-verify", "-inform", "DER", "-in", str(path), "-CAfile", str(GOLDEN / f"{kind}.cert.pem")]
    cmd += ["-purpose", "any", "-binary", "-out", str(tmp_path / "content.out")]
    if options.get("detached"):
        cmd += ["-content", str(GOLDEN / "content.txt")]
    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode == 0 and "Verification successful" in done.stderr, done.stderr
    assert (tmp_path / "content.out").read_bytes() == CONTENT
