"""RFC 5280 6.3.3 beyond one complete CRL per issuer: delta CRLs merged with their base, indirect CRLs
reached through a distribution point's cRLIssuer, and reasons combined across onlySomeReasons CRLs.
NIST PKITS 4.14 and 4.15 run the same rules on NIST's data; these tests add the fail-closed cases
(a delta CRL from another key, a stale delta, an entry of another issuer in an indirect CRL)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from cryptokit.chain import ChainPolicy, validate_chain
from cryptokit.chain.revocation import ALL_REASONS
from cryptokit.report import SubIndication
from cryptokit.testing import make_cert, make_key, name

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
DAY = dt.timedelta(days=1)
REQUIRED = ChainPolicy.rfc5280(require_revocation=True)
RK, IK, XK, LK = (make_key("p256", f"crl17-{n}") for n in ("root", "inter", "crlissuer", "leaf"))
ROOT = make_cert(name("CRL17 Root"), RK, ca=True)
INTER = make_cert(name("CRL17 CA"), IK, ROOT, RK, ca=True)
#: an indirect CRL issuer: certified by the root, signs CRLs only
XISSUER = make_cert(
    name("CRL17 CRL Issuer"), XK, ROOT, RK, ca=True, key_usage={"key_cert_sign": False, "crl_sign": True}
)
HOLD, KEY_COMPROMISE, REMOVE = (
    x509.ReasonFlags.certificate_hold,
    x509.ReasonFlags.key_compromise,
    x509.ReasonFlags.remove_from_crl,
)


def _crl(
    issuer: x509.Certificate,
    key: Any,
    *,
    number: int = 1,
    delta_base: int | None = None,
    entries: tuple[tuple[int, x509.ReasonFlags | None, x509.Name | None], ...] = (),
    idp: x509.IssuingDistributionPoint | None = None,
    this_update: dt.datetime | None = None,
    next_update: dt.datetime | None = None,
) -> bytes:
    b = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.subject)
        .last_update(this_update or NOW - DAY)
        .next_update(next_update or NOW + DAY)
        .add_extension(x509.CRLNumber(number), critical=False)
    )
    if delta_base is not None:
        b = b.add_extension(x509.DeltaCRLIndicator(delta_base), critical=True)
    if idp is not None:
        b = b.add_extension(idp, critical=True)
    for serial, reason, cert_issuer in entries:
        rb = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(NOW - 2 * DAY)
        if reason is not None:
            rb = rb.add_extension(x509.CRLReason(reason), critical=False)
        if cert_issuer is not None:
            rb = rb.add_extension(x509.CertificateIssuer([x509.DirectoryName(cert_issuer)]), critical=True)
        b = b.add_revoked_certificate(rb.build())
    return b.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


ROOT_CRL = _crl(ROOT, RK)


def _leaf(serial: int, dp: x509.DistributionPoint | None = None) -> x509.Certificate:
    extra = [(x509.CRLDistributionPoints([dp]), False)] if dp else None
    return make_cert(name(f"CRL17 Leaf {serial}"), LK, INTER, IK, serial=serial, extra_extensions=extra)


def _validate(leaf: x509.Certificate, crls: list[bytes], extra: tuple[x509.Certificate, ...] = ()) -> Any:
    return validate_chain(
        leaf, intermediates=[INTER, *extra], trust_anchors=[ROOT], crls=[ROOT_CRL, *crls], policy=REQUIRED, cache=None
    )


def _leaf_check(report: Any) -> Any:
    return next(c for c in report.checks if c.name == "revocation" and "Leaf" in c.subject)


# --------------------------------------------------------------------------- delta CRLs


def test_delta_crl_revokes_and_lifts_a_hold() -> None:
    base = _crl(INTER, IK, number=10, entries=((501, HOLD, None),))
    delta = _crl(INTER, IK, number=11, delta_base=10, entries=((501, REMOVE, None), (502, KEY_COMPROMISE, None)))
    assert _validate(_leaf(501), [base]).sub_indication is SubIndication.TRY_LATER  # on hold per the base
    lifted = _validate(_leaf(501), [base, delta])
    assert lifted.ok, lifted.failures()
    assert "delta CRL #11" in _leaf_check(lifted).message
    assert _validate(_leaf(502), [base]).ok  # the base alone does not know
    revoked = _validate(_leaf(502), [base, delta])
    assert revoked.sub_indication is SubIndication.REVOKED and "delta CRL #11" in _leaf_check(revoked).details["crl"]


def test_delta_crl_that_does_not_qualify_is_not_used() -> None:
    base = _crl(INTER, IK, number=10, entries=((501, HOLD, None),))
    other_key = make_key("p256", "crl17-other")
    forged = _crl(INTER, other_key, number=11, delta_base=10, entries=((501, REMOVE, None),))
    stale = _crl(INTER, IK, number=11, delta_base=10, entries=((501, REMOVE, None),),
                 this_update=NOW - 3 * DAY, next_update=NOW - DAY)  # fmt: skip
    wrong_base = _crl(INTER, IK, number=12, delta_base=11, entries=((501, REMOVE, None),))
    older = _crl(INTER, IK, number=9, delta_base=8, entries=((501, REMOVE, None),))
    for delta, why in ((forged, "signature"), (stale, "stale"), (wrong_base, "base CRL #11"), (older, "base CRL #8")):
        report = _validate(_leaf(501), [base, delta])
        assert report.sub_indication is SubIndication.TRY_LATER, why  # the hold stands
        assert "on hold" in _leaf_check(report).message


def test_delta_crl_without_its_base_decides_nothing() -> None:
    delta = _crl(INTER, IK, number=11, delta_base=10)
    report = _validate(_leaf(503), [delta])
    assert report.sub_indication is SubIndication.TRY_LATER
    assert "no usable complete CRL it applies to" in _leaf_check(report).message


# --------------------------------------------------------------------------- indirect CRLs


def _indirect_idp() -> x509.IssuingDistributionPoint:
    return x509.IssuingDistributionPoint(
        full_name=None,
        relative_name=None,
        only_contains_user_certs=False,
        only_contains_ca_certs=False,
        only_some_reasons=None,
        indirect_crl=True,
        only_contains_attribute_certs=False,
    )


VIA_XISSUER = x509.DistributionPoint(None, None, None, [x509.DirectoryName(XISSUER.subject)])


def test_indirect_crl_through_crl_issuer_counts_only_entries_of_the_certificates_issuer() -> None:
    # entry 601 is the CRL issuer's own certificate serial (no certificateIssuer), 602 is the CA's
    indirect = _crl(XISSUER, XK, idp=_indirect_idp(), entries=((601, KEY_COMPROMISE, None),
                                                                 (602, KEY_COMPROMISE, INTER.subject)))  # fmt: skip
    good = _validate(_leaf(601, VIA_XISSUER), [indirect], (XISSUER,))
    assert good.ok, good.failures()  # serial 601 is listed for another issuer
    revoked = _validate(_leaf(602, VIA_XISSUER), [indirect], (XISSUER,))
    assert revoked.sub_indication is SubIndication.REVOKED
    # without the CRL issuer's certificate the CRL cannot be verified; without the CRL nothing decides
    assert _validate(_leaf(602, VIA_XISSUER), [indirect]).sub_indication is SubIndication.TRY_LATER
    missing = _validate(_leaf(601, VIA_XISSUER), [_crl(INTER, IK)], (XISSUER,))
    assert "CRL17 CRL Issuer" in _leaf_check(missing).message  # the CA's own CRL is not the named one


def test_crl_of_the_crl_issuer_must_be_indirect() -> None:
    direct = _crl(XISSUER, XK)
    report = _validate(_leaf(603, VIA_XISSUER), [direct], (XISSUER,))
    assert report.sub_indication is SubIndication.TRY_LATER
    assert "not an indirect CRL" in _leaf_check(report).message


# --------------------------------------------------------------------------- onlySomeReasons


def _reasons_idp(*reasons: x509.ReasonFlags) -> x509.IssuingDistributionPoint:
    return x509.IssuingDistributionPoint(
        full_name=None,
        relative_name=None,
        only_contains_user_certs=False,
        only_contains_ca_certs=False,
        only_some_reasons=frozenset(reasons),
        indirect_crl=False,
        only_contains_attribute_certs=False,
    )


def test_reasons_must_all_be_covered() -> None:
    compromise = (x509.ReasonFlags.key_compromise, x509.ReasonFlags.ca_compromise)
    others = sorted(ALL_REASONS - set(compromise), key=lambda r: r.name)
    part1 = _crl(INTER, IK, number=1, idp=_reasons_idp(*compromise), entries=((701, KEY_COMPROMISE, None),))
    part2 = _crl(INTER, IK, number=2, idp=_reasons_idp(*others))
    half = _validate(_leaf(702), [part1])
    assert half.sub_indication is SubIndication.TRY_LATER
    assert "not covered by any usable CRL" in _leaf_check(half).message and "superseded" in _leaf_check(half).message
    assert _validate(_leaf(702), [part1, part2]).ok
    assert _validate(_leaf(701), [part1, part2]).sub_indication is SubIndication.REVOKED
