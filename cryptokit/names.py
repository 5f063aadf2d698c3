"""Distinguished names: parse a subject from a mapping or a string, and format one back.

Strings come in two dialects:

* RFC 4514 (``CN=Alice,O=Acme,C=IN``), with its escapes (``\\,``, ``\\+``, ``\\2C``, ``#``-hex
  values) and ``+`` for multi-valued RDNs; parsed by cryptography.
* emCA (the eMudhra CA API): ``CN=..~O=..`` or ``CN=..,O=..`` with the vendor's attribute names
  (CN, SERIALNUMBER, E, O, OU, S, C, L, PostalCode, STREET, T, UID, Phone, dotted 2.5.4.x OIDs).
  A backslash escapes the next character (``\\~``, ``\\,``, ``\\+``, ``\\\\``). A separator (or a
  ``+``, which starts another attribute of the same RDN) counts only when ``NAME=`` follows it, so
  ``Phone=+91..`` and ``O=Acme, Inc.`` stay values.

Both dialects, and mappings, list the most specific RDN first (``CN`` first, as people write DNs);
the DER holds the RDNs in the reverse order, exactly as ``x509.Name.from_rfc4514_string`` does. So
``parse_subject("CN=a,O=b") == parse_subject("CN=a~O=b") == parse_subject({"CN": "a", "O": "b"})``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal

from cryptography import x509
from cryptography.x509.oid import NameOID, ObjectIdentifier

from .errors import InputError, plain_parse_error

__all__ = ["parse_subject", "format_subject", "attribute_oid", "asn1_name_problem", "MAX_SUBJECT_LENGTH"]

#: Upper bound on the length of a subject string, and on the number of attributes.
MAX_SUBJECT_LENGTH = 8192
MAX_SUBJECT_ATTRIBUTES = 64

_E = NameOID.EMAIL_ADDRESS
_PHONE = ObjectIdentifier("2.5.4.20")
# Lookup table: upper-cased name -> OID (vendor names, RFC 4514 names, long names).
_NAMES: dict[str, ObjectIdentifier] = {
    "CN": NameOID.COMMON_NAME,
    "COMMONNAME": NameOID.COMMON_NAME,
    "SERIALNUMBER": NameOID.SERIAL_NUMBER,
    "E": _E,
    "EMAIL": _E,
    "EMAILADDRESS": _E,
    "O": NameOID.ORGANIZATION_NAME,
    "ORGANIZATIONNAME": NameOID.ORGANIZATION_NAME,
    "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
    "ORGANIZATIONALUNITNAME": NameOID.ORGANIZATIONAL_UNIT_NAME,
    "S": NameOID.STATE_OR_PROVINCE_NAME,
    "ST": NameOID.STATE_OR_PROVINCE_NAME,
    "STATEORPROVINCENAME": NameOID.STATE_OR_PROVINCE_NAME,
    "C": NameOID.COUNTRY_NAME,
    "COUNTRYNAME": NameOID.COUNTRY_NAME,
    "L": NameOID.LOCALITY_NAME,
    "LOCALITYNAME": NameOID.LOCALITY_NAME,
    "POSTALCODE": NameOID.POSTAL_CODE,
    "STREET": NameOID.STREET_ADDRESS,
    "STREETADDRESS": NameOID.STREET_ADDRESS,
    "T": NameOID.TITLE,
    "TITLE": NameOID.TITLE,
    "UID": NameOID.USER_ID,
    "USERID": NameOID.USER_ID,
    "PHONE": _PHONE,
    "TELEPHONENUMBER": _PHONE,
    "DC": NameOID.DOMAIN_COMPONENT,
    "G": NameOID.GIVEN_NAME,
    "GN": NameOID.GIVEN_NAME,
    "GIVENNAME": NameOID.GIVEN_NAME,
    "SN": NameOID.SURNAME,
    "SURNAME": NameOID.SURNAME,
    "PSEUDONYM": NameOID.PSEUDONYM,
    "DNQUALIFIER": NameOID.DN_QUALIFIER,
    "ORGANIZATIONIDENTIFIER": NameOID.ORGANIZATION_IDENTIFIER,
    "INITIALS": NameOID.INITIALS,
    "GENERATIONQUALIFIER": NameOID.GENERATION_QUALIFIER,
    "BUSINESSCATEGORY": NameOID.BUSINESS_CATEGORY,
}
# Names used when formatting: the vendor's spelling for emCA, RFC 4514's (plus a few) otherwise.
_EMCA_OUT: dict[str, str] = {
    NameOID.COMMON_NAME.dotted_string: "CN",
    NameOID.SERIAL_NUMBER.dotted_string: "SERIALNUMBER",
    _E.dotted_string: "E",
    NameOID.ORGANIZATION_NAME.dotted_string: "O",
    NameOID.ORGANIZATIONAL_UNIT_NAME.dotted_string: "OU",
    NameOID.STATE_OR_PROVINCE_NAME.dotted_string: "S",
    NameOID.COUNTRY_NAME.dotted_string: "C",
    NameOID.LOCALITY_NAME.dotted_string: "L",
    NameOID.POSTAL_CODE.dotted_string: "PostalCode",
    NameOID.STREET_ADDRESS.dotted_string: "STREET",
    NameOID.TITLE.dotted_string: "T",
    NameOID.USER_ID.dotted_string: "UID",
    _PHONE.dotted_string: "Phone",
    NameOID.DOMAIN_COMPONENT.dotted_string: "DC",
    NameOID.GIVEN_NAME.dotted_string: "G",
    NameOID.SURNAME.dotted_string: "SN",
}
_RFC4514_OVERRIDES: dict[str, ObjectIdentifier] = {
    "SERIALNUMBER": NameOID.SERIAL_NUMBER,
    "E": _E,
    "EMAIL": _E,
    "EMAILADDRESS": _E,
    "S": NameOID.STATE_OR_PROVINCE_NAME,
    "POSTALCODE": NameOID.POSTAL_CODE,
    "T": NameOID.TITLE,
    "TITLE": NameOID.TITLE,
    "PHONE": _PHONE,
    "G": NameOID.GIVEN_NAME,
    "GN": NameOID.GIVEN_NAME,
    "GIVENNAME": NameOID.GIVEN_NAME,
    "SN": NameOID.SURNAME,
    "SURNAME": NameOID.SURNAME,
    "ORGANIZATIONIDENTIFIER": NameOID.ORGANIZATION_IDENTIFIER,
}
_DOTTED = re.compile(r"\A(?:OID\.)?([0-2](?:\.(?:0|[1-9][0-9]{0,9})){1,20})\Z", re.IGNORECASE)
_ATTR_START = re.compile(r"\s*(?:[A-Za-z][A-Za-z0-9-]*|(?:OID\.)?[0-2](?:\.[0-9]+)+)\s*=")
# Vendor-only spellings: a string using them is emCA style even with "," separators.
_EMCA_ONLY = {"E", "S", "T", "PHONE", "POSTALCODE", "SERIALNUMBER"}

Style = Literal["auto", "rfc4514", "emca"]


def attribute_oid(name: str | ObjectIdentifier) -> ObjectIdentifier:
    """The OID of an attribute name (vendor, RFC 4514 or long spelling, any case) or dotted OID."""
    if isinstance(name, ObjectIdentifier):
        return name
    if not isinstance(name, str):
        raise InputError("subject", f"attribute names must be str, not {type(name).__name__}")
    key = name.strip()
    found = _NAMES.get(key.upper().replace("_", "").replace(" ", ""))
    if found is not None:
        return found
    match = _DOTTED.match(key)
    if match:
        try:
            return ObjectIdentifier(match.group(1))
        except ValueError:
            pass
    raise InputError("subject", f"unknown attribute name {name!r}")


def _attribute(oid: ObjectIdentifier, value: object, where: str) -> x509.NameAttribute[str]:
    if not isinstance(value, str):
        raise InputError(where, f"value must be str, not {type(value).__name__}")
    if value == "":
        raise InputError(where, "value is empty")
    if any(ord(ch) < 0x20 and ch not in "\t" for ch in value):
        raise InputError(where, "value has control characters")
    try:
        return x509.NameAttribute(oid, value)
    except (ValueError, TypeError) as exc:
        raise InputError(where, str(exc)) from None


def parse_subject(
    value: x509.Name | Mapping[str, str | Iterable[str]] | str | Iterable[tuple[str, str]],
    *,
    style: Style = "auto",
) -> x509.Name:
    """An ``x509.Name`` from a mapping, a list of (name, value) pairs, or a DN string.

    ``style="auto"`` reads a string as emCA when it has a ``~`` (escaped or not) or uses a vendor-only
    name (E, S, T, Phone, PostalCode, SERIALNUMBER), else as RFC 4514, falling back to the emCA
    reading (which trims spaces around ``,``) when strict RFC 4514 parsing fails. A mapping value may be a list
    for repeated attributes (e.g. two OUs). Unknown names, empty values, a country that is not two
    letters and malformed strings are :class:`InputError` (field ``subject``).
    """
    if isinstance(value, x509.Name):
        return value
    if isinstance(value, str):
        if len(value) > MAX_SUBJECT_LENGTH:
            raise InputError("subject", f"is over {MAX_SUBJECT_LENGTH} characters")
        if not value.strip():
            raise InputError("subject", "is empty")
        if style not in ("auto", "rfc4514", "emca"):
            raise InputError("style", "must be 'auto', 'rfc4514' or 'emca'")
        chosen = style if style != "auto" else _guess_style(value)
        if chosen == "emca":
            return _parse_emca(value)
        try:
            return _parse_rfc4514(value)
        except InputError:
            if style == "rfc4514":
                raise
            # "CN=a, O=b": spaces after the separators are common and RFC 4514 refuses them.
            return _parse_emca(value)
    pairs: list[tuple[str, str]] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(item, str):
                pairs.append((key, item))
            elif isinstance(item, Iterable):
                pairs.extend((key, v) for v in item)
            else:
                raise InputError(f"subject.{key}", f"value must be str or a list of str, not {type(item).__name__}")
    elif isinstance(value, Iterable):
        for item in value:
            if not (isinstance(item, tuple) and len(item) == 2):
                raise InputError("subject", "items must be (name, value) pairs")
            pairs.append(item)
    else:
        raise InputError("subject", f"must be a mapping, a DN string or an x509.Name, not {type(value).__name__}")
    if not pairs:
        raise InputError("subject", "is empty")
    if len(pairs) > MAX_SUBJECT_ATTRIBUTES:
        raise InputError("subject", f"has more than {MAX_SUBJECT_ATTRIBUTES} attributes")
    rdns = [x509.RelativeDistinguishedName([_attribute(attribute_oid(k), v, f"subject.{k}")]) for k, v in pairs]
    return x509.Name(list(reversed(rdns)))


def _guess_style(text: str) -> Style:
    escaped = False
    for ch in text:
        if escaped:
            if ch == "~":  # RFC 4514 has no \~ escape
                return "emca"
            escaped = False
        elif ch == "\\":
            escaped = True
    for separator, name in _top_level_tokens(text):
        if separator == "~":
            return "emca"
        if name.strip().upper() in _EMCA_ONLY:
            return "emca"
    return "rfc4514"


def _unescaped(text: str) -> Iterator[tuple[int, str]]:
    """(index, character) for each character of ``text`` that is neither a backslash escape nor
    escaped by one: the one escape rule of every splitter here."""
    escaped = False
    for index, ch in enumerate(text):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        else:
            yield index, ch


def _top_level_tokens(text: str) -> Iterable[tuple[str, str]]:
    """(separator before, attribute name) for each ``name=`` at the start of a component."""
    separator = ""
    start = 0
    for index, ch in _unescaped(text):
        if ch in ",~;" and (ch != "~" or _ATTR_START.match(text, index + 1)):
            yield separator, text[start:index].split("=", 1)[0]
            separator, start = ch, index + 1
    yield separator, text[start:].split("=", 1)[0]


def _parse_rfc4514(text: str) -> x509.Name:
    try:
        name = x509.Name.from_rfc4514_string(text, attr_name_overrides=_RFC4514_OVERRIDES)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise InputError("subject", f"is not a valid RFC 4514 name ({plain_parse_error(exc)})") from None
    if sum(len(rdn) for rdn in name.rdns) > MAX_SUBJECT_ATTRIBUTES:
        raise InputError("subject", f"has more than {MAX_SUBJECT_ATTRIBUTES} attributes")
    return name


def _split(text: str, separators: str) -> list[tuple[str, str]]:
    """Split on unescaped separators followed by ``NAME=``; returns (raw part, separator that ended it).

    A separator not followed by an attribute name is text (``O=Acme, Inc.``, ``CN=a~b``).
    """
    parts: list[tuple[str, str]] = []
    current: list[str] = []
    escaped = False
    for index, ch in enumerate(text):
        if escaped:
            current.append("\\" + ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in separators and _ATTR_START.match(text, index + 1):
            parts.append(("".join(current), ch))
            current = []
        else:
            current.append(ch)
    if escaped:
        raise InputError("subject", "ends with a lone backslash")
    parts.append(("".join(current), ""))
    return parts


def _unescape(raw: str, where: str) -> str:
    out: list[str] = []
    i = 0
    # trim unescaped outer whitespace
    stripped = raw.lstrip(" \t")
    end = len(stripped)
    while end > 0 and stripped[end - 1] in " \t" and not (end >= 2 and stripped[end - 2] == "\\"):
        end -= 1
    raw = stripped[:end]
    while i < len(raw):
        ch = raw[i]
        if ch == "\\":
            nxt = raw[i + 1 : i + 3]
            if len(nxt) == 2 and all(c in "0123456789abcdefABCDEF" for c in nxt):
                # hex pairs: collect a run and decode as UTF-8
                hex_run = bytearray()
                while (
                    raw[i : i + 1] == "\\"
                    and len(raw[i + 1 : i + 3]) == 2
                    and all(c in "0123456789abcdefABCDEF" for c in raw[i + 1 : i + 3])
                ):
                    hex_run.append(int(raw[i + 1 : i + 3], 16))
                    i += 3
                try:
                    out.append(hex_run.decode("utf-8"))
                except UnicodeDecodeError:
                    raise InputError(where, "hex escapes are not UTF-8") from None
                continue
            if i + 1 >= len(raw):
                raise InputError(where, "ends with a lone backslash")
            out.append(raw[i + 1])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _parse_emca(text: str) -> x509.Name:
    separator = "~" if any(sep == "~" for sep, _ in _top_level_tokens(text)) else ","
    components = [raw for raw, _ in _split(text, separator)]
    rdns: list[x509.RelativeDistinguishedName] = []
    count = 0
    for index, component in enumerate(components):
        where = f"subject[{index}]"
        attributes: list[x509.NameAttribute[str]] = []
        for piece in _split_multi(component):
            name, eq, raw_value = _split_first_equals(piece)
            if not eq:
                raise InputError(where, "is not NAME=value")
            oid = attribute_oid(_unescape(name, where))
            attributes.append(_attribute(oid, _unescape(raw_value, where), where))
            count += 1
        if count > MAX_SUBJECT_ATTRIBUTES:
            raise InputError("subject", f"has more than {MAX_SUBJECT_ATTRIBUTES} attributes")
        try:
            rdns.append(x509.RelativeDistinguishedName(attributes))
        except ValueError as exc:
            raise InputError(where, str(exc)) from None
    if not rdns:
        raise InputError("subject", "is empty")
    return x509.Name(list(reversed(rdns)))


def _split_multi(component: str) -> list[str]:
    """Split one RDN on unescaped ``+`` that is followed by ``NAME=``."""
    pieces: list[str] = []
    start = 0
    for index, ch in _unescaped(component):
        if ch == "+" and index > start and _ATTR_START.match(component, index + 1):
            pieces.append(component[start:index])
            start = index + 1
    pieces.append(component[start:])
    return pieces


def _split_first_equals(piece: str) -> tuple[str, str, str]:
    for index, ch in _unescaped(piece):
        if ch == "=":
            return piece[:index], "=", piece[index + 1 :]
    return piece, "", ""


def _escape_emca(value: str) -> str:
    """Escape only what would change the reading: a backslash, a separator or ``+`` that a
    ``NAME=`` follows, a leading ``#`` or ``"``, and outer spaces. ``O=Acme, Inc.`` stays as is, as
    the vendor expects (it documents no escaping)."""
    out: list[str] = []
    last = len(value) - 1
    for index, ch in enumerate(value):
        if (
            ch == "\\"
            or (ch in ",~;+" and _ATTR_START.match(value, index + 1))
            or (index == 0 and ch in '#"')
            or (ch in " \t" and index in (0, last))
        ):
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def format_subject(name: x509.Name, style: Literal["emca", "rfc4514"] = "emca", separator: str = ",") -> str:
    """A DN string for ``name``: most specific RDN first.

    ``emca`` uses the vendor's names (CN, SERIALNUMBER, E, O, OU, S, C, PostalCode, STREET, T, UID,
    Phone, else the dotted OID) joined by ``separator`` (``,`` or ``~``), backslash-escaping only
    what would otherwise change the reading (see :func:`_escape_emca`). ``rfc4514`` is
    cryptography's ``rfc4514_string()``. ``parse_subject`` reads the emCA form back to the same
    name; give it ``style="rfc4514"`` for RFC 4514 text whose values may hold ``~NAME=``.
    """
    if not isinstance(name, x509.Name):
        raise InputError("name", f"must be an x509.Name, not {type(name).__name__}")
    if style == "rfc4514":
        return name.rfc4514_string()
    if style != "emca":
        raise InputError("style", "must be 'emca' or 'rfc4514'")
    if separator not in (",", "~"):
        raise InputError("separator", "must be ',' or '~'")
    parts: list[str] = []
    for rdn in reversed(list(name.rdns)):
        values: list[str] = []
        for attribute in rdn:
            label = _EMCA_OUT.get(attribute.oid.dotted_string, attribute.oid.dotted_string)
            raw = attribute.value
            text = raw if isinstance(raw, str) else raw.decode("latin-1")
            values.append(f"{label}={_escape_emca(text)}")
        parts.append("+".join(values))
    return separator.join(parts)


_TWO_LETTER = frozenset({"2.5.4.6", "1.3.6.1.4.1.311.60.2.1.3"})  # countryName, jurisdictionCountryName


def asn1_name_problem(name: Any) -> str | None:
    """What is wrong with an asn1crypto ``Name`` that cryptography would only warn about (a
    country that is not two letters), or None. Lets loaders refuse it instead of leaking the warning."""
    try:
        for rdn in name.chosen:
            for atv in rdn:
                if atv["type"].dotted in _TWO_LETTER:
                    value = atv["value"].native
                    if not isinstance(value, str) or len(value) != 2:
                        return f"has a country name {value!r} that is not two letters"
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError):
        return "is not a well-formed name"
    return None
