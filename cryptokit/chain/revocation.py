"""Revocation from caller-supplied CRLs (RFC 5280 section 6.3, complete CRLs only).

For a certificate and its issuer in the path, a CRL is *usable* when: its issuer name matches the
certificate's issuer (section 7.1), its signature verifies with the issuer's key (or with the key
of another certificate of the same name that carries cRLSign and is itself validated to the same
anchor: "separate CRL signing key"), the signing certificate allows cRLSign when it has a keyUsage,
it is current at ``at`` (thisUpdate <= at <= nextUpdate), it carries no unknown critical extension
(CRL or entry), it is not a delta CRL, and its issuingDistributionPoint (if any) covers the
certificate in full (not indirect, not onlySomeReasons, right onlyContains* scope).

Outcome: serial listed with a revocation date at or before ``at`` -> REVOKED (date and reason in
the check; certificateHold -> TRY_LATER, as suspended); usable and not listed -> passed; none usable
-> TRY_LATER when the policy requires revocation, skipped otherwise. Not done: OCSP, delta CRLs,
indirect CRLs, distribution-point matching, fetching.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeAlias

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import CRLEntryExtensionOID, ExtensionOID

from ..errors import InputError
from ..report import Check, SubIndication
from .name_constraints import name_key
from .sigs import pss_key_misuse, verify_signed

__all__ = ["CrlLike", "load_crls", "check_revocation", "MAX_CRLS", "MAX_CRL_SIZE"]

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
            raise InputError(field, f"is not a well-formed CRL ({exc})") from None
        if len(out) > MAX_CRLS:
            raise InputError("crls", f"more than {MAX_CRLS} CRLs")
    return tuple(out)


@dataclass(frozen=True, slots=True)
class _Verdict:
    usable: bool
    reason: str


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


def _crl_structure(crl: x509.CertificateRevocationList, cert: x509.Certificate, at: dt.datetime) -> _Verdict:
    if crl.last_update_utc > at:
        return _Verdict(False, f"CRL thisUpdate {crl.last_update_utc.isoformat()} is after the validation time")
    nxt = crl.next_update_utc
    if nxt is not None and nxt < at:
        return _Verdict(False, f"CRL is stale (nextUpdate {nxt.isoformat()})")
    try:
        extensions = crl.extensions
    except ValueError as exc:
        return _Verdict(False, f"CRL extensions unparsable ({exc})")
    for ext in extensions:
        if ext.oid == ExtensionOID.DELTA_CRL_INDICATOR:
            return _Verdict(False, "delta CRLs are not supported")
        if ext.critical and ext.oid not in _KNOWN_CRL_EXTENSIONS:
            return _Verdict(False, f"CRL has an unknown critical extension {ext.oid.dotted_string}")
        if isinstance(ext.value, x509.IssuingDistributionPoint):
            idp = ext.value
            if idp.indirect_crl:
                return _Verdict(False, "indirect CRLs are not supported")
            if idp.only_some_reasons:
                return _Verdict(False, "CRL covers only some reasons")
            if idp.only_contains_attribute_certs:
                return _Verdict(False, "CRL covers attribute certificates only")
            ca = _is_ca(cert)
            if idp.only_contains_user_certs and ca:
                return _Verdict(False, "CRL covers end-entity certificates only")
            if idp.only_contains_ca_certs and not ca:
                return _Verdict(False, "CRL covers CA certificates only")
    return _Verdict(True, "")


def _entries_ok(crl: x509.CertificateRevocationList) -> str | None:
    try:
        for entry in crl:
            for ext in entry.extensions:
                if ext.critical and ext.oid not in _KNOWN_ENTRY_EXTENSIONS:
                    return f"CRL entry has an unknown critical extension {ext.oid.dotted_string}"
    except ValueError as exc:
        return f"CRL entries unparsable ({exc})"
    return None


def _find_entry(crl: x509.CertificateRevocationList, serial: int) -> x509.RevokedCertificate | None:
    try:
        return crl.get_revoked_certificate_by_serial_number(serial)
    except ValueError:  # negative serial numbers: not indexable, compare one by one
        return next((e for e in crl if e.serial_number == serial), None)


def _signed_by(crl: x509.CertificateRevocationList, cert: x509.Certificate) -> bool:
    if pss_key_misuse(crl, cert) is not None:
        return False
    try:
        key = cert.public_key()
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return False
    return verify_signed(crl, key) is None


@lru_cache(maxsize=4096)
def _skipped(message: str, subject: str) -> Check:
    return Check.skipped("revocation", message, subject=subject)


def check_revocation(
    cert: x509.Certificate,
    issuer: x509.Certificate,
    crls: Sequence[x509.CertificateRevocationList],
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
    issuer_key = name_key(cert.issuer)
    problems: list[str] = []
    usable: list[x509.CertificateRevocationList] = []
    for crl in crls:
        if name_key(crl.issuer) != issuer_key:
            continue
        verdict = _crl_structure(crl, cert, at)
        if not verdict.usable:
            problems.append(verdict.reason)
            continue
        refused = algorithm_problem(crl) if algorithm_problem is not None else None
        if refused is not None:
            problems.append(f"CRL signature algorithm refused: {refused}")
            continue
        signer_ok = False
        if _signed_by(crl, issuer):
            if _allows_crl_sign(issuer):
                signer_ok = True
            else:
                problems.append("CRL signer's keyUsage lacks cRLSign")
                continue
        elif alternate_signers is not None:
            signer_ok = any(_signed_by(crl, c) for c in alternate_signers(crl))
        if not signer_ok:
            problems.append("CRL signature does not verify with the issuer's key")
            continue
        entry_problem = _entries_ok(crl)
        if entry_problem:
            problems.append(entry_problem)
            continue
        usable.append(crl)
    if not usable:
        why = "; ".join(problems) if problems else "no CRL from this issuer was given"
        if required:
            return Check.failed("revocation", SubIndication.TRY_LATER, f"no usable CRL: {why}", subject=subject)
        return _skipped(f"not checked: {why}", subject)
    with warnings.catch_warnings():  # a non-positive serial is reported by the chain checks, not warned about
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        serial = cert.serial_number
    for crl in usable:
        entry = _find_entry(crl, serial)
        if entry is None:
            continue
        when = entry.revocation_date_utc
        reason = "unspecified"
        try:
            reason = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason.name
        except (x509.ExtensionNotFound, ValueError):
            pass
        if when > at:
            continue
        if reason == "certificate_hold":
            return Check.failed(
                "revocation",
                SubIndication.TRY_LATER,
                f"certificate is on hold since {when.isoformat()}",
                subject=subject,
                revocation_date=when,
                reason=reason,
            )
        if reason == "remove_from_crl":
            continue
        return Check.failed(
            "revocation",
            SubIndication.REVOKED,
            f"revoked on {when.isoformat()} (reason: {reason})",
            subject=subject,
            revocation_date=when,
            reason=reason,
        )
    this = max(c.last_update_utc for c in usable)
    return Check.passed("revocation", f"not revoked per CRL of {this.isoformat()}", subject=subject)
