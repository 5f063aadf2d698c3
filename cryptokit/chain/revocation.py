"""Revocation from caller-supplied CRLs (RFC 5280 sections 5 and 6.3.3): complete, indirect and delta CRLs.

The certificate's distribution points are read from its cRLDistributionPoints (at most
:data:`MAX_DISTRIBUTION_POINTS`, :data:`MAX_DP_NAMES` names each); without that extension it has
one implicit point: no name, all reasons, CRLs from its issuer. For each point, a complete CRL (no
deltaCRLIndicator) is *used* only when all of these hold:

- its issuer name matches the point's CRL issuer (section 7.1): the point's cRLIssuer, else the
  certificate's issuer; a CRL from another issuer than the certificate's must be an indirect CRL
  (issuingDistributionPoint indirectCRL), and its entries count for the certificate only under
  the certificate's issuer (the certificateIssuer entry extension, carried over to the following
  entries, 5.3.3);
- its scope covers the certificate (5.2.5, 6.3.3 (b)): onlyContainsUserCerts refuses a CA
  certificate, onlyContainsCACerts an end-entity one, onlyContainsAttributeCerts every
  certificate, and an issuingDistributionPoint distributionPoint name must match one of the
  point's names (its distributionPoint, or its cRLIssuer when it has none); for a certificate
  without cRLDistributionPoints it must name the certificate's issuer;
- it carries a non-critical cRLNumber (5.2.3), no unknown critical extension (CRL or entry), and
  no certificateIssuer entry unless it is an indirect CRL (5.3.3);
- its signature verifies with the issuer's key, and the issuer's keyUsage (when present) has
  cRLSign; or it verifies with another certificate of the CRL issuer's name that has cRLSign and is
  itself validated to the same anchor ("separate CRL signing key", an indirect CRL's issuer, 6.3.3 (f));
- its signature algorithm is allowed by the policy at the validation time;
- it is current: thisUpdate <= at <= nextUpdate.

A used CRL covers the reasons of the point, intersected with its onlySomeReasons; the certificate
is not revoked only when the used CRLs together cover every reason (6.3.3 (d), (l)). Every CRL in
scope is consulted, also after every reason is covered: a listing in any of them wins, whatever
order the CRLs come in. With each complete CRL, the newest delta CRL that applies to it is used
(5.2.4, 6.3.3 (c), (h), (i)): same issuer and issuingDistributionPoint, BaseCRLNumber <= the
complete CRL's cRLNumber < its own, current, an allowed algorithm, signed by the key that signed
the complete CRL; its entries come first (removeFromCRL lifts the complete CRL's hold). A delta CRL
without a complete CRL it applies to decides nothing.

Outcome: serial listed with a revocation date at or before ``at`` -> REVOKED (date and reason in
the check; certificateHold -> TRY_LATER, as suspended); not listed and every reason covered ->
passed; some reasons not covered, or no usable CRL -> TRY_LATER when the policy requires
revocation, skipped otherwise. Every outcome names the CRLs that decided, or each CRL that was
refused and why.

Cost (:class:`CrlMemo`, one per ``validate_chain`` call, shared with the sub-validations of
alternate CRL signers): each CRL's extensions are read once, its signature is verified at most once
per candidate signer, and its entries are walked once into a (certificate issuer, serial) index; a
lookup is then one dictionary access. Not done: OCSP (see :mod:`.ocsp`), fetching, CRLs of
attribute certificates.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeAlias

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import CRLEntryExtensionOID, ExtensionOID

from .._dsa import public_key as load_public_key
from ..errors import InputError, plain_parse_error
from ..report import Check, SubIndication
from .name_constraints import name_key, names_match
from .sigs import pss_key_misuse, verify_signed

__all__ = [
    "ALL_REASONS",
    "CrlLike",
    "CrlMemo",
    "MAX_CRLS",
    "MAX_CRL_SIZE",
    "MAX_DISTRIBUTION_POINTS",
    "MAX_DP_NAMES",
    "Points",
    "check_revocation",
    "distribution_points",
    "load_crls",
    "uri_points",
]

MAX_CRLS = 256
MAX_CRL_SIZE = 32 * 1024 * 1024

_KNOWN_CRL_EXTENSIONS = frozenset(
    {
        ExtensionOID.AUTHORITY_KEY_IDENTIFIER,
        ExtensionOID.CRL_NUMBER,
        ExtensionOID.ISSUING_DISTRIBUTION_POINT,
        ExtensionOID.FRESHEST_CRL,
        ExtensionOID.AUTHORITY_INFORMATION_ACCESS,
        ExtensionOID.ISSUER_ALTERNATIVE_NAME,
    }
)
_KNOWN_ENTRY_EXTENSIONS = frozenset(
    {CRLEntryExtensionOID.CRL_REASON, CRLEntryExtensionOID.INVALIDITY_DATE, CRLEntryExtensionOID.CERTIFICATE_ISSUER}
)

CrlInput = bytes | bytearray | memoryview | str | x509.CertificateRevocationList
#: What every ``crls=`` argument takes: one CRL (object, DER, PEM or base64) or a sequence of them.
CrlLike: TypeAlias = CrlInput | Iterable[CrlInput]


def load_crls(crls: Iterable[CrlInput]) -> tuple[x509.CertificateRevocationList, ...]:
    """Parse CRLs given as DER, PEM (one or more blocks) or cryptography objects. InputError if malformed."""
    from ..encoding import pem_decode_all

    if isinstance(crls, (bytes, bytearray, memoryview, str, x509.CertificateRevocationList)):
        crls = [crls]
    if not hasattr(crls, "__iter__"):
        raise InputError("crls", f"must be CRLs (DER, PEM or objects), not {type(crls).__name__}")
    out: list[x509.CertificateRevocationList] = []
    for i, item in enumerate(crls):
        field = f"crls[{i}]"
        if isinstance(item, x509.CertificateRevocationList):
            out.append(item)
            continue
        if isinstance(item, str):
            item = item.encode("ascii", "replace")
        if not isinstance(item, (bytes, bytearray, memoryview)):
            raise InputError(field, "must be DER or PEM bytes or an x509.CertificateRevocationList")
        data = bytes(item)
        if len(data) > MAX_CRL_SIZE:
            raise InputError(field, f"is over the limit of {MAX_CRL_SIZE} bytes")
        try:
            if data.lstrip().startswith(b"-----BEGIN"):
                blocks = pem_decode_all(data)
                ders = [b.der for b in blocks if b.label == "X509 CRL"]
                if not ders:
                    raise InputError(field, "holds no 'X509 CRL' PEM block")
                out.extend(x509.load_der_x509_crl(d) for d in ders)
            else:
                out.append(x509.load_der_x509_crl(data))
        except InputError:
            raise
        except (ValueError, TypeError) as exc:
            raise InputError(field, f"is not a well-formed CRL ({plain_parse_error(exc)})") from None
        if len(out) > MAX_CRLS:
            raise InputError("crls", f"more than {MAX_CRLS} CRLs")
    return tuple(out)


# --------------------------------------------------------------------------- per-CRL facts, once per call

#: RFC 5280 5.2.5/4.2.1.13 "all reasons": the ReasonFlags a distribution point or onlySomeReasons can name
ALL_REASONS = frozenset(
    {
        x509.ReasonFlags.key_compromise,
        x509.ReasonFlags.ca_compromise,
        x509.ReasonFlags.affiliation_changed,
        x509.ReasonFlags.superseded,
        x509.ReasonFlags.cessation_of_operation,
        x509.ReasonFlags.certificate_hold,
        x509.ReasonFlags.privilege_withdrawn,
        x509.ReasonFlags.aa_compromise,
    }
)


@dataclass(frozen=True, slots=True)
class _Entry:
    date: dt.datetime
    reason: str


@dataclass(slots=True)
class _CrlFacts:
    crl: x509.CertificateRevocationList
    label: str
    #: why the CRL is unusable for any certificate (None: usable as far as the CRL alone goes)
    problem: str | None
    idp: x509.IssuingDistributionPoint | None
    #: the distribution point names of the issuingDistributionPoint (None: no name, whole issuer)
    idp_names: tuple[x509.GeneralName, ...] | None
    #: cRLNumber (None when absent)
    number: int | None = None
    #: a delta CRL's BaseCRLNumber (deltaCRLIndicator); None for a complete CRL
    delta_base: int | None = None


def _label(crl: x509.CertificateRevocationList, number: int | None, delta: bool = False) -> str:
    try:
        issuer = crl.issuer.rfc4514_string()
    except ValueError:
        issuer = "<unparsable issuer>"
    num = "" if number is None else f" #{number}"
    kind = "delta CRL" if delta else "CRL"
    return f"{kind}{num} of {issuer!r} (thisUpdate {crl.last_update_utc.isoformat()})"


def _crl_facts(crl: x509.CertificateRevocationList) -> _CrlFacts:
    idp: x509.IssuingDistributionPoint | None = None
    number: int | None = None
    problem: str | None = None
    delta_base: int | None = None
    try:
        extensions = crl.extensions
    except ValueError as exc:
        return _CrlFacts(crl, _label(crl, None), f"CRL extensions unparsable ({exc})", None, None)
    number_ext = None
    for ext in extensions:
        if isinstance(ext.value, x509.DeltaCRLIndicator):
            delta_base = ext.value.crl_number
        elif ext.oid == ExtensionOID.CRL_NUMBER:
            number_ext = ext
        elif isinstance(ext.value, x509.IssuingDistributionPoint):
            idp = ext.value
        elif ext.critical and ext.oid not in _KNOWN_CRL_EXTENSIONS:
            problem = problem or f"CRL has an unknown critical extension {ext.oid.dotted_string}"
    if number_ext is not None and isinstance(number_ext.value, x509.CRLNumber):
        number = number_ext.value.crl_number
    label = _label(crl, number, delta_base is not None)
    if problem is None:
        if number_ext is None:
            problem = "CRL has no cRLNumber (RFC 5280 5.2.3: a conforming CRL issuer must include it)"
        elif number_ext.critical:
            problem = "CRL's cRLNumber is marked critical (RFC 5280 5.2.3: it must be non-critical)"
    names: tuple[x509.GeneralName, ...] | None = None
    if idp is not None and problem is None:
        if idp.only_contains_attribute_certs:
            problem = "CRL covers attribute certificates only"
        if idp.full_name is not None:
            names = tuple(idp.full_name[:MAX_DP_NAMES])
        elif idp.relative_name is not None:
            names = (x509.DirectoryName(x509.Name([*crl.issuer.rdns, idp.relative_name])),)
    return _CrlFacts(crl, label, problem, idp, names, number, delta_base)


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _allows_crl_sign(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.KeyUsage).value.crl_sign)
    except x509.ExtensionNotFound:
        return True


def _general_names_meet(a: Sequence[x509.GeneralName], b: Sequence[x509.GeneralName]) -> bool:
    for x in a:
        for y in b:
            if isinstance(x, x509.DirectoryName) and isinstance(y, x509.DirectoryName):
                if names_match(x.value, y.value):
                    return True
            elif x == y:
                return True
    return False


@dataclass(frozen=True, slots=True)
class _Dp:
    """One distribution point of a certificate (RFC 5280 4.2.1.13), or the implicit one of a
    certificate without cRLDistributionPoints (no name, all reasons, CRLs from its issuer)."""

    #: its distributionPoint names (None: no name); a nameRelativeToCRLIssuer is made absolute
    names: tuple[x509.GeneralName, ...] | None
    #: the reasons it covers
    reasons: frozenset[x509.ReasonFlags]
    #: the names of the CRLs' issuer: its cRLIssuer's directoryNames, else the certificate's issuer
    crl_issuers: tuple[x509.Name, ...]
    #: True when the CRL issuer is named by cRLIssuer (the CRL must then be an indirect CRL)
    via_crl_issuer: bool
    #: the certificate has no cRLDistributionPoints
    implicit: bool = False


#: distribution points read per certificate (more: the rest are ignored, each one costs CRL lookups)
MAX_DISTRIBUTION_POINTS = 16
#: names read per distribution point (its distributionPoint names and its cRLIssuer names) and per
#: issuingDistributionPoint (more: the rest are ignored, which can leave a CRL out of scope, never in)
MAX_DP_NAMES = 32


#: a certificate's distribution points, or why they cannot be read (:func:`distribution_points`)
Points: TypeAlias = tuple[_Dp, ...] | str


def distribution_points(cert: x509.Certificate) -> Points:
    """The certificate's distribution points, or why they cannot be read: the result depends on the
    certificate's bytes only, so a caller may keep it per DER and give it to :func:`check_revocation`."""
    try:
        ext = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    except x509.ExtensionNotFound:
        return (_Dp(None, ALL_REASONS, (cert.issuer,), False, implicit=True),)
    except ValueError as exc:
        return f"certificate extensions unparsable ({exc})"
    out = []
    for dp in list(ext)[:MAX_DISTRIBUTION_POINTS]:
        directory = [n.value for n in (dp.crl_issuer or ())[:MAX_DP_NAMES] if isinstance(n, x509.DirectoryName)]
        by_key = {name_key(n): n for n in directory}  # each CRL issuer once
        issuers = tuple(by_key.values())
        base = issuers[0] if issuers else cert.issuer
        names: tuple[x509.GeneralName, ...] | None = None
        if dp.full_name is not None:
            names = tuple(dp.full_name[:MAX_DP_NAMES])
        elif dp.relative_name is not None:
            names = (x509.DirectoryName(x509.Name([*base.rdns, dp.relative_name])),)
        reasons = frozenset(dp.reasons) & ALL_REASONS if dp.reasons else ALL_REASONS
        if dp.crl_issuer and not issuers:  # a cRLIssuer without a directoryName names no CRL we can match
            continue
        out.append(_Dp(names, reasons, issuers or (cert.issuer,), bool(issuers)))
    return tuple(out)


def uri_points(points: tuple[tuple[str, ...], ...], issuer: x509.Name) -> Points:
    """What :func:`distribution_points` gives for a cRLDistributionPoints whose points each hold a
    fullName of the URIs ``points`` only (no reasons, no cRLIssuer), of a certificate issued by
    ``issuer``: the fast path's reading (chain/der.py) of its common form."""
    return tuple(
        _Dp(tuple(x509.UniformResourceIdentifier(u) for u in uris), ALL_REASONS, (issuer,), False)
        for uris in points[:MAX_DISTRIBUTION_POINTS]
    )


_distribution_points = lru_cache(maxsize=4096)(distribution_points)  # memoised per certificate object


def _scope_problem(facts: _CrlFacts, cert: x509.Certificate, dp: _Dp) -> str | None:
    """Why ``facts``' CRL does not cover ``cert`` through ``dp`` (RFC 5280 5.2.5, 6.3.3 (b)); None when it does."""
    idp = facts.idp
    indirect = idp is not None and idp.indirect_crl
    if dp.via_crl_issuer and not names_match(facts.crl.issuer, cert.issuer) and not indirect:
        return "CRL is issued by the certificate's cRLIssuer but is not an indirect CRL (issuingDistributionPoint)"
    if idp is None:
        return None
    if idp.only_contains_user_certs and _is_ca(cert):
        return "CRL covers end-entity certificates only (onlyContainsUserCerts) and this is a CA certificate"
    if idp.only_contains_ca_certs and not _is_ca(cert):
        return "CRL covers CA certificates only (onlyContainsCACerts) and this is an end-entity certificate"
    if facts.idp_names is None:
        return None
    if dp.implicit:  # 6.3.3 (b)(2)(i): without cRLDistributionPoints, an IDP name must be the issuer's name
        if _general_names_meet(facts.idp_names, [x509.DirectoryName(cert.issuer)]):
            return None
        return (
            "CRL is for a distribution point and the certificate names none (no cRLDistributionPoints, and the "
            "issuingDistributionPoint does not name the certificate's issuer)"
        )
    names = dp.names if dp.names is not None else tuple(x509.DirectoryName(n) for n in dp.crl_issuers)
    if _general_names_meet(facts.idp_names, names):
        return None
    return "CRL's issuingDistributionPoint names none of the certificate's cRLDistributionPoints"


def _signed_by(crl: x509.CertificateRevocationList, cert: x509.Certificate) -> bool:
    """True when ``cert``'s key verifies ``crl`` (one CRL signature check)."""
    if pss_key_misuse(crl, cert) is not None:
        return False
    try:
        key = load_public_key(cert)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return False
    return verify_signed(crl, key) is None


#: entry index of one CRL: (the entry's certificate issuer as a name key, serial) -> entry
_Index: TypeAlias = dict[tuple[Any, int], _Entry]


def _walk_entries(crl: x509.CertificateRevocationList, indirect: bool) -> tuple[_Index, str | None]:
    """One walk over ``crl``'s entries: the index by (certificate issuer, serial number), or the reason
    the CRL is unusable (an unknown critical entry extension, RFC 5280 5.3, an unparsable entry, or
    a certificateIssuer entry in a CRL that is not ``indirect``, 5.3.3). The certificate issuer of an
    entry is its certificateIssuer extension, else the preceding entry's, else the CRL's issuer."""
    index: _Index = {}
    current: Any = None  # the CRL issuer's name key, computed at the first entry
    try:
        with warnings.catch_warnings():  # a non-positive serial in an entry is listed, not warned about
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            for entry in crl:
                reason = "unspecified"
                for ext in entry.extensions:
                    if ext.critical and ext.oid not in _KNOWN_ENTRY_EXTENSIONS:
                        return {}, f"CRL entry has an unknown critical extension {ext.oid.dotted_string}"
                    if isinstance(ext.value, x509.CRLReason):
                        reason = ext.value.reason.name
                    elif isinstance(ext.value, x509.CertificateIssuer):
                        if not indirect:
                            return {}, (
                                "CRL entry has a certificateIssuer extension, and the CRL is not indirect "
                                "(RFC 5280 5.3.3: only an indirect CRL lists other issuers' certificates)"
                            )
                        dirs = [n.value for n in ext.value if isinstance(n, x509.DirectoryName)]
                        # an issuer named otherwise than by a directoryName matches no certificate here
                        current = name_key(dirs[0]) if dirs else ("no directoryName", entry.serial_number)
                if current is None:
                    current = name_key(crl.issuer)
                key = (current, entry.serial_number)
                if key not in index:
                    index[key] = _Entry(entry.revocation_date_utc, reason)
    except ValueError as exc:
        return {}, f"CRL entries unparsable ({exc})"
    return index, None


class CrlMemo:
    """The CRLs of one ``validate_chain`` call, with everything derived from them memoised: facts per
    CRL, signature results per (CRL, signer), the entry index per CRL, and the alternate-signer
    verdicts of the sub-validations. Shared by the call's sub-validations."""

    __slots__ = ("_by_issuer", "_deltas", "_index", "_sigs", "alternate_signers", "crls", "delta_choice")

    def __init__(self, crls: Sequence[x509.CertificateRevocationList]) -> None:
        self.crls = tuple(crls)
        self._by_issuer: dict[Any, list[_CrlFacts]] = {}
        self._deltas: dict[Any, list[_CrlFacts]] = {}
        for crl in self.crls:
            facts = _crl_facts(crl)
            table = self._by_issuer if facts.delta_base is None else self._deltas
            table.setdefault(name_key(crl.issuer), []).append(facts)
        self._sigs: dict[tuple[int, int], bool] = {}
        self._index: dict[int, tuple[_Index, str | None]] = {}
        #: (candidate signer, anchor) -> validated (filled by the chain validator)
        self.alternate_signers: dict[tuple[int, int], bool] = {}
        #: (complete CRL, its signer) -> the delta CRL chosen for it and the refused ones, why
        #: (one validation time and one algorithm policy per call, so the choice holds for the call)
        self.delta_choice: dict[tuple[int, int], tuple[tuple[_CrlFacts, _Index] | None, tuple[str, ...]]] = {}

    def for_issuer(self, issuer: x509.Name) -> list[_CrlFacts]:
        """The complete CRLs of ``issuer``."""
        return self._by_issuer.get(name_key(issuer), [])

    @property
    def has_deltas(self) -> bool:
        return bool(self._deltas)

    def deltas_for(self, issuer: x509.Name) -> list[_CrlFacts]:
        """The delta CRLs of ``issuer``."""
        return self._deltas.get(name_key(issuer), [])

    def signed_by(self, crl: x509.CertificateRevocationList, cert: x509.Certificate) -> bool:
        key = (id(crl), id(cert))
        found = self._sigs.get(key)
        if found is None:
            found = self._sigs[key] = _signed_by(crl, cert)
        return found

    def entries(self, facts: _CrlFacts) -> tuple[_Index, str | None]:
        found = self._index.get(id(facts.crl))
        if found is None:
            indirect = facts.idp is not None and facts.idp.indirect_crl
            found = self._index[id(facts.crl)] = _walk_entries(facts.crl, indirect)
        return found


@lru_cache(maxsize=4096)
def _skipped(message: str, subject: str) -> Check:
    return Check.skipped("revocation", message, subject=subject)


_Signers = Callable[[x509.CertificateRevocationList], Iterable[x509.Certificate]] | None
_AlgorithmProblem = Callable[[x509.CertificateRevocationList], str | None] | None


def _reasons_text(reasons: Iterable[x509.ReasonFlags]) -> str:
    return ", ".join(sorted(r.name for r in reasons))


def check_revocation(
    cert: x509.Certificate,
    issuer: x509.Certificate,
    crls: CrlMemo | Sequence[x509.CertificateRevocationList],
    at: dt.datetime,
    *,
    required: bool,
    subject: str,
    alternate_signers: _Signers = None,
    algorithm_problem: _AlgorithmProblem = None,
    points: Points | None = None,
) -> Check:
    """One ``revocation`` check for ``cert`` (issued by ``issuer``) from ``crls`` at ``at`` (RFC 5280 6.3.3).

    For each distribution point of ``cert`` (or the implicit one: its issuer's CRLs, all reasons), every
    complete CRL of the point's CRL issuer that covers it is used, each with the newest usable delta
    CRL based on it: a listing in any of them revokes; not listed passes only when together they
    cover every reason (onlySomeReasons and the points' reasons). ``alternate_signers`` yields
    further certificates, already validated, that may have signed a CRL with a separate key (or an
    indirect CRL's issuer).
    ``algorithm_problem`` says why a CRL's signature algorithm is refused by the policy (None when
    allowed); a refused CRL is not usable. ``points``: :func:`distribution_points` of ``cert`` when the
    caller kept them.
    """
    memo = crls if isinstance(crls, CrlMemo) else CrlMemo(crls)
    dps = _distribution_points(cert) if points is None else points
    if isinstance(dps, str):
        return Check.failed("revocation", SubIndication.TRY_LATER, dps, subject=subject)
    problems: list[str] = []
    covered: set[x509.ReasonFlags] = set()
    used: list[str] = []
    searched: list[x509.Name] = []
    if not memo.crls:  # nothing to look up (the cold path's common case): only a cRLIssuer can change the message
        searched = [n for dp in dps if dp.via_crl_issuer for n in dp.crl_issuers]
        dps = ()
    else:
        with warnings.catch_warnings():  # a non-positive serial is reported by the chain checks, not warned about
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            serial = cert.serial_number
        wanted = (name_key(cert.issuer), serial)
    for dp in dps:
        for crl_issuer in dp.crl_issuers:
            searched.append(crl_issuer)
            for facts in memo.for_issuer(crl_issuer):
                # every CRL in scope is consulted, even when the reasons are already covered (6.3.3 (e)
                # would stop): a listing in any of them wins, whatever order the CRLs were given in
                interim = dp.reasons
                if facts.idp is not None and facts.idp.only_some_reasons:
                    interim = interim & frozenset(facts.idp.only_some_reasons)
                why, signer = _usable(facts, cert, issuer, dp, memo, at, alternate_signers, algorithm_problem)
                index: _Index = {}
                if why is None:
                    index, why = memo.entries(facts)
                if why is not None:
                    problems.append(f"{facts.label}: {why}")
                    continue
                delta, delta_index = _delta(facts, signer, memo, at, algorithm_problem, problems)
                label = facts.label if delta is None else f"{facts.label} with {delta.label}"
                found = _lookup(wanted, delta_index, index, at)
                if found is not None:
                    return _revoked(found, label, subject)
                covered |= interim
                if label not in used:
                    used.append(label)
    if covered >= ALL_REASONS:
        text = "; ".join(used)
        return Check.passed("revocation", f"not revoked per {text}", subject=subject, crl=text)
    if used:
        why = (
            f"reasons {_reasons_text(ALL_REASONS - covered)} not covered by any usable CRL "
            f"(used: {'; '.join(used)})" + (f"; {'; '.join(problems)}" if problems else "")
        )
    elif problems:
        why = "; ".join(problems)
    elif all(names_match(n, cert.issuer) for n in searched):
        why = "no CRL from this issuer was given"
    else:
        named = ", ".join(repr(_name_text(n)) for n in searched)
        why = f"no CRL from the certificate's CRL issuer {named} was given"
    deltas = [d.label for n in searched for d in memo.deltas_for(n)] if memo.has_deltas else []
    if deltas and not used:
        why += f"; {', '.join(deltas)}: a delta CRL, and no usable complete CRL it applies to"
    if required:
        return Check.failed(
            "revocation", SubIndication.TRY_LATER, f"no usable CRL: {why}", subject=subject, crls=tuple(problems)
        )
    return _skipped(f"not checked: {why}", subject)


def _name_text(name: x509.Name) -> str:
    try:
        return name.rfc4514_string()
    except ValueError:
        return "<unparsable name>"


def _lookup(wanted: tuple[Any, int], delta: _Index | None, complete: _Index, at: dt.datetime) -> _Entry | None:
    """The entry that revokes (or holds) the certificate at ``at``: the delta CRL's first (its
    removeFromCRL lifts a hold of the complete CRL, RFC 5280 6.3.3 (i)), else the complete CRL's."""
    if delta is not None:
        entry = delta.get(wanted)
        if entry is not None and entry.date <= at:
            return None if entry.reason == "remove_from_crl" else entry
    entry = complete.get(wanted)
    if entry is None or entry.date > at or entry.reason == "remove_from_crl":
        return None
    return entry


def _revoked(entry: _Entry, label: str, subject: str) -> Check:
    when, reason = entry.date, entry.reason
    if reason == "certificate_hold":  # a hold may be lifted: try later
        sub, what = SubIndication.TRY_LATER, f"certificate is on hold since {when.isoformat()}"
    else:
        sub, what = SubIndication.REVOKED, f"revoked on {when.isoformat()} (reason: {reason})"
    return Check.failed(
        "revocation",
        sub,
        f"{what} per {label}",
        subject=subject,
        revocation_date=when,
        reason=reason,
        crl=label,
    )


def _delta(
    base: _CrlFacts,
    signer: x509.Certificate | None,
    memo: CrlMemo,
    at: dt.datetime,
    algorithm_problem: _AlgorithmProblem,
    problems: list[str],
) -> tuple[_CrlFacts | None, _Index | None]:
    """The newest delta CRL that applies to the complete CRL ``base`` (RFC 5280 5.2.4, 6.3.3 (c)):
    same issuer and scope (issuingDistributionPoint), BaseCRLNumber <= the base's cRLNumber < its
    own cRLNumber, current at ``at``, an allowed algorithm, signed by the key that signed the base.
    A delta CRL that does not qualify is listed in ``problems`` and not used."""
    if not memo.has_deltas:
        return None, None
    key = (id(base.crl), id(signer))
    found = memo.delta_choice.get(key)
    if found is None:
        best: tuple[_CrlFacts, _Index] | None = None
        refused: list[str] = []
        for d in memo.deltas_for(base.crl.issuer):
            why = _delta_problem(d, base, signer, memo, at, algorithm_problem)
            index: _Index = {}
            if why is None:
                index, why = memo.entries(d)
            if why is not None:
                refused.append(f"{d.label}: {why}")
            elif best is None or (d.number or 0) > (best[0].number or 0):
                best = (d, index)
        found = memo.delta_choice[key] = (best, tuple(refused))
    problems.extend(found[1])
    return (None, None) if found[0] is None else found[0]


def _delta_problem(
    d: _CrlFacts,
    base: _CrlFacts,
    signer: x509.Certificate | None,
    memo: CrlMemo,
    at: dt.datetime,
    algorithm_problem: _AlgorithmProblem,
) -> str | None:
    if d.problem is not None:
        return d.problem
    if base.number is None or d.delta_base is None or d.number is None:
        return "not applicable: a cRLNumber is missing"
    if not d.delta_base <= base.number < d.number:
        return f"its base CRL #{d.delta_base} does not fit the complete CRL #{base.number}"
    if d.idp != base.idp:
        return "its issuingDistributionPoint differs from the complete CRL's"
    if d.crl.last_update_utc > at:
        return f"thisUpdate {d.crl.last_update_utc.isoformat()} is after the validation time"
    nxt = d.crl.next_update_utc
    if nxt is not None and nxt < at:
        return f"stale (nextUpdate {nxt.isoformat()})"
    refused = algorithm_problem(d.crl) if algorithm_problem is not None else None
    if refused is not None:
        return f"signature algorithm refused: {refused}"
    if signer is None or not memo.signed_by(d.crl, signer):
        return "signature does not verify with the key that signed the complete CRL"
    return None


def _usable(
    facts: _CrlFacts,
    cert: x509.Certificate,
    issuer: x509.Certificate,
    dp: _Dp,
    memo: CrlMemo,
    at: dt.datetime,
    alternate_signers: _Signers,
    algorithm_problem: _AlgorithmProblem,
) -> tuple[str | None, x509.Certificate | None]:
    """(None, the signer) when ``facts``' CRL can decide ``cert``'s status at ``at`` through ``dp``,
    else (why not, None)."""
    crl = facts.crl
    if facts.problem is not None:
        return facts.problem, None
    scope = _scope_problem(facts, cert, dp)
    if scope is not None:
        return scope, None
    if crl.last_update_utc > at:
        return f"thisUpdate {crl.last_update_utc.isoformat()} is after the validation time", None
    nxt = crl.next_update_utc
    if nxt is not None and nxt < at:
        return f"stale (nextUpdate {nxt.isoformat()})", None
    refused = algorithm_problem(crl) if algorithm_problem is not None else None
    if refused is not None:
        return f"signature algorithm refused: {refused}", None
    # the CRL's issuer was found by the point's CRL issuer name: without a cRLIssuer, the certificate's issuer
    if (not dp.via_crl_issuer or names_match(crl.issuer, issuer.subject)) and memo.signed_by(crl, issuer):
        if not _allows_crl_sign(issuer):
            return "signed by the issuer, whose keyUsage lacks cRLSign", None
        return None, issuer
    if alternate_signers is not None:
        for c in alternate_signers(crl):
            if memo.signed_by(crl, c):
                return None, c
    return "signature does not verify with the issuer's key (nor with a validated CRL signer of its name)", None
