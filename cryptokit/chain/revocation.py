"""Revocation from caller-supplied CRLs (RFC 5280 sections 5 and 6.3, complete CRLs only).

A CRL is *used* for a certificate (issued by ``issuer`` in the path) only when all of these hold:

- its issuer name matches the certificate's issuer (section 7.1);
- it is a complete, direct CRL: a delta CRL (deltaCRLIndicator) or an indirect one
  (issuingDistributionPoint indirectCRL) is recognised and refused with the reason; so is one that
  covers only some reasons or attribute certificates only;
- its scope covers the certificate (5.2.5, 6.3.3 (b)): onlyContainsUserCerts refuses a CA
  certificate, onlyContainsCACerts an end-entity one, and an issuingDistributionPoint
  distributionPoint must match one of the names in the certificate's cRLDistributionPoints (a
  distribution point's name, or its cRLIssuer when it has none); a certificate without that
  extension is covered only by a CRL without a distributionPoint name;
- it carries a non-critical cRLNumber (5.2.3) and no unknown critical extension (CRL or entry);
- its signature verifies with the issuer's key, and the issuer's keyUsage (when present) has
  cRLSign; or it verifies with another certificate of the issuer's name that has cRLSign and is
  itself validated to the same anchor ("separate CRL signing key", 6.3.3 (f));
- its signature algorithm is allowed by the policy at the validation time;
- it is current: thisUpdate <= at <= nextUpdate.

Outcome: serial listed with a revocation date at or before ``at`` -> REVOKED (date and reason in
the check; certificateHold -> TRY_LATER, as suspended); usable and not listed -> passed; none usable
-> TRY_LATER when the policy requires revocation, skipped otherwise. Every outcome names the CRL
that decided, or each CRL that was refused and why.

Cost (:class:`CrlMemo`, one per ``validate_chain`` call, shared with the sub-validations of
alternate CRL signers): each CRL's extensions are read once, its signature is verified at most once
per candidate signer, and its entries are walked once into a serial-number index; a lookup is then
one dictionary access. Not done: OCSP, delta CRLs, indirect CRLs, fetching.
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

from ..errors import InputError, plain_parse_error
from ..report import Check, SubIndication
from .name_constraints import name_key, names_match
from .sigs import pss_key_misuse, verify_signed

__all__ = ["CrlLike", "CrlMemo", "load_crls", "check_revocation", "MAX_CRLS", "MAX_CRL_SIZE"]

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


def _label(crl: x509.CertificateRevocationList, number: int | None) -> str:
    try:
        issuer = crl.issuer.rfc4514_string()
    except ValueError:
        issuer = "<unparsable issuer>"
    num = "" if number is None else f" #{number}"
    return f"CRL{num} of {issuer!r} (thisUpdate {crl.last_update_utc.isoformat()})"


def _crl_facts(crl: x509.CertificateRevocationList) -> _CrlFacts:
    idp: x509.IssuingDistributionPoint | None = None
    number: int | None = None
    problem: str | None = None
    try:
        extensions = crl.extensions
    except ValueError as exc:
        return _CrlFacts(crl, _label(crl, None), f"CRL extensions unparsable ({exc})", None, None)
    number_ext = None
    for ext in extensions:
        if ext.oid == ExtensionOID.DELTA_CRL_INDICATOR:
            problem = problem or "a delta CRL (deltaCRLIndicator): delta CRLs are not supported"
        elif ext.oid == ExtensionOID.CRL_NUMBER:
            number_ext = ext
        elif isinstance(ext.value, x509.IssuingDistributionPoint):
            idp = ext.value
        elif ext.critical and ext.oid not in _KNOWN_CRL_EXTENSIONS:
            problem = problem or f"CRL has an unknown critical extension {ext.oid.dotted_string}"
    if number_ext is not None and isinstance(number_ext.value, x509.CRLNumber):
        number = number_ext.value.crl_number
    label = _label(crl, number)
    if problem is None:
        if number_ext is None:
            problem = "CRL has no cRLNumber (RFC 5280 5.2.3: a conforming CRL issuer must include it)"
        elif number_ext.critical:
            problem = "CRL's cRLNumber is marked critical (RFC 5280 5.2.3: it must be non-critical)"
    names: tuple[x509.GeneralName, ...] | None = None
    if idp is not None and problem is None:
        if idp.indirect_crl:
            problem = "an indirect CRL (issuingDistributionPoint indirectCRL): indirect CRLs are not supported"
        elif idp.only_some_reasons:
            problem = "CRL covers only some reasons (onlySomeReasons)"
        elif idp.only_contains_attribute_certs:
            problem = "CRL covers attribute certificates only"
        if idp.full_name is not None:
            names = tuple(idp.full_name)
        elif idp.relative_name is not None:
            names = (x509.DirectoryName(x509.Name([*crl.issuer.rdns, idp.relative_name])),)
    return _CrlFacts(crl, label, problem, idp, names)


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


def _scope_problem(facts: _CrlFacts, cert: x509.Certificate) -> str | None:
    """Why ``facts``' CRL does not cover ``cert`` (RFC 5280 5.2.5, 6.3.3 (b)); None when it does."""
    idp = facts.idp
    if idp is None:
        return None
    if idp.only_contains_user_certs and _is_ca(cert):
        return "CRL covers end-entity certificates only (onlyContainsUserCerts) and this is a CA certificate"
    if idp.only_contains_ca_certs and not _is_ca(cert):
        return "CRL covers CA certificates only (onlyContainsCACerts) and this is an end-entity certificate"
    if facts.idp_names is None:
        return None
    try:
        dps = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    except x509.ExtensionNotFound:
        return "CRL is for a distribution point and the certificate names none (no cRLDistributionPoints)"
    for dp in dps:
        if dp.full_name is not None:
            names: Sequence[x509.GeneralName] = dp.full_name
        elif dp.relative_name is not None:
            names = [x509.DirectoryName(x509.Name([*cert.issuer.rdns, dp.relative_name]))]
        else:
            names = dp.crl_issuer or []
        if _general_names_meet(facts.idp_names, names):
            return None
    return "CRL's issuingDistributionPoint names none of the certificate's cRLDistributionPoints"


def _signed_by(crl: x509.CertificateRevocationList, cert: x509.Certificate) -> bool:
    """True when ``cert``'s key verifies ``crl`` (one CRL signature check)."""
    if pss_key_misuse(crl, cert) is not None:
        return False
    try:
        key = cert.public_key()
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return False
    return verify_signed(crl, key) is None


def _walk_entries(crl: x509.CertificateRevocationList) -> tuple[dict[int, _Entry], str | None]:
    """One walk over ``crl``'s entries: the serial-number index, or the reason the CRL is unusable
    (an unknown critical entry extension, RFC 5280 5.3, or an unparsable entry)."""
    index: dict[int, _Entry] = {}
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
                serial = entry.serial_number
                if serial not in index:
                    index[serial] = _Entry(entry.revocation_date_utc, reason)
    except ValueError as exc:
        return {}, f"CRL entries unparsable ({exc})"
    return index, None


class CrlMemo:
    """The CRLs of one ``validate_chain`` call, with everything derived from them memoised: facts per
    CRL, signature results per (CRL, signer), the entry index per CRL, and the alternate-signer
    verdicts of the sub-validations. Shared by the call's sub-validations."""

    __slots__ = ("_by_issuer", "_index", "_sigs", "alternate_signers", "crls")

    def __init__(self, crls: Sequence[x509.CertificateRevocationList]) -> None:
        self.crls = tuple(crls)
        self._by_issuer: dict[Any, list[_CrlFacts]] = {}
        for crl in self.crls:
            self._by_issuer.setdefault(name_key(crl.issuer), []).append(_crl_facts(crl))
        self._sigs: dict[tuple[int, int], bool] = {}
        self._index: dict[int, tuple[dict[int, _Entry], str | None]] = {}
        #: (candidate signer, anchor) -> validated (filled by the chain validator)
        self.alternate_signers: dict[tuple[int, int], bool] = {}

    def for_issuer(self, issuer: x509.Name) -> list[_CrlFacts]:
        return self._by_issuer.get(name_key(issuer), [])

    def signed_by(self, crl: x509.CertificateRevocationList, cert: x509.Certificate) -> bool:
        key = (id(crl), id(cert))
        found = self._sigs.get(key)
        if found is None:
            found = self._sigs[key] = _signed_by(crl, cert)
        return found

    def entries(self, crl: x509.CertificateRevocationList) -> tuple[dict[int, _Entry], str | None]:
        found = self._index.get(id(crl))
        if found is None:
            found = self._index[id(crl)] = _walk_entries(crl)
        return found


@lru_cache(maxsize=4096)
def _skipped(message: str, subject: str) -> Check:
    return Check.skipped("revocation", message, subject=subject)


def check_revocation(
    cert: x509.Certificate,
    issuer: x509.Certificate,
    crls: CrlMemo | Sequence[x509.CertificateRevocationList],
    at: dt.datetime,
    *,
    required: bool,
    subject: str,
    alternate_signers: Callable[[x509.CertificateRevocationList], Iterable[x509.Certificate]] | None = None,
    algorithm_problem: Callable[[x509.CertificateRevocationList], str | None] | None = None,
) -> Check:
    """One ``revocation`` check for ``cert`` (issued by ``issuer``) from ``crls`` at ``at``.

    ``alternate_signers`` yields further certificates, already validated, that may have signed a CRL
    for the issuer's name with a separate key. ``algorithm_problem`` says why a CRL's signature
    algorithm is refused by the policy (None when allowed); a refused CRL is not usable.
    """
    memo = crls if isinstance(crls, CrlMemo) else CrlMemo(crls)
    problems: list[str] = []
    usable: list[tuple[_CrlFacts, dict[int, _Entry]]] = []
    for facts in memo.for_issuer(cert.issuer):
        crl = facts.crl
        why = _usable_problem(facts, cert, issuer, memo, at, alternate_signers, algorithm_problem)
        if why is None:
            index, why = memo.entries(crl)
            if why is None:
                usable.append((facts, index))
                continue
        problems.append(f"{facts.label}: {why}")
    if not usable:
        why = "; ".join(problems) if problems else "no CRL from this issuer was given"
        if required:
            return Check.failed(
                "revocation", SubIndication.TRY_LATER, f"no usable CRL: {why}", subject=subject, crls=tuple(problems)
            )
        return _skipped(f"not checked: {why}", subject)
    with warnings.catch_warnings():  # a non-positive serial is reported by the chain checks, not warned about
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        serial = cert.serial_number
    for facts, index in usable:
        entry = index.get(serial)
        if entry is None or entry.date > at or entry.reason == "remove_from_crl":
            continue
        when, reason = entry.date, entry.reason
        if reason == "certificate_hold":  # a hold may be lifted: try later
            sub, what = SubIndication.TRY_LATER, f"certificate is on hold since {when.isoformat()}"
        else:
            sub, what = SubIndication.REVOKED, f"revoked on {when.isoformat()} (reason: {reason})"
        return Check.failed(
            "revocation",
            sub,
            f"{what} per {facts.label}",
            subject=subject,
            revocation_date=when,
            reason=reason,
            crl=facts.label,
        )
    newest = max(usable, key=lambda u: u[0].crl.last_update_utc)[0]
    return Check.passed("revocation", f"not revoked per {newest.label}", subject=subject, crl=newest.label)


def _usable_problem(
    facts: _CrlFacts,
    cert: x509.Certificate,
    issuer: x509.Certificate,
    memo: CrlMemo,
    at: dt.datetime,
    alternate_signers: Callable[[x509.CertificateRevocationList], Iterable[x509.Certificate]] | None,
    algorithm_problem: Callable[[x509.CertificateRevocationList], str | None] | None,
) -> str | None:
    """Why ``facts``' CRL cannot decide ``cert``'s status at ``at`` (None when it can)."""
    crl = facts.crl
    if facts.problem is not None:
        return facts.problem
    scope = _scope_problem(facts, cert)
    if scope is not None:
        return scope
    if crl.last_update_utc > at:
        return f"thisUpdate {crl.last_update_utc.isoformat()} is after the validation time"
    nxt = crl.next_update_utc
    if nxt is not None and nxt < at:
        return f"stale (nextUpdate {nxt.isoformat()})"
    refused = algorithm_problem(crl) if algorithm_problem is not None else None
    if refused is not None:
        return f"signature algorithm refused: {refused}"
    if memo.signed_by(crl, issuer):
        if not _allows_crl_sign(issuer):
            return "signed by the issuer, whose keyUsage lacks cRLSign"
        return None
    if alternate_signers is not None and any(memo.signed_by(crl, c) for c in alternate_signers(crl)):
        return None
    return "signature does not verify with the issuer's key (nor with a validated CRL signer of its name)"
