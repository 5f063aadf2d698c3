from __future__ import annotations

import base64
import ipaddress
import subprocess
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
from asn1crypto import csr as a_csr
from asn1crypto import x509 as a_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from cryptokit.csr import CsrInfo, build_csr, san_item, verify_csr
from cryptokit.encoding import pem_encode
from cryptokit.errors import CryptokitError, InputError, InvalidSignature, PolicyViolation, UnsupportedAlgorithm
from tests.conftest import OPENSSL, requires_openssl
from tests.pki import make_key

CSR = Path(__file__).resolve().parent.parent / "vectors" / "csr"
PYCA = "CN=cryptography.io,O=PyCA,L=Austin,ST=Texas,C=US"
PYCA_REVERSED = "L=Austin,ST=Texas,C=US,O=PyCA,CN=cryptography.io"


def _ok(subject: str, key_type: str, hash_name: str, **more: Any) -> Callable[[CsrInfo], None]:
    def check(info: CsrInfo) -> None:
        assert info.subject_text == subject
        assert info.key_type == key_type
        assert info.signature_hash == hash_name
        for name, value in more.items():
            assert getattr(info, name) == value, name

    return check


# file -> (allow_sha1, expected): an exception class, or a check of the CsrInfo.
VECTORS: dict[str, tuple[bool, Any]] = {
    "rsa_sha256.pem": (False, _ok(PYCA, "rsa", "sha256", key_size=2048)),
    "rsa_sha256.der": (False, _ok(PYCA, "rsa", "sha256", key_size=2048)),
    "ec_sha256.pem": (False, _ok(PYCA_REVERSED, "ec", "sha256", curve="secp384r1")),
    "ec_sha256.der": (False, _ok(PYCA_REVERSED, "ec", "sha256", curve="secp384r1")),
    "ec_sha256_old_header.pem": (False, _ok(PYCA_REVERSED, "ec", "sha256")),  # NEW CERTIFICATE REQUEST label
    "rsa_sha1.pem": (True, _ok(PYCA, "rsa", "sha1")),
    "rsa_sha1.der": (True, _ok(PYCA, "rsa", "sha1")),
    "dsa_sha1.pem": (True, _ok(PYCA_REVERSED, "dsa", "sha1", key_size=1024)),
    "dsa_sha1.der": (True, _ok(PYCA_REVERSED, "dsa", "sha1", key_size=1024)),
    "san_rsa_sha1.pem": (
        True,
        _ok(
            "CN=cryptography.io,O=PyCA,L=Chicago,ST=Illinois,C=US",
            "rsa",
            "sha1",
            san=(x509.DNSName("cryptography.io"), x509.DNSName("sub.cryptography.io")),
        ),
    ),
    "san_rsa_sha1.der": (True, _ok("CN=cryptography.io,O=PyCA,L=Chicago,ST=Illinois,C=US", "rsa", "sha1")),
    "challenge.pem": (False, _ok("C=US", "rsa", "sha256", challenge_password_present=True)),
    "challenge-unstructured.pem": (False, _ok("CN=something", "rsa", "sha256", challenge_password_present=True)),
    "rsa_md4.pem": (True, UnsupportedAlgorithm),  # md4WithRSAEncryption: never supported
    "rsa_md4.der": (True, UnsupportedAlgorithm),
    "invalid_signature.pem": (False, InvalidSignature),
    "bad-version.pem": (False, InputError),  # version 1 (only 0 exists)
    # hand-edited upstream vectors: their edits (a second basicConstraints, a critical unknown
    # extension, a challenge password of the wrong type, a multi-valued challenge, a long-form tag)
    # broke the self-signature, and the signature is checked first (openssl -verify agrees).
    "basic_constraints.pem": (True, InvalidSignature),
    "two_basic_constraints.pem": (True, InvalidSignature),
    "unsupported_extension.pem": (True, InvalidSignature),
    "unsupported_extension_critical.pem": (True, InvalidSignature),
    "challenge-invalid.der": (False, InvalidSignature),
    "challenge-multi-valued.der": (False, InvalidSignature),
    "long-form-attribute.pem": (False, InvalidSignature),
    # valid signatures over malformed attributes (zero-element SET, multi-valued extensionRequest)
    "freeipa-bad-critical.pem": (False, InputError),
    "zero-element-attribute.pem": (False, InputError),
}
SHA1_VECTORS = [name for name, (allow, _) in VECTORS.items() if allow and "md4" not in name]


def test_every_vector_has_an_expectation() -> None:
    assert {p.name for p in CSR.iterdir()} == set(VECTORS)


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_vector_outcome(name: str) -> None:
    """Every vector, DSA ones included, with every warning an error: cryptography 51's 'DSA is
    deprecated' warning must not come out of verify_csr for a DSA request."""
    allow_sha1, expected = VECTORS[name]
    data = (CSR / name).read_bytes()
    if isinstance(expected, type):
        with warnings.catch_warnings(), pytest.raises(expected):
            warnings.simplefilter("error")
            verify_csr(data, allow_sha1=allow_sha1)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            info = verify_csr(data, allow_sha1=allow_sha1)
            expected(info)
        assert x509.load_der_x509_csr(info.der).subject == info.subject


@pytest.mark.parametrize("name", SHA1_VECTORS)
def test_sha1_is_refused_by_default(name: str) -> None:
    with pytest.raises(PolicyViolation, match="SHA-1"):
        verify_csr((CSR / name).read_bytes())


def test_challenge_password_value_kept_out_of_repr() -> None:
    info = verify_csr((CSR / "challenge.pem").read_bytes())
    assert info.challenge_password == "challenge me!"
    assert "challenge me" not in repr(info) and "challenge me" not in str(info.to_dict())
    assert verify_csr((CSR / "challenge-unstructured.pem").read_bytes()).challenge_password == "beauty"
    assert verify_csr((CSR / "rsa_sha256.pem").read_bytes()).challenge_password_present is False


def test_input_forms() -> None:
    der = (CSR / "rsa_sha256.der").read_bytes()
    expected = verify_csr(der)
    assert verify_csr(base64.b64encode(der)).subject == expected.subject
    assert verify_csr(base64.b64encode(der).decode()).subject == expected.subject
    assert verify_csr((CSR / "rsa_sha256.pem").read_text()).der == der
    assert verify_csr(x509.load_der_x509_csr(der)).der == der


@pytest.mark.parametrize(
    "data,error",
    [
        (b"", InputError),
        (b"junk junk", InputError),
        (b"\x30\x03\x02\x01\x00", InputError),
        ((CSR / "rsa_sha256.der").read_bytes() + b"\x00", InputError),
        (pem_encode((CSR / "rsa_sha256.der").read_bytes(), "CERTIFICATE").encode(), InputError),
        (base64.b64encode(b"hello"), InputError),
        (42, InputError),
    ],
)
def test_junk(data: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        verify_csr(data)


def test_size_limit() -> None:
    with pytest.raises(InputError, match="limit"):
        verify_csr((CSR / "rsa_sha256.der").read_bytes(), max_size=100)


# --------------------------------------------------------------------------- building

SAN = ("rfc822Name:signer@example.com", "dNSName:signer.example.com", "iPAddress:192.0.2.7", "registeredID:1.2.3.4.5")
EMCA_SUBJECT = "CN=Asha Rao~SERIALNUMBER=ABCDE1234F~E=asha@example.com~O=Example Ltd~OU=Finance~S=Karnataka~C=IN"


@pytest.mark.parametrize("kind", ["rsa2048", "p256", "ed25519"])
def test_build_then_verify(kind: str) -> None:
    key = make_key(kind, "csr")
    der = build_csr(
        key,
        EMCA_SUBJECT,
        san=SAN,
        key_usage=["digitalSignature", "nonRepudiation"],
        extended_key_usage=["documentSigning", "emailProtection"],
        signature_hash=None if kind == "ed25519" else "sha256",
    )
    info = verify_csr(der)
    assert info.subject_text == (
        "CN=Asha Rao,2.5.4.5=ABCDE1234F,1.2.840.113549.1.9.1=asha@example.com,O=Example Ltd,OU=Finance,"
        "ST=Karnataka,C=IN"
    )
    assert info.subject.rdns[0].get_attributes_for_oid(NameOID.COUNTRY_NAME)  # DER order: C first, CN last
    assert info.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == "ABCDE1234F"
    assert info.san == (
        x509.RFC822Name("signer@example.com"),
        x509.DNSName("signer.example.com"),
        x509.IPAddress(ipaddress.ip_address("192.0.2.7")),
        x509.RegisteredID(x509.ObjectIdentifier("1.2.3.4.5")),
    )
    ku = info.extensions.get_extension_for_class(x509.KeyUsage)
    assert ku.critical and ku.value.digital_signature and ku.value.content_commitment
    assert not ku.value.key_encipherment
    eku = info.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36"), ExtendedKeyUsageOID.EMAIL_PROTECTION]
    assert info.key_type == {"rsa2048": "rsa", "p256": "ec", "ed25519": "ed25519"}[kind]
    assert info.signature_hash == (None if kind == "ed25519" else "sha256")
    assert info.to_dict()["san"][2] == "iPAddress:192.0.2.7"


@requires_openssl
@pytest.mark.parametrize("kind", ["rsa2048", "p256", "ed25519"])
def test_openssl_verifies_what_we_build(kind: str, tmp_path: Path) -> None:
    key = make_key(kind, "csr")
    der = build_csr(
        key,
        EMCA_SUBJECT,
        san=SAN,
        challenge_password="let me in",
        signature_hash=None if kind == "ed25519" else "sha384",
    )
    path = tmp_path / "req.pem"
    path.write_text(pem_encode(der, "CERTIFICATE REQUEST"))
    result = subprocess.run(
        [OPENSSL or "openssl", "req", "-in", str(path), "-verify", "-noout", "-text", "-nameopt", "RFC2253"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = result.stdout + result.stderr
    assert "verify OK" in out
    assert "CN=Asha Rao" in out and "serialNumber=ABCDE1234F" in out and "C=IN" in out
    assert "emailAddress=asha@example.com" in out
    for expected in ("email:signer@example.com", "DNS:signer.example.com", "IP Address:192.0.2.7", "1.2.3.4.5"):
        assert expected in out
    assert "challengePassword" in out
    # and a flipped signature byte fails in openssl as in cryptokit
    bad = bytearray(der)
    bad[-3] ^= 0x01
    path.write_text(pem_encode(bytes(bad), "CERTIFICATE REQUEST"))
    result = subprocess.run(
        [OPENSSL or "openssl", "req", "-in", str(path), "-verify", "-noout"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert "verify OK" not in result.stdout + result.stderr
    with pytest.raises(InvalidSignature):
        verify_csr(bytes(bad))


@requires_openssl
def test_openssl_verifies_pss(tmp_path: Path) -> None:
    der = build_csr(make_key("rsa2048", "csr"), {"CN": "pss", "O": "x"}, rsa_padding="pss")
    info = verify_csr(der)
    assert info.signature_algorithm == "1.2.840.113549.1.1.10" and info.signature_hash == "sha256"
    path = tmp_path / "pss.pem"
    path.write_text(pem_encode(der, "CERTIFICATE REQUEST"))
    result = subprocess.run(
        [OPENSSL or "openssl", "req", "-in", str(path), "-verify", "-noout"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert "verify OK" in result.stdout + result.stderr


def test_subject_forms_agree() -> None:
    key = make_key("p256", "csr")
    forms: list[str | dict[str, str] | x509.Name] = [
        "CN=Asha,O=Example,C=IN",
        "CN=Asha~O=Example~C=IN",
        {"CN": "Asha", "O": "Example", "C": "IN"},
        x509.Name.from_rfc4514_string("CN=Asha,O=Example,C=IN"),
    ]
    subjects = {verify_csr(build_csr(key, form)).subject_text for form in forms}
    assert subjects == {"CN=Asha,O=Example,C=IN"}


def test_challenge_password_round_trip() -> None:
    info = verify_csr(build_csr(make_key("p256", "csr"), "CN=x", challenge_password="s3cret"))
    assert info.challenge_password_present and info.challenge_password == "s3cret"
    assert "s3cret" not in repr(info)


def test_build_refusals() -> None:
    key = make_key("p256", "csr")
    with pytest.raises(PolicyViolation):
        build_csr(key, "CN=x", signature_hash="sha1")
    with pytest.raises(UnsupportedAlgorithm):
        build_csr(key, "CN=x", signature_hash="md5")
    with pytest.raises(InputError):
        build_csr(make_key("ed25519", "csr"), "CN=x", signature_hash="sha384")
    with pytest.raises(UnsupportedAlgorithm):
        build_csr(dsa.generate_private_key(1024), "CN=x")
    with pytest.raises(InputError, match="san"):
        build_csr(key, "CN=x", san=["signer.example.com"])
    with pytest.raises(InputError, match="san"):
        build_csr(key, "CN=x", san=["iPAddress:999.1.1.1"])
    with pytest.raises(InputError, match="san"):
        build_csr(key, "CN=x", san=["registeredID:not.an.oid"])
    with pytest.raises(InputError, match="key_usage"):
        build_csr(key, "CN=x", key_usage=["signEverything"])
    with pytest.raises(InputError, match="extended_key_usage"):
        build_csr(key, "CN=x", extended_key_usage=["bogus"])
    with pytest.raises(InputError, match="subject"):
        build_csr(key, "XX=x")
    with pytest.raises(InputError, match="challenge_password"):
        build_csr(key, "CN=x", challenge_password="")


def test_san_item_forms() -> None:
    assert san_item(("DNS", "a.example")) == x509.DNSName("a.example")
    assert san_item("IP:2001:db8::1") == x509.IPAddress(ipaddress.ip_address("2001:db8::1"))
    assert san_item("email:a@b.example") == x509.RFC822Name("a@b.example")
    assert san_item("URI:https://x.example/") == x509.UniformResourceIdentifier("https://x.example/")
    assert san_item("directoryName:CN=x~O=y") == x509.DirectoryName(x509.Name.from_rfc4514_string("CN=x,O=y"))


# --------------------------------------------------------------------------- structure checks on signed CSRs


def _resign(
    der: bytes, key: Any, sig_oid: str, sign: Callable[[bytes], bytes], edit: Callable[[Any], None] | None = None
) -> bytes:
    """Re-encode a CSR (optionally edited) and sign it again, as an attacker or a broken client could."""
    req = a_csr.CertificationRequest.load(der)
    info = req["certification_request_info"]
    if edit is not None:
        edit(info)
    tbs = info.dump(force=True)
    new = a_csr.CertificationRequest(
        {
            "certification_request_info": a_csr.CertificationRequestInfo.load(tbs),
            "signature_algorithm": {"algorithm": sig_oid},
            "signature": sign(tbs),
        }
    )
    return bytes(new.dump())


def test_md5_signature_is_refused_by_policy() -> None:
    key = cast(rsa.RSAPrivateKey, make_key("rsa2048", "csr"))
    der = build_csr(key, "CN=md5")
    md5 = _resign(der, key, "1.2.840.113549.1.1.4", lambda tbs: key.sign(tbs, padding.PKCS1v15(), hashes.MD5()))
    with pytest.raises(PolicyViolation, match="MD5"):
        verify_csr(md5)
    sha256 = _resign(der, key, "1.2.840.113549.1.1.11", lambda t: key.sign(t, padding.PKCS1v15(), hashes.SHA256()))
    assert verify_csr(sha256).subject_text == "CN=md5"  # the re-signing helper itself is sound


def test_bad_country_in_subject_is_refused_not_warned() -> None:
    key = cast(rsa.RSAPrivateKey, make_key("rsa2048", "csr"))
    der = build_csr(key, "CN=x,C=IN")

    def long_country(info: Any) -> None:
        info["subject"] = a_x509.Name.build({"common_name": "x", "country_name": "INDIA"})

    bad = _resign(
        der, key, "1.2.840.113549.1.1.11", lambda t: key.sign(t, padding.PKCS1v15(), hashes.SHA256()), long_country
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InputError, match="two letters"):
            verify_csr(bad)


def test_duplicate_extension_with_valid_signature() -> None:
    key = cast(rsa.RSAPrivateKey, make_key("rsa2048", "csr"))
    builder = x509.CertificateSigningRequestBuilder().subject_name(x509.Name.from_rfc4514_string("CN=dup"))
    builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    der = builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    def duplicate(info: Any) -> None:
        extensions = info["attributes"][0]["values"][0]
        extensions.append(extensions[0].copy())

    twice = _resign(
        der, key, "1.2.840.113549.1.1.11", lambda t: key.sign(t, padding.PKCS1v15(), hashes.SHA256()), duplicate
    )
    with pytest.raises(InputError, match="twice"):
        verify_csr(twice)


def test_critical_unknown_extension_with_valid_signature() -> None:
    key = make_key("p256", "csr")
    builder = x509.CertificateSigningRequestBuilder().subject_name(x509.Name.from_rfc4514_string("CN=crit"))
    unknown = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.2.3.4"), b"\x05\x00")
    der = (
        builder.add_extension(unknown, critical=True)
        .sign(key, hashes.SHA256())
        .public_bytes(serialization.Encoding.DER)
    )
    with pytest.raises(PolicyViolation, match=r"1\.2\.3\.4"):
        verify_csr(der)
    info = verify_csr(der, allow_unknown_critical=True)
    assert info.extensions.get_extension_for_oid(x509.ObjectIdentifier("1.2.3.4")).critical
    noncritical = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name.from_rfc4514_string("CN=crit"))
        .add_extension(unknown, critical=False)
        .sign(key, hashes.SHA256())
        .public_bytes(serialization.Encoding.DER)
    )
    assert verify_csr(noncritical).extensions.get_extension_for_oid(x509.ObjectIdentifier("1.2.3.4"))


# --------------------------------------------------------------------------- fuzzing

_SEED = (CSR / "san_rsa_sha1.der").read_bytes()


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_raise_only_cryptokit_errors(data: bytes) -> None:
    try:
        verify_csr(data, allow_sha1=True)
    except CryptokitError:
        pass


@settings(max_examples=80, deadline=None)
@given(st.integers(0, len(_SEED) - 1), st.integers(0, 255), st.integers(0, len(_SEED)))
def test_mutated_csr_raise_only_cryptokit_errors(position: int, value: int, cut: int) -> None:
    mutated = bytearray(_SEED)
    mutated[position] = value
    for candidate in (bytes(mutated), _SEED[:cut]):
        try:
            verify_csr(candidate, allow_sha1=True)
        except CryptokitError:
            pass


# --------------------------------------------------------------------------- the quick admission


def _csr_outcome(data: bytes, quick: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """What verify_csr does with ``data`` (warnings are errors), with or without the byte-level country check."""
    import cryptokit.csr as csr_module

    with monkeypatch.context() as m:
        if not quick:
            m.setattr(csr_module, "plain_country_values", lambda der: False)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                info = verify_csr(data, allow_sha1=True)
            except Exception as exc:  # the outcome under test, whatever it is
                return type(exc).__name__, str(exc)
            return "verified", info.subject_text


def test_plain_csr_is_verified_without_the_asn1crypto_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    """The common request (two-letter countries) is not parsed by asn1crypto: its subject check is
    read from the bytes; a request with another country value still takes the full check."""
    import cryptokit.csr as csr_module

    class NoParse:
        class CertificationRequest:
            @staticmethod
            def load(der: bytes) -> None:
                raise AssertionError("asn1crypto parse on the quick path")

    key = cast(rsa.RSAPrivateKey, make_key("rsa2048", "csr"))
    plain = build_csr(key, "CN=x,O=Acme,C=IN")
    monkeypatch.setattr(csr_module, "a_csr", NoParse)
    assert verify_csr(plain).subject_text == "CN=x,O=Acme,C=IN"
    with pytest.raises(AssertionError, match="quick path"):  # not plain: asn1crypto reads the subject
        verify_csr(plain.replace(b"\x13\x02IN", b"\x13\x02I\x01"))


def test_quick_admission_gives_the_same_outcome_as_the_full_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every vector, the seed with trailing data, and byte edits of the seed: same exception type
    and message (or the same subject) with the quick country check as with the asn1crypto one."""
    inputs = [(CSR / name).read_bytes() for name in VECTORS]
    inputs.append(_SEED + b"\x00")
    for position in range(0, len(_SEED), 3):
        for value in (0x00, 0x02, 0x13, 0x80, 0xFF):
            mutated = bytearray(_SEED)
            mutated[position] = value
            inputs.append(bytes(mutated))
    for data in inputs:
        assert _csr_outcome(data, True, monkeypatch) == _csr_outcome(data, False, monkeypatch), data.hex()
