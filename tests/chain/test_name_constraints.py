"""RFC 5280 name chaining (section 7.1) and name constraints in chain validation."""

from __future__ import annotations

import ipaddress

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from cryptokit.chain import name_constraints as chain_names
from cryptokit.chain import validate_chain
from cryptokit.chain.name_constraints import check_name_constraints, names_match
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
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),  # type: ignore[attr-defined]
            critical=False,
        )
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


# --------------------------------------------------------------------------- bounds (security audit: DoS)


_LABELS = st.sampled_from(["", "a", "b", "ex", "EX", "c"])
_HOSTS = st.lists(_LABELS, min_size=0, max_size=4).map(".".join) | st.lists(_LABELS, max_size=3).map(
    lambda labels: "." + ".".join(labels)
)


def _index_agrees(kind: type, values: list[object], constraints: list[object]) -> None:
    """The compiled (indexed) check finds a containing subtree exactly when the reference matcher does."""
    reference = chain_names._MATCHERS[kind]
    index = chain_names._INDEXES[kind]()
    for c in constraints:
        index.add(c, c)
    for v in values:
        expected = [c for c in constraints if reference(v, c)]
        hit = index.match(v)
        assert (hit is not None) == bool(expected), (v, constraints, hit)
        if hit is not None:
            assert hit in expected


@settings(max_examples=300, deadline=None)
@given(st.lists(_HOSTS, max_size=5), st.lists(_HOSTS, min_size=1, max_size=5))
def test_dns_index_agrees_with_matcher(constraints: list[str], names: list[str]) -> None:
    _index_agrees(x509.DNSName, [n.lstrip(".") + s for n in names for s in ("", ".")], list(constraints))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_HOSTS | st.tuples(st.sampled_from(["u", "U", ""]), _HOSTS).map("@".join), max_size=5),
    st.lists(st.tuples(st.sampled_from(["u", "U", "v"]), _HOSTS).map("@".join), min_size=1, max_size=5),
)
def test_email_and_uri_indexes_agree_with_matchers(constraints: list[str], mailboxes: list[str]) -> None:
    _index_agrees(x509.RFC822Name, mailboxes, constraints)
    hosts = [m.rpartition("@")[2] for m in mailboxes]
    uris = [f"https://{h}/p" for h in hosts] + [f"ldap://u@{h}:389" for h in hosts] + ["urn:x", "http://[::1"]
    _index_agrees(x509.UniformResourceIdentifier, uris, [c for c in constraints if "@" not in c])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(["A", "a ", "B", "C"]), max_size=3), max_size=5),
    st.lists(st.lists(st.sampled_from(["A", "a", "B", "C"]), max_size=4), min_size=1, max_size=5),
)
def test_dn_index_agrees_with_matcher(constraints: list[list[str]], names: list[list[str]]) -> None:
    def dn(cns: list[str]) -> x509.Name:
        return x509.Name([x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.COMMON_NAME, c)]) for c in cns])

    _index_agrees(x509.DirectoryName, [dn(n) for n in names], [dn(c) for c in constraints])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 32)), max_size=6),
    st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=6),
)
def test_ip_index_agrees_with_matcher(constraints: list[tuple[int, int]], addresses: list[int]) -> None:
    nets = [ipaddress.ip_network((ipaddress.IPv4Address(a), p), strict=False) for a, p in constraints]
    nets.append(ipaddress.ip_network("2001:db8::/32"))
    values: list[object] = [ipaddress.IPv4Address(a) for a in addresses]
    values += [ipaddress.IPv6Address("2001:db8::1"), ipaddress.ip_network(f"{ipaddress.IPv4Address(addresses[0])}/32")]
    _index_agrees(x509.IPAddress, values, nets)


def _nc_chain(
    excluded: list[x509.GeneralName], sans: list[x509.GeneralName], *, forge: bool = False
) -> tuple[x509.Certificate, x509.Certificate, x509.Certificate]:
    rk, ik, lk = make_key("p256", "nc-root"), make_key("p256", "nc-inter"), make_key("p256", "nc-leaf")
    root = make_cert("NC Root", rk, ca=True)
    nc = x509.NameConstraints(permitted_subtrees=None, excluded_subtrees=excluded)
    inter = make_cert("NC Inter", ik, root, ik if forge else rk, ca=True, extra_extensions=[(nc, True)])
    leaf = make_cert(
        "NC Leaf", lk, inter, ik, extra_extensions=[(x509.SubjectAlternativeName(sans), False)] if sans else None
    )
    return root, inter, leaf


_KINDS = {
    "dns": (lambda i: x509.DNSName(f"x{i}.example"), lambda i: x509.DNSName(f"h{i}.test")),
    "email": (lambda i: x509.RFC822Name(f".x{i}.example"), lambda i: x509.RFC822Name(f"u@h{i}.test")),
    "uri": (
        lambda i: x509.UniformResourceIdentifier(f"x{i}.example"),
        lambda i: x509.UniformResourceIdentifier(f"https://h{i}.test/"),
    ),
    "dn": (
        lambda i: x509.DirectoryName(x509.Name.from_rfc4514_string(f"CN=x{i},O=Ex")),
        lambda i: x509.DirectoryName(x509.Name.from_rfc4514_string(f"CN=h{i},O=T")),
    ),
    "ip": (
        lambda i: x509.IPAddress(ipaddress.ip_network(f"10.{i % 256}.{i // 256}.0/{8 + i % 25}", strict=False)),
        lambda i: x509.IPAddress(ipaddress.ip_address(f"192.0.{i // 256}.{i % 256}")),
    ),
}


@pytest.mark.parametrize("kind", list(_KINDS))
def test_name_constraints_at_the_bounds_are_fast_and_over_them_fail(kind: str) -> None:
    """MAX_SUBTREES excluded subtrees x MAX_NAMES names of one type, properly signed: checked in well
    under a second (linear, indexed); one more subtree or name is a CHAIN_CONSTRAINTS_FAILURE check."""
    import time

    sub, san = _KINDS[kind]
    n, m = chain_names.MAX_SUBTREES, chain_names.MAX_NAMES - 1  # the leaf's subject is the other name
    root, inter, leaf = _nc_chain([sub(i) for i in range(n)], [san(i) for i in range(m)])
    start = time.perf_counter()
    report = validate_chain(leaf, intermediates=[inter], trust_anchors=[root], cache=None)
    elapsed = time.perf_counter() - start
    assert report.ok, report.failures()
    assert elapsed < 1.0, f"{elapsed:.2f}s"  # measured 0.005-0.05 s

    # an excluded name among them is still found
    root, inter, leaf = _nc_chain([sub(i) for i in range(n)], [san(i) for i in range(m - 1)] + [sub(n - 1)])
    if kind == "email":
        leaf = _nc_chain([sub(i) for i in range(n)], [x509.RFC822Name(f"u@a.x{n - 1}.example")])[2]
    if kind == "uri":
        leaf = _nc_chain([sub(i) for i in range(n)], [x509.UniformResourceIdentifier(f"https://x{n - 1}.example/")])[2]
    if kind == "ip":
        net = sub(n - 1).value
        leaf = _nc_chain([sub(i) for i in range(n)], [x509.IPAddress(net.network_address + 1)])[2]
    report = validate_chain(leaf, intermediates=[inter], trust_anchors=[root], cache=None)
    assert [c.name for c in report.failures()] == ["name_constraints"], report.failures()
    assert "excluded" in report.failures()[0].message

    for subs, sans in (([sub(i) for i in range(n + 1)], [san(0)]), ([sub(0)], [san(i) for i in range(m + 1)])):
        root, inter, leaf = _nc_chain(subs, sans)
        report = validate_chain(leaf, intermediates=[inter], trust_anchors=[root], cache=None)
        assert not report.ok
        assert report.sub_indication is SubIndication.CHAIN_CONSTRAINTS_FAILURE
        assert [c.name for c in report.failures()] == ["name_constraints"]


def test_name_constraints_not_evaluated_under_a_failed_signature(monkeypatch: pytest.MonkeyPatch) -> None:
    """A forged intermediate's constraints are never matched: the check is skipped, the signature fails."""

    def explode(*args: object, **kwargs: object) -> None:
        raise AssertionError("name constraints evaluated on a path whose signature failed")

    root, inter, leaf = _nc_chain([x509.DNSName("h1.test")], [x509.DNSName("h1.test")], forge=True)
    monkeypatch.setattr(chain_names, "CompiledConstraints", explode)
    from cryptokit.chain import validate as chain_validate

    monkeypatch.setattr(chain_validate, "compile_name_constraints", explode)
    report = validate_chain(leaf, intermediates=[inter], trust_anchors=[root], cache=None)
    assert report.sub_indication is SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE
    assert [c.name for c in report.failures()] == ["signature"]
    skipped = [c for c in report.checks if c.name == "name_constraints"]
    assert skipped and all(c.outcome.value == "skipped" for c in skipped)


# --------------------------------------------------------------------------- names as chain.der read them


def _dns(*names: str) -> list[x509.GeneralName]:
    return [x509.DNSName(n) for n in names]


_SIGNER = x509.Name.from_rfc4514_string("CN=Signer,O=Cryptokit Tests,C=IN")  # C, O, CN: under ORG
_ALL_TYPES = x509.NameConstraints(
    permitted_subtrees=[
        x509.DNSName("example.com"),
        x509.RFC822Name("example.com"),
        x509.UniformResourceIdentifier("example.com"),
        x509.DirectoryName(ORG),
    ],
    excluded_subtrees=[x509.DNSName("bar.example.com"), x509.RFC822Name("evil@example.com")],
)
_REALISTIC_SAN: list[x509.GeneralName] = [
    x509.RFC822Name("signer@example.com"),
    x509.DNSName("signer.example.com"),
    x509.UniformResourceIdentifier("https://example.com/signers/1"),
]
_EMAIL_IN_SUBJECT = x509.Name.from_rfc4514_string("1.2.840.113549.1.9.1=mallory@evil.com,O=Cryptokit Tests,C=IN")
#: (constraints, leaf subject, subjectAltName, the name_constraints check passes): every leaf is
#: inside chain.der's subset
READ_CASES: dict[str, tuple[x509.NameConstraints, x509.Name, list[x509.GeneralName] | None, bool]] = {
    "all types satisfied": (_ALL_TYPES, _SIGNER, _REALISTIC_SAN, True),
    "no subjectAltName, subject satisfied": (_ALL_TYPES, _SIGNER, None, True),
    "dNSName outside": (_ALL_TYPES, _SIGNER, _dns("signer.example.org"), False),
    "dNSName excluded": (_ALL_TYPES, _SIGNER, _dns("a.bar.example.com"), False),
    "wildcard over an excluded name": (_ALL_TYPES, _SIGNER, _dns("*.example.com"), False),
    "malformed dNSName": (_ALL_TYPES, _SIGNER, _dns("bad..example.com"), False),
    "rfc822Name excluded mailbox": (_ALL_TYPES, _SIGNER, [x509.RFC822Name("evil@example.com")], False),
    "rfc822Name outside": (_ALL_TYPES, _SIGNER, [x509.RFC822Name("signer@example.org")], False),
    "emailAddress in the subject": (
        x509.NameConstraints(permitted_subtrees=[x509.RFC822Name("example.com")], excluded_subtrees=None),
        _EMAIL_IN_SUBJECT,
        None,
        False,
    ),
    "emailAddress in the subject satisfied, directoryName outside": (
        _ALL_TYPES,
        _dn((NameOID.COMMON_NAME, "Signer", None), (NameOID.EMAIL_ADDRESS, "signer@example.com", None)),
        None,
        False,
    ),
    "URI outside": (_ALL_TYPES, _SIGNER, [x509.UniformResourceIdentifier("https://example.org/x")], False),
    "URI read differently by parsers": (
        _ALL_TYPES,
        _SIGNER,
        [x509.UniformResourceIdentifier("https:\\\\example.com\\x")],
        False,
    ),
    "directoryName outside": (_ALL_TYPES, _dn((NameOID.COMMON_NAME, "Signer", None)), _REALISTIC_SAN, False),
    "directoryName excluded": (
        x509.NameConstraints(permitted_subtrees=None, excluded_subtrees=[x509.DirectoryName(ORG)]),
        x509.Name.from_rfc4514_string("CN=Eve,O=CRYPTOKIT  tests,C=IN"),
        None,
        False,
    ),
    "directoryName with a prohibited character": (
        x509.NameConstraints(permitted_subtrees=None, excluded_subtrees=[x509.DirectoryName(ORG)]),
        _dn((NameOID.COMMON_NAME, "Private \ue000 use", None)),
        None,
        False,
    ),
    "empty subject, subjectAltName satisfied": (_ALL_TYPES, x509.Name([]), _REALISTIC_SAN, True),
    "names over the bound": (_ALL_TYPES, _SIGNER, _dns(*(f"h{i}.example.com" for i in range(1024))), False),
}


def _reports(leaf_der: bytes, inter: x509.Certificate, root: x509.Certificate) -> tuple[dict, dict, dict]:  # type: ignore[type-arg]
    from cryptography.hazmat.primitives.serialization import Encoding

    import cryptokit.chain.validate as validate_mod
    from cryptokit.testing.chains import der_reader_off

    args = {"intermediates": [inter.public_bytes(Encoding.DER)], "trust_anchors": [root], "cache": None, "at": NOW}
    validate_mod._FACTS_BY_DER.pop(leaf_der, None)
    read = validate_chain(leaf_der, **args).to_dict()  # type: ignore[arg-type]
    with der_reader_off(leaf_der):
        general = validate_chain(leaf_der, **args).to_dict()  # type: ignore[arg-type]
    objects = validate_chain(x509.load_der_x509_certificate(leaf_der), **args).to_dict()  # type: ignore[arg-type]
    return read, general, objects


@pytest.mark.parametrize("case", list(READ_CASES))
def test_names_as_read_give_the_same_report(case: str) -> None:
    """A leaf inside chain.der's subset has its names checked as the reader read them: the report
    (verdict, every check, every message) equals the one from cryptography's name and extension
    objects (the reader switched off, and a certificate object), passing or failing."""
    from cryptography.hazmat.primitives.serialization import Encoding

    from cryptokit.chain.der import read_certificate
    from cryptokit.testing.chains import der_reader_disagreement

    constraints, subject, san, ok = READ_CASES[case]
    leaf, inter, root = _constrained_chain(constraints, subject, san)
    der = leaf.public_bytes(Encoding.DER)
    assert read_certificate(der) is not None and der_reader_disagreement(der) is None
    read, general, objects = _reports(der, inter, root)
    assert read == general == objects
    assert read["ok"] is (ok and subject != x509.Name([]))  # an empty subject wants a critical SAN (4.2.1.6)
    nc = [c for c in read["checks"] if c["name"] == "name_constraints" and c["subject"] == read["checks"][0]["subject"]]
    assert len(nc) == 1 and (nc[0]["outcome"] == "passed") is ok, nc
    if not ok:
        assert read["sub_indication"] == SubIndication.CHAIN_CONSTRAINTS_FAILURE.value
        assert nc[0]["message"] == check_name_constraints(leaf, constraints)


def test_grouped_constraints_kept_across_calls_only_when_small() -> None:
    """A CA's nameConstraints grouped by type is kept across calls (by extension object) when it has
    at most _COMPILED_SUBTREES subtrees, and a larger one is not (memory bound in SECURITY.md); the
    verdicts are the same on the first and a later call either way."""
    import cryptokit.chain.validate as validate_mod

    for count, kept in ((2, True), (validate_mod._COMPILED_SUBTREES + 1, False)):
        subtrees = [x509.DNSName(f"h{i}.example") for i in range(count)]
        nc = x509.NameConstraints(permitted_subtrees=subtrees, excluded_subtrees=None)
        validate_mod._COMPILED.clear()
        for san, ok in (("h1.example", True), ("other.test", False), ("a.h0.example", True)):
            leaf, inter, root = _constrained_chain(nc, PLAIN, [x509.DNSName(san)])
            report = validate_chain(leaf, intermediates=[inter], trust_anchors=[root], cache=None)
            assert report.ok is ok, report.failures()
            ca_nc = inter.extensions.get_extension_for_class(x509.NameConstraints).value
            assert ca_nc == nc
        assert bool(validate_mod._COMPILED) is kept
