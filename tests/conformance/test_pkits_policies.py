"""NIST PKITS sections 4.8 (certificate policies), 4.9 (require explicit policy), 4.10 (policy
mappings), 4.11 (inhibit policy mapping) and 4.12 (inhibit any policy), every test and subpart.

Data: ``cryptography-vectors`` (x509/PKITS_data), as in test_pkits.py. The settings of each test
(initial-explicit-policy, user-initial-policy-set, initial-policy-mapping-inhibit,
initial-inhibit-any-policy), its expected result and its expected user-constrained-policy-set are
those of the PKITS document (PKITS.pdf, NIST 2011, section 4.8-4.12, "Procedure" and "Expected
Result"), as transcribed per subpart by Chromium's generator of its PKITS suite
(chromium/chromium net/third_party/nist-pkits/generate_tests.py, TEST_OVERRIDES, and the generated
pkits_testcases-inl.h for the certificate and CRL lists; now BoringSSL pki/testdata/nist-pkits).
Where the document gives no set for a test with default settings, every certificate asserts
NIST-test-policy-1 and the expected user-constrained set is {NIST-test-policy-1} (Chromium's
default, from PKITS section 3).

The ``pkits`` engineer's count of passing PKITS tests imports :data:`CASES` and :data:`UNSUPPORTED`:
each case is a :class:`PolicyCase` whose first field is its ``id`` ("4.10.1.2": test 4.10.1,
subpart 2; a test without subparts keeps its NIST number).
"""

from __future__ import annotations

from typing import NamedTuple

import pytest

from cryptokit.chain import validate_chain
from cryptokit.chain.policy import ANY_POLICY
from cryptokit.report import Indication, SubIndication

from .test_pkits import AT, POLICY, _cert, _crl  # the data, time and PKITS default settings of 4.1-4.7

# PKITS section 3.1: NIST-test-policy-1 .. -6
P1, P2, P3, P6 = (f"2.16.840.1.101.3.2.1.48.{k}" for k in (1, 2, 3, 6))
ANY = ANY_POLICY
ANY_SET = frozenset({ANY})


class PolicyCase(NamedTuple):
    """One PKITS policy test (or subpart): ``chain`` runs from the certificate the anchor issued
    down to the CA that issued ``ee``; ``crls`` are besides the anchor's; ``user_constrained`` is
    PKITS's expected user-constrained-policy-set."""

    id: str
    expected_ok: bool
    ee: str
    chain: tuple[str, ...]
    crls: tuple[str, ...]
    user_initial_policy_set: frozenset[str] = ANY_SET
    initial_explicit_policy: bool = False
    initial_policy_mapping_inhibit: bool = False
    initial_any_policy_inhibit: bool = False
    user_constrained: frozenset[str] = frozenset({P1})


def _c(
    id: str,
    ok: bool,
    ee: str,
    chain: tuple[str, ...],
    crls: tuple[str, ...],
    *,
    initial: tuple[str, ...] = (ANY,),
    explicit: bool = False,
    mapping_inhibit: bool = False,
    any_inhibit: bool = False,
    ucps: tuple[str, ...] = (P1,),
) -> PolicyCase:
    return PolicyCase(
        id, ok, ee, chain, crls, frozenset(initial), explicit, mapping_inhibit, any_inhibit, frozenset(ucps)
    )


Chain = tuple[tuple[str, ...], tuple[str, ...]]


def _p(prefix: str, *names: str) -> Chain:
    """Certificates ``{prefix}{name}Cert`` from the anchor down, with their CRLs ``{prefix}{name}CRL``
    (a self-issued certificate shares its issuer's CRL)."""
    certs = tuple(f"{prefix}{n}Cert" for n in names)
    return certs, tuple(f"{prefix}{n}CRL" for n in names if "SelfIssued" not in n)


def _plus(a: Chain, b: Chain) -> Chain:
    return a[0] + b[0], a[1] + b[1]


_GOOD = _p("Good", "CA")
_NONE: Chain = ((), ())
_P2SUB = _plus(_GOOD, _p("PoliciesP2", "subCA"))
_P1234 = _p("PoliciesP1234", "CA", "subCAP123", "subsubCAP123P12")
_P12 = _p("PoliciesP12", "CA")
_P123 = _p("PoliciesP123", "CA")
_ANYCA = _p("anyPolicy", "CA")
_SUB4 = ("CA", "subCA", "subsubCA", "subsubsubCA")
_P123_9 = _p("PoliciesP123", "CA", "subCAP12", "subsubCAP12P2", "subsubsubCAP12P2P1")
_P123_9 = (
    _P123_9[0],
    tuple(c.replace("subsubCAP12P2CRL", "subsubCAP2P2CRL") for c in _P123_9[1]),
)  # its name in PKITS_data
_REP5 = _p("requireExplicitPolicy7", "CA", "subCARE2", "subsubCARE2RE4", "subsubsubCARE2RE4")
_REP2 = _p("requireExplicitPolicy2", "CA", "SelfIssuedCA")
_M12 = _p("Mapping1to2", "CA")
_P12M13 = _p("P12Mapping1to3", "CA", "subCA", "subsubCA")
_P1M1234 = _p("P1Mapping1to234", "CA", "subCA")
_GSUBPANY = _plus(_GOOD, _p("GoodsubCAPanyPolicyMapping1to2", "CA"))
_P1ANYM = _p("P1anyPolicyMapping1to2", "CA")
_IPM1P12 = _p("inhibitPolicyMapping1P12", "CA", "subCA")
_IPM1P12_3 = _p("inhibitPolicyMapping1P12", "CA", "subCA", "subsubCA")
_IPM1P12_6 = _p("inhibitPolicyMapping1P12", "CA", "subCAIPM5", "subsubCAIPM5")
_IPM1P1 = _p("inhibitPolicyMapping1P1", "CA", "SelfIssuedCA", "subCA")
_IPM1P1_8 = _p("inhibitPolicyMapping1P1", "CA", "SelfIssuedCA", "subCA", "subsubCA")
_IPM1P1_10 = _p("inhibitPolicyMapping1P1", "CA", "SelfIssuedCA", "subCA", "SelfIssuedsubCA")
_IAP0 = _p("inhibitAnyPolicy0", "CA")
_IAP1 = _p("inhibitAnyPolicy1", "CA", "subCA1")
_IAP1SI = _p("inhibitAnyPolicy1", "CA", "SelfIssuedCA", "subCA2")

CASES: list[PolicyCase] = [
    # 4.8 Certificate policies
    _c("4.8.1.1", True, "ValidCertificatePathTest1EE", *_GOOD, explicit=True),
    _c("4.8.1.2", True, "ValidCertificatePathTest1EE", *_GOOD, initial=(P1,), explicit=True),
    _c("4.8.1.3", False, "ValidCertificatePathTest1EE", *_GOOD, initial=(P2,), explicit=True, ucps=()),
    _c("4.8.1.4", True, "ValidCertificatePathTest1EE", *_GOOD, initial=(P1, P2), explicit=True),
    _c("4.8.2.1", True, "AllCertificatesNoPoliciesTest2EE", *_p("NoPolicies", "CA"), ucps=()),
    _c("4.8.2.2", False, "AllCertificatesNoPoliciesTest2EE", *_p("NoPolicies", "CA"), explicit=True, ucps=()),
    _c("4.8.3.1", True, "DifferentPoliciesTest3EE", *_P2SUB, ucps=()),
    _c("4.8.3.2", False, "DifferentPoliciesTest3EE", *_P2SUB, explicit=True, ucps=()),
    _c("4.8.3.3", False, "DifferentPoliciesTest3EE", *_P2SUB, initial=(P1, P2), explicit=True, ucps=()),
    _c("4.8.4", False, "DifferentPoliciesTest4EE", *_plus(_GOOD, _p("Goodsub", "CA")), ucps=()),
    _c("4.8.5", False, "DifferentPoliciesTest5EE", *_plus(_GOOD, _p("PoliciesP2sub", "CA2")), ucps=()),
    _c("4.8.6.1", True, "OverlappingPoliciesTest6EE", *_P1234),
    _c("4.8.6.2", True, "OverlappingPoliciesTest6EE", *_P1234, initial=(P1,)),
    _c("4.8.6.3", False, "OverlappingPoliciesTest6EE", *_P1234, initial=(P2,), ucps=()),
    _c("4.8.7", False, "DifferentPoliciesTest7EE", *_p("PoliciesP123", "CA", "subCAP12", "subsubCAP12P1"), ucps=()),
    _c("4.8.8", False, "DifferentPoliciesTest8EE", *_p("PoliciesP12", "CA", "subCAP1", "subsubCAP1P2"), ucps=()),
    _c("4.8.9", False, "DifferentPoliciesTest9EE", *_P123_9, ucps=()),
    _c("4.8.10.1", True, "AllCertificatesSamePoliciesTest10EE", *_P12, ucps=(P1, P2)),
    _c("4.8.10.2", True, "AllCertificatesSamePoliciesTest10EE", *_P12, initial=(P1,)),
    _c("4.8.10.3", True, "AllCertificatesSamePoliciesTest10EE", *_P12, initial=(P2,), ucps=(P2,)),
    _c("4.8.11.1", True, "AllCertificatesanyPolicyTest11EE", *_ANYCA, ucps=(ANY,)),
    _c("4.8.11.2", True, "AllCertificatesanyPolicyTest11EE", *_ANYCA, initial=(P1,)),
    _c("4.8.12", False, "DifferentPoliciesTest12EE", *_p("PoliciesP3", "CA"), ucps=()),
    _c("4.8.13.1", True, "AllCertificatesSamePoliciesTest13EE", *_P123, initial=(P1,)),
    _c("4.8.13.2", True, "AllCertificatesSamePoliciesTest13EE", *_P123, initial=(P2,), ucps=(P2,)),
    _c("4.8.13.3", True, "AllCertificatesSamePoliciesTest13EE", *_P123, initial=(P3,), ucps=(P3,)),
    _c("4.8.14.1", True, "AnyPolicyTest14EE", *_ANYCA, initial=(P1,)),
    _c("4.8.14.2", False, "AnyPolicyTest14EE", *_ANYCA, initial=(P2,), ucps=()),
    _c("4.8.15", True, "UserNoticeQualifierTest15EE", *_NONE),
    _c("4.8.16", True, "UserNoticeQualifierTest16EE", *_GOOD),
    _c("4.8.17", True, "UserNoticeQualifierTest17EE", *_GOOD),
    _c("4.8.18.1", True, "UserNoticeQualifierTest18EE", *_P12, initial=(P1,)),
    _c("4.8.18.2", True, "UserNoticeQualifierTest18EE", *_P12, initial=(P2,), ucps=(P2,)),
    _c("4.8.19", True, "UserNoticeQualifierTest19EE", *_NONE),
    _c("4.8.20", True, "CPSPointerQualifierTest20EE", *_GOOD, initial=(P1,), explicit=True),
    # 4.9 Require explicit policy
    _c("4.9.1", True, "ValidrequireExplicitPolicyTest1EE", *_p("requireExplicitPolicy10", *_SUB4), ucps=()),
    _c("4.9.2", True, "ValidrequireExplicitPolicyTest2EE", *_p("requireExplicitPolicy5", *_SUB4), ucps=()),
    _c("4.9.3", False, "InvalidrequireExplicitPolicyTest3EE", *_p("requireExplicitPolicy4", *_SUB4), ucps=()),
    _c("4.9.4", True, "ValidrequireExplicitPolicyTest4EE", *_p("requireExplicitPolicy0", *_SUB4)),
    _c("4.9.5", False, "InvalidrequireExplicitPolicyTest5EE", *_REP5, ucps=()),
    _c("4.9.6", True, "ValidSelfIssuedrequireExplicitPolicyTest6EE", *_REP2, ucps=()),
    _c(
        "4.9.7",
        False,
        "InvalidSelfIssuedrequireExplicitPolicyTest7EE",
        *_plus(_REP2, _p("requireExplicitPolicy2", "subCA")),
        ucps=(),
    ),
    _c(
        "4.9.8",
        False,
        "InvalidSelfIssuedrequireExplicitPolicyTest8EE",
        *_p("requireExplicitPolicy2", "CA", "SelfIssuedCA", "subCA", "SelfIssuedsubCA"),
        ucps=(),
    ),
    # 4.10 Policy mappings
    _c("4.10.1.1", True, "ValidPolicyMappingTest1EE", *_M12, initial=(P1,)),
    _c("4.10.1.2", False, "ValidPolicyMappingTest1EE", *_M12, initial=(P2,), ucps=()),
    _c("4.10.1.3", False, "ValidPolicyMappingTest1EE", *_M12, mapping_inhibit=True, ucps=()),
    _c("4.10.2.1", False, "InvalidPolicyMappingTest2EE", *_M12, ucps=()),
    _c("4.10.2.2", False, "InvalidPolicyMappingTest2EE", *_M12, mapping_inhibit=True, ucps=()),
    _c("4.10.3.1", False, "ValidPolicyMappingTest3EE", *_P12M13, initial=(P1,), ucps=()),
    _c("4.10.3.2", True, "ValidPolicyMappingTest3EE", *_P12M13, initial=(P2,), ucps=(P2,)),
    _c("4.10.4", False, "InvalidPolicyMappingTest4EE", *_P12M13, ucps=()),
    _c("4.10.5.1", True, "ValidPolicyMappingTest5EE", *_P1M1234, initial=(P1,)),
    _c("4.10.5.2", False, "ValidPolicyMappingTest5EE", *_P1M1234, initial=(P6,), ucps=()),
    _c("4.10.6.1", True, "ValidPolicyMappingTest6EE", *_P1M1234, initial=(P1,)),
    _c("4.10.6.2", False, "ValidPolicyMappingTest6EE", *_P1M1234, initial=(P6,), ucps=()),
    _c("4.10.7", False, "InvalidMappingFromanyPolicyTest7EE", *_p("MappingFromanyPolicy", "CA"), ucps=()),
    _c("4.10.8", False, "InvalidMappingToanyPolicyTest8EE", *_p("MappingToanyPolicy", "CA"), ucps=()),
    _c("4.10.9", True, "ValidPolicyMappingTest9EE", *_p("PanyPolicyMapping1to2", "CA")),
    _c("4.10.10", False, "InvalidPolicyMappingTest10EE", *_GSUBPANY, ucps=()),
    _c("4.10.11", True, "ValidPolicyMappingTest11EE", *_GSUBPANY),
    _c("4.10.12.1", True, "ValidPolicyMappingTest12EE", *_p("P12Mapping1to3", "CA"), initial=(P1,)),
    _c("4.10.12.2", True, "ValidPolicyMappingTest12EE", *_p("P12Mapping1to3", "CA"), initial=(P2,), ucps=(P2,)),
    _c("4.10.13.1", True, "ValidPolicyMappingTest13EE", *_P1ANYM),
    # 4.10.13 read with other user-initial-policy-sets (the document's expected result covers them;
    # Chromium added these two subparts as a regression test, crbug.com/1403258)
    _c("4.10.13.2", True, "ValidPolicyMappingTest13EE", *_P1ANYM, initial=(P1, P2)),
    _c("4.10.13.3", False, "ValidPolicyMappingTest13EE", *_P1ANYM, initial=(P2,), ucps=()),
    _c("4.10.14", True, "ValidPolicyMappingTest14EE", *_P1ANYM),
    # 4.11 Inhibit policy mapping
    _c("4.11.1", False, "InvalidinhibitPolicyMappingTest1EE", *_p("inhibitPolicyMapping0", "CA", "subCA"), ucps=()),
    _c("4.11.2", True, "ValidinhibitPolicyMappingTest2EE", *_IPM1P12),
    _c("4.11.3", False, "InvalidinhibitPolicyMappingTest3EE", *_IPM1P12_3, ucps=()),
    _c("4.11.4", True, "ValidinhibitPolicyMappingTest4EE", *_IPM1P12_3, ucps=(P2,)),
    _c("4.11.5", False, "InvalidinhibitPolicyMappingTest5EE", *_p("inhibitPolicyMapping5", *_SUB4), ucps=()),
    _c("4.11.6", False, "InvalidinhibitPolicyMappingTest6EE", *_IPM1P12_6, ucps=()),
    _c("4.11.7", True, "ValidSelfIssuedinhibitPolicyMappingTest7EE", *_IPM1P1),
    _c("4.11.8", False, "InvalidSelfIssuedinhibitPolicyMappingTest8EE", *_IPM1P1_8, ucps=()),
    _c("4.11.9", False, "InvalidSelfIssuedinhibitPolicyMappingTest9EE", *_IPM1P1_8, ucps=()),
    _c("4.11.10", False, "InvalidSelfIssuedinhibitPolicyMappingTest10EE", *_IPM1P1_10, ucps=()),
    _c("4.11.11", False, "InvalidSelfIssuedinhibitPolicyMappingTest11EE", *_IPM1P1_10, ucps=()),
    # 4.12 Inhibit any policy
    _c("4.12.1", False, "InvalidinhibitAnyPolicyTest1EE", *_IAP0, ucps=()),
    _c("4.12.2", True, "ValidinhibitAnyPolicyTest2EE", *_IAP0),
    _c("4.12.3.1", True, "inhibitAnyPolicyTest3EE", *_IAP1),
    _c("4.12.3.2", False, "inhibitAnyPolicyTest3EE", *_IAP1, any_inhibit=True, ucps=()),
    _c("4.12.4", False, "InvalidinhibitAnyPolicyTest4EE", *_IAP1, ucps=()),
    _c("4.12.5", False, "InvalidinhibitAnyPolicyTest5EE", *_p("inhibitAnyPolicy5", "CA", "subCA", "subsubCA"), ucps=()),
    _c("4.12.6", False, "InvalidinhibitAnyPolicyTest6EE", *_p("inhibitAnyPolicy1", "CA", "subCAIAP5"), ucps=()),
    _c("4.12.7", True, "ValidSelfIssuedinhibitAnyPolicyTest7EE", *_IAP1SI),
    _c(
        "4.12.8",
        False,
        "InvalidSelfIssuedinhibitAnyPolicyTest8EE",
        *_plus(_IAP1SI, _p("inhibitAnyPolicy1", "subsubCA2")),
        ucps=(),
    ),
    _c(
        "4.12.9",
        True,
        "ValidSelfIssuedinhibitAnyPolicyTest9EE",
        *_plus(_IAP1SI, _p("inhibitAnyPolicy1", "SelfIssuedsubCA2")),
    ),
    _c("4.12.10", False, "InvalidSelfIssuedinhibitAnyPolicyTest10EE", *_IAP1SI, ucps=()),
]

#: Cases this implementation does not pass, and why (strict xfails, so that a fix is noticed).
UNSUPPORTED: dict[str, str] = {}

#: Tests of each section (NIST numbering) and how many cases (subparts) each has here.
SECTIONS = {"4.8": 20, "4.9": 8, "4.10": 14, "4.11": 11, "4.12": 10}


def run(case: PolicyCase):  # type: ignore[no-untyped-def]
    """Validate ``case`` with its PKITS settings (revocation required, as in test_pkits.py)."""
    policy = POLICY.replace(
        user_initial_policy_set=case.user_initial_policy_set,
        initial_explicit_policy=case.initial_explicit_policy,
        initial_policy_mapping_inhibit=case.initial_policy_mapping_inhibit,
        initial_any_policy_inhibit=case.initial_any_policy_inhibit,
    )
    return validate_chain(
        _cert(case.ee),
        intermediates=[_cert(c) for c in reversed(case.chain)],
        trust_anchors=[_cert("TrustAnchorRootCertificate")],
        at=AT,
        policy=policy,
        crls=[_crl("TrustAnchorRootCRL"), *(_crl(c) for c in case.crls)],
        cache=None,
    )


def _params() -> list[object]:
    marks = {k: [pytest.mark.xfail(strict=True, reason=v)] for k, v in UNSUPPORTED.items()}
    return [pytest.param(c, id=f"{c.id}-{c.ee}", marks=marks.get(c.id, [])) for c in CASES]


@pytest.mark.parametrize("case", _params())
def test_pkits_policies(case: PolicyCase) -> None:
    report = run(case)
    failures = [c.to_dict() for c in report.failures()]
    assert report.ok is case.expected_ok, (case.id, report.sub_indication, failures)
    assert report.user_constrained_policies == case.user_constrained, (case.id, report.to_dict()["checks"][-3:])
    if case.expected_ok:
        assert report.indication is Indication.TOTAL_PASSED
        assert report.path[0] == _cert(case.ee)
        assert report.path[1:-1] == tuple(_cert(c) for c in reversed(case.chain))
    else:
        # the failure is the policy processing's, nothing else in the path
        assert report.sub_indication is SubIndication.CHAIN_CONSTRAINTS_FAILURE, failures
        assert {c["name"] for c in failures} == {"certificate_policies"}, failures


def test_pkits_policy_case_list_covers_the_sections() -> None:
    """Every test of 4.8-4.12 is listed (NIST numbering), each id once."""
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    for section, count in SECTIONS.items():
        numbers = {int(i[len(section) + 1 :].split(".")[0]) for i in ids if i.startswith(section + ".")}
        assert sorted(numbers) == list(range(1, count + 1)), section
