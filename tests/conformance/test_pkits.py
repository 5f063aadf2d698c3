"""NIST PKITS (Public Key Interoperability Test Suite) sections 4.1, 4.2, 4.3, 4.4, 4.6 and 4.7.

The data comes from the test-only package ``cryptography-vectors`` (x509/PKITS_data); nothing is
copied into this repository. Each case lists the certificates and CRLs NIST names for it, validates
the end-entity certificate to "Trust Anchor Root Certificate" at 2012-01-01 with revocation
required (PKITS's default settings: initial-explicit-policy false, any policy), and asserts NIST's
expected result. The intermediates are passed in reverse order to exercise path building.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import pytest
from cryptography import x509

from cryptokit.chain import ChainPolicy, validate_chain
from cryptokit.report import Indication, SubIndication

cryptography_vectors = pytest.importorskip("cryptography_vectors")

PKITS = Path(cryptography_vectors.__file__).parent / "x509" / "PKITS_data"
AT = dt.datetime(2012, 1, 1, tzinfo=dt.UTC)  # PKITS 2011: CAs valid 2010-01-01 .. 2030-12-31, "bad" dates 2011/2047
# PKITS's DSA certificates are signed with dsa-with-sha1 and use 1024-bit keys: allowed here by explicit choice.
POLICY = ChainPolicy.rfc5280(
    require_revocation=True,
    min_dsa_bits=1024,
    hash_algorithms={"sha1": None, "sha256": None},
)

# (id, expected_ok, end entity, intermediates from the anchor down, CRLs besides the anchor's,
#  sub-indication expected for a failure (None: any))
CASES: list[tuple[str, bool, str, list[str], list[str], SubIndication | None]] = [
    # 4.1 Signature verification
    ("4.1.1", True, "ValidCertificatePathTest1EE", ["GoodCACert"], ["GoodCACRL"], None),
    (
        "4.1.2",
        False,
        "InvalidCASignatureTest2EE",
        ["BadSignedCACert"],
        ["BadSignedCACRL"],
        SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE,
    ),
    (
        "4.1.3",
        False,
        "InvalidEESignatureTest3EE",
        ["GoodCACert"],
        ["GoodCACRL"],
        SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE,
    ),
    ("4.1.4", True, "ValidDSASignaturesTest4EE", ["DSACACert"], ["DSACACRL"], None),
    (
        "4.1.5",
        True,
        "ValidDSAParameterInheritanceTest5EE",
        ["DSACACert", "DSAParametersInheritedCACert"],
        ["DSACACRL", "DSAParametersInheritedCACRL"],
        None,
    ),
    (
        "4.1.6",
        False,
        "InvalidDSASignatureTest6EE",
        ["DSACACert"],
        ["DSACACRL"],
        SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE,
    ),
    # 4.2 Validity periods
    (
        "4.2.1",
        False,
        "InvalidCAnotBeforeDateTest1EE",
        ["BadnotBeforeDateCACert"],
        ["BadnotBeforeDateCACRL"],
        SubIndication.NOT_YET_VALID,
    ),
    ("4.2.2", False, "InvalidEEnotBeforeDateTest2EE", ["GoodCACert"], ["GoodCACRL"], SubIndication.NOT_YET_VALID),
    ("4.2.3", True, "Validpre2000UTCnotBeforeDateTest3EE", ["GoodCACert"], ["GoodCACRL"], None),
    ("4.2.4", True, "ValidGeneralizedTimenotBeforeDateTest4EE", ["GoodCACert"], ["GoodCACRL"], None),
    (
        "4.2.5",
        False,
        "InvalidCAnotAfterDateTest5EE",
        ["BadnotAfterDateCACert"],
        ["BadnotAfterDateCACRL"],
        SubIndication.EXPIRED,
    ),
    ("4.2.6", False, "InvalidEEnotAfterDateTest6EE", ["GoodCACert"], ["GoodCACRL"], SubIndication.EXPIRED),
    ("4.2.7", False, "Invalidpre2000UTCEEnotAfterDateTest7EE", ["GoodCACert"], ["GoodCACRL"], SubIndication.EXPIRED),
    ("4.2.8", True, "ValidGeneralizedTimenotAfterDateTest8EE", ["GoodCACert"], ["GoodCACRL"], None),
    # 4.3 Name chaining
    (
        "4.3.1",
        False,
        "InvalidNameChainingTest1EE",
        ["GoodCACert"],
        ["GoodCACRL"],
        SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
    ),
    (
        "4.3.2",
        False,
        "InvalidNameChainingOrderTest2EE",
        ["NameOrderingCACert"],
        ["NameOrderCACRL"],
        SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
    ),
    ("4.3.3", True, "ValidNameChainingWhitespaceTest3EE", ["GoodCACert"], ["GoodCACRL"], None),
    ("4.3.4", True, "ValidNameChainingWhitespaceTest4EE", ["GoodCACert"], ["GoodCACRL"], None),
    ("4.3.5", True, "ValidNameChainingCapitalizationTest5EE", ["GoodCACert"], ["GoodCACRL"], None),
    ("4.3.6", True, "ValidNameUIDsTest6EE", ["UIDCACert"], ["UIDCACRL"], None),
    (
        "4.3.7",
        True,
        "ValidRFC3280MandatoryAttributeTypesTest7EE",
        ["RFC3280MandatoryAttributeTypesCACert"],
        ["RFC3280MandatoryAttributeTypesCACRL"],
        None,
    ),
    (
        "4.3.8",
        True,
        "ValidRFC3280OptionalAttributeTypesTest8EE",
        ["RFC3280OptionalAttributeTypesCACert"],
        ["RFC3280OptionalAttributeTypesCACRL"],
        None,
    ),
    (
        "4.3.9",
        True,
        "ValidUTF8StringEncodedNamesTest9EE",
        ["UTF8StringEncodedNamesCACert"],
        ["UTF8StringEncodedNamesCACRL"],
        None,
    ),
    (
        "4.3.10",
        True,
        "ValidRolloverfromPrintableStringtoUTF8StringTest10EE",
        ["RolloverfromPrintableStringtoUTF8StringCACert"],
        ["RolloverfromPrintableStringtoUTF8StringCACRL"],
        None,
    ),
    (
        "4.3.11",
        True,
        "ValidUTF8StringCaseInsensitiveMatchTest11EE",
        ["UTF8StringCaseInsensitiveMatchCACert"],
        ["UTF8StringCaseInsensitiveMatchCACRL"],
        None,
    ),
    # 4.4 Basic certificate revocation
    ("4.4.1", False, "InvalidMissingCRLTest1EE", ["NoCRLCACert"], [], SubIndication.TRY_LATER),
    (
        "4.4.2",
        False,
        "InvalidRevokedCATest2EE",
        ["GoodCACert", "RevokedsubCACert"],
        ["GoodCACRL", "RevokedsubCACRL"],
        SubIndication.REVOKED,
    ),
    ("4.4.3", False, "InvalidRevokedEETest3EE", ["GoodCACert"], ["GoodCACRL"], SubIndication.REVOKED),
    (
        "4.4.4",
        False,
        "InvalidBadCRLSignatureTest4EE",
        ["BadCRLSignatureCACert"],
        ["BadCRLSignatureCACRL"],
        SubIndication.TRY_LATER,
    ),
    (
        "4.4.5",
        False,
        "InvalidBadCRLIssuerNameTest5EE",
        ["BadCRLIssuerNameCACert"],
        ["BadCRLIssuerNameCACRL"],
        SubIndication.TRY_LATER,
    ),
    ("4.4.6", False, "InvalidWrongCRLTest6EE", ["WrongCRLCACert"], ["WrongCRLCACRL"], SubIndication.TRY_LATER),
    ("4.4.7", True, "ValidTwoCRLsTest7EE", ["TwoCRLsCACert"], ["TwoCRLsCAGoodCRL", "TwoCRLsCABadCRL"], None),
    (
        "4.4.8",
        False,
        "InvalidUnknownCRLEntryExtensionTest8EE",
        ["UnknownCRLEntryExtensionCACert"],
        ["UnknownCRLEntryExtensionCACRL"],
        SubIndication.TRY_LATER,
    ),
    (
        "4.4.9",
        False,
        "InvalidUnknownCRLExtensionTest9EE",
        ["UnknownCRLExtensionCACert"],
        ["UnknownCRLExtensionCACRL"],
        SubIndication.TRY_LATER,
    ),
    (
        "4.4.10",
        False,
        "InvalidUnknownCRLExtensionTest10EE",
        ["UnknownCRLExtensionCACert"],
        ["UnknownCRLExtensionCACRL"],
        SubIndication.TRY_LATER,
    ),
    (
        "4.4.11",
        False,
        "InvalidOldCRLnextUpdateTest11EE",
        ["OldCRLnextUpdateCACert"],
        ["OldCRLnextUpdateCACRL"],
        SubIndication.TRY_LATER,
    ),
    (
        "4.4.12",
        False,
        "Invalidpre2000CRLnextUpdateTest12EE",
        ["pre2000CRLnextUpdateCACert"],
        ["pre2000CRLnextUpdateCACRL"],
        SubIndication.TRY_LATER,
    ),
    (
        "4.4.13",
        True,
        "ValidGeneralizedTimeCRLnextUpdateTest13EE",
        ["GeneralizedTimeCRLnextUpdateCACert"],
        ["GeneralizedTimeCRLnextUpdateCACRL"],
        None,
    ),
    (
        "4.4.14",
        True,
        "ValidNegativeSerialNumberTest14EE",
        ["NegativeSerialNumberCACert"],
        ["NegativeSerialNumberCACRL"],
        None,
    ),
    (
        "4.4.15",
        False,
        "InvalidNegativeSerialNumberTest15EE",
        ["NegativeSerialNumberCACert"],
        ["NegativeSerialNumberCACRL"],
        SubIndication.REVOKED,
    ),
    ("4.4.16", True, "ValidLongSerialNumberTest16EE", ["LongSerialNumberCACert"], ["LongSerialNumberCACRL"], None),
    ("4.4.17", True, "ValidLongSerialNumberTest17EE", ["LongSerialNumberCACert"], ["LongSerialNumberCACRL"], None),
    (
        "4.4.18",
        False,
        "InvalidLongSerialNumberTest18EE",
        ["LongSerialNumberCACert"],
        ["LongSerialNumberCACRL"],
        SubIndication.REVOKED,
    ),
    (
        "4.4.19",
        True,
        "ValidSeparateCertificateandCRLKeysTest19EE",
        ["SeparateCertificateandCRLKeysCertificateSigningCACert", "SeparateCertificateandCRLKeysCRLSigningCert"],
        ["SeparateCertificateandCRLKeysCRL"],
        None,
    ),
    (
        "4.4.20",
        False,
        "InvalidSeparateCertificateandCRLKeysTest20EE",
        ["SeparateCertificateandCRLKeysCertificateSigningCACert", "SeparateCertificateandCRLKeysCRLSigningCert"],
        ["SeparateCertificateandCRLKeysCRL"],
        SubIndication.REVOKED,
    ),
    (
        "4.4.21",
        False,
        "InvalidSeparateCertificateandCRLKeysTest21EE",
        ["SeparateCertificateandCRLKeysCA2CertificateSigningCACert", "SeparateCertificateandCRLKeysCA2CRLSigningCert"],
        ["SeparateCertificateandCRLKeysCA2CRL"],
        None,
    ),
    # 4.6 Basic constraints and path length
    (
        "4.6.1",
        False,
        "InvalidMissingbasicConstraintsTest1EE",
        ["MissingbasicConstraintsCACert"],
        ["MissingbasicConstraintsCACRL"],
        SubIndication.CHAIN_CONSTRAINTS_FAILURE,
    ),
    (
        "4.6.2",
        False,
        "InvalidcAFalseTest2EE",
        ["basicConstraintsCriticalcAFalseCACert"],
        ["basicConstraintsCriticalcAFalseCACRL"],
        SubIndication.CHAIN_CONSTRAINTS_FAILURE,
    ),
    (
        "4.6.3",
        False,
        "InvalidcAFalseTest3EE",
        ["basicConstraintsNotCriticalcAFalseCACert"],
        ["basicConstraintsNotCriticalcAFalseCACRL"],
        SubIndication.CHAIN_CONSTRAINTS_FAILURE,
    ),
    (
        "4.6.4",
        True,
        "ValidbasicConstraintsNotCriticalTest4EE",
        ["basicConstraintsNotCriticalCACert"],
        ["basicConstraintsNotCriticalCACRL"],
        None,
    ),
    (
        "4.6.5",
        False,
        "InvalidpathLenConstraintTest5EE",
        ["pathLenConstraint0CACert", "pathLenConstraint0subCACert"],
        ["pathLenConstraint0CACRL", "pathLenConstraint0subCACRL"],
        SubIndication.CHAIN_CONSTRAINTS_FAILURE,
    ),
    (
        "4.6.6",
        False,
        "InvalidpathLenConstraintTest6EE",
        ["pathLenConstraint0CACert", "pathLenConstraint0subCACert"],
        ["pathLenConstraint0CACRL", "pathLenConstraint0subCACRL"],
        SubIndication.CHAIN_CONSTRAINTS_FAILURE,
    ),
    ("4.6.7", True, "ValidpathLenConstraintTest7EE", ["pathLenConstraint0CACert"], ["pathLenConstraint0CACRL"], None),
    ("4.6.8", True, "ValidpathLenConstraintTest8EE", ["pathLenConstraint0CACert"], ["pathLenConstraint0CACRL"], None),
    (
        "4.6.9",
        False,
        "InvalidpathLenConstraintTest9EE",
        ["pathLenConstraint6CACert", "pathLenConstraint6subCA0Cert", "pathLenConstraint6subsubCA00Cert"],
        ["pathLenConstraint6CACRL", "pathLenConstraint6subCA0CRL", "pathLenConstraint6subsubCA00CRL"],
        SubIndication.CHAIN_CONSTRAINTS_FAILURE,
    ),
    (
        "4.6.10",
        False,
        "InvalidpathLenConstraintTest10EE",
        ["pathLenConstraint6CACert", "pathLenConstraint6subCA0Cert", "pathLenConstraint6subsubCA00Cert"],
        ["pathLenConstraint6CACRL", "pathLenConstraint6subCA0CRL", "pathLenConstraint6subsubCA00CRL"],
        SubIndication.CHAIN_CONSTRAINTS_FAILURE,
    ),
    (
        "4.6.11",
        False,
        "InvalidpathLenConstraintTest11EE",
        [
            "pathLenConstraint6CACert",
            "pathLenConstraint6subCA1Cert",
            "pathLenConstraint6subsubCA11Cert",
            "pathLenConstraint6subsubsubCA11XCert",
        ],
        [
            "pathLenConstraint6CACRL",
            "pathLenConstraint6subCA1CRL",
            "pathLenConstraint6subsubCA11CRL",
            "pathLenConstraint6subsubsubCA11XCRL",
        ],
        SubIndication.CHAIN_CONSTRAINTS_FAILURE,
    ),
    (
        "4.6.12",
        False,
        "InvalidpathLenConstraintTest12EE",
        [
            "pathLenConstraint6CACert",
            "pathLenConstraint6subCA1Cert",
            "pathLenConstraint6subsubCA11Cert",
            "pathLenConstraint6subsubsubCA11XCert",
        ],
        [
            "pathLenConstraint6CACRL",
            "pathLenConstraint6subCA1CRL",
            "pathLenConstraint6subsubCA11CRL",
            "pathLenConstraint6subsubsubCA11XCRL",
        ],
        SubIndication.CHAIN_CONSTRAINTS_FAILURE,
    ),
    (
        "4.6.13",
        True,
        "ValidpathLenConstraintTest13EE",
        [
            "pathLenConstraint6CACert",
            "pathLenConstraint6subCA4Cert",
            "pathLenConstraint6subsubCA41Cert",
            "pathLenConstraint6subsubsubCA41XCert",
        ],
        [
            "pathLenConstraint6CACRL",
            "pathLenConstraint6subCA4CRL",
            "pathLenConstraint6subsubCA41CRL",
            "pathLenConstraint6subsubsubCA41XCRL",
        ],
        None,
    ),
    (
        "4.6.14",
        True,
        "ValidpathLenConstraintTest14EE",
        [
            "pathLenConstraint6CACert",
            "pathLenConstraint6subCA4Cert",
            "pathLenConstraint6subsubCA41Cert",
            "pathLenConstraint6subsubsubCA41XCert",
        ],
        [
            "pathLenConstraint6CACRL",
            "pathLenConstraint6subCA4CRL",
            "pathLenConstraint6subsubCA41CRL",
            "pathLenConstraint6subsubsubCA41XCRL",
        ],
        None,
    ),
    (
        "4.6.15",
        True,
        "ValidSelfIssuedpathLenConstraintTest15EE",
        ["pathLenConstraint0CACert", "pathLenConstraint0SelfIssuedCACert"],
        ["pathLenConstraint0CACRL"],
        None,
    ),
    (
        "4.6.16",
        False,
        "InvalidSelfIssuedpathLenConstraintTest16EE",
        ["pathLenConstraint0CACert", "pathLenConstraint0SelfIssuedCACert", "pathLenConstraint0subCA2Cert"],
        ["pathLenConstraint0CACRL", "pathLenConstraint0subCA2CRL"],
        SubIndication.CHAIN_CONSTRAINTS_FAILURE,
    ),
    (
        "4.6.17",
        True,
        "ValidSelfIssuedpathLenConstraintTest17EE",
        [
            "pathLenConstraint1CACert",
            "pathLenConstraint1SelfIssuedCACert",
            "pathLenConstraint1subCACert",
            "pathLenConstraint1SelfIssuedsubCACert",
        ],
        ["pathLenConstraint1CACRL", "pathLenConstraint1subCACRL"],
        None,
    ),
    # 4.7 Key usage
    (
        "4.7.1",
        False,
        "InvalidkeyUsageCriticalkeyCertSignFalseTest1EE",
        ["keyUsageCriticalkeyCertSignFalseCACert"],
        ["keyUsageCriticalkeyCertSignFalseCACRL"],
        SubIndication.CHAIN_CONSTRAINTS_FAILURE,
    ),
    (
        "4.7.2",
        False,
        "InvalidkeyUsageNotCriticalkeyCertSignFalseTest2EE",
        ["keyUsageNotCriticalkeyCertSignFalseCACert"],
        ["keyUsageNotCriticalkeyCertSignFalseCACRL"],
        SubIndication.CHAIN_CONSTRAINTS_FAILURE,
    ),
    (
        "4.7.3",
        True,
        "ValidkeyUsageNotCriticalTest3EE",
        ["keyUsageNotCriticalCACert"],
        ["keyUsageNotCriticalCACRL"],
        None,
    ),
    (
        "4.7.4",
        False,
        "InvalidkeyUsageCriticalcRLSignFalseTest4EE",
        ["keyUsageCriticalcRLSignFalseCACert"],
        ["keyUsageCriticalcRLSignFalseCACRL"],
        SubIndication.TRY_LATER,
    ),
    (
        "4.7.5",
        False,
        "InvalidkeyUsageNotCriticalcRLSignFalseTest5EE",
        ["keyUsageNotCriticalcRLSignFalseCACert"],
        ["keyUsageNotCriticalcRLSignFalseCACRL"],
        SubIndication.TRY_LATER,
    ),
]

#: Cases this implementation does not pass, and why (kept as strict xfails so a fix is noticed).
UNSUPPORTED: dict[str, str] = {
    "4.1.5": "cryptography cannot parse a DSA SubjectPublicKeyInfo without parameters (inherited from the issuer)",
}


@cache
def _cert(name: str) -> x509.Certificate:
    return x509.load_der_x509_certificate((PKITS / "certs" / f"{name}.crt").read_bytes())


@cache
def _crl(name: str) -> bytes:
    return (PKITS / "crls" / f"{name}.crl").read_bytes()


#: DSA input the test chose: cryptography 51 warns when it loads a DSA key, and that warning is allowed
#: here only (issue 18: no cryptokit call warns for RSA, EC or EdDSA input).
DSA_INPUT = pytest.mark.filterwarnings("default:DSA is deprecated")


def _params() -> list[object]:
    out = []
    for case in CASES:
        marks = []
        if case[0] in UNSUPPORTED:
            marks.append(pytest.mark.xfail(strict=True, reason=UNSUPPORTED[case[0]]))
        if "DSA" in case[2] and "ECDSA" not in case[2]:
            marks.append(DSA_INPUT)
        out.append(pytest.param(*case, id=f"{case[0]}-{case[2]}", marks=marks))
    return out


@pytest.mark.parametrize(("test_id", "expected_ok", "ee", "chain", "crls", "sub"), _params())
def test_pkits(
    test_id: str, expected_ok: bool, ee: str, chain: list[str], crls: list[str], sub: SubIndication | None
) -> None:
    anchor = _cert("TrustAnchorRootCertificate")
    report = validate_chain(
        _cert(ee),
        intermediates=[_cert(c) for c in reversed(chain)],
        trust_anchors=[anchor],
        at=AT,
        policy=POLICY,
        crls=[_crl("TrustAnchorRootCRL"), *(_crl(c) for c in crls)],
        cache=None,
    )
    assert report.ok is expected_ok, (test_id, report.sub_indication, [c.to_dict() for c in report.failures()])
    if expected_ok:
        assert report.indication is Indication.TOTAL_PASSED
        assert report.path[0] == _cert(ee) and report.path[-1] == anchor
        in_path = [c for c in chain if "CRLSigningCert" not in c]  # a separate CRL signer is not in the path
        assert report.path[1:-1] == tuple(_cert(c) for c in reversed(in_path))
    elif sub is not None:
        assert report.sub_indication is sub, [c.to_dict() for c in report.failures()]


def test_pkits_case_list_covers_the_sections() -> None:
    """Every test of 4.1, 4.2, 4.3, 4.4, 4.6 and 4.7 is listed once (NIST numbering)."""
    counts = {"4.1": 6, "4.2": 8, "4.3": 11, "4.4": 21, "4.6": 17, "4.7": 5}
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids))
    for section, count in counts.items():
        assert sorted(int(i.rsplit(".", 1)[1]) for i in ids if i.rsplit(".", 1)[0] == section) == list(
            range(1, count + 1)
        )


def test_pkits_without_revocation_requirement_passes_revoked_ee_only_when_crl_absent() -> None:
    """4.4.3 with the CRL given is REVOKED even when revocation is not required; without it, it passes."""
    policy = POLICY.replace(require_revocation=False)
    args = dict(intermediates=[_cert("GoodCACert")], trust_anchors=[_cert("TrustAnchorRootCertificate")], at=AT)
    revoked = validate_chain(
        _cert("InvalidRevokedEETest3EE"), policy=policy, crls=[_crl("GoodCACRL")], cache=None, **args
    )
    assert revoked.sub_indication is SubIndication.REVOKED
    check = next(c for c in revoked.checks if c.name == "revocation" and c.outcome.value == "failed")
    assert "revocation_date" in check.details and check.details["reason"]
    unknown = validate_chain(_cert("InvalidRevokedEETest3EE"), policy=policy, cache=None, **args)
    assert unknown.ok
