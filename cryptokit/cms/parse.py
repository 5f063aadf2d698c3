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
from functools import lru_cache
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
    #: (type OID, decoded values) per signed attribute, in the received order; every value decoded
    #: at parse time (a malformed one is a CmsFormatError there): contentType as dotted OIDs,
    #: messageDigest as bytes, signingTime as datetimes, other types as asn1crypto values.
    #: Read with :func:`attribute_values`.
    attribute_index: tuple[tuple[str, tuple[Any, ...]], ...] = ()

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
    if node.tag != tag or node.cls != cls or (constructed is not None and node.constructed is not constructed):
        raise _fail(f"{what}: unexpected element (class {node.cls}, tag {node.tag})")
    return node


# Caches of values decoded from exact received bytes. What repeats from one CMS to the next (the
# signer's certificate, its issuer and serial, the algorithm identifiers, the contentType and
# CMSAlgorithmProtection values) is decoded once: the result depends on the bytes alone, is fully
# decoded before it is stored and is only read afterwards. Bounded (least recently used first out).
_CACHE_SIZE: Final = 256


@lru_cache(maxsize=_CACHE_SIZE)
def _dotted(encoded: bytes) -> str:
    return str(core.ObjectIdentifier.load(encoded).dotted)


def _oid(data: bytes, node: Tlv, what: str) -> str:
    _expect(node, UNIVERSAL, 6, what, constructed=False)
    return _dotted(data[node.start : node.end])


def _integer(data: bytes, node: Tlv, what: str) -> int:
    _expect(node, UNIVERSAL, 2, what, constructed=False)
    if node.content_end == node.content_start:
        raise _fail(f"{what}: not an integer")
    return int.from_bytes(data[node.content_start : node.content_end], "big", signed=True)


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
        loaded = _certificate(data[child.start : child.end])
        if isinstance(loaded, str):
            raise _fail(f"certificates[{i}] {loaded}")
        out.append(loaded)
    return tuple(out)


@lru_cache(maxsize=_CACHE_SIZE)
def _certificate(der: bytes) -> ParsedCertificate | str:
    """The certificate of exactly these bytes, or why it is refused (both cached: they depend on the
    bytes alone). The scanner leaves certificates opaque: cryptography's DER parser checks them whole."""
    try:
        cert = load_der_certificate(der, "certificate")
    except InputError as exc:
        return f"is not a DER X.509 certificate cryptokit accepts ({exc.rule})"
    try:
        asn1 = ax509.Certificate.load(der, strict=True)
        _ = asn1.issuer.dump(), asn1.serial_number
    except _DECODE_ERRORS:
        return "is not a DER X.509 certificate"
    return ParsedCertificate(cert, asn1, der)


@lru_cache(maxsize=_CACHE_SIZE)
def _issuer_and_serial(encoded: bytes) -> tuple[ax509.Name, int | None]:
    ias = acms.IssuerAndSerialNumber.load(encoded)
    issuer = ias["issuer"]
    _ = issuer.native, issuer.dump()
    return issuer, ias["serial_number"].native


@lru_cache(maxsize=_CACHE_SIZE)
def _digest_algorithm(encoded: bytes) -> algos.DigestAlgorithm:
    value = algos.DigestAlgorithm.load(encoded)
    _ = value["algorithm"].dotted, value["parameters"].native  # decoded now: malformed fails here
    return value


@lru_cache(maxsize=_CACHE_SIZE)
def _signature_algorithm(encoded: bytes) -> algos.SignedDigestAlgorithm:
    value = algos.SignedDigestAlgorithm.load(encoded)
    _ = value["algorithm"].dotted, value["parameters"].native
    return value


_CONTENT_TYPE: Final = "1.2.840.113549.1.9.3"
_MESSAGE_DIGEST: Final = "1.2.840.113549.1.9.4"
_SIGNING_TIME: Final = "1.2.840.113549.1.9.5"
_ALGORITHM_PROTECTION: Final = "1.2.840.113549.1.9.52"
_TIMES: Final = {23: core.UTCTime, 24: core.GeneralizedTime}


@lru_cache(maxsize=_CACHE_SIZE)
def _opaque_ber(encoded: bytes, max_depth: int, max_nodes: int) -> bool:
    """Scan an element the main scan left opaque on its own: BerError when malformed or out of
    bounds, else whether BER forms appear in it. Cached: the same bytes give the same answer."""
    return scan(encoded, max_depth=max_depth, max_nodes=max_nodes)[1]


class _Walk:
    """The parse's view of the input: the bytes, the bounds and whether BER was seen. Elements the
    scanner left opaque (see :data:`_OPAQUE`) are scanned here on their own when the parser reads them,
    so nothing the parse accepts escapes the scanner's rules."""

    __slots__ = ("ber", "data", "policy")

    def __init__(self, data: bytes, policy: CmsPolicy, ber: bool) -> None:
        self.data = data
        self.policy = policy
        self.ber = ber

    def check(self, node: Tlv, depth: int) -> None:
        """Scan the opaque elements in ``node`` (at ``depth`` in the tree), or ``node`` itself."""
        if node.opaque:
            policy = self.policy
            if _opaque_ber(self.data[node.start : node.end], policy.max_depth - depth, policy.max_elements):
                self.ber = True
        else:
            for child in node.children:
                self.check(child, depth + 1)


@lru_cache(maxsize=_CACHE_SIZE)
def _protection(encoded: bytes) -> tuple[Any, ...]:
    values = list(acms.SetOfCMSAlgorithmProtection.load(encoded))
    for value in values:
        _ = value.native  # decoded now: a malformed value fails at parse time
    return tuple(values)


def _attribute_values(walk: _Walk, oid: str, values: Tlv) -> tuple[Any, ...]:
    """The decoded values of one signed attribute (the SET node). contentType: dotted OIDs;
    messageDigest: bytes; signingTime: datetimes (as asn1crypto decodes UTCTime/GeneralizedTime);
    CMSAlgorithmProtection and any other type: asn1crypto values, decoded now."""
    data = walk.data
    if oid == _CONTENT_TYPE:
        return tuple(_oid(data, node, "contentType attribute") for node in values.children)
    if oid == _MESSAGE_DIGEST:
        out: list[Any] = []
        for node in values.children:
            chunks: list[bytes] = []
            _octets(data, node, "messageDigest attribute", chunks)
            out.append(b"".join(chunks))
        return tuple(out)
    if oid == _SIGNING_TIME:
        out = []
        for node in values.children:
            kind = _TIMES.get(node.tag) if node.cls == UNIVERSAL else None
            if kind is None:
                raise _fail("signingTime attribute: not a UTCTime or GeneralizedTime")
            out.append(kind.load(data[node.start : node.end]).native)
        return tuple(out)
    if oid == _ALGORITHM_PROTECTION:
        walk.check(values, 7)
        return _protection(data[values.start : values.end])  # the same bytes in every CMS of a signer
    raise AssertionError(oid)  # pragma: no cover - _attribute_index passes only the four types above


def _attribute_index(walk: _Walk, attrs_node: Tlv) -> tuple[tuple[str, tuple[Any, ...]], ...]:
    """(type, values) of each signed attribute from the scanned tree (see :func:`_attribute_values`)."""
    data = walk.data
    index: list[tuple[str, tuple[Any, ...]]] = []
    for node in attrs_node.children:
        if not node.is_(UNIVERSAL, 16, True) or len(node.children) != 2:
            raise _fail("signed attribute is not a SEQUENCE of type and values")
        oid = _oid(data, node.children[0], "signed attribute type")
        values = _expect(node.children[1], UNIVERSAL, 17, "signed attribute values", constructed=True)
        if oid in (_CONTENT_TYPE, _MESSAGE_DIGEST, _SIGNING_TIME, _ALGORITHM_PROTECTION):
            index.append((oid, _attribute_values(walk, oid, values)))
        else:  # decoded by asn1crypto as a whole attribute, as asn1crypto.cms.CMSAttributes would
            walk.check(node, 6)
            attr = acms.CMSAttribute.load(data[node.start : node.end])
            _ = attr["type"].dotted, attr["values"].native
            index.append((oid, tuple(attr["values"])))
    return tuple(index)


def _parse_signer(walk: _Walk, node: Tlv, index: int) -> ParsedSigner:
    data, policy = walk.data, walk.policy
    where = f"signerInfos[{index}]"
    _expect(node, UNIVERSAL, 16, where, constructed=True)
    kids = node.children
    if len(kids) < 5:
        raise _fail(f"{where}: too few elements")
    version = _integer(data, kids[0], where + ".version")
    pos = 3
    signed_attrs: bytes | None = None
    attributes: acms.CMSAttributes | None = None
    attr_index: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    if kids[pos].is_(CONTEXT, 0, True):
        attrs_node = kids[pos]
        if len(attrs_node.children) > policy.max_attributes:
            raise _fail(f"{where}: {len(attrs_node.children)} signed attributes, over {policy.max_attributes}")
        # [0] IMPLICIT SET OF: the identifier octet is 0xA0; keep everything after it as received.
        signed_attrs = b"\x31" + data[attrs_node.start + 1 : attrs_node.end]
        attributes = acms.CMSAttributes.load(signed_attrs)  # lazy: the index below holds the decoded values
        attr_index = _attribute_index(walk, attrs_node)
        pos += 1
    if len(kids) not in (pos + 2, pos + 3):
        raise _fail(f"{where}: unexpected number of elements")
    if len(kids) == pos + 3 and not kids[pos + 2].is_(CONTEXT, 1, True):
        raise _fail(f"{where}: unexpected element after the signature")
    sid_node = kids[1]
    issuer = serial = ski = None
    if sid_node.is_(UNIVERSAL, 16, True):
        walk.check(sid_node, 5)
        issuer, serial = _issuer_and_serial(data[sid_node.start : sid_node.end])
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
    walk.check(digest_node, 5)
    digest_alg = _digest_algorithm(data[digest_node.start : digest_node.end])
    sig_node = _expect(kids[pos], UNIVERSAL, 16, where + ".signatureAlgorithm", constructed=True)
    walk.check(sig_node, 5)
    sig_alg = _signature_algorithm(data[sig_node.start : sig_node.end])
    chunks: list[bytes] = []
    _octets(data, kids[pos + 1], where + ".signature", chunks)
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
        attribute_index=attr_index,
    )


def _parse_tree(walk: _Walk, root: Tlv) -> ParsedCms:
    data, policy = walk.data, walk.policy
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
    walk.check(_expect(kids[1], UNIVERSAL, 17, "SignedData.digestAlgorithms", constructed=True), 3)
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
    signers = tuple(_parse_signer(walk, node, i) for i, node in enumerate(signer_infos.children))
    if walk.ber and not policy.allow_ber:  # BER inside an element the main scan left opaque
        raise _fail("BER encoding refused by the policy (allow_ber=False)")
    return ParsedCms("ber" if walk.ber else "der", version, content_type, content, certificates, signers)


# Where the main scan leaves SEQUENCEs opaque, by the identifier octets of the path to their parent:
# - the embedded certificates (ContentInfo, [0], SignedData, certificates [0]): cryptography's DER
#   parser reads each whole, once per distinct certificate;
# - a SignerInfo's sid, digestAlgorithm and signatureAlgorithm (..., signerInfos SET, SignerInfo), and
#   the values of its signed attributes (..., SignerInfo, [0], Attribute, SET): what repeats from one
#   CMS to the next; :class:`_Walk` scans each on its own, cached by its bytes, when it is read. (The
#   second path also reaches into digestAlgorithms, which :func:`_parse_tree` checks whole.)
_OPAQUE: Final = (
    (0x30, 0xA0, 0x30, 0xA0),
    (0x30, 0xA0, 0x30, 0x31, 0x30),
    (0x30, 0xA0, 0x30, 0x31, 0x30, 0xA0, 0x30, 0x31),
)


def parse_signed_data(cms: object, policy: CmsPolicy | None = None) -> ParsedCms:
    """Parse a CMS SignedData within the policy's bounds.

    Raises :class:`CmsFormatError` for anything malformed, oversize, too deep, not SignedData, or BER
    when the policy refuses BER; :class:`InputError` when ``cms`` is not bytes or text.
    """
    policy = policy or CmsPolicy()
    data = decode_input(cms, policy)
    try:
        root, is_ber = scan(data, max_depth=policy.max_depth, max_nodes=policy.max_elements, opaque=_OPAQUE)
    except BerError as exc:
        raise _fail(str(exc)) from None
    if is_ber and not policy.allow_ber:
        raise _fail("BER encoding refused by the policy (allow_ber=False)")
    try:
        return _parse_tree(_Walk(data, policy, is_ber), root)
    except BerError as exc:  # a CryptokitError too: map it before passing the others through
        raise _fail(str(exc)) from None
    except CryptokitError:
        raise
    except _DECODE_ERRORS as exc:
        raise _fail(f"malformed SignedData ({type(exc).__name__})") from None
    except RecursionError:  # pragma: no cover - bounded by max_depth; kept as a last line of defence
        raise _fail("nesting too deep") from None


def attribute_values(attributes: Any, oid: str) -> list[Any] | None:
    """The values of the attribute ``oid``, or None when absent. Raises CmsFormatError when it repeats.

    ``attributes``: a :attr:`ParsedSigner.attribute_index` (values decoded as :func:`_attribute_values`
    says) or an asn1crypto ``CMSAttributes`` (asn1crypto values)."""
    found: list[Any] | None = None
    for attr in attributes:
        attr_type, values = attr if isinstance(attr, tuple) else (attr["type"].dotted, attr["values"])
        if attr_type == oid:
            if found is not None:
                raise _fail(f"signed attribute {oid} appears more than once")
            found = list(values)
    return found
