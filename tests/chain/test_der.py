"""The fast DER reader for certificates never seen (cryptokit.chain.der): its reads agree with
cryptography's objects, what it declines goes through the general path (same errors), and the
chain verdict and report are the same either way."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID, NameOID

from cryptokit.certificates import load_certificates
from cryptokit.chain import validate as validate_mod
from cryptokit.chain import validate_chain
from cryptokit.chain.der import oid_text, read_certificate, rfc4514
from cryptokit.errors import InputError
from cryptokit.testing import make_cert, make_key, make_pki, name
from cryptokit.testing.chains import der_reader_disagreement

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
    assert rfc4514(fields.subject) == x509.load_der_x509_certificate(der).subject.rfc4514_string()  # SET OF sorted
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


OUTSIDE = {
    "subjectAltName": x509.SubjectAlternativeName([x509.DNSName("signer.example")]),
    "cRLDistributionPoints": x509.CRLDistributionPoints(
        [x509.DistributionPoint([x509.UniformResourceIdentifier("http://crl.example/ca.crl")], None, None, None)]
    ),
    "certificatePolicies": x509.CertificatePolicies([x509.PolicyInformation(x509.ObjectIdentifier("1.2.3"), None)]),
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


def test_fresh_and_known_leaf_give_the_same_report(pki) -> None:  # type: ignore[no-untyped-def]
    """A leaf read by the fast reader (first call) and from the memo (second call), and one read by
    the general path (the memo emptied, the reader switched off), give identical reports."""
    der = _der(_leaf(pki, name("Same Report", o="Acme"), eku=[ExtendedKeyUsageOID.CLIENT_AUTH]))
    args = {"intermediates": [_der(pki.intermediate)], "trust_anchors": [_der(pki.root)], "at": NOW, "cache": None}
    fresh = validate_chain(der, **args).to_dict()  # type: ignore[arg-type]
    known = validate_chain(der, **args).to_dict()  # type: ignore[arg-type]
    validate_mod._FACTS_BY_DER.pop(der)
    original = validate_mod._fresh
    try:
        validate_mod._fresh = lambda _der: None  # type: ignore[assignment]
        general = validate_chain(der, **args).to_dict()  # type: ignore[arg-type]
    finally:
        validate_mod._fresh = original  # type: ignore[assignment]
        validate_mod._FACTS_BY_DER.pop(der, None)
    assert fresh == known == general
    assert fresh["ok"] and len(fresh["checks"]) > 20


def _with_raw_extension(pki, oid: x509.ObjectIdentifier, value: bytes) -> bytes:  # type: ignore[no-untyped-def]
    """A leaf whose only extension is ``oid`` with the raw ``value`` (make_cert always adds keyUsage)."""
    key = make_key("p256", "der-leaf")
    cert = (
        x509.CertificateBuilder()
        .subject_name(name(f"Raw {oid.dotted_string} {value.hex()}"))
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
