"""RFC 5280 name handling: DN comparison (section 7.1) and name constraints (section 4.2.1.10).

DN comparison: two names match when they have the same RDNs in the same order, each RDN the same
set of (type, value) pairs, string values compared after the LDAP StringPrep essentials that
section 7.1 asks for: case folded and insignificant whitespace removed (leading/trailing, runs
collapsed). The ASN.1 string type is not compared, so PrintableString -> UTF8String rollover
matches. Binary values compare exactly. Not done: full Unicode normalisation (NFKC) and the
StringPrep prohibited-character tables.

Name constraints: directoryName (RDN prefix), rfc822Name (mailbox, host, or ".domain"),
dNSName (label suffix), iPAddress (network containment) and uniformResourceIdentifier (host rule
as rfc822). A constraint of any other type that meets a name of that type in a certificate fails
closed, since the extension is critical.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.x509.oid import NameOID

__all__ = ["name_key", "names_match", "check_name_constraints"]

NameKey = tuple[frozenset[tuple[str, Any]], ...]


def _norm(value: str | bytes) -> str | bytes:
    if isinstance(value, bytes):
        return value
    return " ".join(value.split()).casefold()


@lru_cache(maxsize=4096)
def name_key(name: x509.Name) -> NameKey:
    """A comparison key for ``name`` under RFC 5280 section 7.1 (see the module docstring)."""
    return tuple(frozenset((a.oid.dotted_string, _norm(a.value)) for a in rdn) for rdn in name.rdns)


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


def _uri_within(uri: str, constraint: str) -> bool:
    try:
        host = urlsplit(uri).hostname
    except ValueError:
        return False
    return host is not None and _host_within(host, constraint)


def _ip_within(address: Any, network: Any) -> bool:
    if isinstance(address, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
        # an iPAddress in a SAN is a host; cryptography gives it as an address, but be lenient
        address = address.network_address
    return bool(address.version == network.version and address in network)


_MATCHERS: dict[type, Any] = {
    x509.DirectoryName: _dn_within,
    x509.RFC822Name: _email_within,
    x509.DNSName: _dns_within,
    x509.IPAddress: _ip_within,
    x509.UniformResourceIdentifier: _uri_within,
}


def _cert_names(cert: x509.Certificate, include_subject: bool) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = []
    if include_subject and len(cert.subject.rdns):
        names.append(x509.DirectoryName(cert.subject))
        for attr in cert.subject.get_attributes_for_oid(NameOID.EMAIL_ADDRESS):
            if isinstance(attr.value, str):
                names.append(x509.RFC822Name(attr.value))
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names.extend(san)
    except x509.ExtensionNotFound:
        pass
    return names


def check_name_constraints(
    cert: x509.Certificate, constraints: x509.NameConstraints, *, include_subject: bool = True
) -> str | None:
    """None when ``cert``'s names satisfy ``constraints``, else the reason.

    ``include_subject`` is False for self-issued intermediates (RFC 5280 6.1.3 (b) applies the
    subject check only to non-self-issued certificates, and the last one).
    """
    permitted = list(constraints.permitted_subtrees or ())
    excluded = list(constraints.excluded_subtrees or ())
    for gn in _cert_names(cert, include_subject):
        kind = type(gn)
        value = gn.value
        matcher = _MATCHERS.get(kind)
        same_kind_permitted = [p for p in permitted if type(p) is kind]
        same_kind_excluded = [e for e in excluded if type(e) is kind]
        if matcher is None:
            if same_kind_permitted or same_kind_excluded:
                return f"{kind.__name__} constraints are not supported"
            continue
        for e in same_kind_excluded:
            if matcher(value, e.value):
                return f"{kind.__name__} {_show(value)} is in excluded subtree {_show(e.value)}"
        if same_kind_permitted and not any(matcher(value, p.value) for p in same_kind_permitted):
            return f"{kind.__name__} {_show(value)} is outside the permitted subtrees"
    return None


def _show(value: Any) -> str:
    if isinstance(value, x509.Name):
        return value.rfc4514_string()
    return str(value)
