"""Trust anchors whose extensions cryptography cannot parse (malformed keyUsage, basicConstraints,
SKI, SAN... bytes, or an extension twice): validate_chain refuses each with an InputError naming
``trust_anchors[i]`` on both of its read paths (a DER leaf and a certificate object), with the anchor
given as DER or as an object, and nothing else escapes (no foreign exception, no warning); the CLI's
``chain validate --roots`` and ``certs inspect`` exit 2 naming the file. On cryptography 49 and 51."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtensionOID

from cryptokit.chain import validate_chain
from cryptokit.cli.main import main
from cryptokit.errors import InputError
from cryptokit.testing import Pki, make_pki
from tests.chain.test_der import MALFORMED

pytestmark = pytest.mark.filterwarnings("error")

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki("p256", label="anchor extensions")


def _anchor_with(pki: Pki, oid: x509.ObjectIdentifier, value: bytes) -> x509.Certificate:
    """The root re-issued (same name and key) with ``oid``'s value replaced by the raw ``value``."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(pki.root.subject)
        .issuer_name(pki.root.subject)
        .public_key(pki.root.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=30))
    )
    for extension in pki.root.extensions:
        if extension.oid != oid:
            builder = builder.add_extension(extension.value, extension.critical)
    critical = oid in (ExtensionOID.BASIC_CONSTRAINTS, ExtensionOID.KEY_USAGE)
    builder = builder.add_extension(x509.UnrecognizedExtension(oid, value), critical=critical)
    return builder.sign(pki.root_key, hashes.SHA256())


def _anchor_with_twice(pki: Pki, dotted: str) -> bytes:
    """The root's DER with its extension ``dotted`` listed twice, signed again by the root key
    (cryptography's builder refuses duplicates, so the TBS is edited with asn1crypto)."""
    cert = asn1_x509.Certificate.load(pki.root.public_bytes(serialization.Encoding.DER))
    tbs = cert["tbs_certificate"]
    extensions = [asn1_x509.Extension.load(e.dump()) for e in tbs["extensions"]]
    extensions += [asn1_x509.Extension.load(e.dump()) for e in tbs["extensions"] if e["extn_id"].dotted == dotted]
    assert len(extensions) == len(tbs["extensions"]) + 1
    tbs["extensions"] = asn1_x509.Extensions(extensions)
    tbs_der = tbs.dump(force=True)
    signature = pki.root_key.sign(tbs_der, ec.ECDSA(hashes.SHA256()))
    out = asn1_x509.Certificate(
        {
            "tbs_certificate": asn1_x509.TbsCertificate.load(tbs_der),
            "signature_algorithm": cert["signature_algorithm"],
            "signature_value": core.OctetBitString(signature),
        }
    )
    return bytes(out.dump(force=True))


DUPLICATED = {"keyUsage twice": "2.5.29.15", "basicConstraints twice": "2.5.29.19", "SKI twice": "2.5.29.14"}
CASES = [*MALFORMED, *DUPLICATED]


def _bad_anchor_der(pki: Pki, case: str) -> bytes:
    if case in DUPLICATED:
        return _anchor_with_twice(pki, DUPLICATED[case])
    oid, value = MALFORMED[case]
    return _anchor_with(pki, oid, value).public_bytes(serialization.Encoding.DER)


def _as_object(der: bytes) -> Any:
    """The anchor as a cryptography object where this version loads it (its extensions are parsed
    lazily), else as DER: a duplicate extension is refused at load by some versions."""
    try:
        return x509.load_der_x509_certificate(der)
    except ValueError:
        return der


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("leaf_kind", ["der", "object"])
@pytest.mark.parametrize("anchor_kind", ["der", "object"])
def test_validate_chain_refuses_the_anchor_naming_it(pki: Pki, case: str, leaf_kind: str, anchor_kind: str) -> None:
    der = _bad_anchor_der(pki, case)
    bad = der if anchor_kind == "der" else _as_object(der)
    leaf = pki.leaf.public_bytes(serialization.Encoding.DER) if leaf_kind == "der" else pki.leaf
    ok = validate_chain(leaf, intermediates=[pki.intermediate], trust_anchors=[pki.root], cache=None)
    assert ok.ok  # the same chain with the good root: the refusal below is the bad anchor's
    for anchors, index in (([bad], 0), ([pki.root, bad], 1)):
        with pytest.raises(InputError) as info:
            validate_chain(leaf, intermediates=[pki.intermediate], trust_anchors=anchors, cache=None)
        assert info.value.field == f"trust_anchors[{index}]"
    with pytest.raises(InputError) as cached:  # the default cache: refused on a second call as well
        for _ in range(2):
            validate_chain(leaf, intermediates=[pki.intermediate], trust_anchors=[pki.root, bad])
    assert cached.value.field == "trust_anchors[1]"


@pytest.mark.parametrize("case", ["ku padding bits", "bc cA not DER TRUE", "san truncated", "keyUsage twice"])
def test_cli_refuses_the_anchor_file_with_exit_2(
    pki: Pki, case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {"leaf.pem": pki.leaf, "ca.pem": pki.intermediate, "root.pem": pki.root}
    for file_name, cert in files.items():
        (tmp_path / file_name).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "bad.der").write_bytes(_bad_anchor_der(pki, case))
    leaf, ca, root, bad = (str(tmp_path / n) for n in ("leaf.pem", "ca.pem", "root.pem", "bad.der"))
    assert main(["chain", "validate", leaf, "--intermediates", ca, "--roots", root]) == 0
    capsys.readouterr()
    assert main(["chain", "validate", leaf, "--intermediates", ca, "--roots", root, bad]) == 2
    captured = capsys.readouterr()
    assert "--roots" in captured.err + captured.out and "bad.der" in captured.err + captured.out
    assert main(["certs", "inspect", bad]) == 2
    assert "bad.der" in "".join(capsys.readouterr())
