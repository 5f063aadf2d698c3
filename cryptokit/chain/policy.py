"""Chain validation policies: frozen values with named presets and composable extra constraints.

A :class:`ChainPolicy` says what the validator requires beyond RFC 5280 section 6 path validation:
usage of the leaf, required EKUs, maximum depth, key sizes, and which hash algorithms are
acceptable until which date (the DSS "algorithm expiration" model: SHA-1 until 2009-01-01, MD5
never). Policies are values: hashable (they key the validation cache) and changed with
:meth:`ChainPolicy.replace` or extended with :meth:`ChainPolicy.with_constraints`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from cryptography import x509

from ..errors import InputError
from ..report import Check, Outcome, SubIndication

__all__ = [
    "ChainPolicy",
    "Constraint",
    "AllOf",
    "AnyOf",
    "RequireLeafEku",
    "RequireLeafKeyUsage",
    "DEFAULT_HASHES",
    "SHA1_CUTOFF",
    "ANY_POLICY",
]

UTC = dt.UTC

#: DSS default: SHA-1 in certificate signatures acceptable until this date.
SHA1_CUTOFF = dt.datetime(2009, 1, 1, tzinfo=UTC)

#: Hash algorithm name -> acceptable until (None: no end date). Absent names (MD5) are never acceptable.
DEFAULT_HASHES: tuple[tuple[str, dt.datetime | None], ...] = (
    ("sha1", SHA1_CUTOFF),
    ("sha224", None),
    ("sha256", None),
    ("sha384", None),
    ("sha512", None),
    ("sha512-224", None),
    ("sha512-256", None),
    ("sha3-224", None),
    ("sha3-256", None),
    ("sha3-384", None),
    ("sha3-512", None),
)

DEFAULT_CURVES: frozenset[str] = frozenset(
    {"secp256r1", "secp384r1", "secp521r1", "brainpoolP256r1", "brainpoolP384r1", "brainpoolP512r1"}
)

#: anyPolicy (RFC 5280 4.2.1.4): the default user_initial_policy_set accepts any policy
ANY_POLICY = "2.5.29.32.0"
_POLICY_FLAGS = ("initial_explicit_policy", "initial_policy_mapping_inhibit", "initial_any_policy_inhibit")

_KEY_USAGE_NAMES = frozenset(
    {
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
    }
)


@runtime_checkable
class Constraint(Protocol):
    """An extra rule a policy applies to a validated path. Implementations must be hashable values
    (frozen dataclasses), because the policy keys the validation cache.

    ``check`` gets the path (leaf first, anchor last) and the validation time, and returns the
    checks it made; a failed check carries its sub-indication.
    """

    def check(self, path: tuple[x509.Certificate, ...], at: dt.datetime) -> tuple[Check, ...]: ...


def _non_empty(constraints: object, kind: str) -> None:
    """A composite constraint names at least one constraint (as sigstore's policy composites do)."""
    if not isinstance(constraints, tuple) or not constraints:
        raise InputError("constraints", f"{kind} needs a non-empty tuple of constraints")


@dataclass(frozen=True, slots=True)
class AllOf:
    """Every constraint must pass; all their checks are reported. An empty AllOf is refused (it would pass anything)."""

    constraints: tuple[Constraint, ...]

    def __post_init__(self) -> None:
        _non_empty(self.constraints, "AllOf")

    def check(self, path: tuple[x509.Certificate, ...], at: dt.datetime) -> tuple[Check, ...]:
        out: list[Check] = []
        for c in self.constraints:
            out.extend(c.check(path, at))
        return tuple(out)


@dataclass(frozen=True, slots=True)
class AnyOf:
    """At least one constraint must pass (no failed check); otherwise one failed check names them all.
    An empty AnyOf is refused (it could never pass)."""

    constraints: tuple[Constraint, ...]
    name: str = "any_of"

    def __post_init__(self) -> None:
        _non_empty(self.constraints, "AnyOf")

    def check(self, path: tuple[x509.Certificate, ...], at: dt.datetime) -> tuple[Check, ...]:
        reasons: list[str] = []
        for c in self.constraints:
            checks = c.check(path, at)
            failed = [k for k in checks if k.outcome is Outcome.FAILED]
            if not failed:
                return (Check.passed(self.name, "one alternative passed", subject=_leaf(path)),)
            reasons.extend(k.message for k in failed)
        sub = SubIndication.CHAIN_CONSTRAINTS_FAILURE
        return (Check.failed(self.name, sub, "no alternative passed: " + "; ".join(reasons), subject=_leaf(path)),)


@dataclass(frozen=True, slots=True)
class RequireLeafEku:
    """The leaf must carry an extendedKeyUsage extension listing ``oid`` (a dotted string)."""

    oid: str

    def check(self, path: tuple[x509.Certificate, ...], at: dt.datetime) -> tuple[Check, ...]:
        try:
            ekus = {o.dotted_string for o in path[0].extensions.get_extension_for_class(x509.ExtendedKeyUsage).value}
        except x509.ExtensionNotFound:
            ekus = set()
        if self.oid in ekus:
            return (Check.passed("leaf_eku", f"EKU {self.oid} present", subject=_leaf(path)),)
        sub = SubIndication.CHAIN_CONSTRAINTS_FAILURE
        return (Check.failed("leaf_eku", sub, f"EKU {self.oid} required but absent", subject=_leaf(path)),)


@dataclass(frozen=True, slots=True)
class RequireLeafKeyUsage:
    """The leaf must carry keyUsage with ``usage`` set (a cryptography KeyUsage attribute name)."""

    usage: str

    def __post_init__(self) -> None:
        if self.usage not in _KEY_USAGE_NAMES:
            raise InputError("usage", f"must be one of {sorted(_KEY_USAGE_NAMES)}")

    def check(self, path: tuple[x509.Certificate, ...], at: dt.datetime) -> tuple[Check, ...]:
        try:
            ku = path[0].extensions.get_extension_for_class(x509.KeyUsage).value
            ok = bool(getattr(ku, self.usage))
        except x509.ExtensionNotFound:
            ok = False
        if ok:
            return (Check.passed("leaf_key_usage_required", f"{self.usage} set", subject=_leaf(path)),)
        sub = SubIndication.CHAIN_CONSTRAINTS_FAILURE
        return (Check.failed("leaf_key_usage_required", sub, f"{self.usage} required", subject=_leaf(path)),)


def _leaf(path: tuple[x509.Certificate, ...]) -> str:
    try:
        return path[0].subject.rfc4514_string()
    except (IndexError, ValueError):
        return "leaf"


def _aware(value: Any, field_name: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise InputError(field_name, "must be a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputError(field_name, "must be timezone-aware")
    return value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class ChainPolicy:
    """What a chain must satisfy. Build it with :meth:`document_signing` or :meth:`rfc5280`.

    - ``profile``: ``document_signing`` (leaf keyUsage, when present, must have digitalSignature or
      nonRepudiation) or ``rfc5280`` (no usage profile).
    - ``require_revocation``: every non-anchor certificate needs a usable CRL from the caller;
      missing/stale/unverifiable gives INDETERMINATE/TRY_LATER. When False, revocation is checked
      only where a usable CRL was given.
    - ``required_ekus``: dotted OIDs the leaf's extendedKeyUsage must list (CA certificates that carry
      an EKU extension must list them too, or anyExtendedKeyUsage).
    - ``max_depth``: most certificates in a path, anchor included.
    - ``min_rsa_bits`` / ``min_dsa_bits`` / ``allowed_curves``: key constraints for every certificate
      in the path, anchor included.
    - ``hash_algorithms``: (name, until) pairs; a certificate signature with a hash absent here, or
      at or after its date, fails with CRYPTO_CONSTRAINTS_FAILURE. MD5 is never in the defaults.
    - ``signature_algorithms``: dotted OIDs allowed for certificate signatures (None: any supported).
    - ``constraints``: extra :class:`Constraint` values run on the path.
    - ``ignore_anchor_validity``: False (default) fails a path whose trust anchor is outside its
      validity period at the validation time (EXPIRED / NOT_YET_VALID on the anchor). True reads
      the anchor as RFC 5280 6.1.1 (d) does, as pure trust input whose dates are not checked: for
      archives of old signatures whose root has since expired.
    - ``user_initial_policy_set`` / ``initial_explicit_policy`` / ``initial_policy_mapping_inhibit`` /
      ``initial_any_policy_inhibit``: the RFC 5280 6.1.1 (c), (e), (f), (g) inputs of certificate
      policy processing (:mod:`cryptokit.chain.policy_tree`): the policy OIDs acceptable to you
      (default {anyPolicy}: any), whether the path must be valid for at least one of them, and
      whether policy mapping and anyPolicy are refused from the start. The report gives the
      resulting ``authority_constrained_policies`` and ``user_constrained_policies``.
      :meth:`document_signing` with ``required_policies=`` sets the first two.
    """

    profile: Literal["document_signing", "rfc5280"] = "rfc5280"
    require_revocation: bool = False
    required_ekus: frozenset[str] = frozenset()
    max_depth: int = 8
    max_candidates: int = 32
    min_rsa_bits: int = 2048
    min_dsa_bits: int = 2048
    allowed_curves: frozenset[str] = DEFAULT_CURVES
    hash_algorithms: tuple[tuple[str, dt.datetime | None], ...] = DEFAULT_HASHES
    signature_algorithms: frozenset[str] | None = None
    constraints: tuple[Constraint, ...] = field(default=())
    ignore_anchor_validity: bool = False
    user_initial_policy_set: frozenset[str] = frozenset({ANY_POLICY})
    initial_explicit_policy: bool = False
    initial_policy_mapping_inhibit: bool = False
    initial_any_policy_inhibit: bool = False

    def __post_init__(self) -> None:
        if self.profile not in ("document_signing", "rfc5280"):
            raise InputError("profile", "must be 'document_signing' or 'rfc5280'")
        for name in ("max_depth", "max_candidates", "min_rsa_bits", "min_dsa_bits"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise InputError(name, "must be a positive integer")
        if self.max_depth > 32:
            raise InputError("max_depth", "must be at most 32")
        if self.max_candidates > 1024:
            raise InputError("max_candidates", "must be at most 1024")
        object.__setattr__(self, "required_ekus", frozenset(_oid_str(o, "required_ekus") for o in self.required_ekus))
        object.__setattr__(self, "allowed_curves", frozenset(self.allowed_curves))
        if self.signature_algorithms is not None:
            sigs = frozenset(_oid_str(o, "signature_algorithms") for o in self.signature_algorithms)
            object.__setattr__(self, "signature_algorithms", sigs)
        object.__setattr__(self, "hash_algorithms", _hash_table(self.hash_algorithms))
        object.__setattr__(self, "user_initial_policy_set", _policy_set(self.user_initial_policy_set))
        for flag in _POLICY_FLAGS:
            if not isinstance(getattr(self, flag), bool):
                raise InputError(flag, "must be a bool")
        object.__setattr__(self, "constraints", tuple(self.constraints))
        for c in self.constraints:
            if not isinstance(c, Constraint):
                raise InputError("constraints", "each must have a check(path, at) method")
            try:
                hash(c)
            except TypeError:
                raise InputError("constraints", "each must be hashable (a frozen dataclass)") from None

    # ------------------------------------------------------------------ presets

    @classmethod
    def document_signing(
        cls, *, required_policies: Iterable[str | x509.ObjectIdentifier] | None = None, **options: Any
    ) -> ChainPolicy:
        """Document-signing certificates: leaf keyUsage (when present) must allow digitalSignature
        or nonRepudiation; no SAN or EKU required; every issuer must be a CA.

        ``required_policies``: the path must be valid (RFC 5280 6.1) for at least one of these
        certificate policy OIDs, e.g. ETSI's QCP-n-qscd ``0.4.0.194112.1.2``: it sets
        ``user_initial_policy_set`` to them and ``initial_explicit_policy`` to True."""
        return cls(profile="document_signing", **_options(_with_required(options, required_policies)))

    @classmethod
    def rfc5280(
        cls, *, required_policies: Iterable[str | x509.ObjectIdentifier] | None = None, **options: Any
    ) -> ChainPolicy:
        """RFC 5280 section 6 path validation without a usage profile (``required_policies`` as in
        :meth:`document_signing`)."""
        return cls(profile="rfc5280", **_options(_with_required(options, required_policies)))

    def replace(self, **options: Any) -> ChainPolicy:
        """A copy with ``options`` changed (same names as the constructor)."""
        return dataclasses.replace(self, **_options(options))

    def with_constraints(self, *constraints: Constraint) -> ChainPolicy:
        """A copy that also runs ``constraints``."""
        return dataclasses.replace(self, constraints=self.constraints + tuple(constraints))

    # ------------------------------------------------------------------ queries

    def hash_allowed(self, name: str, at: dt.datetime) -> tuple[bool, dt.datetime | None]:
        """(allowed at ``at``, its end date or None)."""
        for alg, until in self.hash_algorithms:
            if alg == name:
                return (until is None or at < until), until
        return False, None

    def time_boundaries(self) -> tuple[dt.datetime, ...]:
        """Dates at which this policy's verdicts change (for the cache)."""
        return tuple(until for _, until in self.hash_algorithms if until is not None)


def _oid_str(value: Any, field_name: str) -> str:
    if isinstance(value, x509.ObjectIdentifier):
        return value.dotted_string
    if isinstance(value, str) and value.replace(".", "").isdigit() and "." in value:
        return value
    raise InputError(field_name, "each must be a dotted OID string or an ObjectIdentifier")


_OID_RULE = "a dotted OID string (like 0.4.0.194112.1.2) or an ObjectIdentifier"


def _strict_oid(value: Any, field_name: str) -> str:
    """A dotted OID: arcs of digits without leading zeros, the first 0, 1 or 2 (X.660)."""
    if isinstance(value, x509.ObjectIdentifier):
        return value.dotted_string
    if isinstance(value, str):
        arcs = value.split(".")
        if (
            len(arcs) >= 2
            and all(a.isascii() and a.isdigit() and (a == "0" or not a.startswith("0")) for a in arcs)
            and arcs[0] in ("0", "1", "2")
        ):
            return value
        raise InputError(field_name, f"{value[:64]!r} is not {_OID_RULE}")
    raise InputError(field_name, f"each must be {_OID_RULE}, not {type(value).__name__}")


def _policy_set(value: Any, field_name: str = "user_initial_policy_set") -> frozenset[str]:
    """A non-empty set of policy OIDs (RFC 5280 6.1.1 (c); anyPolicy 2.5.29.32.0 accepts any)."""
    if isinstance(value, (str, bytes, x509.ObjectIdentifier)):
        raise InputError(field_name, "must be a set of policy OIDs, not a single value (wrap it: {oid})")
    try:
        items = list(value)
    except TypeError:
        raise InputError(field_name, "must be a set of policy OIDs") from None
    if not items:
        raise InputError(field_name, f"must name at least one policy OID ({ANY_POLICY} is anyPolicy: any policy)")
    return frozenset(_strict_oid(v, field_name) for v in items)


def _with_required(options: dict[str, Any], required: Any) -> dict[str, Any]:
    if required is None:
        return options
    if "user_initial_policy_set" in options:
        raise InputError("required_policies", "sets user_initial_policy_set; give one or the other")
    out = dict(options)
    out["user_initial_policy_set"] = _policy_set(required, "required_policies")
    if ANY_POLICY in out["user_initial_policy_set"]:
        raise InputError("required_policies", f"anyPolicy ({ANY_POLICY}) would require nothing; name the policies")
    out.setdefault("initial_explicit_policy", True)
    return out


def _hash_table(value: Any) -> tuple[tuple[str, dt.datetime | None], ...]:
    from ..algorithms import hash_algorithm

    items: Iterable[Any] = value.items() if isinstance(value, Mapping) else value
    out: list[tuple[str, dt.datetime | None]] = []
    try:
        pairs = [(k, v) for k, v in items]
    except (TypeError, ValueError):
        raise InputError("hash_algorithms", "must be a mapping or pairs of (name, until)") from None
    for name, until in pairs:
        try:
            canonical = hash_algorithm(name, allow_md5=True).name
        except Exception:
            raise InputError("hash_algorithms", f"unknown hash algorithm {name!r}") from None
        out.append((canonical, None if until is None else _aware(until, "hash_algorithms")))
    return tuple(sorted(out, key=lambda p: p[0]))


_ALLOWED_OPTIONS = frozenset(f.name for f in dataclasses.fields(ChainPolicy)) - {"profile"}


def _options(options: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(options) - _ALLOWED_OPTIONS
    if unknown:
        raise InputError("policy", f"unknown option(s) {sorted(unknown)}; known: {sorted(_ALLOWED_OPTIONS)}")
    out = dict(options)
    if "required_ekus" in out:
        out["required_ekus"] = frozenset(out["required_ekus"])
    if "allowed_curves" in out:
        out["allowed_curves"] = frozenset(out["allowed_curves"])
    if out.get("signature_algorithms") is not None:
        out["signature_algorithms"] = frozenset(out["signature_algorithms"])
    if "user_initial_policy_set" in out:
        out["user_initial_policy_set"] = _policy_set(out["user_initial_policy_set"])
    for flag in ("require_revocation", "ignore_anchor_validity", *_POLICY_FLAGS):
        if flag in out and not isinstance(out[flag], bool):
            raise InputError(flag, "must be a bool")
    return out
