"""Issue 18 points 3 and 6: cms_verify(intermediates=, crls=) and a complete `cms verify`
(--intermediates, --crl, --at, S/MIME from the openssl command, --detached/--content stating the mode)."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import orjson
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

import cryptokit as ck
from cryptokit.cli.main import main
from cryptokit.errors import VerificationFailed
from cryptokit.pkcs12 import KeyBundle
from cryptokit.report import SubIndication
from tests.conftest import requires_openssl
from tests.pki import DAY, NOW, Pki, make_pki

PEM = serialization.Encoding.PEM


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki("rsa2048", label="cmsverify")


def _crl(pki: Pki, revoked: bool) -> bytes:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(pki.intermediate.subject)
        .last_update(NOW - DAY)
        .next_update(NOW + 7 * DAY)
        .add_extension(x509.CRLNumber(1), critical=False)  # RFC 5280 5.2.3: a usable CRL carries one
    )
    if revoked:
        entry = x509.RevokedCertificateBuilder().serial_number(pki.leaf.serial_number).revocation_date(NOW - DAY)
        builder = builder.add_revoked_certificate(entry.build())
    return builder.sign(pki.intermediate_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)  # type: ignore[arg-type]


@pytest.fixture
def files(tmp_path: Path, pki: Pki) -> dict[str, Path]:
    out = {name: tmp_path / f"{name}.pem" for name in ("leaf", "ca", "root", "key")}
    out["leaf"].write_bytes(pki.leaf.public_bytes(PEM))
    out["ca"].write_bytes(pki.intermediate.public_bytes(PEM))
    out["root"].write_bytes(pki.root.public_bytes(PEM))
    out["key"].write_bytes(
        pki.leaf_key.private_bytes(PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    out["msg"] = tmp_path / "msg.txt"
    out["msg"].write_bytes(b"Pay 100 to Asha\nRef 42\n")
    out["revoked"] = tmp_path / "revoked.crl"
    out["revoked"].write_bytes(_crl(pki, True))
    out["fresh"] = tmp_path / "fresh.crl"
    out["fresh"].write_bytes(_crl(pki, False))
    return out


def test_library_intermediates_and_crls(pki: Pki) -> None:
    cms = ck.cms_sign(b"doc", KeyBundle(pki.leaf_key, pki.leaf))  # embeds the signer certificate only
    with pytest.raises(VerificationFailed) as info:
        ck.cms_verify(cms, trust_anchors=[pki.root])
    assert info.value.report.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND
    assert ck.cms_verify(cms, trust_anchors=[pki.root], intermediates=[pki.intermediate]).content == b"doc"
    ok = ck.cms_verify(cms, trust_anchors=[pki.root], intermediates=[pki.intermediate], crls=[_crl(pki, False)])
    assert ok.signers[0].chain[-1] == pki.root
    with pytest.raises(VerificationFailed) as info:
        ck.cms_verify(cms, trust_anchors=[pki.root], intermediates=[pki.intermediate], crls=[_crl(pki, True)])
    assert info.value.report.sub_indication is SubIndication.REVOKED
    with pytest.raises(ck.InputError):
        ck.cms_verify(cms, trust_anchors=[pki.root], crls=[b"not a crl"])


def _openssl_sign(files: dict[str, Path], out: Path, *extra: str, tool: str = "cms") -> None:
    subprocess.run(
        ["openssl", tool, "-sign", "-in", str(files["msg"]), "-signer", str(files["leaf"]), "-inkey",
         str(files["key"]), "-out", str(out), *extra],
        check=True, capture_output=True,
    )  # fmt: skip


@requires_openssl
@pytest.mark.parametrize(
    ("tool", "extra", "mode"),
    [
        ("cms", (), "the first part of the S/MIME multipart/signed message"),
        ("cms", ("-nodetach",), "S/MIME application/pkcs7-mime, attached content"),
        ("smime", (), "the first part of the S/MIME multipart/signed message"),
        ("cms", ("-outform", "DER", "-nodetach"), "attached content"),
    ],
    ids=["cms-multipart", "cms-opaque", "smime-multipart", "cms-der"],
)
def test_openssl_smime_with_intermediates_crl_and_at(
    tmp_path: Path, files: dict[str, Path], tool: str, extra: tuple[str, ...], mode: str,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    signed = tmp_path / "signed.eml"
    _openssl_sign(files, signed, *extra, tool=tool)
    base = ["cms", "verify", str(signed), "--roots", str(files["root"])]
    # openssl embeds only the signer's certificate: without the issuing CA there is no path.
    assert main(base) == 1
    out = capsys.readouterr().out
    assert "no path to a trust anchor" in out and "NO_CERTIFICATE_CHAIN_FOUND" in out
    full = [*base, "--intermediates", str(files["ca"])]
    assert main([*full, "--crl", str(files["fresh"])]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: CMS verified") and mode in out and "chain validated" in out
    assert main([*full, "--crl", str(files["revoked"])]) == 1
    out = capsys.readouterr().out
    assert "revoked" in out.lower() and "REVOKED" in out
    late = (NOW + dt.timedelta(days=3650)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert main([*full, "--at", late]) == 1
    assert "EXPIRED" in capsys.readouterr().out
    assert main([*full, "--json"]) == 0
    doc = orjson.loads(capsys.readouterr().out)
    assert doc["ok"] is True and mode in doc["mode"]


@requires_openssl
def test_tampered_multipart_content_fails(
    tmp_path: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    signed = tmp_path / "signed.eml"
    _openssl_sign(files, signed)
    signed.write_bytes(signed.read_bytes().replace(b"Pay 100", b"Pay 900"))
    assert main(["cms", "verify", str(signed), "--roots", str(files["root"]), "--intermediates", str(files["ca"])]) == 1
    assert "messageDigest does not match the content" in capsys.readouterr().out


def test_detached_and_content_state_the_mode(
    tmp_path: Path, pki: Pki, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = KeyBundle(pki.leaf_key, pki.leaf, (pki.intermediate,))
    (tmp_path / "d.p7s").write_bytes(ck.cms_sign(files["msg"].read_bytes(), bundle, detached=True, include_chain=True))
    (tmp_path / "a.p7s").write_bytes(ck.cms_sign(files["msg"].read_bytes(), bundle, include_chain=True))
    roots = ["--roots", str(files["root"])]
    assert main(["cms", "verify", str(tmp_path / "d.p7s"), "--detached", str(files["msg"]), *roots]) == 0
    assert f"detached content from {files['msg']}" in capsys.readouterr().out
    assert main(["cms", "verify", str(tmp_path / "a.p7s"), "--content", str(files["msg"]), *roots]) == 0
    assert f"attached content, equal to {files['msg']}" in capsys.readouterr().out
    assert main(["cms", "verify", str(tmp_path / "a.p7s"), *roots]) == 0
    assert "attached content" in capsys.readouterr().out
    # The wrong mode is unusable input (exit 2) that says what to do.
    assert main(["cms", "verify", str(tmp_path / "a.p7s"), "--detached", str(files["msg"]), *roots]) == 2
    assert "carries its content (attached)" in capsys.readouterr().err
    assert main(["cms", "verify", str(tmp_path / "d.p7s"), *roots]) == 2
    err = capsys.readouterr().err
    assert "is detached" in err and "--detached FILE" in err


def test_several_files_in_one_process(
    tmp_path: Path,
    pki: Pki,
    files: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 23.1: `cms verify A B ...` verifies each file (a line each, in order, then the count),
    reads --signer once, and exits with the worst outcome; the one-content options take one CMS."""
    import cryptokit.cli.cmd_pki as cmd_pki

    bundle = KeyBundle(pki.leaf_key, pki.leaf, (pki.intermediate,))
    good = [tmp_path / f"good{i}.p7s" for i in range(3)]
    for i, path in enumerate(good):
        path.write_bytes(ck.cms_sign(b"document %d" % i, bundle))
    tampered = tmp_path / "tampered.p7s"
    tampered.write_bytes(good[0].read_bytes().replace(b"document 0", b"document 9"))
    junk = tmp_path / "junk.p7s"
    junk.write_bytes(b"not a CMS")
    detached = tmp_path / "detached.p7s"
    detached.write_bytes(ck.cms_sign(b"document d", bundle, detached=True))
    reads: list[object] = []
    real_read = cmd_pki.read_certificates
    monkeypatch.setattr(cmd_pki, "read_certificates", lambda *a: reads.append(a) or real_read(*a))
    signer = ["--signer", str(files["leaf"])]

    assert main(["cms", "verify", *map(str, good), *signer]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(": ")[:2] for line in lines[:3]] == [["OK", str(p)] for p in good]
    assert lines[3] == "3 files: 3 verified, 0 failed, 0 unusable"
    assert len(reads) == 1

    assert main(["cms", "verify", str(good[0]), str(tampered), *signer]) == 1
    out = capsys.readouterr().out
    assert f"FAILED: {tampered}: CMS signature (attached content)" in out and "messageDigest" in out
    assert "2 files: 1 verified, 1 failed, 0 unusable" in out

    assert main(["cms", "verify", str(junk), str(tampered), str(detached), str(good[1]), *signer]) == 2
    out = capsys.readouterr().out
    assert f"UNUSABLE: {junk}: " in out and f"UNUSABLE: {detached}: CMS: is detached" in out
    assert out.index(str(junk)) < out.index(str(tampered)) < out.index(str(detached)) < out.index(str(good[1]))
    assert "4 files: 1 verified, 1 failed, 2 unusable" in out

    assert main(["cms", "verify", str(good[2]), str(tampered), str(junk), *signer, "--json"]) == 2
    doc = orjson.loads(capsys.readouterr().out)
    assert (doc["ok"], doc["files"], doc["verified"], doc["failed"], doc["unusable"]) == (False, 3, 1, 1, 1)
    assert [(r["file"], r["ok"]) for r in doc["results"]] == [(str(good[2]), True), (str(tampered), False),
                                                             (str(junk), False)]  # fmt: skip
    assert doc["results"][0]["indication"] == "TOTAL_PASSED" and doc["results"][2]["unusable"] is True

    for flag in ("--detached", "--content", "--out-content"):
        assert main(["cms", "verify", str(good[0]), str(good[1]), *signer, flag, str(files["msg"])]) == 2
        assert "give them with one CMS" in capsys.readouterr().err


def _rc_and_modules(argv: list[str]) -> tuple[int, list[str]]:
    """The exit code of ``main(argv)`` in a fresh interpreter, and the modules it then holds."""
    import json
    import sys

    probe = (
        f"import json, sys\nfrom cryptokit.cli.main import main\nrc = main({argv!r})\n"
        "print(json.dumps([rc, sorted(sys.modules)]))"
    )
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout
    rc, loaded = json.loads(out.splitlines()[-1])
    return rc, loaded


def test_signer_only_does_not_load_the_chain_modules(tmp_path: Path, pki: Pki, files: dict[str, Path]) -> None:
    """Issue 23.1: `cms verify --signer` checks no chain, so it builds no chain policy and leaves
    cryptokit.chain (and the email parser, for a DER input) unloaded: start-up is most of a launch."""
    signed = tmp_path / "a.p7s"
    signed.write_bytes(ck.cms_sign(b"document", KeyBundle(pki.leaf_key, pki.leaf, ())))
    rc, loaded = _rc_and_modules(["cms", "verify", str(signed), "--signer", str(files["leaf"])])
    assert rc == 0
    assert not [m for m in loaded if m == "cryptokit.chain" or m.startswith(("cryptokit.chain.", "email.parser"))]
    # with --roots the chain is checked, and its modules load
    rc, loaded = _rc_and_modules(
        ["cms", "verify", str(signed), "--roots", str(files["root"]), "--intermediates", str(files["ca"])]
    )
    assert rc == 0 and "cryptokit.chain.validate" in loaded
