"""PKCS#12 hardening (issue 15, points 1-3): key-derivation work bounded for every KDF before OpenSSL
derives anything (scrypt included), no MAC-less file by default, a wrong password costs about what a
right one does.

"Before OpenSSL derives anything" is checked by counting: the refused files run with
``load_pkcs12`` replaced by a function that fails the test if it is called at all.
"""

from __future__ import annotations

import hmac
import subprocess
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import algos as a_algos
from asn1crypto import cms as a_cms
from asn1crypto import core as a_core
from asn1crypto import keys as a_keys
from asn1crypto import pkcs12 as a_pkcs12
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from cryptokit import pkcs12 as ck_keys
from cryptokit.errors import CryptokitError, InputError, UnsupportedAlgorithm
from cryptokit.pkcs12 import (
    MAX_SCRYPT_COST,
    KeyBundle,
    _pkcs12_kdf_mac_key,
    _ScryptParams,
    load_pfx,
)
from tests.pki import make_pki

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "pkcs12"
PKI = make_pki("p256", label="pfx-hardening")
SALT = a_algos.Pbkdf2Salt({"specified": b"s" * 8})


@pytest.fixture
def no_openssl(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any key derivation by OpenSSL (a load attempt) fails the test."""

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("OpenSSL was asked to derive keys for a file that had to be refused first")

    monkeypatch.setattr(pkcs12, "load_pkcs12", refuse)


# --------------------------------------------------------------------------- building files


def _openssl_scrypt_key(password: str = "pw", n: int = 1024) -> bytes:
    """EncryptedPrivateKeyInfo (PBES2 + scrypt) of the test leaf key, written by ``openssl pkcs8``."""
    pem = PKI.leaf_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    result = subprocess.run(
        ["openssl", "pkcs8", "-topk8", "-scrypt", "-scrypt_N", str(n), "-scrypt_r", "8", "-scrypt_p", "1",
         "-passout", f"pass:{password}", "-outform", "DER"],
        input=pem, capture_output=True, check=True, timeout=60,
    )  # fmt: skip
    return result.stdout


def _with_scrypt(epki_der: bytes, n: int, r: int, p: int) -> a_keys.EncryptedPrivateKeyInfo:
    """The same EncryptedPrivateKeyInfo with other scrypt parameters (what an attacker edits)."""
    epki = a_keys.EncryptedPrivateKeyInfo.load(epki_der)
    kdf = epki["encryption_algorithm"]["parameters"]["key_derivation_func"]
    old = _ScryptParams.load(kdf["parameters"].dump())
    new = _ScryptParams(
        {"salt": old["salt"].native, "cost_parameter": n, "block_size": r, "parallelization_parameter": p}
    )
    kdf["parameters"] = a_core.Any.load(new.dump())
    return a_keys.EncryptedPrivateKeyInfo.load(epki.dump(force=True))


def _bag(bag_id: str, value: a_core.Asn1Value, local_id: bytes = b"\x01") -> a_pkcs12.SafeBag:
    attrs = [{"type": "local_key_id", "values": [a_core.OctetString(local_id)]}]
    return a_pkcs12.SafeBag({"bag_id": bag_id, "bag_value": value, "bag_attributes": attrs})


def _cert_bag() -> a_pkcs12.SafeBag:
    der = PKI.leaf.public_bytes(serialization.Encoding.DER)
    return _bag("cert_bag", a_pkcs12.CertBag({"cert_id": "x509", "cert_value": a_core.ParsableOctetString(der)}))


def _pfx(bags: list[a_pkcs12.SafeBag], password: bytes | None, *, mac_iterations: int = 2048) -> bytes:
    """A PFX of one unencrypted part holding ``bags``; with a SHA-256 MAC under ``password`` unless None."""
    safe = a_pkcs12.SafeContents(bags)
    auth = a_pkcs12.AuthenticatedSafe([a_cms.ContentInfo({"content_type": "data", "content": safe.dump()})])
    content = auth.dump()
    pfx: dict[str, Any] = {"version": "v3", "auth_safe": {"content_type": "data", "content": content}}
    if password is not None:
        salt = b"saltsalt"
        key = _pkcs12_kdf_mac_key(password, salt, mac_iterations, "sha256")
        digest = hmac.new(key, content, "sha256").digest()
        pfx["mac_data"] = {
            "mac": {"digest_algorithm": {"algorithm": "sha256"}, "digest": digest},
            "mac_salt": salt,
            "iterations": mac_iterations,
        }
    return bytes(a_pkcs12.Pfx(pfx).dump())


def _strip_mac(der: bytes) -> bytes:
    pfx = a_pkcs12.Pfx.load(der)
    return bytes(a_pkcs12.Pfx({"version": "v3", "auth_safe": pfx["auth_safe"]}).dump())


# --------------------------------------------------------------------------- 1. bounded key derivation


def test_scrypt_pfx_written_with_openssl_loads_and_reports_its_parameters() -> None:
    epki = a_keys.EncryptedPrivateKeyInfo.load(_openssl_scrypt_key())
    der = _pfx([_bag("pkcs8_shrouded_key_bag", epki), _cert_bag()], b"pw")
    bundle = load_pfx(der, "pw")
    assert bundle.certificate == PKI.leaf and bundle.private_key is not None
    assert bundle.integrity_checked is True
    assert bundle.pfx is not None
    (kdf,) = bundle.pfx.kdfs
    assert (kdf.kdf, kdf.n, kdf.r, kdf.p) == ("scrypt", 1024, 8, 1)
    assert kdf.scheme == "PBES2/scrypt/aes256_cbc"
    with pytest.raises(InputError) as info:
        load_pfx(der, "wrong")
    assert info.value.field == "password"


@pytest.mark.parametrize(
    ("n", "r", "p", "bound"),
    [
        (2**14, 1, 2**17, "max_scrypt_cost"),  # the reported kind of file: half an hour of OpenSSL work
        (2**14, 8, 2**20, "max_scrypt_memory"),
        (2**30, 1, 1, "max_scrypt_cost"),
        (2**10, 2**40, 1, "max_scrypt_cost"),
        (2**16, 8, 1, "max_scrypt_memory"),  # 64 MiB
        (2**17, 8, 1, "max_scrypt_memory"),
        (1000, 8, 1, "power of 2"),
        (2**10, 8, 2**4000, "max_scrypt_cost"),  # a number too large to print
    ],
    ids=["p-2^17", "p-2^20", "N-2^30", "r-2^40", "N-2^16", "N-2^17", "N-1000", "p-2^4000"],
)
@pytest.mark.parametrize("mac", [True, False], ids=["mac", "no-mac"])
@pytest.mark.usefixtures("no_openssl")
def test_scrypt_cost_over_the_bound_is_refused_before_any_derivation(
    n: int, r: int, p: int, bound: str, mac: bool
) -> None:
    epki = _with_scrypt(_openssl_scrypt_key(), n, r, p)
    der = _pfx([_bag("pkcs8_shrouded_key_bag", epki), _cert_bag()], b"pw" if mac else None)
    assert len(der) < 2048
    for password in ("pw", "other", None):
        with pytest.raises(InputError, match=bound) as info:
            load_pfx(der, password, allow_no_mac=True)
        assert info.value.field == "pfx"


@pytest.mark.usefixtures("no_openssl")
def test_scrypt_work_of_every_bag_adds_up() -> None:
    """Each shrouded key under the bound, together over it; one of them nested one SafeContents deep."""
    epki = _with_scrypt(_openssl_scrypt_key(), 2**14, 8, MAX_SCRYPT_COST // (2**14 * 8))
    nested = _bag("safe_contents", a_pkcs12.SafeContents([_bag("pkcs8_shrouded_key_bag", epki, b"\x02")]))
    der = _pfx([_bag("pkcs8_shrouded_key_bag", epki, b"\x03")] * 3 + [nested, _cert_bag()], b"pw")
    with pytest.raises(InputError, match="in all") as info:
        load_pfx(der, "pw")
    assert "N*r*p" in str(info.value)
    alone = _pfx([nested], b"pw")
    with pytest.raises(InputError, match="max_scrypt_cost"):
        load_pfx(alone, "pw", max_scrypt_cost=2**16)


def _pbes2(kdf: dict[str, Any]) -> a_algos.EncryptionAlgorithm:
    return a_algos.EncryptionAlgorithm(
        {
            "algorithm": "pbes2",
            "parameters": {
                "key_derivation_func": kdf,
                "encryption_scheme": {"algorithm": "aes256_cbc", "parameters": a_core.OctetString(bytes(16))},
            },
        }
    )


def _shrouded(alg: a_algos.EncryptionAlgorithm) -> a_pkcs12.SafeBag:
    epki = a_keys.EncryptedPrivateKeyInfo({"encryption_algorithm": alg, "encrypted_data": bytes(48)})
    return _bag("pkcs8_shrouded_key_bag", epki)


@pytest.mark.usefixtures("no_openssl")
def test_kdf_whose_cost_cannot_be_read_is_refused() -> None:
    unknown_kdf = _pbes2({"algorithm": "1.2.3.4", "parameters": a_core.Integer(1)})
    with pytest.raises(UnsupportedAlgorithm, match="cost cannot be read"):
        load_pfx(_pfx([_shrouded(unknown_kdf), _cert_bag()], b"pw"), "pw")
    not_a_pbe = a_algos.EncryptionAlgorithm({"algorithm": "aes256_cbc", "parameters": a_core.OctetString(bytes(16))})
    with pytest.raises(UnsupportedAlgorithm, match="cost cannot be read"):
        load_pfx(_pfx([_shrouded(not_a_pbe), _cert_bag()], b"pw"), "pw")
    malformed = _pbes2({"algorithm": "1.3.6.1.4.1.11591.4.11", "parameters": a_core.Integer(5)})
    with pytest.raises(InputError, match="cannot be read"):
        load_pfx(_pfx([_shrouded(malformed), _cert_bag()], b"pw"), "pw")
    zero = _pbes2({"algorithm": "pbkdf2", "parameters": {"salt": SALT, "iteration_count": 0}})
    with pytest.raises(InputError, match="below 1"):
        load_pfx(_pfx([_shrouded(zero), _cert_bag()], b"pw"), "pw")
    huge = _pbes2({"algorithm": "pbkdf2", "parameters": {"salt": SALT, "iteration_count": 10**12}})
    with pytest.raises(InputError, match="max_iterations"):
        load_pfx(_pfx([_shrouded(huge), _cert_bag()], b"pw"), "pw")


@pytest.mark.usefixtures("no_openssl")
def test_pbmac1_mac_iterations_are_bounded() -> None:
    """RFC 9579 PBMAC1: the MAC's cost is in its PBKDF2 parameters, not in MacData.iterations."""
    der = _pfx([_cert_bag()], b"pw")
    pfx = a_pkcs12.Pfx.load(der)
    params = a_core.Sequence.load(
        a_core.Sequence(
            contents=a_algos.KdfAlgorithm(
                {"algorithm": "pbkdf2", "parameters": {"salt": SALT, "iteration_count": 10**9}}
            ).dump()
            + a_algos.HmacAlgorithm({"algorithm": "sha256"}).dump()
        ).dump()
    )
    mac = {
        "mac": {"digest_algorithm": {"algorithm": "1.2.840.113549.1.5.14", "parameters": params}, "digest": bytes(32)},
        "mac_salt": b"x" * 8,
        "iterations": 1,
    }
    forged = bytes(a_pkcs12.Pfx({"version": "v3", "auth_safe": pfx["auth_safe"], "mac_data": mac}).dump())
    with pytest.raises(InputError, match="MAC asks for 1000000000 key-derivation iterations"):
        load_pfx(forged, "pw")


def test_mac_and_encryption_parameters_are_reported() -> None:
    bundle = load_pfx((VECTORS / "cert-key-aes256cbc.p12").read_bytes(), "cryptography")
    assert bundle.pfx is not None
    doc = bundle.pfx.to_dict()
    assert doc["integrity_checked"] is True
    assert doc["mac"] == {"where": "MAC", "scheme": "sha1", "kdf": "pkcs12-kdf", "iterations": 2048}
    assert [(k["where"], k["kdf"], k["iterations"]) for k in doc["encryption"]] == [
        ("encrypted part 1", "pbkdf2", 2048),
        ("shrouded key 1", "pbkdf2", 2048),
    ]


# --------------------------------------------------------------------------- 2. no MAC, no load


def test_pfx_without_mac_is_refused_by_default() -> None:
    original = (VECTORS / "cert-none-key-none.p12").read_bytes()
    assert load_pfx(original, "cryptography").integrity_checked is True
    stripped = _strip_mac(original)
    for password in ("cryptography", "anything", None):
        with pytest.raises(InputError, match="no MAC: the file's integrity cannot be checked") as info:
            load_pfx(stripped, password)
        assert info.value.field == "pfx"
    bundle = load_pfx(stripped, "anything", allow_no_mac=True)
    assert bundle.private_key is not None
    assert bundle.integrity_checked is False
    assert bundle.pfx is not None and bundle.pfx.mac is None
    assert "integrity not checked" in repr(bundle)
    assert "integrity" not in repr(load_pfx(original, "cryptography"))


def test_substituted_key_and_certificate_without_mac_are_refused() -> None:
    """What the MAC is for: an attacker's own key and certificate in place of the owner's."""
    attacker = make_pki("p256", label="attacker")
    key_der = attacker.leaf_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    cert_der = attacker.leaf.public_bytes(serialization.Encoding.DER)
    cert_bag = a_pkcs12.CertBag({"cert_id": "x509", "cert_value": a_core.ParsableOctetString(cert_der)})
    forged = _pfx([_bag("key_bag", a_keys.PrivateKeyInfo.load(key_der)), _bag("cert_bag", cert_bag)], None)
    with pytest.raises(InputError, match="no MAC"):
        load_pfx(forged, "the owner's password")


def test_bundle_built_in_code_has_no_integrity_claim() -> None:
    assert KeyBundle(PKI.leaf_key, PKI.leaf).integrity_checked is None


# --------------------------------------------------------------------------- 3. wrong password cost

#: A KDF iteration in Python costs about this many OpenSSL iterations (measured: 2,000,000 PKCS#12-KDF
#: SHA-256 iterations take 1.17 s in Python, under 0.2 s in OpenSSL); the benchmark row
#: ``pfx-wrong-vs-right-password`` measures the time itself.
PYTHON_ITERATION_WEIGHT = 4


def _openssl_export(iterations: int, *extra: str) -> bytes:
    pem_key = PKI.leaf_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "k.pem").write_bytes(pem_key)
        (d / "c.pem").write_bytes(PKI.leaf.public_bytes(serialization.Encoding.PEM))
        subprocess.run(
            ["openssl", "pkcs12", "-export", "-iter", str(iterations), "-inkey", str(d / "k.pem"),
             "-in", str(d / "c.pem"), "-passout", "pass:right", "-out", str(d / "o.pfx"), *extra],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        return (d / "o.pfx").read_bytes()


def _work(monkeypatch: pytest.MonkeyPatch, der: bytes, password: bytes) -> int:
    """Key-derivation iterations one ``load_pfx`` call costs, counted: each OpenSSL attempt runs the
    MAC's KDF (twice for no password: OpenSSL tries NULL and ""), and a successful one every encrypted
    part's too; Python KDF iterations weigh ``PYTHON_ITERATION_WEIGHT``."""
    pfx = a_pkcs12.Pfx.load(der)
    mac = int(pfx["mac_data"]["iterations"].native)
    parts = sum(n or 0 for _, n in ck_keys._encryption_params(pfx))
    spent = 0
    real_load = pkcs12.load_pkcs12
    real_kdf = ck_keys._pkcs12_kdf_mac_key

    def load(data: bytes, pw: bytes | None, *args: Any) -> Any:
        nonlocal spent
        spent += mac * (2 if not pw else 1)
        result = real_load(data, pw, *args)
        spent += parts
        return result

    def kdf(pw: bytes | None, salt: bytes, iterations: int, h: str) -> bytes:
        nonlocal spent
        spent += PYTHON_ITERATION_WEIGHT * iterations
        return real_kdf(pw, salt, iterations, h)

    monkeypatch.setattr(pkcs12, "load_pkcs12", load)
    monkeypatch.setattr(ck_keys, "_pkcs12_kdf_mac_key", kdf)
    try:
        load_pfx(der, password)
    except CryptokitError:
        pass
    monkeypatch.undo()
    return spent


@pytest.mark.parametrize("extra", [(), ("-keypbe", "NONE", "-certpbe", "NONE")], ids=["encrypted", "mac-only"])
def test_wrong_password_costs_at_most_one_and_a_half_right_ones(
    monkeypatch: pytest.MonkeyPatch, extra: tuple[str, ...]
) -> None:
    der = _openssl_export(100_000, *extra)
    right = _work(monkeypatch, der, b"right")
    wrong = _work(monkeypatch, der, b"wrong")
    assert right >= 100_000
    assert wrong <= 1.5 * right, (wrong, right)
    with pytest.raises(InputError) as info:
        load_pfx(der, b"wrong")
    assert info.value.field == "password" and "wrong" in str(info.value)


def test_wrong_password_on_a_file_without_one_still_says_so_cheaply(monkeypatch: pytest.MonkeyPatch) -> None:
    der = (VECTORS / "no-password.p12").read_bytes()
    assert _work(monkeypatch, der, b"guess") <= 3 * 65_536
    with pytest.raises(InputError, match="no password"):
        load_pfx(der, "guess")


# --------------------------------------------------------------------------- CLI and passwords


def _cli(*args: str, env: dict[str, Any] | None = None) -> subprocess.CompletedProcess[bytes]:
    import os
    import sys

    full = {**{k.encode(): v.encode() for k, v in os.environ.items()}, **(env or {})}
    return subprocess.run([sys.executable, "-m", "cryptokit", *args], capture_output=True, timeout=120, env=full)


def test_cli_pfx_inspect_shows_integrity_and_key_derivations(tmp_path: Path) -> None:
    vector = str(VECTORS / "cert-key-aes256cbc.p12")
    r = _cli("pfx", "inspect", vector, "--password-env", "PW", env={b"PW": b"cryptography"})
    out = r.stdout.decode()
    assert r.returncode == 0, r.stderr
    assert "integrity: MAC verified (sha1, pkcs12-kdf 2048 iterations)" in out
    assert "encryption: shrouded key 1: PBES2/PBKDF2-sha1/aes256_cbc, pbkdf2 2048 iterations" in out
    r = _cli("pfx", "inspect", vector, "--password-env", "PW", "--json", env={b"PW": b"cryptography"})
    import orjson

    protection = orjson.loads(r.stdout)["protection"]
    assert protection["integrity_checked"] is True and protection["mac"]["iterations"] == 2048
    stripped = tmp_path / "no-mac.p12"
    stripped.write_bytes(_strip_mac((VECTORS / "cert-none-key-none.p12").read_bytes()))
    r = _cli("pfx", "inspect", str(stripped), "--password-env", "PW", env={b"PW": b"x"})
    assert r.returncode == 2 and b"no MAC" in r.stderr and b"Traceback" not in r.stderr
    r = _cli("pfx", "inspect", str(stripped), "--password-env", "PW", "--allow-no-mac", env={b"PW": b"x"})
    assert r.returncode == 0, r.stderr
    assert "integrity: NOT CHECKED" in r.stdout.decode()
    r = _cli("pfx", "inspect", str(stripped), "--password-env", "PW", "--allow-no-mac", "--json", env={b"PW": b"x"})
    assert orjson.loads(r.stdout)["protection"]["integrity_checked"] is False


LATIN1_PASSWORD = b"caf\xe9-MARKER-\xff"
UTF8_PASSWORD = "café-MARKER-ü".encode()


def _no_password_in(*texts: str) -> None:
    assert not any("MARKER" in t or "caf" in t for t in texts), texts


def test_unencodable_or_undecodable_password_is_an_input_error_without_it() -> None:
    pfx = KeyBundle(PKI.leaf_key, PKI.leaf).to_pkcs12(UTF8_PASSWORD, kdf_rounds=1000)
    as_str = LATIN1_PASSWORD.decode("utf-8", "surrogateescape")  # what os.environ gives for these bytes
    for password in (as_str, LATIN1_PASSWORD):
        with pytest.raises(InputError) as info:
            load_pfx(pfx, password)
        assert info.value.field == "password"
        _no_password_in(str(info.value), repr(info.value), repr(info.value.__cause__), repr(info.value.__context__))
    assert load_pfx(pfx, UTF8_PASSWORD).certificate == PKI.leaf
    assert load_pfx(pfx, UTF8_PASSWORD.decode()).certificate == PKI.leaf


def test_cli_reads_pfx_passwords_as_bytes(tmp_path: Path) -> None:
    """A non-ASCII password from an environment variable or a file opens the PFX; a Latin-1 one (not
    UTF-8, so cryptography cannot use it) is a clean error: no traceback, no password byte."""
    pfx = tmp_path / "utf8.pfx"
    pfx.write_bytes(KeyBundle(PKI.leaf_key, PKI.leaf).to_pkcs12(UTF8_PASSWORD, kdf_rounds=1000))
    for password, code in ((UTF8_PASSWORD, 0), (LATIN1_PASSWORD, 2)):
        secret = tmp_path / "pw.txt"
        secret.write_bytes(password + b"\n")
        for args, env in (
            (("--password-env", "PW"), {b"PW": password}),
            (("--password-file", str(secret)), {}),
        ):
            r = _cli("pfx", "inspect", str(pfx), *args, env=env)
            assert r.returncode == code, r.stderr[-600:]
            assert b"Traceback" not in r.stderr
            _no_password_in(r.stdout.decode("latin-1"), r.stderr.decode("latin-1"))
