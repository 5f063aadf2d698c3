"""Certificates given as bytes (through cryptokit.certificates.load_certificates), including an
ADSS-style answer: a base64 BER PKCS#7 ``certificate_chain`` plus the leaf ``certificate``."""

from __future__ import annotations

import base64

import pytest
from asn1crypto import cms as a_cms
from asn1crypto import x509 as a_x509
from cryptography.hazmat.primitives import serialization

from cryptokit.chain import validate_chain
from cryptokit.errors import InputError
from cryptokit.report import SubIndication
from tests.pki import make_pki

DER = serialization.Encoding.DER
PEM = serialization.Encoding.PEM


def _ber_certs_only(certs: list[bytes]) -> bytes:
    """A PKCS#7 certs-only SignedData as Java writes it: indefinite-length outer encodings."""
    signed = a_cms.SignedData(
        {
            "version": "v1",
            "digest_algorithms": [],
            "encap_content_info": {"content_type": "data"},
            "certificates": [a_x509.Certificate.load(c) for c in certs],
            "signer_infos": [],
        }
    )
    inner = signed.contents  # DER content octets of the SignedData SEQUENCE
    oid = a_cms.ContentType("signed_data").dump()
    # ContentInfo SEQUENCE (indefinite) { OID, [0] EXPLICIT (indefinite) { SignedData SEQUENCE (indefinite) } }
    return b"\x30\x80" + oid + b"\xa0\x80" + b"\x30\x80" + inner + b"\x00\x00" + b"\x00\x00" + b"\x00\x00"


def test_pem_and_der_bytes() -> None:
    pki = make_pki("p256")
    leaf_pem = pki.leaf.public_bytes(PEM)
    bundle = pki.root.public_bytes(PEM) + pki.intermediate.public_bytes(PEM)
    report = validate_chain(leaf_pem, intermediates=bundle, trust_anchors=pki.root.public_bytes(DER), cache=None)
    assert report.ok, report.failures()
    assert report.path == (pki.leaf, pki.intermediate, pki.root)


def test_adss_style_base64_ber_pkcs7_chain() -> None:
    pki = make_pki("rsa2048", label="adss")
    ber = _ber_certs_only([pki.root.public_bytes(DER), pki.intermediate.public_bytes(DER)])
    assert ber[1] == 0x80  # really BER (indefinite length), not DER
    answer = {
        "certificate": base64.b64encode(pki.leaf.public_bytes(DER)).decode(),
        "certificate_chain": base64.b64encode(ber).decode(),
    }
    user_root = pki.root.public_bytes(PEM)  # the root the user trusts, from their own store
    report = validate_chain(
        answer["certificate"], intermediates=answer["certificate_chain"], trust_anchors=[user_root], cache=None
    )
    assert report.ok, report.failures()
    assert report.path == (pki.leaf, pki.intermediate, pki.root)
    # the same answer against another root: no chain
    other = make_pki("rsa2048", label="adss-other").root
    bad = validate_chain(
        answer["certificate"], intermediates=answer["certificate_chain"], trust_anchors=[other], cache=None
    )
    assert bad.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND


def test_bytes_inputs_are_cached_without_parsing() -> None:
    from cryptokit.chain import ChainCache

    pki = make_pki("p256")
    cache: ChainCache = ChainCache()
    leaf, chain, root = pki.leaf.public_bytes(DER), pki.intermediate.public_bytes(PEM), pki.root.public_bytes(DER)
    first = validate_chain(leaf, intermediates=[chain], trust_anchors=[root], cache=cache)
    second = validate_chain(leaf, intermediates=[chain], trust_anchors=[root], cache=cache)
    assert first.ok and second.ok and cache.stats().hits == 1


def test_malformed_bytes_are_input_errors() -> None:
    pki = make_pki("p256")
    with pytest.raises(InputError) as err:
        validate_chain(b"\x30\x03\x02\x01\x01", trust_anchors=[pki.root], cache=None)
    assert err.value.field == "leaf"
    with pytest.raises(InputError) as err:
        validate_chain(pki.leaf, intermediates=[b"garbage"], trust_anchors=[pki.root], cache=None)
    assert err.value.field.startswith("intermediates")
    two = pki.leaf.public_bytes(PEM) + pki.intermediate.public_bytes(PEM)
    with pytest.raises(InputError):
        validate_chain(two, trust_anchors=[pki.root], cache=None)
