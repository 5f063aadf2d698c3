"""cryptokit: the cryptography of remote-signing and certificate-authority protocols.

The public names live here; see README.md for a tour. Layers (imports point down):
primitives (errors, encoding, algorithms), blocks (hashing, signatures/, pkcs12,
certificates, csr, names, cms/, chain/, envelope, report, returned_signatures), protocols
(cryptokit.protocols.*), interfaces (cryptokit.cli, cryptokit.bulk, cryptokit.demo); low level:
cryptokit.hazmat. ``import cryptokit`` loads the package and cryptokit.errors only; every
other public name imports its module on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import errors
from .errors import *  # noqa: F403

if TYPE_CHECKING:
    from .algorithms import (
        HashAlgorithm,
        HashArg,
        SignatureAlgorithm,
        digest_info,
        hash_algorithm,
        hash_algorithms,
        parse_digest_info,
        signature_algorithm,
    )
    from .bulk import VerifyJob, VerifyResult, VerifyResults, hash_many, verify_many
    from .certificates import CertificateLike, certificate_summary, load_certificate, load_certificates
    from .chain import ChainCache, ChainPolicy, ChainReport, chain_cache_stats, validate_chain
    from .chain.revocation import CrlLike
    from .cms import (
        CmsPolicy,
        CmsResult,
        PreparedCms,
        SignerResult,
        cms_prepare,
        cms_sign,
        cms_verify,
        cms_verify_unsafe_no_trust,
    )
    from .csr import CsrInfo, build_csr, verify_csr
    from .envelope import Envelope
    from .hashing import HashError, HashResults, HashToSign, hash_to_sign
    from .names import format_subject, parse_subject
    from .pkcs12 import KeyBundle, load_pfx
    from .signatures.ecdsa_encoding import der_to_raw, raw_to_der
    from .signatures.public_keys import (
        KeyLike,
        PrivateKeyLike,
        PssParams,
        PublicKey,
        PublicKeyLike,
        load_public_key,
    )
    from .signatures.sign_verify import (
        SignatureMatch,
        identify_signature,
        sign_digest,
        sign_message,
        verify_digest,
        verify_message,
    )

__version__ = "0.1.0"

# Every public name but the errors loads on first use: ``import cryptokit`` costs the package and
# cryptokit.errors only (start-up of the command and of scripts that need one block), and touching a
# name imports the one module that defines it (and what that module needs). The map is checked
# against __all__ by tests/properties/test_lazy_import.py.
_LAZY: dict[str, str] = {
    **dict.fromkeys(
        (
            "HashAlgorithm",
            "HashArg",
            "SignatureAlgorithm",
            "digest_info",
            "hash_algorithm",
            "hash_algorithms",
            "parse_digest_info",
            "signature_algorithm",
        ),
        "algorithms",
    ),
    **dict.fromkeys(("VerifyJob", "VerifyResult", "VerifyResults", "hash_many", "verify_many"), "bulk"),
    **dict.fromkeys(
        ("CertificateLike", "certificate_summary", "load_certificate", "load_certificates"), "certificates"
    ),
    **dict.fromkeys(("ChainCache", "ChainPolicy", "ChainReport", "chain_cache_stats", "validate_chain"), "chain"),
    "CrlLike": "chain.revocation",
    **dict.fromkeys(
        (
            "CmsPolicy",
            "CmsResult",
            "PreparedCms",
            "SignerResult",
            "cms_prepare",
            "cms_sign",
            "cms_verify",
            "cms_verify_unsafe_no_trust",
        ),
        "cms",
    ),
    **dict.fromkeys(("CsrInfo", "build_csr", "verify_csr"), "csr"),
    "Envelope": "envelope",
    **dict.fromkeys(("HashError", "HashResults"), "hashing"),
    **dict.fromkeys(("HashToSign", "hash_to_sign"), "hashing"),
    **dict.fromkeys(("format_subject", "parse_subject"), "names"),
    **dict.fromkeys(("KeyBundle", "load_pfx"), "pkcs12"),
    **dict.fromkeys(("der_to_raw", "raw_to_der"), "signatures.ecdsa_encoding"),
    **dict.fromkeys(
        ("KeyLike", "PrivateKeyLike", "PssParams", "PublicKey", "PublicKeyLike", "load_public_key"),
        "signatures.public_keys",
    ),
    **dict.fromkeys(
        (
            "SignatureMatch",
            "identify_signature",
            "sign_digest",
            "sign_message",
            "verify_digest",
            "verify_message",
        ),
        "signatures.sign_verify",
    ),
}


def _lazy_attribute(package: str, table: dict[str, str], namespace: dict[str, object], name: str) -> object:
    """A package's module ``__getattr__``: ``name`` from the submodule ``table`` names (imported now,
    kept in ``namespace`` so the next access is a plain global), or AttributeError."""
    module_name = table.get(name)
    if module_name is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{package}.{module_name}"), name)
    namespace[name] = value
    return value


def __getattr__(name: str) -> object:
    return _lazy_attribute(__name__, _LAZY, globals(), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "__version__",
    # errors (every class of cryptokit.errors)
    *errors.__all__,
    # argument types (what the public functions take)
    "HashArg",
    "KeyLike",
    "PublicKeyLike",
    "PrivateKeyLike",
    "CertificateLike",
    "CrlLike",
    # algorithms
    "HashAlgorithm",
    "SignatureAlgorithm",
    "hash_algorithm",
    "hash_algorithms",
    "signature_algorithm",
    "digest_info",
    "parse_digest_info",
    # hashing
    "HashToSign",
    "hash_to_sign",
    # bulk
    "hash_many",
    "verify_many",
    "VerifyJob",
    "VerifyResult",
    "VerifyResults",
    "HashError",
    "HashResults",
    # keys, certificates, CSRs, names
    "KeyBundle",
    "load_pfx",
    "load_certificates",
    "load_certificate",
    "certificate_summary",
    "build_csr",
    "verify_csr",
    "CsrInfo",
    "parse_subject",
    "format_subject",
    # chain
    "validate_chain",
    "ChainReport",
    "ChainPolicy",
    "ChainCache",
    "chain_cache_stats",
    # cms
    "cms_sign",
    "cms_prepare",
    "PreparedCms",
    "cms_verify",
    "cms_verify_unsafe_no_trust",
    "CmsResult",
    "SignerResult",
    "CmsPolicy",
    # envelope
    "Envelope",
    # signatures
    "verify_digest",
    "verify_message",
    "sign_digest",
    "sign_message",
    "identify_signature",
    "SignatureMatch",
    "load_public_key",
    "PublicKey",
    "PssParams",
    "der_to_raw",
    "raw_to_der",
]
