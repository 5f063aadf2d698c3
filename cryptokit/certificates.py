"""Certificates in every wire form vendors send, and a JSON-ready summary of one.

``load_certificates`` accepts PEM (``CERTIFICATE`` and ``PKCS7`` blocks, one or many), DER X.509,
PKCS#7 certs-only bundles in DER or BER (indefinite length, as Java writes them), base64 of any
of these, ``x509.Certificate`` objects, and lists of all of them. PKCS#7 bundles are parsed with
asn1crypto and each certificate is loaded by cryptography from its own original DER bytes, so
BER bundles load without a dependency warning. It proves that each item is a well-formed X.509
certificate; it does not check signatures, validity dates or the chain.
"""

from __future__ import annotations

import binascii
import functools
import re
import warnings
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeAlias

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm as UnsupportedAlgorithmError
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa, x448, x25519
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import ExtendedKeyUsageOID

from ._dsa import DSAPublicKey
from ._dsa import public_key as load_public_key
from .encoding import b64decode, der_header, input_bytes, pem_decode_all, utf8
from .errors import InputError, plain_parse_error

if TYPE_CHECKING:
    from asn1crypto import x509 as a_x509

__all__ = [
    "CertificateLike",
    "MAX_CERTIFICATES",
    "MAX_CERTIFICATES_SIZE",
    "CertificateInput",
    "load_certificates",
    "load_certificate",
    "load_der_certificate",
    "parsed_certificate",
    "certificate_summary",
    "public_key_description",
]

#: Upper bound on the input of :func:`load_certificates` (bytes of text or DER).
MAX_CERTIFICATES_SIZE = 16 * 1024 * 1024
#: Upper bound on the number of certificates one call returns.
MAX_CERTIFICATES = 1000

CertificateInput = bytes | bytearray | memoryview | str | x509.Certificate
#: What every certificate argument takes: an ``x509.Certificate``, PEM/DER/base64 bytes or text (a
#: bundle, or PKCS#7 certs-only), or a sequence of these.
CertificateLike: TypeAlias = CertificateInput | Iterable[CertificateInput]
_PEM_LABELS = ("CERTIFICATE", "X509 CERTIFICATE", "PKCS7", "CMS")
_SIGNED_DATA_OID = "1.2.840.113549.1.7.2"
_WS = re.compile(rb"\A[ \t\r\n]*\Z")


def load_certificates(
    data: CertificateLike,
    *,
    max_size: int = MAX_CERTIFICATES_SIZE,
    max_count: int = MAX_CERTIFICATES,
    allow_non_positive_serial: bool = False,
) -> list[x509.Certificate]:
    """Every certificate in ``data``, in the order found; raises :class:`InputError` if any part is
    not a certificate (nothing is skipped silently) or if there is none.

    A serial number that is zero or negative is refused (RFC 5280 4.1.2.2) unless
    ``allow_non_positive_serial``: real trust roots with serial 0 exist (e.g. Starfield Root CA G2)
    and the chain validator loads anchors (and reports on the other certificates) with it."""
    lax = allow_non_positive_serial
    out: list[x509.Certificate] = []
    if isinstance(data, (list, tuple)):
        if len(data) > max_count:
            raise InputError("certificates", f"holds more than {max_count} items")
        for index, item in enumerate(data):
            if isinstance(item, (list, tuple)):
                raise InputError(f"certificates[{index}]", "must be a certificate, not a nested list")
            out.extend(_load_one(item, f"certificates[{index}]", max_size, max_count - len(out), lax))
    else:
        out.extend(_load_one(data, "certificates", max_size, max_count, lax))
    if not out:
        raise InputError("certificates", "holds no certificate")
    return out


def load_certificate(data: CertificateLike) -> x509.Certificate:
    """The one certificate in ``data`` (any form :func:`load_certificates` takes); more than one is an error."""
    certs = load_certificates(data)
    if len(certs) != 1:
        raise InputError("certificate", f"holds {len(certs)} certificates, expected exactly one")
    return certs[0]


def _load_one(item: object, field: str, max_size: int, budget: int, lax: bool = False) -> list[x509.Certificate]:
    if isinstance(item, x509.Certificate):
        return _bounded([parsed_certificate(item, field, allow_non_positive_serial=lax)], field, budget)
    # Text around PEM blocks (openssl's "Bag Attributes") may be any text.
    raw = input_bytes(item, field, max_size, text=lambda t: utf8(t, field), accepted="bytes, str or x509.Certificate")
    return _load_bytes(raw, field, max_size, budget, depth=0, lax=lax)


def _load_bytes(
    raw: bytes, field: str, max_size: int, budget: int, depth: int, lax: bool = False
) -> list[x509.Certificate]:
    if not raw or _WS.match(raw):
        raise InputError(field, "is empty")
    if raw[:1] == b"\x30":
        return _load_der(raw, field, budget, lax)
    if b"-----BEGIN " in raw:
        return _load_pem(raw, field, max_size, budget, lax)
    if depth > 0:
        raise InputError(field, "is neither DER nor PEM after base64 decoding")
    text = raw.strip()
    try:
        decoded = b64decode(text, field=field, allow_whitespace=True, max_size=max_size)
    except InputError as exc:
        if _BINARY.search(text) or not _is_utf8(text):  # a photo, a PDF, an executable: no base64 details
            raise InputError(field, _NOT_A_CERTIFICATE) from None
        raise InputError(field, f"{_NOT_A_CERTIFICATE}: as base64 it {exc.rule}") from None
    return _load_bytes(decoded, field, max_size, budget, depth + 1, lax)


_NOT_A_CERTIFICATE = "is not a certificate (DER, PEM or base64)"
_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _load_pem(raw: bytes, field: str, max_size: int, budget: int, lax: bool = False) -> list[x509.Certificate]:
    blocks = pem_decode_all(raw, labels=_PEM_LABELS, field=field, max_size=max_size)
    if raw.count(b"-----BEGIN ") != len(blocks):
        raise InputError(field, "has a PEM BEGIN line without a well-formed block")
    out: list[x509.Certificate] = []
    for index, block in enumerate(blocks):
        where = f"{field}[{index}]"
        if block.label in ("PKCS7", "CMS"):
            out.extend(_load_pkcs7(block.der, where, budget - len(out), lax))
        else:
            cert = load_der_certificate(block.der, where, allow_non_positive_serial=lax)
            out.extend(_bounded([cert], where, budget - len(out)))
    return out


def _load_der(raw: bytes, field: str, budget: int, lax: bool = False) -> list[x509.Certificate]:
    # A ContentInfo starts SEQUENCE { OID ...; a Certificate starts SEQUENCE { SEQUENCE ...
    header = 2 + (raw[1] & 0x7F if len(raw) > 1 and raw[1] & 0x80 else 0)
    if raw[header : header + 1] == b"\x06":
        return _load_pkcs7(raw, field, budget, lax)
    return _bounded([load_der_certificate(raw, field, allow_non_positive_serial=lax)], field, budget)


def load_der_certificate(der: bytes, field: str, *, allow_non_positive_serial: bool = False) -> x509.Certificate:
    """cryptography's certificate from ``der``, names and extensions parsed now, without a warning.

    Proves the DER is a certificate cryptography accepts, with positive serial numbers (its own and
    the authorityKeyIdentifier's authorityCertSerialNumber, RFC 5280 4.1.2.2) unless
    ``allow_non_positive_serial``; cryptography loads those with a deprecation warning (and will
    refuse them), so they are an :class:`InputError` here or, when allowed, loaded silently. Every
    cryptokit module loads certificate DER through this function. Does not check any signature."""
    if isinstance(der, bytes) and plainly_admissible(der, None):  # the common case: no asn1crypto parse
        try:
            return _parsed(x509.load_der_x509_certificate(der))
        except _LOAD_ERRORS:
            pass  # the full path below says why, in the same words as for any other input
    from asn1crypto import x509 as a_x509  # asn1crypto and names load with the first certificate, not at import

    from .names import asn1_name_problem

    try:
        tbs = a_x509.Certificate.load(der)["tbs_certificate"]
        for part in ("subject", "issuer"):
            problem = asn1_name_problem(tbs[part])
            if problem is not None:
                raise InputError(field, f"{part} {problem}")
    except _ASN1_ERRORS as exc:
        raise InputError(field, f"is not a valid X.509 certificate ({_short(exc)})") from None
    load = functools.partial(x509.load_der_x509_certificate, der)
    return _admitted(load, tbs, field, allow_non_positive_serial, "is not a valid X.509 certificate")


def parsed_certificate(
    cert: x509.Certificate, field: str, *, allow_non_positive_serial: bool = False
) -> x509.Certificate:
    """``cert`` (a caller's object) with its names and extensions parsed now, as
    :func:`load_der_certificate` does for DER: the same rules, the same typed errors, no warning.
    cryptography parses lazily, so without this a malformed or deprecated part would fail (or warn)
    later, inside whichever cryptokit call touched it first. ``cert`` that is not a certificate is an
    InputError naming ``field``."""
    try:
        tbs_der = cert.tbs_certificate_bytes
    except AttributeError:  # the type check costs nothing on the good path
        raise InputError(str(field), f"must be an x509.Certificate, not {type(cert).__name__}") from None
    if plainly_admissible(tbs_der, 0):
        try:
            return _parsed(cert)
        except _LOAD_ERRORS:
            pass
    from asn1crypto import x509 as a_x509

    try:
        tbs = a_x509.TbsCertificate.load(tbs_der)
    except _ASN1_ERRORS as exc:
        raise InputError(field, f"is not a valid X.509 certificate ({_short(exc)})") from None
    return _admitted(lambda: cert, tbs, field, allow_non_positive_serial, "has malformed parts")


def _admitted(
    load: Callable[[], x509.Certificate], tbs: a_x509.TbsCertificate, field: str, lax: bool, what: str
) -> x509.Certificate:
    """The one admission rule behind both: serial numbers, then cryptography's lazy parts parsed."""
    try:
        serial_problem = _serial_problem(tbs)
    except _ASN1_ERRORS as exc:
        raise InputError(field, f"is not a valid X.509 certificate ({_short(exc)})") from None
    if serial_problem is not None and not lax:
        # cryptography would load it with a deprecation warning, later refuse it.
        raise InputError(field, f"{serial_problem} (RFC 5280 section 4.1.2.2)")
    try:
        if serial_problem is None:
            return _parsed(load())
        with warnings.catch_warnings():  # allowed by the caller: parsed without cryptography's warning
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            return _parsed(load())
    except _LOAD_ERRORS as exc:
        raise InputError(field, f"{what} ({_short(exc)})") from None


_ASN1_ERRORS = (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError)
_LOAD_ERRORS = (
    ValueError,
    TypeError,
    KeyError,  # cryptography 49 parsing a name attribute whose value has an unknown tag (e.g. 0)
    x509.InvalidVersion,
    x509.DuplicateExtension,
    x509.UnsupportedGeneralNameType,
    UnsupportedAlgorithmError,
)
_AKI_OID = "2.5.29.35"


#: countryName and jurisdictionCountryName as DER OIDs (cryptography warns unless the value is 2 UTF-8 bytes)
_COUNTRY_OIDS = (b"\x06\x03\x55\x04\x06", b"\x06\x0b\x2b\x06\x01\x04\x01\x82\x37\x3c\x02\x01\x03")
_AKI_OID_DER = b"\x06\x03\x55\x1d\x23"
_PLAIN_STRING_TAGS = (0x0C, 0x13)  # UTF8String, PrintableString


def plainly_admissible(der: bytes, tbs_at: int | None) -> bool:
    """True when the DER bytes show, without a parser, that cryptography will load ``der`` without a
    warning: a positive serial number, every countryName/jurisdictionCountryName value two printable
    ASCII characters, and every authorityKeyIdentifier holding only a keyIdentifier. Reads the
    serial's INTEGER header (``tbs_at``: the TBSCertificate's offset, None for a whole certificate)
    and searches the bytes for the OIDs (an occurrence anywhere, even inside a value, must pass).

    Conservative: False sends the certificate through the full asn1crypto check, which gives the
    exact rule; True proves nothing about well-formedness (cryptography's parse still decides)."""
    try:
        i = der_header(der, 0)[0] if tbs_at is None else tbs_at
        i = der_header(der, i)[0]  # inside TBSCertificate
        if der[i] == 0xA0:  # [0] version
            j, n = der_header(der, i)
            i = j + n
        if der[i] != 0x02:
            return False
        j, n = der_header(der, i)
        first = der[j]
        if n == 0 or first >= 0x80 or (first == 0 and (n == 1 or der[j + 1] < 0x80)):
            return False  # not positive, or not minimally encoded
        if not plain_country_values(der):
            return False
        k = der.find(_AKI_OID_DER)
        while k >= 0:
            v = k + len(_AKI_OID_DER)
            if der[v] == 0x01:  # critical BOOLEAN
                v += 3
            if der[v] != 0x04:
                return False
            v = der_header(der, v)[0]
            if der[v] != 0x30:
                return False
            start, n = der_header(der, v)
            if n:  # only [0] keyIdentifier: no authorityCertSerialNumber to check
                if der[start] != 0x80:
                    return False
                j, m = der_header(der, start)
                if j + m != start + n:
                    return False
            k = der.find(_AKI_OID_DER, v)
    except IndexError:
        return False
    return True


def plain_country_values(der: bytes) -> bool:
    """True when every countryName/jurisdictionCountryName OID in ``der`` (an occurrence anywhere,
    even inside a value) is followed by a UTF8String or PrintableString of two printable ASCII
    characters: cryptography then reads the names without the warning it gives for other countries.
    Conservative, like :func:`_plainly_admissible`: False only sends the input to the full check.
    Shared with :func:`cryptokit.csr.verify_csr`."""
    try:
        for oid in _COUNTRY_OIDS:
            k = der.find(oid)
            while k >= 0:
                v = k + len(oid)
                if der[v] not in _PLAIN_STRING_TAGS or der[v + 1] != 2 or not _printable(der[v + 2], der[v + 3]):
                    return False
                k = der.find(oid, v)
    except IndexError:
        return False
    return True


def _printable(a: int, b: int) -> bool:
    return 0x20 <= a < 0x7F and 0x20 <= b < 0x7F


def _serial_problem(tbs: a_x509.TbsCertificate) -> str | None:
    """Which serial number cryptography would warn about (it does for any that is zero or negative)."""
    serial = tbs["serial_number"].native
    if not isinstance(serial, int) or serial <= 0:
        return "has a serial number that is not positive"
    for ext in tbs["extensions"]:
        if ext["extn_id"].dotted == _AKI_OID:
            aki_serial = ext["extn_value"].parsed["authority_cert_serial_number"].native
            if aki_serial is not None and aki_serial <= 0:
                return "has an authorityKeyIdentifier whose authorityCertSerialNumber is not positive"
    return None


def _parsed(cert: x509.Certificate) -> x509.Certificate:
    # cryptography parses these lazily (and caches them): parse them now so a malformed one fails here, typed.
    cert.subject  # noqa: B018
    cert.issuer  # noqa: B018
    cert.extensions  # noqa: B018
    return cert


def _load_pkcs7(der: bytes, field: str, budget: int, lax: bool = False) -> list[x509.Certificate]:
    from asn1crypto import cms as a_cms
    from asn1crypto import core as a_core

    try:
        info = a_cms.ContentInfo.load(der, strict=True)
        if info["content_type"].dotted != _SIGNED_DATA_OID:
            raise InputError(field, f"is a PKCS#7 {info['content_type'].native}, not SignedData")
        choices = info["content"]["certificates"]
        # Absent is a Void. Not ``.native``: it parses every certificate deeply, and a key algorithm
        # asn1crypto does not know made a well-formed bundle "not well-formed" (load_der_certificate
        # below decides what a certificate must be, as for a single DER certificate).
        count = 0 if isinstance(choices, a_core.Void) else len(choices)
        if count > budget:
            raise InputError(field, f"holds more than {budget} certificates")
        items: list[tuple[str, bytes]] = [(choice.name, choice.chosen.dump()) for choice in choices] if count else []
    except InputError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError) as exc:
        raise InputError(field, f"is not a well-formed PKCS#7 SignedData ({_short(exc)})") from None
    out: list[x509.Certificate] = []
    for index, (kind, cert_der) in enumerate(items):
        where = f"{field}.certificates[{index}]"
        if kind != "certificate":
            raise InputError(where, f"is a {kind}, not an X.509 certificate")
        out.append(load_der_certificate(cert_der, where, allow_non_positive_serial=lax))
    if not out:
        raise InputError(field, "is a PKCS#7 bundle with no certificates")
    return out


def _bounded(certs: list[x509.Certificate], field: str, budget: int) -> list[x509.Certificate]:
    if len(certs) > budget:
        raise InputError(field, "holds more certificates than the limit")
    return certs


def _short(exc: BaseException) -> str:
    return plain_parse_error(exc)


# --------------------------------------------------------------------------- summary

_KU_NAMES = (
    ("digital_signature", "digitalSignature"),
    ("content_commitment", "nonRepudiation"),
    ("key_encipherment", "keyEncipherment"),
    ("data_encipherment", "dataEncipherment"),
    ("key_agreement", "keyAgreement"),
    ("key_cert_sign", "keyCertSign"),
    ("crl_sign", "cRLSign"),
)
_EKU_NAMES: dict[str, str] = {
    ExtendedKeyUsageOID.SERVER_AUTH.dotted_string: "serverAuth",
    ExtendedKeyUsageOID.CLIENT_AUTH.dotted_string: "clientAuth",
    ExtendedKeyUsageOID.CODE_SIGNING.dotted_string: "codeSigning",
    ExtendedKeyUsageOID.EMAIL_PROTECTION.dotted_string: "emailProtection",
    ExtendedKeyUsageOID.TIME_STAMPING.dotted_string: "timeStamping",
    ExtendedKeyUsageOID.OCSP_SIGNING.dotted_string: "OCSPSigning",
    ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE.dotted_string: "anyExtendedKeyUsage",
    ExtendedKeyUsageOID.SMARTCARD_LOGON.dotted_string: "smartcardLogon",
    ExtendedKeyUsageOID.KERBEROS_PKINIT_KDC.dotted_string: "pkInitKDC",
    ExtendedKeyUsageOID.IPSEC_IKE.dotted_string: "ipsecIKE",
    "1.3.6.1.4.1.311.10.3.12": "msDocumentSigning",
    "1.2.840.113583.1.1.5": "adobePDFSigning",
    "1.3.6.1.4.1.311.10.3.4": "msEFS",
    "1.3.6.1.5.5.7.3.36": "documentSigning",
}


def public_key_description(public_key: object) -> dict[str, Any]:
    """``{"type": "rsa"|"ec"|"ed25519"|"ed448"|"dsa"|..., "size": bits, "curve": name or None}``."""
    if isinstance(public_key, rsa.RSAPublicKey):
        return {"type": "rsa", "size": public_key.key_size, "curve": None}
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return {"type": "ec", "size": public_key.curve.key_size, "curve": public_key.curve.name}
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        return {"type": "ed25519", "size": 256, "curve": "ed25519"}
    if isinstance(public_key, ed448.Ed448PublicKey):
        return {"type": "ed448", "size": 456, "curve": "ed448"}
    if isinstance(public_key, DSAPublicKey):
        return {"type": "dsa", "size": public_key.key_size, "curve": None}
    if isinstance(public_key, x25519.X25519PublicKey):
        return {"type": "x25519", "size": 256, "curve": "x25519"}
    if isinstance(public_key, x448.X448PublicKey):
        return {"type": "x448", "size": 448, "curve": "x448"}
    return {"type": type(public_key).__name__.lstrip("_").lower(), "size": None, "curve": None}


def _extension(cert: x509.Certificate, cls: type[x509.ExtensionType]) -> Any:
    try:
        return cert.extensions.get_extension_for_class(cls).value
    except x509.ExtensionNotFound:
        return None


def is_ca(cert: x509.Certificate) -> bool:
    """Whether ``cert`` says it is a CA (basicConstraints cA=TRUE); says nothing of who issued it."""
    constraints = _extension(cert, x509.BasicConstraints)
    return bool(constraints is not None and constraints.ca)


def certificate_summary(cert: x509.Certificate) -> dict[str, Any]:
    """A JSON-ready dict describing ``cert`` for reports and the CLI.

    Keys: subject, issuer (RFC 4514), serial (hex as ``openssl x509 -serial`` shows it: ``-05`` for
    a negative one), serial_positive (False for a zero or negative serial, which RFC 5280 4.1.2.2
    forbids), not_before/not_after (ISO 8601 UTC), key
    (type, size, curve), key_usage (RFC 5280 names), extended_key_usage ([{oid, name}]), ski/aki
    (hex or None), is_ca, self_issued, signature_algorithm (dotted OID), sha256 fingerprint (hex),
    subject_alt_names ([{type, value}] or None), extensions ([{oid, name or None, critical}]).
    SERIALNUMBER (2.5.4.5) is shown by name in subject and issuer.
    It describes; it does not judge.
    """
    if not isinstance(cert, x509.Certificate):
        raise InputError("certificate", f"must be an x509.Certificate, not {type(cert).__name__}")
    cert = parsed_certificate(cert, "certificate", allow_non_positive_serial=True)  # described, not judged
    try:
        return _summary(cert)
    except (ValueError, TypeError, x509.DuplicateExtension, x509.UnsupportedGeneralNameType) as exc:
        raise InputError("certificate", f"is malformed ({_short(exc)})") from None


def _summary(cert: x509.Certificate) -> dict[str, Any]:
    ku = _extension(cert, x509.KeyUsage)
    key_usage: list[str] | None = None
    if ku is not None:
        key_usage = [label for attr, label in _KU_NAMES if getattr(ku, attr)]
        if ku.key_agreement:
            key_usage += [
                label
                for attr, label in (("encipher_only", "encipherOnly"), ("decipher_only", "decipherOnly"))
                if getattr(ku, attr)
            ]
    eku = _extension(cert, x509.ExtendedKeyUsage)
    bc = _extension(cert, x509.BasicConstraints)
    ski = _extension(cert, x509.SubjectKeyIdentifier)
    aki = _extension(cert, x509.AuthorityKeyIdentifier)
    from asn1crypto import x509 as a_x509

    serial = a_x509.TbsCertificate.load(cert.tbs_certificate_bytes)["serial_number"].native  # no warning if <= 0
    try:
        public_key: object = load_public_key(cert)
        key = public_key_description(public_key)
    except (ValueError, TypeError, UnsupportedAlgorithmError):
        key = {"type": "unknown", "size": None, "curve": None}
    return {
        "subject": cert.subject.rfc4514_string(_NAME_LABELS),
        "issuer": cert.issuer.rfc4514_string(_NAME_LABELS),
        "serial": _serial_text(serial),
        "serial_positive": serial > 0,
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
        "key": key,
        "key_usage": key_usage,
        "extended_key_usage": (
            [{"oid": u.dotted_string, "name": _EKU_NAMES.get(u.dotted_string, u._name)} for u in eku]
            if eku is not None
            else None
        ),
        "ski": binascii.hexlify(ski.digest).decode() if ski is not None else None,
        "aki": binascii.hexlify(aki.key_identifier).decode() if aki is not None and aki.key_identifier else None,
        "is_ca": bool(bc.ca) if bc is not None else False,
        "path_length": bc.path_length if bc is not None else None,
        "self_issued": cert.subject == cert.issuer,
        "signature_algorithm": cert.signature_algorithm_oid.dotted_string,
        "sha256": cert.fingerprint(hashes.SHA256()).hex(),
        "subject_alt_names": _alt_names(cert),
        "extensions": [
            {"oid": e.oid.dotted_string, "name": _known_name(e.oid), "critical": e.critical}
            for e in cert.extensions
        ],
    }


def _serial_text(serial: int) -> str:
    """The serial as ``openssl x509 -serial`` shows it (lower case): hex of the magnitude padded to
    whole octets, a ``-`` in front of a negative one (RFC 5280 4.1.2.2 wants positive serials; such
    a certificate is described as it is, with ``serial_positive`` False)."""
    magnitude = format(abs(serial), "x")
    return ("-" if serial < 0 else "") + ("0" * (len(magnitude) % 2)) + magnitude


# Attribute types cryptography's RFC 4514 text shows as dotted OIDs but people know by name.
_NAME_LABELS = {x509.NameOID.SERIAL_NUMBER: "SERIALNUMBER"}


def _known_name(oid: x509.ObjectIdentifier) -> str | None:
    """cryptography's name for a known OID (``subjectAltName``, ``keyUsage``...), None for an unknown one."""
    name = oid._name
    return None if name == "Unknown OID" else name


def _alt_names(cert: x509.Certificate) -> list[dict[str, str]] | None:
    """The subjectAltName entries as ``{"type": "dns"|"email"|"uri"|"ip"|"dn"|"other"|"rid", "value": text}``."""
    san = _extension(cert, x509.SubjectAlternativeName)
    if san is None:
        return None
    out: list[dict[str, str]] = []
    for gn in san:
        if isinstance(gn, x509.DNSName):
            out.append({"type": "dns", "value": gn.value})
        elif isinstance(gn, x509.RFC822Name):
            out.append({"type": "email", "value": gn.value})
        elif isinstance(gn, x509.UniformResourceIdentifier):
            out.append({"type": "uri", "value": gn.value})
        elif isinstance(gn, x509.IPAddress):
            out.append({"type": "ip", "value": str(gn.value)})
        elif isinstance(gn, x509.DirectoryName):
            out.append({"type": "dn", "value": gn.value.rfc4514_string(_NAME_LABELS)})
        elif isinstance(gn, x509.RegisteredID):
            out.append({"type": "rid", "value": gn.value.dotted_string})
        elif isinstance(gn, x509.OtherName):
            out.append({"type": "other", "value": gn.type_id.dotted_string})
    return out
