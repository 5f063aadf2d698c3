"""Issue 16, points 2-6: RFC 5280 section 4 profile rules on every certificate of the path (the
anchor too when v3), the trust anchor's validity, max_depth as its own check, second-granularity
validation time, and serial-0 roots as anchors. Each case changes one property of a chain that
otherwise passes, so each assertion fails if its rule breaks."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import AuthorityInformationAccessOID

from cryptokit.chain import ChainPolicy, validate_chain
from cryptokit.report import SubIndication
from cryptokit.testing import make_cert, make_key, name, resign
from cryptokit.testing.chains import explicit_curve

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
DAY = dt.timedelta(days=1)
RK, IK, LK = make_key("p256", "prof-root"), make_key("p256", "prof-inter"), make_key("p256", "prof-leaf")


def _chain(**changes: Any) -> tuple[x509.Certificate, x509.Certificate, x509.Certificate]:
    """root -> inter -> leaf; ``changes`` maps "root"/"inter"/"leaf" to make_cert keyword changes."""
    root = make_cert(name("Prof Root"), RK, ca=True, **changes.get("root", {}))
    inter = make_cert(name("Prof CA"), IK, root, RK, ca=True, **changes.get("inter", {}))
    leaf = make_cert(name("Prof Leaf"), LK, inter, IK, **changes.get("leaf", {}))
    return root, inter, leaf


def _validate(
    root: x509.Certificate,
    inter: x509.Certificate,
    leaf: x509.Certificate,
    policy: ChainPolicy | None = None,
    **kw: Any,
) -> Any:
    return validate_chain(
        leaf, intermediates=[inter], trust_anchors=[root], policy=policy or ChainPolicy.rfc5280(), cache=None, **kw
    )


def _profile_failure(report: Any) -> str:
    assert not report.ok
    failed = [c for c in report.failures() if c.name == "profile"]
    assert failed, [c.to_dict() for c in report.failures()]
    assert failed[0].sub_indication is SubIndication.CHAIN_CONSTRAINTS_FAILURE
    return str(failed[0].message)


def test_control_chain_passes_both_profiles() -> None:
    root, inter, leaf = _chain()
    assert _validate(root, inter, leaf).ok
    assert _validate(root, inter, leaf, ChainPolicy.document_signing()).ok


_AIA = x509.AuthorityInformationAccess(
    [x509.AccessDescription(AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier("http://x.test/"))]
)
_UNKNOWN = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.55555.1"), b"\x05\x00")


def _aki_of(key: Any) -> x509.AuthorityKeyIdentifier:
    return x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key())


CASES: dict[str, tuple[dict[str, Any], str]] = {
    "aki critical": ({"leaf": {"akid": False, "extra_extensions": [(_aki_of(IK), True)]}}, "4.2.1.1"),
    "ski critical": (
        {
            "inter": {
                "skid": False,
                "extra_extensions": [(x509.SubjectKeyIdentifier.from_public_key(IK.public_key()), True)],
            }
        },
        "4.2.1.2",
    ),
    "aki missing in leaf": ({"leaf": {"akid": False}}, "4.2.1.1"),
    "aki missing in intermediate": ({"inter": {"akid": False}}, "4.2.1.1"),
    "ski missing in CA": ({"inter": {"skid": False}}, "4.2.1.2"),
    "anchor basicConstraints not critical": ({"root": {"bc_critical": False}}, "4.2.1.9"),
    "anchor basicConstraints missing": ({"root": {"bc_critical": None}}, "4.2.1.9"),
    "aia critical": ({"leaf": {"extra_extensions": [(_AIA, True)]}}, "4.2.2.1"),
    "anchor unknown critical extension": ({"root": {"extra_extensions": [(_UNKNOWN, True)]}}, "1.3.6.1.4.1.55555.1"),
    "keyCertSign without cA": ({"leaf": {"key_usage": {"key_cert_sign": True}}}, "4.2.1.3"),
    "anchor aia critical": ({"root": {"extra_extensions": [(_AIA, True)]}}, "4.2.2.1"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_profile_rule_is_enforced(case: str) -> None:
    changes, clause = CASES[case]
    root, inter, leaf = _chain(**changes)
    assert clause in _profile_failure(_validate(root, inter, leaf))


def test_empty_subject_needs_critical_san_and_a_ca_needs_a_subject() -> None:
    san = x509.SubjectAlternativeName([x509.DNSName("leaf.example")])
    root, inter, _ = _chain()
    ok = make_cert(x509.Name([]), LK, inter, IK, extra_extensions=[(san, True)])
    assert _validate(root, inter, ok).ok
    bad = make_cert(x509.Name([]), LK, inter, IK, extra_extensions=[(san, False)])
    assert "4.2.1.6" in _profile_failure(_validate(root, inter, bad))
    empty_ca = make_cert(x509.Name([]), IK, root, RK, ca=True, extra_extensions=[(san, True)])
    leaf = make_cert(name("Prof Leaf"), LK, empty_ca, IK)
    assert "CA certificate with an empty subject" in _profile_failure(_validate(root, empty_ca, leaf))


def test_ca_leaf_refused_by_document_signing_allowed_by_rfc5280() -> None:
    root, inter, _ = _chain()
    ca_leaf = make_cert(name("Prof Sub CA"), LK, inter, IK, ca=True)
    assert "document-signing" in _profile_failure(_validate(root, inter, ca_leaf, ChainPolicy.document_signing()))
    assert _validate(root, inter, ca_leaf).ok


def test_name_constraints_in_an_end_entity_are_refused() -> None:
    nc = x509.NameConstraints(permitted_subtrees=[x509.DNSName("example.com")], excluded_subtrees=None)
    root, inter, leaf = _chain(leaf={"extra_extensions": [(nc, True)]})
    assert "4.2.1.10" in _profile_failure(_validate(root, inter, leaf))


def _set_version_v1(tbs: Any) -> None:
    tbs["version"] = "v1"


def _long_serial(tbs: Any) -> None:
    tbs["serial_number"] = 2**200


RESIGNED: dict[str, tuple[Callable[[Any], None], str]] = {
    "extensions in v1": (_set_version_v1, "4.1.2.9"),
    "serial over 20 octets": (_long_serial, "4.1.2.2"),
    "explicit EC parameters": (explicit_curve, "RFC 5480"),
}


@pytest.mark.parametrize("case", sorted(RESIGNED))
def test_profile_rules_cryptography_cannot_write(case: str) -> None:
    change, clause = RESIGNED[case]
    root, inter, leaf = _chain()
    assert clause in _profile_failure(_validate(root, inter, resign(leaf, IK, change)))
    # and in the intermediate (the leaf re-signed so that only the intermediate breaks the rule)
    bad_inter = resign(inter, RK, change)
    assert clause in _profile_failure(_validate(root, bad_inter, leaf))


# ------------------------------------------------------------------ trust anchor validity (point 3)


@pytest.mark.parametrize(
    ("window", "sub"),
    [((NOW - 10 * DAY, NOW - DAY), SubIndication.EXPIRED), ((NOW + DAY, NOW + 10 * DAY), SubIndication.NOT_YET_VALID)],
)
def test_anchor_outside_its_validity_fails_unless_read_as_trust_input(
    window: tuple[dt.datetime, dt.datetime], sub: SubIndication
) -> None:
    root, inter, leaf = _chain(root={"not_before": window[0], "not_after": window[1]})
    report = _validate(root, inter, leaf)
    assert not report.ok and report.sub_indication is sub
    assert "Prof Root" in report.failures()[0].subject
    assert _validate(root, inter, leaf, ChainPolicy.rfc5280(ignore_anchor_validity=True)).ok
    with pytest.raises(Exception, match="ignore_anchor_validity"):
        ChainPolicy.rfc5280(ignore_anchor_validity="yes")


# ------------------------------------------------------------------ validation time (point 5)


def test_validation_time_compares_at_second_granularity() -> None:
    end = NOW + 30 * DAY
    root, inter, leaf = _chain(leaf={"not_after": end})
    assert _validate(root, inter, leaf, at=end + dt.timedelta(milliseconds=5)).ok
    assert _validate(root, inter, leaf, at=end + dt.timedelta(milliseconds=999)).ok
    late = _validate(root, inter, leaf, at=end + dt.timedelta(seconds=1))
    assert late.sub_indication is SubIndication.EXPIRED


# ------------------------------------------------------------------ depth (point 4)


def test_depth_over_max_depth_is_reported_as_depth_with_self_issued_counted() -> None:
    """root -> CA -> CA (self-issued key rollover, same name) -> leaf: four certificates, three
    below the anchor. pathLenConstraint 0 on the first CA is met (self-issued ones do not count),
    but max_depth counts every certificate (RFC 5280 6.1)."""
    root = make_cert(name("Depth Root"), RK, ca=True)
    old = make_cert(name("Depth CA"), IK, root, RK, ca=True, path_length=0)
    new_key = make_key("p256", "prof-depth-new")
    rollover = make_cert(name("Depth CA"), new_key, old, IK, ca=True, path_length=0)
    leaf = make_cert(name("Depth Leaf"), LK, rollover, new_key)
    inter = [rollover, old]
    policy = ChainPolicy.rfc5280(max_depth=4)
    assert validate_chain(leaf, intermediates=inter, trust_anchors=[root], policy=policy, cache=None).ok
    short = validate_chain(
        leaf, intermediates=inter, trust_anchors=[root], policy=policy.replace(max_depth=3), cache=None
    )
    assert not short.ok and short.sub_indication is SubIndication.CHAIN_CONSTRAINTS_FAILURE
    assert [c.name for c in short.failures()] == ["depth"]
    assert short.failures()[0].details["length"] == 4 and short.path == (leaf, rollover, old, root)


# ------------------------------------------------------------------ serial-0 roots (point 6)


def _zero_serial(tbs: Any) -> None:
    tbs["serial_number"] = 0


def test_serial_zero_root_is_a_usable_anchor_and_does_not_break_other_chains() -> None:
    root, inter, leaf = _chain()
    zero_root = resign(root, RK, _zero_serial)
    other_key = make_key("p256", "prof-other-root")
    other_root = make_cert(name("Other Root"), other_key, ca=True)
    other_leaf = make_cert(name("Other Leaf"), LK, other_root, other_key)
    anchors = [zero_root.public_bytes(serialization.Encoding.DER), other_root.public_bytes(serialization.Encoding.PEM)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert validate_chain(other_leaf, trust_anchors=anchors, cache=None).ok
        assert validate_chain(leaf, intermediates=[inter], trust_anchors=anchors, cache=None).ok
