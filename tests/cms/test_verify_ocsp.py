"""OCSP responses as a revocation source of cms_verify's chain check and of the CLI's cms verify and
pdf verify (--ocsp FILE): responses made by ``openssl ocsp`` (index file; signed by the CA key and by
a delegated responder) and by cryptography's OCSPResponseBuilder (the fixtures of tests/chain/test_ocsp.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.x509 import ocsp

from cryptokit.chain import ChainPolicy
from cryptokit.cli.main import main
from cryptokit.cms import CmsPolicy, cms_sign, cms_verify
from cryptokit.errors import InputError, VerificationFailed
from cryptokit.pkcs12 import KeyBundle
from cryptokit.report import SubIndication
from tests.chain.test_ocsp import (
    _good_for_inter,
    _index_line,
    _openssl_response,
    _pem_files,
    _resp,
    _responder,
    needs_openssl,
)
from tests.pki import NOW, Pki, make_pki

REQUIRED = CmsPolicy(chain_policy=ChainPolicy.document_signing(require_revocation=True))
CONTENT = b"invoice 2026-0042"


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki("p256", label="cms-ocsp")


def _signed(pki: Pki) -> bytes:
    return cms_sign(CONTENT, KeyBundle(pki.leaf_key, pki.leaf, (pki.intermediate,)), include_chain=True)


def _verify(pki: Pki, responses: Any, **kw: Any) -> Any:
    return cms_verify(_signed(pki), trust_anchors=[pki.root], at=NOW, policy=REQUIRED, ocsp_responses=responses, **kw)


def _leaf_revocation(checks: Any, pki: Pki) -> Any:
    subject = pki.leaf.subject.rfc4514_string()
    return next(c for c in checks if c.name == "revocation" and c.subject == subject)


@needs_openssl
def test_openssl_good_satisfies_require_revocation(pki: Pki, tmp_path: Path) -> None:
    _pem_files(tmp_path, pki)
    leaf_good = _openssl_response(tmp_path, pki, _index_line(pki.leaf))
    result = cms_verify(
        _signed(pki),
        trust_anchors=[pki.root],
        policy=REQUIRED,  # openssl's thisUpdate is the wall clock: validate now
        ocsp_responses=[leaf_good, _good_for_inter(pki)],
    )
    check = _leaf_revocation(result.report.checks, pki)
    assert check.details["source"] == "ocsp" and "ocsp_responses[0]" in check.message
    with pytest.raises(VerificationFailed) as err:  # the same without the leaf's response: no revocation info
        cms_verify(_signed(pki), trust_anchors=[pki.root], policy=REQUIRED, ocsp_responses=[_good_for_inter(pki)])
    assert err.value.report.sub_indication is SubIndication.TRY_LATER


@needs_openssl
def test_openssl_delegated_responder_revoked_fails(pki: Pki, tmp_path: Path) -> None:
    responder = _responder(pki)
    _pem_files(tmp_path, pki, responder)
    revoked = _openssl_response(tmp_path, pki, _index_line(pki.leaf, "260101000000Z,keyCompromise"), delegated=True)
    assert ocsp.load_der_ocsp_response(revoked).certificate_status is ocsp.OCSPCertStatus.REVOKED
    with pytest.raises(VerificationFailed) as err:
        cms_verify(_signed(pki), trust_anchors=[pki.root], policy=REQUIRED, ocsp_responses=[revoked])
    assert err.value.report.sub_indication is SubIndication.REVOKED
    check = _leaf_revocation(err.value.report.checks, pki)
    assert check.details["source"] == "ocsp" and check.details["reason"] == "key_compromise"


def test_builder_revoked_wins_without_require_revocation(pki: Pki) -> None:
    revoked = _resp(pki.leaf, pki.intermediate, pki.intermediate, pki.intermediate_key, ocsp.OCSPCertStatus.REVOKED,
                    revoked_at=NOW - dt.timedelta(hours=1))  # fmt: skip
    loose = CmsPolicy(chain_policy=ChainPolicy.document_signing())
    assert cms_verify(_signed(pki), trust_anchors=[pki.root], at=NOW, policy=loose).report.ok
    with pytest.raises(VerificationFailed) as err:
        cms_verify(_signed(pki), trust_anchors=[pki.root], at=NOW, policy=loose, ocsp_responses=revoked)
    assert err.value.report.sub_indication is SubIndication.REVOKED


def test_wrong_responder_is_not_usable(pki: Pki) -> None:
    other = make_pki("p256", label="cms-ocsp-other")
    forged = _resp(pki.leaf, pki.intermediate, other.intermediate, other.intermediate_key)
    with pytest.raises(VerificationFailed) as err:
        _verify(pki, [forged, _good_for_inter(pki)])
    assert err.value.report.sub_indication is SubIndication.TRY_LATER
    assert "ocsp_responses[0]" in _leaf_revocation(err.value.report.checks, pki).message


def test_bad_ocsp_input_is_typed(pki: Pki) -> None:
    with pytest.raises(InputError) as err:
        _verify(pki, [b"\x30\x03\x0a\x01\x00junk"])
    assert err.value.field == "ocsp_responses[0]"
    with pytest.raises(InputError) as err:
        _verify(pki, "not bytes")
    assert err.value.field == "ocsp_responses"
    good = _resp(pki.leaf, pki.intermediate, pki.intermediate, pki.intermediate_key)
    with pytest.raises(InputError, match="trust_anchors"):  # a revocation source needs the chain check
        cms_verify(_signed(pki), trusted_signers=[pki.leaf], ocsp_responses=[good])


# --------------------------------------------------------------------------- CLI


def _files(tmp_path: Path, pki: Pki) -> dict[str, str]:
    out = {}
    for label, cert in {"root": pki.root, "ca": pki.intermediate}.items():
        (tmp_path / f"{label}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        out[label] = str(tmp_path / f"{label}.pem")
    (tmp_path / "sig.p7s").write_bytes(_signed(pki))
    out["cms"] = str(tmp_path / "sig.p7s")
    good = _resp(pki.leaf, pki.intermediate, pki.intermediate, pki.intermediate_key)
    revoked = _resp(pki.leaf, pki.intermediate, pki.intermediate, pki.intermediate_key, ocsp.OCSPCertStatus.REVOKED,
                    revoked_at=NOW.replace(year=NOW.year - 1))  # fmt: skip
    for label, der in {"leaf.ocsp": good, "revoked.ocsp": revoked, "ca.ocsp": _good_for_inter(pki)}.items():
        (tmp_path / label).write_bytes(der)
        out[label] = str(tmp_path / label)
    return out


def test_cli_cms_verify_ocsp(pki: Pki, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = _files(tmp_path, pki)
    base = ["cms", "verify", f["cms"], "--roots", f["root"], "--require-revocation", "--at", NOW.isoformat()]
    assert main(base) == 1  # revocation required and no source
    capsys.readouterr()
    assert main([*base, "--ocsp", f["leaf.ocsp"], f["ca.ocsp"], "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is True
    assert main([*base, "--ocsp", f["revoked.ocsp"], f["ca.ocsp"], "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["sub_indication"] == "REVOKED"
    assert main([*base, "--ocsp", f["root"]]) == 2  # a certificate is not an OCSP response: unusable input
    assert "ocsp" in capsys.readouterr().err.lower()
    assert main(["cms", "verify", f["cms"], "--signer", f["ca"], "--ocsp", f["leaf.ocsp"]]) == 2  # needs --roots
