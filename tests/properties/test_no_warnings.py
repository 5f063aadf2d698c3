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

import pytest

import cryptokit as ck
from cryptokit.certificates import certificate_summary, public_key_description
from cryptokit.pkcs12 import KeyBundle, load_pfx
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
