"""CRL handling in validate_chain: revoked, not revoked, required but missing/stale/unverifiable."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from cryptokit.chain import ChainPolicy, validate_chain
from cryptokit.report import Indication, Outcome, SubIndication
from tests.pki import DAY, NOW, make_key, make_pki

REQUIRED = ChainPolicy.document_signing(require_revocation=True)


def _crl(
    issuer: x509.Certificate,
    key: Any,
    revoked: list[tuple[int, dt.datetime, x509.ReasonFlags | None]] = (),  # type: ignore[assignment]
    *,
    this_update: dt.datetime | None = None,
    next_update: dt.datetime | None = None,
) -> x509.CertificateRevocationList:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.subject)
        .last_update(this_update or NOW - DAY)
        .next_update(next_update or NOW + 7 * DAY)
        .add_extension(x509.CRLNumber(1), critical=False)  # RFC 5280 5.2.3: a usable CRL carries one
    )
    for serial, when, reason in revoked:
        entry = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when)
        if reason is not None:
            entry = entry.add_extension(x509.CRLReason(reason), critical=False)
        builder = builder.add_revoked_certificate(entry.build())
    return builder.sign(key, hashes.SHA256())


def _der(crl: x509.CertificateRevocationList) -> bytes:
    return crl.public_bytes(serialization.Encoding.DER)


def _pem(crl: x509.CertificateRevocationList) -> bytes:
    return crl.public_bytes(serialization.Encoding.PEM)


def test_revoked_leaf_with_date_and_reason_der_and_pem() -> None:
    pki = make_pki("p256")
    when = (NOW - 2 * DAY).replace(microsecond=0)
    crl = _crl(
        pki.intermediate, pki.intermediate_key, [(pki.leaf.serial_number, when, x509.ReasonFlags.key_compromise)]
    )
    for form in (_der(crl), _pem(crl), crl):
        report = validate_chain(pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], crls=[form], cache=None)
        assert (report.indication, report.sub_indication) == (Indication.TOTAL_FAILED, SubIndication.REVOKED)
        check = report.failures()[0]
        assert check.name == "revocation" and check.subject == pki.leaf.subject.rfc4514_string()
        assert check.details["revocation_date"] == when and check.details["reason"] == "key_compromise"
        assert "key_compromise" in check.message and when.isoformat() in check.message


def test_revoked_intermediate_by_root_crl() -> None:
    pki = make_pki("p256")
    root_crl = _crl(pki.root, pki.root_key, [(pki.intermediate.serial_number, NOW - DAY, None)])
    report = validate_chain(
        pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], crls=[_der(root_crl)], cache=None
    )
    assert report.sub_indication is SubIndication.REVOKED
    assert report.failures()[0].subject == pki.intermediate.subject.rfc4514_string()


def test_not_revoked_passes_with_revocation_required() -> None:
    pki = make_pki("p256")
    crls = [_der(_crl(pki.intermediate, pki.intermediate_key)), _der(_crl(pki.root, pki.root_key))]
    report = validate_chain(
        pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], crls=crls, policy=REQUIRED, cache=None
    )
    assert report.ok, report.failures()
    rev = [c for c in report.checks if c.name == "revocation"]
    assert len(rev) == 2 and all(c.outcome is Outcome.PASSED for c in rev)


def test_revoked_after_validation_time_is_not_revoked_then() -> None:
    pki = make_pki("p256")
    crl = _crl(pki.intermediate, pki.intermediate_key, [(pki.leaf.serial_number, NOW + DAY, None)])
    report = validate_chain(pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], crls=[crl], cache=None)
    assert report.ok, report.failures()


def test_required_but_missing_is_try_later() -> None:
    pki = make_pki("p256")
    only_root = [_der(_crl(pki.root, pki.root_key))]
    report = validate_chain(
        pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], crls=only_root, policy=REQUIRED, cache=None
    )
    assert (report.indication, report.sub_indication) == (Indication.INDETERMINATE, SubIndication.TRY_LATER)
    assert [c.subject for c in report.failures()] == [pki.leaf.subject.rfc4514_string()]
    # not required: the same input passes, the leaf's revocation check is "skipped", never a silent pass
    lenient = validate_chain(pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], crls=only_root, cache=None)
    assert lenient.ok
    leaf_rev = [c for c in lenient.checks if c.name == "revocation" and c.subject == pki.leaf.subject.rfc4514_string()]
    assert leaf_rev[0].outcome is Outcome.SKIPPED


def test_required_but_stale_or_not_yet_issued_is_try_later() -> None:
    pki = make_pki("p256")
    root_crl = _der(_crl(pki.root, pki.root_key))
    stale = _crl(pki.intermediate, pki.intermediate_key, this_update=NOW - 10 * DAY, next_update=NOW - 3 * DAY)
    future = _crl(pki.intermediate, pki.intermediate_key, this_update=NOW + DAY, next_update=NOW + 9 * DAY)
    for crl, word in ((stale, "stale"), (future, "after the validation time")):
        report = validate_chain(
            pki.leaf,
            intermediates=pki.chain,
            trust_anchors=[pki.root],
            crls=[root_crl, _der(crl)],
            policy=REQUIRED,
            cache=None,
        )
        assert report.sub_indication is SubIndication.TRY_LATER
        assert word in report.failures()[0].message


def test_crl_signed_by_wrong_key_is_ignored() -> None:
    pki = make_pki("p256")
    forged = _crl(pki.intermediate, make_key("p256", "crl-forger"), [(pki.leaf.serial_number, NOW - DAY, None)])
    report = validate_chain(pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], crls=[forged], cache=None)
    assert report.ok  # a forged CRL cannot revoke
    required = validate_chain(
        pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], crls=[forged], policy=REQUIRED, cache=None
    )
    assert required.sub_indication is SubIndication.TRY_LATER
    assert "signature" in required.failures()[0].message


def test_certificate_hold_is_try_later() -> None:
    pki = make_pki("p256")
    crl = _crl(
        pki.intermediate, pki.intermediate_key, [(pki.leaf.serial_number, NOW - DAY, x509.ReasonFlags.certificate_hold)]
    )
    report = validate_chain(pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], crls=[crl], cache=None)
    assert (report.indication, report.sub_indication) == (Indication.INDETERMINATE, SubIndication.TRY_LATER)


def test_pem_bundle_of_two_crls() -> None:
    pki = make_pki("p256")
    bundle = _pem(_crl(pki.root, pki.root_key)) + _pem(
        _crl(pki.intermediate, pki.intermediate_key, [(pki.leaf.serial_number, NOW - DAY, None)])
    )
    report = validate_chain(
        pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], crls=bundle, policy=REQUIRED, cache=None
    )
    assert report.sub_indication is SubIndication.REVOKED
