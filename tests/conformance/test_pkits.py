"""NIST PKITS (Public Key Interoperability Test Suite) sections 4.1-4.7 and 4.13-4.16.

Covered here: 4.1 signatures, 4.2 validity, 4.3 name chaining, 4.4 basic revocation, 4.5 self-issued
certificates (key rollover, a self-issued CRL signing key), 4.6 basic constraints, 4.7 key usage,
4.13 name constraints (DN, RFC822, DNS, URI), 4.14 distribution points (onlySomeReasons, indirect
CRLs, cRLIssuer), 4.15 delta CRLs and 4.16 private certificate extensions. The certificate-policy
sections 4.8-4.12 are in test_pkits_policies.py.

The data comes from the test-only package ``cryptography-vectors`` (x509/PKITS_data); nothing is
copied into this repository. Each case lists the certificates and CRLs NIST names for it, validates
the end-entity certificate to "Trust Anchor Root Certificate" at 2012-01-01 with revocation
required (PKITS's default settings: initial-explicit-policy false, any policy), and asserts NIST's
expected result and, for a failure, the sub-indication of the reason. The intermediates are passed
in reverse order to exercise path building.

The PKITS document (PKITS.pdf) is not in the vectors. The certificates and CRLs of each test and its
expected result follow two public harnesses generated from it: Android libcore's
X509CertificateNistPkitsTest.java (certificates and CRLs per test) and wbond/certvalidator's
tests/test_validate.py (the expected error of each failing test: revoked, no revocation information,
not a CA...). The expected result is also the test's own name (Valid.../Invalid...).
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import re
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

_CHAIN = SubIndication.CHAIN_CONSTRAINTS_FAILURE

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
    # 4.5 Verifying paths with self-issued certificates
    (
        "4.5.1",
        True,
        "ValidBasicSelfIssuedOldWithNewTest1EE",
        ["BasicSelfIssuedNewKeyCACert", "BasicSelfIssuedNewKeyOldWithNewCACert"],
        ["BasicSelfIssuedNewKeyCACRL"],
        None,
    ),
    (
        "4.5.2",
        False,
        "InvalidBasicSelfIssuedOldWithNewTest2EE",
        ["BasicSelfIssuedNewKeyCACert", "BasicSelfIssuedNewKeyOldWithNewCACert"],
        ["BasicSelfIssuedNewKeyCACRL"],
        SubIndication.REVOKED,
    ),
    (
        "4.5.3",
        True,
        "ValidBasicSelfIssuedNewWithOldTest3EE",
        ["BasicSelfIssuedOldKeyCACert", "BasicSelfIssuedOldKeyNewWithOldCACert"],
        ["BasicSelfIssuedOldKeySelfIssuedCertCRL", "BasicSelfIssuedOldKeyCACRL"],
        None,
    ),
    (
        "4.5.4",
        True,
        "ValidBasicSelfIssuedNewWithOldTest4EE",
        ["BasicSelfIssuedOldKeyCACert", "BasicSelfIssuedOldKeyNewWithOldCACert"],
        ["BasicSelfIssuedOldKeySelfIssuedCertCRL", "BasicSelfIssuedOldKeyCACRL"],
        None,
    ),
    (
        "4.5.5",
        False,
        "InvalidBasicSelfIssuedNewWithOldTest5EE",
        ["BasicSelfIssuedOldKeyCACert", "BasicSelfIssuedOldKeyNewWithOldCACert"],
        ["BasicSelfIssuedOldKeySelfIssuedCertCRL", "BasicSelfIssuedOldKeyCACRL"],
        SubIndication.REVOKED,
    ),
    (
        "4.5.6",
        True,
        "ValidBasicSelfIssuedCRLSigningKeyTest6EE",
        ["BasicSelfIssuedCRLSigningKeyCACert", "BasicSelfIssuedCRLSigningKeyCRLCert"],
        ["BasicSelfIssuedCRLSigningKeyCRLCertCRL", "BasicSelfIssuedCRLSigningKeyCACRL"],
        None,
    ),
    (
        "4.5.7",
        False,
        "InvalidBasicSelfIssuedCRLSigningKeyTest7EE",
        ["BasicSelfIssuedCRLSigningKeyCACert", "BasicSelfIssuedCRLSigningKeyCRLCert"],
        ["BasicSelfIssuedCRLSigningKeyCRLCertCRL", "BasicSelfIssuedCRLSigningKeyCACRL"],
        SubIndication.REVOKED,
    ),
    (
        "4.5.8",
        False,
        "InvalidBasicSelfIssuedCRLSigningKeyTest8EE",
        ["BasicSelfIssuedCRLSigningKeyCACert", "BasicSelfIssuedCRLSigningKeyCRLCert"],
        ["BasicSelfIssuedCRLSigningKeyCRLCertCRL", "BasicSelfIssuedCRLSigningKeyCACRL"],
        _CHAIN,
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
    # 4.13 Name constraints
    ("4.13.1", True, "ValidDNnameConstraintsTest1EE", ["nameConstraintsDN1CACert"], ["nameConstraintsDN1CACRL"], None),
    (
        "4.13.2",
        False,
        "InvalidDNnameConstraintsTest2EE",
        ["nameConstraintsDN1CACert"],
        ["nameConstraintsDN1CACRL"],
        _CHAIN,
    ),
    (
        "4.13.3",
        False,
        "InvalidDNnameConstraintsTest3EE",
        ["nameConstraintsDN1CACert"],
        ["nameConstraintsDN1CACRL"],
        _CHAIN,
    ),
    ("4.13.4", True, "ValidDNnameConstraintsTest4EE", ["nameConstraintsDN1CACert"], ["nameConstraintsDN1CACRL"], None),
    ("4.13.5", True, "ValidDNnameConstraintsTest5EE", ["nameConstraintsDN2CACert"], ["nameConstraintsDN2CACRL"], None),
    ("4.13.6", True, "ValidDNnameConstraintsTest6EE", ["nameConstraintsDN3CACert"], ["nameConstraintsDN3CACRL"], None),
    (
        "4.13.7",
        False,
        "InvalidDNnameConstraintsTest7EE",
        ["nameConstraintsDN3CACert"],
        ["nameConstraintsDN3CACRL"],
        _CHAIN,
    ),
    (
        "4.13.8",
        False,
        "InvalidDNnameConstraintsTest8EE",
        ["nameConstraintsDN4CACert"],
        ["nameConstraintsDN4CACRL"],
        _CHAIN,
    ),
    (
        "4.13.9",
        False,
        "InvalidDNnameConstraintsTest9EE",
        ["nameConstraintsDN4CACert"],
        ["nameConstraintsDN4CACRL"],
        _CHAIN,
    ),
    (
        "4.13.10",
        False,
        "InvalidDNnameConstraintsTest10EE",
        ["nameConstraintsDN5CACert"],
        ["nameConstraintsDN5CACRL"],
        _CHAIN,
    ),
    (
        "4.13.11",
        True,
        "ValidDNnameConstraintsTest11EE",
        ["nameConstraintsDN5CACert"],
        ["nameConstraintsDN5CACRL"],
        None,
    ),
    (
        "4.13.12",
        False,
        "InvalidDNnameConstraintsTest12EE",
        ["nameConstraintsDN1CACert", "nameConstraintsDN1subCA1Cert"],
        ["nameConstraintsDN1CACRL", "nameConstraintsDN1subCA1CRL"],
        _CHAIN,
    ),
    (
        "4.13.13",
        False,
        "InvalidDNnameConstraintsTest13EE",
        ["nameConstraintsDN1CACert", "nameConstraintsDN1subCA2Cert"],
        ["nameConstraintsDN1CACRL", "nameConstraintsDN1subCA2CRL"],
        _CHAIN,
    ),
    (
        "4.13.14",
        True,
        "ValidDNnameConstraintsTest14EE",
        ["nameConstraintsDN1CACert", "nameConstraintsDN1subCA2Cert"],
        ["nameConstraintsDN1CACRL", "nameConstraintsDN1subCA2CRL"],
        None,
    ),
    (
        "4.13.15",
        False,
        "InvalidDNnameConstraintsTest15EE",
        ["nameConstraintsDN3CACert", "nameConstraintsDN3subCA1Cert"],
        ["nameConstraintsDN3CACRL", "nameConstraintsDN3subCA1CRL"],
        _CHAIN,
    ),
    (
        "4.13.16",
        False,
        "InvalidDNnameConstraintsTest16EE",
        ["nameConstraintsDN3CACert", "nameConstraintsDN3subCA1Cert"],
        ["nameConstraintsDN3CACRL", "nameConstraintsDN3subCA1CRL"],
        _CHAIN,
    ),
    (
        "4.13.17",
        False,
        "InvalidDNnameConstraintsTest17EE",
        ["nameConstraintsDN3CACert", "nameConstraintsDN3subCA2Cert"],
        ["nameConstraintsDN3CACRL", "nameConstraintsDN3subCA2CRL"],
        _CHAIN,
    ),
    (
        "4.13.18",
        True,
        "ValidDNnameConstraintsTest18EE",
        ["nameConstraintsDN3CACert", "nameConstraintsDN3subCA2Cert"],
        ["nameConstraintsDN3CACRL", "nameConstraintsDN3subCA2CRL"],
        None,
    ),
    (
        "4.13.19",
        True,
        "ValidDNnameConstraintsTest19EE",
        ["nameConstraintsDN1CACert", "nameConstraintsDN1SelfIssuedCACert"],
        ["nameConstraintsDN1CACRL"],
        None,
    ),
    (
        "4.13.20",
        False,
        "InvalidDNnameConstraintsTest20EE",
        ["nameConstraintsDN1CACert"],
        ["nameConstraintsDN1CACRL"],
        _CHAIN,
    ),
    (
        "4.13.21",
        True,
        "ValidRFC822nameConstraintsTest21EE",
        ["nameConstraintsRFC822CA1Cert"],
        ["nameConstraintsRFC822CA1CRL"],
        None,
    ),
    (
        "4.13.22",
        False,
        "InvalidRFC822nameConstraintsTest22EE",
        ["nameConstraintsRFC822CA1Cert"],
        ["nameConstraintsRFC822CA1CRL"],
        _CHAIN,
    ),
    (
        "4.13.23",
        True,
        "ValidRFC822nameConstraintsTest23EE",
        ["nameConstraintsRFC822CA2Cert"],
        ["nameConstraintsRFC822CA2CRL"],
        None,
    ),
    (
        "4.13.24",
        False,
        "InvalidRFC822nameConstraintsTest24EE",
        ["nameConstraintsRFC822CA2Cert"],
        ["nameConstraintsRFC822CA2CRL"],
        _CHAIN,
    ),
    (
        "4.13.25",
        True,
        "ValidRFC822nameConstraintsTest25EE",
        ["nameConstraintsRFC822CA3Cert"],
        ["nameConstraintsRFC822CA3CRL"],
        None,
    ),
    (
        "4.13.26",
        False,
        "InvalidRFC822nameConstraintsTest26EE",
        ["nameConstraintsRFC822CA3Cert"],
        ["nameConstraintsRFC822CA3CRL"],
        _CHAIN,
    ),
    (
        "4.13.27",
        True,
        "ValidDNandRFC822nameConstraintsTest27EE",
        ["nameConstraintsDN1CACert", "nameConstraintsDN1subCA3Cert"],
        ["nameConstraintsDN1CACRL", "nameConstraintsDN1subCA3CRL"],
        None,
    ),
    (
        "4.13.28",
        False,
        "InvalidDNandRFC822nameConstraintsTest28EE",
        ["nameConstraintsDN1CACert", "nameConstraintsDN1subCA3Cert"],
        ["nameConstraintsDN1CACRL", "nameConstraintsDN1subCA3CRL"],
        _CHAIN,
    ),
    (
        "4.13.29",
        False,
        "InvalidDNandRFC822nameConstraintsTest29EE",
        ["nameConstraintsDN1CACert", "nameConstraintsDN1subCA3Cert"],
        ["nameConstraintsDN1CACRL", "nameConstraintsDN1subCA3CRL"],
        _CHAIN,
    ),
    (
        "4.13.30",
        True,
        "ValidDNSnameConstraintsTest30EE",
        ["nameConstraintsDNS1CACert"],
        ["nameConstraintsDNS1CACRL"],
        None,
    ),
    (
        "4.13.31",
        False,
        "InvalidDNSnameConstraintsTest31EE",
        ["nameConstraintsDNS1CACert"],
        ["nameConstraintsDNS1CACRL"],
        _CHAIN,
    ),
    (
        "4.13.32",
        True,
        "ValidDNSnameConstraintsTest32EE",
        ["nameConstraintsDNS2CACert"],
        ["nameConstraintsDNS2CACRL"],
        None,
    ),
    (
        "4.13.33",
        False,
        "InvalidDNSnameConstraintsTest33EE",
        ["nameConstraintsDNS2CACert"],
        ["nameConstraintsDNS2CACRL"],
        _CHAIN,
    ),
    (
        "4.13.34",
        True,
        "ValidURInameConstraintsTest34EE",
        ["nameConstraintsURI1CACert"],
        ["nameConstraintsURI1CACRL"],
        None,
    ),
    (
        "4.13.35",
        False,
        "InvalidURInameConstraintsTest35EE",
        ["nameConstraintsURI1CACert"],
        ["nameConstraintsURI1CACRL"],
        _CHAIN,
    ),
    (
        "4.13.36",
        True,
        "ValidURInameConstraintsTest36EE",
        ["nameConstraintsURI2CACert"],
        ["nameConstraintsURI2CACRL"],
        None,
    ),
    (
        "4.13.37",
        False,
        "InvalidURInameConstraintsTest37EE",
        ["nameConstraintsURI2CACert"],
        ["nameConstraintsURI2CACRL"],
        _CHAIN,
    ),
    (
        "4.13.38",
        False,
        "InvalidDNSnameConstraintsTest38EE",
        ["nameConstraintsDNS1CACert"],
        ["nameConstraintsDNS1CACRL"],
        _CHAIN,
    ),
    # 4.14 Distribution points
    ("4.14.1", True, "ValiddistributionPointTest1EE", ["distributionPoint1CACert"], ["distributionPoint1CACRL"], None),
    (
        "4.14.2",
        False,
        "InvaliddistributionPointTest2EE",
        ["distributionPoint1CACert"],
        ["distributionPoint1CACRL"],
        SubIndication.REVOKED,
    ),
    (
        "4.14.3",
        False,
        "InvaliddistributionPointTest3EE",
        ["distributionPoint1CACert"],
        ["distributionPoint1CACRL"],
        SubIndication.TRY_LATER,
    ),
    ("4.14.4", True, "ValiddistributionPointTest4EE", ["distributionPoint1CACert"], ["distributionPoint1CACRL"], None),
    ("4.14.5", True, "ValiddistributionPointTest5EE", ["distributionPoint2CACert"], ["distributionPoint2CACRL"], None),
    (
        "4.14.6",
        False,
        "InvaliddistributionPointTest6EE",
        ["distributionPoint2CACert"],
        ["distributionPoint2CACRL"],
        SubIndication.REVOKED,
    ),
    ("4.14.7", True, "ValiddistributionPointTest7EE", ["distributionPoint2CACert"], ["distributionPoint2CACRL"], None),
    (
        "4.14.8",
        False,
        "InvaliddistributionPointTest8EE",
        ["distributionPoint2CACert"],
        ["distributionPoint2CACRL"],
        SubIndication.TRY_LATER,
    ),
    (
        "4.14.9",
        False,
        "InvaliddistributionPointTest9EE",
        ["distributionPoint2CACert"],
        ["distributionPoint2CACRL"],
        SubIndication.TRY_LATER,
    ),
    (
        "4.14.10",
        True,
        "ValidNoissuingDistributionPointTest10EE",
        ["NoissuingDistributionPointCACert"],
        ["NoissuingDistributionPointCACRL"],
        None,
    ),
    (
        "4.14.11",
        False,
        "InvalidonlyContainsUserCertsTest11EE",
        ["onlyContainsUserCertsCACert"],
        ["onlyContainsUserCertsCACRL"],
        SubIndication.TRY_LATER,
    ),
    (
        "4.14.12",
        False,
        "InvalidonlyContainsCACertsTest12EE",
        ["onlyContainsCACertsCACert"],
        ["onlyContainsCACertsCACRL"],
        SubIndication.TRY_LATER,
    ),
    (
        "4.14.13",
        True,
        "ValidonlyContainsCACertsTest13EE",
        ["onlyContainsCACertsCACert"],
        ["onlyContainsCACertsCACRL"],
        None,
    ),
    (
        "4.14.14",
        False,
        "InvalidonlyContainsAttributeCertsTest14EE",
        ["onlyContainsAttributeCertsCACert"],
        ["onlyContainsAttributeCertsCACRL"],
        SubIndication.TRY_LATER,
    ),
    (
        "4.14.15",
        False,
        "InvalidonlySomeReasonsTest15EE",
        ["onlySomeReasonsCA1Cert"],
        ["onlySomeReasonsCA1compromiseCRL", "onlySomeReasonsCA1otherreasonsCRL"],
        SubIndication.REVOKED,
    ),
    (
        "4.14.16",
        False,
        "InvalidonlySomeReasonsTest16EE",
        ["onlySomeReasonsCA1Cert"],
        ["onlySomeReasonsCA1compromiseCRL", "onlySomeReasonsCA1otherreasonsCRL"],
        SubIndication.TRY_LATER,
    ),
    (
        "4.14.17",
        False,
        "InvalidonlySomeReasonsTest17EE",
        ["onlySomeReasonsCA2Cert"],
        ["onlySomeReasonsCA2CRL1", "onlySomeReasonsCA2CRL2"],
        SubIndication.TRY_LATER,
    ),
    (
        "4.14.18",
        True,
        "ValidonlySomeReasonsTest18EE",
        ["onlySomeReasonsCA3Cert"],
        ["onlySomeReasonsCA3compromiseCRL", "onlySomeReasonsCA3otherreasonsCRL"],
        None,
    ),
    (
        "4.14.19",
        True,
        "ValidonlySomeReasonsTest19EE",
        ["onlySomeReasonsCA4Cert"],
        ["onlySomeReasonsCA4compromiseCRL", "onlySomeReasonsCA4otherreasonsCRL"],
        None,
    ),
    (
        "4.14.20",
        False,
        "InvalidonlySomeReasonsTest20EE",
        ["onlySomeReasonsCA4Cert"],
        ["onlySomeReasonsCA4compromiseCRL", "onlySomeReasonsCA4otherreasonsCRL"],
        SubIndication.REVOKED,
    ),
    (
        "4.14.21",
        False,
        "InvalidonlySomeReasonsTest21EE",
        ["onlySomeReasonsCA4Cert"],
        ["onlySomeReasonsCA4compromiseCRL", "onlySomeReasonsCA4otherreasonsCRL"],
        SubIndication.REVOKED,
    ),
    ("4.14.22", True, "ValidIDPwithindirectCRLTest22EE", ["indirectCRLCA1Cert"], ["indirectCRLCA1CRL"], None),
    (
        "4.14.23",
        False,
        "InvalidIDPwithindirectCRLTest23EE",
        ["indirectCRLCA1Cert"],
        ["indirectCRLCA1CRL"],
        SubIndication.REVOKED,
    ),
    (
        "4.14.24",
        True,
        "ValidIDPwithindirectCRLTest24EE",
        ["indirectCRLCA2Cert", "indirectCRLCA1Cert"],
        ["indirectCRLCA1CRL"],
        None,
    ),
    (
        "4.14.25",
        True,
        "ValidIDPwithindirectCRLTest25EE",
        ["indirectCRLCA2Cert", "indirectCRLCA1Cert"],
        ["indirectCRLCA1CRL"],
        None,
    ),
    (
        "4.14.26",
        False,
        "InvalidIDPwithindirectCRLTest26EE",
        ["indirectCRLCA2Cert", "indirectCRLCA1Cert"],
        ["indirectCRLCA1CRL"],
        SubIndication.TRY_LATER,
    ),
    (
        "4.14.27",
        False,
        "InvalidcRLIssuerTest27EE",
        ["indirectCRLCA2Cert", "GoodCACert"],
        ["GoodCACRL"],
        SubIndication.TRY_LATER,
    ),
    (
        "4.14.28",
        True,
        "ValidcRLIssuerTest28EE",
        ["indirectCRLCA3Cert", "indirectCRLCA3cRLIssuerCert"],
        ["indirectCRLCA3CRL", "indirectCRLCA3cRLIssuerCRL"],
        None,
    ),
    (
        "4.14.29",
        True,
        "ValidcRLIssuerTest29EE",
        ["indirectCRLCA3Cert", "indirectCRLCA3cRLIssuerCert"],
        ["indirectCRLCA3CRL", "indirectCRLCA3cRLIssuerCRL"],
        None,
    ),
    (
        "4.14.30",
        True,
        "ValidcRLIssuerTest30EE",
        ["indirectCRLCA4Cert", "indirectCRLCA4cRLIssuerCert"],
        ["indirectCRLCA4cRLIssuerCRL"],
        None,
    ),
    (
        "4.14.31",
        False,
        "InvalidcRLIssuerTest31EE",
        ["indirectCRLCA6Cert", "indirectCRLCA5Cert"],
        ["indirectCRLCA5CRL"],
        SubIndication.REVOKED,
    ),
    (
        "4.14.32",
        False,
        "InvalidcRLIssuerTest32EE",
        ["indirectCRLCA6Cert", "indirectCRLCA5Cert"],
        ["indirectCRLCA5CRL"],
        SubIndication.REVOKED,
    ),
    (
        "4.14.33",
        True,
        "ValidcRLIssuerTest33EE",
        ["indirectCRLCA6Cert", "indirectCRLCA5Cert"],
        ["indirectCRLCA5CRL"],
        None,
    ),
    (
        "4.14.34",
        False,
        "InvalidcRLIssuerTest34EE",
        ["indirectCRLCA5Cert"],
        ["indirectCRLCA5CRL"],
        SubIndication.REVOKED,
    ),
    (
        "4.14.35",
        False,
        "InvalidcRLIssuerTest35EE",
        ["indirectCRLCA5Cert"],
        ["indirectCRLCA5CRL"],
        SubIndication.TRY_LATER,
    ),
    # 4.15 Delta CRLs
    (
        "4.15.1",
        False,
        "InvaliddeltaCRLIndicatorNoBaseTest1EE",
        ["deltaCRLIndicatorNoBaseCACert"],
        ["deltaCRLIndicatorNoBaseCACRL"],
        SubIndication.TRY_LATER,
    ),
    ("4.15.2", True, "ValiddeltaCRLTest2EE", ["deltaCRLCA1Cert"], ["deltaCRLCA1CRL", "deltaCRLCA1deltaCRL"], None),
    (
        "4.15.3",
        False,
        "InvaliddeltaCRLTest3EE",
        ["deltaCRLCA1Cert"],
        ["deltaCRLCA1CRL", "deltaCRLCA1deltaCRL"],
        SubIndication.REVOKED,
    ),
    (
        "4.15.4",
        False,
        "InvaliddeltaCRLTest4EE",
        ["deltaCRLCA1Cert"],
        ["deltaCRLCA1CRL", "deltaCRLCA1deltaCRL"],
        SubIndication.REVOKED,
    ),
    ("4.15.5", True, "ValiddeltaCRLTest5EE", ["deltaCRLCA1Cert"], ["deltaCRLCA1CRL", "deltaCRLCA1deltaCRL"], None),
    (
        "4.15.6",
        False,
        "InvaliddeltaCRLTest6EE",
        ["deltaCRLCA1Cert"],
        ["deltaCRLCA1CRL", "deltaCRLCA1deltaCRL"],
        SubIndication.REVOKED,
    ),
    ("4.15.7", True, "ValiddeltaCRLTest7EE", ["deltaCRLCA1Cert"], ["deltaCRLCA1CRL", "deltaCRLCA1deltaCRL"], None),
    ("4.15.8", True, "ValiddeltaCRLTest8EE", ["deltaCRLCA2Cert"], ["deltaCRLCA2CRL", "deltaCRLCA2deltaCRL"], None),
    (
        "4.15.9",
        False,
        "InvaliddeltaCRLTest9EE",
        ["deltaCRLCA2Cert"],
        ["deltaCRLCA2CRL", "deltaCRLCA2deltaCRL"],
        SubIndication.REVOKED,
    ),
    (
        "4.15.10",
        False,
        "InvaliddeltaCRLTest10EE",
        ["deltaCRLCA3Cert"],
        ["deltaCRLCA3CRL", "deltaCRLCA3deltaCRL"],
        SubIndication.TRY_LATER,
    ),
    # 4.16 Private certificate extensions
    ("4.16.1", True, "ValidUnknownNotCriticalCertificateExtensionTest1EE", [], [], None),
    ("4.16.2", False, "InvalidUnknownCriticalCertificateExtensionTest2EE", [], [], _CHAIN),
]

#: Cases this implementation does not pass, and why (kept as strict xfails so a fix is noticed).
UNSUPPORTED: dict[str, str] = {
    "4.1.5": "cryptography cannot parse a DSA SubjectPublicKeyInfo without parameters (inherited from the issuer)",
}

#: For a failing case whose sub-indication alone does not show the reason (TRY_LATER has several),
#: a fragment the failed check's message must contain.
REASON: dict[str, str] = {
    "4.4.1": "no CRL from this issuer",
    "4.14.3": "names none of the certificate's cRLDistributionPoints",
    "4.14.8": "names none of the certificate's cRLDistributionPoints",
    "4.14.9": "the certificate names none (no cRLDistributionPoints",
    "4.14.11": "onlyContainsUserCerts",
    "4.14.12": "onlyContainsCACerts",
    "4.14.14": "attribute certificates only",
    "4.14.16": "on hold",
    "4.14.17": "not covered by any usable CRL",
    "4.14.26": "indirectCRL CA1x",
    "4.14.27": "not an indirect CRL",
    "4.14.35": "indirectCRL CA6",
    "4.15.1": "complete CRL",
    "4.15.10": "stale (nextUpdate 2010-06-01",
}

#: Certificates a case supplies that are not in its path: CRL signers (a separate CRL-signing key, a
#: self-issued key-rollover certificate, an indirect CRL's issuer).
OFF_PATH: dict[str, frozenset[str]] = {
    **dict.fromkeys(("4.4.19", "4.4.20"), frozenset({"SeparateCertificateandCRLKeysCRLSigningCert"})),
    "4.4.21": frozenset({"SeparateCertificateandCRLKeysCA2CRLSigningCert"}),
    **dict.fromkeys(("4.5.4", "4.5.5"), frozenset({"BasicSelfIssuedOldKeyNewWithOldCACert"})),
    **dict.fromkeys(("4.5.6", "4.5.7"), frozenset({"BasicSelfIssuedCRLSigningKeyCRLCert"})),
    **dict.fromkeys(("4.14.24", "4.14.25", "4.14.26"), frozenset({"indirectCRLCA1Cert"})),
    "4.14.27": frozenset({"GoodCACert"}),
    **dict.fromkeys(("4.14.28", "4.14.29"), frozenset({"indirectCRLCA3cRLIssuerCert"})),
    "4.14.30": frozenset({"indirectCRLCA4cRLIssuerCert"}),
    **dict.fromkeys(("4.14.31", "4.14.32", "4.14.33"), frozenset({"indirectCRLCA5Cert"})),
}


@cache
def _cert(name: str) -> x509.Certificate:
    return x509.load_der_x509_certificate((PKITS / "certs" / f"{name}.crt").read_bytes())


@cache
def _crl(name: str) -> bytes:
    return (PKITS / "crls" / f"{name}.crl").read_bytes()


#: DSA chains run with every warning an error: cryptography 51 warns when it loads a DSA key, attributing
#: the warning to the caller's frame or its own module (so a ``:cryptokit`` filter may miss it), and no
#: cryptokit call may let it out (cryptokit._dsa.public_key loads keys quietly). A socket another test
#: left open and the garbage collector closes during this one is not this test's concern: its
#: ResourceWarning stays a warning (as an error it would be raised inside ``__del__`` and reported
#: as an unraisable exception, failing the DSA case for a leak elsewhere).
DSA_INPUT = pytest.mark.filterwarnings("error", "default::ResourceWarning")


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
        in_path = [c for c in chain if c not in OFF_PATH.get(test_id, ())]
        assert report.path[1:-1] == tuple(_cert(c) for c in reversed(in_path))
    elif sub is not None:
        assert report.sub_indication is sub, [c.to_dict() for c in report.failures()]
    if test_id in REASON:
        assert any(REASON[test_id] in c.message for c in report.failures()), [c.message for c in report.failures()]


#: tests per PKITS section (NIST numbering; 4.8-4.12 are in test_pkits_policies.py)
SECTIONS = {
    "4.1": 6,
    "4.2": 8,
    "4.3": 11,
    "4.4": 21,
    "4.5": 8,
    "4.6": 17,
    "4.7": 5,
    "4.13": 38,
    "4.14": 35,
    "4.15": 10,
    "4.16": 2,
}


def test_pkits_case_list_covers_the_sections() -> None:
    """Every test of the sections run here is listed once (NIST numbering), and nothing else."""
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids))
    assert {i.rsplit(".", 1)[0] for i in ids} == set(SECTIONS)
    for section, count in SECTIONS.items():
        assert sorted(int(i.rsplit(".", 1)[1]) for i in ids if i.rsplit(".", 1)[0] == section) == list(
            range(1, count + 1)
        )
    assert set(UNSUPPORTED) <= set(ids) and set(OFF_PATH) <= set(ids) and set(REASON) <= set(ids)


def _all_pkits_cases() -> tuple[list[str], dict[str, str]]:
    """Ids and strict xfails of every PKITS case the suite runs: this module's, plus the policy
    sections' (``CASES`` and ``UNSUPPORTED`` of test_pkits_policies.py) once that module exists."""
    ids = [c[0] for c in CASES]
    unsupported = dict(UNSUPPORTED)
    if importlib.util.find_spec("tests.conformance.test_pkits_policies") is not None:
        policies = importlib.import_module("tests.conformance.test_pkits_policies")
        ids += [c[0] for c in policies.CASES]
        unsupported.update(policies.UNSUPPORTED)
    return ids, unsupported


def _test_number(case_id: str) -> str:
    """The PKITS test a case belongs to: a case run once per PKITS setting (4.8.1.1, 4.8.1.2...) is
    one test, 4.8.1."""
    return ".".join(case_id.split(".")[:3])


def test_readme_pkits_count_is_current() -> None:
    """The README line "NIST PKITS: P of N pass; the X strict xfails and why: ..." matches the case
    lists: N PKITS tests run (a test run under several settings counts once), X of them have a strict
    xfail (in any of their settings), P = N - X, and the line names exactly the xfailed tests."""
    ids, unsupported = _all_pkits_cases()
    tests = {_test_number(i) for i in ids}
    failing = {_test_number(i) for i in unsupported}
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    lines = [line for line in readme.splitlines() if line.startswith("NIST PKITS: ")]
    assert len(lines) == 1, "README needs exactly one 'NIST PKITS: P of N pass; ...' line"
    m = re.match(r"NIST PKITS: (\d+) of (\d+) pass; the (\d+) strict xfails? and why: (.*)$", lines[0])
    assert m, lines[0]
    passed, total, xfails = (int(g) for g in m.groups()[:3])
    assert (passed, total, xfails) == (len(tests) - len(failing), len(tests), len(failing)), (
        f"README says {passed} of {total} with {xfails} xfails; the case lists give "
        f"{len(tests) - len(failing)} of {len(tests)} with {len(failing)}"
    )
    assert set(re.findall(r"\b4\.\d+\.\d+\b", m.group(4))) == failing


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
