"""Certificate chain validation with DSS-style reports (ETSI EN 319 102-1 X.509 validation model).

Design. ``cryptography.x509.verification`` (PolicyBuilder/ClientVerifier) is fast and well tested,
but it refuses SHA-1 and RSA < 2048 unconditionally, checks no CRL, reports only the first error
and needs exactly-chaining names. A user policy may allow SHA-1 before 2009 (DSS) and a report
must list every check on every certificate, so it cannot be the engine. This module therefore:

1. builds the path itself (:mod:`.path`): unordered, duplicated, root-included or irrelevant
   intermediates, RFC 5280 section 7.1 name matching, bounded search;
2. verifies each signature with cryptography's primitives (the issuer's public key ``verify`` with
   the certificate's own padding/hash from ``signature_algorithm_parameters``), so that SHA-1 or a
   1024-bit key *verify* and the *policy* then decides, by date, whether they are acceptable;
3. evaluates RFC 5280 section 6 itself: validity at ``at``, name chaining, basicConstraints,
   pathLenConstraint (self-issued certificates not counted), keyUsage keyCertSign, name
   constraints (:mod:`.names`), unknown critical extensions, EKU, and CRLs (:mod:`.revocation`);
4. turns the facts into checks and derives the indication with :func:`cryptokit.report.derive`.

The tests cross-check the verdict against ``cryptography``'s ``ClientVerifier`` on chains both
accept, and run NIST PKITS.

Sub-indications: no path to an anchor -> INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND; a certificate
outside its validity at ``at`` -> TOTAL_FAILED/EXPIRED or NOT_YET_VALID; revoked -> TOTAL_FAILED/
REVOKED; basicConstraints, path length, keyUsage, EKU, name constraints, unknown critical extension
-> INDETERMINATE/CHAIN_CONSTRAINTS_FAILURE; hash/algorithm/key size refused at ``at`` ->
INDETERMINATE/CRYPTO_CONSTRAINTS_FAILURE; a certificate signature in the path that does not verify
-> INDETERMINATE/CERTIFICATE_CHAIN_GENERAL_FAILURE (EN 319 102-1 5.2.6.4 gives this for a failed
path; SIG_CRYPTO_FAILURE is kept for the signature over the document); revocation required but
missing or stale -> INDETERMINATE/TRY_LATER.

Order of checks per certificate (leaf first, then up to the anchor): algorithm, signature, validity,
name chaining, public key, critical extensions, name constraints (skipped, not evaluated, when any
signature in the path fails: see the bounds in :mod:`cryptokit.chain`), revocation, then CA or leaf
rules; :func:`derive` takes the first final failure, else the first other failure. "Cold" calls
recompute every signature and check; memos of immutable values read from certificates' bytes
(facts, normalised names, subject strings, passed policy and no-data revocation results without
their subject) persist across calls. The report's passed checks are built when its checks are first
read (:func:`cryptokit.report.pending_report`; its verdict is derived at once). The report cache is
:mod:`.cache`.

Certificate policies (RFC 5280 6.1.2-6.1.5, the valid_policy_tree) are processed by
:mod:`.policy_tree` once per path, after the per-certificate checks: one ``certificate_policies``
check. CRLs, indirect and delta CRLs included, are read as :mod:`.revocation` says. The trust
anchor is a trusted input (RFC 5280 6.1.1 (d)): its own signature is not checked; its validity is, unless the policy's
``ignore_anchor_validity`` reads it as pure trust input; a v3 anchor must meet the section 4 profile
rules (check ``profile``: basicConstraints present and critical, no unknown critical extension...);
its key size is checked, and so are, as OpenSSL and cryptography's verifier do, the constraints it
carries on what it issues: basicConstraints cA (when present; a v1 root has none), keyUsage keyCertSign
(when present) and pathLenConstraint. A leaf that is itself an anchor must be valid at ``at``. CRLs
must be signed with an algorithm the policy allows at ``at``; an RSASSA-PSS issuer key verifies only
RSASSA-PSS signatures (RFC 4055).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID

from .._dsa import DSAPublicKey
from .._dsa import public_key as load_public_key
from ..certificates import CertificateLike, plainly_admissible
from ..encoding import der_header
from ..errors import CryptokitError, InputError
from ..report import (
    NO_DETAILS,
    Check,
    CheckSpec,
    HasReport,
    Outcome,
    Report,
    SubIndication,
    build_check,
    pending_report,
)
from ..signatures.public_keys import CertificatePublicKey
from .cache import ChainCache
from .der import CertFields, Rdns, read_certificate, spki_key
from .name_constraints import (
    CompiledConstraints,
    NameKey,
    check_name_constraints,
    check_names,
    compile_name_constraints,
    name_key,
    names_match,
    read_names,
)
from .ocsp import (
    MAX_OCSP_RESPONSES,
    OcspLike,
    OcspMemo,
    check_ocsp,
    combine,
    load_ocsp_responses,
    ocsp_boundaries,
    response_pss_params,
)
from .path import PathBuilder
from .policy import ANY_POLICY, ChainPolicy
from .policy_tree import NO_POLICY_FACTS, POLICY_EXTENSIONS, PolicyFacts, check_policies, policy_facts
from .revocation import CrlLike, CrlMemo, Points, check_revocation, distribution_points, load_crls, uri_points
from .sigs import (
    SignatureParts,
    ec_explicit_parameters,
    key_problem,
    pss_key_misuse,
    serial_octets,
    signature_parts,
    verify_signature,
)

__all__ = ["validate_chain", "ChainReport", "DEFAULT_CACHE", "MAX_INTERMEDIATES", "MAX_ANCHORS"]

UTC = dt.UTC
MAX_INTERMEDIATES = 256
MAX_ANCHORS = 10_000
MAX_CERT_SIZE = 1024 * 1024
_MAX_DEPTH = 32  # the largest max_depth a policy may set

_CHAIN = SubIndication.CHAIN_CONSTRAINTS_FAILURE
_CRYPTO = SubIndication.CRYPTO_CONSTRAINTS_FAILURE
_GENERAL = SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE

_KNOWN_EXTENSIONS = frozenset(
    {
        ExtensionOID.BASIC_CONSTRAINTS,
        ExtensionOID.KEY_USAGE,
        ExtensionOID.EXTENDED_KEY_USAGE,
        ExtensionOID.NAME_CONSTRAINTS,
        ExtensionOID.SUBJECT_ALTERNATIVE_NAME,
        ExtensionOID.ISSUER_ALTERNATIVE_NAME,
        ExtensionOID.SUBJECT_KEY_IDENTIFIER,
        ExtensionOID.AUTHORITY_KEY_IDENTIFIER,
        ExtensionOID.CRL_DISTRIBUTION_POINTS,
        ExtensionOID.FRESHEST_CRL,
        ExtensionOID.AUTHORITY_INFORMATION_ACCESS,
        ExtensionOID.SUBJECT_INFORMATION_ACCESS,
        ExtensionOID.SUBJECT_DIRECTORY_ATTRIBUTES,
        *POLICY_EXTENSIONS,  # processed by .policy_tree
    }
)
_ANY_EKU = ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE.dotted_string
#: a CRL signer's own path is not held to the caller's certificate policies (the CA's constraints still apply)
_NO_USER_POLICY: dict[str, Any] = {
    "user_initial_policy_set": frozenset({ANY_POLICY}),
    "initial_explicit_policy": False,
    "initial_policy_mapping_inhibit": False,
    "initial_any_policy_inhibit": False,
}
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
_RSASSA_PSS = "1.2.840.113549.1.1.10"
_SigResult = tuple[SubIndication, str] | None


@dataclass(frozen=True, slots=True)
class ChainReport(HasReport):
    """The verdict on a chain. ``ok`` only for TOTAL_PASSED; ``path`` runs leaf to anchor (on
    NO_CERTIFICATE_CHAIN_FOUND, the longest partial path found); ``checks`` has one entry per check
    per certificate, in path order, then the policy's extra constraints.

    ``authority_constrained_policies`` / ``user_constrained_policies``: the certificate policies
    (dotted OIDs, in the trust anchor's domain; ``2.5.29.32.0`` is anyPolicy) the path is valid for
    by its CAs' constraints, and those of them in the policy's ``user_initial_policy_set`` (RFC 5280
    6.1.5 (g), PKITS's names); empty when no policy survives or no path was evaluated."""

    report: Report
    path: tuple[x509.Certificate, ...]
    at: dt.datetime

    @property
    def authority_constrained_policies(self) -> frozenset[str]:
        return self._policies("authority_constrained_policies")

    @property
    def user_constrained_policies(self) -> frozenset[str]:
        return self._policies("user_constrained_policies")

    def _policies(self, key: str) -> frozenset[str]:
        for check in self.report.checks:
            if check.name == "certificate_policies":
                return frozenset(check.details.get(key, ()))
        return frozenset()

    def to_dict(self) -> dict[str, Any]:
        from cryptography.hazmat.primitives import hashes

        out = self.report.to_dict()
        out["at"] = self.at.isoformat()
        out["path"] = [
            {"subject": c.subject.rfc4514_string(), "sha256": c.fingerprint(hashes.SHA256()).hex()} for c in self.path
        ]
        out["authority_constrained_policies"] = sorted(self.authority_constrained_policies)
        out["user_constrained_policies"] = sorted(self.user_constrained_policies)
        return out


DEFAULT_CACHE: ChainCache[ChainReport] = ChainCache()


# --------------------------------------------------------------------------- inputs


def _as_items(value: Any, field: str) -> list[Any]:
    if type(value) is list or type(value) is tuple:  # the common forms, without the ABC check below
        return list(value)
    if value is None:
        return []
    if isinstance(value, (bytes, bytearray, memoryview, str, x509.Certificate)):
        return [value]
    try:
        return list(value)
    except TypeError:
        raise InputError(field, "must be a certificate, bytes, or an iterable of them") from None


def _key_item(item: Any) -> Any:
    return bytes(item) if isinstance(item, (bytearray, memoryview)) else item


def _load(item: Any, field: str, facts: dict[int, _Facts]) -> list[tuple[x509.Certificate, bytes]]:
    """The certificates of one input item with their DER, their facts recorded in ``facts`` (by id).

    DER bytes or a certificate object already admitted by an earlier call (the facts memo holds
    its DER) is loaded without the admission checks: the same bytes pass them the same way."""
    if type(item) is bytes:
        known = _FACTS_BY_DER.get(item)
        if known is not None and known.plain_der:
            cert = known.cert
            if cert is None:
                cert = known.cert = x509.load_der_x509_certificate(item)
            facts[id(cert)] = known
            return [(cert, item)]
        fresh = _fresh(item)
        if fresh is not None:
            facts[id(fresh[0])] = fresh[1]
            return [(fresh[0], item)]
    elif isinstance(item, x509.Certificate):
        der = item.public_bytes(Encoding.DER)
        known = _FACTS_BY_DER.get(der)
        if known is not None:
            facts[id(item)] = known
            return [(item, der)]
    out = []
    for cert in _admit(item, field):
        der = cert.public_bytes(Encoding.DER)
        facts[id(cert)] = _facts_of(cert, der)
        out.append((cert, der))
    return out


def _admit(item: Any, field: str) -> list[x509.Certificate]:
    if isinstance(item, x509.Certificate):
        from ..certificates import parsed_certificate

        # parsed lazily by cryptography: fail here, typed, as load_certificates does for bytes
        return [parsed_certificate(item, field, allow_non_positive_serial=True)]
    if isinstance(item, (bytes, bytearray, memoryview, str)):
        if len(item) > 64 * MAX_CERT_SIZE:
            raise InputError(field, "is too large")
        from ..certificates import load_certificates

        try:
            # non-positive serials: real roots with serial 0 are anchors; PKITS 4.4.14 is a valid
            # path with a negative serial; the profile check reports serials over 20 octets
            return list(load_certificates(item, allow_non_positive_serial=True))
        except InputError as exc:
            raise InputError(field, exc.rule) from None
    raise InputError(field, f"must be an x509.Certificate or bytes, not {type(item).__name__}")


def _aware(at: Any) -> dt.datetime:
    if at is None:
        return dt.datetime.now(UTC)
    if not isinstance(at, dt.datetime):
        raise InputError("at", "must be a datetime")
    if at.tzinfo is None or at.utcoffset() is None:
        raise InputError("at", "must be timezone-aware (a naive datetime is ambiguous)")
    return at.astimezone(UTC)


# --------------------------------------------------------------------------- per-certificate facts


@dataclass(slots=True)
class _Facts:
    subject: str
    error: str | None = None
    bc: x509.BasicConstraints | None = None
    bc_critical: bool = False
    ku: x509.KeyUsage | None = None
    eku: frozenset[str] | None = None
    nc: x509.NameConstraints | None = None
    unknown_critical: tuple[str, ...] = ()
    self_issued: bool = False
    #: RFC 5280 4.1/4.2 profile violations of the certificate itself (with their clauses)
    profile: tuple[str, ...] = ()
    #: authorityKeyIdentifier.keyIdentifier is absent (a profile violation unless self-signed)
    no_aki: bool = False
    #: certificatePolicies, policyMappings, policyConstraints, inhibitAnyPolicy (for .policy_tree)
    policy: PolicyFacts = NO_POLICY_FACTS
    #: RFC 5280 7.1 comparison keys of the subject and the issuer (see :func:`name_key`)
    subject_key: NameKey = ()
    issuer_key: NameKey = ()
    not_before: dt.datetime = _EPOCH
    not_after: dt.datetime = _EPOCH
    #: the signature algorithm as :func:`_signature_facts` reads it
    signature: _SignatureFacts = ("", "", None, None)
    #: the public key as :func:`_key_facts` reads it
    key: _KeyFacts = ("error", "")
    #: the DER loads without the admission checks' help (see ``certificates.plainly_admissible``)
    plain_der: bool = False
    #: the certificate's DER, and the TBSCertificate within it: the bytes the signature is over
    der: bytes = b""
    tbs: tuple[int, int] = (0, 0)
    #: how cryptography reads the signature algorithm (:func:`.sigs.signature_parts`)
    sig_parts: SignatureParts | str = ""
    #: the key is an id-RSASSA-PSS key (or its algorithm cannot be read): :func:`pss_key_misuse` applies
    pss_key: bool = False
    #: the cRLDistributionPoints as :func:`.revocation.distribution_points` reads them
    points: Points = ()
    #: the passed validity check's message, "notBefore .. notAfter" in ISO 8601
    validity_text: str = ""
    #: the public key object, once the certificate has verified a signature (see :func:`_public_key`)
    public_key: CertificatePublicKey | None = None
    #: the certificate object of ``der`` that calls given these bytes share (an ``x509.Certificate``
    #: is immutable; loading it again costs 1.5-2 us a certificate on every call): the one the DER
    #: reader's path loaded, or the first loaded from the memo, never one given by the caller or
    #: admitted by the general path (whose names and extensions are built as objects: larger)
    cert: x509.Certificate | None = None
    #: the subject's RDNs and the subjectAltName as :mod:`.der` read them (its path only; None on the
    #: general path): the names name constraints check, without cryptography's name objects
    read_names: tuple[Rdns, tuple[tuple[int, str], ...] | None] | None = None

    @property
    def ca(self) -> bool:
        return self.bc is not None and self.bc.ca


_AKI, _SKI = ExtensionOID.AUTHORITY_KEY_IDENTIFIER, ExtensionOID.SUBJECT_KEY_IDENTIFIER
_AIA, _SAN = ExtensionOID.AUTHORITY_INFORMATION_ACCESS, ExtensionOID.SUBJECT_ALTERNATIVE_NAME


_FACTS_BY_DER: dict[bytes, _Facts] = {}
_UNREAD = object()
#: NameConstraints extensions grouped by name type, by the id of the extension object (kept with it,
#: so the id stays its own): a CA's extension object is kept with its facts across calls. Only
#: extensions of at most ``_COMPILED_SUBTREES`` subtrees are kept, at most ``_MAX_COMPILED`` of them
#: (emptied when full); a larger one is grouped once per call.
_COMPILED: dict[int, tuple[x509.NameConstraints, CompiledConstraints]] = {}
_MAX_COMPILED, _COMPILED_SUBTREES = 1024, 32


_MAX_MEMO = 4096


def _facts_of(cert: x509.Certificate, der: bytes) -> _Facts:
    """:func:`_facts` of ``cert`` (whose DER is ``der``), memoised by DER across calls (at most
    ``_MAX_MEMO`` certificates, oldest first out): the facts depend on the bytes only and are not
    changed after they are built. Signatures are never memoised here."""
    f = _FACTS_BY_DER.get(der)
    if f is None:
        span = _tbs_span(der)
        f = _facts(cert, der[span[0] : span[1]])
        f.plain_der = plainly_admissible(der, None)
        f.der, f.tbs = der, span
        _remember(der, f)
    return f


def _remember(der: bytes, f: _Facts) -> None:
    """Keep ``f`` for ``der``; when the memo is full, the oldest eighth goes in one pass (taking the
    oldest one at a time walks past every slot deleted before it: 2 us an insertion when full)."""
    if len(_FACTS_BY_DER) >= _MAX_MEMO:
        try:
            for old in list(itertools.islice(_FACTS_BY_DER, max(1, _MAX_MEMO // 8))):
                _FACTS_BY_DER.pop(old, None)
        except RuntimeError:  # another thread changed the memo meanwhile: it evicts too
            pass
    _FACTS_BY_DER[der] = f


def _fresh(der: bytes) -> tuple[x509.Certificate, _Facts] | None:
    """A certificate never seen, from its DER, with its facts read by :mod:`.der` instead of through
    cryptography's name and extension objects; None when the DER is outside that reader's subset
    (the general path then admits it, or refuses it with the reason). What this accepts, the general
    path accepts too, to the same facts (see :mod:`.der`). The reader runs first: it proves what the
    admission scan (``certificates.plainly_admissible``) would, among it the positive serial number
    without which cryptography's load warns."""
    if der[:1] != b"\x30" or len(der) > MAX_CERT_SIZE:
        return None
    fields = read_certificate(der)
    if fields is None:
        return None
    try:
        cert = x509.load_der_x509_certificate(der)
    except _LOAD_ERRORS:
        return None
    f = _fields_facts(cert, der, fields)
    f.cert = cert
    _remember(der, f)
    return cert, f


_LOAD_ERRORS = (ValueError, TypeError, x509.InvalidVersion)
#: per-bytes memos of what several certificates share (an issuer's name, a key, an algorithm)
_SHARED: dict[tuple[str, Hashable], Any] = {}


def _shared(kind: str, der: Hashable, compute: Any) -> Any:
    """``compute()`` memoised by (``kind``, ``der``): values that depend on those bytes (or values read
    from bytes) only."""
    key = (kind, der)
    value = _SHARED.get(key)
    if value is None:
        value = compute()
        if len(_SHARED) >= _MAX_MEMO:
            _SHARED.clear()
        _SHARED[key] = value
    return value


def _fields_facts(cert: x509.Certificate, der: bytes, c: CertFields) -> _Facts:
    """:func:`_facts` from what :func:`.der.read_certificate` read (its subset: v3, only the
    extensions basicConstraints, keyUsage, extendedKeyUsage, subject/authorityKeyIdentifier,
    subjectAltName, cRLDistributionPoints, authorityInfoAccess and certificatePolicies, in their
    common forms)."""
    subject_key = c.subject_key
    issuer_key = c.issuer_key
    sig = _shared("sig", c.signature_algorithm_der, lambda: (_signature_facts(cert), signature_parts(cert)))
    f = _Facts(
        c.subject_text or "<empty subject>",
        subject_key=subject_key,
        issuer_key=issuer_key,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        signature=sig[0],
        key=spki_key(c.spki_der) or _shared("key", c.spki_der, lambda: _key_facts(cert)),
        sig_parts=sig[1],
        pss_key=c.key_algorithm == _RSASSA_PSS,
        validity_text=c.validity_text or "",
        plain_der=True,
        der=der,
        tbs=c.tbs,
    )
    if not f.validity_text:
        f.validity_text = _validity_text(f.not_before, f.not_after)
    critical = {oid for oid, crit in c.extensions if crit}
    if c.basic_constraints is not None:
        f.bc = _basic_constraints_value(*c.basic_constraints)
        f.bc_critical = _BC_OID in critical
    if c.key_usage is not None:
        f.ku = _key_usage_value(c.key_usage)
    if c.eku is not None:
        f.eku = frozenset(c.eku)
    f.self_issued = subject_key == issuer_key
    f.profile = _profile_rules(
        f,
        critical,
        extensions_outside_v3=False,  # the reader reads v3 only
        empty_subject=not c.subject,
        has_ski=c.ski is not None,
        serial_length=c.serial_octets,
        ec_explicit=c.key_algorithm == _EC_PUBLIC_KEY and not c.key_named_parameters,
    )
    f.no_aki = c.aki is None
    f.read_names = (c.subject, c.san)
    if c.policies is not None:
        f.policy = _shared("policies", c.policies, lambda: PolicyFacts(c.policies))
    if c.crl_points is None:  # the implicit point
        f.points = _shared("points", c.issuer_der, lambda: distribution_points(cert))
    else:
        issuer = _shared("issuer", c.issuer_der, lambda: cert.issuer)
        f.points = _shared("uri points", (c.issuer_der, c.crl_points), lambda: uri_points(c.crl_points, issuer))
    return f


_AKI_OID, _SKI_OID = _AKI.dotted_string, _SKI.dotted_string
_AIA_OID, _SAN_OID = _AIA.dotted_string, _SAN.dotted_string
_BC_OID = ExtensionOID.BASIC_CONSTRAINTS.dotted_string
_EC_PUBLIC_KEY = "1.2.840.10045.2.1"


@lru_cache(maxsize=64)
def _basic_constraints_value(ca: bool, path_length: int | None) -> x509.BasicConstraints:
    return x509.BasicConstraints(ca, path_length)


@lru_cache(maxsize=256)
def _key_usage_value(bits: int) -> x509.KeyUsage:
    """keyUsage from its first octet (encipherOnly and decipherOnly are outside the reader's subset)."""
    return x509.KeyUsage(
        digital_signature=bool(bits & 0x80),
        content_commitment=bool(bits & 0x40),
        key_encipherment=bool(bits & 0x20),
        data_encipherment=bool(bits & 0x10),
        key_agreement=bool(bits & 0x08),
        key_cert_sign=bool(bits & 0x04),
        crl_sign=bool(bits & 0x02),
        encipher_only=False,
        decipher_only=False,
    )


def _tbs_span(der: bytes) -> tuple[int, int]:
    """Where the TBSCertificate is in a certificate's DER (what cryptography's ``tbs_certificate_bytes``
    encodes again, copied, on each call: the original bytes are what was signed)."""
    start = der_header(der, 0)[0]
    content, length = der_header(der, start)
    return start, content + length


def _facts(cert: x509.Certificate, tbs: bytes) -> _Facts:
    """What the checks need from ``cert`` alone (``tbs``: its TBSCertificate bytes): names, extensions,
    profile, validity, signature algorithm and key descriptions (the policy judges them per call)."""
    f = _Facts(
        _subject_text(cert.subject),
        subject_key=name_key(cert.subject),
        issuer_key=name_key(cert.issuer),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        signature=_signature_facts(cert),
        key=_key_facts(cert),
        sig_parts=signature_parts(cert),
        pss_key=_pss_key(cert),
    )
    f.validity_text = _validity_text(f.not_before, f.not_after)
    try:
        unknown: list[str] = []
        critical: set[x509.ObjectIdentifier] = set()
        present: set[x509.ObjectIdentifier] = set()
        aki_id = False
        extensions = cert.extensions
        for ext in extensions:
            v = ext.value
            present.add(ext.oid)
            if ext.critical:
                critical.add(ext.oid)
            if isinstance(v, x509.BasicConstraints):
                f.bc, f.bc_critical = v, ext.critical
            elif isinstance(v, x509.KeyUsage):
                f.ku = v
            elif isinstance(v, x509.ExtendedKeyUsage):
                f.eku = frozenset(o.dotted_string for o in v)
            elif isinstance(v, x509.NameConstraints):
                f.nc = v
            elif isinstance(v, x509.AuthorityKeyIdentifier):
                aki_id = v.key_identifier is not None
            if ext.critical and ext.oid not in _KNOWN_EXTENSIONS:
                unknown.append(ext.oid.dotted_string)
        f.unknown_critical = tuple(unknown)
        f.self_issued = f.subject_key == f.issuer_key  # names_match: equal names have equal keys
        f.profile = _profile(cert, f, present, critical, tbs)
        f.no_aki = cert.version is x509.Version.v3 and not aki_id
    except (ValueError, TypeError) as exc:
        f.error = f"extensions unparsable ({exc})"
    f.policy = policy_facts(cert)
    f.points = distribution_points(cert)
    return f


def _profile(
    cert: x509.Certificate,
    f: _Facts,
    present: set[x509.ObjectIdentifier],
    critical: set[x509.ObjectIdentifier],
    tbs: bytes,
) -> tuple[str, ...]:
    """The RFC 5280 section 4 rules ``cert`` breaks on its own, read through cryptography's objects."""
    return _profile_rules(
        f,
        {oid.dotted_string for oid in critical},
        extensions_outside_v3=cert.version is not x509.Version.v3 and bool(present),
        empty_subject=not len(cert.subject.rdns),
        has_ski=_SKI in present,
        serial_length=serial_octets(cert, tbs)[0],
        ec_explicit=ec_explicit_parameters(cert, tbs),
    )


def _profile_rules(
    f: _Facts,
    critical: set[str],
    *,
    extensions_outside_v3: bool,
    empty_subject: bool,
    has_ski: bool,
    serial_length: int,
    ec_explicit: bool,
) -> tuple[str, ...]:
    """The RFC 5280 section 4 rules a certificate breaks on its own (its place in the path is judged
    by the caller), from what both readers give: ``critical`` extension OIDs as dotted strings, the
    basicConstraints and keyUsage facts in ``f``."""
    out: list[str] = []
    if extensions_outside_v3:
        out.append("extensions in a certificate that is not v3 (4.1.2.9)")
    if _AKI_OID in critical:
        out.append("authorityKeyIdentifier is critical (4.2.1.1)")
    if _SKI_OID in critical:
        out.append("subjectKeyIdentifier is critical (4.2.1.2)")
    if _AIA_OID in critical:
        out.append("authorityInfoAccess is critical (4.2.2.1)")
    if empty_subject and _SAN_OID not in critical:
        out.append("empty subject without a critical subjectAltName (4.1.2.6, 4.2.1.6)")
    if f.ca:
        if empty_subject:
            out.append("a CA certificate with an empty subject (4.1.2.6)")
        if not has_ski:
            out.append("a CA certificate without subjectKeyIdentifier (4.2.1.2)")
    if f.ku is not None and f.ku.key_cert_sign and not f.ca:
        out.append("keyCertSign without basicConstraints cA (4.2.1.3)")
    if serial_length > 20:
        out.append(f"serial number of {serial_length} octets, longer than 20 (4.1.2.2)")
    if ec_explicit:
        out.append("EC key without a named curve (RFC 5480 2.1.1)")
    return tuple(out)


_PASSED = Outcome.PASSED
#: a check of a chain report: a failure is built at once, a pass is a CheckSpec built when read
_Item = Check | CheckSpec


def _ok(name: str, message: str, subject: str) -> CheckSpec:
    """A passed check without details, built when the report's checks are read (see
    :func:`~cryptokit.report.pending_report`): a report read only for ``ok`` builds none, and a new
    subject's checks cost a tuple each instead of a Check object kept in a memo."""
    return (name, _PASSED, message, subject, None, NO_DETAILS)


def _key_cert_sign_check(f: _Facts, lacks: str) -> _Item:
    """keyUsage allows keyCertSign (or is absent) for an issuer; failed with ``lacks`` when not."""
    if f.ku is not None and not f.ku.key_cert_sign:
        return Check.failed("key_usage", _CHAIN, lacks, subject=f.subject)
    return _ok("key_usage", "keyCertSign allowed", f.subject)


@lru_cache(maxsize=4096)
def _not_evaluated_revocation(subject: str) -> Check:
    return Check.skipped("revocation", "not evaluated: a signature in the path does not verify", subject=subject)


def _ok_alg(algorithm: str, subject: str) -> CheckSpec:
    return ("algorithm", _PASSED, algorithm, subject, None, _algorithm_details(algorithm))


@lru_cache(maxsize=256)
def _algorithm_details(algorithm: str) -> Mapping[str, Any]:
    """The passed algorithm check's details, one read-only mapping per algorithm for every subject."""
    return MappingProxyType({"algorithm": algorithm})


@lru_cache(maxsize=4096)
def _subject_text(name: x509.Name) -> str:
    try:
        return name.rfc4514_string() or "<empty subject>"
    except ValueError:
        return "<unparsable subject>"


def _no_revocation_data(
    cert: x509.Certificate, issuer: x509.Certificate, f: _Facts, crls: CrlMemo, required: bool
) -> _Item:
    """The ``revocation`` check when the call has no CRL and no OCSP response: what
    :func:`check_revocation` and :func:`combine` then say depends on ``cert``'s distribution points
    and issuer name alone, besides the subject, so it is computed once per points value (see
    :data:`_NO_DATA`) and given to each subject as a :data:`~cryptokit.report.CheckSpec`."""
    points = f.points
    shared = _NO_DATA.get((id(points), required))
    if shared is None or shared[0] is not points:
        s = f.subject
        crl_check = check_revocation(cert, issuer, crls, _EPOCH, required=required, subject=s, points=points)
        check = combine(crl_check, None, required=required, subject=s)
        if len(_NO_DATA) >= _MAX_MEMO:
            _NO_DATA.clear()
        _NO_DATA[(id(points), required)] = (points, check)
        return check
    t = shared[1]
    return (t.name, t.outcome, t.message, f.subject, t.sub_indication, t.details)


#: the revocation check without CRLs and OCSP responses by (id of the distribution points, required),
#: for another subject: with nothing to look up, what it says besides the subject depends on the
#: points and the certificate's issuer name alone, and a points value is shared only by certificates
#: of one issuer name (per issuer and extension value on the DER reader's path, per certificate on
#: the general path). The points stay referenced, so their id stays theirs.
_NO_DATA: dict[tuple[int, bool], tuple[Points, Check]] = {}


def _crl_sign_ok(f: _Facts) -> bool:
    return f.error is None and (f.ku is None or f.ku.crl_sign)


def _verify_signature(cert: x509.Certificate, issuer: x509.Certificate, f: _Facts, issuer_f: _Facts) -> _SigResult:
    """None when ``issuer``'s key verifies ``cert``'s signature, else the sub-indication and reason.
    An issuer key refused outright (an RSA exponent outside NIST SP 800-89) is CRYPTO_CONSTRAINTS_FAILURE
    and is not used. ``f``, ``issuer_f``: the two certificates' facts."""
    issuer_key = issuer_f.key
    if issuer_key[0] == "error":
        return _GENERAL, f"issuer public key unusable ({issuer_key[1]})"
    if issuer_key[0] == "rsa" and issuer_key[2] is not None:
        return _CRYPTO, f"issuer key refused, signature not verified: {issuer_key[2]}"
    reason = pss_key_misuse(cert, issuer) if issuer_f.pss_key else None
    if reason is None:
        if isinstance(f.sig_parts, str):
            reason = f.sig_parts
        else:
            tbs = f.der[f.tbs[0] : f.tbs[1]] if f.der else cert.tbs_certificate_bytes
            params, h, oid = f.sig_parts
            reason = verify_signature(_public_key(issuer, issuer_f), cert.signature, tbs, h, params, oid)
    return None if reason is None else (_GENERAL, f"{reason} with the issuer's key")


def _public_key(issuer: x509.Certificate, f: _Facts) -> CertificatePublicKey:
    """``issuer``'s public key, the object kept with its facts: a key is what the DER alone says, and
    a key object loaded anew costs its parse (RSA-2048 about 1.5 us, P-256 about 5 us) and, on its
    first verification, OpenSSL's per-key precomputation (RSA: about 4 us). Signatures are still
    verified on every call."""
    key = f.public_key
    if key is None:
        key = f.public_key = load_public_key(issuer)
    return key


_SignatureFacts = tuple[str, str, str | None, str | None]


def _signature_facts(
    signed: x509.Certificate | x509.CertificateRevocationList | ocsp.OCSPResponse,
) -> _SignatureFacts:
    """(signature algorithm OID, its name, the hash name or None, why it cannot be used or None)."""
    from ..algorithms import hash_algorithm, signature_algorithm

    oid = signed.signature_algorithm_oid.dotted_string
    try:
        name = signature_algorithm(oid).name
    except Exception:
        name = oid
    try:
        h = signed.signature_hash_algorithm
    except UnsupportedAlgorithm:
        if oid != _RSASSA_PSS or not isinstance(signed, ocsp.OCSPResponse):
            return oid, name, None, f"unsupported signature algorithm {name}"
        try:  # cryptography reads no RSASSA-PSS-params from OCSP responses
            return oid, name, response_pss_params(signed).hash.name, None
        except CryptokitError as exc:
            return oid, name, None, f"RSASSA-PSS parameters refused ({exc})"
    if h is None:
        return oid, name, None, None
    try:
        return oid, name, hash_algorithm(h, allow_md5=True).name, None
    except Exception:
        return oid, name, None, f"unknown hash {h.name}"


def _algorithm_check(
    cert: x509.Certificate | x509.CertificateRevocationList | ocsp.OCSPResponse,
    policy: ChainPolicy,
    at: dt.datetime,
    subject: str,
) -> Check:
    return build_check(_algorithm_verdict(_signature_facts(cert), policy, at, subject))


def _algorithm_verdict(facts: _SignatureFacts, policy: ChainPolicy, at: dt.datetime, subject: str) -> _Item:
    """The ``algorithm`` check: the policy's algorithm list, then the hash by date."""
    oid, name, hname, problem = facts
    if policy.signature_algorithms is not None and oid not in policy.signature_algorithms:
        return Check.failed("algorithm", _CRYPTO, f"{name} is not allowed by the policy", subject=subject)
    if problem is not None:
        return Check.failed("algorithm", _CRYPTO, problem, subject=subject)
    if hname is None:
        return _ok_alg(name, subject)
    allowed, until = policy.hash_allowed(hname, at)
    if not allowed:
        if until is None:
            msg = f"{name}: {hname} is not allowed by the policy"
        else:
            msg = f"{name}: {hname} allowed only until {until.date().isoformat()}"
        return Check.failed("algorithm", _CRYPTO, msg, subject=subject, algorithm=name)
    return _ok_alg(name, subject)


#: ("rsa", bits, exponent problem or None) | ("dsa", bits) | ("ec", curve) | ("eddsa", label)
#: | ("error", why it does not load) | ("other", type name)
_KeyFacts = tuple[Any, ...]


def _pss_key(cert: x509.Certificate) -> bool:
    try:
        return cert.public_key_algorithm_oid.dotted_string == _RSASSA_PSS
    except ValueError:
        return True  # pss_key_misuse says why it cannot be read


def _key_facts(cert: x509.Certificate) -> _KeyFacts:
    try:
        key = load_public_key(cert)
    except (ValueError, UnsupportedAlgorithm) as exc:
        return ("error", str(exc))
    if isinstance(key, rsa.RSAPublicKey):
        return ("rsa", key.key_size, key_problem(key))
    if isinstance(key, DSAPublicKey):
        return ("dsa", key.key_size)
    if isinstance(key, ec.EllipticCurvePublicKey):
        return ("ec", key.curve.name)
    if isinstance(key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
        return ("eddsa", type(key).__name__.replace("PublicKey", ""))
    return ("other", type(key).__name__)


def _key_check(facts: _KeyFacts, policy: ChainPolicy, subject: str) -> _Item:
    """The ``public_key`` check of a certificate's key under ``policy``."""
    kind = facts[0]
    if kind == "rsa":
        _, bits, problem = facts
        if problem is not None:
            return Check.failed("public_key", _CRYPTO, problem, subject=subject)
        if bits < policy.min_rsa_bits:
            return Check.failed("public_key", _CRYPTO, f"RSA-{bits} < {policy.min_rsa_bits}", subject=subject)
        return _ok("public_key", f"RSA-{bits}", subject)
    if kind == "dsa":
        bits = facts[1]
        if bits < policy.min_dsa_bits:
            return Check.failed("public_key", _CRYPTO, f"DSA-{bits} < {policy.min_dsa_bits}", subject=subject)
        return _ok("public_key", f"DSA-{bits}", subject)
    if kind == "ec":
        curve = facts[1]
        if curve not in policy.allowed_curves:
            return Check.failed("public_key", _CRYPTO, f"curve {curve} is not allowed", subject=subject)
        return _ok("public_key", curve, subject)
    if kind == "eddsa":
        return _ok("public_key", facts[1], subject)
    if kind == "error":
        return Check.failed("public_key", _CRYPTO, f"public key unusable ({facts[1]})", subject=subject)
    return Check.failed("public_key", _CRYPTO, f"unsupported key type {facts[1]}", subject=subject)


def _validity_check(f: _Facts, at: dt.datetime, subject: str) -> _Item:
    nb, na = f.not_before, f.not_after
    if at < nb:
        return Check.failed(
            "validity", SubIndication.NOT_YET_VALID, f"not valid before {nb.isoformat()}", subject=subject
        )
    if at > na:
        return Check.failed("validity", SubIndication.EXPIRED, f"expired on {na.isoformat()}", subject=subject)
    return _ok("validity", f.validity_text or _validity_text(nb, na), subject)


def _validity_text(nb: dt.datetime, na: dt.datetime) -> str:
    """The passed validity check's message (kept in the facts: ``isoformat`` is slow)."""
    return f"{nb.isoformat()} .. {na.isoformat()}"


# --------------------------------------------------------------------------- one path


class _Run:
    """State of one validate_chain call: parsed inputs, memoised facts and signature results."""

    def __init__(
        self,
        anchors: Sequence[x509.Certificate],
        pool: Sequence[x509.Certificate],
        crls: CrlMemo,
        policy: ChainPolicy,
        at: dt.datetime,
        depth: int = 0,
        sigs: dict[tuple[int, int], tuple[SubIndication, str] | None] | None = None,
        ocsp: OcspMemo | None = None,
        facts: dict[int, _Facts] | None = None,
    ) -> None:
        self.anchors, self.pool, self.crls, self.policy, self.at, self.depth = anchors, pool, crls, policy, at, depth
        self.ocsp = ocsp
        #: facts by id() of the certificates of this call (filled as they are loaded)
        self._facts: dict[int, _Facts] = {} if facts is None else facts
        # certificate signature results, shared with the sub-validations of alternate CRL signers
        self._sigs: dict[tuple[int, int], tuple[SubIndication, str] | None] = {} if sigs is None else sigs
        self._nc: dict[tuple[int, int, bool], str | None] = {}
        self._compiled_here: dict[int, CompiledConstraints] = {}
        self._crl_algorithms: dict[int, str | None] = {}

    def facts(self, cert: x509.Certificate) -> _Facts:
        f = self._facts.get(id(cert))
        if f is None:
            f = self._facts[id(cert)] = _facts_of(cert, cert.public_bytes(Encoding.DER))
        return f

    def signature(self, cert: x509.Certificate, issuer: x509.Certificate) -> tuple[SubIndication, str] | None:
        key = (id(cert), id(issuer))
        if key not in self._sigs:
            self._sigs[key] = _verify_signature(cert, issuer, self.facts(cert), self.facts(issuer))
        return self._sigs[key]

    def _compiled(self, nc: x509.NameConstraints) -> CompiledConstraints:
        """``compile_name_constraints(nc)``, kept across calls per extension object when small (its
        value never changes; see ``_COMPILED``), else once per call."""
        entry = _COMPILED.get(id(nc))
        if entry is not None and entry[0] is nc:
            return entry[1]
        compiled = self._compiled_here.get(id(nc))
        if compiled is None:
            compiled = self._compiled_here[id(nc)] = compile_name_constraints(nc)
            if len(nc.permitted_subtrees or ()) + len(nc.excluded_subtrees or ()) <= _COMPILED_SUBTREES:
                if len(_COMPILED) >= _MAX_COMPILED:
                    _COMPILED.clear()
                _COMPILED[id(nc)] = (nc, compiled)
        return compiled

    def name_constraints(self, cert: x509.Certificate, constraints: Sequence[x509.NameConstraints]) -> str | None:
        """The first name-constraint violation of ``cert`` (None when none), memoised per certificate
        and extension; each extension is grouped by name type once (:meth:`_compiled`). A certificate read by
        :mod:`.der` has its names checked as read (:func:`.name_constraints.read_names`), another
        through cryptography's name and extension objects: the same names either way."""
        read: Any = _UNREAD
        for nc in constraints:
            memo_key = (id(cert), id(nc), True)
            if memo_key not in self._nc:
                compiled = self._compiled(nc)
                if read is _UNREAD:  # (the names as read,) or None for the general path
                    f = self.facts(cert)
                    r = f.read_names
                    read = None if r is None else (read_names(r[0], f.subject_key, f.subject, r[1]),)
                if read is None:
                    self._nc[memo_key] = check_name_constraints(cert, compiled)
                else:
                    self._nc[memo_key] = check_names(read[0], compiled)
            problem = self._nc[memo_key]
            if problem is not None:
                return problem
        return None

    def crl_algorithm_problem(
        self, crl: x509.CertificateRevocationList | x509.Certificate | ocsp.OCSPResponse
    ) -> str | None:
        """Why the policy refuses the signature algorithm of ``crl`` (a CRL, an OCSP response or a
        delegated responder's certificate) at ``at`` (None when it allows it); once per object."""
        key = id(crl)
        if key not in self._crl_algorithms:
            check = _algorithm_check(crl, self.policy, self.at, "crl")
            self._crl_algorithms[key] = None if check.outcome is Outcome.PASSED else check.message
        return self._crl_algorithms[key]

    def responder_revocation(self, responder: x509.Certificate, issuer: x509.Certificate) -> str | None:
        """Why a delegated OCSP responder without id-pkix-ocsp-nocheck cannot be taken as not revoked,
        judged by this call's CRLs (None when a usable CRL shows it not revoked)."""
        check = check_revocation(
            responder, issuer, self.crls, self.at, required=True, subject="ocsp responder",
            algorithm_problem=self.crl_algorithm_problem,
        )  # fmt: skip
        return None if check.outcome is Outcome.PASSED else check.message

    def name_keys(self, cert: x509.Certificate) -> tuple[NameKey, NameKey]:
        f = self.facts(cert)
        return f.subject_key, f.issuer_key

    def builder(self, max_depth: int | None = None) -> PathBuilder:
        depth = self.policy.max_depth if max_depth is None else max_depth
        return PathBuilder(self.anchors, self.pool, depth, self.policy.max_candidates, self.name_keys)

    def alternate_crl_signers(self, path: tuple[x509.Certificate, ...]) -> Any:
        """Other keys of a CRL issuer's name with cRLSign: first the certificates above in ``path``
        (validated with it; self-issued key rollover), then pool certificates that validate to the
        same anchor on their own (a separate CRL-signing key or an indirect CRL's issuer, RFC 5280
        6.3.3 (f)). In such a sub-validation the candidate itself may sign the CRL that covers it
        (an indirect CRL issuer listed in its own CRL, PKITS 4.14.30)."""

        def signers(crl: x509.CertificateRevocationList) -> Iterable[x509.Certificate]:
            for i, cand in enumerate(path):
                f = self.facts(cand)
                if not (f.bc is not None and f.bc.ca) and not (i == 0 and self.depth > 0):
                    continue
                if names_match(cand.subject, crl.issuer) and _crl_sign_ok(f):
                    yield cand
            if self.depth >= 2:
                return
            sub_policy = dataclasses.replace(
                self.policy, profile="rfc5280", required_ekus=frozenset(), constraints=(), **_NO_USER_POLICY
            )
            for cand in self.pool:
                if cand in path or not names_match(cand.subject, crl.issuer) or not _crl_sign_ok(self.facts(cand)):
                    continue
                memo_key = (id(cand), id(path[-1]))
                memo = self.crls.alternate_signers
                ok = memo.get(memo_key)
                if ok is None:
                    sub = _Run(
                        [path[-1]], self.pool, self.crls, sub_policy, self.at, self.depth + 1, self._sigs, self.ocsp,
                        self._facts,
                    )  # fmt: skip
                    ok = memo[memo_key] = sub.evaluate_best(cand)[0].ok
                if ok:
                    yield cand

        return signers

    def evaluate(self, path: tuple[x509.Certificate, ...]) -> Report:
        policy, at = self.policy, self.at
        anchor = path[-1]
        n = len(path) - 1
        per_cert: list[list[_Item]] = [[] for _ in path]
        facts = self.facts
        anchor_facts = facts(anchor)
        per_cert[-1].append(_ok("trust_anchor", "trusted by the caller", anchor_facts.subject))
        per_cert[-1].append(_key_check(anchor_facts.key, policy, anchor_facts.subject))
        max_path_length = n
        if n == 0 or not policy.ignore_anchor_validity:  # RFC 5280 6.1.1 (d) reads the anchor as pure trust input
            per_cert[-1].append(_validity_check(anchor_facts, at, anchor_facts.subject))
        if anchor.version is x509.Version.v3:
            per_cert[-1].append(self._anchor_profile(anchor_facts, n == 0))
        if n > 0:  # the anchor issued the next certificate: it must be allowed to (as OpenSSL and cryptography check)
            self._anchor_ca_checks(anchor_facts, per_cert[-1])
            if anchor_facts.bc is not None and anchor_facts.bc.path_length is not None:
                max_path_length = min(max_path_length, anchor_facts.bc.path_length)
        constraints: list[x509.NameConstraints] = [anchor_facts.nc] if anchor_facts.nc is not None else []
        # every signature first: name constraints are evaluated only on a path whose signatures all
        # verify (an unauthenticated certificate must not buy O(names x subtrees) work)
        sig_results = [self.signature(path[idx], path[idx + 1]) for idx in range(n)]
        signatures_ok = sig_results.count(None) == n
        no_revocation_data = not self.crls.crls and self.ocsp is None
        alt_signers = None if no_revocation_data else self.alternate_crl_signers(path)
        for idx in range(n - 1, -1, -1):  # from the certificate issued by the anchor down to the leaf
            cert, issuer = path[idx], path[idx + 1]
            f = facts(cert)
            s = f.subject
            out = per_cert[idx]
            is_leaf = idx == 0
            # algorithm first: a refused algorithm is CRYPTO_CONSTRAINTS_FAILURE even where it cannot verify
            out.append(_algorithm_verdict(f.signature, policy, at, s))
            sig = sig_results[idx]
            if sig is None:
                out.append(_ok("signature", "signed by the next certificate in the path", s))
            else:
                out.append(Check.failed("signature", sig[0], sig[1], subject=s))
            out.append(_validity_check(f, at, s))
            if f.issuer_key == facts(issuer).subject_key:  # names_match, by the names' keys
                out.append(_ok("name_chaining", "issuer matches the issuer's subject", s))
            else:
                out.append(Check.failed("name_chaining", _GENERAL, "issuer name does not match", subject=s))
            out.append(_key_check(f.key, policy, s))
            if f.error is not None:
                out.append(Check.failed("extensions", _GENERAL, f.error, subject=s))
                continue
            if f.unknown_critical:
                msg = "unknown critical extension(s) " + ", ".join(f.unknown_critical)
                out.append(Check.failed("critical_extensions", _CHAIN, msg, subject=s))
            else:
                out.append(_ok("critical_extensions", "all critical extensions recognised", s))
            out.append(self._profile_check(cert, f, is_leaf))
            # name constraints of every issuer above (6.1.3 (b)); self-issued intermediates are exempt
            if constraints and (is_leaf or not f.self_issued):
                problem = self.name_constraints(cert, constraints) if signatures_ok else None
                if not signatures_ok:
                    msg = "not evaluated: a signature in the path does not verify"
                    out.append(Check.skipped("name_constraints", msg, subject=s))
                elif problem is not None:
                    out.append(Check.failed("name_constraints", _CHAIN, problem, subject=s))
                else:
                    out.append(_ok("name_constraints", "names within the constraints", s))
            if signatures_ok and no_revocation_data:
                out.append(_no_revocation_data(cert, issuer, f, self.crls, policy.require_revocation))
            elif signatures_ok:
                crl_check = check_revocation(
                    cert,
                    issuer,
                    self.crls,
                    at,
                    required=policy.require_revocation,
                    subject=s,
                    alternate_signers=alt_signers,
                    algorithm_problem=self.crl_algorithm_problem,
                    points=f.points,
                )
                outcome = None
                if self.ocsp is not None:
                    outcome = check_ocsp(
                        cert,
                        issuer,
                        self.ocsp,
                        at,
                        algorithm_problem=self.crl_algorithm_problem,
                        responder_revocation=self.responder_revocation,
                    )
                out.append(combine(crl_check, outcome, required=policy.require_revocation, subject=s))
            else:  # a path that cannot pass buys no CRL or OCSP work (linear cost with decoy issuers)
                out.append(_not_evaluated_revocation(s))
            if not is_leaf:
                self._ca_checks(f, out, max_path_length)
                if not f.self_issued:
                    max_path_length -= 1
                if f.bc is not None and f.bc.path_length is not None and f.bc.path_length < max_path_length:
                    max_path_length = f.bc.path_length
                if f.nc is not None:
                    constraints.append(f.nc)
            else:
                self._leaf_checks(f, out)
        policy_check = check_policies(path, policy, facts)  # RFC 5280 6.1.2-6.1.5
        if policy_check is not None:
            per_cert[policy_check[0]].append(policy_check[1])
        checks = [c for group in per_cert for c in group]
        for constraint in policy.constraints:
            try:
                checks.extend(constraint.check(path, at))
            except Exception as exc:  # a user constraint must not turn a verdict into a crash
                checks.append(
                    Check.failed(
                        type(constraint).__name__,
                        SubIndication.POLICY_PROCESSING_ERROR,
                        f"constraint raised {type(exc).__name__}",
                    )
                )
        return pending_report(checks)

    def _profile_check(self, cert: x509.Certificate, f: _Facts, is_leaf: bool) -> _Item:
        """RFC 5280 section 4 profile rules for a certificate of the path below the anchor."""
        problems = list(f.profile)
        if f.no_aki and not (f.self_issued and self.signature(cert, cert) is None):
            problems.append("no authorityKeyIdentifier keyIdentifier, not self-signed (4.2.1.1)")
        if is_leaf:
            if f.nc is not None and not f.ca:
                problems.append("nameConstraints in an end-entity certificate (4.2.1.10)")
            if f.ca and self.policy.profile == "document_signing":
                problems.append("cA=TRUE in the signer position (document-signing profile)")
        if problems:
            return Check.failed("profile", _CHAIN, "; ".join(problems), subject=f.subject)
        return _ok("profile", "RFC 5280 section 4 profile rules met", f.subject)

    def _anchor_profile(self, f: _Facts, is_leaf: bool) -> _Item:
        """The profile rules for a v3 trust anchor: its own rules, basicConstraints present and
        critical (4.2.1.9; applied to the anchor only: PKITS 4.6.4 validates through a non-critical
        one), no unknown critical extension, and an authorityKeyIdentifier unless self-issued (the
        anchor's own signature is not verified: it is trusted input)."""
        if f.error is not None:
            return Check.failed("profile", _GENERAL, f.error, subject=f.subject)
        problems = list(f.profile)
        if f.no_aki and not f.self_issued:
            problems.append("no authorityKeyIdentifier keyIdentifier, not self-issued (4.2.1.1)")
        if f.unknown_critical:
            problems.append("unknown critical extension(s) " + ", ".join(f.unknown_critical))
        if not is_leaf:
            if f.bc is None:
                problems.append("a v3 CA certificate without basicConstraints (4.2.1.9)")
            elif not f.bc_critical:
                problems.append("basicConstraints of a CA certificate is not critical (4.2.1.9)")
        if problems:
            return Check.failed("profile", _CHAIN, "; ".join(problems), subject=f.subject)
        return _ok("profile", "RFC 5280 section 4 profile rules met", f.subject)

    def _ca_checks(self, f: _Facts, out: list[_Item], max_path_length: int) -> None:
        s = f.subject
        if f.bc is None or not f.bc.ca:
            why = "no basicConstraints" if f.bc is None else "basicConstraints cA is false"
            out.append(Check.failed("basic_constraints", _CHAIN, f"issuer is not a CA: {why}", subject=s))
        else:
            out.append(_ok("basic_constraints", "cA true", s))
        if not f.self_issued and max_path_length <= 0:
            out.append(Check.failed("path_length", _CHAIN, "pathLenConstraint exceeded", subject=s))
        else:
            out.append(_ok("path_length", "within pathLenConstraint", s))
        out.append(_key_cert_sign_check(f, "keyUsage lacks keyCertSign"))
        required = self.policy.required_ekus
        if required and f.eku is not None and _ANY_EKU not in f.eku and not required <= f.eku:
            missing = ", ".join(sorted(required - f.eku))
            out.append(Check.failed("extended_key_usage", _CHAIN, f"CA EKU lacks {missing}", subject=s))

    def _anchor_ca_checks(self, f: _Facts, out: list[_Item]) -> None:
        """An anchor that issues a certificate: cA (when basicConstraints is present; a v1 root has none)
        and keyCertSign (when keyUsage is present). Its pathLenConstraint is applied by the caller."""
        s = f.subject
        if f.error is not None:
            out.append(Check.failed("extensions", _GENERAL, f.error, subject=s))
            return
        if f.bc is not None and not f.bc.ca:
            msg = "trust anchor is not a CA: basicConstraints cA is false"
            out.append(Check.failed("basic_constraints", _CHAIN, msg, subject=s))
        else:
            out.append(_ok("basic_constraints", "trust anchor may issue certificates", s))
        out.append(_key_cert_sign_check(f, "trust anchor keyUsage lacks keyCertSign"))

    def _leaf_checks(self, f: _Facts, out: list[_Item]) -> None:
        s = f.subject
        policy = self.policy
        if policy.profile == "document_signing":
            if f.ku is None:
                out.append(_ok("key_usage", "no keyUsage extension (any usage)", s))
            elif f.ku.digital_signature or f.ku.content_commitment:
                out.append(_ok("key_usage", "digitalSignature or nonRepudiation", s))
            else:
                msg = "keyUsage has neither digitalSignature nor nonRepudiation"
                out.append(Check.failed("key_usage", _CHAIN, msg, subject=s))
        if policy.required_ekus:
            have = f.eku or frozenset()
            missing = policy.required_ekus - have
            if missing:
                msg = "extendedKeyUsage lacks " + ", ".join(sorted(missing))
                out.append(Check.failed("extended_key_usage", _CHAIN, msg, subject=s))
            else:
                out.append(_ok("extended_key_usage", "required EKUs present", s))

    def _deeper_path(self, leaf: x509.Certificate) -> tuple[x509.Certificate, ...] | None:
        """A path by names to an anchor longer than ``max_depth`` (up to 32 certificates), else None."""
        deeper = self.builder(_MAX_DEPTH)
        for path in deeper.paths(leaf):
            if len(path) > self.policy.max_depth:
                return path
        return None

    def evaluate_best(self, leaf: x509.Certificate) -> tuple[Report, tuple[x509.Certificate, ...]]:
        """Try the built paths in order; the first that passes, else the least-bad failure."""
        builder = self.builder()
        best: tuple[tuple[int, int], Report, tuple[x509.Certificate, ...]] | None = None
        for path in builder.paths(leaf):
            report = self.evaluate(path)
            if report.ok:
                return report, path
            failures = report.failures()
            rank = (sum(1 for c in failures if c.name == "signature"), len(failures))
            if best is None or rank < best[0]:
                best = (rank, report, path)
        if builder.cut:
            deeper = self._deeper_path(leaf)
            if deeper is not None:
                msg = (
                    f"the path to a trust anchor has {len(deeper)} certificates, more than max_depth "
                    f"{self.policy.max_depth} (self-issued certificates count, RFC 5280 6.1)"
                )
                check = Check.failed("depth", _CHAIN, msg, subject=self.facts(leaf).subject, length=len(deeper))
                return Report.from_checks([check]), deeper
        if best is not None:
            return best[1], best[2]
        partial = builder.longest or (leaf,)
        tip = partial[-1]
        msg = (
            f"no path to a trust anchor within {self.policy.max_depth} certificates "
            f"(stopped at issuer {tip.issuer.rfc4514_string()!r})"
        )
        check = Check.failed(
            "path_building",
            SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
            msg,
            subject=self.facts(leaf).subject,
            candidates_expanded=builder.expanded,
        )
        return Report.from_checks([check]), partial


# --------------------------------------------------------------------------- entry point


def validate_chain(
    leaf: x509.Certificate | bytes | str,
    *,
    intermediates: CertificateLike = (),
    trust_anchors: CertificateLike,
    at: dt.datetime | None = None,
    policy: ChainPolicy | None = None,
    crls: CrlLike = (),
    ocsp_responses: OcspLike = (),
    cache: ChainCache[ChainReport] | None = DEFAULT_CACHE,
) -> ChainReport:
    """Validate ``leaf`` to one of ``trust_anchors`` at ``at`` (default now, UTC) under ``policy``
    (default :meth:`ChainPolicy.document_signing`), checking ``crls`` (DER/PEM/objects)
    and ``ocsp_responses`` (DER or ``x509.ocsp.OCSPResponse``; see :mod:`cryptokit.chain.ocsp`).

    Certificates may be ``x509.Certificate`` objects or bytes/str in any form
    :func:`cryptokit.certificates.load_certificates` reads (PEM, DER, base64, PKCS#7 bundles);
    ``intermediates`` may be unordered, duplicated, include the root or unrelated certificates.
    Returns a :class:`ChainReport` for every validation outcome; raises :class:`InputError` only for
    malformed arguments (naive ``at``, unparsable certificates or CRLs, no anchors, over the bounds).
    ``cache``: a :class:`ChainCache` (default: the process-wide ``DEFAULT_CACHE``) or None.
    """
    when = _aware(at)
    if policy is None:
        policy = _DEFAULT_POLICY
    elif not isinstance(policy, ChainPolicy):
        raise InputError("policy", "must be a ChainPolicy")
    inter_items = [_key_item(i) for i in _as_items(intermediates, "intermediates")]
    anchor_items = [_key_item(i) for i in _as_items(trust_anchors, "trust_anchors")]
    crl_items = [_key_item(i) for i in _as_items(crls, "crls")]
    ocsp_items = [_key_item(i) for i in _ocsp_items(ocsp_responses)]
    if not anchor_items:
        raise InputError("trust_anchors", "must hold at least one certificate")
    if len(inter_items) > MAX_INTERMEDIATES:
        raise InputError("intermediates", f"more than {MAX_INTERMEDIATES} items")
    if len(anchor_items) > MAX_ANCHORS:
        raise InputError("trust_anchors", f"more than {MAX_ANCHORS} items")
    leaf_item = _key_item(leaf)
    key: Hashable | None = None
    bucket = 0
    if cache is not None:
        bucket = cache.bucket(when)
        try:
            inputs = (tuple(inter_items), tuple(anchor_items), tuple(crl_items), tuple(ocsp_items))
            key = cache.key((leaf_item, *inputs, policy, bucket))
            hit = cache.get(key)
        except TypeError:  # an unhashable item: validate without the cache
            key, hit = None, None
        if hit is not None:
            return hit if hit.at == when else dataclasses.replace(hit, at=when)

    facts: dict[int, _Facts] = {}
    leaves = _load(leaf_item, "leaf", facts)
    if len(leaves) != 1:
        raise InputError("leaf", f"must hold exactly one certificate, found {len(leaves)}")
    leaf_cert, leaf_der = leaves[0]
    # every loaded object stays referenced until the call returns: ``facts`` is keyed by id()
    anchors_loaded = [p for i, item in enumerate(anchor_items) for p in _load(item, f"trust_anchors[{i}]", facts)]
    pool_loaded = [p for i, item in enumerate(inter_items) for p in _load(item, f"intermediates[{i}]", facts)]
    anchor_ders, pool_ders = _dedupe(anchors_loaded), _dedupe(pool_loaded)
    if len(pool_ders) > MAX_INTERMEDIATES:
        raise InputError("intermediates", f"more than {MAX_INTERMEDIATES} certificates")
    anchors = list(anchor_ders.values())
    # one object per certificate: paths compare certificates by identity
    leaf_cert = anchor_ders.get(leaf_der, leaf_cert)
    pool = [c for der, c in pool_ders.items() if der not in anchor_ders and der != leaf_der]
    crl_objs = load_crls(crl_items) if crl_items else []
    ocsp_memo = OcspMemo(load_ocsp_responses(ocsp_items)) if ocsp_items else None

    # certificate and CRL times have whole seconds (4.1.2.5): compare at second granularity, so that
    # 5 ms after notAfter is still inside the second notAfter names
    second = when.replace(microsecond=0) if when.microsecond else when
    run = _Run(anchors, pool, CrlMemo(crl_objs), policy, second, ocsp=ocsp_memo, facts=facts)
    report, path = run.evaluate_best(leaf_cert)
    result = ChainReport(report, path, when)
    if cache is not None and key is not None:
        bounds = _boundaries(leaf_cert, pool, anchors, crl_objs, policy)
        if ocsp_memo is not None:
            bounds += ocsp_boundaries(ocsp_memo)
        cache.put(key, bucket, bounds, result)
    return result


def _ocsp_items(value: Any) -> list[Any]:
    if type(value) is tuple and not value:  # the default: none
        return []
    if isinstance(value, (bytes, bytearray, memoryview, ocsp.OCSPResponse)):
        return [value]
    if isinstance(value, str) or not hasattr(value, "__iter__"):
        raise InputError("ocsp_responses", f"must be DER bytes or OCSPResponse objects, not {type(value).__name__}")
    items = list(itertools.islice(value, MAX_OCSP_RESPONSES + 1))
    if len(items) > MAX_OCSP_RESPONSES:
        raise InputError("ocsp_responses", f"more than {MAX_OCSP_RESPONSES} responses")
    return items


def _dedupe(loaded: Iterable[tuple[x509.Certificate, bytes]]) -> dict[bytes, x509.Certificate]:
    """The first certificate of each DER, in input order."""
    out: dict[bytes, x509.Certificate] = {}
    for cert, der in loaded:
        out.setdefault(der, cert)
    return out


def _boundaries(
    leaf: x509.Certificate,
    pool: Sequence[x509.Certificate],
    anchors: Sequence[x509.Certificate],
    crls: Sequence[x509.CertificateRevocationList],
    policy: ChainPolicy,
) -> list[dt.datetime]:
    out = list(policy.time_boundaries())
    for c in (leaf, *pool, *anchors):
        out.append(c.not_valid_before_utc)
        out.append(c.not_valid_after_utc)
    for crl in crls:
        out.append(crl.last_update_utc)
        if crl.next_update_utc is not None:
            out.append(crl.next_update_utc)
        out.extend(entry.revocation_date_utc for entry in crl)
    # validity is inclusive of notAfter: the verdict also changes one second after it
    return out + [b + dt.timedelta(seconds=1) for b in out]


_DEFAULT_POLICY = ChainPolicy.document_signing()
