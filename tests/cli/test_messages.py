"""Issue 18 point 10: the command's messages speak the command's language (flags, plain rules),
never the library's keywords or a parser's internals."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import orjson
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from cryptokit.certificates import load_certificates
from cryptokit.cli.io import KEYWORD_FLAGS, command_language
from cryptokit.cli.main import build_parser, main
from cryptokit.errors import InputError, InvalidSignature, plain_parse_error
from cryptokit.signatures.ecdsa_encoding import der_to_raw
from cryptokit.signatures.sign_verify import identify_signature, verify_digest

VECTORS = Path(__file__).resolve().parents[2] / "vectors"


def _sha1_csr(tmp_path: Path) -> Path:
    return VECTORS / "csr" / "rsa_sha1.pem"  # cryptography's vector, a SHA-1 self-signature


# --------------------------------------------------------------------------- (a) flags, not keywords


def test_sha1_csr_refusal_names_the_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _sha1_csr(tmp_path)
    assert main(["csr", "verify", str(path)]) == 1
    out = capsys.readouterr().out
    assert "--allow-sha1" in out
    assert "allow_sha1" not in out
    assert main(["csr", "verify", str(path), "--json"]) == 1
    doc = orjson.loads(capsys.readouterr().out)
    assert "--allow-sha1" in doc["reason"] and "allow_sha1" not in doc["reason"]
    assert main(["csr", "verify", str(path), "--allow-sha1"]) == 0  # the flag named is the one that works


def test_every_translated_keyword_is_a_real_flag() -> None:
    parser = build_parser()
    help_texts = []
    for action in parser._subparsers._group_actions:  # type: ignore[union-attr]
        for sub in action.choices.values():
            stack = [sub]
            while stack:
                p = stack.pop()
                help_texts.append(p.format_help())
                for a in p._actions:
                    if a.choices and isinstance(a.choices, dict):
                        stack.extend(a.choices.values())
    everything = "\n".join(help_texts)
    for keyword, flag in KEYWORD_FLAGS.items():
        assert flag in everything, f"{keyword} -> {flag}: no such flag"
        assert command_language(f"refused (pass {keyword}=True to accept)") == f"refused (pass {flag} to accept)"
        assert command_language(f"refused unless ``{keyword}=True``") == f"refused unless {flag}"
    assert command_language("pass allow_md5=True") == "pass allow_md5=True"  # no flag: left alone


# --------------------------------------------------------------------------- (b) signature length


@pytest.fixture(scope="module")
def signers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Any, Path]]:
    """name -> (private key, PEM certificate file) for RSA-2048 and P-256 signers."""
    from tests.pki import make_pki

    base = tmp_path_factory.mktemp("signers")
    out = {}
    for kind in ("rsa2048", "p256"):
        pki = make_pki(kind, label=f"msg-{kind}")
        path = base / f"{kind}.pem"
        path.write_bytes(pki.leaf.public_bytes(serialization.Encoding.PEM))
        out[kind] = (pki.leaf_key, path)
    return out


def test_rsa_wrong_length_says_the_rule_library_and_cli(
    signers: dict[str, tuple[Any, Path]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key, cert = signers["rsa2048"]
    digest = hashlib.sha256(b"document").digest()
    good = key.sign(digest, padding.PKCS1v15(), Prehashed(hashes.SHA256()))
    short = good[:100]
    rule = "wrong signature length: 100 bytes, RSA-2048 signatures are 256"
    for call in (
        lambda: verify_digest(key.public_key(), short, digest, "sha256"),
        lambda: verify_digest(key.public_key(), short, digest, "sha256", scheme="pss"),
        lambda: identify_signature(key.public_key(), short, digest, "sha256"),
    ):
        with pytest.raises(InvalidSignature) as info:
            call()
        assert rule in str(info.value)
    sig = tmp_path / "short.sig"
    sig.write_bytes(short)
    argv = ["verify", "signature", "--cert", str(cert), "--sig", str(sig), "--sig-format", "raw"]
    assert main([*argv, "--hash", digest.hex()]) == 1
    assert rule in capsys.readouterr().out
    assert main([*argv, "--hash", digest.hex(), "--json"]) == 1
    assert rule in orjson.loads(capsys.readouterr().out)["reason"]
    sig.write_bytes(good)  # the same command with the full signature verifies
    assert main([*argv, "--hash", digest.hex()]) == 0
    capsys.readouterr()


def test_ecdsa_wrong_length_says_the_rule(
    signers: dict[str, tuple[Any, Path]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key, cert = signers["p256"]
    digest = hashlib.sha256(b"document").digest()
    raw = der_to_raw(key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256()))), key.public_key())
    rule = "wrong signature length: 63 bytes and not DER, ECDSA secp256r1 raw r||s signatures are 64"
    with pytest.raises(InvalidSignature) as info:
        identify_signature(key.public_key(), raw[:63], digest, "sha256")
    assert rule in str(info.value)
    assert identify_signature(key.public_key(), raw, digest, "sha256").encoding == "raw"
    sig = tmp_path / "short.sig"
    sig.write_bytes(raw[:63])
    argv = ["verify", "signature", "--cert", str(cert), "--sig", str(sig), "--sig-format", "raw"]
    assert main([*argv, "--hash", digest.hex()]) == 1
    assert rule in capsys.readouterr().out


# --------------------------------------------------------------------------- (c) no parser internals, (d) binary


def _internals(text: str) -> list[str]:
    return [w for w in ("ParseError", "kind:", "Tag {", "asn1crypto", "location", "Insufficient data") if w in text]


@pytest.fixture(scope="module")
def wrong_tag_cert(signers: dict[str, tuple[Any, Path]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A certificate whose TBSCertificate SEQUENCE is re-tagged as a SET: cryptography's parser says
    ``ParseError { kind: UnexpectedTag ... }``."""
    pem = signers["p256"][1].read_bytes()
    from cryptography import x509

    der = bytearray(x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER))
    der[4] = 0x31
    path = tmp_path_factory.mktemp("bad") / "wrong-tag.der"
    path.write_bytes(bytes(der))
    return path


def test_parser_internals_never_reach_the_user(wrong_tag_cert: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cryptography import x509

    with pytest.raises(ValueError, match="ParseError"):  # what the parser itself says
        x509.load_der_x509_certificate(wrong_tag_cert.read_bytes())
    with pytest.raises(InputError) as info:
        load_certificates(wrong_tag_cert.read_bytes())
    assert "unexpected tag" in str(info.value) and not _internals(str(info.value))
    truncated = wrong_tag_cert.read_bytes()[:40]
    with pytest.raises(InputError) as info:
        load_certificates(truncated)
    assert "truncated" in str(info.value) and not _internals(str(info.value))
    assert main(["certs", "inspect", str(wrong_tag_cert), "--json"]) == 2
    captured = capsys.readouterr()
    doc = orjson.loads(captured.out)
    assert "unexpected tag" in doc["message"]
    assert not _internals(captured.out + captured.err)


@pytest.mark.parametrize(
    "error",
    [
        ValueError('error parsing asn1 value: ParseError { kind: ExtraData, location: ["Certificate"] }'),
        ValueError("Error parsing asn1crypto.x509.Certificate - tag should have been 16, but 17 was found"),
        ValueError("Insufficient data - 256 bytes requested but only 5 available"),
        ValueError(
            "Unable to load PEM file. See https://cryptography.io/en/latest/faq/#why-can-t-i-import-my-pem-file"
        ),
    ],
)
def test_plain_parse_error_keeps_only_the_rule(error: ValueError) -> None:
    text = plain_parse_error(error)
    assert text and not _internals(text) and "http" not in text and "{" not in text


def test_binary_file_is_not_a_certificate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    binary = tmp_path / "photo.bin"
    binary.write_bytes(bytes(range(256)) * 4)  # starts 0x00: neither DER, PEM nor base64 text
    with pytest.raises(InputError) as info:
        load_certificates(binary.read_bytes())
    assert info.value.rule == "is not a certificate (DER, PEM or base64)"
    assert main(["certs", "inspect", str(binary)]) == 2
    err = capsys.readouterr().err
    assert "not a certificate (DER, PEM or base64)" in err and "base64 alphabet" not in err
    assert main(["chain", "validate", str(binary), "--roots", str(binary)]) == 2
    assert "not a certificate (DER, PEM or base64)" in capsys.readouterr().err


# --------------------------------------------------------------------------- (e) certs inspect --json


def test_certs_inspect_json_names_sans_serialnumber_and_extensions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.x509.oid import ExtensionOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "Ana"), x509.NameAttribute(NameOID.SERIAL_NUMBER, "PNOPT-123")]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("ana.example"),
                    x509.RFC822Name("ana@example.org"),
                    x509.IPAddress(ipaddress.ip_address("192.0.2.1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.99999.1"), b"\x05\x00"), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    path = tmp_path / "ana.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    assert "2.5.4.5=" in cert.subject.rfc4514_string()  # what cryptography alone would show
    assert main(["certs", "inspect", str(path), "--json"]) == 0
    (doc,) = orjson.loads(capsys.readouterr().out)
    assert doc["subject"] == "SERIALNUMBER=PNOPT-123,CN=Ana"
    assert doc["subject_alt_names"] == [
        {"type": "dns", "value": "ana.example"},
        {"type": "email", "value": "ana@example.org"},
        {"type": "ip", "value": "192.0.2.1"},
    ]
    assert doc["extensions"] == [
        {"oid": ExtensionOID.SUBJECT_ALTERNATIVE_NAME.dotted_string, "name": "subjectAltName", "critical": False},
        {"oid": ExtensionOID.BASIC_CONSTRAINTS.dotted_string, "name": "basicConstraints", "critical": True},
        {"oid": "1.3.6.1.4.1.99999.1", "name": None, "critical": False},
    ]
