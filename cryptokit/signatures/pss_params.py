"""RSASSA-PSS-params (RFC 8017 A.2.3, RFC 4055): one value class and its DER, for keys and CSC.

Absent fields take the RFC defaults: SHA-1, MGF1 with SHA-1, salt length 20, trailer field 1
(pitfall 5 in the architecture notes). Only MGF1 exists in practice: another mask generation
function is :class:`UnsupportedAlgorithm`; a trailer field other than 1 or a negative salt length is
an :class:`InputError`. CMS reads the same structure under its own policy (``cms.algorithms``),
because there every refusal is a report entry rather than an exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from ..algorithms import HashAlgorithm, hash_algorithm
from ..encoding import b64decode, b64encode, input_bytes
from ..errors import InputError, UnsupportedAlgorithm

__all__ = [
    "PssParams",
    "encode_pss_params",
    "parse_pss_params",
    "pss_params_from_asn1",
    "has_stray_elements",
    "MGF1_OID",
    "MAX_PARAMS",
    "MAX_SALT",
]

MGF1_OID: Final = "1.2.840.113549.1.1.8"
_FIELDS: Final = ("hash_algorithm", "mask_gen_algorithm", "salt_length", "trailer_field")
#: Largest salt length accepted (as everywhere in cryptokit; real ones are 20 to 64).
MAX_SALT: Final = 1024
#: Largest DER RSASSA-PSS-params accepted (real ones are under 70 bytes).
MAX_PARAMS: Final = 512


@dataclass(frozen=True, slots=True)
class PssParams:
    """RSASSA-PSS parameters: the message hash, the MGF1 hash and the (minimum) salt length."""

    hash: HashAlgorithm
    mgf_hash: HashAlgorithm
    salt_length: int

    def to_der(self) -> bytes:
        """DER RSASSA-PSS-params (fields equal to the RFC defaults are left out, as DER requires)."""
        return encode_pss_params(self.hash, salt_length=self.salt_length, mgf_hash=self.mgf_hash)

    def to_b64(self) -> str:
        """Standard base64 of :meth:`to_der` (what CSC ``signAlgoParams`` carries)."""
        return b64encode(self.to_der())


def encode_pss_params(
    hash_alg: str | HashAlgorithm,
    *,
    salt_length: int | None = None,
    mgf_hash: str | HashAlgorithm | None = None,
) -> bytes:
    """DER RSASSA-PSS-params for ``hash_alg``; the salt defaults to the digest length, MGF1 to the same hash."""
    h = hash_algorithm(hash_alg)
    mgf = hash_algorithm(mgf_hash) if mgf_hash is not None else h
    salt = h.digest_size if salt_length is None else salt_length
    if isinstance(salt, bool) or not isinstance(salt, int) or not 0 <= salt <= MAX_SALT:
        raise InputError("salt_length", f"must be an integer from 0 to {MAX_SALT}")
    value: dict[str, object] = {}
    if h.name != "sha1":
        value["hash_algorithm"] = {"algorithm": h.oid}
    if mgf.name != "sha1":
        value["mask_gen_algorithm"] = {"algorithm": MGF1_OID, "parameters": {"algorithm": mgf.oid}}
    if salt != 20:
        value["salt_length"] = salt
    if not value:
        return b"\x30\x00"
    from asn1crypto import algos  # asn1crypto loads when parameters are built or read, not at import

    return bytes(algos.RSASSAPSSParams(value).dump())


def parse_pss_params(data: bytes | str, *, field: str = "signAlgoParams") -> PssParams:
    """Read DER RSASSA-PSS-params (bytes, or base64 text as CSC sends it); any other type is an InputError."""
    der = input_bytes(
        data,
        field,
        MAX_PARAMS,
        text=lambda t: b64decode(t, field=field, max_size=MAX_PARAMS * 2),
        accepted="bytes or base64 text",
    )
    from asn1crypto import algos

    try:
        params = algos.RSASSAPSSParams.load(der, strict=True)
    except (ValueError, TypeError):
        raise InputError(field, "is not DER RSASSA-PSS-params") from None
    return pss_params_from_asn1(params, field)


def has_stray_elements(params: Any) -> bool:
    """Whether parsed RSASSA-PSS-params hold an element that is none of its four fields.

    asn1crypto keeps such an element aside as an extra field and reads the defaults for the rest,
    so an untagged INTEGER 5 would be read as "salt 20"; callers refuse it. Raises what asn1crypto
    raises for a body it cannot parse at all.
    """
    return len(params.native) != len(_FIELDS)


def pss_params_from_asn1(params: Any, field: str) -> PssParams:
    """The :class:`PssParams` of a parsed asn1crypto ``RSASSAPSSParams``; errors name ``field``."""
    try:
        extra = has_stray_elements(params)
        hash_oid = params["hash_algorithm"]["algorithm"].dotted
        mgf = params["mask_gen_algorithm"]
        mgf_oid = mgf["algorithm"].dotted
        if mgf_oid != MGF1_OID:
            raise UnsupportedAlgorithm(f"{field}: RSASSA-PSS mask generation function {mgf_oid} is not MGF1")
        mgf_hash_oid = mgf["parameters"]["algorithm"].dotted
        salt = int(params["salt_length"].native)
        trailer = params["trailer_field"].native
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        raise InputError(field, "is not well-formed RSASSA-PSS-params") from None
    if extra:
        raise InputError(field, "has elements that are not RSASSA-PSS-params fields")
    if trailer not in (1, "trailer_field_bc"):
        raise InputError(field, "RSASSA-PSS trailerField must be 1 (0xBC)")
    if not 0 <= salt <= MAX_SALT:
        raise InputError(field, f"RSASSA-PSS saltLength must be from 0 to {MAX_SALT}")
    return PssParams(hash_algorithm(hash_oid), hash_algorithm(mgf_hash_oid), salt)
