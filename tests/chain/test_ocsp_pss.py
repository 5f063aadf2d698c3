"""RSASSA-PSS signed OCSP responses (RFC 6960 with RFC 4055 parameters): made by ``openssl ocsp
-rsigopt rsa_padding_mode:pss`` and verified with the RSASSA-PSS-params of their signatureAlgorithm;
responses whose parameters were altered afterwards (salt length, hash, MGF1 hash, trailer field,
absent or extra elements) fail closed with the field named."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import algos as a_algos
from asn1crypto import core as a_core
from asn1crypto import ocsp as a_ocsp
from cryptography import x509
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID

from cryptokit.chain import ChainPolicy
from cryptokit.chain.ocsp import response_pss_params
from cryptokit.errors import InputError
from cryptokit.report import Outcome, SubIndication
from cryptokit.signatures.pss_params import encode_pss_params
from tests.chain.test_ocsp import (
    OPENSSL,
    _good_for_inter,
    _index_line,
    _leaf_revocation,
    _pem_files,
    _validate,
    needs_openssl,
)
from tests.pki import Pki, make_cert, make_key, make_pki

pytestmark = needs_openssl
_PSS_OID = b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0a"


def _pss_response(tmp: Path, pki: Pki, digest: str, saltlen: str, *, delegated: bool = False) -> bytes:
    assert OPENSSL is not None
    (tmp / "index.txt").write_text(_index_line(pki.leaf))
    req = [OPENSSL, "ocsp", "-issuer", str(tmp / "ca.pem"), "-cert", str(tmp / "leaf.pem"), "-no_nonce"]
    subprocess.run([*req, "-reqout", str(tmp / "req.der")], check=True, capture_output=True)
    who = "r" if delegated else "ca"
    cmd = [OPENSSL, "ocsp", "-index", str(tmp / "index.txt"), "-CA", str(tmp / "ca.pem")]
    cmd += ["-rsigner", str(tmp / f"{who}.pem"), "-rkey", str(tmp / f"{who}.key"), "-reqin", str(tmp / "req.der")]
    cmd += ["-respout", str(tmp / "resp.der"), "-ndays", "1", "-rmd", digest]
    cmd += ["-rsigopt", "rsa_padding_mode:pss", "-rsigopt", f"rsa_pss_saltlen:{saltlen}"]
    subprocess.run(cmd, check=True, capture_output=True)
    return (tmp / "resp.der").read_bytes()


def _with_algorithm(der: bytes, algorithm_der: bytes, *, check: bool = True) -> bytes:
    """``der`` with the BasicOCSPResponse's signatureAlgorithm replaced (tbsResponseData and the
    signature bytes unchanged)."""
    outer = a_ocsp.OCSPResponse.load(der)
    basic = outer["response_bytes"]["response"].parsed
    basic["signature_algorithm"] = a_algos.SignedDigestAlgorithm.load(algorithm_der)
    rebuilt = a_ocsp.OCSPResponse(
        {"response_status": "successful", "response_bytes": {"response_type": "basic_ocsp_response", "response": basic}}
    )
    out = bytes(rebuilt.dump())
    if not check:
        return out
    original = ocsp.load_der_ocsp_response(der)
    changed = ocsp.load_der_ocsp_response(out)
    assert changed.tbs_response_bytes == original.tbs_response_bytes and changed.signature == original.signature
    return out


def _alg(params_der: bytes | None) -> bytes:
    body = _PSS_OID + (params_der or b"")
    return a_core.Sequence.load(b"\x30" + bytes([len(body)]) + body).dump()


def _pss(hash_name: str, salt: int, mgf: str | None = None) -> bytes:
    return _alg(encode_pss_params(hash_name, salt_length=salt, mgf_hash=mgf or hash_name))


def _now_validate(pki: Pki, der: bytes, **kw: Any) -> Any:
    return _validate(pki, [der, _good_for_inter(pki)], at=dt.datetime.now(dt.UTC), **kw)


@pytest.mark.parametrize(
    ("digest", "saltlen", "salt"),
    [("sha256", "32", 32), ("sha384", "digest", 48), ("sha512", "20", 20), ("sha256", "max", 222)],
)
def test_openssl_pss_signed_response_accepted(tmp_path: Path, digest: str, saltlen: str, salt: int) -> None:
    pki = make_pki("rsa2048", label="ocsp-pss")
    _pem_files(tmp_path, pki)
    der = _pss_response(tmp_path, pki, digest, saltlen)
    params = response_pss_params(ocsp.load_der_ocsp_response(der))
    assert (params.hash.name, params.mgf_hash.name, params.salt_length) == (digest, digest, salt)
    report = _now_validate(pki, der)
    assert report.ok, report.failures()
    check = _leaf_revocation(report, pki)
    assert check.details["source"] == "ocsp" and "ocsp_responses[0]" in check.message


def test_openssl_pss_delegated_responder(tmp_path: Path) -> None:
    pki = make_pki("rsa2048", label="ocsp-pss-del")
    key = make_key("rsa2048", "ocsp-pss-responder")
    cert = make_cert(
        "OCSP PSS Responder", key, pki.intermediate, pki.intermediate_key, eku=[ExtendedKeyUsageOID.OCSP_SIGNING],
        extra_extensions=[(x509.OCSPNoCheck(), False)],
    )  # fmt: skip
    _pem_files(tmp_path, pki, (cert, key))
    der = _pss_response(tmp_path, pki, "sha256", "32", delegated=True)
    assert ocsp.load_der_ocsp_response(der).certificates == [cert]
    assert _now_validate(pki, der).ok


def _refusal(pki: Pki, der: bytes) -> str:
    report = _now_validate(pki, der)
    check = _leaf_revocation(report, pki)
    assert not report.ok and check.outcome is Outcome.FAILED and check.sub_indication is SubIndication.TRY_LATER
    return str(check.message)


def test_altered_parameters_fail_closed(tmp_path: Path) -> None:
    pki = make_pki("rsa2048", label="ocsp-pss-bad")
    _pem_files(tmp_path, pki)
    der = _pss_response(tmp_path, pki, "sha256", "32")
    assert _now_validate(pki, der).ok  # the unaltered response is accepted
    # wrong salt length and another (consistent) hash: the signature no longer verifies
    for alg in (_pss("sha256", 20), _pss("sha256", 0), _pss("sha384", 32), _pss("sha512", 32)):
        assert "signature does not verify" in _refusal(pki, _with_algorithm(der, alg))
    # MGF1 hash differing from the message hash (either way round): refused before any verification
    for alg in (_pss("sha256", 32, "sha1"), _pss("sha256", 32, "sha384")):
        message = _refusal(pki, _with_algorithm(der, alg))
        assert "signatureAlgorithm.parameters.maskGenAlgorithm" in message and "differs from hashAlgorithm" in message
    # absent parameters (RFC 4055 requires them), trailer field 2, an element that is no field
    params = encode_pss_params("sha256", salt_length=32)
    trailer2 = params[:1] + bytes([params[1] + 5]) + params[2:] + b"\xa3\x03\x02\x01\x02"
    cases = {None: "requires RSASSA-PSS-params", trailer2: "trailerField must be 1"}
    for raw, rule in cases.items():
        message = _refusal(pki, _with_algorithm(der, _alg(raw)))
        assert "signatureAlgorithm" in message and rule in message, message
    # an element that is no field: cryptography refuses the response as it loads, a typed error
    stray = params[:1] + bytes([params[1] + 3]) + params[2:] + b"\x02\x01\x05"
    with pytest.raises(InputError) as info:
        _now_validate(pki, _with_algorithm(der, _alg(stray), check=False))
    assert info.value.field == "ocsp_responses[0]"


def test_response_pss_params_typed_errors(tmp_path: Path) -> None:
    pki = make_pki("rsa2048", label="ocsp-pss-typed")
    _pem_files(tmp_path, pki)
    der = _pss_response(tmp_path, pki, "sha256", "32")
    bad = ocsp.load_der_ocsp_response(_with_algorithm(der, _pss("sha256", 32, "sha1")))
    with pytest.raises(InputError) as info:
        response_pss_params(bad)
    assert info.value.field == "signatureAlgorithm.parameters.maskGenAlgorithm"
    params: dict[str, Any] = {"hash_algorithm": {"algorithm": "sha256"}, "salt_length": 2000}
    params["mask_gen_algorithm"] = {"algorithm": "mgf1", "parameters": {"algorithm": "sha256"}}
    salt = ocsp.load_der_ocsp_response(_with_algorithm(der, _alg(a_algos.RSASSAPSSParams(params).dump())))
    with pytest.raises(InputError, match="saltLength must be from 0 to 1024") as info:
        response_pss_params(salt)
    assert info.value.field == "signatureAlgorithm.parameters"


def test_policy_algorithm_list_and_sha1_date(tmp_path: Path) -> None:
    pki = make_pki("rsa2048", label="ocsp-pss-policy")
    _pem_files(tmp_path, pki)
    der = _pss_response(tmp_path, pki, "sha256", "32")
    no_pss = ChainPolicy.document_signing(
        require_revocation=True, signature_algorithms=frozenset({"1.2.840.113549.1.1.11"})
    )
    assert "signature algorithm refused" in _refusal_with(pki, der, no_pss)
    sha1 = _with_algorithm(der, _pss("sha1", 20))  # the policy's hash-by-date rule reads the PSS hash
    message = _refusal(pki, sha1)
    assert "signature algorithm refused" in message and "sha1" in message.lower()


def _refusal_with(pki: Pki, der: bytes, policy: ChainPolicy) -> str:
    report = _now_validate(pki, der, policy=policy)
    assert not report.ok
    return str(_leaf_revocation(report, pki).message)
