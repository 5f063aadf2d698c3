"""The fast DER reader for certificates never seen (cryptokit.chain.der): its reads agree with
cryptography's objects, what it declines goes through the general path (same errors), and the
chain verdict and report are the same either way."""

from __future__ import annotations

import datetime as dt
import warnings

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, ExtensionOID, NameOID

from cryptokit.certificates import load_certificates
from cryptokit.chain import validate as validate_mod
from cryptokit.chain import validate_chain
from cryptokit.chain.der import oid_text, read_certificate
from cryptokit.errors import InputError
from cryptokit.testing import make_cert, make_key, make_pki, name
from cryptokit.testing.chains import der_reader_disagreement, der_reader_off, realistic_leaf_extensions

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def pki():  # type: ignore[no-untyped-def]
    return make_pki("p256", label="der-reader")


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def _leaf(pki, subject: x509.Name, **options):  # type: ignore[no-untyped-def]
    return make_cert(subject, make_key("p256", "der-leaf"), pki.intermediate, pki.intermediate_key, **options)


def _attrs(*pairs: tuple[x509.ObjectIdentifier, str]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in pairs])


TRICKY_NAMES = [
    name("Plain Signer"),
    name('Acme, "Signer" + <1>; \\ #', o="Org", c="IN"),
    _attrs((NameOID.COMMON_NAME, "#leading hash"), (NameOID.ORGANIZATION_NAME, " leading and trailing ")),
    _attrs((NameOID.COMMON_NAME, "Ünïcödé 签名者"), (NameOID.LOCALITY_NAME, "x\0y")),
    _attrs((NameOID.COMMON_NAME, "a"), (NameOID.DOMAIN_COMPONENT, "example"), (NameOID.USER_ID, "u1")),
    _attrs(
        (NameOID.COMMON_NAME, "s"), (NameOID.SERIAL_NUMBER, "PNOIN-1234"), (x509.ObjectIdentifier("1.2.3.4.5"), "v")
    ),
    _attrs((NameOID.COMMON_NAME, "x"), (NameOID.STREET_ADDRESS, "1 Road"), (NameOID.STATE_OR_PROVINCE_NAME, "KA")),
    x509.Name(
        [
            x509.RelativeDistinguishedName(
                [
                    x509.NameAttribute(NameOID.COMMON_NAME, "multi"),
                    x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "b+c"),
                ]
            ),
            x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.COUNTRY_NAME, "IN")]),
        ]
    ),
    x509.Name([]),
]


@pytest.mark.parametrize("subject", TRICKY_NAMES, ids=range(len(TRICKY_NAMES)))
def test_names_read_as_cryptography_reads_them(pki, subject: x509.Name) -> None:  # type: ignore[no-untyped-def]
    """The subject text (RFC 4514, as in every check of the report), the comparison keys and every
    other fact agree with the general path's, for names that need escaping, multi-valued RDNs,
    unknown attribute types, non-ASCII and an empty subject."""
    der = _der(_leaf(pki, subject))
    fields = read_certificate(der)
    assert fields is not None
    assert fields.subject_text == x509.load_der_x509_certificate(der).subject.rfc4514_string()  # SET OF sorted
    assert der_reader_disagreement(der) is None


VARIANTS = {
    "ca with pathLen": {"ca": True, "path_length": 7},
    "ca without pathLen": {"ca": True},
    "eku": {"eku": [ExtendedKeyUsageOID.CLIENT_AUTH, x509.ObjectIdentifier("1.3.6.1.4.1.311.10.3.12")]},
    "no ski, no aki": {"skid": False, "akid": False},
    "bc not critical": {"bc_critical": False},
    "no bc": {"bc_critical": None},
    "key usage": {"key_usage": {"key_agreement": True, "crl_sign": True, "digital_signature": False}},
    "long serial": {"serial": 2**158 + 1},
    "UTCTime 19YY, GeneralizedTime": {
        "not_before": dt.datetime(1999, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        "not_after": dt.datetime(2051, 6, 7, 8, 9, 10, tzinfo=dt.UTC),
    },
    "UTCTime 2049": {"not_after": dt.datetime(2049, 12, 31, 23, 59, 59, tzinfo=dt.UTC)},
    "UTCTime 1950 and 2049": {
        "not_before": dt.datetime(1950, 1, 1, 0, 0, 0, tzinfo=dt.UTC),
        "not_after": dt.datetime(2049, 12, 31, 23, 59, 59, tzinfo=dt.UTC),
    },
    "critical aki": {"extra_extensions": [], "akid": False},
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_extensions_read_as_cryptography_reads_them(pki, variant: str) -> None:  # type: ignore[no-untyped-def]
    der = _der(_leaf(pki, name(f"Variant {variant}"), **VARIANTS[variant]))
    fields = read_certificate(der)
    assert fields is not None and fields.validity_text is not None
    assert der_reader_disagreement(der) is None


def test_critical_key_identifiers_are_reported_the_same(pki) -> None:  # type: ignore[no-untyped-def]
    ski = x509.SubjectKeyIdentifier.from_public_key(make_key("p256", "der-leaf").public_key())
    der = _der(_leaf(pki, name("Critical SKI"), skid=False, extra_extensions=[(ski, True)]))
    assert read_certificate(der) is not None
    assert der_reader_disagreement(der) is None
    r = validate_chain(der, intermediates=[pki.intermediate], trust_anchors=[pki.root], at=NOW, cache=None)
    assert not r.ok and "subjectKeyIdentifier is critical" in r.failures()[0].message


_URI = x509.UniformResourceIdentifier
_CRL_URI = _URI("http://crl.example/ca.crl")
_OCSP, _CA_ISSUERS = AuthorityInformationAccessOID.OCSP, AuthorityInformationAccessOID.CA_ISSUERS
_P1, _P2 = x509.ObjectIdentifier("1.3.6.1.4.1.55555.1.1"), x509.ObjectIdentifier("2.23.140.1.2.1")

#: the common forms of the four extensions real-world leaves carry, read by the reader
REALISTIC: dict[str, list[tuple[x509.ExtensionType, bool]]] = {
    "all four": realistic_leaf_extensions(0),
    "all four, CPS qualifier": realistic_leaf_extensions(1),
    "san dNSName": [(x509.SubjectAlternativeName([x509.DNSName("signer.example")]), False)],
    "san rfc822Name": [(x509.SubjectAlternativeName([x509.RFC822Name("a@example.com")]), False)],
    "san URI": [(x509.SubjectAlternativeName([_URI("https://example.com/a b?c=d#e")]), False)],
    "san long URI (long-form length)": [
        (x509.SubjectAlternativeName([_URI("https://e.example/" + "a" * 1006)]), False)
    ],
    "san several, critical": [
        (x509.SubjectAlternativeName([x509.DNSName("*.example"), x509.RFC822Name("x@y.z"), _URI("urn:a")]), True)
    ],
    "crl dp": [(x509.CRLDistributionPoints([x509.DistributionPoint([_CRL_URI], None, None, None)]), False)],
    "crl dp, two URIs": [
        (
            x509.CRLDistributionPoints([x509.DistributionPoint([_CRL_URI, _URI("ldap://x/cn=ca")], None, None, None)]),
            False,
        )
    ],
    "crl dp, two points, critical": [
        (
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint([_CRL_URI], None, None, None),
                    x509.DistributionPoint([_URI("http://b.example/b.crl")], None, None, None),
                ]
            ),
            True,
        )
    ],
    "aia ocsp": [(x509.AuthorityInformationAccess([x509.AccessDescription(_OCSP, _URI("http://ocsp"))]), False)],
    "aia both, critical": [
        (
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(_OCSP, _URI("http://ocsp")),
                    x509.AccessDescription(_CA_ISSUERS, _URI("http://c")),
                ]
            ),
            True,
        )
    ],
    "policy": [(x509.CertificatePolicies([x509.PolicyInformation(_P1, None)]), False)],
    "policies, CPS qualifiers, critical": [
        (
            x509.CertificatePolicies(
                [x509.PolicyInformation(_P1, ["https://a/cps", "https://b/cps"]), x509.PolicyInformation(_P2, None)]
            ),
            True,
        )
    ],
    "anyPolicy": [
        (x509.CertificatePolicies([x509.PolicyInformation(x509.ObjectIdentifier("2.5.29.32.0"), None)]), False)
    ],
}


def _same_report_fast_known_general(pki, der: bytes) -> dict:  # type: ignore[no-untyped-def, type-arg]
    """The report of ``der`` read by the fast reader (first call), from the memo (second call) and by
    the general path (the memo emptied, the reader switched off): asserted identical, returned."""
    args = {"intermediates": [_der(pki.intermediate)], "trust_anchors": [_der(pki.root)], "at": NOW, "cache": None}
    validate_mod._FACTS_BY_DER.pop(der, None)
    fresh = validate_chain(der, **args).to_dict()  # type: ignore[arg-type]
    known = validate_chain(der, **args).to_dict()  # type: ignore[arg-type]
    with der_reader_off(der):
        general = validate_chain(der, **args).to_dict()  # type: ignore[arg-type]
    assert fresh == known == general
    return fresh


@pytest.mark.parametrize("variant", list(REALISTIC))
@pytest.mark.parametrize("empty_subject", [False, True])
def test_realistic_extensions_read_as_cryptography_reads_them(pki, variant: str, empty_subject: bool) -> None:  # type: ignore[no-untyped-def]
    """subjectAltName, cRLDistributionPoints, authorityInfoAccess and certificatePolicies in their
    common forms: the reader reads them (distribution points, policies, the profile's criticality
    rules) to the general path's facts, and the report is the same on both paths, check for check
    (an empty subject exercises the critical-subjectAltName rule)."""
    subject = x509.Name([]) if empty_subject else name(f"Realistic {variant}")
    extra = REALISTIC[variant]
    der = _der(_leaf(pki, subject, extra_extensions=extra))
    fields = read_certificate(der)
    assert fields is not None
    assert der_reader_disagreement(der) is None
    report = _same_report_fast_known_general(pki, der)
    critical = {type(e).__name__ for e, c in extra if c}
    assert report["ok"] is (
        not (empty_subject and "SubjectAlternativeName" not in critical)
        and "AuthorityInformationAccess" not in critical
    )


def test_realistic_leaf_distribution_points_and_policies(pki) -> None:  # type: ignore[no-untyped-def]
    """What the reader reads of a realistic leaf, value by value."""
    der = _der(_leaf(pki, name("Realistic values"), extra_extensions=realistic_leaf_extensions(3)))
    fields = read_certificate(der)
    assert fields is not None
    assert fields.san == (
        (0x81, "signer3@example.com"),
        (0x82, "signer3.example.com"),
        (0x86, "https://example.com/signers/3"),
    )
    assert fields.crl_points == (("http://crl.example.com/issuing-ca.crl",),)
    assert fields.aia == (
        ("1.3.6.1.5.5.7.48.1", "http://ocsp.example.com"),
        ("1.3.6.1.5.5.7.48.2", "http://ca.example.com/issuing-ca.cer"),
    )
    assert fields.policies == (("1.3.6.1.4.1.55555.1.1", ("https://example.com/cps",)), ("2.23.140.1.2.1", ()))
    facts = validate_mod._fields_facts(x509.load_der_x509_certificate(der), der, fields)
    assert facts.policy.policies == fields.policies
    assert not isinstance(facts.points, str)
    assert [p.names for p in facts.points] == [(_URI("http://crl.example.com/issuing-ca.crl"),)]


OUTSIDE = {
    "san directoryName": x509.SubjectAlternativeName([x509.DirectoryName(name("Alt"))]),
    "san iPAddress": x509.SubjectAlternativeName([x509.IPAddress(__import__("ipaddress").ip_address("192.0.2.1"))]),
    "crl dp with reasons": x509.CRLDistributionPoints(
        [x509.DistributionPoint([_CRL_URI], None, frozenset({x509.ReasonFlags.key_compromise}), None)]
    ),
    "crl dp with cRLIssuer": x509.CRLDistributionPoints(
        [x509.DistributionPoint([_CRL_URI], None, None, [x509.DirectoryName(name("CRL Issuer"))])]
    ),
    "crl dp relative name": x509.CRLDistributionPoints(
        [
            x509.DistributionPoint(
                None, x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.COMMON_NAME, "dp")]), None, None
            )
        ]
    ),
    "crl dp dNSName": x509.CRLDistributionPoints([x509.DistributionPoint([x509.DNSName("crl")], None, None, None)]),
    "aia dNSName location": x509.AuthorityInformationAccess([x509.AccessDescription(_OCSP, x509.DNSName("ocsp"))]),
    "policy userNotice": x509.CertificatePolicies(
        [x509.PolicyInformation(_P1, [x509.UserNotice(None, "explicit text")])]
    ),
    "policy OID twice": x509.CertificatePolicies(
        [x509.PolicyInformation(_P1, None), x509.PolicyInformation(_P1, ["u"])]
    ),
    "unknown critical": x509.UnrecognizedExtension(x509.ObjectIdentifier("1.2.3.4.99"), b"\x05\x00"),
}


@pytest.mark.parametrize("which", list(OUTSIDE))
def test_other_extensions_take_the_general_path_with_the_same_report(pki, which: str) -> None:  # type: ignore[no-untyped-def]
    """An extension outside the reader's subset sends the certificate through cryptography's objects;
    the report is the one a second call (facts memoised) gives, check for check."""
    der = _der(_leaf(pki, name(f"Outside {which}"), extra_extensions=[(OUTSIDE[which], which == "unknown critical")]))
    assert read_certificate(der) is None
    first = validate_chain(der, intermediates=[pki.intermediate], trust_anchors=[pki.root], at=NOW, cache=None)
    again = validate_chain(der, intermediates=[pki.intermediate], trust_anchors=[pki.root], at=NOW, cache=None)
    assert first.to_dict() == again.to_dict()
    assert first.ok is (which != "unknown critical")


#: unusual DER forms of the four extensions (raw), declined by the reader: some cryptography accepts
#: (on 49, 51 or both), and then the general path reports; some it refuses, and then the general path
#: raises its typed error. Either way, the same as with the reader switched off.
UNUSUAL = {
    "san empty": (ExtensionOID.SUBJECT_ALTERNATIVE_NAME, "3000"),
    "san dNSName empty": (ExtensionOID.SUBJECT_ALTERNATIVE_NAME, "30028200"),
    "san dNSName control character": (ExtensionOID.SUBJECT_ALTERNATIVE_NAME, "3003820101"),
    "san dNSName not ASCII": (ExtensionOID.SUBJECT_ALTERNATIVE_NAME, "30048202c3a9"),
    "san URI of 1025 characters": (ExtensionOID.SUBJECT_ALTERNATIVE_NAME, "30820405868204" + "01" + "61" * 1025),
    "crl dp URI not ASCII": (ExtensionOID.CRL_DISTRIBUTION_POINTS, "300a3008a006a0048602c3a9"),
    "crl dp empty": (ExtensionOID.CRL_DISTRIBUTION_POINTS, "3000"),
    "aia empty": (ExtensionOID.AUTHORITY_INFORMATION_ACCESS, "3000"),
    "policies empty": (ExtensionOID.CERTIFICATE_POLICIES, "3000"),
    "policy qualifiers empty": (ExtensionOID.CERTIFICATE_POLICIES, "3008300606022a033000"),
    "policy OID twice": (ExtensionOID.CERTIFICATE_POLICIES, "300c300406022a03300406022a03"),
}


@pytest.mark.parametrize("case", list(UNUSUAL))
def test_unusual_forms_take_the_general_path(pki, case: str) -> None:  # type: ignore[no-untyped-def]
    oid, value = UNUSUAL[case]
    der = _with_raw_extension(pki, oid, bytes.fromhex(value))
    assert read_certificate(der) is None
    assert der_reader_disagreement(der) is None
    args = {"intermediates": [pki.intermediate], "trust_anchors": [pki.root], "at": NOW, "cache": None}
    try:
        load_certificates(der)
    except InputError as exc:
        with pytest.raises(InputError) as validated:
            validate_chain(der, **args)  # type: ignore[arg-type]
        assert validated.value.rule == exc.rule
        return
    first = validate_chain(der, **args).to_dict()  # type: ignore[arg-type]
    assert first == validate_chain(der, **args).to_dict()  # type: ignore[arg-type]


def test_fresh_and_known_leaf_give_the_same_report(pki) -> None:  # type: ignore[no-untyped-def]
    """A leaf read by the fast reader (first call) and from the memo (second call), and one read by
    the general path (the memo emptied, the reader switched off), give identical reports."""
    der = _der(_leaf(pki, name("Same Report", o="Acme"), eku=[ExtendedKeyUsageOID.CLIENT_AUTH]))
    fresh = _same_report_fast_known_general(pki, der)
    assert fresh["ok"] and len(fresh["checks"]) > 20


def _with_raw_extension(pki, oid: x509.ObjectIdentifier, value: bytes) -> bytes:  # type: ignore[no-untyped-def]
    """A leaf whose only extension is ``oid`` with the raw ``value`` (make_cert always adds keyUsage)."""
    key = make_key("p256", "der-leaf")
    cert = (
        x509.CertificateBuilder()
        .subject_name(name(f"Raw {oid.dotted_string} {value.hex()[:32]} {len(value)}"))
        .issuer_name(pki.intermediate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=1))
        .add_extension(x509.UnrecognizedExtension(oid, value), critical=False)
        .sign(pki.intermediate_key, hashes.SHA256())
    )
    return _der(cert)


MALFORMED = {
    "bc pathLen without cA": (ExtensionOID.BASIC_CONSTRAINTS, bytes.fromhex("3003020101")),
    "bc cA not DER TRUE": (ExtensionOID.BASIC_CONSTRAINTS, bytes.fromhex("3003010101")),
    "bc trailing": (ExtensionOID.BASIC_CONSTRAINTS, bytes.fromhex("30030101ff00")),
    "ku padding bits": (ExtensionOID.KEY_USAGE, bytes.fromhex("03020781")),
    "ku unused > 7": (ExtensionOID.KEY_USAGE, bytes.fromhex("03020880")),
    "ku encipherOnly without keyAgreement": (ExtensionOID.KEY_USAGE, bytes.fromhex("03020001")),
    "eku not OIDs": (ExtensionOID.EXTENDED_KEY_USAGE, bytes.fromhex("3003020101")),
    "eku OID not minimal": (ExtensionOID.EXTENDED_KEY_USAGE, bytes.fromhex("300406022a80")),
    "ski not OCTET STRING": (ExtensionOID.SUBJECT_KEY_IDENTIFIER, bytes.fromhex("0301")),
    "aki truncated": (ExtensionOID.AUTHORITY_KEY_IDENTIFIER, bytes.fromhex("30058003")),
    "san trailing": (ExtensionOID.SUBJECT_ALTERNATIVE_NAME, bytes.fromhex("300382016100")),
    "san truncated": (ExtensionOID.SUBJECT_ALTERNATIVE_NAME, bytes.fromhex("3003820261")),
    "san dNSName not UTF-8": (ExtensionOID.SUBJECT_ALTERNATIVE_NAME, bytes.fromhex("30038201ff")),
    "crl dp empty point": (ExtensionOID.CRL_DISTRIBUTION_POINTS, bytes.fromhex("30023000")),
    "crl dp empty fullName": (ExtensionOID.CRL_DISTRIBUTION_POINTS, bytes.fromhex("30063004a002a000")),
    "crl dp truncated URI": (ExtensionOID.CRL_DISTRIBUTION_POINTS, bytes.fromhex("30093007a005a003860261")),
    "aia no location": (ExtensionOID.AUTHORITY_INFORMATION_ACCESS, bytes.fromhex("300a300806062b0601050507")),
    "aia location not a GeneralName": (
        ExtensionOID.AUTHORITY_INFORMATION_ACCESS,
        bytes.fromhex("300f300d06082b060105050730010401" + "61"),
    ),
    "policy CPS as UTF8String": (
        ExtensionOID.CERTIFICATE_POLICIES,
        bytes.fromhex("3017301506022a03300f300d06082b060105050702010c0161"),
    ),
    "policy OID not minimal": (ExtensionOID.CERTIFICATE_POLICIES, bytes.fromhex("30063004060280" + "01")),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_extensions_are_refused_as_before(pki, case: str) -> None:  # type: ignore[no-untyped-def]
    """A malformed extension of the five the reader reads: the reader declines it, and
    validate_chain raises the typed error of the general path (the one load_certificates gives)."""
    oid, value = MALFORMED[case]
    der = _with_raw_extension(pki, oid, value)
    _refused_as_before(pki, der)


def _refused_as_before(pki, der: bytes) -> None:  # type: ignore[no-untyped-def]
    assert read_certificate(der) is None
    assert der_reader_disagreement(der) is None
    with pytest.raises(InputError) as loaded:
        load_certificates(der)
    with pytest.raises(InputError) as validated:
        validate_chain(der, intermediates=[pki.intermediate], trust_anchors=[pki.root], at=NOW, cache=None)
    assert validated.value.field == "leaf" and validated.value.rule == loaded.value.rule


def test_malformed_name_value_is_refused_as_before(pki) -> None:  # type: ignore[no-untyped-def]
    """A UTF8String that is not UTF-8 in the subject: cryptography loads the certificate (names are
    parsed lazily), the reader declines it, and validate_chain refuses it as load_certificates does."""
    der = _der(_leaf(pki, name("Broken XYZ Name")))
    bad = der.replace(b"XYZ", b"\xff\xfe\xfd", 1)
    x509.load_der_x509_certificate(bad)
    _refused_as_before(pki, bad)


@pytest.mark.parametrize(
    "oid", ["2.5.4.3", "1.2.840.113549.1.1.11", "2.999.1", "1.3.6.1.4.1.311.10.3.12", "0.9.2342.19200300.100.1.25"]
)
def test_oid_text(oid: str) -> None:
    der = x509.Name([x509.NameAttribute(x509.ObjectIdentifier(oid), "v")]).public_bytes()
    # Name > SET > SEQUENCE > OID: the OID's content starts 6 octets in
    assert oid_text(der[8 : 8 + der[7]]) == oid


@pytest.mark.parametrize(
    "content", [b"", b"\x2a\x80", b"\x80\x01", b"\x2a\x86", b"\x2a" + b"\xff" * 9 + b"\x01", b"\x01" * 64]
)
def test_oid_text_refuses_what_rust_asn1_refuses(content: bytes) -> None:
    with pytest.raises(ValueError):
        oid_text(content)


def _resigned(pki, der: bytes, mutate) -> bytes:  # type: ignore[no-untyped-def]
    """``der`` with its TBSCertificate changed by ``mutate`` (an asn1crypto TbsCertificate) and signed
    again by the issuing CA: what cryptography's builder refuses to make."""
    from asn1crypto import x509 as a_x509
    from cryptography.hazmat.primitives.asymmetric import ec

    cert = a_x509.Certificate.load(der)
    tbs = cert["tbs_certificate"]
    mutate(tbs)
    tbs_der = tbs.dump(force=True)
    signature = pki.intermediate_key.sign(tbs_der, ec.ECDSA(hashes.SHA256()))
    return a_x509.Certificate(
        {
            "tbs_certificate": a_x509.TbsCertificate.load(tbs_der),
            "signature_algorithm": cert["signature_algorithm"],
            "signature_value": signature,
        }
    ).dump()


def _quietly_same_report(pki, der: bytes) -> dict:  # type: ignore[no-untyped-def, type-arg]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return _same_report_fast_known_general(pki, der)


@pytest.mark.parametrize("serial", [0, -5])
def test_non_positive_serial_takes_the_general_path(pki, serial: int) -> None:  # type: ignore[no-untyped-def]
    """The reader stands for the admission scan: it declines a serial number cryptography's load
    warns about, before that load, so that the general path admits it silently (validate_chain
    allows non-positive serials) with the same report."""
    leaf = _der(_leaf(pki, name(f"Serial {serial}")))
    der = _resigned(pki, leaf, lambda tbs: tbs.__setitem__("serial_number", serial))
    assert read_certificate(der) is None
    assert der_reader_disagreement(der) is None
    assert _quietly_same_report(pki, der)["ok"]


def test_serial_not_minimal_is_refused_as_before(pki) -> None:  # type: ignore[no-untyped-def]
    leaf = _der(_leaf(pki, name("Serial not minimal")))
    der = _resigned(pki, leaf, lambda tbs: tbs.__setitem__("serial_number", 0x0101))
    minimal, padded = b"\xa0\x03\x02\x01\x02\x02\x02\x01\x01", b"\xa0\x03\x02\x01\x02\x02\x02\x00\x01"
    assert minimal in der
    _refused_as_before(pki, der.replace(minimal, padded))


def _raw_name(*attributes: tuple[str, bytes]) -> bytes:
    """A Name of one-attribute RDNs, each (OID, the value's whole TLV), encoded by hand."""
    from asn1crypto import core

    def tlv(tag: int, content: bytes) -> bytes:
        assert len(content) < 0x80
        return bytes([tag, len(content)]) + content

    rdns = b"".join(tlv(0x31, tlv(0x30, core.ObjectIdentifier(oid).dump() + value)) for oid, value in attributes)
    return tlv(0x30, rdns)


@pytest.mark.parametrize(
    "country",
    [
        ("2.5.4.6", b"\x13\x03DEU"),  # countryName, three letters
        ("2.5.4.6", b"\x0c\x01D"),
        ("1.3.6.1.4.1.311.60.2.1.3", b"\x13\x01X"),  # jurisdictionCountryName, one letter
    ],
)
def test_country_not_two_letters_is_refused_as_before(pki, country: tuple[str, bytes]) -> None:  # type: ignore[no-untyped-def]
    """A country value cryptography warns about: the reader declines it (as the scan it stands for
    did) and validate_chain refuses it as load_certificates does."""
    from asn1crypto import x509 as a_x509

    subject = a_x509.Name.load(_raw_name(("2.5.4.3", b"\x0c\x07Country"), country))
    der = _resigned(pki, _der(_leaf(pki, name("Country"))), lambda tbs: tbs.__setitem__("subject", subject))
    _refused_as_before(pki, der)


def test_unusual_country_forms_take_the_general_path(pki) -> None:  # type: ignore[no-untyped-def]
    """Two-character countries outside the scan's form (an IA5String, a control character): the
    reader declines them, the general path admits them, the report is the same either way."""
    from cryptography.x509.name import _ASN1Type

    subjects = [
        x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, "IA5 country"),
                x509.NameAttribute(NameOID.COUNTRY_NAME, "DE", _ASN1Type.IA5String),
            ]
        ),
        x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, "control country"),
                x509.NameAttribute(NameOID.COUNTRY_NAME, "D\x7f", _ASN1Type.UTF8String),
            ]
        ),
    ]
    for subject in subjects:
        der = _der(_leaf(pki, subject))
        assert read_certificate(der) is None
        assert der_reader_disagreement(der) is None
        assert _quietly_same_report(pki, der)["ok"]


def test_reader_admits_country_oid_bytes_inside_a_value(pki) -> None:  # type: ignore[no-untyped-def]
    """The scan declines any occurrence of the countryName OID's bytes not followed by a plain value
    (here inside a commonName); the reader, which reads the names, admits it, and the general path
    agrees: same facts, same report, no warning."""
    from cryptokit.certificates import plainly_admissible

    der = _der(_leaf(pki, _attrs((NameOID.COMMON_NAME, "a\x06\x03U\x04\x06xyz"), (NameOID.COUNTRY_NAME, "IN"))))
    assert not plainly_admissible(der, None)
    assert read_certificate(der) is not None
    assert der_reader_disagreement(der) is None
    assert _quietly_same_report(pki, der)["ok"]


def test_calls_given_the_same_der_share_one_certificate_object(pki) -> None:  # type: ignore[no-untyped-def]
    """Bytes met before are not loaded again: the object kept with their facts serves every call
    (a fresh leaf's from the reader's path, a CA's from its first load); an object the caller gives
    is used as given and never kept."""
    leaf = _der(_leaf(pki, name("Shared object")))
    inter, root = _der(pki.intermediate), _der(pki.root)
    args = {"intermediates": [inter], "trust_anchors": [root], "at": NOW, "cache": None}
    first = validate_chain(leaf, **args)  # type: ignore[arg-type]
    again = validate_chain(bytes(leaf), **args)  # type: ignore[arg-type]
    assert first.ok and first.to_dict() == again.to_dict()
    assert all(a is b for a, b in zip(first.path, again.path, strict=True))
    assert validate_mod._FACTS_BY_DER[leaf].cert is first.path[0]
    given = validate_chain(leaf, intermediates=[pki.intermediate], trust_anchors=[root], at=NOW, cache=None)
    assert given.path[1] is pki.intermediate and given.to_dict() == first.to_dict()
    assert validate_mod._FACTS_BY_DER[inter].cert is first.path[1] is not pki.intermediate


def _spki(key) -> bytes:  # type: ignore[no-untyped-def]
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _public_keys() -> dict[str, object]:
    """A public key of every type the tests make (DSA generated with its deprecation warning silenced)."""
    from cryptography.hazmat.primitives.asymmetric import dsa, ed448

    from cryptokit.testing import new_key

    keys = {kind: new_key(kind).public_key() for kind in ("rsa1024", "rsa2048", "rsa3072", "p256", "p384", "p521")}
    keys["ed25519"] = new_key("ed25519").public_key()
    keys["ed448"] = ed448.Ed448PrivateKey.generate().public_key()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        keys["dsa2048"] = dsa.generate_private_key(2048).public_key()
    return keys


def _cert_with_key(pki, public_key, label: str) -> x509.Certificate:  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a DSA key under cryptography 51
        return (
            x509.CertificateBuilder()
            .subject_name(name(f"Key {label}"))
            .issuer_name(pki.intermediate.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - dt.timedelta(days=1))
            .not_valid_after(NOW + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(pki.intermediate_key, hashes.SHA256())
        )


def test_key_description_from_the_spki_equals_the_loaded_keys(pki) -> None:  # type: ignore[no-untyped-def]
    """chain.der.spki_key describes every EC (P-256/384/521) and EdDSA key the tests make as the loaded
    key is described (validate._key_facts), several keys each; RSA and DSA are left to the load; a
    certificate with each key read by the reader has the general path's key facts."""
    from cryptokit.chain.der import spki_key
    from cryptokit.testing import new_key

    for kind, key in _public_keys().items():
        cert = _cert_with_key(pki, key, kind)
        described = spki_key(_spki(key))
        loaded = validate_mod._key_facts(cert)
        if kind.startswith(("rsa", "dsa")):
            assert described is None
        else:
            assert described == loaded, kind
        der = _der(cert)
        fields = read_certificate(der)
        assert fields is not None and fields.spki_der == _spki(key)
        validate_mod._FACTS_BY_DER.pop(der, None)
        assert validate_mod._fields_facts(cert, der, fields).key == loaded
        assert der_reader_disagreement(der) is None
    for kind in ("p256", "p384", "p521", "ed25519"):
        for _ in range(20):
            k = new_key(kind).public_key()
            assert spki_key(_spki(k)) == validate_mod._key_facts(_cert_with_key(pki, k, kind)) != None  # noqa: E711
    good = _spki(new_key("p256").public_key())
    assert spki_key(good[:25] + b"\x01" + good[26:]) is None  # a BIT STRING with unused bits (asn1crypto rewrites it)


def _unusual_spkis() -> dict[str, bytes]:
    from cryptography.hazmat.primitives.asymmetric import ec

    from cryptokit.chain.der import _CURVES

    good = _spki(ec.generate_private_key(ec.SECP256R1()).public_key())
    prefix, _, p, _ = _CURVES[91]
    x = int.from_bytes(good[27:59])
    compressed = ec.generate_private_key(ec.SECP256R1()).public_key()
    return {
        "point off the curve": good[:-1] + bytes([good[-1] ^ 1]),
        "x + p (coordinate not below p)": prefix + (x + p).to_bytes(33)[1:] if x + p < 2**256 else prefix + bytes(64),
        "y not below p": good[:59] + (int.from_bytes(good[59:]) + p).to_bytes(33)[1:]
        if int.from_bytes(good[59:]) + p < 2**256
        else good[:59] + (2**256 - 1).to_bytes(32),
        "all-zero point": prefix + bytes(64),
        "compressed point": bytes.fromhex("3039301306072a8648ce3d020106082a8648ce3d030107032200")
        + compressed.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint),
        "hybrid point form 0x06": good[:26] + b"\x06" + good[27:],
        "secp256k1 key": _spki(ec.generate_private_key(ec.SECP256K1()).public_key()),
    }


@pytest.mark.parametrize("case", list(_unusual_spkis()))
def test_unusual_or_malformed_keys_are_described_by_loading(pki, case: str) -> None:  # type: ignore[no-untyped-def]
    """A key spki_key does not describe (None) is loaded as before: a certificate carrying it (signed
    again by the issuing CA) gives the same report from the reader, the memo and the general path,
    and the key that cryptography cannot load fails the public_key check with the load's reason."""
    from asn1crypto import keys as a_keys

    from cryptokit.chain.der import spki_key

    spki = _unusual_spkis()[case]
    assert spki_key(spki) is None

    def swap(tbs) -> None:  # type: ignore[no-untyped-def]
        tbs["subject_public_key_info"] = a_keys.PublicKeyInfo.load(spki)

    der = _resigned(pki, _der(_leaf(pki, name(f"Unusual key {case}"))), swap)
    assert spki in der
    report = _quietly_same_report(pki, der)
    cert = x509.load_der_x509_certificate(der)
    facts = validate_mod._key_facts(cert)
    key_checks = [c for c in report["checks"] if c["name"] == "public_key" and "Unusual" in (c.get("subject") or "")]
    assert key_checks
    if facts[0] == "error":
        assert not report["ok"] and key_checks[0]["outcome"] == "failed"
        assert key_checks[0]["message"] == f"public key unusable ({facts[1]})"
    else:
        assert facts[0] == "ec"
