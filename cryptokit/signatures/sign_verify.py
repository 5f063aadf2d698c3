"""Verify and sign bare signature values: RSA PKCS#1 v1.5, RSA-PSS, ECDSA (DER or raw r||s), Ed25519/Ed448.

Remote-signing services (ADSS ``signature_base64``, CSC ``signatures[]``) return a bare signature
over a hash the client sent; :func:`verify_digest` checks it offline, :func:`verify_message` checks a
signature over the message itself, :func:`identify_signature` says which scheme and encoding a
vendor actually used, :func:`sign_digest` / :func:`sign_message` are the signing half.

What a successful verify proves: the signature is valid under ``key`` for exactly this digest (or
message) with the scheme, hash and parameters used. It says nothing about the key: whether the
certificate is trusted, valid at a time, or allowed to sign (see the chain module for that).

Scheme selection (``scheme="auto"``): RSA keys use PKCS#1 v1.5, unless the key is an RSASSA-PSS key
(SPKI OID 1.2.840.113549.1.1.10), whose RSASSA-PSS-params then bind the hash, the MGF1 hash and the
salt length (absent parameters mean SHA-1 / MGF1-SHA-1 / salt 20); PKCS#1 v1.5 is refused for such
keys. EC keys use ECDSA; Ed25519/Ed448 keys use PureEdDSA over the message (a prehashed digest is an
:class:`InputError`). PSS salt length: an int, the digest length by default, or ``"auto"`` on verify
(any salt length; for an RSASSA-PSS key at least the key's saltLength). The MGF1 hash defaults to
the message hash. ECDSA ``signature_encoding``: ``"der"`` (strict X9.62 DER), ``"raw"`` (r||s, each
the curve's order byte length) or ``"auto"`` (exactly twice the order length means raw, else DER; a
raw-length value that fails as raw and is also strict DER is tried as DER).

Errors: :class:`InvalidSignature` for a well-formed signature that does not verify;
:class:`InputError` for malformed input (a signature given as ``str``, a digest whose length does
not match the algorithm, non-strict DER, a scheme that does not fit the key, PSS parameters that
contradict an RSASSA-PSS key); :class:`UnsupportedAlgorithm` for unknown hashes and key types.

Policy for Wycheproof "acceptable" cases (tested in tests/conformance/test_wycheproof_signatures.py):

* RSA PKCS#1 v1.5 with a DigestInfo whose NULL parameters are absent ("MissingNull"): refused
  (:class:`InvalidSignature`) by default, accepted only with ``allow_absent_null=True``.
* Every other "acceptable" case (BER encodings, unusual sizes, weak parameters): refused. Strict by
  default; nothing else is relaxed by any flag.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final, Literal, cast

from cryptography.exceptions import InvalidSignature as _CryptoInvalidSignature
from cryptography.exceptions import UnsupportedAlgorithm as _CryptoUnsupported
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa

from ..algorithms import HashAlgorithm, HashArg, hash_algorithm, parse_digest_info
from ..errors import InputError, InvalidSignature, UnsupportedAlgorithm
from .ecdsa_encoding import der_to_raw, is_strict_der, order_byte_length, raw_to_der
from .prehashed import ECDSA_PREHASHED, HASH_BY_NAME, PKCS1V15, PREHASHED, direct_args, verify_direct
from .public_keys import (
    _KIND_BY_TYPE,
    KIND_EC,
    KIND_ED448,
    KIND_ED25519,
    KIND_RSA,
    KeyLike,
    PrivateKeyLike,
    PssParams,
    PublicKey,
    PublicKeyType,
    load_public_key,
    rsa_exponent_problem,
)
from .rsa_pss import max_pss_salt_length, pss_salt_length

__all__ = [
    "PublicKey",
    "PssParams",
    "SignatureMatch",
    "load_public_key",
    "verify_digest",
    "signature_length_rule",
    "verify_message",
    "sign_digest",
    "sign_message",
    "identify_signature",
    "der_to_raw",
    "raw_to_der",
    "MAX_SIGNATURE_SIZE",
]

SchemeArg = Literal["auto", "pkcs1v15", "pss", "ecdsa", "ed25519", "ed448"]
EncodingArg = Literal["auto", "der", "raw"]
SaltArg = int | Literal["auto"] | None
BytesLike = bytes | bytearray | memoryview

#: Longest signature accepted (an RSA-16384 signature is 2,048 bytes).
MAX_SIGNATURE_SIZE: Final = 4096

_ED_KINDS: Final = (KIND_ED25519, KIND_ED448)
_ED_SCHEME: Final = {KIND_ED25519: "ed25519", KIND_ED448: "ed448"}


@dataclass(frozen=True, slots=True)
class SignatureMatch:
    """Which scheme and encoding a signature verified with (see :func:`identify_signature`).

    ``encoding`` is ``der`` or ``raw`` for ECDSA, else None; ``hash`` is None for EdDSA;
    ``pss_salt_length`` is set for PSS; ``absent_null`` is True when an RSA PKCS#1 v1.5 signature
    verified only with the legacy DigestInfo that leaves out the NULL parameters.
    """

    scheme: Literal["pkcs1v15", "pss", "ecdsa", "ed25519", "ed448"]
    encoding: Literal["der", "raw"] | None
    hash: HashAlgorithm | None
    pss_salt_length: int | None = None
    absent_null: bool = False


# --------------------------------------------------------------------------- small helpers


def _bytes_arg(value: object, field: str) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        raise InputError(field, "must be bytes, not str (decode base64 or hex first)")
    raise InputError(field, f"must be bytes, not {type(value).__name__}")


def _signature_arg(value: object) -> bytes:
    data = _bytes_arg(value, "signature")
    if len(data) > MAX_SIGNATURE_SIZE:
        raise InputError("signature", f"is {len(data)} bytes, over the limit of {MAX_SIGNATURE_SIZE}")
    return data


def _hash(algorithm: HashArg | None, field: str = "algorithm") -> HashAlgorithm:
    if algorithm is None:
        raise InputError(field, "is required for RSA and ECDSA")
    return hash_algorithm(algorithm)


def _check_digest(digest: bytes, h: HashAlgorithm) -> None:
    if len(digest) != h.digest_size:
        raise InputError("digest", f"is {len(digest)} bytes; {h.name} digests are {h.digest_size}")


def _invalid(what: str) -> InvalidSignature:
    return InvalidSignature(f"signature does not verify ({what})")


def signature_length_rule(key: PublicKeyType, signature: bytes) -> str | None:
    """The plain rule a signature's length breaks for ``key`` (RSA: exactly the modulus length; ECDSA:
    DER or exactly twice the order length raw), or None when the length is possible. Says nothing
    about whether the signature verifies."""
    if isinstance(key, rsa.RSAPublicKey):
        size = (key.key_size + 7) // 8
        if len(signature) != size:
            return f"wrong signature length: {len(signature)} bytes, RSA-{key.key_size} signatures are {size}"
    elif isinstance(key, ec.EllipticCurvePublicKey):
        raw = 2 * order_byte_length(key)
        if len(signature) != raw and not is_strict_der(signature, key):
            return (
                f"wrong signature length: {len(signature)} bytes and not DER, "
                f"ECDSA {key.curve.name} raw r||s signatures are {raw}"
            )
    return None


def _check_length(key: Any, signature: bytes) -> None:
    rule = signature_length_rule(key, signature)
    if rule is not None:
        raise InvalidSignature(rule)


@lru_cache(maxsize=256)
def _pss_padding(mgf_name: str, salt: int | None) -> padding.PSS:
    mgf = padding.MGF1(HASH_BY_NAME[mgf_name].cryptography())
    return padding.PSS(mgf, padding.PSS.AUTO if salt is None else salt)


def _salt_int(value: object, key: rsa.RSAPublicKey | rsa.RSAPrivateKey, h: HashAlgorithm) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError("pss_salt_length", "must be an int, 'auto' (verify only) or None")
    limit = max_pss_salt_length(key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key, h)
    if not 0 <= value <= limit:
        raise InputError("pss_salt_length", f"must be between 0 and {limit} for this key and {h.name}")
    return value


def _no_pss_options(salt: SaltArg, mgf: HashArg | None) -> None:
    if salt is not None:
        raise InputError("pss_salt_length", "applies only to PSS (pass scheme='pss')")
    if mgf is not None:
        raise InputError("pss_mgf_hash", "applies only to PSS (pass scheme='pss')")


def _scheme_error(scheme: str, key_type: str) -> InputError:
    return InputError("scheme", f"{scheme!r} does not fit {key_type} key")


# --------------------------------------------------------------------------- verification core


def _verify_pkcs1v15(key: rsa.RSAPublicKey, sig: bytes, digest: bytes, h: HashAlgorithm, absent_null: bool) -> None:
    try:
        key.verify(sig, digest, PKCS1V15, PREHASHED[h.name])
        return
    except _CryptoInvalidSignature:
        pass
    if absent_null and _absent_null_matches(key, sig, digest, h):
        return
    raise _invalid(f"RSA PKCS#1 v1.5, {h.name}")


def _absent_null_matches(key: rsa.RSAPublicKey, sig: bytes, digest: bytes, h: HashAlgorithm) -> bool:
    """The legacy DigestInfo without NULL parameters: recover the payload, parse, compare in constant time."""
    try:
        recovered = key.recover_data_from_signature(sig, PKCS1V15, None)
    except (_CryptoInvalidSignature, ValueError, TypeError):
        return False
    try:
        alg, inner = parse_digest_info(recovered, allow_absent_params=True)
    except InputError:
        return False
    return alg.name == h.name and hmac.compare_digest(inner, digest)


def _verify_pss(
    key: rsa.RSAPublicKey, sig: bytes, digest: bytes, h: HashAlgorithm, mgf: HashAlgorithm, salt: int | None
) -> None:
    try:
        key.verify(sig, digest, _pss_padding(mgf.name, salt), PREHASHED[h.name])
    except _CryptoInvalidSignature:
        raise _invalid(f"RSA-PSS, {h.name}, MGF1-{mgf.name}, salt {'auto' if salt is None else salt}") from None


def _bind_pss(
    pk: PublicKey, params: PssParams, sig: bytes, h: HashAlgorithm, salt: SaltArg, mgf_arg: HashArg | None
) -> tuple[HashAlgorithm, int]:
    """Apply an RSASSA-PSS key's parameters; return (MGF1 hash, explicit salt length)."""
    if h.name != params.hash.name:
        raise InputError("algorithm", f"the RSASSA-PSS key binds {params.hash.name}, not {h.name}")
    mgf = params.mgf_hash if mgf_arg is None else _hash(mgf_arg, "pss_mgf_hash")
    if mgf.name != params.mgf_hash.name:
        raise InputError("pss_mgf_hash", f"the RSASSA-PSS key binds MGF1-{params.mgf_hash.name}, not {mgf.name}")
    assert isinstance(pk.key, rsa.RSAPublicKey)
    if salt is None:
        return mgf, params.salt_length
    if salt == "auto":
        found = pss_salt_length(pk.key, sig, h, mgf)
        if found is None:
            raise _invalid(f"RSA-PSS, {h.name}: not an EMSA-PSS encoding")
        if found < params.salt_length:
            raise _invalid(f"RSA-PSS salt length {found} is below the key's minimum {params.salt_length}")
        return mgf, found
    value = _salt_int(salt, pk.key, h)
    if value < params.salt_length:
        raise InputError("pss_salt_length", f"{value} is below the RSASSA-PSS key's minimum {params.salt_length}")
    return mgf, value


def _verify_rsa(
    pk: PublicKey,
    sig: bytes,
    digest: bytes,
    h: HashAlgorithm,
    scheme: str,
    salt: SaltArg,
    mgf_arg: HashArg | None,
    encoding: str,
    absent_null: bool,
) -> None:
    key = pk.key
    assert isinstance(key, rsa.RSAPublicKey)
    if encoding not in ("auto", "der"):
        raise InputError("signature_encoding", f"{encoding!r} applies only to ECDSA")
    _check_length(key, sig)
    if pk.pss is not None:
        if scheme == "pkcs1v15":
            raise InputError("scheme", "the key is an RSASSA-PSS key (id-RSASSA-PSS); PKCS#1 v1.5 is refused for it")
        if scheme not in ("auto", "pss"):
            raise _scheme_error(scheme, "an RSASSA-PSS")
        mgf, salt_value = _bind_pss(pk, pk.pss, sig, h, salt, mgf_arg)
        _verify_pss(key, sig, digest, h, mgf, salt_value)
        return
    if scheme in ("auto", "pkcs1v15"):
        _no_pss_options(salt, mgf_arg)
        _verify_pkcs1v15(key, sig, digest, h, absent_null)
        return
    if scheme != "pss":
        raise _scheme_error(scheme, "an RSA")
    mgf = h if mgf_arg is None else _hash(mgf_arg, "pss_mgf_hash")
    if salt == "auto":
        _verify_pss(key, sig, digest, h, mgf, None)
    else:
        _verify_pss(key, sig, digest, h, mgf, h.digest_size if salt is None else _salt_int(salt, key, h))


def _ecdsa_der(key: ec.EllipticCurvePublicKey, sig: bytes, digest: bytes, h: HashAlgorithm) -> None:
    try:
        key.verify(sig, digest, ECDSA_PREHASHED[h.name])
    except _CryptoInvalidSignature:
        if not is_strict_der(sig, key):
            raise InputError(
                "signature", "is not a strict DER ECDSA signature (SEQUENCE of two minimal positive INTEGERs)"
            ) from None
        raise _invalid(f"ECDSA {key.curve.name}, {h.name}, DER") from None


def _ecdsa_raw(key: ec.EllipticCurvePublicKey, sig: bytes, digest: bytes, h: HashAlgorithm) -> None:
    der = raw_to_der(sig, key)
    try:
        key.verify(der, digest, ECDSA_PREHASHED[h.name])
    except _CryptoInvalidSignature:
        raise _invalid(f"ECDSA {key.curve.name}, {h.name}, raw r||s") from None


def _verify_ecdsa(key: ec.EllipticCurvePublicKey, sig: bytes, digest: bytes, h: HashAlgorithm, encoding: str) -> None:
    if encoding == "der":
        _ecdsa_der(key, sig, digest, h)
    elif encoding == "raw":
        _ecdsa_raw(key, sig, digest, h)
    elif encoding == "auto":
        if len(sig) != 2 * order_byte_length(key):
            _ecdsa_der(key, sig, digest, h)
            return
        try:
            _ecdsa_raw(key, sig, digest, h)
        except (InvalidSignature, InputError):
            if not is_strict_der(sig, key):
                raise
            _ecdsa_der(key, sig, digest, h)
    else:
        raise InputError("signature_encoding", "must be 'der', 'raw' or 'auto'")


def _verify_digest_general(
    pk: PublicKey,
    sig: bytes,
    digest: bytes,
    h: HashAlgorithm,
    scheme: str,
    salt: SaltArg,
    mgf_arg: HashArg | None,
    encoding: str,
    absent_null: bool,
) -> None:
    kind = pk.kind
    if kind == KIND_RSA:
        _verify_rsa(pk, sig, digest, h, scheme, salt, mgf_arg, encoding, absent_null)
        return
    if kind == KIND_EC:
        if scheme not in ("auto", "ecdsa"):
            raise _scheme_error(scheme, "an EC")
        _no_pss_options(salt, mgf_arg)
        assert isinstance(pk.key, ec.EllipticCurvePublicKey)
        _verify_ecdsa(pk.key, sig, digest, h, encoding)
        return
    raise _prehashed_eddsa(kind)


def _prehashed_eddsa(kind: int) -> InputError:
    return InputError(
        "digest",
        f"{_ED_SCHEME[kind]} (PureEdDSA) signs the message itself, not a prehashed digest; "
        "call verify_message with the message",
    )


def _wrap_crypto_errors(exc: Exception) -> Exception:
    if isinstance(exc, _CryptoUnsupported):
        return UnsupportedAlgorithm(str(exc))
    return InputError("signature", f"cannot be checked: {exc}")


# Keys whose RSA exponent already passed the SP 800-89 check, by id. The key itself is held so its
# id cannot be reused by another object while it is here; bounded, cleared when full.
_EXPONENT_CHECKED: dict[int, Any] = {}


def _check_rsa_exponent(key: rsa.RSAPublicKey) -> None:
    if _EXPONENT_CHECKED.get(id(key)) is key:
        return
    problem = rsa_exponent_problem(key)
    if problem is not None:
        raise InputError("key", problem)
    if len(_EXPONENT_CHECKED) >= 256:
        _EXPONENT_CHECKED.clear()
    _EXPONENT_CHECKED[id(key)] = key


# --------------------------------------------------------------------------- public API


def verify_digest(
    key: KeyLike,
    signature: BytesLike,
    digest: BytesLike,
    algorithm: HashArg,
    *,
    scheme: SchemeArg = "auto",
    pss_salt_length: SaltArg = None,
    pss_mgf_hash: HashArg | None = None,
    signature_encoding: EncodingArg = "auto",
    allow_absent_null: bool = False,
) -> None:
    """Check ``signature`` over the prehashed ``digest`` (made with ``algorithm``) under ``key``.

    Returns None on success; raises :class:`InvalidSignature`, :class:`InputError` or
    :class:`UnsupportedAlgorithm`. See the module docstring for scheme and encoding selection:
    ``scheme="auto"`` with a plain RSA key checks PKCS#1 v1.5 only, never PSS (pass ``scheme="pss"``,
    or call :func:`identify_signature`, which tries both).
    ``allow_absent_null`` accepts the legacy RSA PKCS#1 v1.5 DigestInfo without NULL parameters.
    """
    kind = _KIND_BY_TYPE.get(type(key))
    if kind is None and type(key) is PublicKey and key.pss is None:
        key = key.key  # a loaded plain key (e.g. from a certificate) takes the fast path too
        kind = _KIND_BY_TYPE.get(type(key))
    if kind is not None and pss_salt_length is None and pss_mgf_hash is None and not allow_absent_null:
        # Fast path: a cryptography public key with default options; no wrapper, no parsing.
        sig = (
            signature
            if type(signature) is bytes and len(signature) <= MAX_SIGNATURE_SIZE
            else _signature_arg(signature)
        )
        data = digest if type(digest) is bytes else _bytes_arg(digest, "digest")
        if kind == KIND_ED25519 or kind == KIND_ED448:
            raise _prehashed_eddsa(kind)
        h = HASH_BY_NAME.get(algorithm) if type(algorithm) is str else None
        if h is None:
            h = _hash(algorithm)
        if len(data) != h.digest_size:
            _check_digest(data, h)
        if kind == KIND_RSA:
            _check_rsa_exponent(cast(rsa.RSAPublicKey, key))  # kind says so
        args = direct_args(kind, h.name, scheme, signature_encoding) if kind == KIND_RSA else None
        if args is not None:
            try:
                verify_direct(cast(rsa.RSAPublicKey, key), sig, data, args)  # args only for RSA
                return
            except _CryptoInvalidSignature:
                _check_length(key, sig)
                raise _invalid(f"RSA PKCS#1 v1.5, {h.name}") from None
            except (ValueError, TypeError, _CryptoUnsupported) as exc:
                raise _wrap_crypto_errors(exc) from None
        if kind == KIND_EC and (scheme == "auto" or scheme == "ecdsa"):
            try:
                _verify_ecdsa(cast(ec.EllipticCurvePublicKey, key), sig, data, h, signature_encoding)
                return
            except (ValueError, TypeError, _CryptoUnsupported) as exc:
                if isinstance(exc, InputError):
                    raise
                raise _wrap_crypto_errors(exc) from None
        pk = PublicKey(cast(Any, key), kind)
    else:
        pk = load_public_key(key)
        sig = _signature_arg(signature)
        data = _bytes_arg(digest, "digest")
        if pk.kind in _ED_KINDS:
            raise _prehashed_eddsa(pk.kind)
        h = _hash(algorithm)
        _check_digest(data, h)
    try:
        _verify_digest_general(
            pk, sig, data, h, scheme, pss_salt_length, pss_mgf_hash, signature_encoding, allow_absent_null
        )
    except (ValueError, TypeError, _CryptoUnsupported) as exc:
        if isinstance(exc, InputError):
            raise
        raise _wrap_crypto_errors(exc) from None


def verify_message(
    key: KeyLike,
    signature: BytesLike,
    message: BytesLike,
    algorithm: HashArg | None = None,
    *,
    scheme: SchemeArg = "auto",
    pss_salt_length: SaltArg = None,
    pss_mgf_hash: HashArg | None = None,
    signature_encoding: EncodingArg = "auto",
    allow_absent_null: bool = False,
) -> None:
    """Check ``signature`` over ``message`` under ``key``.

    RSA and ECDSA hash ``message`` with ``algorithm`` (required) and verify the digest as
    :func:`verify_digest` does. Ed25519/Ed448 verify the message itself; ``algorithm`` must be None.
    """
    kind = _KIND_BY_TYPE.get(type(key))
    if kind is None:
        pk = load_public_key(key)
        kind = pk.kind
        raw_key: Any = pk.key
    else:
        pk = None
        raw_key = key
    if kind == KIND_ED25519 or kind == KIND_ED448:
        if type(signature) is not bytes or len(signature) > MAX_SIGNATURE_SIZE:
            signature = _signature_arg(signature)
        if type(message) is not bytes:
            message = _bytes_arg(message, "message")
        if algorithm is not None:
            raise InputError("algorithm", f"{_ED_SCHEME[kind]} hashes internally; pass algorithm=None")
        if scheme != "auto" and scheme != _ED_SCHEME[kind]:
            raise _scheme_error(scheme, f"an {_ED_SCHEME[kind]}")
        if signature_encoding != "auto":
            raise InputError("signature_encoding", f"{signature_encoding!r} applies only to ECDSA")
        _no_pss_options(pss_salt_length, pss_mgf_hash)
        try:
            raw_key.verify(signature, message)
        except _CryptoInvalidSignature:
            raise _invalid(_ED_SCHEME[kind]) from None
        return
    h = _hash(algorithm)
    data = _bytes_arg(message, "message")
    hasher = h.new()
    hasher.update(data)
    verify_digest(
        pk if pk is not None else raw_key,
        signature,
        hasher.digest(),
        h,
        scheme=scheme,
        pss_salt_length=pss_salt_length,
        pss_mgf_hash=pss_mgf_hash,
        signature_encoding=signature_encoding,
        allow_absent_null=allow_absent_null,
    )


def identify_signature(
    key: KeyLike,
    signature: BytesLike,
    digest: BytesLike,
    algorithm: HashArg,
    *,
    pss_salt_length: SaltArg = None,
    pss_mgf_hash: HashArg | None = None,
) -> SignatureMatch:
    """Find the scheme and encoding under which ``signature`` verifies; raise InvalidSignature if none.

    RSA: PKCS#1 v1.5, then the legacy DigestInfo without NULL (reported as ``absent_null``), then PSS
    (salt length read from the signature unless given; MGF1 hash ``pss_mgf_hash`` or the message
    hash). An RSASSA-PSS key is tried only with PSS under its parameters. ECDSA: strict DER, then raw
    r||s. Ed25519/Ed448: ``digest`` is taken as the signed bytes themselves (some services sign the
    hash value with PureEdDSA) and ``algorithm`` may be None. Every candidate is verified by
    cryptography; a match proves what :func:`verify_digest` proves.
    """
    pk = load_public_key(key)
    sig = _signature_arg(signature)
    data = _bytes_arg(digest, "digest")
    if pk.kind in _ED_KINDS:
        verify_message(pk, sig, data)
        return SignatureMatch(_ED_SCHEME[pk.kind], None, None)  # type: ignore[arg-type]
    h = _hash(algorithm)
    _check_digest(data, h)
    if pk.kind == KIND_EC:
        assert isinstance(pk.key, ec.EllipticCurvePublicKey)
        _no_pss_options(pss_salt_length, pss_mgf_hash)
        if is_strict_der(sig, pk.key):
            try:
                _ecdsa_der(pk.key, sig, data, h)
                return SignatureMatch("ecdsa", "der", h)
            except InvalidSignature:
                pass
        if len(sig) == 2 * order_byte_length(pk.key):
            try:
                _ecdsa_raw(pk.key, sig, data, h)
                return SignatureMatch("ecdsa", "raw", h)
            except (InvalidSignature, InputError):
                pass
        _check_length(pk.key, sig)
        raise _invalid(f"ECDSA {pk.key.curve.name}, {h.name}: neither DER nor raw r||s")
    key = pk.key
    assert isinstance(key, rsa.RSAPublicKey)
    _check_length(key, sig)
    if pk.pss is not None:
        mgf, salt = _bind_pss(pk, pk.pss, sig, h, "auto" if pss_salt_length is None else pss_salt_length, pss_mgf_hash)
        _verify_pss(key, sig, data, h, mgf, salt)
        return SignatureMatch("pss", None, h, salt)
    try:
        key.verify(sig, data, PKCS1V15, PREHASHED[h.name])
        return SignatureMatch("pkcs1v15", None, h)
    except _CryptoInvalidSignature:
        pass
    if _absent_null_matches(key, sig, data, h):
        return SignatureMatch("pkcs1v15", None, h, absent_null=True)
    mgf = h if pss_mgf_hash is None else _hash(pss_mgf_hash, "pss_mgf_hash")
    if pss_salt_length is None or pss_salt_length == "auto":
        found = pss_salt_length_of(key, sig, h, mgf)
    else:
        found = _salt_int(pss_salt_length, key, h)
    if found is not None:
        try:
            _verify_pss(key, sig, data, h, mgf, found)
            return SignatureMatch("pss", None, h, found)
        except InvalidSignature:
            pass
    raise _invalid(f"RSA {h.name}: neither PKCS#1 v1.5 nor PSS with MGF1-{mgf.name}")


def pss_salt_length_of(key: rsa.RSAPublicKey, signature: bytes, h: HashAlgorithm, mgf: HashAlgorithm) -> int | None:
    """The salt length inside an RSA-PSS signature (not a verification; see :mod:`cryptokit.signatures.rsa_pss`)."""
    try:
        return pss_salt_length(key, signature, h, mgf)
    except (ValueError, TypeError):
        return None


# --------------------------------------------------------------------------- signing


def _private_key(value: Any) -> Any:
    if isinstance(
        value, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)
    ):
        return value
    from ..pkcs12 import KeyBundle

    if isinstance(value, KeyBundle) and value.private_key is not None:
        return _private_key(value.private_key)
    raise InputError("private_key", f"must be an RSA, EC, Ed25519 or Ed448 private key, not {type(value).__name__}")


def sign_digest(
    private_key: PrivateKeyLike,
    digest: BytesLike,
    algorithm: HashArg,
    *,
    scheme: SchemeArg = "auto",
    signature_encoding: EncodingArg = "der",
    pss_salt_length: int | None = None,
    pss_mgf_hash: HashArg | None = None,
) -> bytes:
    """Sign a prehashed ``digest``. RSA: PKCS#1 v1.5 (``auto``) or PSS (salt = digest length by
    default, MGF1 with the message hash by default); ECDSA: DER or raw r||s. EdDSA keys refuse."""
    key = _private_key(private_key)
    data = _bytes_arg(digest, "digest")
    if isinstance(key, (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)):
        raise InputError(
            "digest", "EdDSA (PureEdDSA) signs the message itself, not a prehashed digest; call sign_message"
        )
    h = _hash(algorithm)
    _check_digest(data, h)
    try:
        if isinstance(key, rsa.RSAPrivateKey):
            if signature_encoding not in ("der", "auto"):
                raise InputError("signature_encoding", f"{signature_encoding!r} applies only to ECDSA")
            if scheme in ("auto", "pkcs1v15"):
                _no_pss_options(pss_salt_length, pss_mgf_hash)
                return key.sign(data, PKCS1V15, PREHASHED[h.name])
            if scheme != "pss":
                raise _scheme_error(scheme, "an RSA")
            mgf = h if pss_mgf_hash is None else _hash(pss_mgf_hash, "pss_mgf_hash")
            salt = h.digest_size if pss_salt_length is None else _salt_int(pss_salt_length, key, h)
            return key.sign(data, _pss_padding(mgf.name, salt), PREHASHED[h.name])
        if scheme not in ("auto", "ecdsa"):
            raise _scheme_error(scheme, "an EC")
        _no_pss_options(pss_salt_length, pss_mgf_hash)
        der = key.sign(data, ECDSA_PREHASHED[h.name])
        if signature_encoding in ("der", "auto"):
            return bytes(der)
        if signature_encoding == "raw":
            return der_to_raw(der, key)
        raise InputError("signature_encoding", "must be 'der', 'raw' or 'auto'")
    except _CryptoUnsupported as exc:
        raise UnsupportedAlgorithm(str(exc)) from None
    except (ValueError, TypeError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError("private_key", f"cannot sign with these parameters: {exc}") from None


def sign_message(
    private_key: PrivateKeyLike,
    message: BytesLike,
    algorithm: HashArg | None = None,
    *,
    scheme: SchemeArg = "auto",
    signature_encoding: EncodingArg = "der",
    pss_salt_length: int | None = None,
    pss_mgf_hash: HashArg | None = None,
) -> bytes:
    """Sign ``message``: EdDSA directly (``algorithm`` None), RSA/ECDSA by hashing it and calling
    :func:`sign_digest`."""
    key = _private_key(private_key)
    data = _bytes_arg(message, "message")
    if isinstance(key, (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)):
        if algorithm is not None:
            raise InputError("algorithm", "EdDSA hashes internally; pass algorithm=None")
        name = "ed25519" if isinstance(key, ed25519.Ed25519PrivateKey) else "ed448"
        if scheme not in ("auto", name):
            raise _scheme_error(scheme, f"an {name}")
        _no_pss_options(pss_salt_length, pss_mgf_hash)
        return key.sign(data)
    h = _hash(algorithm)
    hasher = h.new()
    hasher.update(data)
    return sign_digest(
        key,
        hasher.digest(),
        h,
        scheme=scheme,
        signature_encoding=signature_encoding,
        pss_salt_length=pss_salt_length,
        pss_mgf_hash=pss_mgf_hash,
    )
