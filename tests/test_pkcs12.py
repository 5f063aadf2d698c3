from __future__ import annotations

import base64
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from asn1crypto import cms as a_cms
from asn1crypto import core as a_core
from asn1crypto import keys as a_keys
from asn1crypto import pkcs12 as a_pkcs12
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from cryptokit.errors import CryptokitError, InputError
from cryptokit.pkcs12 import KeyBundle, _encryption_oids, _encryption_params, _parse_pfx, load_pfx
from tests.conftest import OPENSSL, requires_openssl
from tests.pki import Pki, make_key, make_pki

PKCS12 = Path(__file__).resolve().parent.parent / "vectors" / "pkcs12"
CA_SUBJECT = "CN=cryptography CA,C=US"
WIN_SUBJECT = "CN=Valid EE Certificate Test1,O=Test Certificates 2011,C=US"

# file, password, key type (None: no key), certificate subject (None: no certificate),
# chain length, friendly name, chain friendly names
VECTORS = [
    ("cert-key-aes256cbc.p12", "cryptography", "EC", CA_SUBJECT, 0, None, ()),
    ("cert-none-key-none.p12", "cryptography", "EC", CA_SUBJECT, 0, None, ()),
    ("cert-rc2-key-3des.p12", "cryptography", "EC", CA_SUBJECT, 0, None, ()),
    ("cert-aes256cbc-no-key.p12", "cryptography", None, None, 1, None, (None,)),
    ("no-cert-key-aes256cbc.p12", "cryptography", "EC", None, 0, None, ()),
    ("name-all-pwd.p12", "password", "EC", CA_SUBJECT, 2, "name", ("name2", "name3")),
    ("name-unicode-pwd.p12", "password", "EC", CA_SUBJECT, 2, "\u263a", ("\u00e4", "\u00e7")),
    ("no-name-pwd.p12", "password", "EC", CA_SUBJECT, 2, None, (None, None)),
    ("no-password.p12", None, "EC", CA_SUBJECT, 0, "cryptography CA", ()),
    ("java-truststore.p12", "", None, None, 2, None, ("cert1", None)),
    (
        "ValidCertificatePathTest1EE_windows_aes.p12.pfx",
        "password",
        "RSA",
        WIN_SUBJECT,
        0,
        "Valid Certificate Path Test1 EE",
        (),
    ),
    (
        "ValidCertificatePathTest1EE_windows_tdes.p12.pfx",
        "password",
        "RSA",
        WIN_SUBJECT,
        0,
        "Valid Certificate Path Test1 EE",
        (),
    ),
]


def _spki(key: object) -> bytes:
    return key.public_bytes(  # type: ignore[attr-defined, no-any-return]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _same(a: KeyBundle, b: KeyBundle) -> bool:
    keys = (a.private_key is None and b.private_key is None) or (
        a.private_key is not None
        and b.private_key is not None
        and _spki(a.private_key.public_key()) == _spki(b.private_key.public_key())
    )
    return (
        keys
        and a.certificate == b.certificate
        and a.chain == b.chain
        and a.friendly_name == b.friendly_name
        and a.chain_friendly_names == b.chain_friendly_names
    )


def test_every_vector_file_is_listed() -> None:
    on_disk = {p.name for p in PKCS12.iterdir() if p.is_file()}
    assert on_disk == {v[0] for v in VECTORS}


@pytest.mark.parametrize("name,password,key_type,subject,chain,friendly,chain_names", VECTORS)
def test_vector_loads_with_expected_contents(
    name: str,
    password: str | None,
    key_type: str | None,
    subject: str | None,
    chain: int,
    friendly: str | None,
    chain_names: tuple[str | None, ...],
) -> None:
    data = (PKCS12 / name).read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no dependency warning (no-password.p12 is BER)
        bundle = load_pfx(data, password)
    if key_type is None:
        assert bundle.private_key is None
    else:
        assert bundle.private_key is not None
        expected = rsa.RSAPrivateKey if key_type == "RSA" else ec.EllipticCurvePrivateKey
        assert isinstance(bundle.private_key, expected)
    if subject is None:
        assert bundle.certificate is None
    else:
        assert bundle.certificate is not None
        assert bundle.certificate.subject.rfc4514_string() == subject
        if bundle.private_key is not None:
            assert _spki(bundle.certificate.public_key()) == _spki(bundle.private_key.public_key())
    assert len(bundle.chain) == chain
    assert bundle.friendly_name == friendly
    assert bundle.chain_friendly_names == chain_names
    # bytes password and base64 text work the same way
    as_bytes = password.encode() if password is not None else None
    again = load_pfx(base64.b64encode(data).decode(), as_bytes)
    assert again.certificate == bundle.certificate and again.chain == bundle.chain


@pytest.mark.parametrize("name,password,key_type,subject,chain,friendly,chain_names", VECTORS)
def test_vector_wrong_password_says_so(
    name: str,
    password: str | None,
    key_type: str | None,
    subject: str | None,
    chain: int,
    friendly: str | None,
    chain_names: tuple[str | None, ...],
) -> None:
    data = (PKCS12 / name).read_bytes()
    with pytest.raises(InputError) as info:
        load_pfx(data, "hunter2-wrong")
    assert info.value.field == "password"
    assert "wrong" in str(info.value)
    assert "hunter2" not in str(info.value) and "hunter2" not in repr(info.value)


def test_missing_password_is_a_password_error() -> None:
    with pytest.raises(InputError, match="required") as info:
        load_pfx((PKCS12 / "cert-key-aes256cbc.p12").read_bytes(), None)
    assert info.value.field == "password"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x30\x03\x02\x01\x03",
        b"not a pfx at all",
        b"\x30\x80\x00\x00",
        (PKCS12.parent / "pkcs7" / "amazon-roots.der").read_bytes(),
        make_pki("p256").leaf.public_bytes(serialization.Encoding.DER),
    ],
)
def test_not_pkcs12(data: bytes) -> None:
    with pytest.raises(InputError) as info:
        load_pfx(data, "x")
    assert info.value.field == "pfx"


def test_bad_types_and_size_limit() -> None:
    with pytest.raises(InputError):
        load_pfx(12345, "x")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="password"):
        load_pfx((PKCS12 / "no-password.p12").read_bytes(), 42)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="limit"):
        load_pfx(b"\x30" + b"\x00" * 5000, None, max_size=1000)


def test_require_key() -> None:
    data = (PKCS12 / "cert-aes256cbc-no-key.p12").read_bytes()
    assert load_pfx(data, "cryptography").private_key is None  # certificate-only files are valid
    with pytest.raises(InputError, match="no private key") as info:
        load_pfx(data, "cryptography", require_key=True)
    assert info.value.field == "pfx"
    assert load_pfx((PKCS12 / "name-all-pwd.p12").read_bytes(), "password", require_key=True).private_key


def _bag(bag_id: str, value: a_core.Asn1Value, local_id: bytes | None) -> a_pkcs12.SafeBag:
    attrs = []
    if local_id is not None:
        attrs.append({"type": "local_key_id", "values": [a_core.OctetString(local_id)]})
    return a_pkcs12.SafeBag({"bag_id": bag_id, "bag_value": value, "bag_attributes": attrs})


def _handmade_pfx(key: object, cert: x509.Certificate) -> bytes:
    """An unencrypted, MAC-less PFX whose key and certificate bags claim to belong together."""
    key_der = key.private_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    cert_bag = a_pkcs12.CertBag(
        {"cert_id": "x509", "cert_value": a_core.ParsableOctetString(cert.public_bytes(serialization.Encoding.DER))}
    )
    safe = a_pkcs12.SafeContents(
        [
            _bag("key_bag", a_keys.PrivateKeyInfo.load(key_der), b"\x01"),
            _bag("cert_bag", cert_bag, b"\x01"),
        ]
    )
    auth = a_pkcs12.AuthenticatedSafe([a_cms.ContentInfo({"content_type": "data", "content": safe.dump()})])
    pfx = a_pkcs12.Pfx(
        {"version": "v3", "auth_safe": a_cms.ContentInfo({"content_type": "data", "content": auth.dump()})}
    )
    return bytes(pfx.dump())


def test_handmade_pfx_control_loads() -> None:
    pki = make_pki("p256")
    bundle = load_pfx(_handmade_pfx(pki.leaf_key, pki.leaf), None, allow_no_mac=True)
    assert bundle.certificate == pki.leaf
    assert bundle.integrity_checked is False


def test_key_and_certificate_that_do_not_match() -> None:
    pki = make_pki("p256")
    with pytest.raises(InputError, match="does not match") as info:
        load_pfx(_handmade_pfx(pki.leaf_key, pki.root), None, allow_no_mac=True)
    assert info.value.field == "pfx"


def test_ber_indefinite_length_pfx_loads_without_warning() -> None:
    der = (PKCS12 / "cert-key-aes256cbc.p12").read_bytes()
    assert der[1] & 0x80
    count = der[1] & 0x7F
    body = der[2 + count :]
    ber = b"\x30\x80" + body + b"\x00\x00"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bundle = load_pfx(ber, "cryptography")
    assert bundle.certificate is not None and bundle.certificate.subject.rfc4514_string() == CA_SUBJECT
    with pytest.raises(InputError) as info:
        load_pfx(ber, "wrong")
    assert info.value.field == "password"


def test_ber_inside_the_authenticated_safe_loads_without_warning() -> None:
    pki = make_pki("p256")
    pfx = a_pkcs12.Pfx.load(_handmade_pfx(pki.leaf_key, pki.leaf))
    content = pfx["auth_safe"]["content"].native
    count = content[1] & 0x7F if content[1] & 0x80 else 0
    ber_content = b"\x30\x80" + content[2 + count :] + b"\x00\x00"
    auth = a_cms.ContentInfo({"content_type": "data", "content": ber_content})
    ber = a_pkcs12.Pfx({"version": "v3", "auth_safe": auth}).dump()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_pfx(ber, None, allow_no_mac=True).certificate == pki.leaf


def _run_no_legacy(code: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CRYPTOGRAPHY_OPENSSL_NO_LEGACY="1")
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_legacy_cipher_without_legacy_provider_says_so() -> None:
    code = f"""
import sys
from pathlib import Path
from cryptography.hazmat.bindings._rust import openssl
from cryptokit.pkcs12 import load_pfx
from cryptokit.errors import InputError
assert not openssl._legacy_provider_loaded, "legacy provider still loaded"
d = Path({str(PKCS12 / "cert-rc2-key-3des.p12")!r}).read_bytes()
try:
    load_pfx(d, "cryptography")
except InputError as e:
    print("RIGHT", e.field, "|", e)
try:
    load_pfx(d, "wrong-pass")
except InputError as e:
    print("WRONG", e.field, "|", e)
b = load_pfx(Path({str(PKCS12 / "cert-key-aes256cbc.p12")!r}).read_bytes(), "cryptography")
print("AES", b.private_key is not None)
"""
    result = _run_no_legacy(code)
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.strip().splitlines())
    assert lines["RIGHT"].startswith("pfx |")
    assert "legacy provider" in lines["RIGHT"] and "RC2" in lines["RIGHT"]
    assert "MAC verifies" in lines["RIGHT"]
    assert lines["WRONG"].startswith("password |") and "wrong" in lines["WRONG"]
    assert lines["AES"] == "True"


def test_encryption_oids_detected() -> None:
    pfx = _parse_pfx((PKCS12 / "cert-rc2-key-3des.p12").read_bytes())
    assert _encryption_oids(pfx) == ["1.2.840.113549.1.12.1.6", "1.2.840.113549.1.12.1.3"]


# --------------------------------------------------------------------------- writing


def _bundle() -> KeyBundle:
    pki = make_pki("rsa2048")
    return KeyBundle(pki.leaf_key, pki.leaf, (pki.intermediate, pki.root), "signer", chain_friendly_names=("ica", None))


def test_round_trip_aes256_is_modern() -> None:
    bundle = _bundle()
    data = bundle.to_pkcs12("s3cret-pw")
    pfx = _parse_pfx(data)
    assert set(_encryption_oids(pfx)) == {"2.16.840.1.101.3.4.1.42"}  # AES-256-CBC via PBES2, for key and certs
    assert pfx["mac_data"]["mac"]["digest_algorithm"]["algorithm"].native == "sha256"
    again = load_pfx(data, "s3cret-pw")
    assert _same(again, bundle)
    assert again.friendly_name == "signer" and again.chain_friendly_names == ("ica", None)
    with pytest.raises(InputError):
        load_pfx(data, "other")


def test_round_trip_3des_and_none() -> None:
    bundle = _bundle()
    tdes = bundle.to_pkcs12(b"pw", encryption="3des")
    assert set(_encryption_oids(_parse_pfx(tdes))) == {"1.2.840.113549.1.12.1.3"}
    assert _same(load_pfx(tdes, "pw"), bundle)
    plain = bundle.to_pkcs12(None, encryption="none")
    assert _same(load_pfx(plain, None), bundle)
    with pytest.raises(InputError, match="password"):
        bundle.to_pkcs12(None)
    with pytest.raises(InputError, match="encryption"):
        bundle.to_pkcs12("pw", encryption="rc2")  # type: ignore[arg-type]
    with pytest.raises(InputError):
        KeyBundle(None, None).to_pkcs12("pw")


@pytest.mark.parametrize("name,password,key_type,subject,chain,friendly,chain_names", VECTORS)
def test_every_vector_round_trips(
    name: str,
    password: str | None,
    key_type: str | None,
    subject: str | None,
    chain: int,
    friendly: str | None,
    chain_names: tuple[str | None, ...],
) -> None:
    original = load_pfx((PKCS12 / name).read_bytes(), password)
    assert _same(load_pfx(original.to_pkcs12("new-pw", kdf_rounds=1000), "new-pw"), original)


def test_round_trip_vector_keeps_names() -> None:
    original = load_pfx((PKCS12 / "name-unicode-pwd.p12").read_bytes(), "password")
    again = load_pfx(original.to_pkcs12("pässwörd"), "pässwörd")
    assert _same(again, original)
    assert again.friendly_name == "\u263a" and again.chain_friendly_names == ("\u00e4", "\u00e7")


def test_to_pem() -> None:
    bundle = _bundle()
    pem = bundle.to_pem("pw")
    key = serialization.load_pem_private_key(pem, b"pw")
    assert _spki(key.public_key()) == _spki(bundle.private_key.public_key())  # type: ignore[union-attr]
    certs = x509.load_pem_x509_certificates(pem)
    assert certs == [bundle.certificate, *bundle.chain]
    assert b"ENCRYPTED PRIVATE KEY" in pem
    assert b"BEGIN PRIVATE KEY" in bundle.to_pem()


def test_repr_shows_subject_and_key_type_only() -> None:
    bundle = load_pfx((PKCS12 / "name-all-pwd.p12").read_bytes(), "password")
    text = repr(bundle)
    assert text == "KeyBundle(subject='CN=cryptography CA,C=US', key=EC-secp256r1, chain=2 certificates)"
    assert "password" not in text
    assert str(bundle) == text


# --------------------------------------------------------------------------- openssl as a peer


def _openssl_export(tmp_path: Path, pki: Pki, *extra: str) -> bytes:
    key_pem = pki.leaf_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (tmp_path / "key.pem").write_bytes(key_pem)
    (tmp_path / "cert.pem").write_bytes(pki.leaf.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "chain.pem").write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in pki.chain))
    out = tmp_path / "out.p12"
    cmd = [
        OPENSSL or "openssl", "pkcs12", "-export", "-inkey", str(tmp_path / "key.pem"), "-in",
        str(tmp_path / "cert.pem"), "-certfile", str(tmp_path / "chain.pem"), "-name", "my signer",
        "-passout", "pass:openssl-pw", "-out", str(out), *extra,
    ]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    if result.returncode != 0 and "-legacy" in extra:
        pytest.skip(f"openssl cannot write legacy PKCS#12 here: {result.stderr.strip()[:200]}")
    assert result.returncode == 0, result.stderr
    return out.read_bytes()


@requires_openssl
@pytest.mark.parametrize("extra", [(), ("-legacy",)], ids=["default", "legacy"])
def test_openssl_made_pfx_loads(tmp_path: Path, extra: tuple[str, ...]) -> None:
    pki = make_pki("rsa2048")
    data = _openssl_export(tmp_path, pki, *extra)
    bundle = load_pfx(data, "openssl-pw")
    assert bundle.certificate == pki.leaf
    assert _spki(bundle.private_key.public_key()) == _spki(pki.leaf_key.public_key())  # type: ignore[union-attr]
    assert set(bundle.chain) == {pki.intermediate, pki.root}
    assert bundle.friendly_name == "my signer"
    oids = set(_encryption_oids(_parse_pfx(data)))
    if extra:
        assert "1.2.840.113549.1.12.1.6" in oids  # RC2-40 for the certificates
    else:
        assert oids == {"2.16.840.1.101.3.4.1.42"}
    with pytest.raises(InputError) as info:
        load_pfx(data, "nope")
    assert info.value.field == "password"


@requires_openssl
def test_openssl_reads_what_we_write(tmp_path: Path) -> None:
    path = tmp_path / "ours.p12"
    path.write_bytes(_bundle().to_pkcs12("pw-ours"))
    result = subprocess.run(
        [OPENSSL or "openssl", "pkcs12", "-in", str(path), "-passin", "pass:pw-ours", "-nokeys", "-info"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("BEGIN CERTIFICATE") == 3
    assert "AES-256-CBC" in result.stderr
    bad = subprocess.run(
        [OPENSSL or "openssl", "pkcs12", "-in", str(path), "-passin", "pass:wrong", "-nokeys"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert bad.returncode != 0


# --------------------------------------------------------------------------- fuzzing

_SEED = (PKCS12 / "name-all-pwd.p12").read_bytes()


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_raise_only_cryptokit_errors(data: bytes) -> None:
    try:
        load_pfx(data, "password")
    except CryptokitError:
        pass


@settings(max_examples=60, deadline=None)
@given(st.integers(0, len(_SEED) - 1), st.integers(0, 255), st.integers(0, len(_SEED)))
def test_mutated_pfx_raise_only_cryptokit_errors(position: int, value: int, cut: int) -> None:
    mutated = bytearray(_SEED)
    mutated[position] = value
    for candidate in (bytes(mutated), _SEED[:cut]):
        try:
            load_pfx(candidate, "password")
        except CryptokitError:
            pass


def test_make_key_cache_is_used() -> None:
    assert make_key("rsa2048", "leaf") is make_key("rsa2048", "leaf")


def test_wrong_password_on_a_file_without_one_says_so() -> None:
    with pytest.raises(InputError, match="no password") as info:
        load_pfx((PKCS12 / "no-password.p12").read_bytes(), "guess")
    assert info.value.field == "password"


def test_key_derivation_work_is_bounded() -> None:
    pfx = _parse_pfx((PKCS12 / "cert-key-aes256cbc.p12").read_bytes())
    assert [n for _, n in _encryption_params(pfx)] == [2048, 2048]
    pfx["mac_data"]["iterations"] = 50_000_000
    greedy = pfx.dump(force=True)
    with pytest.raises(InputError, match="iterations") as info:
        load_pfx(greedy, "cryptography")
    assert info.value.field == "pfx"
    with pytest.raises(InputError, match="iterations"):
        load_pfx((PKCS12 / "cert-key-aes256cbc.p12").read_bytes(), "cryptography", max_iterations=1000)


def _repeat_encrypted_parts(der: bytes, parts: int) -> bytes:
    """``der`` with each encrypted_data part of its AuthenticatedSafe repeated ``parts`` times (MAC left as is)."""
    pfx = a_pkcs12.Pfx.load(der)
    infos = []
    for info in a_pkcs12.AuthenticatedSafe.load(pfx["auth_safe"]["content"].native):
        infos += [info] * (parts if info["content_type"].native == "encrypted_data" else 1)
    content = a_pkcs12.AuthenticatedSafe(infos).dump()
    auth_safe = a_cms.ContentInfo({"content_type": "data", "content": content})
    return bytes(a_pkcs12.Pfx({"version": 3, "auth_safe": auth_safe, "mac_data": pfx["mac_data"]}).dump())


def test_total_key_derivation_work_is_bounded() -> None:
    import time

    from cryptokit.pkcs12 import MAX_PFX_PARTS, MAX_PFX_SIZE, TOTAL_ITERATIONS_FACTOR

    raw = (PKCS12 / "cert-key-aes256cbc.p12").read_bytes()
    pfx = _parse_pfx(raw)
    total = int(pfx["mac_data"]["iterations"].native) + sum(n or 0 for _, n in _encryption_params(pfx))
    # The usual three KDF runs, each at the per-KDF limit, pass the default total bound.
    assert load_pfx(raw, "cryptography", max_iterations=2048).private_key is not None
    assert total <= TOTAL_ITERATIONS_FACTOR * 2048
    assert load_pfx(raw, "cryptography", max_total_iterations=total).private_key is not None
    with pytest.raises(InputError, match=f"{total} key-derivation iterations in all") as info:
        load_pfx(raw, "cryptography", max_total_iterations=total - 1)
    assert info.value.field == "pfx"
    # Each repeated encrypted part is one more KDF run: over the total, refused before any of them runs.
    with pytest.raises(InputError, match="5 encrypted parts"):
        load_pfx(_repeat_encrypted_parts(raw, 4), "cryptography", max_iterations=2048)
    # Thousands of cheap parts are refused by count, before they are parsed one by one.
    many = _repeat_encrypted_parts(raw, 4000)
    assert len(many) < MAX_PFX_SIZE
    start = time.perf_counter()
    with pytest.raises(InputError, match=f"4001 parts in its AuthenticatedSafe, over the limit of {MAX_PFX_PARTS}"):
        load_pfx(many, "cryptography")
    assert time.perf_counter() - start < 0.2


def test_bag_count_is_bounded() -> None:
    from cryptokit.pkcs12 import MAX_PFX_BAGS

    pki = make_pki("p256")
    cert_bag = a_pkcs12.CertBag(
        {"cert_id": "x509", "cert_value": a_core.ParsableOctetString(pki.leaf.public_bytes(serialization.Encoding.DER))}
    )
    safe = a_pkcs12.SafeContents([_bag("cert_bag", cert_bag, None)] * (MAX_PFX_BAGS + 1))
    auth = a_pkcs12.AuthenticatedSafe([a_cms.ContentInfo({"content_type": "data", "content": safe.dump()})])
    pfx = a_pkcs12.Pfx(
        {"version": "v3", "auth_safe": a_cms.ContentInfo({"content_type": "data", "content": auth.dump()})}
    )
    with pytest.raises(InputError, match=f"more than {MAX_PFX_BAGS} bags"):
        load_pfx(pfx.dump(), None)


def test_nesting_depth_error_is_not_swallowed() -> None:
    inner = a_pkcs12.SafeContents([])
    for _ in range(6):
        inner = a_pkcs12.SafeContents([_bag("safe_contents", inner, None)])
    auth = a_pkcs12.AuthenticatedSafe([a_cms.ContentInfo({"content_type": "data", "content": inner.dump()})])
    pfx = a_pkcs12.Pfx(
        {"version": "v3", "auth_safe": a_cms.ContentInfo({"content_type": "data", "content": auth.dump()})}
    )
    with pytest.raises(InputError, match="more than 4 deep"):
        load_pfx(pfx.dump(), None)


def test_pfx_password_with_nul_is_refused_without_echo() -> None:
    from cryptokit.pkcs12 import KeyBundle, load_pfx

    pki = make_pki("p256")
    pfx = KeyBundle(pki.leaf_key, pki.leaf, ()).to_pkcs12("right")
    secret = "s3cr\x00t-pw"
    with pytest.raises(InputError) as info:
        load_pfx(pfx, secret)
    assert info.value.field == "password" and "s3cr" not in str(info.value)
    assert load_pfx(pfx, "right").certificate == pki.leaf


def test_repr_names_every_key_kind() -> None:
    from cryptography.hazmat.primitives.asymmetric import ed448, ed25519, x448, x25519

    kinds = {
        "RSA-2048": rsa.generate_private_key(65537, 2048),
        "EC-secp384r1": ec.generate_private_key(ec.SECP384R1()),
        "Ed25519": ed25519.Ed25519PrivateKey.generate(),
        "Ed448": ed448.Ed448PrivateKey.generate(),
        "X25519": x25519.X25519PrivateKey.generate(),
        "X448": x448.X448PrivateKey.generate(),
    }
    for label, key in kinds.items():
        assert repr(KeyBundle(key, None)) == f"KeyBundle(subject=None, key={label}, chain=0 certificates)"
    assert "key=None" in repr(KeyBundle(None, None))


# --------------------------------------------------------------------------- a DSA key and certificate

DER = serialization.Encoding.DER


@pytest.fixture(scope="module")
def dsa_pfx(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A DSA-2048 key and self-signed certificate made by the openssl command, exported as a PFX
    twice: OpenSSL 3's default (PBES2/AES-256, HMAC-SHA256) and the legacy-compatible 3DES/SHA-1."""
    folder = tmp_path_factory.mktemp("dsa-pfx")
    assert OPENSSL is not None

    def run(*args: str) -> None:
        subprocess.run([OPENSSL, *args], cwd=folder, check=True, capture_output=True)

    run("dsaparam", "-out", "params.pem", "2048")
    run("gendsa", "-out", "key.pem", "params.pem")
    run("req", "-x509", "-new", "-key", "key.pem", "-subj", "/CN=DSA signer/O=cryptokit", "-days", "30",
        "-sha256", "-out", "cert.pem")
    run("pkcs12", "-export", "-inkey", "key.pem", "-in", "cert.pem", "-name", "dsa signer",
        "-passout", "pass:dsa-pw", "-out", "aes.p12")
    run("pkcs12", "-export", "-inkey", "key.pem", "-in", "cert.pem", "-certpbe", "PBE-SHA1-3DES",
        "-keypbe", "PBE-SHA1-3DES", "-macalg", "sha1", "-passout", "pass:dsa-pw", "-out", "3des.p12")
    return {name: folder / name for name in ("cert.pem", "aes.p12", "3des.p12")}


@requires_openssl
@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("file", ["aes.p12", "3des.p12"])
def test_dsa_pfx_loads_without_a_warning(dsa_pfx: dict[str, Path], file: str) -> None:
    """A PFX holding a DSA key and its certificate loads (DSA is refused for signing elsewhere, not
    here): the key, the certificate openssl wrote, the friendly name, a checked MAC, with every
    warning an error. On cryptography 51 its 'DSA is deprecated' warning, so raised, was reported
    as 'holds a certificate whose serial number is not positive'; left a warning, it leaked."""
    bundle = load_pfx(dsa_pfx[file].read_bytes(), "dsa-pw", require_key=True)
    cert = x509.load_pem_x509_certificate(dsa_pfx["cert.pem"].read_bytes())
    assert bundle.certificate is not None and bundle.certificate.public_bytes(DER) == cert.public_bytes(DER)
    assert "key=DSA" in repr(bundle) and bundle.integrity_checked and bundle.chain == ()
    assert bundle.friendly_name == ("dsa signer" if file == "aes.p12" else None)


@requires_openssl
@pytest.mark.filterwarnings("error")
def test_dsa_bundle_writes_a_pfx_openssl_reads(dsa_pfx: dict[str, Path], tmp_path: Path) -> None:
    """to_pkcs12 and to_pem of the DSA bundle, with every warning an error: openssl opens the new
    PFX to the same key and certificate, and load_pfx reads it back."""
    bundle = load_pfx(dsa_pfx["aes.p12"].read_bytes(), "dsa-pw")
    out = tmp_path / "new.p12"
    out.write_bytes(bundle.to_pkcs12("new pw"))
    again = load_pfx(out.read_bytes(), "new pw")
    assert again.certificate == bundle.certificate and "key=DSA" in repr(again)
    assert OPENSSL is not None
    shown = subprocess.run(
        [OPENSSL, "pkcs12", "-in", str(out), "-passin", "pass:new pw", "-nodes"], capture_output=True, check=True
    ).stdout
    assert b"-----BEGIN PRIVATE KEY-----" in shown
    pem_cert = x509.load_pem_x509_certificate(shown[shown.index(b"-----BEGIN CERTIFICATE-----") :])
    assert pem_cert == bundle.certificate
    assert bundle.to_pem("pem pw").count(b"-----BEGIN") == 2


@requires_openssl
@pytest.mark.filterwarnings("error")
def test_dsa_key_with_another_certificate_is_refused(dsa_pfx: dict[str, Path]) -> None:
    """A PFX holding the DSA key and only an EC certificate (no certificate bag paired with the key:
    cryptography will not write a mismatched pair): the typed mismatch error, no warning."""
    bundle = load_pfx(dsa_pfx["aes.p12"].read_bytes(), "dsa-pw")
    pki = make_pki("p256", label="dsa mismatch")
    mixed = KeyBundle(bundle.private_key, None, (pki.leaf,)).to_pkcs12("pw")
    with pytest.raises(InputError, match="does not match the certificate") as info:
        load_pfx(mixed, "pw")
    assert info.value.field == "pfx"


@requires_openssl
def test_cli_pfx_inspect_describes_a_dsa_pfx(dsa_pfx: dict[str, Path]) -> None:
    """``cryptokit pfx inspect`` on the DSA PFX: exit 0, the key kind shown, nothing on stderr
    (run with every warning an error)."""
    env = {**os.environ, "CK_PW": "dsa-pw"}
    done = subprocess.run(
        [sys.executable, "-W", "error", "-m", "cryptokit", "pfx", "inspect", str(dsa_pfx["aes.p12"]),
         "--password-env", "CK_PW", "--json"],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert "DSA" in done.stdout and "dsa-pw" not in done.stdout
