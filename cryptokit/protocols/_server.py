"""Pieces the server halves of the vendor packages share: request checks, bearer tokens, secret
comparison, the hash-signing key, JSON answers. Vendor error codes and texts stay in each package."""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Mapping
from typing import Any

import orjson
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

from ..encoding import b64decode
from ..errors import InputError, UnsupportedAlgorithm
from ..pkcs12 import KeyBundle
from . import HttpRequest, HttpResponse

__all__ = [
    "MAX_TOKEN",
    "B64TOKEN",
    "TokenCheck",
    "http_request_arg",
    "bearer_token",
    "basic_credentials",
    "same",
    "accepts",
    "token_check_arg",
    "hash_signing_key",
    "json_response",
]

#: Longest bearer token read from an Authorization header.
MAX_TOKEN = 16 * 1024
#: RFC 6750 b64token: also keeps CR/LF and spaces (header injection) out of the Authorization header.
B64TOKEN = re.compile(r"\A[A-Za-z0-9\-._~+/]+=*\Z")

#: What a server accepts for a secret: the expected value, a callable that says yes, or None (any).
TokenCheck = str | Callable[[str], bool] | None


def http_request_arg(value: object) -> HttpRequest:
    """``value`` when it is an :class:`HttpRequest`; InputError ``http_request`` otherwise."""
    if not isinstance(value, HttpRequest):
        raise InputError("http_request", f"must be an HttpRequest, not {type(value).__name__}")
    return value


def bearer_token(value: str, *, well_formed: Callable[[str], bool]) -> str | None:
    """The token of an ``Authorization`` value ``Bearer <token>`` (scheme case-insensitive), or None
    when the value is not that shape, the token is empty, over :data:`MAX_TOKEN` or not ``well_formed``."""
    scheme, _, token = value.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN or not well_formed(token):
        return None
    return token


def basic_credentials(value: str) -> tuple[str, str] | None:
    """``(user, password)`` of an ``Authorization`` value ``Basic <base64 of user:password>`` (scheme
    case-insensitive, strict base64, UTF-8), or None when the value is not that shape."""
    scheme, _, token = value.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "basic" or not token or len(token) > MAX_TOKEN:
        return None
    try:
        user, colon, password = b64decode(token, field="authorization").decode("utf-8").partition(":")
    except (InputError, UnicodeDecodeError):
        return None
    return (user, password) if colon else None


def same(given: str, expected: str) -> bool:
    """Constant-time equality of two texts (any characters)."""
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))


def accepts(check: TokenCheck, given: str | None) -> bool:
    """Whether ``given`` passes ``check``: None accepts anything, a str must be equal (constant
    time), a callable must return True; an absent ``given`` passes only None."""
    if check is None:
        return True
    if given is None:
        return False
    return same(given, check) if isinstance(check, str) else check(given) is True


def token_check_arg(value: object, field: str, rule: str) -> TokenCheck:
    """``value`` when it is a :data:`TokenCheck`; InputError ``field``/``rule`` otherwise."""
    if not (value is None or isinstance(value, str) or callable(value)):
        raise InputError(field, rule)
    return value


def hash_signing_key(signer: object, answer: str) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    """The RSA or EC private key of ``signer`` (a KeyBundle or the key); EdDSA cannot sign a hash
    (UnsupportedAlgorithm saying it cannot answer ``answer``), anything else is an InputError."""
    key = signer.private_key if isinstance(signer, KeyBundle) else signer
    if key is None:
        raise InputError("signer", "the KeyBundle holds no private key")
    if isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        return key
    if isinstance(key, (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)):
        raise UnsupportedAlgorithm(f"EdDSA keys sign messages, not hashes: they cannot answer {answer}")
    raise InputError("signer", f"must be a KeyBundle or an RSA/EC private key, not {type(key).__name__}")


def json_response(
    status: int, doc: Mapping[str, Any], content_type: str, headers: Mapping[str, str] | None = None
) -> HttpResponse:
    """An answer with ``doc`` as compact JSON and ``Content-Type: content_type`` (then ``headers``)."""
    return HttpResponse(status, {"Content-Type": content_type, **(headers or {})}, orjson.dumps(dict(doc)))
