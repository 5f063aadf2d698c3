"""Review findings on CMS verification."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509

from cryptokit.cms import cms_sign, cms_verify
from cryptokit.errors import VerificationFailed
from cryptokit.pkcs12 import KeyBundle
from cryptokit.report import SubIndication
from tests.pki import Pki, make_pki

_ID_DATA = bytes.fromhex("06092A864886F70D010701")  # OID 1.2.840.113549.1.7.1
_ID_DIGESTED_DATA = bytes.fromhex("06092A864886F70D010705")  # OID 1.2.840.113549.1.7.5


def test_econtent_type_without_signed_attributes_must_be_id_data() -> None:
    """RFC 5652 5.3: without signed attributes nothing signs eContentType, so anyone could change it."""
    pki = make_pki("p256")
    signer = KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain))
    cms = cms_sign(b"hello", signer, signed_attributes=False)
    assert cms.count(_ID_DATA) == 1
    assert cms_verify(cms, trusted_signers=[signer]).content_type == "1.2.840.113549.1.7.1"
    tampered = cms.replace(_ID_DATA, _ID_DIGESTED_DATA)
    with pytest.raises(VerificationFailed) as info:
        cms_verify(tampered, trusted_signers=[signer])
    assert info.value.report.sub_indication == SubIndication.FORMAT_FAILURE
    assert [c.name for c in info.value.report.failures()] == ["signed_attributes"]


@pytest.fixture(scope="module")
def pss_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An RSASSA-PSS key (SPKI id-RSASSA-PSS binding SHA-256, MGF1-SHA-256, salt 32) made by openssl."""
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl command not available")
    d = tmp_path_factory.mktemp("pss")
    opts = ["rsa_keygen_bits:2048", "rsa_pss_keygen_md:sha256", "rsa_pss_keygen_mgf1_md:sha256"]
    opts.append("rsa_pss_keygen_saltlen:32")
    cmd = ["openssl", "genpkey", "-algorithm", "RSA-PSS", "-out", str(d / "k.pem")]
    for o in opts:
        cmd += ["-pkeyopt", o]
    subprocess.run(cmd, check=True, capture_output=True)
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-new", "-key", str(d / "k.pem"), "-subj", "/CN=Review PSS Signer"),
            *("-days", "30", "-sigopt", "rsa_padding_mode:pss", "-out", str(d / "c.pem")),
        ],
        check=True,
        capture_output=True,
    )
    return d


@pytest.fixture(scope="module")
def pss_signer(pss_files: Path) -> KeyBundle:
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key((pss_files / "k.pem").read_bytes(), None)
    cert = x509.load_pem_x509_certificate((pss_files / "c.pem").read_bytes())
    assert cert.public_key_algorithm_oid.dotted_string == "1.2.840.113549.1.1.10"
    return KeyBundle(key, cert, ())


def test_rsassa_pss_key_refuses_pkcs1v15_signer_info(pss_signer: KeyBundle) -> None:
    """RFC 4055: a key whose SPKI is id-RSASSA-PSS may only make PSS signatures with its parameters."""
    good = cms_sign(b"hello", pss_signer, scheme="pss")
    assert cms_verify(good, trusted_signers=[pss_signer]).signers[0].signature_algorithm.startswith("RSASSA-PSS")
    v15 = cms_sign(b"hello", pss_signer, scheme="pkcs1v15")
    with pytest.raises(VerificationFailed) as info:
        cms_verify(v15, trusted_signers=[pss_signer])
    assert info.value.report.sub_indication == SubIndication.SIG_CRYPTO_FAILURE
    assert "RSASSA-PSS key" in info.value.report.failures()[0].message
    # PSS, but with a hash the key's parameters do not allow
    other_hash = cms_sign(b"hello", pss_signer, scheme="pss", digest="sha512")
    with pytest.raises(VerificationFailed):
        cms_verify(other_hash, trusted_signers=[pss_signer])


def test_openssl_pss_cms_from_a_pss_key_verifies(pss_files: Path, pss_signer: KeyBundle) -> None:
    import subprocess

    d = pss_files
    (d / "m.txt").write_bytes(b"hello")
    subprocess.run(
        [
            *("openssl", "cms", "-sign", "-binary", "-nodetach", "-in", str(d / "m.txt"), "-signer", str(d / "c.pem")),
            *("-inkey", str(d / "k.pem"), "-outform", "DER", "-out", str(d / "s.der")),
            *("-keyopt", "rsa_padding_mode:pss", "-md", "sha256"),
        ],
        check=True,
        capture_output=True,
    )
    result = cms_verify((d / "s.der").read_bytes(), trusted_signers=[pss_signer])
    assert result.content == b"hello"


def _duplicate_extension_leaf() -> tuple[Pki, x509.Certificate]:
    """(pki, leaf) where the leaf repeats its keyUsage extension (cryptography parses it, then raises lazily)."""
    from asn1crypto import x509 as ax509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pki = make_pki("p256")
    tbs = ax509.Certificate.load(pki.leaf.public_bytes(serialization.Encoding.DER))["tbs_certificate"]
    exts = list(tbs["extensions"])
    ku = next(e for e in exts if e["extn_id"].native == "key_usage")
    tbs["extensions"] = ax509.Extensions([*exts, ax509.Extension.load(ku.dump())])
    tbs_der = tbs.dump(force=True)
    signature = pki.intermediate_key.sign(tbs_der, ec.ECDSA(hashes.SHA256()))  # type: ignore[call-arg,arg-type]
    identifier = ax509.Certificate.load(pki.leaf.public_bytes(serialization.Encoding.DER))["signature_algorithm"]
    der = ax509.Certificate(
        {"tbs_certificate": ax509.TbsCertificate.load(tbs_der), "signature_algorithm": identifier}
        | {"signature_value": signature}
    ).dump()
    return pki, x509.load_der_x509_certificate(der)


def test_embedded_certificate_with_duplicate_extensions_is_a_format_error() -> None:
    """An attacker-supplied SignedData must not make cms_verify raise cryptography's DuplicateExtension."""
    from cryptokit.cms import CmsFormatError
    from cryptokit.errors import InputError

    pki, dup = _duplicate_extension_leaf()
    cms = cms_sign(b"x", KeyBundle(pki.leaf_key, dup, ()))
    with pytest.raises(CmsFormatError):
        cms_verify(cms, trust_anchors=[pki.root])
    with pytest.raises(CmsFormatError):
        cms_verify(cms, trusted_signers=[pki.leaf])
    good = cms_sign(b"x", KeyBundle(pki.leaf_key, pki.leaf, ()), signer_identifier="ski")
    with pytest.raises(InputError):
        cms_verify(good, trusted_signers=[dup, pki.leaf])


def test_embedded_certificate_with_an_invalid_version_is_a_format_error() -> None:
    """x509.InvalidVersion is not a ValueError; it escaped cms_verify before."""
    from cryptokit.cms import CmsFormatError

    pki = make_pki("p256")
    cms = cms_sign(b"x", KeyBundle(pki.leaf_key, pki.leaf, ()))
    v3 = bytes.fromhex("a003020102")  # [0] EXPLICIT INTEGER 2 (v3) of the embedded certificate
    assert cms.count(v3) == 1
    bad = cms.replace(v3, bytes.fromhex("a003020142"))  # version 66
    with pytest.raises(CmsFormatError):
        cms_verify(bad, trusted_signers=[pki.leaf])
