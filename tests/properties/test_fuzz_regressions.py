"""Inputs the fuzzers found, replayed; plus the same bugs reproduced by hand at every site.

Every file in ``tests/fuzz_regressions/<target>/`` is fed to the fuzz target ``<target>`` (see
``fuzz/targets.py``): only a CryptokitError may come out. Known, not yet fixed bugs are strict
xfails: when the fix lands the test passes, xfail(strict) turns that into a failure, and the entry is
removed from ``KNOWN``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from cryptography.hazmat.primitives import serialization

from cryptokit.encoding import b64encode, pem_encode
from cryptokit.errors import CryptokitError
from fuzz.targets import TARGETS, context, run_one

HERE = Path(__file__).resolve().parents[1] / "fuzz_regressions"
INVALID_VERSION = "x509.InvalidVersion (not a ValueError) escapes x509.load_der_x509_certificate"
UNKNOWN_KEY = "cryptography.exceptions.UnsupportedAlgorithm escapes cert.public_key() for an unknown key OID"
KNOWN: dict[str, tuple[str, type[BaseException]]] = {}


def _files() -> list[Any]:
    out = []
    for path in sorted(HERE.glob("*/*")):
        key = f"{path.parent.name}/{path.name}"
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN[key][0], raises=KNOWN[key][1])] if key in KNOWN else []
        out.append(pytest.param(path, id=key, marks=marks))
    return out


def test_every_regression_names_a_target() -> None:
    assert HERE.is_dir()
    for path in HERE.glob("*/*"):
        assert path.parent.name in TARGETS, path
    assert set(KNOWN) <= {f"{p.parent.name}/{p.name}" for p in HERE.glob("*/*")}


@pytest.mark.parametrize("path", _files())
def test_fuzz_regression(path: Path) -> None:
    run_one(path.parent.name, path.read_bytes())


# --------------------------------------------------------------------------- the same bugs, at each site


def _bad_version_cert() -> bytes:
    der: bytes = context().pki.leaf.public_bytes(serialization.Encoding.DER)
    v3 = bytes.fromhex("a003020102")  # [0] EXPLICIT INTEGER 2 (v3)
    assert v3 in der
    return der.replace(v3, bytes.fromhex("a003020142"), 1)  # version 66


def _unknown_key_cert() -> bytes:
    der: bytes = context().pki.leaf.public_bytes(serialization.Encoding.DER)
    ec_oid = bytes.fromhex("06072a8648ce3d0201")  # id-ecPublicKey
    assert ec_oid in der
    return der.replace(ec_oid, bytes.fromhex("06072a8648ce3d0209"), 1)


def _typed(fn: Any) -> None:
    try:
        fn()
    except CryptokitError:
        pass


def test_bad_version_is_typed_where_already_handled() -> None:
    from cryptokit.certificates import load_certificates
    from cryptokit.chain import validate_chain

    bad = _bad_version_cert()
    for fn in (
        lambda: load_certificates(bad),
        lambda: load_certificates(pem_encode(bad, "CERTIFICATE")),
        lambda: validate_chain(bad, trust_anchors=[context().pki.root], cache=None),
    ):
        with pytest.raises(CryptokitError):
            fn()


@pytest.mark.parametrize("form", ["der", "pem"])
def test_load_public_key_bad_version(form: str) -> None:
    from cryptokit.signatures.public_keys import load_public_key

    bad = _bad_version_cert()
    _typed(lambda: load_public_key(bad if form == "der" else pem_encode(bad, "CERTIFICATE").encode()))


def test_verify_digest_unknown_key_type() -> None:
    from cryptography import x509

    from cryptokit.signatures import verify_digest

    cert = x509.load_der_x509_certificate(_unknown_key_cert())
    _typed(lambda: verify_digest(cert, bytes(64), bytes(32), "sha256"))


def test_cms_embedded_bad_version_certificate() -> None:
    from cryptokit.cms import cms_verify

    ctx = context()
    cms = ctx.seeds["cms_parse"][0]
    good = ctx.pki.leaf.public_bytes(serialization.Encoding.DER)
    assert good in cms
    _typed(lambda: cms_verify(cms.replace(good, _bad_version_cert()), trusted_signers=[ctx.pki.leaf], at=ctx.at))


def test_csc_credential_info_bad_version() -> None:
    from cryptokit.protocols import csc

    body = orjson.dumps(
        {
            "key": {"status": "enabled", "algo": ["1.2.840.10045.2.1"], "len": 256},
            "cert": {"status": "valid", "certificates": [b64encode(_bad_version_cert())]},
        }
    )
    _typed(lambda: csc.parse_credential_info(200, body))


def test_adss_user_certificate_bad_version() -> None:
    from cryptokit.protocols import adss

    pem = pem_encode(_bad_version_cert(), "CERTIFICATE").encode()
    good = context().pki.leaf.public_bytes(serialization.Encoding.DER)
    _typed(lambda: adss.UserCertificate.of("alias", good, auth_pass=False, certificate_chain=pem + pem))
