"""PKCS#10 certificate signing requests: build one, and verify one a client sent.

``verify_csr`` proves that the request is well formed and that its self-signature verifies with the
public key it carries (proof of possession). It does not judge whether the subject, the SAN or the
requested extensions are acceptable for a profile: that is the CA's policy, applied to the returned
:class:`CsrInfo`.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from asn1crypto import csr as a_csr
from cryptography import x509
from cryptography.exceptions import InvalidSignature as _CryptoInvalidSignature
from cryptography.exceptions import UnsupportedAlgorithm as _CryptoUnsupported
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.x509.oid import AttributeOID, ExtendedKeyUsageOID, ObjectIdentifier

from ._dsa import DSAPublicKey, csr_public_key
from .algorithms import hash_algorithm, signature_algorithm
from .certificates import plain_country_values, public_key_description
from .encoding import b64decode, input_bytes, pem_decode
from .errors import InputError, InvalidSignature, PolicyViolation, UnsupportedAlgorithm, plain_parse_error
from .names import asn1_name_problem, parse_subject
from .signatures.public_keys import CertificatePublicKey, rsa_exponent_problem

if TYPE_CHECKING:
    from .signatures.public_keys import PrivateKeyLike

__all__ = ["CsrInfo", "build_csr", "verify_csr", "MAX_CSR_SIZE", "san_item", "eku_oid"]

#: Upper bound on the size of a CSR (bytes of PEM, base64 or DER).
MAX_CSR_SIZE = 256 * 1024
MAX_SAN_ITEMS = 1000

_KU_FIELDS: dict[str, str] = {
    "digitalsignature": "digital_signature",
    "nonrepudiation": "content_commitment",
    "contentcommitment": "content_commitment",
    "keyencipherment": "key_encipherment",
    "dataencipherment": "data_encipherment",
    "keyagreement": "key_agreement",
    "keycertsign": "key_cert_sign",
    "crlsign": "crl_sign",
    "encipheronly": "encipher_only",
    "decipheronly": "decipher_only",
}
_EKU: dict[str, ObjectIdentifier] = {
    "serverauth": ExtendedKeyUsageOID.SERVER_AUTH,
    "clientauth": ExtendedKeyUsageOID.CLIENT_AUTH,
    "codesigning": ExtendedKeyUsageOID.CODE_SIGNING,
    "emailprotection": ExtendedKeyUsageOID.EMAIL_PROTECTION,
    "timestamping": ExtendedKeyUsageOID.TIME_STAMPING,
    "ocspsigning": ExtendedKeyUsageOID.OCSP_SIGNING,
    "anyextendedkeyusage": ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,
    "smartcardlogon": ExtendedKeyUsageOID.SMARTCARD_LOGON,
    "documentsigning": ObjectIdentifier("1.3.6.1.5.5.7.3.36"),
    "msdocumentsigning": ObjectIdentifier("1.3.6.1.4.1.311.10.3.12"),
    "adobepdfsigning": ObjectIdentifier("1.2.840.113583.1.1.5"),
}
_SAN_KINDS: dict[str, str] = {
    "rfc822name": "email",
    "email": "email",
    "e": "email",
    "dnsname": "dns",
    "dns": "dns",
    "ipaddress": "ip",
    "ip": "ip",
    "registeredid": "rid",
    "rid": "rid",
    "uri": "uri",
    "uniformresourceidentifier": "uri",
    "directoryname": "dir",
    "dirname": "dir",
}
_DOTTED = re.compile(r"\A[0-2](?:\.(?:0|[1-9][0-9]{0,18})){1,30}\Z")
_KNOWN_EXTENSIONS = frozenset(
    {
        "2.5.29.14",  # subjectKeyIdentifier
        "2.5.29.15",  # keyUsage
        "2.5.29.17",  # subjectAltName
        "2.5.29.19",  # basicConstraints
        "2.5.29.37",  # extKeyUsage
        "2.5.29.32",  # certificatePolicies
        "1.3.6.1.5.5.7.1.24",  # TLS feature
    }
)


@dataclass(frozen=True, slots=True)
class CsrInfo:
    """What a verified CSR asks for. The challenge password's value is kept out of the repr.
    ``subject_text`` (RFC 4514) is formatted when read, not when the request is verified."""

    subject: x509.Name
    public_key: CertificatePublicKey = field(repr=False)
    key_type: str
    key_size: int | None
    curve: str | None
    san: tuple[x509.GeneralName, ...]
    extensions: x509.Extensions = field(repr=False)
    signature_algorithm: str
    signature_hash: str | None
    challenge_password_present: bool
    challenge_password: str | None = field(repr=False, compare=False, default=None)
    der: bytes = field(repr=False, default=b"")

    @property
    def subject_text(self) -> str:
        """The subject as an RFC 4514 string (``CN=..,O=..``, the last RDN first)."""
        return self.subject.rfc4514_string()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description (never the challenge password)."""
        return {
            "subject": self.subject_text,
            "key": {"type": self.key_type, "size": self.key_size, "curve": self.curve},
            "san": [_general_name_text(g) for g in self.san],
            "extensions": [{"oid": e.oid.dotted_string, "critical": e.critical} for e in self.extensions],
            "signature_algorithm": self.signature_algorithm,
            "signature_hash": self.signature_hash,
            "challenge_password_present": self.challenge_password_present,
        }


_GENERAL_NAME_LABELS: tuple[tuple[type[x509.GeneralName], str], ...] = (
    (x509.RFC822Name, "rfc822Name"),
    (x509.DNSName, "dNSName"),
    (x509.IPAddress, "iPAddress"),
    (x509.RegisteredID, "registeredID"),
    (x509.UniformResourceIdentifier, "uniformResourceIdentifier"),
    (x509.DirectoryName, "directoryName"),
)


def _general_name_text(name: x509.GeneralName) -> str:
    for cls, label in _GENERAL_NAME_LABELS:
        if isinstance(name, cls):
            value = name.value
            if isinstance(value, x509.ObjectIdentifier):
                value = value.dotted_string
            elif isinstance(value, x509.Name):
                value = value.rfc4514_string()
            return f"{label}:{value}"
    return f"{type(name).__name__}"


# --------------------------------------------------------------------------- building


def san_item(item: x509.GeneralName | str | tuple[str, str]) -> x509.GeneralName:
    """A SAN entry from ``"kind:value"`` or ``(kind, value)``; kind is rfc822Name/email,
    dNSName/DNS, iPAddress/IP, registeredID/RID, URI or directoryName (any case)."""
    if isinstance(item, x509.GeneralName):
        return item
    if isinstance(item, tuple) and len(item) == 2:
        kind, value = item
    elif isinstance(item, str) and ":" in item:
        kind, value = item.split(":", 1)
    else:
        raise InputError("san", f"item {item!r} must be 'kind:value' (e.g. 'dNSName:example.com')")
    if not isinstance(kind, str) or not isinstance(value, str):
        raise InputError("san", "kind and value must be str")
    resolved = _SAN_KINDS.get(kind.strip().lower())
    value = value.strip()
    if resolved is None:
        raise InputError("san", f"unknown SAN kind {kind!r}")
    if not value:
        raise InputError("san", f"{kind} value is empty")
    try:
        if resolved == "email":
            if "@" not in value:
                raise InputError("san", f"rfc822Name {value!r} has no '@'")
            return x509.RFC822Name(value)
        if resolved == "dns":
            return x509.DNSName(value)
        if resolved == "ip":
            return x509.IPAddress(ipaddress.ip_address(value))
        if resolved == "rid":
            if not _DOTTED.match(value):
                raise InputError("san", f"registeredID {value!r} is not a dotted OID")
            return x509.RegisteredID(ObjectIdentifier(value))
        if resolved == "uri":
            return x509.UniformResourceIdentifier(value)
        return x509.DirectoryName(parse_subject(value))
    except InputError:
        raise
    except (ValueError, TypeError) as exc:
        raise InputError("san", f"{kind} value is not valid ({exc})") from None


def eku_oid(item: str | ObjectIdentifier) -> ObjectIdentifier:
    """An extended key usage OID from a name (serverAuth, clientAuth, emailProtection, codeSigning,
    timeStamping, OCSPSigning, documentSigning, msDocumentSigning, adobePDFSigning...) or dotted OID."""
    if isinstance(item, ObjectIdentifier):
        return item
    if not isinstance(item, str):
        raise InputError("extended_key_usage", f"items must be names or OIDs, not {type(item).__name__}")
    found = _EKU.get(item.strip().lower().replace("_", "").replace("-", ""))
    if found is not None:
        return found
    if _DOTTED.match(item.strip()):
        return ObjectIdentifier(item.strip())
    raise InputError("extended_key_usage", f"unknown extended key usage {item!r}")


def _key_usage(value: x509.KeyUsage | Iterable[str]) -> x509.KeyUsage:
    if isinstance(value, x509.KeyUsage):
        return value
    if isinstance(value, str):
        value = [value]
    flags = dict.fromkeys(set(_KU_FIELDS.values()), False)
    for name in value:
        if not isinstance(name, str):
            raise InputError("key_usage", "items must be names such as 'digitalSignature'")
        attr = _KU_FIELDS.get(name.strip().lower().replace("_", ""))
        if attr is None:
            raise InputError("key_usage", f"unknown key usage {name!r}")
        flags[attr] = True
    if (flags["encipher_only"] or flags["decipher_only"]) and not flags["key_agreement"]:
        raise InputError("key_usage", "encipherOnly/decipherOnly need keyAgreement")
    if not any(flags.values()):
        raise InputError("key_usage", "is empty")
    return x509.KeyUsage(**flags)


def build_csr(
    private_key: PrivateKeyLike,
    subject: x509.Name | Mapping[str, Any] | str,
    *,
    san: Iterable[x509.GeneralName | str | tuple[str, str]] = (),
    key_usage: x509.KeyUsage | Iterable[str] | None = None,
    extended_key_usage: Iterable[str | ObjectIdentifier] = (),
    challenge_password: str | None = None,
    signature_hash: str | None = "sha256",
    rsa_padding: str = "pkcs1v15",
) -> bytes:
    """A DER PKCS#10 request for ``private_key`` (RSA, EC, Ed25519, Ed448), signed by it.

    ``subject``: an ``x509.Name``, a mapping, an RFC 4514 string or an emCA ``CN=..~O=..`` string
    (see :mod:`cryptokit.names`). ``san`` items are ``"kind:value"``, ``(kind, value)`` or
    ``x509.GeneralName``. ``key_usage`` is requested critical, the EKU and SAN non-critical.
    ``signature_hash`` is ignored (must be None or the default) for Ed25519/Ed448; SHA-1 and MD5 are
    refused. ``rsa_padding`` is ``pkcs1v15`` or ``pss`` (salt = digest length).
    """
    if not isinstance(
        private_key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)
    ):
        raise UnsupportedAlgorithm(
            f"cannot sign a CSR with {type(private_key).__name__}; use an RSA, EC, Ed25519 or Ed448 private key"
        )
    name = parse_subject(subject)
    builder = x509.CertificateSigningRequestBuilder().subject_name(name)
    san_items = [san_item(i) for i in san]
    if len(san_items) > MAX_SAN_ITEMS:
        raise InputError("san", f"has more than {MAX_SAN_ITEMS} items")
    try:
        if san_items:
            builder = builder.add_extension(x509.SubjectAlternativeName(san_items), critical=False)
        if key_usage is not None:
            builder = builder.add_extension(_key_usage(key_usage), critical=True)
        ekus = [eku_oid(i) for i in extended_key_usage]
        if ekus:
            builder = builder.add_extension(x509.ExtendedKeyUsage(ekus), critical=False)
        if challenge_password is not None:
            if not isinstance(challenge_password, str) or not challenge_password:
                raise InputError("challenge_password", "must be a non-empty str")
            builder = builder.add_attribute(AttributeOID.CHALLENGE_PASSWORD, challenge_password.encode("utf-8"))
    except InputError:
        raise
    except (ValueError, TypeError) as exc:
        raise InputError("csr", f"cannot be built: {exc}") from None
    algorithm: hashes.HashAlgorithm | None
    sign_padding: padding.AsymmetricPadding | None = None
    if isinstance(private_key, (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)):
        if signature_hash not in (None, "sha256"):
            raise InputError("signature_hash", "must be None for Ed25519/Ed448 keys (the scheme fixes the hash)")
        algorithm = None
    else:
        if signature_hash is None:
            raise InputError("signature_hash", "is required for RSA and EC keys")
        h = hash_algorithm(signature_hash)
        if h.name == "sha1":
            raise PolicyViolation("SHA-1 is refused for new CSR signatures")
        algorithm = h.cryptography()
        if isinstance(private_key, rsa.RSAPrivateKey):
            if rsa_padding == "pss":
                sign_padding = padding.PSS(mgf=padding.MGF1(algorithm), salt_length=padding.PSS.DIGEST_LENGTH)
            elif rsa_padding != "pkcs1v15":
                raise InputError("rsa_padding", "must be 'pkcs1v15' or 'pss'")
    try:
        if sign_padding is not None:
            csr = builder.sign(private_key, algorithm, rsa_padding=sign_padding)  # type: ignore[arg-type]
        else:
            csr = builder.sign(private_key, algorithm)  # type: ignore[arg-type]
    except _CryptoUnsupported as exc:
        raise UnsupportedAlgorithm(f"cannot sign the CSR: {exc}") from None
    except (ValueError, TypeError) as exc:
        raise InputError("csr", f"cannot be signed: {exc}") from None
    return csr.public_bytes(serialization.Encoding.DER)


# --------------------------------------------------------------------------- verifying


def _ascii_csr(text: str) -> bytes:
    try:
        return text.encode("ascii")
    except UnicodeEncodeError:
        raise InputError("csr", "text must be ASCII (PEM or base64)") from None


def _csr_der(data: object, max_size: int) -> bytes:
    if isinstance(data, x509.CertificateSigningRequest):
        return data.public_bytes(serialization.Encoding.DER)
    raw = input_bytes(data, "csr", max_size, text=_ascii_csr, accepted="bytes or str")
    if not raw.strip():
        raise InputError("csr", "is empty")
    if raw[:1] == b"\x30":
        return raw
    if b"-----BEGIN " in raw:
        return pem_decode(raw, label=("CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"), field="csr", max_size=max_size)
    der = b64decode(raw.strip(), field="csr", allow_whitespace=True, max_size=max_size)
    if der[:1] != b"\x30":
        raise InputError("csr", "is not a PKCS#10 request (neither DER, PEM nor base64 of DER)")
    return der


def _verify_signature(csr: x509.CertificateSigningRequest, public_key: Any, hash_name: str | None, scheme: str) -> None:
    tbs = csr.tbs_certrequest_bytes
    signature = csr.signature
    try:
        if scheme == "ed25519" and isinstance(public_key, ed25519.Ed25519PublicKey):
            public_key.verify(signature, tbs)
        elif scheme == "ed448" and isinstance(public_key, ed448.Ed448PublicKey):
            public_key.verify(signature, tbs)
        elif scheme == "pkcs1v15" and isinstance(public_key, rsa.RSAPublicKey) and hash_name:
            public_key.verify(signature, tbs, padding.PKCS1v15(), hash_algorithm(hash_name).cryptography())
        elif scheme == "pss" and isinstance(public_key, rsa.RSAPublicKey):
            params = csr.signature_algorithm_parameters
            pss_hash = csr.signature_hash_algorithm
            if not isinstance(params, padding.PSS) or pss_hash is None:
                raise InputError("csr.signatureAlgorithm", "RSASSA-PSS parameters are missing or malformed")
            public_key.verify(signature, tbs, params, pss_hash)
        elif scheme == "ecdsa" and isinstance(public_key, ec.EllipticCurvePublicKey) and hash_name:
            public_key.verify(signature, tbs, ec.ECDSA(hash_algorithm(hash_name).cryptography()))
        elif scheme == "dsa" and isinstance(public_key, DSAPublicKey) and hash_name:
            public_key.verify(signature, tbs, hash_algorithm(hash_name).cryptography())
        else:
            raise InputError("csr", f"signature scheme {scheme} does not fit the {type(public_key).__name__} key")
    except _CryptoInvalidSignature:
        raise InvalidSignature("the CSR self-signature does not verify with the CSR's public key") from None
    except _CryptoUnsupported as exc:
        raise UnsupportedAlgorithm(f"cannot verify the CSR signature: {exc}") from None
    except (ValueError, TypeError) as exc:
        raise InputError("csr", f"signature cannot be checked ({plain_parse_error(exc)})") from None


def _check_subject(der: bytes) -> None:
    """InputError when asn1crypto cannot read the request's subject or it has a country name that
    cryptography would only warn about."""
    try:
        problem = asn1_name_problem(a_csr.CertificationRequest.load(der)["certification_request_info"]["subject"])
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError) as exc:
        raise InputError("csr", f"is not a valid PKCS#10 request ({plain_parse_error(exc)})") from None
    if problem is not None:
        raise InputError("csr.subject", problem)


def _load_der_exact(der: bytes) -> tuple[x509.CertificateSigningRequest, str]:
    """The request and its signature algorithm OID; InputError unless ``der`` is exactly its DER."""
    try:
        csr = x509.load_der_x509_csr(der)
        oid = csr.signature_algorithm_oid.dotted_string
    except x509.InvalidVersion as exc:
        raise InputError("csr", f"has version {exc.parsed_version}; PKCS#10 defines only v1 (0)") from None
    except (ValueError, TypeError) as exc:
        raise InputError("csr", f"is not a valid PKCS#10 request ({plain_parse_error(exc)})") from None
    if csr.public_bytes(serialization.Encoding.DER) != der:
        raise InputError("csr", "has trailing data or is not DER")
    return csr, oid


def verify_csr(
    data: bytes | bytearray | memoryview | str | x509.CertificateSigningRequest,
    *,
    allow_sha1: bool = False,
    allow_unknown_critical: bool = False,
    max_size: int = MAX_CSR_SIZE,
) -> CsrInfo:
    """Parse a PKCS#10 request (PEM, DER or base64 DER) and check its self-signature.

    Raises :class:`InputError` for anything malformed (bad version, duplicate extensions,
    malformed attributes), :class:`UnsupportedAlgorithm` for unknown signature algorithms (MD2,
    MD4...), :class:`PolicyViolation` for MD5 always and SHA-1 unless ``allow_sha1``, and for a
    critical extension cryptokit does not know unless ``allow_unknown_critical``,
    :class:`InvalidSignature` when the self-signature fails. The signature is checked before the
    extensions and attributes are interpreted.
    """
    der = _csr_der(data, max_size)
    # The asn1crypto subject check runs only when the bytes do not show plain country values (the
    # common case skips that parse), and before any refusal of cryptography's, so a malformed or
    # non-DER request is refused with the same words either way.
    plain = plain_country_values(der)
    if not plain:
        _check_subject(der)
    try:
        csr, oid = _load_der_exact(der)
    except InputError:
        if plain:
            _check_subject(der)
        raise
    try:
        sig = signature_algorithm(oid)
    except UnsupportedAlgorithm:
        raise UnsupportedAlgorithm(f"CSR signature algorithm {oid} is not supported") from None
    hash_name = sig.hash.name if sig.hash is not None else None
    if sig.scheme == "pss":
        try:
            pss_hash = csr.signature_hash_algorithm
        except _CryptoUnsupported as exc:
            raise UnsupportedAlgorithm(f"CSR RSASSA-PSS hash is not supported: {exc}") from None
        except (ValueError, TypeError) as exc:
            rule = f"has malformed RSASSA-PSS parameters ({plain_parse_error(exc)})"
            raise InputError("csr.signatureAlgorithm", rule) from None
        hash_name = hash_algorithm(pss_hash).name if pss_hash is not None else None
    if hash_name == "md5":
        raise PolicyViolation("CSR is signed with MD5, which is refused")
    if hash_name == "sha1" and not allow_sha1:
        raise PolicyViolation("CSR is signed with SHA-1, refused unless allow_sha1=True")
    try:
        public_key = csr_public_key(csr, der)
    except (ValueError, TypeError, _CryptoUnsupported) as exc:
        raise UnsupportedAlgorithm(f"CSR public key is not supported ({plain_parse_error(exc)})") from None
    if isinstance(public_key, rsa.RSAPublicKey):
        # NIST SP 800-89, as verify_digest applies it: a huge exponent makes each verification slow
        # (a 3070-bit one costs about 60 normal verifications) and emCA checks up to 1000 CSRs a request.
        problem = rsa_exponent_problem(public_key)
        if problem is not None:
            raise InputError("csr.publicKey", problem)
    _verify_signature(csr, public_key, hash_name, sig.scheme)

    try:
        extensions = csr.extensions
    except x509.DuplicateExtension as exc:
        raise InputError("csr.extensions", f"requests extension {exc.oid.dotted_string} twice") from None
    except (ValueError, TypeError, x509.UnsupportedGeneralNameType) as exc:
        raise InputError("csr.extensions", f"are malformed ({plain_parse_error(exc)})") from None
    for ext in extensions:
        if (
            ext.critical
            and isinstance(ext.value, x509.UnrecognizedExtension)
            and not allow_unknown_critical
            and ext.oid.dotted_string not in _KNOWN_EXTENSIONS
        ):
            raise PolicyViolation(
                f"CSR requests critical extension {ext.oid.dotted_string}, which cryptokit does not know"
            )
    try:
        attributes = list(csr.attributes)
    except (ValueError, TypeError) as exc:
        raise InputError("csr.attributes", f"are malformed ({plain_parse_error(exc)})") from None
    challenge: str | None = None
    present = False
    for attribute in attributes:
        if attribute.oid == AttributeOID.CHALLENGE_PASSWORD:
            present = True
            # DirectoryString: PrintableString(19), UTF8String(12), BMPString(30), T61String(20), Universal(28)
            if attribute._type not in (19, 12, 20, 22, 30, 28):
                raise InputError("csr.challengePassword", f"has ASN.1 type {attribute._type}, not a DirectoryString")
            raw = attribute.value
            try:
                challenge = raw.decode("utf-16-be") if attribute._type == 30 else raw.decode("utf-8")
            except UnicodeDecodeError:
                raise InputError("csr.challengePassword", "is not valid text") from None
    san: tuple[x509.GeneralName, ...] = ()
    for ext in extensions:
        if isinstance(ext.value, x509.SubjectAlternativeName):
            san = tuple(ext.value)
    description = public_key_description(public_key)
    try:
        subject = csr.subject  # parsed here (a malformed name fails now); its text is formatted when read
    except (ValueError, TypeError) as exc:
        raise InputError("csr.subject", f"is malformed ({plain_parse_error(exc)})") from None
    return CsrInfo(
        subject=subject,
        public_key=public_key,
        key_type=description["type"],
        key_size=description["size"],
        curve=description["curve"],
        san=san,
        extensions=extensions,
        signature_algorithm=oid,
        signature_hash=hash_name,
        challenge_password_present=present,
        challenge_password=challenge,
        der=der,
    )
