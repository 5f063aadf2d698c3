"""Differential chain cases: one property changed at a time, judged by cryptokit and by cryptography's
Rust verifier (``cryptography.x509.verification``) as an oracle.

    from cryptokit.testing.chains import chain_cases, compare
    for case in chain_cases():
        outcome = compare(case)         # .ours .oracle .agree .deliberate (reason or None)

Every case starts from one conforming chain (P-256 root -> issuing CA -> leaf with a dNSName SAN) and
changes exactly one property: an extension's criticality or presence, the version, the key
parameters, the serial, names and wildcards under name constraints, validity. The oracle is a
*client* verifier with cryptography's default CA extension policy and a permissive end-entity policy
(``ExtensionPolicy.permit_all()``: document-signing leaves carry no serverAuth/clientAuth EKU).
:data:`DELIBERATE` lists the cases where cryptokit decides differently on purpose, each with its
RFC clause or reason; the tests and the ``chain_differential`` fuzz harness fail on any other
disagreement. A test helper: never for production keys.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

from . import PrivateKey, make_cert, make_key, name, resign

__all__ = [
    "ChainCase",
    "realistic_leaf_extensions",
    "explicit_curve",
    "Outcome",
    "chain_cases",
    "case_names",
    "build_case",
    "compare",
    "oracle",
    "ours",
    "decoy_intermediates",
    "DELIBERATE",
]

UTC = dt.UTC
DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class ChainCase:
    """One chain: ``name`` says which single property was changed (``baseline`` for none)."""

    name: str
    leaf: x509.Certificate
    intermediates: tuple[x509.Certificate, ...]
    anchor: x509.Certificate
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class Outcome:
    case: str
    ours: bool
    oracle: bool
    ours_reason: str = ""
    oracle_reason: str = ""
    deliberate: str | None = field(default=None)

    @property
    def agree(self) -> bool:
        return self.ours == self.oracle


_EE_PROFILE = "cryptography's permissive end-entity policy does not check it"

#: Cases where cryptokit's verdict differs from cryptography's verifier on purpose (case -> why).
#: The README's table of deliberate differences is this table.
DELIBERATE: dict[str, str] = {
    "leaf.aki_critical": f"RFC 5280 4.2.1.1: authorityKeyIdentifier MUST be non-critical; {_EE_PROFILE}",
    "leaf.aki_missing": f"RFC 5280 4.2.1.1: authorityKeyIdentifier MUST be present unless self-signed; {_EE_PROFILE}",
    "leaf.aia_critical": f"RFC 5280 4.2.2.1: authorityInfoAccess MUST be non-critical; {_EE_PROFILE}",
    "leaf.key_cert_sign_without_ca": f"RFC 5280 4.2.1.3: keyCertSign requires cA in basicConstraints; {_EE_PROFILE}",
    "leaf.name_constraints_in_ee": f"RFC 5280 4.2.1.10: nameConstraints only in CA certificates; {_EE_PROFILE}",
    "leaf.empty_subject_san_noncritical": (
        f"RFC 5280 4.1.2.6 and 4.2.1.6: an empty subject needs a critical subjectAltName; {_EE_PROFILE}"
    ),
    "leaf.serial_21_octets": "RFC 5280 4.1.2.2: serial numbers longer than 20 octets MUST NOT be used",
    "inter.serial_21_octets": "RFC 5280 4.1.2.2: serial numbers longer than 20 octets MUST NOT be used",
    "leaf.explicit_curve": f"RFC 5480 2.1.1: specifiedCurve MUST NOT be used; {_EE_PROFILE}",
    "inter.ski_missing": "RFC 5280 4.2.1.2: subjectKeyIdentifier MUST appear in all conforming CA certificates",
    "root.ski_missing": "RFC 5280 4.2.1.2: subjectKeyIdentifier MUST appear in all conforming CA certificates",
    "inter.aki_missing": "RFC 5280 4.2.1.1: authorityKeyIdentifier MUST be present unless self-signed",
    "inter.bc_noncritical": (
        "accepted: NIST PKITS 4.6.4 requires a path through a non-critical basicConstraints intermediate to "
        "validate; where the 4.2.1.9 profile rule collides with PKITS, PKITS wins (the rule is applied to the anchor)"
    ),
    "nc.dn_other": (
        "RFC 5280 4.2.1.10 directoryName constraints are evaluated (RFC 4518 string preparation); cryptography "
        "refuses every chain under a directoryName constraint as unsupported"
    ),
    "nc.uri_permitted_ok": (
        "RFC 5280 4.2.1.10 uniformResourceIdentifier constraints are evaluated on the URI's host (read as WHATWG "
        "parsers do); cryptography refuses every chain under a URI constraint as unsupported"
    ),
}


@dataclass(frozen=True, slots=True)
class _Keys:
    root: PrivateKey
    inter: PrivateKey
    leaf: PrivateKey


def _keys() -> _Keys:
    return _Keys(make_key("p256", "diff-root"), make_key("p256", "diff-inter"), make_key("p256", "diff-leaf"))


_UNKNOWN = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.55555.16"), b"\x05\x00")
_AIA = x509.AuthorityInformationAccess(
    [x509.AccessDescription(AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier("http://a.test/"))]
)


def _san(*names: x509.GeneralName) -> tuple[x509.ExtensionType, bool]:
    return (x509.SubjectAlternativeName(list(names)), False)


def _nc(permitted: list[x509.GeneralName] | None, excluded: list[x509.GeneralName] | None) -> Any:
    return (x509.NameConstraints(permitted_subtrees=permitted, excluded_subtrees=excluded), True)


_LEAF_SAN = x509.DNSName("signer.example.com")

# A mutation changes the keyword arguments of one certificate (root/inter/leaf) for make_cert,
# or re-signs one with an asn1crypto edit, or changes the validation time.
_Mutation = dict[str, Any]


def _resign_change(tbs_edit: Callable[[Any], None]) -> Callable[[Any], None]:
    return tbs_edit


def _v1(tbs: Any) -> None:
    tbs["version"] = "v1"


def _serial(value: int) -> Callable[[Any], None]:
    def edit(tbs: Any) -> None:
        tbs["serial_number"] = value

    return edit


def explicit_curve(tbs: Any) -> None:
    """A TBSCertificate edit (asn1crypto): the P-256 key as explicit domain parameters instead of the
    named curve (RFC 5480 forbids them in certificates)."""
    from asn1crypto import keys as a_keys

    p = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
    b = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
    g = bytes.fromhex(
        "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
        "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"
    )
    n = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    domain = {
        "version": 1,
        "field_id": {"field_type": "prime_field", "parameters": p},
        "curve": {"a": (p - 3).to_bytes(32, "big"), "b": b.to_bytes(32, "big")},
        "base": g,
        "order": n,
        "cofactor": 1,
    }
    params = a_keys.ECDomainParameters(name="specified", value=a_keys.SpecifiedECDomain(domain))
    spki = tbs["subject_public_key_info"]
    tbs["subject_public_key_info"] = a_keys.PublicKeyInfo(
        {"algorithm": {"algorithm": "ec", "parameters": params}, "public_key": spki["public_key"]}
    )


def _org(value: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.ORGANIZATION_NAME, value), x509.NameAttribute(NameOID.COMMON_NAME, "Diff Leaf")]
    )


DNS, IP, URI, EMAIL = x509.DNSName, x509.IPAddress, x509.UniformResourceIdentifier, x509.RFC822Name


def _mutations() -> dict[str, _Mutation]:
    k = _keys()
    aki_inter = x509.AuthorityKeyIdentifier.from_issuer_public_key(k.inter.public_key())
    ski_inter = x509.SubjectKeyIdentifier.from_public_key(k.inter.public_key())
    m: dict[str, _Mutation] = {"baseline": {}}
    # --- criticality / presence (4.2.1.x)
    m["leaf.aki_critical"] = {"leaf": {"akid": False, "extra": [(aki_inter, True)]}}
    m["leaf.aki_missing"] = {"leaf": {"akid": False}}
    m["leaf.aia_critical"] = {"leaf": {"extra": [(_AIA, True)]}}
    m["leaf.unknown_critical"] = {"leaf": {"extra": [(_UNKNOWN, True)]}}
    m["leaf.key_cert_sign_without_ca"] = {"leaf": {"key_usage": {"key_cert_sign": True}}}
    m["leaf.ca_true"] = {"leaf": {"ca": True}}
    m["leaf.bc_missing"] = {"leaf": {"bc_critical": None}}
    m["leaf.name_constraints_in_ee"] = {"leaf": {"extra": [_nc([DNS("example.com")], None)]}}
    m["leaf.empty_subject_san_noncritical"] = {"leaf": {"subject": x509.Name([])}}
    m["leaf.empty_subject_san_critical"] = {"leaf": {"subject": x509.Name([]), "san_critical": True}}
    m["leaf.expired"] = {"leaf": {"window": (-10, -1)}}
    m["leaf.not_yet_valid"] = {"leaf": {"window": (1, 10)}}
    m["leaf.v1_with_extensions"] = {"leaf": {"resign": _v1}}
    m["leaf.serial_21_octets"] = {"leaf": {"resign": _serial(2**161)}}
    m["leaf.serial_20_octets"] = {"leaf": {"resign": _serial(2**150)}}
    m["leaf.explicit_curve"] = {"leaf": {"resign": explicit_curve}}
    m["inter.ski_critical"] = {"inter": {"skid": False, "extra": [(ski_inter, True)]}}
    m["inter.ski_missing"] = {"inter": {"skid": False}}
    m["inter.aki_missing"] = {"inter": {"akid": False}}
    m["inter.bc_noncritical"] = {"inter": {"bc_critical": False}}
    m["inter.bc_missing"] = {"inter": {"bc_critical": None}}
    m["inter.no_key_cert_sign"] = {"inter": {"key_usage": {"key_cert_sign": False}}}
    m["inter.unknown_critical"] = {"inter": {"extra": [(_UNKNOWN, True)]}}
    m["inter.aia_critical"] = {"inter": {"extra": [(_AIA, True)]}}
    m["inter.expired"] = {"inter": {"window": (-10, -1)}}
    m["inter.explicit_curve"] = {"inter": {"resign": explicit_curve}}
    m["inter.serial_21_octets"] = {"inter": {"resign": _serial(2**161)}}
    m["root.bc_noncritical"] = {"root": {"bc_critical": False}}
    m["root.bc_missing"] = {"root": {"bc_critical": None}}
    m["root.unknown_critical"] = {"root": {"extra": [(_UNKNOWN, True)]}}
    m["root.aia_critical"] = {"root": {"extra": [(_AIA, True)]}}
    m["root.ski_missing"] = {"root": {"skid": False}}
    m["root.expired"] = {"root": {"window": (-10, -1)}}
    m["root.not_yet_valid"] = {"root": {"window": (1, 10)}}
    m["root.serial_zero"] = {"root": {"resign": _serial(0)}}
    m["root.no_key_cert_sign"] = {"root": {"key_usage": {"key_cert_sign": False}}}
    # --- names under name constraints in the issuing CA (4.2.1.10)
    # An excluded directory name (O=Evil Corp): the leaf's subject is compared with it as RFC 5280 says.
    evil_corp = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Evil Corp")])
    no_evil_corp = _nc(None, [x509.DirectoryName(evil_corp)])
    nc_cases: dict[str, tuple[Any, list[x509.GeneralName] | None, x509.Name | None]] = {
        "nc.permitted_dns_ok": (_nc([DNS("example.com")], None), None, None),
        "nc.permitted_dns_outside": (_nc([DNS("other.com")], None), None, None),
        "nc.excluded_dns_hit": (_nc(None, [DNS("example.com")]), None, None),
        "nc.excluded_sibling_vs_wildcard": (_nc(None, [DNS("bar.example.com")]), [DNS("*.example.com")], None),
        "nc.excluded_parent_vs_wildcard": (_nc(None, [DNS("example.com")]), [DNS("*.example.com")], None),
        "nc.permitted_sibling_vs_wildcard": (_nc([DNS("bar.example.com")], None), [DNS("*.example.com")], None),
        "nc.permitted_parent_vs_wildcard": (_nc([DNS("example.com")], None), [DNS("*.example.com")], None),
        "nc.san_leading_period": (_nc(None, [DNS("other.com")]), [DNS(".example.com")], None),
        "nc.san_double_period": (_nc(None, [DNS("other.com")]), [DNS("a..example.com")], None),
        "nc.san_partial_wildcard": (_nc(None, [DNS("other.com")]), [DNS("a*.example.com")], None),
        "nc.san_underscore": (_nc(None, [DNS("other.com")]), [DNS("a_b.example.com")], None),
        "nc.san_ip_cidr": (
            _nc(None, [IP(ipaddress.ip_network("192.0.2.0/24"))]),
            [IP(ipaddress.ip_network("10.0.0.0/8"))],
            None,
        ),
        "nc.san_ip_ok": (
            _nc([IP(ipaddress.ip_network("10.0.0.0/8"))], None),
            [IP(ipaddress.ip_address("10.1.2.3"))],
            None,
        ),
        "nc.san_ip_outside": (
            _nc([IP(ipaddress.ip_network("10.0.0.0/8"))], None),
            [IP(ipaddress.ip_address("11.1.2.3"))],
            None,
        ),
        "nc.email_two_at": (
            _nc(None, [EMAIL("other.com")]),
            [EMAIL._init_without_validation("a@b@example.com")],
            None,
        ),
        "nc.email_excluded": (_nc(None, [EMAIL("example.com")]), [EMAIL("a@example.com")], None),
        "nc.email_permitted": (_nc([EMAIL("example.com")], None), [EMAIL("a@example.com")], None),
        "nc.dn_excluded": (no_evil_corp, None, _org("Evil Corp")),
        "nc.dn_excluded_case_space": (no_evil_corp, None, _org("EVIL  corp")),
        "nc.dn_excluded_zwsp": (no_evil_corp, None, _org("E\u200bvil Corp")),
        "nc.dn_other": (no_evil_corp, None, _org("Good Corp")),
        "nc.uri_excluded": (_nc(None, [URI(".evil.com")]), [URI("https://a.evil.com/x")], None),
        "nc.uri_backslash": (_nc(None, [URI(".evil.com")]), [URI("http://a.evil.com\\@good.com/")], None),
        "nc.uri_permitted_ok": (_nc([URI("good.com")], None), [URI("https://good.com/x")], None),
    }
    for case, (nc, sans, subject) in nc_cases.items():
        leaf: dict[str, Any] = {}
        if sans is not None:
            leaf["sans"] = sans
        if subject is not None:
            leaf["subject"] = subject
        m[case] = {"inter": {"extra": [nc]}, "leaf": leaf}
    # --- time
    m["time.leaf_not_after_plus_5ms"] = {"leaf": {"window": (-10, 30)}, "at": "leaf_not_after+5ms"}
    m["time.leaf_not_after_plus_1s"] = {"leaf": {"window": (-10, 30)}, "at": "leaf_not_after+1s"}
    return m


_MUTATIONS: dict[str, _Mutation] | None = None


def case_names() -> list[str]:
    """Every case name, ``baseline`` first."""
    global _MUTATIONS
    if _MUTATIONS is None:
        _MUTATIONS = _mutations()
    return list(_MUTATIONS)


def _cert(
    role: str,
    spec: dict[str, Any],
    key: PrivateKey,
    issuer: x509.Certificate | None,
    issuer_key: PrivateKey | None,
    now: dt.datetime,
) -> x509.Certificate:
    subject = spec.get("subject", name(f"Diff {role.title()}"))
    lo, hi = spec.get("window", (-1, 365))
    extra = list(spec.get("extra", []))
    if role == "leaf":
        sans = spec.get("sans", [_LEAF_SAN])
        extra.append((x509.SubjectAlternativeName(sans), bool(spec.get("san_critical", False))))
    cert = make_cert(
        subject,
        key,
        issuer,
        issuer_key,
        ca=spec.get("ca", role != "leaf"),
        not_before=now + lo * DAY,
        not_after=now + hi * DAY,
        key_usage=spec.get("key_usage"),
        extra_extensions=extra or None,
        skid=spec.get("skid", True),
        akid=spec.get("akid", True),
        bc_critical=spec.get("bc_critical", True),
    )
    edit = spec.get("resign")
    if edit is not None:
        cert = resign(cert, issuer_key if issuer_key is not None else key, edit)
    return cert


def build_case(case: str, now: dt.datetime | None = None, *, san: x509.GeneralName | None = None) -> ChainCase:
    """The chain for ``case`` (one of :func:`case_names`); ``san`` replaces the leaf's names (fuzzing)."""
    names = case_names()
    if case not in names:
        raise KeyError(case)
    assert _MUTATIONS is not None
    mutation = _MUTATIONS[case]
    if san is not None:
        mutation = {**mutation, "leaf": {**mutation.get("leaf", {}), "sans": [san]}}
    now = (now or dt.datetime.now(UTC)).replace(microsecond=0)
    k = _keys()
    root = _cert("root", mutation.get("root", {}), k.root, None, None, now)
    inter = _cert("inter", mutation.get("inter", {}), k.inter, root, k.root, now)
    leaf = _cert("leaf", mutation.get("leaf", {}), k.leaf, inter, k.inter, now)
    at = now
    when = mutation.get("at")
    if when == "leaf_not_after+5ms":
        at = leaf.not_valid_after_utc + dt.timedelta(milliseconds=5)
    elif when == "leaf_not_after+1s":
        at = leaf.not_valid_after_utc + dt.timedelta(seconds=1)
    return ChainCase(case, leaf, (inter,), root, at)


def chain_cases(now: dt.datetime | None = None) -> Iterator[ChainCase]:
    """Every case, baseline first."""
    for case in case_names():
        yield build_case(case, now)


def oracle(case: ChainCase) -> tuple[bool, str]:
    """cryptography's verifier: (accepted, reason)."""
    from cryptography.x509.verification import ExtensionPolicy, PolicyBuilder, Store, VerificationError

    try:
        verifier = (
            PolicyBuilder()
            .store(Store([case.anchor]))
            .time(case.at)
            .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ExtensionPolicy.permit_all())
            .build_client_verifier()
        )
        verifier.verify(case.leaf, list(case.intermediates))
    except VerificationError as exc:
        return False, str(exc)
    except (ValueError, TypeError) as exc:  # a certificate the verifier cannot even read
        return False, f"{type(exc).__name__}: {exc}"
    return True, ""


def ours(case: ChainCase) -> tuple[bool, str]:
    """cryptokit's validate_chain under ChainPolicy.rfc5280(): (TOTAL_PASSED, first failure)."""
    from ..chain import ChainPolicy, validate_chain
    from ..errors import InputError

    try:
        report = validate_chain(
            case.leaf,
            intermediates=case.intermediates,
            trust_anchors=[case.anchor],
            at=case.at,
            policy=ChainPolicy.rfc5280(),
            cache=None,
        )
    except InputError as exc:
        return False, f"InputError: {exc}"
    failures = report.failures()
    return report.ok, (f"{failures[0].name}: {failures[0].message}" if failures else "")


def compare(case: ChainCase) -> Outcome:
    """Both verdicts for ``case`` and, when they differ, the documented reason (or None)."""
    a, why_a = ours(case)
    b, why_b = oracle(case)
    return Outcome(case.name, a, b, why_a, why_b, DELIBERATE.get(case.name) if a != b else None)


def decoy_intermediates(
    real: x509.Certificate, anchor: x509.Certificate, count: int, *, label: str = "decoy"
) -> list[x509.Certificate]:
    """``count`` CA certificates with ``real``'s subject and subjectKeyIdentifier, issued in
    ``anchor``'s name but signed by a junk key: each is a candidate issuer for ``real``'s children,
    tried before ``real`` itself, and none verifies (the shape of the quadratic-cost reports)."""
    ski = real.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    junk = make_key("p256", f"{label}-junk")
    out = []
    for i in range(count):
        key = make_key("p256", f"{label}-{i % 8}")
        out.append(
            make_cert(
                real.subject,
                key,
                anchor,
                junk,
                ca=True,
                skid=False,
                serial=10_000 + i,
                extra_extensions=[(ski, False)],
            )
        )
    return out


def der_reader_disagreement(der: bytes) -> str | None:
    """Where :mod:`cryptokit.chain.der` (the fast path for a certificate never seen) and the general
    path (cryptography's name and extension objects) disagree on ``der``, else None.

    None also when the reader declines ``der`` (the general path then decides alone). When it
    accepts, the general path must admit the certificate without a warning and read it to the same
    facts, field by field (the algorithm parameter objects compared by type)."""
    import dataclasses
    import warnings

    from ..certificates import load_der_certificate
    from ..chain import validate as v
    from ..chain.der import read_certificate
    from ..errors import InputError

    if der[:1] != b"\x30":
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fields = read_certificate(der)  # first, as in validate._fresh: it stands for the admission scan
        if fields is None:
            return None
        try:
            cert = x509.load_der_x509_certificate(der)
        except (ValueError, TypeError, x509.InvalidVersion):
            return None
        except Warning as exc:
            return f"the reader accepts what cryptography's load warns about: {exc}"
        fast = v._fields_facts(cert, der, fields)
        try:
            general = load_der_certificate(der, "certificate", allow_non_positive_serial=True)
        except (InputError, Warning) as exc:
            return f"the reader accepts what the general path refuses: {exc}"
        span = v._tbs_span(der)
        slow = v._facts(general, der[span[0] : span[1]])
    slow.plain_der, slow.der, slow.tbs = True, der, span
    if fast.read_names is None:
        return "read_names: not kept by the reader's path"
    problem = _read_names_disagreement(fast, general)
    if problem is not None:
        return problem
    fast.read_names = None  # the general path does not keep them: compared just above
    for f in dataclasses.fields(slow):
        a, b = getattr(fast, f.name), getattr(slow, f.name)
        if f.name == "sig_parts" and not isinstance(a, str) and not isinstance(b, str):
            a, b = [(type(p).__name__, type(h).__name__, oid) for p, h, oid in (a, b)]
        if a != b:
            return f"{f.name}: reader {a!r}, general path {b!r}"
    return None


@contextmanager
def der_reader_off(*forget: bytes) -> Iterator[None]:
    """Within it, validate_chain reads every certificate never seen through cryptography's objects
    (the general path; :mod:`cryptokit.chain.der`'s reader switched off), for differential tests;
    the facts kept for the DER in ``forget`` are dropped on entry and on exit."""
    from ..chain import validate as v

    original = v._fresh
    for der in forget:
        v._FACTS_BY_DER.pop(der, None)
    v._fresh = lambda _der: None  # type: ignore[assignment]
    try:
        yield
    finally:
        v._fresh = original
        for der in forget:
            v._FACTS_BY_DER.pop(der, None)


def _read_names_disagreement(fast: Any, cert: x509.Certificate) -> str | None:
    """Where the names name constraints check for the reader's facts ``fast`` (``name_constraints
    .read_names``) differ from those of the general path's ``cert`` (``_cert_names``: cryptography's
    objects), directoryNames compared by comparison key and RFC 4514 text; None when the same."""
    from ..chain import name_constraints as nc

    subject, san = fast.read_names
    read = nc.read_names(subject, fast.subject_key, fast.subject, san)
    general = nc._cert_names(cert, True)

    def plain(names: list[tuple[type, Any]] | None) -> list[tuple[str, Any]] | None:
        if names is None:
            return None
        out = []
        for kind, value in names:
            if isinstance(value, x509.Name):
                value = (nc.name_key(value), value.rfc4514_string())
            elif isinstance(value, nc._Dn):
                value = (value.key, value.name)
            out.append((kind.__name__, value))
        return out

    a, b = plain(read), plain(general)
    return None if a == b else f"names under name constraints: reader {a!r}, general path {b!r}"


def realistic_leaf_extensions(i: int) -> list[tuple[x509.ExtensionType, bool]]:
    """The extensions real-world signing leaves nearly always carry, varied by ``i``: subjectAltName
    (rfc822Name, dNSName, URI), cRLDistributionPoints (a fullName URI), authorityInfoAccess (OCSP and
    caIssuers URIs), certificatePolicies (one or two policy OIDs, every other leaf with a CPS URI)."""
    san = x509.SubjectAlternativeName(
        [
            x509.RFC822Name(f"signer{i}@example.com"),
            x509.DNSName(f"signer{i}.example.com"),
            x509.UniformResourceIdentifier(f"https://example.com/signers/{i}"),
        ]
    )
    crl = x509.UniformResourceIdentifier("http://crl.example.com/issuing-ca.crl")
    dp = x509.CRLDistributionPoints([x509.DistributionPoint([crl], None, None, None)])
    aia = x509.AuthorityInformationAccess(
        [
            x509.AccessDescription(
                x509.oid.AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier("http://ocsp.example.com")
            ),
            x509.AccessDescription(
                x509.oid.AuthorityInformationAccessOID.CA_ISSUERS,
                x509.UniformResourceIdentifier("http://ca.example.com/issuing-ca.cer"),
            ),
        ]
    )
    qualifiers = ["https://example.com/cps"] if i % 2 else None
    policies = [x509.PolicyInformation(x509.ObjectIdentifier("1.3.6.1.4.1.55555.1.1"), qualifiers)]
    if i % 3 == 0:
        policies.append(x509.PolicyInformation(x509.ObjectIdentifier("2.23.140.1.2.1"), None))
    return [(san, False), (dp, False), (aia, False), (x509.CertificatePolicies(policies), False)]
