"""Public keys for signature verification: load them from anything a caller holds, keep PSS parameters.

``load_public_key`` accepts a ``cryptography`` public or private key, an ``x509.Certificate``, a
cryptokit ``KeyBundle``, or PEM/DER bytes (PEM also as str) of a certificate or a
SubjectPublicKeyInfo. cryptography loads an RSASSA-PSS key (SPKI OID 1.2.840.113549.1.1.10) as a
plain RSA key and drops its RSASSA-PSS-params; this module reads them back with asn1crypto so that
they can bind verification (pitfall 5: absent parameters mean SHA-1, MGF1-SHA-1, salt 20).

RSA public exponents are bounded as NIST SP 800-89 5.3.3 asks: odd and below 2^256. A larger
exponent is refused (``InputError("key", ...)``) because each verification with it costs time in
proportion to its size (about 18 ms for a 2048-bit one instead of 20 us), which multiplies every
denial-of-service bound built on "one verification". Small odd exponents (3, 17, 65537) are accepted.

Loading proves only that the input is a well-formed public key of a supported type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, TypeAlias, cast

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm as _CryptoUnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa, x448, x25519
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes

from .._dsa import DSAPublicKey, spki_public_key
from .._dsa import public_key as cert_public_key
from ..algorithms import hash_algorithm
from ..encoding import pem_decode_all
from ..errors import InputError, UnsupportedAlgorithm
from .pss_params import PssParams, pss_params_from_asn1

if TYPE_CHECKING:
    from ..pkcs12 import KeyBundle

__all__ = [
    "KeyLike",
    "PublicKeyLike",
    "CertificatePublicKey",
    "PrivateKeyLike",
    "PublicKey",
    "PssParams",
    "load_public_key",
    "certificate_key",
    "pss_binding_problem",
    "rsa_exponent_problem",
    "RSASSA_PSS_OID",
    "MAX_KEY_INPUT",
    "MAX_RSA_EXPONENT_BITS",
]

RSASSA_PSS_OID: Final = "1.2.840.113549.1.1.10"
#: Upper bound for key input given as bytes or text (certificates with many extensions stay far below).
MAX_KEY_INPUT: Final = 1024 * 1024
#: RSA public exponents must be below 2**MAX_RSA_EXPONENT_BITS (NIST SP 800-89 5.3.3).
MAX_RSA_EXPONENT_BITS: Final = 256

KIND_RSA: Final = 1
KIND_EC: Final = 2
KIND_ED25519: Final = 3
KIND_ED448: Final = 4
_KIND_NAMES: Final = {KIND_RSA: "rsa", KIND_EC: "ec", KIND_ED25519: "ed25519", KIND_ED448: "ed448"}

# Memo from concrete key class to kind: the hot path does one dict lookup instead of ABC isinstance.
_KIND_BY_TYPE: dict[type, int] = {}

PublicKeyType = rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey | ed448.Ed448PublicKey


def key_kind(key: object) -> int | None:
    """The kind constant for a supported cryptography public key, else None (memoised per class)."""
    kind = _KIND_BY_TYPE.get(type(key))
    if kind is not None:
        return kind
    if isinstance(key, rsa.RSAPublicKey):
        kind = KIND_RSA
    elif isinstance(key, ec.EllipticCurvePublicKey):
        kind = KIND_EC
    elif isinstance(key, ed25519.Ed25519PublicKey):
        kind = KIND_ED25519
    elif isinstance(key, ed448.Ed448PublicKey):
        kind = KIND_ED448
    else:
        return None
    _KIND_BY_TYPE[type(key)] = kind
    return kind


def rsa_exponent_problem(key: rsa.RSAPublicKey) -> str | None:
    """Why ``key``'s public exponent breaks NIST SP 800-89 5.3.3 (odd, below 2^256), else None."""
    e = key.public_numbers().e
    if e.bit_length() > MAX_RSA_EXPONENT_BITS:
        return f"RSA public exponent of {e.bit_length()} bits: must be below 2^{MAX_RSA_EXPONENT_BITS} (NIST SP 800-89)"
    if not e & 1:
        return "RSA public exponent must be odd (NIST SP 800-89)"
    return None


@dataclass(frozen=True, slots=True)
class PublicKey:
    """A public key ready for verification, with the RSASSA-PSS parameters when the key has them.

    ``key`` is the ``cryptography`` public key; ``pss`` is None unless the key is an RSASSA-PSS key
    (then PKCS#1 v1.5 is refused for it and the parameters bind PSS verification).
    """

    key: PublicKeyType
    kind: int
    pss: PssParams | None = None
    #: True when the key came from an RSASSA-PSS SubjectPublicKeyInfo (informational; ``pss`` binds).
    pss_key: bool = False

    def __post_init__(self) -> None:
        if self.kind == KIND_RSA and isinstance(self.key, rsa.RSAPublicKey):
            problem = rsa_exponent_problem(self.key)
            if problem is not None:
                raise InputError("key", problem)

    @property
    def type_name(self) -> str:
        """``rsa``, ``rsa-pss``, ``ec``, ``ed25519`` or ``ed448``."""
        return "rsa-pss" if self.pss is not None else _KIND_NAMES[self.kind]

    def __repr__(self) -> str:
        size = getattr(self.key, "key_size", None)
        curve = getattr(getattr(self.key, "curve", None), "name", None)
        detail = curve or (f"{size} bits" if size else "")
        pss = f", pss={self.pss.hash.name}/{self.pss.mgf_hash.name}/{self.pss.salt_length}" if self.pss else ""
        return f"PublicKey({self.type_name}{', ' + detail if detail else ''}{pss})"


def _pss_params_from_spki(spki_der: bytes) -> PssParams | None:
    """Read RSASSA-PSS-params from SubjectPublicKeyInfo DER; None when the key is not RSASSA-PSS."""
    from asn1crypto import core, keys

    try:
        info = keys.PublicKeyInfo.load(spki_der, strict=True)
        alg = info["algorithm"]
        if alg["algorithm"].dotted != RSASSA_PSS_OID:
            return None
        params = alg["parameters"]
        if isinstance(params, core.Void) or params.native is None:
            # RFC 4055: absent parameters mean the defaults of RSASSA-PSS-params (pitfall 5).
            sha1 = hash_algorithm("sha1")
            return PssParams(sha1, sha1, 20)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        raise InputError("key", "has malformed RSASSA-PSS-params") from None
    return pss_params_from_asn1(params, "key")


def _wrap(key: Any, spki_der: bytes | None = None) -> PublicKey:
    kind = key_kind(key)
    if kind is None:
        if isinstance(key, (DSAPublicKey, x25519.X25519PublicKey, x448.X448PublicKey)):
            raise UnsupportedAlgorithm(f"{type(key).__name__} keys are not supported for signatures")
        raise InputError("key", f"is not a supported public key ({type(key).__name__})")
    pss = _pss_params_from_spki(spki_der) if (spki_der is not None and kind == KIND_RSA) else None
    return PublicKey(key, kind, pss, pss is not None)


def _from_certificate(cert: x509.Certificate) -> PublicKey:
    try:
        key = cert_public_key(cert)
        pss_key = cert.public_key_algorithm_oid.dotted_string == RSASSA_PSS_OID
    except (ValueError, TypeError, _CryptoUnsupportedAlgorithm) as exc:
        raise UnsupportedAlgorithm(f"certificate public key cannot be loaded: {exc}") from None
    spki: bytes | None = None
    if pss_key:
        from asn1crypto import x509 as asn1_x509
        from cryptography.hazmat.primitives import serialization

        try:
            parsed = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
            spki = parsed["tbs_certificate"]["subject_public_key_info"].dump()
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError):
            raise InputError("key", "certificate SubjectPublicKeyInfo cannot be parsed") from None
    return _wrap(key, spki)


def certificate_key(cert: x509.Certificate) -> PublicKey:
    """The verification key of ``cert``: the one rule every verifier in cryptokit (ADSS, CSC, emCA,
    CMS, chain) applies to a certificate's key.

    Its public key, with the RSASSA-PSS-params an id-RSASSA-PSS SubjectPublicKeyInfo binds (absent:
    the RFC 4055 defaults), so that :func:`~cryptokit.signatures.verify_digest` refuses PKCS#1 v1.5,
    another hash, another MGF1 hash or a shorter salt for it. Raises :class:`UnsupportedAlgorithm`
    for a key algorithm cryptokit does not verify with (an unknown OID, DSA, X25519, ...) and
    :class:`InputError` for a refused key (an RSA exponent outside NIST SP 800-89) or unreadable
    parameters. Proves nothing about the certificate (validity, trust, key usage).
    """
    if not isinstance(cert, x509.Certificate):
        raise InputError("certificate", f"must be an x509.Certificate, not {type(cert).__name__}")
    return _from_certificate(cert)


def pss_binding_problem(bound: PssParams | None, used: PssParams | None) -> str | None:
    """Why a signature made with RSASSA-PSS parameters ``used`` (None: not RSASSA-PSS) is refused for
    a key whose SubjectPublicKeyInfo binds ``bound`` (None: an unrestricted key), else None. RFC 4055
    section 3.1: the hash and the MGF1 hash must be the key's, the salt at least the key's."""
    if bound is None:
        return None
    if used is None:
        return "a non-PSS signature algorithm is refused for an RSASSA-PSS key (RFC 4055)"
    if used.hash.name != bound.hash.name:
        return f"the RSASSA-PSS key binds {bound.hash.name}, not {used.hash.name}"
    if used.mgf_hash.name != bound.mgf_hash.name:
        return f"the RSASSA-PSS key binds MGF1-{bound.mgf_hash.name}, not MGF1-{used.mgf_hash.name}"
    if used.salt_length < bound.salt_length:
        return f"RSA-PSS salt length {used.salt_length} is below the key's minimum {bound.salt_length}"
    return None


def _from_der(der: bytes) -> PublicKey:
    # A certificate starts SEQUENCE { SEQUENCE (tbs) ...; an SPKI starts SEQUENCE { SEQUENCE (alg) ...
    # Try the certificate first: an SPKI never parses as one.
    from ..certificates import load_der_certificate  # the certificate block loads with the first key

    try:
        cert = load_der_certificate(der, "key")
    except InputError as exc:
        as_certificate = exc.rule
    else:
        return _from_certificate(cert)
    # spki_public_key loads cryptography's serialization package here, not at import: with its SSH
    # and cipher modules it costs about 3 ms of start-up, and a certificate never needs it.
    try:
        key = spki_public_key(der)
    except (ValueError, TypeError):
        raise InputError(
            "key", f"is neither a usable DER certificate ({as_certificate}) nor a DER SubjectPublicKeyInfo"
        ) from None
    except Exception as exc:  # cryptography.exceptions.UnsupportedAlgorithm
        raise UnsupportedAlgorithm(f"public key type is not supported: {exc}") from None
    return _wrap(key, der)


def _from_bytes(data: bytes) -> PublicKey:
    if len(data) > MAX_KEY_INPUT:
        raise InputError("key", f"is {len(data)} bytes, over the limit of {MAX_KEY_INPUT}")
    if b"-----BEGIN " in data:
        from ..certificates import load_der_certificate

        blocks = pem_decode_all(data, field="key")
        for block in blocks:
            if block.label in ("CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"):
                try:
                    cert = load_der_certificate(block.der, "key")
                except InputError as exc:
                    raise InputError("key", f"PEM CERTIFICATE block is not a usable certificate: {exc.rule}") from None
                return _from_certificate(cert)
            if block.label == "PUBLIC KEY":
                return _from_der(block.der)
            if block.label == "RSA PUBLIC KEY":
                from cryptography.hazmat.primitives import serialization

                try:
                    key = serialization.load_der_public_key(_pkcs1_to_spki(block.der))
                except (ValueError, TypeError):
                    raise InputError("key", "PEM RSA PUBLIC KEY block is not a PKCS#1 RSAPublicKey") from None
                return _wrap(key)
            if "PRIVATE KEY" in block.label:
                raise InputError("key", "is a private key; pass the loaded key object or its public key")
        raise InputError("key", "has no CERTIFICATE or PUBLIC KEY PEM block")
    return _from_der(data)


def _pkcs1_to_spki(pkcs1: bytes) -> bytes:
    from asn1crypto import keys

    try:
        rsa_key = keys.RSAPublicKey.load(pkcs1, strict=True)
        der: bytes = keys.PublicKeyInfo.wrap(rsa_key, "rsa").dump()
        return der
    except (ValueError, TypeError, KeyError):
        raise InputError("key", "PEM RSA PUBLIC KEY block is not a PKCS#1 RSAPublicKey") from None


#: What a verifier takes as its key: a loaded :class:`PublicKey`, a cryptography public (or RSA/EC/
#: EdDSA private) key, an ``x509.Certificate``, a :class:`~cryptokit.pkcs12.KeyBundle`, or PEM/DER/
#: base64 bytes or text of a certificate or SubjectPublicKeyInfo.
KeyLike: TypeAlias = (
    "PublicKey | rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey | ed448.Ed448PublicKey"
    " | rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey"
    " | x509.Certificate | KeyBundle | bytes | bytearray | memoryview | str"
)


#: Any public key a certificate or CSR can carry, as cryptography loads it (DSA, X25519, ... included:
#: the checks taking it refuse what they do not verify with). cryptography's own union, so naming it
#: does not warn on cryptography 51 as naming ``dsa.DSAPublicKey`` does.
CertificatePublicKey: TypeAlias = CertificatePublicKeyTypes

#: A public key already loaded, as the checking helpers (chain signatures, returned-signature
#: search, bulk workers, CSR facts) hold it: a :class:`PublicKey` or a cryptography RSA, EC, Ed25519
#: or Ed448 public key. Unlike :data:`KeyLike` it takes no bytes, text, certificate or private key.
PublicKeyLike: TypeAlias = (
    "PublicKey | rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey | ed448.Ed448PublicKey"
)


#: What a signer takes as its key: an RSA, EC, Ed25519 or Ed448 private key from cryptography, or a
#: :class:`~cryptokit.pkcs12.KeyBundle` holding one.
PrivateKeyLike: TypeAlias = (
    "rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey | KeyBundle"
)


def load_public_key(key: KeyLike) -> PublicKey:
    """Load a verification key; see the module docstring for the accepted forms.

    Raises :class:`InputError` for anything that is not a key and :class:`UnsupportedAlgorithm` for
    key types cryptokit does not verify with (DSA, X25519, ...).
    """
    if isinstance(key, PublicKey):
        return key
    if key_kind(key) is not None:
        return PublicKey(cast(Any, key), _KIND_BY_TYPE[type(key)])
    if isinstance(
        key,
        (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey),
    ):
        return _wrap(key.public_key())
    if isinstance(key, x509.Certificate):
        return _from_certificate(key)
    if isinstance(key, str):
        try:
            data = key.encode("ascii")
        except UnicodeEncodeError:
            raise InputError("key", "PEM text must be ASCII") from None
        if b"-----BEGIN " not in data:
            raise InputError("key", "text must be PEM (DER must be passed as bytes)")
        return _from_bytes(data)
    if isinstance(key, (bytes, bytearray, memoryview)):
        return _from_bytes(bytes(key))
    from ..pkcs12 import KeyBundle

    if isinstance(key, KeyBundle):
        if key.certificate is not None:
            return _from_certificate(key.certificate)
        if key.private_key is not None:
            return load_public_key(cast(Any, key.private_key))  # any type: refused below if not a key
        raise InputError("key", "KeyBundle holds neither a certificate nor a private key")
    return _wrap(key)
