"""OCSP responses as a second revocation source in validate_chain (RFC 6960), against responses made
by ``openssl ocsp`` (index file; CA-signed and delegated responder) and by cryptography's builder."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID

import cryptokit.chain.ocsp as ocsp_mod
import cryptokit.chain.validate as validate_mod
from cryptokit.chain import ChainPolicy, validate_chain
from cryptokit.errors import InputError
from cryptokit.report import Indication, Outcome, SubIndication
from tests.pki import DAY, NOW, Pki, make_cert, make_key, make_pki

REQUIRED = ChainPolicy.document_signing(require_revocation=True)
OPENSSL = shutil.which("openssl")
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="openssl command not installed")


def _responder(pki: Pki, *, nocheck: bool = True, eku: bool = True, issuer: str = "inter", label: str = "") -> Any:
    key = make_key("p256", "ocsp-responder" + label)
    signer, signer_key = (pki.intermediate, pki.intermediate_key) if issuer == "inter" else (pki.root, pki.root_key)
    cert = make_cert(
        f"OCSP Responder{label}",
        key,
        signer,
        signer_key,
        eku=[ExtendedKeyUsageOID.OCSP_SIGNING] if eku else [ExtendedKeyUsageOID.CODE_SIGNING],
        extra_extensions=[(x509.OCSPNoCheck(), False)] if nocheck else None,
    )
    return cert, key


def _resp(
    cert: x509.Certificate,
    issuer: x509.Certificate,
    signer: x509.Certificate,
    signer_key: Any,
    status: ocsp.OCSPCertStatus = ocsp.OCSPCertStatus.GOOD,
    *,
    this_update: dt.datetime | None = None,
    next_update: dt.datetime | None = None,
    revoked_at: dt.datetime | None = None,
    reason: x509.ReasonFlags | None = None,
    cert_id_hash: hashes.HashAlgorithm | None = None,
    certs: list[x509.Certificate] | None = None,
    sign_hash: hashes.HashAlgorithm | None = None,
) -> bytes:
    builder = ocsp.OCSPResponseBuilder().add_response(
        cert=cert,
        issuer=issuer,
        algorithm=cert_id_hash or hashes.SHA1(),
        cert_status=status,
        this_update=this_update or NOW - DAY,
        next_update=next_update or NOW + DAY,
        revocation_time=revoked_at,
        revocation_reason=reason,
    )
    builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, signer)
    if certs:
        builder = builder.certificates(certs)
    resp = builder.sign(signer_key, sign_hash or hashes.SHA256())
    return resp.public_bytes(serialization.Encoding.DER)


def _validate(pki: Pki, responses: list[Any], policy: ChainPolicy = REQUIRED, **kw: Any) -> Any:
    kw.setdefault("at", NOW)  # the responses' times are relative to NOW, however long the session ran
    return validate_chain(
        pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], policy=policy, ocsp_responses=responses,
        cache=None, **kw,
    )  # fmt: skip


def _leaf_revocation(report: Any, pki: Pki) -> Any:
    subject = pki.leaf.subject.rfc4514_string()
    return next(c for c in report.checks if c.name == "revocation" and c.subject == subject)


def _good_for_inter(pki: Pki) -> bytes:
    return _resp(pki.intermediate, pki.root, pki.root, pki.root_key)


# --------------------------------------------------------------------------- openssl ocsp


def _pem_files(tmp: Path, pki: Pki, responder: Any = None) -> None:
    (tmp / "ca.pem").write_bytes(pki.intermediate.public_bytes(serialization.Encoding.PEM))
    key = pki.intermediate_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (tmp / "ca.key").write_bytes(key)
    (tmp / "leaf.pem").write_bytes(pki.leaf.public_bytes(serialization.Encoding.PEM))
    if responder is not None:
        cert, rkey = responder
        (tmp / "r.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        raw = rkey.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        (tmp / "r.key").write_bytes(raw)


def _index_line(cert: x509.Certificate, revoked: str | None = None) -> str:
    serial = f"{cert.serial_number:X}"
    if len(serial) % 2:
        serial = "0" + serial
    expiry = cert.not_valid_after_utc.strftime("%y%m%d%H%M%SZ")
    if revoked is None:
        return f"V\t{expiry}\t\t{serial}\tunknown\t/CN=leaf\n"
    return f"R\t{expiry}\t{revoked}\t{serial}\tunknown\t/CN=leaf\n"


def _openssl_response(
    tmp: Path, pki: Pki, index: str, *, delegated: bool = False, sha256: bool = False, sign_digest: str = "sha256"
) -> bytes:
    assert OPENSSL is not None
    (tmp / "index.txt").write_text(index)
    req = [OPENSSL, "ocsp", "-issuer", str(tmp / "ca.pem"), "-cert", str(tmp / "leaf.pem"), "-no_nonce"]
    req += ["-reqout", str(tmp / "req.der")]
    if sha256:
        req.insert(2, "-sha256")
    subprocess.run(req, check=True, capture_output=True)
    signer = ["-rsigner", str(tmp / "r.pem"), "-rkey", str(tmp / "r.key")] if delegated else [
        "-rsigner", str(tmp / "ca.pem"), "-rkey", str(tmp / "ca.key")]  # fmt: skip
    cmd = [OPENSSL, "ocsp", "-index", str(tmp / "index.txt"), "-CA", str(tmp / "ca.pem"), *signer]
    cmd += ["-reqin", str(tmp / "req.der"), "-respout", str(tmp / "resp.der"), "-ndays", "1", "-rmd", sign_digest]
    subprocess.run(cmd, check=True, capture_output=True)
    return (tmp / "resp.der").read_bytes()


@needs_openssl
@pytest.mark.parametrize("sha256", [False, True], ids=["sha1-certid", "sha256-certid"])
def test_openssl_ca_signed_good_satisfies_require_revocation(tmp_path: Path, sha256: bool) -> None:
    pki = make_pki("p256", label="ossl-good")
    _pem_files(tmp_path, pki)
    der = _openssl_response(tmp_path, pki, _index_line(pki.leaf), sha256=sha256)
    assert ocsp.load_der_ocsp_response(der).hash_algorithm.name == ("sha256" if sha256 else "sha1")
    now = dt.datetime.now(dt.UTC)
    report = _validate(pki, [der, _good_for_inter(pki)], at=now)
    assert report.ok, report.failures()
    check = _leaf_revocation(report, pki)
    assert check.details["source"] == "ocsp" and "ocsp_responses[0]" in check.message
    # without the response the same policy fails for want of revocation information
    bare = _validate(pki, [_good_for_inter(pki)], at=now)
    assert not bare.ok and _leaf_revocation(bare, pki).sub_indication is SubIndication.TRY_LATER


@needs_openssl
def test_openssl_delegated_responder_revoked_with_reason(tmp_path: Path) -> None:
    pki = make_pki("p256", label="ossl-del")
    responder = _responder(pki)
    _pem_files(tmp_path, pki, responder)
    when = (NOW - 2 * DAY).replace(microsecond=0)
    line = _index_line(pki.leaf, when.strftime("%y%m%d%H%M%SZ") + ",keyCompromise")
    der = _openssl_response(tmp_path, pki, line, delegated=True)
    assert ocsp.load_der_ocsp_response(der).certificates == [responder[0]]
    report = _validate(pki, [der, _good_for_inter(pki)], at=dt.datetime.now(dt.UTC))
    assert (report.indication, report.sub_indication) == (Indication.TOTAL_FAILED, SubIndication.REVOKED)
    check = _leaf_revocation(report, pki)
    assert check.details["source"] == "ocsp" and check.details["reason"] == "key_compromise"
    assert check.details["revocation_date"] == when and when.isoformat() in check.message
    # the same delegated responder answering "good"
    good = _openssl_response(tmp_path, pki, _index_line(pki.leaf), delegated=True)
    assert _validate(pki, [good, _good_for_inter(pki)], at=dt.datetime.now(dt.UTC)).ok


@needs_openssl
def test_openssl_unknown_is_not_usable(tmp_path: Path) -> None:
    pki = make_pki("p256", label="ossl-unknown")
    _pem_files(tmp_path, pki)
    other = make_pki("p256", label="ossl-other").leaf
    der = _openssl_response(tmp_path, pki, _index_line(other))  # the leaf's serial is not in the index
    assert ocsp.load_der_ocsp_response(der).certificate_status is ocsp.OCSPCertStatus.UNKNOWN
    report = _validate(pki, [der, _good_for_inter(pki)], at=dt.datetime.now(dt.UTC))
    check = _leaf_revocation(report, pki)
    assert check.sub_indication is SubIndication.TRY_LATER and "status is unknown" in check.message
    skipped = _validate(pki, [der, _good_for_inter(pki)], policy=ChainPolicy.document_signing())
    assert skipped.ok and _leaf_revocation(skipped, pki).outcome is Outcome.SKIPPED


# --------------------------------------------------------------------------- cryptography's builder


def _usable_problem(pki: Pki, leaf_resp: bytes) -> str:
    report = _validate(pki, [leaf_resp, _good_for_inter(pki)])
    check = _leaf_revocation(report, pki)
    assert check.outcome is Outcome.FAILED and check.sub_indication is SubIndication.TRY_LATER, check
    return str(check.message)


def test_builder_good_with_ca_key_and_sha256_certid() -> None:
    pki = make_pki("p256", label="b-good")
    der = _resp(pki.leaf, pki.intermediate, pki.intermediate, pki.intermediate_key, cert_id_hash=hashes.SHA256())
    report = _validate(pki, [der, _good_for_inter(pki)])
    assert report.ok and _leaf_revocation(report, pki).details["source"] == "ocsp"
    loaded = [ocsp.load_der_ocsp_response(der), ocsp.load_der_ocsp_response(_good_for_inter(pki))]
    assert _validate(pki, loaded).ok  # loaded objects work as DER does


def test_wrong_responder_refused() -> None:
    pki = make_pki("p256", label="b-wrong")
    stranger = make_pki("p256", label="b-stranger")
    # signed by another CA's key, naming that CA as responder
    der = _resp(pki.leaf, pki.intermediate, stranger.intermediate, stranger.intermediate_key)
    assert "neither the issuing CA nor a delegated responder" in _usable_problem(pki, der)
    # a delegated responder certificate issued by the root, not by the leaf's issuer
    rogue, rogue_key = _responder(pki, issuer="root", label="root")
    der = _resp(pki.leaf, pki.intermediate, rogue, rogue_key, certs=[rogue])
    assert "not issued by the certificate's issuer" in _usable_problem(pki, der)
    # a responder issued by the CA but without id-kp-OCSPSigning
    plain, plain_key = _responder(pki, eku=False, label="noeku")
    der = _resp(pki.leaf, pki.intermediate, plain, plain_key, certs=[plain])
    assert "id-kp-OCSPSigning" in _usable_problem(pki, der)


def test_forged_signature_refused() -> None:
    pki = make_pki("p256", label="b-forged")
    der = _resp(pki.leaf, pki.intermediate, pki.intermediate, pki.intermediate_key)
    # no certificates: the signature BIT STRING ends the DER; change its last octet
    forged = der[:-1] + bytes([der[-1] ^ 0x01])
    assert ocsp.load_der_ocsp_response(forged).signature != ocsp.load_der_ocsp_response(der).signature
    assert "signature does not verify" in _usable_problem(pki, forged)


def test_wrong_certid_refused() -> None:
    pki = make_pki("p256", label="b-certid")
    stranger = make_pki("p256", label="b-certid-other")
    # CertID computed with another issuer's name and key, same serial, signed by the right CA
    der = _resp(pki.leaf, stranger.intermediate, pki.intermediate, pki.intermediate_key)
    assert "CertID" in _usable_problem(pki, der)
    # the issuer's name but another key (issuerKeyHash differs, issuerNameHash matches)
    twin_key = make_key("p256", "certid-twin")
    twin = make_cert(pki.intermediate.subject, twin_key, pki.root, pki.root_key, ca=True)
    der = _resp(pki.leaf, twin, pki.intermediate, pki.intermediate_key, cert_id_hash=hashes.SHA256())
    assert "CertID" in _usable_problem(pki, der)
    # another serial: no answer for this certificate at all
    der = _resp(stranger.leaf, pki.intermediate, pki.intermediate, pki.intermediate_key)
    assert "no OCSP response for this certificate's serial number" in _usable_problem(pki, der)


def test_stale_and_future_refused_with_tolerance() -> None:
    pki = make_pki("p256", label="b-time")
    tol = ocsp_mod.OCSP_TOLERANCE
    stale = _resp(pki.leaf, pki.intermediate, pki.intermediate, pki.intermediate_key,
                  this_update=NOW - 3 * DAY, next_update=NOW - tol - dt.timedelta(seconds=2))  # fmt: skip
    assert "stale" in _usable_problem(pki, stale)
    future = _resp(pki.leaf, pki.intermediate, pki.intermediate, pki.intermediate_key,
                   this_update=NOW + tol + dt.timedelta(seconds=2), next_update=NOW + DAY)  # fmt: skip
    assert "after the validation time" in _usable_problem(pki, future)
    # inside the tolerance on both sides: usable
    edge = _resp(pki.leaf, pki.intermediate, pki.intermediate, pki.intermediate_key,
                 this_update=NOW + tol - dt.timedelta(seconds=2), next_update=NOW + tol)  # fmt: skip
    assert _validate(pki, [edge, _good_for_inter(pki)], at=NOW).ok
    late = _resp(pki.leaf, pki.intermediate, pki.intermediate, pki.intermediate_key,
                 this_update=NOW - DAY, next_update=NOW - tol + dt.timedelta(seconds=2))  # fmt: skip
    assert _validate(pki, [late, _good_for_inter(pki)], at=NOW).ok


def test_unknown_status_not_usable() -> None:
    pki = make_pki("p256", label="b-unknown")
    der = _resp(pki.leaf, pki.intermediate, pki.intermediate, pki.intermediate_key, ocsp.OCSPCertStatus.UNKNOWN)
    assert "unknown" in _usable_problem(pki, der)


def test_revoked_with_reason_and_hold() -> None:
    pki = make_pki("p256", label="b-revoked")
    when = (NOW - 2 * DAY).replace(microsecond=0)
    der = _resp(pki.leaf, pki.intermediate, pki.intermediate, pki.intermediate_key, ocsp.OCSPCertStatus.REVOKED,
                revoked_at=when, reason=x509.ReasonFlags.affiliation_changed)  # fmt: skip
    report = _validate(pki, [der, _good_for_inter(pki)], policy=ChainPolicy.document_signing())
    assert report.sub_indication is SubIndication.REVOKED
    check = _leaf_revocation(report, pki)
    assert check.details["reason"] == "affiliation_changed" and check.details["revocation_date"] == when
    hold = _resp(pki.leaf, pki.intermediate, pki.intermediate, pki.intermediate_key, ocsp.OCSPCertStatus.REVOKED,
                 revoked_at=when, reason=x509.ReasonFlags.certificate_hold)  # fmt: skip
    held = _validate(pki, [hold, _good_for_inter(pki)])
    assert held.sub_indication is SubIndication.TRY_LATER and "on hold" in _leaf_revocation(held, pki).message


def test_revoked_after_validation_time_counts_as_good() -> None:
    pki = make_pki("p256", label="b-later")
    later = (NOW + dt.timedelta(hours=2)).replace(microsecond=0)
    der = _resp(pki.leaf, pki.intermediate, pki.intermediate, pki.intermediate_key, ocsp.OCSPCertStatus.REVOKED,
                this_update=NOW - DAY, next_update=NOW + 2 * DAY, revoked_at=later,
                reason=x509.ReasonFlags.superseded)  # fmt: skip
    assert _validate(pki, [der, _good_for_inter(pki)], at=NOW).ok
    after = _validate(pki, [der, _good_for_inter(pki)], at=later + dt.timedelta(hours=1))
    assert after.sub_indication is SubIndication.REVOKED


def test_responder_without_nocheck() -> None:
    pki = make_pki("p256", label="b-nocheck")
    responder, rkey = _responder(pki, nocheck=False, label="checked")
    good = _resp(pki.leaf, pki.intermediate, responder, rkey, certs=[responder])
    problem = _usable_problem(pki, good)
    assert "no id-pkix-ocsp-nocheck" in problem and "no usable CRL" in problem
    # its revocation is checked like any certificate's: with a CRL of the CA that does not list it,
    # the responder's "revoked" answer about the leaf decides
    revoked = _resp(pki.leaf, pki.intermediate, responder, rkey, ocsp.OCSPCertStatus.REVOKED,
                    revoked_at=NOW - DAY, reason=x509.ReasonFlags.key_compromise, certs=[responder])  # fmt: skip
    report = _validate(pki, [revoked, _good_for_inter(pki)], crls=[_crl(pki, [])])
    assert report.sub_indication is SubIndication.REVOKED and _leaf_revocation(report, pki).details["source"] == "ocsp"
    # with a CRL that lists the responder, its answer is refused (the CRL, which does not list the
    # leaf, decides)
    listed = _crl(pki, [responder.serial_number])
    report = _validate(pki, [revoked, _good_for_inter(pki)], crls=[listed])
    assert report.ok and _leaf_revocation(report, pki).details["source"] == "crl"


def _crl(pki: Pki, serials: list[int]) -> x509.CertificateRevocationList:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(pki.intermediate.subject)
        .last_update(NOW - DAY)
        .next_update(NOW + 7 * DAY)
        .add_extension(x509.CRLNumber(1), critical=False)
    )
    for serial in serials:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(NOW - 2 * DAY).build()
        )
    return builder.sign(pki.intermediate_key, hashes.SHA256())


def test_either_source_and_revoked_wins() -> None:
    pki = make_pki("p256", label="b-both")
    good = _resp(pki.leaf, pki.intermediate, pki.intermediate, pki.intermediate_key)
    revoked = _resp(pki.leaf, pki.intermediate, pki.intermediate, pki.intermediate_key, ocsp.OCSPCertStatus.REVOKED,
                    revoked_at=NOW - DAY, reason=x509.ReasonFlags.key_compromise)  # fmt: skip
    crl_good, crl_revoked = _crl(pki, []), _crl(pki, [pki.leaf.serial_number])
    inter = _good_for_inter(pki)
    # a CRL alone satisfies require_revocation for the leaf, an OCSP response for the intermediate
    report = _validate(pki, [inter], crls=[crl_good])
    assert report.ok and _leaf_revocation(report, pki).details["source"] == "crl"
    # the CRL says revoked, OCSP says good: revoked, decided by the CRL
    report = _validate(pki, [good, inter], crls=[crl_revoked])
    assert report.sub_indication is SubIndication.REVOKED and _leaf_revocation(report, pki).details["source"] == "crl"
    # OCSP says revoked, the CRL says good: revoked, decided by OCSP
    report = _validate(pki, [revoked, inter], crls=[crl_good])
    check = _leaf_revocation(report, pki)
    assert report.sub_indication is SubIndication.REVOKED and check.details["source"] == "ocsp"
    # two OCSP answers, good and revoked: revoked
    assert _validate(pki, [good, revoked, inter]).sub_indication is SubIndication.REVOKED


def test_signature_algorithm_policy() -> None:
    pki = make_pki("p256", label="b-alg")
    der = _resp(pki.leaf, pki.intermediate, pki.intermediate, pki.intermediate_key, sign_hash=hashes.SHA384())
    assert _validate(pki, [der, _good_for_inter(pki)]).ok
    only_sha256 = ChainPolicy.document_signing(
        require_revocation=True, signature_algorithms=frozenset({"1.2.840.10045.4.3.2"})
    )
    report = _validate(pki, [der, _good_for_inter(pki)], policy=only_sha256)
    assert "signature algorithm refused" in _leaf_revocation(report, pki).message


@needs_openssl
def test_openssl_sha1_signed_response_refused_by_date(tmp_path: Path) -> None:
    """SHA-1 signatures are acceptable only before the policy's SHA-1 cut-off (2009)."""
    pki = make_pki("p256", label="ossl-sha1")
    _pem_files(tmp_path, pki)
    der = _openssl_response(tmp_path, pki, _index_line(pki.leaf), sign_digest="sha1")
    assert ocsp.load_der_ocsp_response(der).signature_hash_algorithm.name == "sha1"
    report = _validate(pki, [der, _good_for_inter(pki)], at=dt.datetime.now(dt.UTC))
    check = _leaf_revocation(report, pki)
    assert "signature algorithm refused" in check.message and "sha1" in check.message.lower()


def test_parsed_and_verified_once_per_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two candidate paths (the CA cross-certified by two expired roots) meet the same response:
    one parse, one signature check."""
    pki = make_pki("p256", label="b-memo")
    old = NOW - 400 * DAY
    roots, inters = [], []
    for i in range(2):
        rkey = make_key("p256", f"memo-root{i}")
        root = make_cert(f"Memo Root {i}", rkey, ca=True, not_before=old, not_after=NOW - DAY)
        roots.append(root)
        inters.append(make_cert(pki.intermediate.subject, pki.intermediate_key, root, rkey, ca=True, path_length=0))
    der = _resp(pki.leaf, pki.intermediate, pki.intermediate, pki.intermediate_key)
    calls = {"verify": 0, "facts": 0, "evaluate": 0}
    real_verify, real_facts, real_eval = ocsp_mod._verify_response, ocsp_mod._facts, validate_mod._Run.evaluate

    def verify(*a: Any) -> Any:
        calls["verify"] += 1
        return real_verify(*a)

    def facts(*a: Any) -> Any:
        calls["facts"] += 1
        return real_facts(*a)

    def evaluate(self: Any, path: Any) -> Any:
        calls["evaluate"] += 1
        return real_eval(self, path)

    monkeypatch.setattr(ocsp_mod, "_verify_response", verify)
    monkeypatch.setattr(ocsp_mod, "_facts", facts)
    monkeypatch.setattr(validate_mod._Run, "evaluate", evaluate)
    report = validate_chain(pki.leaf, intermediates=inters, trust_anchors=roots, ocsp_responses=[der], cache=None)
    assert not report.ok and calls["evaluate"] == 2
    assert calls == {"verify": 1, "facts": 1, "evaluate": 2}


def test_cache_keys_on_responses() -> None:
    from cryptokit.chain import ChainCache

    pki = make_pki("p256", label="b-cache")
    cache: Any = ChainCache()
    good = _resp(pki.leaf, pki.intermediate, pki.intermediate, pki.intermediate_key)
    revoked = _resp(pki.leaf, pki.intermediate, pki.intermediate, pki.intermediate_key, ocsp.OCSPCertStatus.REVOKED,
                    revoked_at=NOW - DAY)  # fmt: skip
    args: dict[str, Any] = {"intermediates": pki.chain, "trust_anchors": [pki.root], "at": NOW, "cache": cache}
    assert validate_chain(pki.leaf, ocsp_responses=[good], **args).ok
    assert validate_chain(pki.leaf, ocsp_responses=[revoked], **args).sub_indication is SubIndication.REVOKED


def test_bad_input_is_typed() -> None:
    pki = make_pki("p256", label="b-input")
    with pytest.raises(InputError, match=r"ocsp_responses\[0\]"):
        _validate(pki, [b"\x30\x03\x02\x01\x00garbage"])
    with pytest.raises(InputError, match="ocsp_responses"):
        _validate(pki, "not a response")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="more than"):
        _validate(pki, [b"x"] * (ocsp_mod.MAX_OCSP_RESPONSES + 1))
    with pytest.raises(InputError, match="over the limit"):
        _validate(pki, [b"\x30" * (ocsp_mod.MAX_OCSP_RESPONSE_SIZE + 1)])
    # a non-successful response loads and is reported as not usable
    unauthorized = ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED)
    der = unauthorized.public_bytes(serialization.Encoding.DER)
    assert "UNAUTHORIZED" in _usable_problem(pki, der)


def test_cli_chain_validate_ocsp(tmp_path: Path) -> None:
    from cryptokit.cli.main import main

    pki = make_pki("p256", label="b-cli")
    files = {"leaf": pki.leaf, "ca": pki.intermediate, "root": pki.root}
    for label, cert in files.items():
        (tmp_path / f"{label}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "leaf.ocsp").write_bytes(_resp(pki.leaf, pki.intermediate, pki.intermediate, pki.intermediate_key))
    (tmp_path / "ca.ocsp").write_bytes(_good_for_inter(pki))
    args = ["chain", "validate", str(tmp_path / "leaf.pem"), "--intermediates", str(tmp_path / "ca.pem"),
            "--roots", str(tmp_path / "root.pem"), "--require-revocation", "--at", NOW.isoformat()]  # fmt: skip
    assert main(args) == 1
    assert main([*args, "--ocsp", str(tmp_path / "leaf.ocsp"), str(tmp_path / "ca.ocsp")]) == 0
