"""Issue 18 point 1: no cryptokit call warns for RSA, EC or Ed25519 input on the installed cryptography.

cryptography 51 warns on merely *naming* ``dsa.DSAPublicKey``; cryptokit used to name it in the repr of
every KeyBundle, in ``to_pkcs12`` and in chain validation of an EC leaf. Each call below runs with every
warning turned into an error, whoever raises it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, Encoding, pkcs12

import cryptokit as ck
from cryptokit.certificates import certificate_summary, public_key_description
from cryptokit.pkcs12 import KeyBundle, load_pfx
from cryptokit.testing import Pki
from tests.pki import NOW, make_pki

KINDS = ("rsa2048", "p256", "ed25519")


@pytest.fixture(autouse=True)
def _warnings_are_errors() -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.mark.parametrize("kind", KINDS)
def test_key_bundle_repr_pkcs12_round_trip(kind: str) -> None:
    pki = make_pki(kind, label="nowarn")
    bundle = KeyBundle(pki.leaf_key, pki.leaf, (pki.intermediate,))
    assert "KeyBundle(subject=" in repr(bundle)
    pfx = bundle.to_pkcs12("pw")
    again = load_pfx(pfx, "pw")
    assert repr(again) == repr(bundle)
    assert public_key_description(pki.leaf.public_key())["type"] in ("rsa", "ec", "ed25519")
    assert certificate_summary(pki.leaf)["subject"]


@pytest.mark.parametrize("kind", KINDS)
def test_chain_and_cms(kind: str) -> None:
    pki = make_pki(kind, label="nowarn")
    report = ck.validate_chain(pki.leaf, intermediates=[pki.intermediate], trust_anchors=[pki.root], at=NOW)
    assert report.ok
    bundle = KeyBundle(pki.leaf_key, pki.leaf, (pki.intermediate,))
    cms = ck.cms_sign(b"hello", bundle, include_chain=True, digest="sha512" if kind == "ed25519" else "sha256")
    assert ck.cms_verify(cms, trust_anchors=[pki.root], at=NOW).content == b"hello"


def test_demo_command_prints_no_warning(tmp_path: object) -> None:
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    done = subprocess.run(
        [sys.executable, "-W", "error", "-m", "cryptokit", "demo", "--documents", "3"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr


# ------------------------------------------------- non-positive serial numbers (cryptography warns on them)
# cryptography loads a certificate whose serial number, or whose authorityKeyIdentifier's
# authorityCertSerialNumber, is zero or negative with a deprecation warning (the second lazily, on the
# first access to .extensions). A hypothesis-mutated certificate once made the chain target warn from
# inside load_certificates; each public entry point now refuses them (InputError naming the rule) or,
# where they are allowed (chain validation: real roots have serial 0), loads them silently.


def _aki_serial_zero(pki: Pki) -> Callable[[Any], None]:
    from asn1crypto import x509 as a_x509

    def change(tbs: Any) -> None:
        for ext in tbs["extensions"]:
            if ext["extn_id"].native == "authority_key_identifier":
                keyid = ext["extn_value"].parsed["key_identifier"].native
                issuer = a_x509.Name.load(pki.root.subject.public_bytes())
                ext["extn_value"] = a_x509.AuthorityKeyIdentifier(
                    {
                        "key_identifier": keyid,
                        "authority_cert_issuer": [a_x509.GeneralName(name="directory_name", value=issuer)],
                        "authority_cert_serial_number": 0,
                    }
                )

    return change


def _serial(value: int) -> Callable[[Any], None]:
    def change(tbs: Any) -> None:
        tbs["serial_number"] = value

    return change


BAD_SERIALS = {
    "zero": (_serial(0), "serial number that is not positive"),
    "negative": (_serial(-5), "serial number that is not positive"),
    "aki-zero": (None, "authorityCertSerialNumber is not positive"),
}


def _bad_leaf(kind: str) -> tuple[Pki, x509.Certificate]:
    from cryptokit.testing import resign

    pki = make_pki("p256", label="nowarn")
    change = BAD_SERIALS[kind][0] or _aki_serial_zero(pki)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # building it is the test's business, not cryptokit's
        return pki, resign(pki.leaf, pki.intermediate_key, change)


def _fresh(cert: x509.Certificate) -> x509.Certificate:
    """The same certificate as a new object, its lazily parsed parts not yet touched."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return x509.load_der_x509_certificate(cert.public_bytes(Encoding.DER))


@pytest.mark.parametrize("kind", sorted(BAD_SERIALS))
def test_non_positive_serials_are_refused_typed_without_a_warning(kind: str) -> None:
    pki, bad = _bad_leaf(kind)
    rule = BAD_SERIALS[kind][1]
    der, pem = bad.public_bytes(Encoding.DER), bad.public_bytes(Encoding.PEM)
    for data in (der, pem, _fresh(bad), [pki.intermediate, der]):
        with pytest.raises(ck.InputError, match=rf"{rule}.*RFC 5280 section 4\.1\.2\.2"):
            ck.load_certificates(data)
    for key in (der, pem):
        with pytest.raises(ck.InputError, match=rule):
            ck.verify_digest(key, b"\x30\x06\x02\x01\x01\x02\x01\x01", b"\x00" * 32, "sha256")
    with pytest.raises(ck.InputError, match=rule):
        ck.cms_prepare(b"x", certificate=_fresh(bad))
    with pytest.raises(ck.InputError, match=rf"trusted_signers\[0\].*{rule}"):
        ck.cms_verify(ck.cms_sign(b"x", KeyBundle(pki.leaf_key, pki.leaf)), trusted_signers=[_fresh(bad)], at=NOW)
    pfx = pkcs12.serialize_key_and_certificates(b"a", pki.leaf_key, bad, None, BestAvailableEncryption(b"pw"))
    with pytest.raises(ck.InputError, match=rf"pfx.*(serial number is not positive|{rule})"):
        load_pfx(pfx, "pw")
    assert certificate_summary(_fresh(bad))["serial"] == {"zero": "00", "negative": "-05"}.get(
        kind, certificate_summary(pki.leaf)["serial"]
    )


@pytest.mark.parametrize("kind", sorted(BAD_SERIALS))
def test_chain_validation_loads_non_positive_serials_silently(kind: str) -> None:
    """Chain validation allows them (roots with serial 0 exist); bytes and a fresh object give the same report."""
    pki, bad = _bad_leaf(kind)
    anchors = {"intermediates": [pki.intermediate], "trust_anchors": [pki.root], "at": NOW}
    from_bytes = ck.validate_chain(bad.public_bytes(Encoding.DER), **anchors)
    from_object = ck.validate_chain(_fresh(bad), **anchors)
    assert from_bytes.to_dict() == from_object.to_dict()
    assert ck.load_certificates(bad.public_bytes(Encoding.DER), allow_non_positive_serial=True)[0].extensions


def test_fuzz_chain_target_on_a_certificate_whose_aki_serial_is_zero() -> None:
    """The input shape of the flaky property test (tests/properties/test_typed_errors.py [chain])."""
    from fuzz.targets import TARGETS

    _, bad = _bad_leaf("aki-zero")
    pem = bad.public_bytes(Encoding.PEM)
    for mode in (b"\x00", b"\x01"):  # as an intermediate, as the leaf
        try:
            TARGETS["chain"].run(mode + pem)
        except ck.CryptokitError:
            pass
