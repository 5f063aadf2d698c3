"""No DSA deprecation warning out of cryptokit: every place that loads a public key from a
certificate, a CSR or a SubjectPublicKeyInfo, given a DSA key, with every warning an error.

cryptography 51 warns 'DSA is deprecated' when it loads a DSA key (once per certificate object, so
each case takes a freshly loaded certificate); 49 does not warn. These tests fail on 51 when a call
site loads the key without ``cryptokit._dsa``'s targeted silencing."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from asn1crypto import csr as a_csr
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from cryptokit import _dsa
from cryptokit.cli.cmd_verify import _eddsa
from cryptokit.cms.prepare import cms_prepare
from cryptokit.cms.sign import cms_sign
from cryptokit.csr import verify_csr
from cryptokit.encoding import pem_encode
from cryptokit.errors import InputError, UnsupportedAlgorithm
from cryptokit.pkcs12 import KeyBundle
from cryptokit.signatures.public_keys import load_public_key
from cryptokit.testing import make_cert, make_key

CSR = Path(__file__).resolve().parent.parent / "vectors" / "csr"
DER = serialization.Encoding.DER
_SPKI = serialization.PublicFormat.SubjectPublicKeyInfo


@pytest.fixture(scope="module")
def dsa_cert_der() -> bytes:
    """A certificate holding a DSA key (generated with the warning silenced: input the test chose)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from cryptography.hazmat.primitives.asymmetric import dsa

        key = dsa.generate_private_key(2048)
        return make_cert("dsa leaf", key).public_bytes(DER)


@pytest.fixture
def strict() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def _dsa_spki() -> bytes:
    """The SubjectPublicKeyInfo of the pyca DSA CSR vector."""
    req = a_csr.CertificationRequest.load((CSR / "dsa_sha1.der").read_bytes())
    spki: bytes = req["certification_request_info"]["subject_pk_info"].dump()
    return spki


def test_verify_csr_dsa_object(strict: None) -> None:
    csr = x509.load_der_x509_csr((CSR / "dsa_sha1.der").read_bytes())
    assert verify_csr(csr, allow_sha1=True).key_type == "dsa"


def test_csr_public_key_silences_only_dsa(strict: None) -> None:
    rsa_der = (CSR / "rsa_sha256.der").read_bytes()
    assert not _dsa._csr_key_is_dsa(rsa_der)
    assert _dsa._csr_key_is_dsa((CSR / "dsa_sha1.der").read_bytes())
    assert _dsa._csr_key_is_dsa(b"\x30\x03")  # unreadable: silenced, cryptography refuses it anyway
    rsa_spki = x509.load_der_x509_csr(rsa_der).public_key().public_bytes(DER, _SPKI)
    assert not _dsa._spki_is_dsa(rsa_spki, 0)
    assert _dsa._spki_is_dsa(_dsa_spki(), 0)


def test_spki_algorithm_is_the_one_reader_of_a_key_algorithm() -> None:
    """What both the DSA checks and the chain's DER reader read of a SubjectPublicKeyInfo: the
    algorithm OID's content and its parameters' tag, at an offset too; the wrong shape raises."""
    from cryptokit.chain.der import _spki

    rsa, p256, ed = (
        make_key(kind, "spki").public_key().public_bytes(DER, _SPKI) for kind in ("rsa2048", "p256", "ed25519")
    )
    assert _dsa.spki_algorithm(rsa) == (bytes.fromhex("2a864886f70d010101"), 0x05)  # rsaEncryption, NULL
    assert _dsa.spki_algorithm(b"\x00\x00" + p256, 2) == (bytes.fromhex("2a8648ce3d0201"), 0x06)  # named curve
    assert _dsa.spki_algorithm(ed) == (bytes.fromhex("2b6570"), None)  # Ed25519, no parameters
    assert _dsa.spki_algorithm(_dsa_spki())[0] == bytes.fromhex("2a8648ce380401")
    assert _spki(p256) == ("1.2.840.10045.2.1", True) and _spki(rsa) == ("1.2.840.113549.1.1.1", False)
    for bad in (
        b"\x31\x03\x30\x01\x06",
        b"\x30\x02\x31\x00",
        b"\x30\x04\x30\x02\x05\x00",
        b"\x30\x06\x30\x01\x06\x02\x2a\x03",
    ):
        with pytest.raises(ValueError):
            _dsa.spki_algorithm(bad)
        assert _dsa._spki_is_dsa(bad, 0)  # unreadable: silenced, cryptography refuses it anyway
    with pytest.raises(IndexError):
        _dsa.spki_algorithm(b"\x30\x05\x30\x03\x06\x01")


@pytest.mark.parametrize("form", ["der", "pem"])
def test_load_public_key_dsa_spki(strict: None, form: str) -> None:
    spki = _dsa_spki()
    data = spki if form == "der" else pem_encode(spki, "PUBLIC KEY").encode()
    with pytest.raises(UnsupportedAlgorithm, match="DSAPublicKey keys are not supported"):
        load_public_key(data)


def test_load_public_key_dsa_certificate(strict: None, dsa_cert_der: bytes) -> None:
    with pytest.raises(UnsupportedAlgorithm, match="DSAPublicKey keys are not supported"):
        load_public_key(x509.load_der_x509_certificate(dsa_cert_der))
    with pytest.raises(UnsupportedAlgorithm, match="DSAPublicKey keys are not supported"):
        load_public_key(dsa_cert_der)


def test_cms_prepare_dsa_certificate(strict: None, dsa_cert_der: bytes) -> None:
    with pytest.raises(UnsupportedAlgorithm):
        cms_prepare(b"content", certificate=x509.load_der_x509_certificate(dsa_cert_der))


def test_cms_sign_key_mismatching_dsa_certificate(strict: None, dsa_cert_der: bytes) -> None:
    cert = x509.load_der_x509_certificate(dsa_cert_der)
    bundle = KeyBundle(private_key=make_key("p256"), certificate=cert, chain=())
    with pytest.raises(InputError, match="does not match the certificate"):
        cms_sign(b"content", bundle)


def test_cli_eddsa_check_of_dsa_certificate(strict: None, dsa_cert_der: bytes) -> None:
    assert _eddsa(x509.load_der_x509_certificate(dsa_cert_der)) is None
