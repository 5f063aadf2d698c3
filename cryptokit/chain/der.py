"""A strict reader of the few certificate fields the chain checks need, straight from the DER: the
fast path for a certificate never seen before.

Written here rather than taken from a library, for speed: reading the same fields through
cryptography's Python objects (``cert.subject``, ``cert.issuer``, ``cert.extensions``: a Python
object per name attribute and per extension) costs about 25 us for a typical end-entity certificate,
and asn1crypto's parse of a certificate about 60 us; this reader costs a few microseconds.

It reads a canonical subset only and answers None for anything outside it (the caller then takes the
general path through cryptography's objects, which decides and words the error). Whatever it accepts,
cryptography's own parse accepts too, without a warning, and reads to the same values:

- the caller loads the DER with ``x509.load_der_x509_certificate`` once this reader has accepted it,
  and takes the general path if that fails: the Rust parse checks the outer structure (the
  TBSCertificate, the names' SEQUENCE OF SET OF AttributeTypeAndValue, the validity, the
  SubjectPublicKeyInfo, the extension list of (OID, BOOLEAN, OCTET STRING)) where this reader does not;
- what :func:`cryptokit.certificates.plainly_admissible` scans the whole DER for, the reader proves
  on the fields it reads, so that scan is not run on this path: the serialNumber is positive and
  minimally encoded (cryptography warns at load otherwise, so this is read before the load), every
  countryName and jurisdictionCountryName value is a UTF8String or PrintableString of two printable
  ASCII characters (cryptography warns on other lengths when it builds the name), the
  authorityKeyIdentifier holds a keyIdentifier only; no other field of the subset holds a name;
- version v3; no issuerUniqueID/subjectUniqueID;
- name attribute values are UTF8String, PrintableString or IA5String holding UTF-8 (cryptography decodes
  each as UTF-8), a commonName is 1 to 64 octets (cryptography warns otherwise), no RDN is empty or
  holds the same attribute twice (cryptography refuses both);
- extensions are unique by OID and each is one of basicConstraints, keyUsage, extendedKeyUsage,
  subjectKeyIdentifier, authorityKeyIdentifier (keyIdentifier only), in the one DER form of each
  that cryptography maps to its objects without error (e.g. keyUsage without encipherOnly or
  decipherOnly, basicConstraints with a pathLenConstraint only when cA is true), or one of the four
  real-world leaves nearly always carry, in their common forms: subjectAltName of rfc822Name, dNSName
  and uniformResourceIdentifier names; cRLDistributionPoints whose points each hold a fullName of
  URIs only (no reasons, no cRLIssuer; at most 16 points of 32 names, the general path's bounds);
  authorityInfoAccess whose locations are URIs; certificatePolicies with distinct policy OIDs, each
  with no qualifiers or with CPS-pointer qualifiers only. None of these may be empty (cryptography
  49 and 51 differ on some empty lists), and every name or URI in them is printable ASCII,
  1 to 1024 characters (cryptography takes any UTF-8 there). Any other extension or form
  (cryptography parses and may refuse many) sends the certificate to the general path.

``tests/chain/test_der.py`` checks these reads against cryptography's on generated certificates and
on malformed variants, and ``fuzz/fuzz_chain_der.py`` checks the promise above on mutated DER.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NamedTuple

from .._dsa import spki_algorithm
from .name_constraints import NameKey, rdn_key

__all__ = ["CertFields", "Rdns", "read_certificate", "oid_text"]

_UTF8, _PRINTABLE, _IA5 = 0x0C, 0x13, 0x16
_STRING_TAGS = frozenset({_UTF8, _PRINTABLE, _IA5})
_CN = "2.5.4.3"
#: countryName and jurisdictionCountryName: cryptography warns unless a value is 2 characters
_COUNTRIES = frozenset({"2.5.4.6", "1.3.6.1.4.1.311.60.2.1.3"})

#: extension OIDs (DER content) this reader reads, by name
_BC, _KU, _EKU, _SKI, _AKI = "2.5.29.19", "2.5.29.15", "2.5.29.37", "2.5.29.14", "2.5.29.35"
_SAN, _CRL_DP, _AIA, _CP = "2.5.29.17", "2.5.29.31", "1.3.6.1.5.5.7.1.1", "2.5.29.32"
_CPS = "1.3.6.1.5.5.7.2.1"  # id-qt-cps
#: GeneralName tags read (IMPLICIT IA5String): rfc822Name [1], dNSName [2], uniformResourceIdentifier [6]
_RFC822, _DNS, _URI = 0x81, 0x82, 0x86
_SAN_TAGS = frozenset({_RFC822, _DNS, _URI})
_URI_ONLY = frozenset({_URI})
#: the general path's bounds on cRLDistributionPoints (revocation.MAX_DISTRIBUTION_POINTS, MAX_DP_NAMES)
_MAX_POINTS, _MAX_POINT_NAMES = 16, 32

Rdns = tuple[tuple[tuple[str, str], ...], ...]
#: a Name as read: its RDNs, its comparison key (:func:`.name_constraints.rdns_key`) and its RFC 4514
#: text (what cryptography's ``Name.rfc4514_string()`` gives, "" for an empty name)
NameRead = tuple[Rdns, NameKey, str]


class CertFields(NamedTuple):
    """What :func:`read_certificate` reads from a certificate's DER."""

    #: where the TBSCertificate is in the DER (start of its tag, end)
    tbs: tuple[int, int]
    #: octets of the serialNumber's content
    serial_octets: int
    #: the issuer Name and subject Name as encoded (tag included)
    issuer_der: bytes
    subject_der: bytes
    #: the issuer's and the subject's RDNs, each a tuple of (attribute type OID, value), in encoded order
    issuer: Rdns
    subject: Rdns
    #: the SubjectPublicKeyInfo as encoded, its algorithm OID, and whether that algorithm carries
    #: an OBJECT IDENTIFIER parameter (a named curve)
    spki_der: bytes
    key_algorithm: str
    key_named_parameters: bool
    #: "notBefore .. notAfter" as ISO 8601 text (what ``datetime.isoformat`` gives for cryptography's
    #: UTC datetimes), None when a time is not in the one DER form read here
    validity_text: str | None
    #: the signatureAlgorithm after the TBSCertificate, as encoded
    signature_algorithm_der: bytes
    #: (OID, critical) of every extension, in encoded order
    extensions: tuple[tuple[str, bool], ...]
    #: basicConstraints: (cA, pathLenConstraint or None), None when absent
    basic_constraints: tuple[bool, int | None] | None
    #: keyUsage's first octet (bit 0x80 digitalSignature ... 0x02 cRLSign), None when absent
    key_usage: int | None
    #: extendedKeyUsage OIDs, None when absent
    eku: tuple[str, ...] | None
    #: subjectKeyIdentifier, None when absent
    ski: bytes | None
    #: authorityKeyIdentifier's keyIdentifier, None when absent (or without one)
    aki: bytes | None
    #: authorityKeyIdentifier is present
    has_aki: bool
    #: subjectAltName as (GeneralName tag, text) pairs, None when absent
    san: tuple[tuple[int, str], ...] | None = None
    #: cRLDistributionPoints: each point's fullName URIs, None when absent
    crl_points: tuple[tuple[str, ...], ...] | None = None
    #: authorityInfoAccess as (accessMethod OID, URI) pairs, None when absent
    aia: tuple[tuple[str, str], ...] | None = None
    #: certificatePolicies as (policy OID, CPS URIs) pairs in encoded order, None when absent
    policies: tuple[tuple[str, tuple[str, ...]], ...] | None = None
    #: the comparison keys of the issuer and the subject (:func:`.name_constraints.rdns_key`)
    issuer_key: NameKey = ()
    subject_key: NameKey = ()
    #: the subject as RFC 4514 text (as ``Name.rfc4514_string()`` gives it), "" when empty
    subject_text: str = ""


def _tlv(d: bytes, i: int) -> tuple[int, int]:
    """(start of the content, end) of the element whose tag is at ``d[i]``: minimal definite lengths
    of up to 3 octets only (anything else raises ValueError; a truncated input IndexError)."""
    n = d[i + 1]
    if n < 0x80:
        end = i + 2 + n
        start = i + 2
    elif n == 0x81:
        n = d[i + 2]
        if n < 0x80:
            raise ValueError("length not minimal")
        start, end = i + 3, i + 3 + n
    elif n == 0x82:
        n = (d[i + 2] << 8) | d[i + 3]
        if n < 0x100:
            raise ValueError("length not minimal")
        start, end = i + 4, i + 4 + n
    elif n == 0x83:
        n = (d[i + 2] << 16) | (d[i + 3] << 8) | d[i + 4]
        if n < 0x10000:
            raise ValueError("length not minimal")
        start, end = i + 5, i + 5 + n
    else:
        raise ValueError("unsupported length")
    if end > len(d):
        raise IndexError("truncated")
    return start, end


_OIDS: dict[bytes, str] = {}
#: issuer names read before, by their DER (a name's reading depends on its bytes only)
_ISSUERS: dict[bytes, NameRead] = {}


def oid_text(content: bytes) -> str:
    """The dotted text of an OBJECT IDENTIFIER's content octets; ValueError unless it is in the form
    rust-asn1 accepts (minimal base-128 arcs, at most 63 octets, arcs below 2^63). Memoised."""
    text = _OIDS.get(content)
    if text is not None:
        return text
    if not content or len(content) > 63 or content[-1] & 0x80:
        raise ValueError("malformed OID")
    arcs: list[int] = []
    value = 0
    width = 0
    for b in content:
        if width == 0 and b == 0x80:
            raise ValueError("OID arc not minimal")
        value = (value << 7) | (b & 0x7F)
        width += 1
        if width > 9:
            raise ValueError("OID arc too large")
        if not b & 0x80:
            arcs.append(value)
            value = width = 0
    first = arcs[0]
    head = [0, first] if first < 40 else [1, first - 40] if first < 80 else [2, first - 80]
    text = ".".join(map(str, head + arcs[1:]))
    if len(_OIDS) < 4096:
        _OIDS[content] = text
    return text


def _oid_at(d: bytes, i: int) -> tuple[str, int]:
    if d[i] != 0x06:
        raise ValueError("not an OID")
    s, e = _tlv(d, i)
    return oid_text(d[s:e]), e


#: one RDN as read (its attributes, their key, their text), by the SET's DER: the RDNs of subjects
#: from one issuer repeat (organisation, country...) where the commonName does not
_RDNS: dict[bytes, tuple[tuple[tuple[str, str], ...], frozenset[tuple[str, Any]], str]] = {}


def _name(d: bytes, i: int, end: int) -> NameRead:
    """The Name whose content is ``d[i:end]`` (see the module docstring's subset), each RDN memoised
    by its DER."""
    rdns = []
    keys = []
    texts = []
    while i < end:
        if d[i] != 0x31:
            raise ValueError("not a SET")
        n = d[i + 1]
        set_end = i + 2 + n if n < 0x80 else _tlv(d, i)[1]
        if set_end > end:
            raise ValueError("SET beyond the name")
        rdn = _memo(_RDNS, d[i:set_end], _rdn, 4096)
        rdns.append(rdn[0])
        keys.append(rdn[1])
        texts.append(rdn[2])
        i = set_end
    texts.reverse()
    return tuple(rdns), tuple(keys), ",".join(texts)


def _rdn(d: bytes) -> tuple[tuple[tuple[str, str], ...], frozenset[tuple[str, Any]], str]:
    """One RDN, ``d`` its whole SET: its attributes in encoded order, their comparison key and text.
    Short-form lengths are read inline (the common case)."""
    n = d[1]
    s, set_end = (2, 2 + n) if n < 0x80 else _tlv(d, 0)
    if set_end != len(d):
        raise ValueError("trailing data after the SET")
    attrs: list[tuple[str, str]] = []
    while s < set_end:
        if d[s] != 0x30:
            raise ValueError("not a SEQUENCE")
        n = d[s + 1]
        a, attr_end = (s + 2, s + 2 + n) if n < 0x80 else _tlv(d, s)
        if d[a] != 0x06 or d[a + 1] >= 0x80:
            raise ValueError("attribute type not a short OID")
        v = a + 2 + d[a + 1]
        oid = oid_text(d[a + 2 : v])
        tag = d[v]
        if tag not in _STRING_TAGS:
            raise ValueError("attribute value type outside the subset")
        n = d[v + 1]
        vs, ve = (v + 2, v + 2 + n) if n < 0x80 else _tlv(d, v)
        if ve != attr_end or attr_end > set_end:
            raise ValueError("trailing data in an attribute")
        value = d[vs:ve].decode("utf-8")  # UnicodeDecodeError is a ValueError
        if oid == _CN and not 1 <= ve - vs <= 64:
            raise ValueError("commonName length outside 1..64")
        if oid in _COUNTRIES and (tag == _IA5 or ve - vs != 2 or not value.isascii() or not value.isprintable()):
            raise ValueError("country value outside the subset")  # what plain_country_values admits
        attr = (oid, value)
        if attr in attrs:
            raise ValueError("an attribute twice in an RDN")
        attrs.append(attr)
        s = attr_end
    if not attrs:
        raise ValueError("empty RDN")
    if len(attrs) == 1:  # nearly every RDN
        oid, value = attrs[0]
        return (attrs[0],), rdn_key(attrs), f"{_SHORT_NAMES.get(oid, oid)}={_escape(value)}"
    text = "+".join(f"{_SHORT_NAMES.get(oid, oid)}={_escape(value)}" for oid, value in attrs)
    return tuple(attrs), rdn_key(attrs), text


#: a Validity of two UTCTimes (nearly every certificate), as latin-1 text: each time's six pairs of digits
_TWO_UTC_TIMES = re.compile(r"\x17\r(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z" * 2, re.ASCII)


def _validity_text(d: bytes, i: int, end: int) -> str | None:
    """The Validity whose content is ``d[i:end]`` as "notBefore .. notAfter" in ISO 8601 (UTC), the
    text ``datetime.isoformat`` gives, read from the time strings (isoformat costs about 1.5 us a
    datetime): UTCTime YYMMDDHHMMSSZ (RFC 5280 4.1.2.5.1: YY >= 50 is 19YY) and GeneralizedTime
    YYYYMMDDHHMMSSZ only (cryptography checks they are valid times), else None."""
    m = _TWO_UTC_TIMES.fullmatch(d[i:end].decode("latin-1"))
    if m is not None:  # one match instead of the loop below: 1.4 us instead of 2-3.5
        y1, mo1, d1, h1, mi1, s1, y2, mo2, d2, h2, mi2, s2 = m.groups()
        c1, c2 = "19" if y1 >= "50" else "20", "19" if y2 >= "50" else "20"
        return f"{c1}{y1}-{mo1}-{d1}T{h1}:{mi1}:{s1}+00:00 .. {c2}{y2}-{mo2}-{d2}T{h2}:{mi2}:{s2}+00:00"
    out = []
    while i < end:
        tag, n = d[i], d[i + 1]
        t = d[i + 2 : i + 2 + n]
        if tag == 0x17 and n == 13 and t[12:] == b"Z":
            year = (b"19" if t[:2] >= b"50" else b"20") + t[:2]
            t = t[2:]
        elif tag == 0x18 and n == 15 and t[14:] == b"Z":
            year = t[:4]
            t = t[4:]
        else:
            return None
        if not t[:10].isdigit() or not year.isdigit():
            return None
        text = t.decode("ascii")
        out.append(f"{year.decode('ascii')}-{text[0:2]}-{text[2:4]}T{text[4:6]}:{text[6:8]}:{text[8:10]}+00:00")
        i += 2 + n
    return " .. ".join(out) if len(out) == 2 and i == end else None


def _whole_name(d: bytes) -> NameRead:
    return _name(d, _tlv(d, 0)[0], len(d))


def read_certificate(der: bytes) -> CertFields | None:
    """The fields of ``der`` (a certificate's DER, see the module docstring), or None when it is
    outside the subset this reader reads."""
    try:
        return _read(der)
    except (ValueError, IndexError):
        return None


def _read(d: bytes) -> CertFields | None:
    tbs_start = _tlv(d, 0)[0]
    i, tbs_end = _tlv(d, tbs_start)
    if d[i : i + 5] != b"\xa0\x03\x02\x01\x02" or d[i + 5] != 0x02:  # v3 only; serialNumber
        return None
    # serialNumber: positive and minimal (cryptography warns at load otherwise)
    s, e = _tlv(d, i + 5)
    serial_octets = e - s
    if not serial_octets or d[s] >= 0x80 or (d[s] == 0 and (serial_octets == 1 or d[s + 1] < 0x80)):
        return None
    n = d[e + 1]  # the signature AlgorithmIdentifier (the TBS copy): short form in practice
    i = e + 2 + n if n < 0x80 else _tlv(d, e)[1]
    # issuer: a certificate never seen often has an issuer seen before
    e = _tlv(d, i)[1]
    issuer_der = d[i:e]
    issuer = _memo(_ISSUERS, issuer_der, _whole_name)
    if d[e] != 0x30 or d[e + 1] >= 0x80:  # validity: short form
        return None
    i = e + 2 + d[e + 1]
    validity_text = _validity_text(d, e + 2, i)
    s, e = _tlv(d, i)
    subject_der = d[i:e]
    subject = _name(d, s, e)
    # SubjectPublicKeyInfo
    spki_end = _tlv(d, e)[1]
    spki_der = d[e:spki_end]
    key = _memo(_SPKIS, spki_der, _spki)
    values: dict[str, object] = {}
    exts: list[tuple[str, bool]] = []
    if spki_end < tbs_end:
        if d[spki_end] != 0xA3:  # issuerUniqueID / subjectUniqueID
            return None
        s, e = _tlv(d, spki_end)
        if e != tbs_end or d[s] != 0x30:
            return None
        s, e = _tlv(d, s)
        while s < e:
            n = d[s + 1]
            ext_end = s + 2 + n if n < 0x80 else _tlv(d, s)[1]
            der = d[s:ext_end]
            ext = _EXTENSIONS.get(der)
            if ext is None:
                ext = _extension(der)
                if ext[0] != _SAN:  # a subjectAltName is rarely shared: not kept
                    if len(_EXTENSIONS) >= 1024:
                        _EXTENSIONS.clear()
                    _EXTENSIONS[der] = ext
            oid = ext[0]
            if oid in values:
                return None
            values[oid] = ext[2]
            exts.append((oid, ext[1]))
            s = ext_end
        if s != e:
            return None
    sig_end = _tlv(d, tbs_end)[1]
    get = values.get
    return CertFields(
        (tbs_start, tbs_end),
        serial_octets,
        issuer_der,
        subject_der,
        issuer[0],
        subject[0],
        spki_der,
        key[0],
        key[1],
        validity_text,
        d[tbs_end:sig_end],
        tuple(exts),
        get(_BC),  # type: ignore[arg-type]
        get(_KU),  # type: ignore[arg-type]
        get(_EKU),  # type: ignore[arg-type]
        get(_SKI),  # type: ignore[arg-type]
        get(_AKI),  # type: ignore[arg-type]
        _AKI in values,
        get(_SAN),  # type: ignore[arg-type]
        get(_CRL_DP),  # type: ignore[arg-type]
        get(_AIA),  # type: ignore[arg-type]
        get(_CP),  # type: ignore[arg-type]
        issuer[1],
        subject[1],
        subject[2],
    )


_SPKIS: dict[bytes, tuple[str, bool]] = {}
_EXTENSIONS: dict[bytes, tuple[str, bool, object]] = {}


def _memo(memo: dict[bytes, Any], der: bytes, read: Callable[[bytes], Any], limit: int = 1024) -> Any:
    """``read(der)`` memoised in ``memo`` (a reading depends on the bytes only; at most ``limit``
    kept): certificates of one issuer share their issuer, most extensions, often keys and RDNs."""
    value = memo.get(der)
    if value is None:
        value = read(der)
        if len(memo) >= limit:
            memo.clear()
        memo[der] = value
    return value


def _spki(d: bytes) -> tuple[str, bool]:
    """(algorithm OID, whether its parameters are an OBJECT IDENTIFIER) of a SubjectPublicKeyInfo."""
    oid, parameters = spki_algorithm(d)
    return oid_text(oid), parameters == 0x06


def _extension(d: bytes) -> tuple[str, bool, object]:
    """(OID, critical, value as read) of one Extension; ValueError outside the subset. Short-form
    lengths are read inline (a new leaf's subjectAltName and subjectKeyIdentifier come here)."""
    n = d[1]
    x, end = (2, 2 + n) if n < 0x80 else _tlv(d, 0)
    if d[x] != 0x06 or d[x + 1] >= 0x80:  # no OID of the subset is that long
        raise ValueError("extnID not a short OBJECT IDENTIFIER")
    o = x + 2 + d[x + 1]
    oid = oid_text(d[x + 2 : o])
    x = o
    critical = False
    if d[x] == 0x01:
        if d[x : x + 3] != b"\x01\x01\xff":  # DEFAULT FALSE is never encoded in DER
            raise ValueError("critical not DER TRUE")
        critical = True
        x += 3
    if d[x] != 0x04:
        raise ValueError("extnValue not an OCTET STRING")
    n = d[x + 1]
    vs, ve = (x + 2, x + 2 + n) if n < 0x80 else _tlv(d, x)
    if ve != end or end != len(d):
        raise ValueError("trailing data")
    reader = _READERS.get(oid)
    if reader is None:
        raise ValueError("extension outside the subset")
    return oid, critical, reader(d, vs, ve)


def _sequence(d: bytes, s: int, e: int) -> tuple[int, int]:
    """The content of the non-empty SEQUENCE that is exactly ``d[s:e]``."""
    if s >= e or d[s] != 0x30:
        raise ValueError("not a SEQUENCE")
    i, end = _tlv(d, s)
    if end != e or i == end:
        raise ValueError("SEQUENCE empty or not the whole value")
    return i, end


def _ia5(d: bytes, s: int, e: int) -> str:
    """An IA5String's content in the subset: printable ASCII, 1 to 1024 characters."""
    if not 1 <= e - s <= 1024:
        raise ValueError("IA5String length outside the subset")
    text = d[s:e].decode("ascii")  # UnicodeDecodeError is a ValueError
    if not text.isprintable():
        raise ValueError("IA5String not printable")
    return text


def _general_names(d: bytes, i: int, end: int, tags: frozenset[int]) -> tuple[tuple[int, str], ...]:
    """The GeneralNames whose content is ``d[i:end]``: one or more names of ``tags``, each an
    IA5String form in the subset of :func:`_ia5` (read inline: a new leaf's subjectAltName)."""
    out = []
    while i < end:
        tag = d[i]
        if tag not in tags:
            raise ValueError("GeneralName outside the subset")
        n = d[i + 1]
        s, e = (i + 2, i + 2 + n) if n < 0x80 else _tlv(d, i)
        if e > end or not 1 <= e - s <= 1024:
            raise ValueError("GeneralName beyond its list or of a length outside the subset")
        text = d[s:e].decode("ascii")  # UnicodeDecodeError is a ValueError
        if not text.isprintable():
            raise ValueError("IA5String not printable")
        out.append((tag, text))
        i = e
    if i != end or not out:
        raise ValueError("GeneralNames outside the subset")
    return tuple(out)


def _san(d: bytes, s: int, e: int) -> tuple[tuple[int, str], ...]:
    i, end = _sequence(d, s, e)
    return _general_names(d, i, end, _SAN_TAGS)


def _crl_points(d: bytes, s: int, e: int) -> tuple[tuple[str, ...], ...]:
    """cRLDistributionPoints: each DistributionPoint exactly ``[0] { [0] fullName }`` of URIs."""
    i, end = _sequence(d, s, e)
    points = []
    while i < end:
        ps, pe = _sequence(d, i, _tlv(d, i)[1])
        if d[ps] != 0xA0:  # distributionPoint [0]; reasons [1] and cRLIssuer [2] are outside the subset
            raise ValueError("DistributionPoint outside the subset")
        ns, ne = _tlv(d, ps)
        if ne != pe or ns >= ne or d[ns] != 0xA0:  # fullName [0]
            raise ValueError("DistributionPoint outside the subset")
        fs, fe = _tlv(d, ns)
        if fe != ne:
            raise ValueError("trailing data in a DistributionPoint")
        names = _general_names(d, fs, fe, _URI_ONLY)
        if len(names) > _MAX_POINT_NAMES:
            raise ValueError("more names than the general path reads")
        points.append(tuple(text for _, text in names))
        i = pe
    if i != end or len(points) > _MAX_POINTS:
        raise ValueError("cRLDistributionPoints outside the subset")
    return tuple(points)


def _access_descriptions(d: bytes, s: int, e: int) -> tuple[tuple[str, str], ...]:
    """authorityInfoAccess: AccessDescriptions whose accessLocation is a URI."""
    i, end = _sequence(d, s, e)
    out = []
    while i < end:
        a, ae = _sequence(d, i, _tlv(d, i)[1])
        method, u = _oid_at(d, a)
        if u >= ae or d[u] != _URI:
            raise ValueError("accessLocation outside the subset")
        us, ue = _tlv(d, u)
        if ue != ae:
            raise ValueError("trailing data in an AccessDescription")
        out.append((method, _ia5(d, us, ue)))
        i = ae
    if i != end:
        raise ValueError("trailing data")
    return tuple(out)


def _policies(d: bytes, s: int, e: int) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """certificatePolicies: PolicyInformation with distinct OIDs, each without qualifiers or with a
    non-empty list of CPS pointers (id-qt-cps, IA5String)."""
    i, end = _sequence(d, s, e)
    out: dict[str, tuple[str, ...]] = {}
    while i < end:
        ps, pe = _sequence(d, i, _tlv(d, i)[1])
        oid, q = _oid_at(d, ps)
        qualifiers: list[str] = []
        if q < pe:
            qs, qe = _sequence(d, q, pe)
            while qs < qe:
                a, ae = _sequence(d, qs, _tlv(d, qs)[1])
                qualifier_id, v = _oid_at(d, a)
                if qualifier_id != _CPS or v >= ae or d[v] != 0x16:
                    raise ValueError("policy qualifier outside the subset")
                vs, ve = _tlv(d, v)
                if ve != ae:
                    raise ValueError("trailing data in a policy qualifier")
                qualifiers.append(_ia5(d, vs, ve))
                qs = ae
            if qs != qe:
                raise ValueError("trailing data in policy qualifiers")
        elif q != pe:
            raise ValueError("policy OID beyond its PolicyInformation")
        if oid in out:
            raise ValueError("a policy OID twice")
        out[oid] = tuple(qualifiers)
        i = pe
    if i != end:
        raise ValueError("trailing data")
    return tuple(out.items())


def _basic_constraints(d: bytes, s: int, e: int) -> tuple[bool, int | None]:
    if d[s] != 0x30:
        raise ValueError("basicConstraints not a SEQUENCE")
    i, end = _tlv(d, s)
    if end != e:
        raise ValueError("trailing data")
    ca = False
    path_length = None
    if i < end and d[i] == 0x01:
        if d[i : i + 3] != b"\x01\x01\xff":
            raise ValueError("cA not DER TRUE")
        ca = True
        i += 3
    if i < end:
        if d[i] != 0x02:
            raise ValueError("pathLenConstraint not an INTEGER")
        vs, ve = _tlv(d, i)
        if not 1 <= ve - vs <= 2 or d[vs] >= 0x80 or (ve - vs == 2 and d[vs] == 0 and d[vs + 1] < 0x80):
            raise ValueError("pathLenConstraint outside the subset")
        path_length = int.from_bytes(d[vs:ve], "big")
        if not ca:  # cryptography refuses a pathLenConstraint without cA
            raise ValueError("pathLenConstraint without cA")
        i = ve
    if i != end:
        raise ValueError("trailing data")
    return ca, path_length


def _key_usage(d: bytes, s: int, e: int) -> int:
    if e != s + 4 or d[s] != 0x03 or d[s + 1] != 0x02:  # BIT STRING of one octet
        raise ValueError("keyUsage outside the subset")
    unused, bits = d[s + 2], d[s + 3]
    if unused > 7 or bits & ((1 << unused) - 1) or bits & 0x01:  # padding bits zero; no encipherOnly
        raise ValueError("keyUsage outside the subset")
    return bits


def _eku(d: bytes, s: int, e: int) -> tuple[str, ...]:
    if d[s] != 0x30:
        raise ValueError("extendedKeyUsage not a SEQUENCE")
    i, end = _tlv(d, s)
    if end != e or i == end:
        raise ValueError("extendedKeyUsage outside the subset")
    out = []
    while i < end:
        oid, i = _oid_at(d, i)
        out.append(oid)
    if i != end:
        raise ValueError("trailing data")
    return tuple(out)


def _octets(d: bytes, s: int, e: int) -> bytes:
    if d[s] != 0x04:
        raise ValueError("not an OCTET STRING")
    vs, ve = _tlv(d, s)
    if ve != e or vs == ve:
        raise ValueError("subjectKeyIdentifier outside the subset")
    return d[vs:ve]


def _aki(d: bytes, s: int, e: int) -> bytes | None:
    if d[s] != 0x30:
        raise ValueError("authorityKeyIdentifier not a SEQUENCE")
    i, end = _tlv(d, s)
    if end != e:
        raise ValueError("trailing data")
    if i == end:
        return None
    if d[i] != 0x80:
        raise ValueError("authorityKeyIdentifier outside the subset")
    vs, ve = _tlv(d, i)
    if ve != end:
        raise ValueError("authorityKeyIdentifier outside the subset")
    return d[vs:ve]


#: the reader of each extension in the subset: (DER, start of extnValue's content, its end) -> value
_READERS: dict[str, Callable[[bytes, int, int], object]] = {
    _BC: _basic_constraints,
    _KU: _key_usage,
    _EKU: _eku,
    _SKI: _octets,
    _AKI: _aki,
    _SAN: _san,
    _CRL_DP: _crl_points,
    _AIA: _access_descriptions,
    _CP: _policies,
}


#: RFC 4514 short names, as cryptography's ``Name.rfc4514_string`` gives them
_SHORT_NAMES = {
    "2.5.4.3": "CN",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "2.5.4.6": "C",
    "2.5.4.9": "STREET",
    "0.9.2342.19200300.100.1.25": "DC",
    "0.9.2342.19200300.100.1.1": "UID",
}
_SPECIAL = frozenset('\\"+,;<>\0')


def _escape(value: str) -> str:
    """A value escaped as cryptography's ``Name.rfc4514_string`` escapes it (RFC 4514 2.4)."""
    if not value:
        return ""
    if not _SPECIAL.isdisjoint(value):
        value = value.replace("\\", "\\\\").replace('"', '\\"').replace("+", "\\+").replace(",", "\\,")
        value = value.replace(";", "\\;").replace("<", "\\<").replace(">", "\\>").replace("\0", "\\00")
    if value[0] == "#" or (value[0] == " " and len(value) > 1):
        value = "\\" + value
    if value[-1] == " ":
        value = value[:-1] + "\\ "
    return value


#: the named curves whose public keys :func:`spki_key` describes: the SubjectPublicKeyInfo's DER up to
#: and including the uncompressed point's 0x04 (algorithm id-ecPublicKey, the curve's OID, the BIT
#: STRING with no unused bits), cryptography's curve name, the field prime p and the coefficient b
#: of y^2 = x^3 - 3x + b (all three curves have a = -3 and cofactor 1)
_CURVES: dict[int, tuple[bytes, str, int, int]] = {
    91: (
        bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d03010703420004"),
        "secp256r1",
        2**256 - 2**224 + 2**192 + 2**96 - 1,
        0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
    ),
    120: (
        bytes.fromhex("3076301006072a8648ce3d020106052b8104002203620004"),
        "secp384r1",
        2**384 - 2**128 - 2**96 + 2**32 - 1,
        0xB3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875AC656398D8A2ED19D2A85C8EDD3EC2AEF,
    ),
    158: (
        bytes.fromhex("30819b301006072a8648ce3d020106052b810400230381860004"),
        "secp521r1",
        2**521 - 1,
        0x0051953EB9618E1C9A1F929A21A0B68540EEA2DA725B99B315F3B8B489918EF109E156193951EC7E937B1652C0BD3BB1BF073573DF883D2C34F1EF451FD46B503F00,
    ),
}
#: Ed25519 and Ed448 SubjectPublicKeyInfo DER before the key octets, by total length
_EDDSA: dict[int, tuple[bytes, str]] = {
    44: (bytes.fromhex("302a300506032b6570032100"), "Ed25519"),
    69: (bytes.fromhex("3043300506032b6571033a00"), "Ed448"),
}


def spki_key(spki: bytes) -> tuple[str, str] | None:
    """The description ``("ec", curve name)`` or ``("eddsa", "Ed25519" | "Ed448")`` that loading the
    SubjectPublicKeyInfo ``spki`` with cryptography gives (what ``validate._key_facts`` says of the
    loaded key), read from the DER without loading it; None for anything else, which is then loaded.

    Only the one DER form of a P-256, P-384 or P-521 key with an uncompressed point whose
    coordinates are below p and satisfy the curve's equation (what OpenSSL's load checks: on these
    curves of cofactor 1 such a point is a valid public key), and of an Ed25519 or Ed448 key (any
    32 or 57 octets load). A key that fails to load or is unusual (compressed point, explicit
    curve parameters, another curve) is described by loading it, so it is refused as before."""
    n = len(spki)
    curve = _CURVES.get(n)
    if curve is not None:
        prefix, name, p, b = curve
        if not spki.startswith(prefix):
            return None
        half = (n - len(prefix)) // 2
        x = int.from_bytes(spki[len(prefix) : len(prefix) + half])
        y = int.from_bytes(spki[len(prefix) + half :])
        if x >= p or y >= p or (y * y - x * x * x + 3 * x - b) % p:
            return None
        return "ec", name
    eddsa = _EDDSA.get(n)
    if eddsa is not None and spki.startswith(eddsa[0]):
        return "eddsa", eddsa[1]
    return None
