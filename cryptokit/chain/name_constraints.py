r"""RFC 5280 name handling: DN comparison (section 7.1) and name constraints (section 4.2.1.10).

DN comparison: two names match when they have the same RDNs in the same order, each RDN the same
set of (type, value) pairs, string values compared after RFC 4518 string preparation as section
7.1 asks: the characters RFC 4518 2.2 maps to nothing are dropped (soft hyphen, ZERO WIDTH SPACE
U+200B, joiners, variation selectors, every other control and format character), the other spaces
and line breaks become SPACE, case is folded (stringprep table B.2), NFKC applied, and
insignificant spaces removed (leading/trailing, runs collapsed). A value holding a character RFC
4518 2.4 prohibits (private use, non-characters, surrogates, tagging, U+FFFD) cannot be prepared:
it matches only itself byte for byte, and under directoryName constraints it is refused. The
ASN.1 string type is not compared, so PrintableString -> UTF8String rollover matches. Binary
values compare exactly. Not done: the unassigned-code-point table (A.1 is Unicode 3.2; newer
characters are accepted).

Name constraints: directoryName (RDN prefix), rfc822Name (mailbox, host, or ".domain"),
dNSName (label suffix), iPAddress (network containment) and uniformResourceIdentifier (host rule
as rfc822). A constraint of any other type that meets a name of that type in a certificate fails
closed, since the extension is critical. Malformed names are refused, not skipped: a dNSName that
is not a preferred-syntax host name (RFC 1034 3.5: letters, digits, hyphens, labels of 1-63, at
most 253 octets; a wildcard only as a whole leftmost ``*`` label), an iPAddress of 8 or 32 octets
(a CIDR) in a certificate, an rfc822Name with other than one ``@``, a constraint of any of these
types with invalid syntax (a dNSName constraint may start with a period, or be empty: every name).
A wildcard dNSName (``*.example.com``) is inside an excluded subtree when any name it can match is
(so excluded ``bar.example.com`` catches it: the CVE-2025-61727 class) and inside the permitted
subtrees only when every name it can match is. A URI's host is read as the WHATWG URL standard
reads it (``\`` is ``/`` for http/https/ws/wss/ftp/file); a URI that parsers may read differently
(backslashes, spaces or control characters, percent-encoding, ``@`` or no ``//`` after a special
scheme's colon) is refused under URI constraints.

Bounds: a NameConstraints extension with more than :data:`MAX_SUBTREES` permitted or excluded
subtrees, or a certificate with more than :data:`MAX_NAMES` names (SAN entries plus subject), fails
the check (a reason, not an exception) without matching anything. Subtrees are grouped by name type
once per extension (:func:`compile_name_constraints`); dNSName subtrees are indexed, so a dNSName is
matched with one lookup per label instead of once per subtree. The other types are matched against
their own type's subtrees only: at most ``MAX_NAMES * MAX_SUBTREES`` matcher calls per certificate.
"""

from __future__ import annotations

import ipaddress
import re
import stringprep
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from cryptography import x509
from cryptography.x509.oid import NameOID

__all__ = [
    "name_key",
    "names_match",
    "check_name_constraints",
    "compile_name_constraints",
    "CompiledConstraints",
    "MAX_SUBTREES",
    "MAX_NAMES",
]

#: Most permitted, and most excluded, subtrees in one NameConstraints extension.
MAX_SUBTREES = 1024
#: Most names (subjectAltName entries plus the subject and its emailAddress) checked in one certificate.
MAX_NAMES = 1024

NameKey = tuple[frozenset[tuple[str, Any]], ...]


class Malformed(ValueError):
    """A name or constraint that breaks its syntax (the message says which and how)."""


_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
#: labels separated by single periods (a label holds no period, so the match is linear)
_HOST = re.compile(rf"(?:{_LABEL}\.)*{_LABEL}\Z")


def dns_name_ok(value: str) -> bool:
    """RFC 1034 3.5 preferred name syntax (as cryptography's verifier reads it): labels of 1-63
    letters, digits and inner hyphens, at most 253 octets, no empty label (so no leading, trailing
    or double period)."""
    return 0 < len(value) <= 253 and value.isascii() and _HOST.match(value) is not None


def _san_problem(kind: type, value: Any) -> str | None:
    """Why a name of a certificate (of GeneralName type ``kind``) is malformed (None when it is well
    formed or not checked)."""
    if kind is x509.DNSName:
        base = value[2:] if value.startswith("*.") else value
        if not dns_name_ok(base):
            return f"malformed dNSName {value!r} (RFC 1034 3.5 preferred syntax; a wildcard only as '*.')"
    elif kind is x509.RFC822Name:
        local, at, host = value.partition("@")
        if not at or "@" in host or not local or not dns_name_ok(host) or not local.isprintable() or " " in local:
            return f"malformed rfc822Name {value!r} (one '@' between a local part and a host name, 4.2.1.6)"
    elif kind is x509.IPAddress:
        if isinstance(value, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
            return f"iPAddress {value} is a network (8 or 32 octets), not an address (4.2.1.6)"
    elif kind is x509.UniformResourceIdentifier:
        _uri_host_strict(value)  # raises Malformed when ambiguous
    return None


def _constraint_problem(gn: x509.GeneralName) -> str | None:
    """Why a name constraint subtree is malformed (None when well formed or of an unchecked type)."""
    value = gn.value
    if isinstance(gn, x509.DNSName):
        base = value[1:] if value.startswith(".") else value
        if value and not dns_name_ok(base):
            return f"malformed dNSName constraint {value!r}"
    elif isinstance(gn, x509.RFC822Name):
        local, at, host = value.rpartition("@")
        host = host[1:] if host.startswith(".") and not at else host
        if "@" in local or (at and not local) or not dns_name_ok(host):
            return f"malformed rfc822Name constraint {value!r}"
    elif isinstance(gn, x509.IPAddress):
        if not isinstance(value, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
            return f"iPAddress constraint {value} is an address, not an address and mask (4.2.1.10)"
    elif isinstance(gn, x509.UniformResourceIdentifier):
        host = value[1:] if value.startswith(".") else value
        if not dns_name_ok(host):
            return f"malformed uniformResourceIdentifier constraint {value!r} (a host or .domain, 4.2.1.10)"
    return None


_SPECIAL_SCHEMES = frozenset({"http", "https", "ws", "wss", "ftp", "file"})
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


def _uri_host_strict(uri: str) -> str | None:
    """The host of ``uri`` as WHATWG URL parsers read it, None when it has no authority; raises
    :class:`Malformed` for a URI that parsers read differently (RFC 3986 vs WHATWG)."""
    m = _SCHEME.match(uri)
    if m is None:
        raise Malformed(f"URI {uri!r} has no scheme")
    if not uri.isascii() or not uri.isprintable() or " " in uri or "\\" in uri:
        raise Malformed(f"URI {uri!r} holds a backslash, space or control character (read differently by parsers)")
    rest = uri[m.end() :]
    special = m.group(1).lower() in _SPECIAL_SCHEMES
    if not rest.startswith("//"):
        if special:
            raise Malformed(f"URI {uri!r}: a special scheme without '//' (WHATWG reads a host there)")
        return None
    authority = re.split(r"[/?#]", rest[2:], maxsplit=1)[0]
    if "%" in authority or authority.count("@") > 1:
        raise Malformed(f"URI {uri!r} has percent-encoding or several '@' in its authority")
    host = authority.rpartition("@")[2]
    if host.startswith("["):
        end = host.find("]")
        if end == -1:
            raise Malformed(f"URI {uri!r} has an unterminated IP literal")
        return host[: end + 1].lower()
    host = host.partition(":")[0]
    return host.lower() or None


_TO_SPACE = frozenset("\t\n\x0b\x0c\r\x85")
#: RFC 4518 2.2: mapped to nothing besides the Cc/Cf categories and stringprep table B.1
_TO_NOTHING = frozenset("\u00ad\u1806\u034f\u180b\u180c\u180d\ufffc\u200b")


def _prohibited(ch: str) -> bool:
    """RFC 4518 2.4 (less table A.1): private use, non-characters, surrogates, tagging, U+FFFD."""
    return (
        stringprep.in_table_c3(ch)
        or stringprep.in_table_c4(ch)
        or stringprep.in_table_c5(ch)
        or stringprep.in_table_c8(ch)
        or stringprep.in_table_c9(ch)
        or ch == "\ufffd"
    )


def prepare(value: str) -> str | None:
    """``value`` after RFC 4518 string preparation for matching (see the module docstring), or None
    when it holds a prohibited character."""
    if value.isascii() and value.isprintable():
        return " ".join(value.split()).lower()
    out: list[str] = []
    for ch in value:
        if ch in _TO_SPACE:
            out.append(" ")
            continue
        category = unicodedata.category(ch)
        if category in ("Zs", "Zl", "Zp"):
            out.append(" ")
        elif ch in _TO_NOTHING or category in ("Cc", "Cf") or stringprep.in_table_b1(ch):
            continue
        else:
            out.append(stringprep.map_table_b2(ch))
    text = unicodedata.normalize("NFKC", "".join(out))
    if any(_prohibited(ch) for ch in text):
        return None
    return " ".join(part for part in text.split(" ") if part)


def _norm(value: str | bytes) -> str | bytes | tuple[str, str]:
    if isinstance(value, bytes):
        return value
    prepared = prepare(value)
    return ("unprepared", value) if prepared is None else prepared


@lru_cache(maxsize=4096)
def name_key(name: x509.Name) -> NameKey:
    """A comparison key for ``name`` under RFC 5280 section 7.1 (see the module docstring)."""
    return tuple(frozenset((a.oid.dotted_string, _norm(a.value)) for a in rdn) for rdn in name.rdns)


def rdns_key(rdns: Iterable[Sequence[tuple[str, str]]]) -> NameKey:
    """:func:`name_key` of a name given as RDNs of (attribute type OID, string value) pairs."""
    return tuple(map(rdn_key, rdns))


def rdn_key(rdn: Sequence[tuple[str, str]]) -> frozenset[tuple[str, Any]]:
    """One RDN's part of :func:`rdns_key`."""
    if len(rdn) == 1:  # nearly every RDN: without the generator
        oid, value = rdn[0]
        return frozenset(((oid, _norm(value)),))
    return frozenset((oid, _norm(value)) for oid, value in rdn)


def names_match(a: x509.Name, b: x509.Name) -> bool:
    """True when ``a`` and ``b`` are the same distinguished name under section 7.1."""
    return a == b or name_key(a) == name_key(b)


# --------------------------------------------------------------------------- name constraints


def _dn_within(name: x509.Name, subtree: x509.Name) -> bool:
    nk, sk = name_key(name), name_key(subtree)
    return len(sk) <= len(nk) and nk[: len(sk)] == sk


def _host_within(host: str, constraint: str) -> bool:
    host, constraint = host.lower().rstrip("."), constraint.lower().rstrip(".")
    if constraint.startswith("."):
        return host.endswith(constraint)
    return host == constraint


def _dns_within(name: str, constraint: str) -> bool:
    name, constraint = name.lower().rstrip("."), constraint.lower().rstrip(".")
    if not constraint:
        return True
    if constraint.startswith("."):
        return name.endswith(constraint)
    return name == constraint or name.endswith("." + constraint)


def _email_within(mailbox: str, constraint: str) -> bool:
    if "@" in constraint:
        local, _, host = mailbox.rpartition("@")
        c_local, _, c_host = constraint.rpartition("@")
        return local == c_local and host.lower() == c_host.lower()
    host = mailbox.rpartition("@")[2]
    return _host_within(host, constraint)


def _uri_host(uri: str) -> str | None:
    """The host of ``uri`` (WHATWG reading), None when it has none or is ambiguous."""
    try:
        return _uri_host_strict(uri)
    except Malformed:
        return None


def _uri_within(uri: str, constraint: str) -> bool:
    host = _uri_host(uri)
    return host is not None and _host_within(host, constraint)


def _ip_within(address: Any, network: Any) -> bool:
    if isinstance(address, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
        # an iPAddress in a SAN is a host; cryptography gives it as an address, but be lenient
        address = address.network_address
    return bool(address.version == network.version and address in network)


#: The reference rule per name type (one name, one subtree). The indexes below give the same answers
#: for many subtrees at once; the tests compare the two.
_MATCHERS: dict[type, Any] = {
    x509.DirectoryName: _dn_within,
    x509.RFC822Name: _email_within,
    x509.DNSName: _dns_within,
    x509.IPAddress: _ip_within,
    x509.UniformResourceIdentifier: _uri_within,
}


class _Dn(NamedTuple):
    """A directoryName to check: its comparison key (:func:`name_key`) and the Name, or its RFC 4514
    text when the name was read from the DER (:mod:`.der`)."""

    key: NameKey
    name: x509.Name | str


#: a name to check: (GeneralName type, value: text, an ip address, a :class:`_Dn` or an x509.Name for
#: a directoryName, what cryptography gives for another type)
_Name = tuple[type, Any]


def _cert_names(cert: x509.Certificate, include_subject: bool) -> list[_Name] | None:
    """The names to check, or None when there are more than :data:`MAX_NAMES`."""
    names: list[_Name] = []
    if include_subject and len(cert.subject.rdns):
        names.append((x509.DirectoryName, cert.subject))
        for attr in cert.subject.get_attributes_for_oid(NameOID.EMAIL_ADDRESS):
            if isinstance(attr.value, str):
                names.append((x509.RFC822Name, attr.value))
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return names if len(names) <= MAX_NAMES else None
    if len(names) + len(san) > MAX_NAMES:
        return None
    names.extend((type(gn), gn.value) for gn in san)
    return names


#: the GeneralName tags :mod:`.der` reads in a subjectAltName (IMPLICIT IA5String), by the type
#: cryptography gives them
_READ_TYPES: dict[int, type] = {0x81: x509.RFC822Name, 0x82: x509.DNSName, 0x86: x509.UniformResourceIdentifier}
_EMAIL = NameOID.EMAIL_ADDRESS.dotted_string


def read_names(
    subject: Sequence[Sequence[tuple[str, str]]],
    subject_key: NameKey,
    subject_text: str,
    san: Sequence[tuple[int, str]] | None,
) -> list[_Name] | None:
    """What :func:`_cert_names` gives (``include_subject`` True) for a certificate read by :mod:`.der`:
    its subject as RDNs of (OID, text), their comparison key and RFC 4514 text, and its subjectAltName
    as (tag, text) pairs of the tags that reader reads; the same names, in the same order, without
    cryptography's name and extension objects. None over :data:`MAX_NAMES`."""
    names: list[_Name] = []
    if subject:
        names.append((x509.DirectoryName, _Dn(subject_key, subject_text)))
        names.extend((x509.RFC822Name, value) for rdn in subject for oid, value in rdn if oid == _EMAIL)
    if san:
        names.extend((_READ_TYPES[tag], value) for tag, value in san)
    return names if len(names) <= MAX_NAMES else None


class _HostIndex:
    """Host subtrees (rfc822Name host forms and URI hosts) as lookups: ``.example.com`` matches hosts
    ending in it, ``example.com`` that host only (the ``_host_within`` rule)."""

    __slots__ = ("dotted", "exact")

    def __init__(self) -> None:
        self.exact: dict[str, Any] = {}
        self.dotted: dict[str, Any] = {}

    def add(self, constraint: str, original: Any) -> None:
        c = constraint.lower().rstrip(".")
        (self.dotted if c.startswith(".") else self.exact).setdefault(c, original)

    def match(self, host: str) -> Any:
        h = host.lower().rstrip(".")
        hit = self.exact.get(h)
        i = h.find(".")
        while hit is None and i != -1:
            hit = self.dotted.get(h[i:])
            i = h.find(".", i + 1)
        return hit


class _DnsIndex:
    """dNSName subtrees as lookups: exact names (``example.com``: itself and its subdomains), dotted
    ones (``.example.com``: subdomains only), or one that matches everything (empty); the
    ``_dns_within`` rule with one lookup per label."""

    __slots__ = ("any", "dotted", "exact", "parents")

    def __init__(self) -> None:
        self.any: Any = None
        self.exact: dict[str, Any] = {}
        self.dotted: dict[str, Any] = {}
        #: exact subtrees by their parent domain: a wildcard ``*.parent`` can match a name inside them
        self.parents: dict[str, Any] = {}

    def add(self, constraint: str, original: Any) -> None:
        c = constraint.lower().rstrip(".")
        if not c:
            self.any = original if self.any is None else self.any
        else:
            (self.dotted if c.startswith(".") else self.exact).setdefault(c, original)
            if not c.startswith(".") and "." in c:
                self.parents.setdefault(c.partition(".")[2], original)

    def match_any(self, name: str) -> Any:
        """A subtree holding at least one name that ``name`` (perhaps a ``*.`` wildcard) can stand for."""
        hit = self.match(name)
        if hit is None and name.startswith("*."):
            hit = self.parents.get(name[2:].lower().rstrip("."))
        return hit

    def match(self, name: str) -> Any:
        if self.any is not None:
            return self.any
        n = name.lower().rstrip(".")
        hit = self.exact.get(n)
        i = n.find(".")
        while hit is None and i != -1:
            hit = self.dotted.get(n[i:])
            if hit is None:
                hit = self.exact.get(n[i + 1 :])
            i = n.find(".", i + 1)
        return hit


class _EmailIndex:
    """rfc822Name subtrees: full mailboxes (local part exact, host case-insensitive) and host forms."""

    __slots__ = ("hosts", "mailboxes")

    def __init__(self) -> None:
        self.mailboxes: dict[tuple[str, str], Any] = {}
        self.hosts = _HostIndex()

    def add(self, constraint: str, original: Any) -> None:
        if "@" in constraint:
            local, _, host = constraint.rpartition("@")
            self.mailboxes.setdefault((local, host.lower()), original)
        else:
            self.hosts.add(constraint, original)

    def match(self, mailbox: str) -> Any:
        local, _, host = mailbox.rpartition("@")
        hit = self.mailboxes.get((local, host.lower())) if self.mailboxes else None
        return hit if hit is not None else self.hosts.match(host)


class _UriIndex:
    """uniformResourceIdentifier subtrees: the URI's host under the host rule (no host: no match)."""

    __slots__ = ("hosts",)

    def __init__(self) -> None:
        self.hosts = _HostIndex()

    def add(self, constraint: str, original: Any) -> None:
        self.hosts.add(constraint, original)

    def match(self, uri: str) -> Any:
        host = _uri_host(uri)
        return None if host is None else self.hosts.match(host)


class _DnIndex:
    """directoryName subtrees as a set of RDN-sequence prefixes (one lookup per RDN of the name)."""

    __slots__ = ("prefixes",)

    def __init__(self) -> None:
        self.prefixes: dict[NameKey, Any] = {}

    def add(self, constraint: x509.Name, original: Any) -> None:
        self.prefixes.setdefault(name_key(constraint), original)

    def match(self, name: x509.Name | _Dn) -> Any:
        nk = name.key if isinstance(name, _Dn) else name_key(name)
        for length in range(len(nk) + 1):
            hit = self.prefixes.get(nk[:length])
            if hit is not None:
                return hit
        return None


class _IpIndex:
    """iPAddress subtrees grouped by (version, prefix length): one lookup per distinct prefix length."""

    __slots__ = ("networks",)

    def __init__(self) -> None:
        self.networks: dict[tuple[int, int], dict[Any, Any]] = {}

    def add(self, constraint: Any, original: Any) -> None:
        if isinstance(constraint, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
            self.networks.setdefault((constraint.version, constraint.prefixlen), {}).setdefault(constraint, original)

    def match(self, address: Any) -> Any:
        if isinstance(address, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
            address = address.network_address  # as _ip_within: a SAN iPAddress is a host
        for (version, prefixlen), nets in self.networks.items():
            if version == address.version:
                hit = nets.get(ipaddress.ip_network((address, prefixlen), strict=False))
                if hit is not None:
                    return hit
        return None


_INDEXES: dict[type, Any] = {
    x509.DirectoryName: _DnIndex,
    x509.RFC822Name: _EmailIndex,
    x509.DNSName: _DnsIndex,
    x509.IPAddress: _IpIndex,
    x509.UniformResourceIdentifier: _UriIndex,
}


class CompiledConstraints:
    """A NameConstraints extension grouped by name type and indexed, checked for its bounds.

    Each type's subtrees become a lookup structure that gives the same answers as that type's matcher
    (``_MATCHERS``; the tests compare them), so checking one name costs one lookup per label, RDN or
    prefix length instead of one matcher call per subtree."""

    __slots__ = ("excluded", "permitted", "problem")

    def __init__(self, constraints: x509.NameConstraints) -> None:
        permitted = list(constraints.permitted_subtrees or ())
        excluded = list(constraints.excluded_subtrees or ())
        self.problem: str | None = None
        self.permitted: dict[type, Any] = {}
        self.excluded: dict[type, Any] = {}
        if len(permitted) > MAX_SUBTREES or len(excluded) > MAX_SUBTREES:
            self.problem = (
                f"name constraints have {len(permitted)} permitted and {len(excluded)} excluded subtrees "
                f"(at most {MAX_SUBTREES} each are processed)"
            )
            return
        for subtrees, table in ((permitted, self.permitted), (excluded, self.excluded)):
            for gn in subtrees:
                bad = _constraint_problem(gn)
                if bad is not None:
                    self.problem = bad
                    return
                kind = type(gn)
                index = table.get(kind)
                if index is None:
                    make = _INDEXES.get(kind)
                    index = table[kind] = make() if make is not None else None
                if index is not None:
                    index.add(gn.value, gn.value)


def compile_name_constraints(constraints: x509.NameConstraints) -> CompiledConstraints:
    """Group ``constraints`` by type once, to check many certificates against it."""
    return CompiledConstraints(constraints)


def check_name_constraints(
    cert: x509.Certificate,
    constraints: x509.NameConstraints | CompiledConstraints,
    *,
    include_subject: bool = True,
) -> str | None:
    """None when ``cert``'s names satisfy ``constraints``, else the reason (also when over the bounds).

    ``include_subject`` is False for self-issued intermediates (RFC 5280 6.1.3 (b) applies the
    subject check only to non-self-issued certificates, and the last one).
    """
    compiled = constraints if isinstance(constraints, CompiledConstraints) else CompiledConstraints(constraints)
    if compiled.problem is not None:
        return compiled.problem
    if not compiled.permitted and not compiled.excluded:
        return None
    return check_names(_cert_names(cert, include_subject), compiled)


def check_names(names: list[_Name] | None, compiled: CompiledConstraints) -> str | None:
    """:func:`check_name_constraints` of a certificate whose names to check are ``names`` (from
    :func:`_cert_names` or :func:`read_names`; None: over the bound)."""
    if compiled.problem is not None:
        return compiled.problem
    if not compiled.permitted and not compiled.excluded:
        return None
    if names is None:
        return f"more than {MAX_NAMES} names to check against name constraints"
    for kind, value in names:
        if kind not in compiled.permitted and kind not in compiled.excluded:
            continue
        permitted, excluded = compiled.permitted.get(kind), compiled.excluded.get(kind)
        if kind not in _INDEXES:
            return f"{kind.__name__} constraints are not supported"
        try:
            bad = _san_problem(kind, value)
        except Malformed as exc:
            bad = f"{exc} (refused under URI name constraints)"
        if bad is not None:
            return bad
        if kind is x509.DirectoryName:
            if not isinstance(value, _Dn):
                value = _Dn(name_key(value), value)
            if any(isinstance(v, tuple) for rdn in value.key for _, v in rdn):
                return f"directoryName {_show(value)} holds a character RFC 4518 prohibits"
        if excluded is not None and kind is x509.DNSName:
            hit = excluded.match_any(value)
        else:
            hit = excluded.match(value) if excluded is not None else None
        if hit is not None:
            return f"{kind.__name__} {_show(value)} is in excluded subtree {_show(hit)}"
        if permitted is not None and permitted.match(value) is None:
            return f"{kind.__name__} {_show(value)} is outside the permitted subtrees"
    return None


def _show(value: Any) -> str:
    if isinstance(value, _Dn):
        value = value.name
        if isinstance(value, str):
            return value
    if isinstance(value, x509.Name):
        return value.rfc4514_string()
    return str(value)
