"""Decode a CMS SignedData (DER, BER, base64 or PEM) into its parts, keeping the original bytes.

What is hashed later comes from here, as received: the eContent octets (the primitive chunks of a
constructed OCTET STRING concatenated) and the signed attributes with only their tag octet changed from
[0] IMPLICIT (0xA0) to SET (0x31) (pitfall 1: never a re-serialisation). Values are decoded with
asn1crypto from the exact slices the bounded scanner in :mod:`cryptokit.cms.ber` located.

Parsing proves the structure is a well-formed SignedData within the policy's bounds; it proves nothing
about signatures or trust.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from asn1crypto import algos, core
from asn1crypto import cms as acms
from asn1crypto import x509 as ax509
from cryptography import x509

from ..certificates import load_der_certificate
from ..encoding import b64decode, pem_decode_all
from ..errors import CmsFormatError, CryptokitError, InputError
from .ber import CONTEXT, UNIVERSAL, BerError, Tlv, scan
from .policy import CmsPolicy

__all__ = [
    "CmsFormatError",
    "ParsedCms",
    "ParsedSigner",
    "ParsedCertificate",
    "decode_input",
    "parse_signed_data",
    "attribute_values",
    "SIGNED_DATA_OID",
    "DATA_OID",
]

SIGNED_DATA_OID: Final = "1.2.840.113549.1.7.2"
DATA_OID: Final = "1.2.840.113549.1.7.1"
_PEM_LABELS: Final = ("CMS", "PKCS7", "PKCS #7 SIGNED DATA")
_B64_TEXT = re.compile(rb"\A[A-Za-z0-9+/=\s]+\Z")
# Exceptions a decoder of untrusted bytes may raise; each becomes FORMAT_FAILURE.
_DECODE_ERRORS = (
    *(ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError, BerError),
    *(x509.InvalidVersion, x509.DuplicateExtension, x509.UnsupportedGeneralNameType),  # not ValueErrors
)


@dataclass(frozen=True, slots=True)
class ParsedCertificate:
    """An embedded certificate: the cryptography object, its asn1crypto twin and its DER as received."""

    certificate: x509.Certificate
    asn1: ax509.Certificate
    der: bytes


@dataclass(frozen=True, slots=True)
class ParsedSigner:
    """One SignerInfo. ``signed_attrs`` is the SET OF re-tagging of the received attribute bytes (what
    the signature covers), or None when the signature covers the content directly."""

    index: int
    version: int
    issuer: ax509.Name | None
    serial: int | None
    subject_key_id: bytes | None
    digest_algorithm: algos.DigestAlgorithm
    signature_algorithm: algos.SignedDigestAlgorithm
    signature: bytes
    signed_attrs: bytes | None
    attributes: acms.CMSAttributes | None

    @property
    def sid_description(self) -> str:
        if self.subject_key_id is not None:
            return f"subjectKeyIdentifier {self.subject_key_id.hex()}"
        issuer = self.issuer.human_friendly if self.issuer is not None else "?"
        return f"issuer {issuer!r}, serial {self.serial:x}" if self.serial is not None else f"issuer {issuer!r}"


@dataclass(frozen=True, slots=True)
class ParsedCms:
    """A parsed SignedData: encoding (``der``/``ber``), version, eContentType, eContent octets (None when
    detached), embedded certificates and signers."""

    encoding: str
    version: int
    content_type: str
    content: bytes | None
    certificates: tuple[ParsedCertificate, ...]
    signers: tuple[ParsedSigner, ...]


def decode_input(data: object, policy: CmsPolicy) -> bytes:
    """Bytes of the CMS from DER/BER bytes, PEM (CMS/PKCS7 labels) or base64 text (whitespace allowed).

    Raises :class:`InputError` for a wrong type and :class:`CmsFormatError` for oversize or undecodable input.
    """
    if isinstance(data, str):
        try:
            raw = data.encode("ascii")
        except UnicodeEncodeError:
            raise CmsFormatError("text input is not ASCII (expected base64 or PEM)") from None
    elif isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
    else:
        raise InputError("cms", f"must be bytes or str, not {type(data).__name__}")
    if len(raw) > policy.max_size * 2:  # base64/PEM text is at most ~4/3 of the binary size
        raise CmsFormatError(f"input of {len(raw)} bytes is over the limit of {policy.max_size}")
    if not raw:
        raise CmsFormatError("empty input")
    try:
        if raw[0] in (0x30,):
            der = raw
        elif b"-----BEGIN " in raw:
            blocks = pem_decode_all(raw, labels=_PEM_LABELS, field="cms", max_size=policy.max_size * 2)
            if len(blocks) != 1:
                raise CmsFormatError(f"PEM input holds {len(blocks)} blocks, expected one")
            der = blocks[0].der
        elif _B64_TEXT.match(raw):
            der = b64decode(raw, field="cms", allow_whitespace=True, max_size=policy.max_size * 2)
        else:
            raise CmsFormatError("not DER/BER, PEM or base64")
    except CmsFormatError:
        raise
    except InputError as exc:
        raise CmsFormatError(exc.rule) from None
    if len(der) > policy.max_size:
        raise CmsFormatError(f"input of {len(der)} bytes is over the limit of {policy.max_size}")
    return der


def _fail(rule: str) -> CmsFormatError:
    return CmsFormatError(rule)


def _expect(node: Tlv, cls: int, tag: int, what: str, constructed: bool | None = None) -> Tlv:
    if not node.is_(cls, tag, constructed):
        raise _fail(f"{what}: unexpected element (class {node.cls}, tag {node.tag})")
    return node


def _oid(data: bytes, node: Tlv, what: str) -> str:
    _expect(node, UNIVERSAL, 6, what, constructed=False)
    value = core.ObjectIdentifier.load(data[node.start : node.end])
    return str(value.dotted)


def _integer(data: bytes, node: Tlv, what: str) -> int:
    _expect(node, UNIVERSAL, 2, what, constructed=False)
    value = core.Integer.load(data[node.start : node.end]).native
    if not isinstance(value, int):
        raise _fail(f"{what}: not an integer")
    return value


def _octets(data: bytes, node: Tlv, what: str, out: list[bytes]) -> None:
    """Append the value octets of an OCTET STRING (primitive, or constructed of OCTET STRING chunks)."""
    _expect(node, UNIVERSAL, 4, what)
    if not node.constructed:
        out.append(data[node.content_start : node.content_end])
        return
    for child in node.children:
        _octets(data, child, what + " chunk", out)


def _load_certificates(data: bytes, node: Tlv, policy: CmsPolicy) -> tuple[ParsedCertificate, ...]:
    if len(node.children) > policy.max_certificates:
        raise _fail(f"{len(node.children)} certificates, over the limit of {policy.max_certificates}")
    out: list[ParsedCertificate] = []
    for i, child in enumerate(node.children):
        if not child.is_(UNIVERSAL, 16, True):
            continue  # extendedCertificate, attribute certificates, other: not signer candidates
        der = data[child.start : child.end]
        try:
            cert = load_der_certificate(der, f"certificates[{i}]")
        except InputError as exc:
            raise _fail(f"certificates[{i}] is not a DER X.509 certificate cryptokit accepts ({exc.rule})") from None
        try:
            asn1 = ax509.Certificate.load(der, strict=True)
            _ = asn1["tbs_certificate"]["issuer"], asn1["tbs_certificate"]["serial_number"].native
        except _DECODE_ERRORS:
            raise _fail(f"certificates[{i}] is not a DER X.509 certificate") from None
        out.append(ParsedCertificate(cert, asn1, der))
    return tuple(out)


def _parse_signer(data: bytes, node: Tlv, index: int, policy: CmsPolicy) -> ParsedSigner:
    where = f"signerInfos[{index}]"
    _expect(node, UNIVERSAL, 16, where, constructed=True)
    kids = node.children
    if len(kids) < 5:
        raise _fail(f"{where}: too few elements")
    version = _integer(data, kids[0], where + ".version")
    pos = 3
    signed_attrs: bytes | None = None
    attributes: acms.CMSAttributes | None = None
    if kids[pos].is_(CONTEXT, 0, True):
        attrs_node = kids[pos]
        if len(attrs_node.children) > policy.max_attributes:
            raise _fail(f"{where}: {len(attrs_node.children)} signed attributes, over {policy.max_attributes}")
        # [0] IMPLICIT SET OF: the identifier octet is 0xA0; keep everything after it as received.
        signed_attrs = b"\x31" + data[attrs_node.start + 1 : attrs_node.end]
        attributes = acms.CMSAttributes.load(signed_attrs)
        pos += 1
    if len(kids) not in (pos + 2, pos + 3):
        raise _fail(f"{where}: unexpected number of elements")
    if len(kids) == pos + 3 and not kids[pos + 2].is_(CONTEXT, 1, True):
        raise _fail(f"{where}: unexpected element after the signature")
    sid_node = kids[1]
    issuer = serial = ski = None
    if sid_node.is_(UNIVERSAL, 16, True):
        ias = acms.IssuerAndSerialNumber.load(data[sid_node.start : sid_node.end])
        issuer = ias["issuer"]
        serial = ias["serial_number"].native
        _ = issuer.native
        if version != 1:
            raise _fail(f"{where}: issuerAndSerialNumber needs version 1, not {version}")
    elif sid_node.is_(CONTEXT, 0):
        if sid_node.constructed:
            raise _fail(f"{where}: subjectKeyIdentifier must be primitive")
        ski = data[sid_node.content_start : sid_node.content_end]
        if version != 3:
            raise _fail(f"{where}: subjectKeyIdentifier needs version 3, not {version}")
    else:
        raise _fail(f"{where}: unknown signer identifier")
    digest_node = _expect(kids[2], UNIVERSAL, 16, where + ".digestAlgorithm", constructed=True)
    digest_alg = algos.DigestAlgorithm.load(data[digest_node.start : digest_node.end])
    sig_node = _expect(kids[pos], UNIVERSAL, 16, where + ".signatureAlgorithm", constructed=True)
    sig_alg = algos.SignedDigestAlgorithm.load(data[sig_node.start : sig_node.end])
    chunks: list[bytes] = []
    _octets(data, kids[pos + 1], where + ".signature", chunks)
    # Force the lazy asn1crypto parse now, so malformed values fail here as FORMAT_FAILURE.
    _ = digest_alg["algorithm"].dotted, digest_alg["parameters"].native
    _ = sig_alg["algorithm"].dotted, sig_alg["parameters"].native
    if attributes is not None:
        for attr in attributes:
            _ = attr["type"].dotted, attr["values"].native
    return ParsedSigner(
        index=index,
        version=version,
        issuer=issuer,
        serial=serial,
        subject_key_id=ski,
        digest_algorithm=digest_alg,
        signature_algorithm=sig_alg,
        signature=b"".join(chunks),
        signed_attrs=signed_attrs,
        attributes=attributes,
    )


def _parse_tree(data: bytes, root: Tlv, policy: CmsPolicy, encoding: str) -> ParsedCms:
    _expect(root, UNIVERSAL, 16, "ContentInfo", constructed=True)
    if len(root.children) != 2:
        raise _fail("ContentInfo must hold contentType and content")
    outer_type = _oid(data, root.children[0], "ContentInfo.contentType")
    if outer_type != SIGNED_DATA_OID:
        raise _fail(f"content type {outer_type} is not SignedData")
    wrapper = _expect(root.children[1], CONTEXT, 0, "ContentInfo.content", constructed=True)
    if len(wrapper.children) != 1:
        raise _fail("ContentInfo.content must hold one SignedData")
    sd = _expect(wrapper.children[0], UNIVERSAL, 16, "SignedData", constructed=True)
    kids = sd.children
    if len(kids) < 4:
        raise _fail("SignedData: too few elements")
    version = _integer(data, kids[0], "SignedData.version")
    if version not in (1, 3, 4, 5):
        raise _fail(f"SignedData version {version} is not 1, 3, 4 or 5")
    _expect(kids[1], UNIVERSAL, 17, "SignedData.digestAlgorithms", constructed=True)
    encap = _expect(kids[2], UNIVERSAL, 16, "SignedData.encapContentInfo", constructed=True)
    if not 1 <= len(encap.children) <= 2:
        raise _fail("encapContentInfo: unexpected number of elements")
    content_type = _oid(data, encap.children[0], "eContentType")
    content: bytes | None = None
    if len(encap.children) == 2:
        explicit = _expect(encap.children[1], CONTEXT, 0, "eContent", constructed=True)
        if len(explicit.children) != 1:
            raise _fail("eContent must hold one OCTET STRING")
        chunks: list[bytes] = []
        _octets(data, explicit.children[0], "eContent", chunks)
        content = b"".join(chunks)
    rest = list(kids[3:])
    signer_infos = _expect(rest.pop(), UNIVERSAL, 17, "SignedData.signerInfos", constructed=True)
    certificates: tuple[ParsedCertificate, ...] = ()
    if rest and rest[0].is_(CONTEXT, 0, True):
        certificates = _load_certificates(data, rest.pop(0), policy)
    if rest and rest[0].is_(CONTEXT, 1, True):
        rest.pop(0)  # CRLs: not used
    if rest:
        raise _fail("SignedData: unexpected element before signerInfos")
    if not signer_infos.children:
        raise _fail("SignedData has no SignerInfo (a certificates-only bundle is not a signature)")
    if len(signer_infos.children) > policy.max_signers:
        raise _fail(f"{len(signer_infos.children)} signers, over the limit of {policy.max_signers}")
    signers = tuple(_parse_signer(data, node, i, policy) for i, node in enumerate(signer_infos.children))
    return ParsedCms(encoding, version, content_type, content, certificates, signers)


def parse_signed_data(cms: object, policy: CmsPolicy | None = None) -> ParsedCms:
    """Parse a CMS SignedData within the policy's bounds.

    Raises :class:`CmsFormatError` for anything malformed, oversize, too deep, not SignedData, or BER
    when the policy refuses BER; :class:`InputError` when ``cms`` is not bytes or text.
    """
    policy = policy or CmsPolicy()
    data = decode_input(cms, policy)
    try:
        root, is_ber = scan(data, max_depth=policy.max_depth, max_nodes=policy.max_elements)
    except BerError as exc:
        raise _fail(str(exc)) from None
    if is_ber and not policy.allow_ber:
        raise _fail("BER encoding refused by the policy (allow_ber=False)")
    try:
        return _parse_tree(data, root, policy, "ber" if is_ber else "der")
    except BerError as exc:  # a CryptokitError too: map it before passing the others through
        raise _fail(str(exc)) from None
    except CryptokitError:
        raise
    except _DECODE_ERRORS as exc:
        raise _fail(f"malformed SignedData ({type(exc).__name__})") from None
    except RecursionError:  # pragma: no cover - bounded by max_depth; kept as a last line of defence
        raise _fail("nesting too deep") from None


def attribute_values(attributes: Any, oid: str) -> list[Any] | None:
    """The values of the attribute ``oid``, or None when absent. Raises CmsFormatError when it repeats."""
    found: list[Any] | None = None
    for attr in attributes:
        if attr["type"].dotted == oid:
            if found is not None:
                raise _fail(f"signed attribute {oid} appears more than once")
            found = list(attr["values"])
    return found
