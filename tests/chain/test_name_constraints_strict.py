"""Issue 16, point 1: name constraints that RFC 5280 forbids a path to break. Each case changes one
name or subtree of a chain that otherwise passes; the report must fail with a name-constraint (or
profile) check, never pass."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from cryptokit.chain import validate_chain
from cryptokit.chain.name_constraints import dns_name_ok, names_match, prepare
from cryptokit.errors import InputError
from cryptokit.report import SubIndication
from cryptokit.testing import make_cert, make_key, name

RK, IK, LK = make_key("p256", "nc16-root"), make_key("p256", "nc16-inter"), make_key("p256", "nc16-leaf")
ROOT = make_cert(name("NC16 Root"), RK, ca=True)


def _run(
    permitted: list[x509.GeneralName] | None,
    excluded: list[x509.GeneralName] | None,
    sans: list[x509.GeneralName] | None = None,
    subject: x509.Name | None = None,
) -> Any:
    nc = x509.NameConstraints(permitted_subtrees=permitted, excluded_subtrees=excluded)
    inter = make_cert(name("NC16 CA"), IK, ROOT, RK, ca=True, extra_extensions=[(nc, True)])
    extra = [(x509.SubjectAlternativeName(sans), False)] if sans else None
    leaf = make_cert(subject or name("NC16 Leaf"), LK, inter, IK, extra_extensions=extra)
    return validate_chain(leaf, intermediates=[inter], trust_anchors=[ROOT], cache=None)


def _refused(report: Any) -> str:
    assert not report.ok
    assert report.sub_indication is SubIndication.CHAIN_CONSTRAINTS_FAILURE, report.failures()
    failed = [c for c in report.failures() if c.name == "name_constraints"]
    assert failed, report.failures()
    return str(failed[0].message)


DNS = x509.DNSName

WILDCARDS = [
    # (permitted, excluded, SAN, ok)
    (None, [DNS("bar.example.com")], DNS("*.example.com"), False),  # CVE-2025-61727 class
    (None, [DNS("example.com")], DNS("*.example.com"), False),
    (None, [DNS(".example.com")], DNS("*.example.com"), False),
    (None, [DNS("a.bar.example.com")], DNS("*.example.com"), True),  # no single label reaches it
    (None, [DNS("bar.example.com")], DNS("*.other.com"), True),
    ([DNS("example.com")], None, DNS("*.example.com"), True),
    ([DNS(".example.com")], None, DNS("*.example.com"), True),
    ([DNS("bar.example.com")], None, DNS("*.example.com"), False),  # not everything it matches is permitted
    ([DNS("www.example.com")], None, DNS("*.example.com"), False),
]


@pytest.mark.parametrize(("permitted", "excluded", "san", "ok"), WILDCARDS)
def test_wildcard_sans_against_dns_subtrees(
    permitted: list[x509.GeneralName] | None, excluded: list[x509.GeneralName] | None, san: x509.DNSName, ok: bool
) -> None:
    report = _run(permitted, excluded, [san])
    if ok:
        assert report.ok, report.failures()
    else:
        _refused(report)


MALFORMED_SANS = [
    (DNS(".example.com"), "dNSName"),
    (DNS("exa mple.com"), "dNSName"),
    (DNS("example..com"), "dNSName"),
    (DNS("f*.example.com"), "dNSName"),
    (DNS("*.*.example.com"), "dNSName"),
    (DNS("-a.example.com"), "dNSName"),
    (x509.IPAddress(ipaddress.ip_network("10.0.0.0/8")), "network"),
    (x509.IPAddress(ipaddress.ip_network("2001:db8::/32")), "network"),
    (x509.RFC822Name._init_without_validation("a@b@example.com"), "rfc822Name"),
    (x509.RFC822Name("example.com"), "rfc822Name"),
]


@pytest.mark.parametrize(("san", "word"), MALFORMED_SANS)
def test_malformed_names_are_refused_not_skipped(san: x509.GeneralName, word: str) -> None:
    """Under a constraint of the name's type that the name would otherwise meet (an excluded subtree
    elsewhere), the malformed name is a failure, not a skipped name."""
    excluded = {
        x509.DNSName: [DNS("elsewhere.test")],
        x509.IPAddress: [x509.IPAddress(ipaddress.ip_network("192.0.2.0/24"))],
        x509.RFC822Name: [x509.RFC822Name("elsewhere.test")],
    }[type(san)]
    assert word in _refused(_run(None, excluded, [san]))


def _tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    length = bytes([n]) if n < 128 else bytes([0x81, n]) if n < 256 else bytes([0x82]) + n.to_bytes(2, "big")
    return bytes([tag]) + length + content


def _raw_nc(tag: int, value: bytes, *, excluded: bool) -> x509.UnrecognizedExtension:
    """A NameConstraints extension with one subtree written as raw DER (what cryptography's builder refuses)."""
    body = _tlv(0x30, _tlv(0xA1 if excluded else 0xA0, _tlv(0x30, _tlv(tag, value))))
    return x509.UnrecognizedExtension(x509.ObjectIdentifier("2.5.29.30"), body)


@pytest.mark.parametrize(
    ("tag", "value", "san"),
    [
        (0x82, b"exa mple.com", DNS("host.example.com")),
        (0x82, b"*.example.com", DNS("host.example.com")),
        (0x82, b"example..com", DNS("host.example.com")),
        (0x81, b"a@b@example.com", x509.RFC822Name("u@example.com")),
        (0x87, bytes([10, 0, 0, 1]), x509.IPAddress(ipaddress.ip_address("10.0.0.1"))),  # no mask
        (0x86, b"http://example.com/", x509.UniformResourceIdentifier("http://example.com/")),
    ],
)
@pytest.mark.parametrize("excluded", [False, True])
def test_malformed_constraints_are_refused(tag: int, value: bytes, san: x509.GeneralName, excluded: bool) -> None:
    nc = _raw_nc(tag, value, excluded=excluded)
    inter = make_cert(name("NC16 CA"), IK, ROOT, RK, ca=True, extra_extensions=[(nc, True)])
    aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(IK.public_key())
    extra = [(x509.SubjectAlternativeName([san]), False), (aki, False)]
    leaf = make_cert(name("NC16 Leaf"), LK, inter, IK, akid=False, extra_extensions=extra)
    try:
        report = validate_chain(leaf, intermediates=[inter], trust_anchors=[ROOT], cache=None)
    except InputError as exc:  # cryptography cannot parse it at all: a typed refusal of the input
        assert "intermediates" in exc.field
        return
    assert not report.ok
    failed = report.failures()[0]
    # refused either when cryptography cannot even parse the extension, or by the syntax check
    assert failed.name in ("name_constraints", "extensions"), report.failures()
    assert "constraint" in failed.message or "unparsable" in failed.message, failed.message


def test_well_formed_constraints_still_work() -> None:
    assert _run([DNS("example.com")], None, [DNS("a.example.com")]).ok
    assert _run([DNS(".example.com")], None, [DNS("a.example.com")]).ok
    assert _run(None, [DNS("")], [x509.RFC822Name("u@example.com")]).ok  # empty dNSName: all DNS names
    _refused(_run(None, [DNS("")], [DNS("a.example.com")]))


# ------------------------------------------------------------------ directoryName: RFC 4518


def _org(value: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, value)])


@pytest.mark.parametrize(
    "written",
    [
        "E\u200bvil Corp",  # ZERO WIDTH SPACE: mapped to nothing
        "Evil\u00adCorp".replace("Corp", " Corp"),  # SOFT HYPHEN
        "EVIL  CORP ",  # case and insignificant spaces
        "Evil\u2003Corp",  # EM SPACE (Zs) -> SPACE
        "Evil\u200d Corp",  # ZERO WIDTH JOINER (Cf)
        "\uff25vil Corp",  # FULLWIDTH E: NFKC
        "Evil\u0007 Corp",  # a control character
    ],
)
def test_directory_name_exclusion_uses_rfc4518_preparation(written: str) -> None:
    excluded = [x509.DirectoryName(_org("Evil Corp"))]
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, written),
            x509.NameAttribute(NameOID.COMMON_NAME, "Leaf"),
        ]
    )
    _refused(_run(None, excluded, subject=subject))
    assert names_match(_org(written), _org("Evil Corp"))


def test_directory_name_preparation_keeps_distinct_names_distinct() -> None:
    assert not names_match(_org("Evil Corp"), _org("EvilCorp"))
    assert prepare("Evil\ue000Corp") is None  # private use: prohibited (RFC 4518 2.4)
    excluded = [x509.DirectoryName(_org("Evil Corp"))]
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Evil\ue000Corp")])
    assert "prohibits" in _refused(_run(None, excluded, subject=subject))
    assert _run(None, excluded, subject=_org("Good Corp")).ok


# ------------------------------------------------------------------ URIs: WHATWG host or refused


@pytest.mark.parametrize(
    "uri",
    [
        "http://a.evil.com\\@good.com/",  # WHATWG: host a.evil.com; RFC 3986 readers: good.com
        "http:a.evil.com",
        "http:/a.evil.com/",
        "https://a.evil.com%2f@good.com/",
        "http://x@a.evil.com@good.com/",
        "http://a.evil.com\t/",
    ],
)
def test_uris_parsers_read_differently_are_refused_or_read_as_whatwg(uri: str) -> None:
    excluded = [x509.UniformResourceIdentifier(".evil.com")]
    _refused(_run(None, excluded, [x509.UniformResourceIdentifier(uri)]))


def test_uri_constraints_on_plain_uris() -> None:
    excluded = [x509.UniformResourceIdentifier(".evil.com")]
    _refused(_run(None, excluded, [x509.UniformResourceIdentifier("https://user@a.evil.com:8443/p")]))
    assert _run(None, excluded, [x509.UniformResourceIdentifier("https://good.com/p")]).ok
    permitted = [x509.UniformResourceIdentifier("good.com")]
    assert _run(permitted, None, [x509.UniformResourceIdentifier("https://good.com/p")]).ok
    _refused(_run(permitted, None, [x509.UniformResourceIdentifier("https://evil.com/p")]))


def test_dns_syntax_helper() -> None:
    assert dns_name_ok("a-b.example.com") and dns_name_ok("xn--bcher-kva.example")
    for bad in ("", ".a", "a.", "a..b", "-a", "a-", "a_b", "a" * 64, "é.com", ("a." * 127) + "a"):
        assert not dns_name_ok(bad), bad


_REFERENCE_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\Z")


@settings(max_examples=3000, deadline=None)
@given(
    st.text(alphabet="aZ09-._*\n é", max_size=14)
    | st.lists(st.sampled_from(["a" * 63, "a" * 64, "b", ""])).map(".".join)
)
def test_dns_name_ok_is_the_label_by_label_rule(value: str) -> None:
    """dns_name_ok (one regular expression over the whole name) answers as the label-by-label rule."""
    expected = 0 < len(value) <= 253 and value.isascii() and all(_REFERENCE_LABEL.match(x) for x in value.split("."))
    assert dns_name_ok(value) is expected
