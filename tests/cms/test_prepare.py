"""cms_prepare / PreparedCms.finish: a CAdES-BES SignedData around a signature made elsewhere.

The signature comes from the ADSS EmbeddedSigner and CSC EmbeddedCscSigner exchanges (or from
sign_digest standing in for a service); the result is checked by cms_verify, the openssl command and
the cryptokit CLI.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from asn1crypto import algos, tsp
from asn1crypto import cms as acms
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding

import cryptokit as ck
from cryptokit.cms import CmsPolicy, PreparedCms, cms_prepare, cms_verify
from cryptokit.errors import InputError, PolicyViolation, UnsupportedAlgorithm, VerificationFailed
from cryptokit.pkcs12 import KeyBundle
from cryptokit.protocols import adss, csc
from cryptokit.report import SubIndication
from tests.conftest import OPENSSL, requires_openssl
from tests.pki import Pki, make_cert, make_key, make_pki, name

CONTENT = b"%PDF-1.7 not really, but binary: \x00\x01\xff\r\n\x1a" * 50
_ = tsp  # registers signingCertificateV2 with asn1crypto.cms


@pytest.fixture(scope="module")
def rsa() -> Pki:
    return make_pki("rsa2048", label="prepare")


@pytest.fixture(scope="module")
def p256() -> Pki:
    return make_pki("p256", label="prepare")


def _sign(pki: Pki, prepared: PreparedCms, **options: object) -> bytes:
    """What a remote service does: sign the hash it was sent, nothing more."""
    h = prepared.to_sign
    return ck.sign_digest(pki.leaf_key, h.digest, h.algorithm, **options)  # type: ignore[arg-type]


def _attributes(prepared: PreparedCms) -> dict[str, acms.CMSAttribute]:
    attrs = acms.CMSAttributes.load(prepared.signed_attributes)
    return {a["type"].dotted: a for a in attrs}


# --------------------------------------------------------------------------- structure


@pytest.mark.parametrize("hash_name", ["sha256", "sha384"])
def test_cades_bes_signed_attributes(rsa: Pki, hash_name: str) -> None:
    when = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
    prepared = cms_prepare(CONTENT, hash=hash_name, certificate=rsa.leaf, chain=rsa.chain, signing_time=when)
    h = ck.hash_algorithm(hash_name)
    attrs = _attributes(prepared)
    assert set(attrs) == {
        "1.2.840.113549.1.9.3",  # contentType
        "1.2.840.113549.1.9.4",  # messageDigest
        "1.2.840.113549.1.9.5",  # signingTime
        "1.2.840.113549.1.9.16.2.47",  # signingCertificateV2 (RFC 5035)
        "1.2.840.113549.1.9.52",  # CMSAlgorithmProtection (RFC 6211)
    }
    assert attrs["1.2.840.113549.1.9.3"]["values"][0].dotted == "1.2.840.113549.1.7.1"
    assert attrs["1.2.840.113549.1.9.4"]["values"][0].native == ck.hash_to_sign(CONTENT, h).digest
    assert attrs["1.2.840.113549.1.9.5"]["values"][0].native == when
    ess = attrs["1.2.840.113549.1.9.16.2.47"]["values"][0]["certs"][0]
    leaf_der = rsa.leaf.public_bytes(Encoding.DER)
    assert ess["cert_hash"].native == ck.hash_to_sign(leaf_der, h).digest
    assert ess["hash_algorithm"]["algorithm"].dotted == h.oid
    # DER: the DEFAULT (SHA-256) hashAlgorithm is left out, any other is written.
    oid_der = bytes.fromhex("0609608648016503040201" if hash_name == "sha256" else "0609608648016503040202")
    assert (oid_der in ess.dump()) is (hash_name != "sha256")
    assert ess["issuer_serial"]["serial_number"].native == rsa.leaf.serial_number
    protection = attrs["1.2.840.113549.1.9.52"]["values"][0]
    assert protection["digest_algorithm"]["algorithm"].dotted == h.oid
    assert protection["signature_algorithm"].untag().dump() == prepared.signature_algorithm
    # to_sign is the hash of the DER SET OF the signature covers
    assert prepared.to_sign == ck.HashToSign(h, ck.hash_to_sign(prepared.signed_attributes, h).digest)
    assert prepared.signed_attributes[0] == 0x31


def test_pss_parameters_spelt_out(rsa: Pki) -> None:
    prepared = cms_prepare(
        CONTENT, certificate=rsa.leaf, chain=rsa.chain, scheme="pss", hash="sha384", pss_salt_length=20
    )
    alg = algos.SignedDigestAlgorithm.load(prepared.signature_algorithm)
    assert alg["algorithm"].dotted == "1.2.840.113549.1.1.10"
    params = alg["parameters"]
    assert params["hash_algorithm"]["algorithm"].dotted == "2.16.840.1.101.3.4.2.2"
    assert params["mask_gen_algorithm"]["algorithm"].dotted == "1.2.840.113549.1.1.8"
    assert params["mask_gen_algorithm"]["parameters"]["algorithm"].dotted == "2.16.840.1.101.3.4.2.2"
    assert params["salt_length"].native == 20
    sig = _sign(rsa, prepared, scheme="pss", pss_salt_length=20)
    result = cms_verify(prepared.finish(sig), content=CONTENT, trust_anchors=[rsa.root])
    assert "RSASSA-PSS(sha384, MGF1-sha384, salt 20)" in result.signers[0].signature_algorithm


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize(
    ("kind", "scheme", "encoding"),
    [("rsa2048", None, "der"), ("rsa2048", "pss", "der"), ("p256", None, "der"), ("p256", None, "raw")],
)
@pytest.mark.parametrize("detached", [True, False])
def test_finish_verifies_attached_and_detached(kind: str, scheme: str | None, encoding: str, detached: bool) -> None:
    pki = make_pki(kind, label="prepare")
    prepared = cms_prepare(CONTENT, certificate=pki.leaf, chain=pki.chain, detached=detached, scheme=scheme)
    sig = _sign(pki, prepared, scheme=scheme or "auto", signature_encoding=encoding)
    der = prepared.finish(sig, signature_encoding=encoding)
    result = cms_verify(der, content=CONTENT if detached else None, trust_anchors=[pki.root])
    assert result.detached is detached
    assert result.content == CONTENT
    assert len(result.signers[0].chain) == 3


def test_digest_only_and_path(tmp_path: Path, p256: Pki) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(CONTENT)
    by_digest = cms_prepare(digest=ck.hash_to_sign(CONTENT), certificate=p256.leaf)
    by_path = cms_prepare(path, certificate=p256.leaf)
    assert by_digest.message_digest == by_path.message_digest == ck.hash_to_sign(CONTENT).digest
    der = by_digest.finish(_sign(p256, by_digest))
    cms_verify(der, content=CONTENT, trusted_signers=[p256.leaf])
    with pytest.raises(VerificationFailed) as info:
        cms_verify(der, content=CONTENT + b"!", trusted_signers=[p256.leaf])
    assert info.value.report.sub_indication is SubIndication.HASH_FAILURE
    attached = cms_prepare(path, certificate=p256.leaf, detached=False)
    assert cms_verify(attached.finish(_sign(p256, attached)), trusted_signers=[p256.leaf]).content == CONTENT


def test_content_digest_of_cms_verify(p256: Pki) -> None:
    prepared = cms_prepare(CONTENT, certificate=p256.leaf)
    der = prepared.finish(_sign(p256, prepared))
    cms_verify(der, content_digest=ck.hash_to_sign(CONTENT), trusted_signers=[p256.leaf])
    with pytest.raises(VerificationFailed) as info:
        cms_verify(der, content_digest=ck.hash_to_sign(CONTENT + b"x"), trusted_signers=[p256.leaf])
    assert info.value.report.sub_indication is SubIndication.HASH_FAILURE
    with pytest.raises(VerificationFailed):
        cms_verify(der, content_digest=ck.hash_to_sign(CONTENT, "sha384"), trusted_signers=[p256.leaf])
    with pytest.raises(InputError, match="content_digest"):
        cms_verify(der, content=CONTENT, content_digest=ck.hash_to_sign(CONTENT), trusted_signers=[p256.leaf])


# --------------------------------------------------------------------------- finish refuses


def test_finish_refuses_another_key_other_data_other_scheme(rsa: Pki) -> None:
    prepared = cms_prepare(CONTENT, certificate=rsa.leaf)
    other = make_key("rsa2048", "prepare-other")
    h = prepared.to_sign
    with pytest.raises(VerificationFailed) as info:
        prepared.finish(ck.sign_digest(other, h.digest, h.algorithm))
    assert info.value.report.sub_indication is SubIndication.SIG_CRYPTO_FAILURE
    with pytest.raises(VerificationFailed) as info:
        prepared.finish(ck.sign_digest(rsa.leaf_key, ck.hash_to_sign(b"other").digest, h.algorithm))
    assert info.value.report.sub_indication is SubIndication.SIG_CRYPTO_FAILURE
    with pytest.raises(VerificationFailed):
        prepared.finish(_sign(rsa, prepared, scheme="pss"))  # prepared for PKCS#1 v1.5
    with pytest.raises(InputError, match="256"):
        prepared.finish(_sign(rsa, prepared)[:-1])


def test_finish_ecdsa_encodings(p256: Pki) -> None:
    prepared = cms_prepare(CONTENT, certificate=p256.leaf)
    raw = _sign(p256, prepared, signature_encoding="raw")
    with pytest.raises(InputError, match="signature_encoding='raw'"):
        prepared.finish(raw)
    cms_verify(prepared.finish(raw, signature_encoding="auto"), content=CONTENT, trusted_signers=[p256.leaf])
    with pytest.raises(InputError, match="64"):
        prepared.finish(raw[:-1], signature_encoding="raw")
    with pytest.raises(InputError, match="bytes"):
        prepared.finish("not bytes", signature_encoding="raw")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- refused before anything is sent


def test_refuses_ed25519() -> None:
    pki = make_pki("ed25519", label="prepare")
    with pytest.raises(UnsupportedAlgorithm, match="cannot make its CMS signature"):
        cms_prepare(CONTENT, certificate=pki.leaf)


def test_refuses_key_usage_without_signing(rsa: Pki) -> None:
    key = make_key("rsa2048", "prepare-ku")
    enc_only = make_cert(
        name("encryption only"),
        key,
        rsa.intermediate,
        rsa.intermediate_key,
        key_usage={"digital_signature": False, "content_commitment": False, "key_encipherment": True},
    )
    with pytest.raises(PolicyViolation, match="keyUsage"):
        cms_prepare(CONTENT, certificate=enc_only)
    non_repudiation = make_cert(
        name("nr only"), key, rsa.intermediate, rsa.intermediate_key, key_usage={"digital_signature": False}
    )
    cms_prepare(CONTENT, certificate=non_repudiation)  # nonRepudiation alone permits signing


def test_refuses_weak_hash_and_small_key(rsa: Pki) -> None:
    with pytest.raises(UnsupportedAlgorithm, match="sha1"):
        cms_prepare(CONTENT, certificate=rsa.leaf, hash="sha1")
    with pytest.raises(UnsupportedAlgorithm):
        cms_prepare(CONTENT, certificate=rsa.leaf, hash="md5")
    with pytest.raises(UnsupportedAlgorithm, match="sha224"):
        cms_prepare(
            CONTENT, certificate=rsa.leaf, hash="sha224", policy=CmsPolicy(digest_algorithms=frozenset({"sha256"}))
        )
    prepared = cms_prepare(CONTENT, certificate=rsa.leaf, hash="sha1", policy=CmsPolicy(allow_sha1=True))
    assert prepared.hash.name == "sha1"
    small = make_pki("rsa1024", label="prepare")
    with pytest.raises(PolicyViolation, match="RSA-1024"):
        cms_prepare(CONTENT, certificate=small.leaf)


def test_refuses_bad_arguments(rsa: Pki) -> None:
    with pytest.raises(InputError, match="content"):
        cms_prepare(certificate=rsa.leaf)
    with pytest.raises(InputError, match="content"):
        cms_prepare(CONTENT, digest=ck.hash_to_sign(CONTENT), certificate=rsa.leaf)
    with pytest.raises(InputError, match="digest"):
        cms_prepare(digest=ck.hash_to_sign(CONTENT), certificate=rsa.leaf, detached=False)
    with pytest.raises(InputError, match="digest"):
        cms_prepare(digest=b"\x00" * 31, certificate=rsa.leaf)
    with pytest.raises(InputError, match="digest"):
        cms_prepare(digest=ck.hash_to_sign(CONTENT, "sha384"), certificate=rsa.leaf)
    with pytest.raises(InputError, match="scheme"):
        cms_prepare(CONTENT, certificate=rsa.leaf, scheme="ecdsa")
    with pytest.raises(InputError, match="signing_time"):
        cms_prepare(CONTENT, certificate=rsa.leaf, signing_time=dt.datetime(2026, 1, 1))
    with pytest.raises(InputError, match="certificate"):
        cms_prepare(CONTENT, certificate=object())  # type: ignore[arg-type]
    expired = make_cert(
        name("expired"),
        rsa.leaf_key,
        rsa.intermediate,
        rsa.intermediate_key,
        not_before=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
        not_after=dt.datetime(2021, 1, 1, tzinfo=dt.UTC),
    )
    with pytest.raises(PolicyViolation, match="validity"):
        cms_prepare(CONTENT, certificate=expired)


# --------------------------------------------------------------------------- storage between the halves


def test_pickles_and_round_trips_through_json(rsa: Pki) -> None:
    prepared = cms_prepare(CONTENT, certificate=rsa.leaf, chain=rsa.chain, detached=False, scheme="pss")
    again = pickle.loads(pickle.dumps(prepared))
    assert again == prepared
    stored = json.loads(json.dumps(prepared.to_dict()))
    restored = PreparedCms.from_dict(stored)
    assert restored == prepared
    der = restored.finish(_sign(rsa, prepared, scheme="pss"))
    assert cms_verify(der, trust_anchors=[rsa.root]).content == CONTENT


def test_finish_in_another_process(tmp_path: Path, p256: Pki) -> None:
    prepared = cms_prepare(CONTENT, certificate=p256.leaf)
    (tmp_path / "prepared.pickle").write_bytes(pickle.dumps(prepared))
    (tmp_path / "sig").write_bytes(_sign(p256, prepared))
    script = (
        "import pickle,sys,pathlib;d=pathlib.Path(sys.argv[1]);"
        "p=pickle.loads((d/'prepared.pickle').read_bytes());"
        "(d/'out.p7s').write_bytes(p.finish((d/'sig').read_bytes()))"
    )
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=True, timeout=60)
    cms_verify((tmp_path / "out.p7s").read_bytes(), content=CONTENT, trusted_signers=[p256.leaf])


def test_from_dict_refuses_tampering(rsa: Pki) -> None:
    prepared = cms_prepare(CONTENT, certificate=rsa.leaf)
    good = prepared.to_dict()
    other_digest = ck.hash_to_sign(b"other")
    for key, value, field in [
        ("message_digest", other_digest.b64, "data.message_digest"),
        ("format", "something else", "data.format"),
        ("scheme", "ed25519", "data.scheme"),
        ("detached", "yes", "data.detached"),
        ("content", "AAAA", "data.content"),
        ("signed_attributes", "!!", "data.signed_attributes"),
        ("chain", "x", "data.chain"),
    ]:
        with pytest.raises(InputError) as info:
            PreparedCms.from_dict({**good, key: value})
        assert info.value.field == field, (key, info.value)
    with pytest.raises(InputError, match="data"):
        PreparedCms.from_dict([])  # type: ignore[arg-type]


# --------------------------------------------------------------------------- through the vendor exchanges


@pytest.mark.parametrize(("kind", "encoding"), [("rsa2048", "der"), ("p256", "raw")])
def test_through_adss_embedded_signer(kind: str, encoding: str) -> None:
    pki = make_pki(kind, label="prepare")
    service = adss.EmbeddedSigner(
        KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain)),
        cert_alias="alias",
        signature_encoding=encoding,  # type: ignore[arg-type]
    )
    prepared = [cms_prepare(CONTENT + bytes([i]), certificate=pki.leaf, chain=pki.chain) for i in range(3)]
    request = adss.build_sign_request(
        [p.to_sign for p in prepared], profile_id="CSP Service Profile", cert_alias="alias", token="dG9rZW4"
    )
    status, _, body = service.handle(request)
    result = adss.parse_sign_response(status, body)
    for i, (p, sig) in enumerate(zip(prepared, result.signatures, strict=True)):
        der = p.finish(sig, signature_encoding=encoding)
        cms_verify(der, content=CONTENT + bytes([i]), trust_anchors=[pki.root])


@pytest.mark.parametrize("scheme", ["pkcs1v15", "pss"])
def test_through_csc_embedded_signer(rsa: Pki, scheme: str) -> None:
    service = csc.EmbeddedCscSigner(KeyBundle(rsa.leaf_key, rsa.leaf, tuple(rsa.chain)), credential_id="cred")
    prepared = cms_prepare(CONTENT, certificate=rsa.leaf, chain=rsa.chain, scheme=scheme, detached=False)
    # the service issues a SAD bound to this one hash (credentials/authorize) before it signs it
    status, _, body = service.handle(csc.build_authorize_request("cred", num_signatures=1, hashes=[prepared.to_sign]))
    sad = csc.parse_authorize_response(status, body)
    request = csc.build_sign_hash_request(
        [prepared.to_sign],
        credential_id="cred",
        sign_algo=csc.RSASSA_PSS if scheme == "pss" else csc.RSA_ENCRYPTION,
        sad=sad.sad,
        access_token="token",
    )
    status, _, body = service.handle(request)
    (sig,) = csc.parse_sign_hash_response(status, body).signatures
    assert cms_verify(prepared.finish(sig), trust_anchors=[rsa.root]).content == CONTENT


# --------------------------------------------------------------------------- outside peers


@requires_openssl
@pytest.mark.parametrize("kind", ["rsa2048", "p256"])
@pytest.mark.parametrize("detached", [True, False])
def test_openssl_cms_verify(tmp_path: Path, kind: str, detached: bool) -> None:
    pki = make_pki(kind, label="prepare")
    prepared = cms_prepare(CONTENT, certificate=pki.leaf, chain=[pki.intermediate], detached=detached)
    (tmp_path / "c.p7s").write_bytes(prepared.finish(_sign(pki, prepared)))
    (tmp_path / "root.pem").write_bytes(pki.root.public_bytes(Encoding.PEM))
    (tmp_path / "content.bin").write_bytes(CONTENT)
    args = [OPENSSL, "cms", "-verify", "-binary", "-inform", "DER", "-in", tmp_path / "c.p7s"]
    args += ["-CAfile", tmp_path / "root.pem", "-out", tmp_path / "out.bin"]
    if detached:
        args += ["-content", tmp_path / "content.bin"]
    proc = subprocess.run([str(a) for a in args], capture_output=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert b"Verification successful" in proc.stderr
    assert (tmp_path / "out.bin").read_bytes() == CONTENT


@requires_openssl
def test_openssl_rejects_tampered_content(tmp_path: Path, p256: Pki) -> None:
    prepared = cms_prepare(CONTENT, certificate=p256.leaf, chain=[p256.intermediate])
    (tmp_path / "c.p7s").write_bytes(prepared.finish(_sign(p256, prepared)))
    (tmp_path / "root.pem").write_bytes(p256.root.public_bytes(Encoding.PEM))
    (tmp_path / "content.bin").write_bytes(CONTENT + b"!")
    args = [OPENSSL, "cms", "-verify", "-binary", "-inform", "DER", "-in", tmp_path / "c.p7s"]
    args += ["-CAfile", tmp_path / "root.pem", "-content", tmp_path / "content.bin", "-out", "/dev/null"]
    proc = subprocess.run([str(a) for a in args], capture_output=True, timeout=60, check=False)
    assert proc.returncode != 0


def test_cryptokit_cli_verifies(tmp_path: Path, rsa: Pki) -> None:
    prepared = cms_prepare(CONTENT, certificate=rsa.leaf, chain=rsa.chain)
    (tmp_path / "c.p7s").write_bytes(prepared.finish(_sign(rsa, prepared)))
    (tmp_path / "root.pem").write_bytes(rsa.root.public_bytes(Encoding.PEM))
    (tmp_path / "content.bin").write_bytes(CONTENT)
    base = [sys.executable, "-m", "cryptokit", "cms", "verify", str(tmp_path / "c.p7s"), "--roots"]
    ok = subprocess.run(
        [*base, str(tmp_path / "root.pem"), "--content", str(tmp_path / "content.bin"), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["ok"] is True
    (tmp_path / "content.bin").write_bytes(CONTENT[:-1])
    bad = subprocess.run(
        [*base, str(tmp_path / "root.pem"), "--content", str(tmp_path / "content.bin")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 1


def test_signer_identified_by_ski(p256: Pki) -> None:
    prepared = cms_prepare(CONTENT, certificate=p256.leaf, signer_identifier="ski")
    der = prepared.finish(_sign(p256, prepared))
    signed = acms.ContentInfo.load(der)["content"]
    assert signed["signer_infos"][0]["sid"].name == "subject_key_identifier"
    cert = make_cert(name("no ski"), p256.leaf_key, p256.intermediate, p256.intermediate_key, skid=False)
    with pytest.raises(InputError, match="subjectKeyIdentifier"):
        cms_prepare(CONTENT, certificate=cert, signer_identifier="ski")
    assert isinstance(prepared.certificate, x509.Certificate)
    assert prepared.certificate.fingerprint(hashes.SHA256()) == p256.leaf.fingerprint(hashes.SHA256())
