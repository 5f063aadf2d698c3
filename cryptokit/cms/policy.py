"""What a CMS verification accepts: algorithms, encodings and the bounds on untrusted input."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

__all__ = ["CmsPolicy"]

_DEFAULT_DIGESTS = frozenset(
    {"sha224", "sha256", "sha384", "sha512", "sha512-224", "sha512-256", "sha3-224", "sha3-256", "sha3-384", "sha3-512"}
)


@dataclass(frozen=True, slots=True)
class CmsPolicy:
    """The rules :func:`~cryptokit.cms.cms_verify` applies.

    - ``digest_algorithms``: accepted digest algorithms (canonical names). SHA-1 only with ``allow_sha1``;
      MD5 never. A refused algorithm gives CRYPTO_CONSTRAINTS_FAILURE (a policy result, not a crash).
    - ``min_rsa_bits``: smaller RSA signer keys give CRYPTO_CONSTRAINTS_FAILURE.
    - ``allow_ber``: accept BER (indefinite lengths, chunked OCTET STRINGs, non-minimal lengths). On by
      default because CMS is defined over BER (RFC 5652 section 1.2) and Java BouncyCastle streams it;
      :meth:`strict` turns it off.
    - ``require_signed_attributes``: refuse SignerInfos that sign the content directly.
    - ``allow_attributes_as_content``: off by default, a SignerInfo without signed attributes whose
      content is itself a signed-attributes encoding (SET OF Attribute with contentType or
      messageDigest) is refused: otherwise a signature over someone's signed attributes, moved into
      eContent with the signedAttrs dropped, would verify as a signature over that "content".
    - ``check_certificate_validity``: with ``trusted_signers``, the signer certificate must be within
      its validity period at the verification time (with ``trust_anchors`` the chain check does this).
    - Bounds (``max_size`` bytes of encoded input, ``max_depth`` nesting, ``max_elements`` ASN.1
      elements, ``max_signers``, ``max_certificates``, ``max_attributes`` per signer): exceeding one
      raises :class:`~cryptokit.cms.CmsFormatError` (an ``InputError`` and a ``VerificationFailed``
      with FORMAT_FAILURE) before any cryptography runs.
    - ``chain_policy``: passed as ``policy`` to ``cryptokit.chain.validate_chain``.
    """

    digest_algorithms: frozenset[str] = _DEFAULT_DIGESTS
    allow_sha1: bool = False
    min_rsa_bits: int = 2048
    allow_ber: bool = True
    require_signed_attributes: bool = False
    allow_attributes_as_content: bool = False
    check_certificate_validity: bool = True
    max_size: int = 64 * 1024 * 1024
    max_depth: int = 32
    max_elements: int = 500_000
    max_signers: int = 16
    max_certificates: int = 32
    max_attributes: int = 32
    chain_policy: Any = field(default=None, compare=False)

    @classmethod
    def strict(cls, **options: Any) -> CmsPolicy:
        """DER only, signed attributes required."""
        return replace(cls(allow_ber=False, require_signed_attributes=True), **options)

    def allows_digest(self, name: str) -> bool:
        if name == "sha1":
            return self.allow_sha1
        return name in self.digest_algorithms
