"""Issue 17, "All of NIST PKITS": RFC 5280 6.3.3 CRL processing beyond one complete, direct CRL, one
crafted-chain test per rule, each failing if its rule breaks. PKITS 4.14.15-4.14.35 and 4.15 run the
same rules on NIST's data (tests/conformance/test_pkits.py).

6.3.3 step -> test here (or elsewhere):
(a) current CRLs: a stale delta CRL is not used (``test_delta_crl_applies_only_to_its_base``); a
    stale complete CRL: tests/chain/test_revocation.py.
(b)(1) the CRL issuer: ``test_indirect_*``, ``test_crl_issuer_point_*``,
    ``test_certificate_issuer_entry_in_a_direct_crl_makes_it_unusable``;
(b)(2) the issuingDistributionPoint scope: tests/chain/test_crl_scope.py.
(c) a delta CRL's issuer and scope: ``test_delta_crl_applies_only_to_its_base`` (other scope).
(d), (e), (l) reasons: ``test_reasons_split_over_two_crls_are_accumulated``,
    ``test_distribution_point_reasons_limit_what_a_full_crl_covers``.
(f) the CRL signer's path and cRLSign: ``test_crl_issuer_point_*`` (unvalidated signer),
    ``test_separate_crl_issuer_needs_only_crl_sign``, ``test_separate_crl_issuer_without_crl_sign_*``;
    the certificate's issuer without cRLSign: test_crl_scope.py.
(g), (h) signatures: forged complete CRL in ``test_crl_issuer_point_*``; a delta of another key in
    ``test_delta_crl_applies_only_to_its_base``.
(i), (k) the delta's entries first, removeFromCRL: ``test_delta_crl_revokes_what_the_base_does_not``,
    ``test_remove_from_crl_in_the_delta_releases_a_hold``, ``test_remove_from_crl_in_a_complete_crl``.
(j) the complete CRL's entries: ``test_every_crl_in_scope_is_consulted_whatever_the_order``.
A delta CRL never decides alone: ``test_delta_crl_alone_never_decides``. Cost and bounds: the tests
at the end (no delta work without delta CRLs, one delta choice per complete CRL, MAX_DP_NAMES).
"""

from __future__ import annotations

from typing import Any

import pytest
from cryptography import x509

from cryptokit.chain import ChainPolicy, validate_chain
from cryptokit.chain import revocation as rev
from cryptokit.report import SubIndication
from cryptokit.testing import make_cert, make_key, name

from .test_crl_scope import DAY, IK, INTER, NOW, RK, ROOT, ROOT_CRL, _Counter, _crl, _idp

REQUIRED = ChainPolicy.rfc5280(require_revocation=True)
LENIENT = ChainPolicy.rfc5280()
R = x509.ReasonFlags
COMPROMISE = frozenset({R.key_compromise, R.ca_compromise})
OTHERS = rev.ALL_REASONS - COMPROMISE
LK = make_key("p256", "crl17-leaf")
# a second CA under the same root, whose certificates name the first CA (INTER) as their CRL issuer
K2 = make_key("p256", "crl17-ca2")
CA2 = make_cert(name("CRL17 CA2"), K2, ROOT, RK, ca=True, key_usage={"key_cert_sign": True, "crl_sign": False})
# a CRL issuer that signs CRLs only (no keyCertSign), certified by the root
XK = make_key("p256", "crl17-crlissuer")
XISSUER = make_cert(
    name("CRL17 CRL Issuer"), XK, ROOT, RK, ca=True, key_usage={"key_cert_sign": False, "crl_sign": True}
)


def _leaf(serial: int, issuer: x509.Certificate = INTER, issuer_key: Any = IK, **dp: Any) -> x509.Certificate:
    extra = None
    if dp:
        point = x509.DistributionPoint(dp.get("full_name"), None, dp.get("reasons"), dp.get("crl_issuer"))
        extra = [(x509.CRLDistributionPoints([point]), False)]
    return make_cert(name("CRL17 Leaf"), LK, issuer, issuer_key, serial=serial, extra_extensions=extra)


def _validate(
    leaf: x509.Certificate, crls: list[bytes], policy: ChainPolicy = REQUIRED, intermediates: Any = (INTER,)
) -> Any:
    return validate_chain(
        leaf, intermediates=list(intermediates), trust_anchors=[ROOT], crls=[ROOT_CRL, *crls], policy=policy, cache=None
    )


def _leaf_check(report: Any) -> Any:
    return next(c for c in report.checks if c.name == "revocation" and "Leaf" in c.subject)


# --------------------------------------------------------------------------- (d), (e), (l) reasons


def test_reasons_split_over_two_crls_are_accumulated() -> None:
    compromise = _crl(INTER, IK, revoked=((5, R.key_compromise),), idp=_idp(only_some_reasons=COMPROMISE), number=3)
    others = _crl(INTER, IK, revoked=((6, R.superseded),), idp=_idp(only_some_reasons=OTHERS), number=4)
    both = _validate(_leaf(7), [compromise, others])
    assert both.ok, both.failures()
    assert "#3" in _leaf_check(both).details["crl"] and "#4" in _leaf_check(both).details["crl"]
    # one of the two: the other reasons are not covered -> undetermined, never "not revoked"
    half = _validate(_leaf(7), [compromise])
    assert half.sub_indication is SubIndication.TRY_LATER
    assert "superseded" in _leaf_check(half).message and "not covered" in _leaf_check(half).message
    assert _leaf_check(_validate(_leaf(7), [compromise], LENIENT)).outcome.value == "skipped"
    # a revocation in either partition is found
    assert _validate(_leaf(5), [compromise, others]).sub_indication is SubIndication.REVOKED
    assert _validate(_leaf(6), [others, compromise]).sub_indication is SubIndication.REVOKED


def test_distribution_point_reasons_limit_what_a_full_crl_covers() -> None:
    full = _crl(INTER, IK)
    uri = [x509.UniformResourceIdentifier("http://crl.test/kc.crl")]
    only_kc = _validate(_leaf(7, full_name=uri, reasons=frozenset({R.key_compromise})), [full])
    assert only_kc.sub_indication is SubIndication.TRY_LATER and "not covered" in _leaf_check(only_kc).message
    assert _validate(_leaf(7, full_name=uri), [full]).ok


# --------------------------------------------------------------------------- (j) every CRL in scope


@pytest.mark.parametrize("revoking_first", [True, False])
def test_every_crl_in_scope_is_consulted_whatever_the_order(revoking_first: bool) -> None:
    """Two complete CRLs of the issuer: the one that does not list the certificate already covers
    every reason, yet the other one's listing still wins (the order the caller gives them in does
    not matter)."""
    quiet, listing = _crl(INTER, IK, number=1), _crl(INTER, IK, number=2, revoked=((40, R.key_compromise),))
    report = _validate(_leaf(40), [listing, quiet] if revoking_first else [quiet, listing])
    assert report.sub_indication is SubIndication.REVOKED and "#2" in _leaf_check(report).details["crl"]


def test_remove_from_crl_in_a_complete_crl() -> None:
    """6.3.3 (k): an entry with reason removeFromCRL leaves the certificate unrevoked."""
    report = _validate(_leaf(41), [_crl(INTER, IK, revoked=((41, R.remove_from_crl),))])
    assert report.ok, report.failures()


# --------------------------------------------------------------------------- (b)(1), (f), (g) indirect CRLs


def _indirect_crl(indirect: bool = True, key: Any = IK) -> bytes:
    # entry 10: INTER's own; 11: CA2's (certificateIssuer); 12: inherits CA2; 13: back to INTER
    entries = (
        (10, R.key_compromise),
        (11, R.key_compromise, CA2.subject),
        (12, R.superseded),
        (13, R.key_compromise, INTER.subject),
    )
    return _crl(INTER, key, revoked=entries, idp=_idp(indirect_crl=True) if indirect else None, number=9)


def _ca2_leaf(serial: int) -> x509.Certificate:
    return _leaf(serial, CA2, K2, crl_issuer=[x509.DirectoryName(INTER.subject)])


@pytest.mark.parametrize(("serial", "revoked"), [(11, True), (12, True), (10, False), (13, False), (14, False)])
def test_indirect_crl_entries_belong_to_their_certificate_issuer(serial: int, revoked: bool) -> None:
    report = _validate(_ca2_leaf(serial), [_indirect_crl()], intermediates=[CA2, INTER])
    assert report.path[1] == CA2  # INTER is only the CRL signer, validated on its own to the same anchor
    if revoked:
        assert report.sub_indication is SubIndication.REVOKED and "#9" in _leaf_check(report).details["crl"]
    else:
        assert report.ok, report.failures()
        assert "#9" in _leaf_check(report).details["crl"]


def test_indirect_crl_revokes_the_crl_issuers_own_certificates_too() -> None:
    assert _validate(_leaf(10), [_indirect_crl()]).sub_indication is SubIndication.REVOKED
    assert _validate(_leaf(13), [_indirect_crl()]).sub_indication is SubIndication.REVOKED
    assert _validate(_leaf(11), [_indirect_crl()]).ok  # 11 is CA2's serial, not INTER's


def test_crl_issuer_point_needs_an_indirect_crl_signed_by_a_validated_crl_signer() -> None:
    direct = _validate(_ca2_leaf(20), [_indirect_crl(indirect=False)], intermediates=[CA2, INTER])
    assert direct.sub_indication is SubIndication.TRY_LATER
    assert "not an indirect CRL" in _leaf_check(direct).message
    # CA2 signs a CRL in INTER's name: CA2's key is not the named CRL issuer's
    forged = _validate(_ca2_leaf(20), [_indirect_crl(key=K2)], intermediates=[CA2, INTER])
    assert forged.sub_indication is SubIndication.TRY_LATER and "signature" in _leaf_check(forged).message
    # the CRL signer's certificate is not given: nothing validates it
    unknown = _validate(_ca2_leaf(20), [_indirect_crl()], intermediates=[CA2])
    assert unknown.sub_indication is SubIndication.TRY_LATER and "signature" in _leaf_check(unknown).message
    # no CRL from the named cRLIssuer at all (CA2's own CRL is not the one its point names)
    missing = _validate(_ca2_leaf(20), [_crl(CA2, K2)], intermediates=[CA2, INTER])
    assert missing.sub_indication is SubIndication.TRY_LATER and "CRL16 CA" in _leaf_check(missing).message


def test_separate_crl_issuer_needs_only_crl_sign() -> None:
    """A CRL issuer that signs CRLs only (keyUsage cRLSign, no keyCertSign) and issues no
    certificate of the path: its indirect CRL decides, and its own serials are not the CA's."""
    point = {"crl_issuer": [x509.DirectoryName(XISSUER.subject)]}
    entries = ((601, R.key_compromise), (602, R.key_compromise, INTER.subject))
    indirect = _crl(XISSUER, XK, revoked=entries, idp=_idp(indirect_crl=True))
    good = _validate(_leaf(601, **point), [indirect], intermediates=[INTER, XISSUER])
    assert good.ok, good.failures()  # serial 601 is listed for the CRL issuer itself
    revoked = _validate(_leaf(602, **point), [indirect], intermediates=[INTER, XISSUER])
    assert revoked.sub_indication is SubIndication.REVOKED
    direct = _validate(_leaf(603, **point), [_crl(XISSUER, XK)], intermediates=[INTER, XISSUER])
    assert "not an indirect CRL" in _leaf_check(direct).message


def test_separate_crl_issuer_without_crl_sign_is_not_a_crl_signer() -> None:
    """6.3.3 (f): the CRL issuer's certificate validates to the anchor, but its keyUsage lacks cRLSign."""
    nk = make_key("p256", "crl17-nosign")
    no_sign = make_cert(
        name("CRL17 NoSign Issuer"), nk, ROOT, RK, ca=True, key_usage={"key_cert_sign": True, "crl_sign": False}
    )
    point = {"crl_issuer": [x509.DirectoryName(no_sign.subject)]}
    crl = _crl(no_sign, nk, idp=_idp(indirect_crl=True))
    report = _validate(_leaf(604, **point), [crl], intermediates=[INTER, no_sign])
    assert report.sub_indication is SubIndication.TRY_LATER and "signature" in _leaf_check(report).message


def test_certificate_issuer_entry_in_a_direct_crl_makes_it_unusable() -> None:
    crl = _crl(INTER, IK, revoked=((11, R.key_compromise, CA2.subject),))
    report = _validate(_leaf(7), [crl])
    assert report.sub_indication is SubIndication.TRY_LATER and "not indirect" in _leaf_check(report).message


# --------------------------------------------------------------------------- (a), (c), (h), (i) delta CRLs

# base #10: 30 on hold, 31 revoked; delta #11 (base 10): 32 revoked, 30 removeFromCRL
BASE = _crl(INTER, IK, revoked=((30, R.certificate_hold), (31, R.key_compromise)), number=10)
DELTA = _crl(INTER, IK, revoked=((32, R.key_compromise), (30, R.remove_from_crl)), number=11, delta_base=10)


def test_delta_crl_revokes_what_the_base_does_not() -> None:
    assert _validate(_leaf(32), [BASE]).ok
    report = _validate(_leaf(32), [BASE, DELTA])
    assert report.sub_indication is SubIndication.REVOKED
    assert "delta CRL #11" in _leaf_check(report).details["crl"] and "#10" in _leaf_check(report).details["crl"]
    assert _validate(_leaf(31), [BASE, DELTA]).sub_indication is SubIndication.REVOKED  # the base still counts
    good = _validate(_leaf(33), [DELTA, BASE])
    assert good.ok and "delta CRL #11" in _leaf_check(good).message


def test_remove_from_crl_in_the_delta_releases_a_hold() -> None:
    held = _validate(_leaf(30), [BASE])
    assert held.sub_indication is SubIndication.TRY_LATER and "on hold" in _leaf_check(held).message
    assert _validate(_leaf(30), [BASE, DELTA]).ok


def test_delta_crl_alone_never_decides() -> None:
    report = _validate(_leaf(33), [DELTA])
    assert report.sub_indication is SubIndication.TRY_LATER
    assert "no usable complete CRL it applies to" in _leaf_check(report).message
    assert _validate(_leaf(32), [DELTA], LENIENT).ok  # not applied alone, even when it would revoke


def _revoking_delta(key: Any = IK, **fields: Any) -> bytes:
    """A delta CRL of INTER revoking serial 32; #11 on base #10 unless ``fields`` say otherwise."""
    return _crl(INTER, key, revoked=((32, R.key_compromise),), **{"number": 11, "delta_base": 10, **fields})


@pytest.mark.parametrize(
    ("delta", "why"),
    [
        (_revoking_delta(number=12, delta_base=11), "base CRL #11"),
        (_revoking_delta(number=10, delta_base=9), "base CRL #9"),
        (_revoking_delta(idp=_idp(indirect_crl=True)), "issuingDistributionPoint differs"),
        (_revoking_delta(make_key("p256", "crl17-other")), "signature"),
        (_revoking_delta(this_update=NOW - 3 * DAY, next_update=NOW - DAY), "stale"),
        (_revoking_delta(this_update=NOW + DAY, next_update=NOW + 2 * DAY), "after the validation time"),
    ],
    ids=["base-number-too-new", "not-newer", "other-scope", "other-signer", "stale", "not-yet-issued"],
)
def test_delta_crl_applies_only_to_its_base(delta: bytes, why: str) -> None:
    report = _validate(_leaf(32), [BASE, delta], LENIENT)
    assert report.ok, report.failures()  # the delta's revocation of 32 is not applied
    assert "delta" not in _leaf_check(report).details["crl"]
    # required revocation: the complete CRL alone decides, and the refused delta is not named as used
    assert _validate(_leaf(32), [BASE, delta]).ok
    held = _validate(_leaf(30), [BASE, delta])  # the hold stands: the delta's removeFromCRL is not applied
    assert held.sub_indication is SubIndication.TRY_LATER and "on hold" in _leaf_check(held).message
    # when nothing is decided (a point for one reason only), the refused delta is named with why
    point = {"full_name": [x509.UniformResourceIdentifier("http://crl.test/kc.crl")], "reasons": COMPROMISE}
    undecided = _validate(_leaf(33, **point), [BASE, delta])
    assert undecided.sub_indication is SubIndication.TRY_LATER
    assert why in _leaf_check(undecided).message


# --------------------------------------------------------------------------- cost


def test_common_case_cost_is_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    """One complete CRL per issuer and a delta next to it: each CRL signature checked once, each
    CRL walked once."""
    counter = _Counter(monkeypatch)
    report = _validate(_leaf(33), [BASE, DELTA])
    assert report.ok
    assert counter.crl_signatures == 3 and counter.entry_walks == 3


def test_no_delta_work_without_delta_crls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Complete CRLs only: no delta CRL is looked for or checked (the cold path stays as it was)."""

    def refuse(*_: Any) -> Any:
        raise AssertionError("delta work without a delta CRL")

    monkeypatch.setattr(rev, "_delta_problem", refuse)
    monkeypatch.setattr(rev.CrlMemo, "deltas_for", refuse)
    assert _validate(_leaf(33), [BASE]).ok
    with pytest.raises(AssertionError, match="delta work"):  # the guard is reached once a delta CRL is given
        _validate(_leaf(33), [BASE, DELTA])


def test_no_crl_lookup_without_crls(monkeypatch: pytest.MonkeyPatch) -> None:
    """No CRL given (the common cold case): no CRL is looked up, and the check says none was given
    (tests/chain/test_cold_path.py pins the message against a search of CRLs that do not apply)."""

    def refuse(*_: Any) -> Any:
        raise AssertionError("CRL lookup without a CRL")

    monkeypatch.setattr(rev.CrlMemo, "for_issuer", refuse)
    leaf = _leaf(33)
    lenient = validate_chain(leaf, intermediates=[INTER], trust_anchors=[ROOT], policy=LENIENT, cache=None)
    assert lenient.ok and "no CRL from this issuer was given" in _leaf_check(lenient).message
    required = validate_chain(leaf, intermediates=[INTER], trust_anchors=[ROOT], policy=REQUIRED, cache=None)
    assert required.sub_indication is SubIndication.TRY_LATER
    with pytest.raises(AssertionError, match="CRL lookup"):  # the guard is reached once a CRL is given
        _validate(leaf, [BASE])


def test_delta_choice_is_made_once_per_complete_crl(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three distribution points reach the same complete CRL: its delta CRLs are judged once."""
    calls = []
    real = rev._delta_problem

    def counted(*args: Any) -> Any:
        calls.append(args[0].label)
        return real(*args)

    monkeypatch.setattr(rev, "_delta_problem", counted)
    points = [
        x509.DistributionPoint([x509.UniformResourceIdentifier(f"http://crl.test/{i}.crl")], None, None, None)
        for i in range(3)
    ]
    leaf = make_cert(
        name("CRL17 Leaf"), LK, INTER, IK, serial=33, extra_extensions=[(x509.CRLDistributionPoints(points), False)]
    )
    report = _validate(leaf, [BASE, DELTA])
    assert report.ok and "delta CRL #11" in _leaf_check(report).message
    assert len(calls) == 1


def test_distribution_point_names_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """rev.MAX_DP_NAMES names per point are read and each cRLIssuer counts once: 500 copies of the
    CRL issuer's name cost one scope check, and a name past the bound is not read."""
    calls = []
    real = rev._scope_problem

    def counted(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(rev, "_scope_problem", counted)
    copies = [x509.DirectoryName(INTER.subject)] * 500
    report = _validate(_leaf(14, CA2, K2, crl_issuer=copies), [_indirect_crl()], intermediates=[CA2, INTER])
    assert report.ok, report.failures()
    assert len(calls) <= 4  # the leaf's one point and CA2's (and INTER's in its sub-validation)
    uris = [x509.UniformResourceIdentifier(f"http://crl.test/{i}.crl") for i in range(rev.MAX_DP_NAMES + 1)]
    partition = _crl(INTER, IK, idp=_idp(uris[-1].value))
    past = _validate(_leaf(15, full_name=uris), [partition])
    assert past.sub_indication is SubIndication.TRY_LATER and "names none" in _leaf_check(past).message
    assert _validate(_leaf(15, full_name=uris[1:]), [partition]).ok
