"""Signed attributes cannot pose as content (issue 15, point 8).

From a real signature (cryptokit's own and the ``openssl cms`` command's): move the SignerInfo's
signed attributes (re-tagged as the SET OF they were signed as) into eContent and drop them from the
SignerInfo. The signature then covers "the content" directly and verified under the default
CmsPolicy; now it is refused unless ``CmsPolicy(allow_attributes_as_content=True)``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from asn1crypto import cms as a_cms
from cryptography.hazmat.primitives import serialization

from cryptokit.cms import CmsPolicy, cms_sign, cms_verify
from cryptokit.errors import VerificationFailed
from cryptokit.pkcs12 import KeyBundle
from tests.pki import make_pki

PKI = make_pki("p256", label="attrs-as-content")
BUNDLE = KeyBundle(PKI.leaf_key, PKI.leaf, tuple(PKI.chain))
AT = (
    PKI.leaf.not_valid_before_utc.replace(microsecond=0)
    + (PKI.leaf.not_valid_after_utc - PKI.leaf.not_valid_before_utc) / 2
)


def _attributes_as_content(der: bytes) -> tuple[bytes, bytes]:
    """(forged SignedData, the "content" it carries): signed attributes moved into eContent."""
    info = a_cms.ContentInfo.load(der)
    signed = info["content"]
    signer = signed["signer_infos"][0]
    attrs = signer["signed_attrs"]
    as_set = b"\x31" + attrs.dump()[1:]  # [0] IMPLICIT -> SET OF, as RFC 5652 5.4 signs them
    forged_signer = a_cms.SignerInfo(
        {
            "version": signer["version"],
            "sid": signer["sid"],
            "digest_algorithm": signer["digest_algorithm"],
            "signature_algorithm": signer["signature_algorithm"],
            "signature": signer["signature"],
        }
    )
    forged = a_cms.SignedData(
        {
            "version": signed["version"],
            "digest_algorithms": signed["digest_algorithms"],
            "encap_content_info": {"content_type": "data", "content": as_set},
            "certificates": signed["certificates"],
            "signer_infos": [forged_signer],
        }
    )
    return a_cms.ContentInfo({"content_type": "signed_data", "content": forged}).dump(), as_set


def _check(der: bytes) -> None:
    forged, as_set = _attributes_as_content(der)
    with pytest.raises(VerificationFailed, match="signed attributes cannot pose as content"):
        cms_verify(forged, trusted_signers=[PKI.leaf], at=AT)
    with pytest.raises(VerificationFailed):
        cms_verify(forged, trust_anchors=[PKI.root], at=AT)
    # the confusion is real: the same bytes verify when the policy allows it
    allowed = cms_verify(forged, trusted_signers=[PKI.leaf], at=AT, policy=CmsPolicy(allow_attributes_as_content=True))
    assert allowed.content == as_set


def test_cryptokit_signature_attributes_cannot_pose_as_content() -> None:
    der = cms_sign(b"the document that was signed", BUNDLE)
    assert cms_verify(der, trusted_signers=[PKI.leaf], at=AT).content == b"the document that was signed"
    _check(der)


def test_openssl_signature_attributes_cannot_pose_as_content(tmp_path: Path) -> None:
    (tmp_path / "k.pem").write_bytes(
        PKI.leaf_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    (tmp_path / "c.pem").write_bytes(PKI.leaf.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "doc.txt").write_bytes(b"signed by openssl")
    subprocess.run(
        ["openssl", "cms", "-sign", "-binary", "-nodetach", "-in", str(tmp_path / "doc.txt"), "-signer",
         str(tmp_path / "c.pem"), "-inkey", str(tmp_path / "k.pem"), "-outform", "DER", "-out", str(tmp_path / "s.der"),
         "-md", "sha256"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    _check((tmp_path / "s.der").read_bytes())


def test_content_signed_directly_still_verifies(tmp_path: Path) -> None:
    """A SignerInfo without signed attributes over ordinary content (openssl -noattr) is unaffected."""
    (tmp_path / "k.pem").write_bytes(
        PKI.leaf_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    (tmp_path / "c.pem").write_bytes(PKI.leaf.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "doc.txt").write_bytes(b"no attributes")
    subprocess.run(
        ["openssl", "cms", "-sign", "-binary", "-nodetach", "-noattr", "-in", str(tmp_path / "doc.txt"), "-signer",
         str(tmp_path / "c.pem"), "-inkey", str(tmp_path / "k.pem"), "-outform", "DER", "-out", str(tmp_path / "s.der"),
         "-md", "sha256"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    assert cms_verify((tmp_path / "s.der").read_bytes(), trusted_signers=[PKI.leaf], at=AT).content == b"no attributes"
