"""RFC 5280 name chaining (section 7.1) and name constraints in chain validation."""

from __future__ import annotations

import ipaddress

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID

from cryptokit.chain import validate_chain
from cryptokit.chain.names import check_name_constraints, names_match
from cryptokit.report import SubIndication
from tests.pki import DAY, NOW, make_cert, make_key


def _leaf_with_issuer(issuer_name: x509.Name, issuer_key: object, key: object, subject: x509.Name) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())  # type: ignore[attr-defined]
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - DAY)
        .not_valid_after(NOW + DAY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    )
    return builder.sign(issuer_key, hashes.SHA256())  # type: ignore[arg-type]


def _dn(*pairs: tuple[x509.ObjectIdentifier, str, _ASN1Type | None]) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(oid, value, t) if t else x509.NameAttribute(oid, value) for oid, value, t in pairs]
    )


def test_case_whitespace_and_string_type_rollover_chain() -> None:
    rk, ik, lk = make_key("p256", "nm-root"), make_key("p256", "nm-inter"), make_key("p256", "nm-leaf")
    root = make_cert("NM Root", rk, ca=True)
    inter_subject = _dn(
        (NameOID.COUNTRY_NAME, "IN", _ASN1Type.PrintableString),
        (NameOID.ORGANIZATION_NAME, "Cryptokit  Tests", _ASN1Type.PrintableString),
        (NameOID.COMMON_NAME, "Mixed Case CA", _ASN1Type.PrintableString),
    )
    inter = make_cert(inter_subject, ik, root, rk, ca=True)
    written = _dn(
        (NameOID.COUNTRY_NAME, "IN", _ASN1Type.PrintableString),
        (NameOID.ORGANIZATION_NAME, " cryptokit tests ", _ASN1Type.UTF8String),
        (NameOID.COMMON_NAME, "MIXED CASE ca", _ASN1Type.UTF8String),
    )
    assert written != inter_subject and names_match(written, inter_subject)
    leaf = _leaf_with_issuer(written, ik, lk, _dn((NameOID.COMMON_NAME, "NM Leaf", None)))
    report = validate_chain(leaf, intermediates=[inter], trust_anchors=[root], cache=None)
    assert report.ok, report.failures()
    assert report.path == (leaf, inter, root)


def test_rdn_order_matters() -> None:
    a = _dn((NameOID.COUNTRY_NAME, "IN", None), (NameOID.COMMON_NAME, "X", None))
    b = _dn((NameOID.COMMON_NAME, "X", None), (NameOID.COUNTRY_NAME, "IN", None))
    assert not names_match(a, b)
    assert not names_match(_dn((NameOID.COMMON_NAME, "X Y", None)), _dn((NameOID.COMMON_NAME, "XY", None)))


def _constrained_chain(
    constraints: x509.NameConstraints, leaf_subject: x509.Name, san: list[x509.GeneralName] | None = None
) -> tuple[x509.Certificate, x509.Certificate, x509.Certificate]:
    rk, ik, lk = make_key("p256", "nc-root"), make_key("p256", "nc-inter"), make_key("p256", "nc-leaf")
    root = make_cert("NC Root", rk, ca=True)
    inter = make_cert("NC CA", ik, root, rk, ca=True, extra_extensions=[(constraints, True)])
    extra: list[tuple[x509.ExtensionType, bool]] = []
    if san:
        extra.append((x509.SubjectAlternativeName(san), False))
    leaf = make_cert(leaf_subject, lk, inter, ik, extra_extensions=extra)
    return leaf, inter, root


ORG = _dn((NameOID.COUNTRY_NAME, "IN", None), (NameOID.ORGANIZATION_NAME, "Cryptokit Tests", None))


@pytest.mark.parametrize(
    ("subject", "san", "ok"),
    [
        (
            _dn(
                (NameOID.COUNTRY_NAME, "IN", None),
                (NameOID.ORGANIZATION_NAME, "cryptokit tests", None),
                (NameOID.COMMON_NAME, "Alice", None),
            ),
            None,
            True,
        ),
        (
            _dn(
                (NameOID.COUNTRY_NAME, "IN", None),
                (NameOID.ORGANIZATION_NAME, "Other Org", None),
                (NameOID.COMMON_NAME, "Mallory", None),
            ),
            None,
            False,
        ),
        (
            _dn(
                (NameOID.COMMON_NAME, "Alice", None),
            ),
            None,
            False,
        ),
    ],
)
def test_directory_name_permitted(subject: x509.Name, san: None, ok: bool) -> None:
    nc = x509.NameConstraints(permitted_subtrees=[x509.DirectoryName(ORG)], excluded_subtrees=None)
    leaf, inter, root = _constrained_chain(nc, subject)
    report = validate_chain(leaf, intermediates=[inter], trust_anchors=[root], cache=None)
    assert report.ok is ok, report.failures()
    if not ok:
        assert report.sub_indication is SubIndication.CHAIN_CONSTRAINTS_FAILURE
        assert [c.name for c in report.failures()] == ["name_constraints"]


def test_directory_name_excluded() -> None:
    nc = x509.NameConstraints(permitted_subtrees=None, excluded_subtrees=[x509.DirectoryName(ORG)])
    subject = _dn(
        (NameOID.COUNTRY_NAME, "IN", None),
        (NameOID.ORGANIZATION_NAME, "CRYPTOKIT TESTS", None),
        (NameOID.COMMON_NAME, "Eve", None),
    )
    leaf, inter, root = _constrained_chain(nc, subject)
    report = validate_chain(leaf, intermediates=[inter], trust_anchors=[root], cache=None)
    assert report.sub_indication is SubIndication.CHAIN_CONSTRAINTS_FAILURE


PLAIN = _dn(
    (NameOID.COMMON_NAME, "Leaf", None),
)


@pytest.mark.parametrize(
    ("permitted", "excluded", "san", "ok"),
    [
        (x509.RFC822Name("example.com"), None, x509.RFC822Name("alice@example.com"), True),
        (x509.RFC822Name("example.com"), None, x509.RFC822Name("alice@sub.example.com"), False),
        (x509.RFC822Name(".example.com"), None, x509.RFC822Name("alice@sub.example.com"), True),
        (x509.RFC822Name("alice@example.com"), None, x509.RFC822Name("bob@example.com"), False),
        (None, x509.RFC822Name("evil.com"), x509.RFC822Name("x@EVIL.com"), False),
        (x509.DNSName("example.com"), None, x509.DNSName("host.example.com"), True),
        (x509.DNSName("example.com"), None, x509.DNSName("badexample.com"), False),
        (None, x509.DNSName("example.com"), x509.DNSName("a.example.com"), False),
        (
            x509.IPAddress(ipaddress.ip_network("10.0.0.0/8")),
            None,
            x509.IPAddress(ipaddress.ip_address("10.1.2.3")),
            True,
        ),
        (
            x509.IPAddress(ipaddress.ip_network("10.0.0.0/8")),
            None,
            x509.IPAddress(ipaddress.ip_address("11.1.2.3")),
            False,
        ),
        (x509.IPAddress(ipaddress.ip_network("10.0.0.0/8")), None, x509.IPAddress(ipaddress.ip_address("::1")), False),
        # a constraint on one name type does not restrict another type
        (x509.DNSName("example.com"), None, x509.RFC822Name("alice@elsewhere.org"), True),
    ],
)
def test_san_constraints(
    permitted: x509.GeneralName | None, excluded: x509.GeneralName | None, san: x509.GeneralName, ok: bool
) -> None:
    nc = x509.NameConstraints(
        permitted_subtrees=[permitted] if permitted else None, excluded_subtrees=[excluded] if excluded else None
    )
    leaf, inter, root = _constrained_chain(nc, PLAIN, [san])
    assert (check_name_constraints(leaf, nc) is None) is ok
    report = validate_chain(leaf, intermediates=[inter], trust_anchors=[root], cache=None)
    assert report.ok is ok, report.failures()


def test_email_in_subject_dn_is_constrained() -> None:
    nc = x509.NameConstraints(permitted_subtrees=[x509.RFC822Name("example.com")], excluded_subtrees=None)
    subject = _dn((NameOID.COMMON_NAME, "Leaf", None), (NameOID.EMAIL_ADDRESS, "mallory@evil.com", None))
    leaf, inter, root = _constrained_chain(nc, subject)
    report = validate_chain(leaf, intermediates=[inter], trust_anchors=[root], cache=None)
    assert report.sub_indication is SubIndication.CHAIN_CONSTRAINTS_FAILURE
