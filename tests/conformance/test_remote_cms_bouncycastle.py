"""cms_prepare + PreparedCms.finish output verified by Java BouncyCastle (CMSSignedData, SignerInformation.verify,
which also checks CMSAlgorithmProtection against the SignerInfo): RSA PKCS#1 v1.5 and PSS, ECDSA from raw
r||s, attached and detached; a changed content is refused."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import cryptokit as ck
from cryptokit.cms import cms_prepare
from tests.pki import make_pki

HERE = Path(__file__).resolve().parent
JARS = [Path("/usr/share/java") / f"{name}.jar" for name in ("bcprov", "bcpkix", "bcutil")]
JAVA = shutil.which("java")

pytestmark = pytest.mark.skipif(
    JAVA is None or not all(j.exists() for j in JARS),
    reason="Java and BouncyCastle (default-jdk-headless libbcprov-java libbcpkix-java) are not installed",
)

CONTENT = b"remote CMS for BouncyCastle\n\x00\xff" * 30


def _java(*args: str) -> subprocess.CompletedProcess[str]:
    assert JAVA is not None
    classpath = ":".join(str(j) for j in JARS)
    return subprocess.run(
        [JAVA, "-cp", classpath, str(HERE / "VerifyCms.java"), *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def _signed(kind: str, scheme: str | None, encoding: str, detached: bool) -> bytes:
    pki = make_pki(kind, label="bc")
    prepared = cms_prepare(CONTENT, certificate=pki.leaf, chain=pki.chain, detached=detached, scheme=scheme)
    h = prepared.to_sign
    signature = ck.sign_digest(
        pki.leaf_key, h.digest, h.algorithm, scheme=scheme or "auto", signature_encoding=encoding
    )  # type: ignore[arg-type]
    return prepared.finish(signature, signature_encoding=encoding)


def test_bouncycastle_verifies_prepared_cms(tmp_path: Path) -> None:
    (tmp_path / "content.bin").write_bytes(CONTENT)
    args: list[str] = []
    cases = [
        ("rsa2048", None, "der", True),
        ("rsa2048", "pss", "der", False),
        ("p256", None, "raw", True),
        ("p256", None, "der", False),
    ]
    for n, (kind, scheme, encoding, detached) in enumerate(cases):
        path = tmp_path / f"{n}.p7s"
        path.write_bytes(_signed(kind, scheme, encoding, detached))
        args += [str(path), str(tmp_path / "content.bin") if detached else "-"]
    proc = _java(*args)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.count("OK ") == len(cases), proc.stdout
    (tmp_path / "changed.bin").write_bytes(CONTENT + b"!")
    bad = _java(str(tmp_path / "0.p7s"), str(tmp_path / "changed.bin"))
    assert bad.returncode != 0
    assert "OK " not in bad.stdout
