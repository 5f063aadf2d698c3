"""Interop with the openssl command, both ways: cryptokit verifies `openssl cms -sign` output (DER and
BER, attached and detached, RSA and EC) and `openssl cms -verify` accepts what cryptokit signs."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import Encoding

from cryptokit.cms import CmsPolicy, cms_sign, cms_verify
from cryptokit.errors import VerificationFailed
from cryptokit.pkcs12 import KeyBundle
from cryptokit.report import SubIndication
from tests.conftest import OPENSSL, requires_openssl
from tests.pki import Pki, make_pki

pytestmark = requires_openssl

CONTENT = b"emCA getCertificate 4F3A9C21\n" * 40  # over 1 KiB so -stream splits it into chunks


def _openssl(*args: str | Path, input: bytes | None = None) -> bytes:
    assert OPENSSL is not None
    proc = subprocess.run([OPENSSL, *map(str, args)], input=input, capture_output=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return proc.stdout


def _files(tmp_path: Path, pki: Pki) -> dict[str, Path]:
    paths = {
        "leaf": tmp_path / "leaf.pem",
        "key": tmp_path / "key.pem",
        "root": tmp_path / "root.pem",
        "inter": tmp_path / "inter.pem",
        "ca": tmp_path / "ca.pem",
        "content": tmp_path / "content.bin",
    }
    paths["leaf"].write_bytes(pki.leaf.public_bytes(Encoding.PEM))
    paths["key"].write_bytes(
        pki.leaf_key.private_bytes(Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    paths["root"].write_bytes(pki.root.public_bytes(Encoding.PEM))
    paths["inter"].write_bytes(pki.intermediate.public_bytes(Encoding.PEM))
    # openssl cms -verify builds the chain from the CMS certificates and the trust store only.
    paths["ca"].write_bytes(pki.root.public_bytes(Encoding.PEM) + pki.intermediate.public_bytes(Encoding.PEM))
    paths["content"].write_bytes(CONTENT)
    return paths


@pytest.mark.parametrize("kind", ["rsa2048", "p256"])
@pytest.mark.parametrize(
    ("stream", "detached"),
    # openssl writes -stream DER output always with the content embedded (its detached streaming exists
    # only for S/MIME, whose signature part is DER); detached BER is covered by the hand-built vendor
    # sample in test_cms_vendor.py.
    [(False, False), (False, True), (True, False)],
    ids=["der-attached", "der-detached", "ber-attached"],
)
def test_cryptokit_verifies_openssl(tmp_path: Path, kind: str, stream: bool, detached: bool) -> None:
    pki = make_pki(kind)
    f = _files(tmp_path, pki)
    args: list[str | Path] = ["cms", "-sign", "-binary", "-in", f["content"], "-signer", f["leaf"]]
    args += ["-inkey", f["key"], "-outform", "DER", "-md", "sha256"]
    if not detached:
        args.append("-nodetach")
    if stream:
        args += ["-stream", "-indef"]
    cms = _openssl(*args)
    assert (cms[:2] == b"\x30\x80") is stream
    result = cms_verify(cms, content=CONTENT if detached else None, trusted_signers=[pki.leaf])
    assert result.content == CONTENT
    assert result.encoding == ("ber" if stream else "der")
    assert result.detached is detached
    assert result.signer == pki.leaf
    # A changed content byte is caught whatever the encoding.
    if detached:
        tampered = CONTENT[:-1] + b"?"
        with pytest.raises(VerificationFailed) as info:
            cms_verify(cms, content=tampered, trusted_signers=[pki.leaf])
    else:
        at = cms.index(CONTENT[100:120])
        with pytest.raises(VerificationFailed) as info:
            cms_verify(cms[:at] + b"X" + cms[at + 1 :], trusted_signers=[pki.leaf])
    assert info.value.report.sub_indication is SubIndication.HASH_FAILURE


def test_openssl_pem_output_and_ski_and_no_attributes(tmp_path: Path) -> None:
    pki = make_pki("rsa2048")
    f = _files(tmp_path, pki)
    base: list[str | Path] = ["cms", "-sign", "-binary", "-nodetach", "-in", f["content"], "-signer", f["leaf"]]
    base += ["-inkey", f["key"]]
    pem = _openssl(*base, "-outform", "PEM", "-keyid")
    assert pem.startswith(b"-----BEGIN CMS-----")
    assert cms_verify(pem, trusted_signers=[pki.leaf]).content == CONTENT
    assert cms_verify(pem.decode(), trusted_signers=[pki.leaf]).content == CONTENT
    noattr = _openssl(*base, "-outform", "DER", "-noattr")
    result = cms_verify(noattr, trusted_signers=[pki.leaf])
    assert result.signers[0].signed_attributes is False


def test_openssl_pss_and_multi_signer(tmp_path: Path) -> None:
    rsa_pki, ec_pki = make_pki("rsa2048"), make_pki("p256")
    (tmp_path / "r").mkdir()
    (tmp_path / "e").mkdir()
    fr, fe = _files(tmp_path / "r", rsa_pki), _files(tmp_path / "e", ec_pki)
    pss = _openssl(
        "cms", "-sign", "-binary", "-nodetach", "-in", fr["content"], "-signer", fr["leaf"], "-inkey", fr["key"],
        "-keyopt", "rsa_padding_mode:pss", "-outform", "DER",
    )  # fmt: skip
    result = cms_verify(pss, trusted_signers=[rsa_pki.leaf])
    assert result.signers[0].signature_algorithm.startswith("RSASSA-PSS(sha256")
    both = _openssl(
        "cms", "-sign", "-binary", "-nodetach", "-in", fr["content"], "-outform", "DER",
        "-signer", fr["leaf"], "-inkey", fr["key"], "-signer", fe["leaf"], "-inkey", fe["key"],
    )  # fmt: skip
    assert len(cms_verify(both, trusted_signers=[rsa_pki.leaf, ec_pki.leaf]).signers) == 2
    with pytest.raises(VerificationFailed) as info:
        cms_verify(both, trusted_signers=[rsa_pki.leaf])
    assert info.value.report.sub_indication is SubIndication.NO_SIGNING_CERTIFICATE_FOUND


def test_openssl_sha1_is_refused_by_default(tmp_path: Path) -> None:
    pki = make_pki("rsa2048")
    f = _files(tmp_path, pki)
    cms = _openssl(
        "cms", "-sign", "-binary", "-nodetach", "-in", f["content"], "-signer", f["leaf"], "-inkey", f["key"],
        "-md", "sha1", "-outform", "DER",
    )  # fmt: skip
    with pytest.raises(VerificationFailed) as info:
        cms_verify(cms, trusted_signers=[pki.leaf])
    assert info.value.report.sub_indication is SubIndication.CRYPTO_CONSTRAINTS_FAILURE
    assert (
        cms_verify(cms, trusted_signers=[pki.leaf], policy=CmsPolicy(allow_sha1=True)).digest_algorithm.name == "sha1"
    )


@pytest.mark.parametrize(
    ("kind", "scheme", "digest"),
    [
        ("rsa2048", "pkcs1v15", "sha256"),
        ("rsa2048", "pss", "sha256"),
        ("p256", "ecdsa", "sha256"),
        ("p384", "ecdsa", "sha384"),
        ("rsa3072", "pss", "sha512"),
    ],
)  # fmt: skip  (OpenSSL 3.0 has no Ed25519 CMS: "no default digest"; see test_cms_sign.py)
@pytest.mark.parametrize("detached", [False, True], ids=["attached", "detached"])
def test_openssl_verifies_cryptokit(tmp_path: Path, kind: str, scheme: str, digest: str, detached: bool) -> None:
    pki = make_pki("p256", leaf_kind=kind) if kind != "p256" else make_pki("p256")
    f = _files(tmp_path, pki)
    bundle = KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain))
    cms = cms_sign(CONTENT, bundle, detached=detached, digest=digest, scheme=scheme)  # type: ignore[arg-type]
    (tmp_path / "out.der").write_bytes(cms)
    args: list[str | Path] = ["cms", "-verify", "-binary", "-inform", "DER", "-in", tmp_path / "out.der"]
    args += ["-CAfile", f["ca"], "-purpose", "any"]
    if detached:
        args += ["-content", f["content"]]
    assert _openssl(*args) == CONTENT
    assert cms_verify(cms, content=CONTENT if detached else None, trusted_signers=[bundle]).content == CONTENT


@pytest.mark.parametrize(
    "options", [{"signer_identifier": "ski"}, {"include_chain": True}, {"signed_attributes": False}]
)
def test_openssl_verifies_cryptokit_variants(tmp_path: Path, options: dict[str, object]) -> None:
    pki = make_pki("rsa2048")
    f = _files(tmp_path, pki)
    cms = cms_sign(CONTENT, KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain)), **options)  # type: ignore[arg-type]
    (tmp_path / "out.der").write_bytes(cms)
    ca = f["root"] if options.get("include_chain") else f["ca"]  # the chain travels in the CMS
    out = _openssl("cms", "-verify", "-binary", "-inform", "DER", "-in", tmp_path / "out.der", "-CAfile", ca,
                   "-purpose", "any")  # fmt: skip
    assert out == CONTENT


def test_openssl_prints_cryptokit_structure(tmp_path: Path) -> None:
    """The emitted shape: version 1, SHA-256 with NULL, v1 SignerInfo, the four signed attributes."""
    pki = make_pki("rsa2048")
    cms = cms_sign(b"0123", KeyBundle(pki.leaf_key, pki.leaf, ()))
    (tmp_path / "out.der").write_bytes(cms)
    text = _openssl("cms", "-cmsout", "-print", "-inform", "DER", "-in", tmp_path / "out.der").decode()
    for expected in ("version: 1", "parameter: NULL", "contentType", "signingTime", "messageDigest", "UTCTIME"):
        assert expected in text, expected
    assert "CMSAlgorithmProtection" in text or "1.2.840.113549.1.9.52" in text
