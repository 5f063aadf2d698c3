"""Name constraints checked on the names chain.der read (a leaf that took the reader's path) give the
same report as on cryptography's name and extension objects (the general path): every PKITS 4.13
chain (name constraints: DN, RFC822, DNS, URI), given as DER, with the reader on and off, and as
certificate objects; failures keep their message."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

import cryptokit.chain.validate as validate_mod
from cryptokit.chain import validate_chain
from cryptokit.chain.der import read_certificate
from cryptokit.testing.chains import der_reader_off

from . import test_pkits as pkits

_NC_CASES = [c for c in pkits.CASES if c[0].startswith("4.13.")]


def _der(name: str) -> bytes:
    return pkits._cert(name).public_bytes(Encoding.DER)


def _report(ee: Any, chain: list[Any], crls: list[str], reader: bool) -> dict[str, Any]:
    validate_mod._FACTS_BY_DER.clear()
    with contextlib.nullcontext() if reader else der_reader_off():
        report = validate_chain(
            ee,
            intermediates=list(reversed(chain)),
            trust_anchors=[pkits._cert("TrustAnchorRootCertificate")],
            at=pkits.AT,
            policy=pkits.POLICY,
            crls=[pkits._crl("TrustAnchorRootCRL"), *(pkits._crl(c) for c in crls)],
            cache=None,
        )
    validate_mod._FACTS_BY_DER.clear()
    return report.to_dict()


@pytest.mark.parametrize(
    ("test_id", "expected_ok", "ee", "chain", "crls", "sub"), _NC_CASES, ids=[c[0] for c in _NC_CASES]
)
def test_pkits_name_constraints_same_report_from_the_read_names(  # type: ignore[no-untyped-def]
    test_id: str, expected_ok: bool, ee: str, chain: list[str], crls: list[str], sub
) -> None:
    ders = [_der(c) for c in chain]
    read = _report(_der(ee), ders, crls, reader=True)
    general = _report(_der(ee), ders, crls, reader=False)
    objects = _report(pkits._cert(ee), [pkits._cert(c) for c in chain], crls, reader=True)
    assert read == general == objects
    assert read["ok"] is expected_ok
    assert any(c["name"] == "name_constraints" for c in read["checks"])


def test_pkits_name_constraint_leaves_take_the_readers_path() -> None:
    """The test above compares the two paths only for leaves the reader reads: most PKITS 4.13 leaves
    are (those with a directoryName in subjectAltName are not), passing and failing ones."""
    read = [c for c in _NC_CASES if read_certificate(_der(c[2])) is not None]
    assert len(read) >= 25
    assert {c[1] for c in read} == {True, False}
