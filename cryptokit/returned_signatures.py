"""Facts about signatures a remote signing service returned for hashes that were sent.

The vendor-neutral part of checking a signing answer offline (ADSS ``/v2/sign/request``, CSC
``signatures/signHash``): the vendor packages turn these facts into their checks, with their own
field names, statuses and declared-scheme rules.

* :func:`recovered_digest_info`: what an RSA PKCS#1 v1.5 signature really signed;
* :func:`find_signed_hash`: which other sent hash a signature verifies over (a swapped order);
* :func:`nearest_first` / :func:`iter_nearest`: the other positions worth probing, nearest first,
  generated lazily (no sort of all positions);
* :func:`pss_shaped_for`: for a plain RSA key, the hash algorithms under which a signature is a
  well-formed PSS encoding at all (the only ones a probe could still match after DigestInfo recovery
  failed), so garbage is ruled out without any verification;
* :class:`ProbeBudget`: one allowance of probes for a whole response, not per signature;
* :func:`signing_certificate`: the signer's certificate out of what the service returned;
* :func:`optional_aware`: the ``at`` argument of a verifier;
* :class:`SignatureVerification` / :class:`ReturnedSignaturesReport`: the one result shape of every
  vendor's check (ADSS ``DocumentVerification``/``SignResponseReport`` and CSC
  ``HashVerification``/``SignHashReport`` are these two classes);
* :data:`MAX_SWAP_PROBES`: the one bound on the swapped-order search of a response.

None of these proves that a signature is good: :func:`cryptokit.signatures.identify_signature`
does that. They explain a failure (which hash the key did sign) and find the key to verify with.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature as _CryptoInvalidSignature
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .algorithms import HashAlgorithm, HashArg, parse_digest_info
from .certificates import is_ca
from .errors import CryptokitError, InputError
from .hashing import HashToSign
from .report import Check, HasReport, Report, SubIndication

if TYPE_CHECKING:
    from .chain import ChainReport
    from .signatures.public_keys import PublicKeyLike
    from .signatures.sign_verify import SignatureMatch

__all__ = [
    "SignatureVerification",
    "ReturnedSignaturesReport",
    "MAX_SWAP_PROBES",
    "chain_report_check",
    "recovered_digest_info",
    "find_signed_hash",
    "nearest_first",
    "iter_nearest",
    "pss_shaped_for",
    "ProbeBudget",
    "signing_certificate",
    "optional_aware",
]


#: How many signature verifications over another sent hash one whole response may cost to detect a
#: swapped order (shared by all its failed signatures), and how many nearest positions one failed
#: signature looks at. The same for every vendor.
MAX_SWAP_PROBES = 32


@dataclass(frozen=True, slots=True)
class SignatureVerification(HasReport):
    """The verdict on one sent hash: its position, the vendor's ``label`` for the document (ADSS
    ``doc_alias``; None when the vendor has none), the hash, the checks (signature, then the chain)
    and, when the signature verified, how (``scheme``: pkcs1v15/pss/ecdsa/ed25519/ed448;
    ``encoding``: der/raw for ECDSA)."""

    index: int
    hash: HashToSign
    report: Report
    match: SignatureMatch | None = None
    label: str | None = None

    @property
    def scheme(self) -> str | None:
        return None if self.match is None else self.match.scheme

    @property
    def encoding(self) -> str | None:
        return None if self.match is None else self.match.encoding

    @property
    def doc_alias(self) -> str | None:
        """ADSS's name for :attr:`label`."""
        return self.label

    def to_dict(self) -> dict[str, Any]:
        out = self.report.to_dict()
        out.update(
            index=self.index,
            doc_alias=self.label,
            hash_algo=self.hash.oid,
            algorithm=self.hash.algorithm.name,
            hash=self.hash.b64,
        )
        if self.match is not None:
            out["scheme"] = self.match.scheme
            out["encoding"] = self.match.encoding
        return out


@dataclass(frozen=True, slots=True)
class ReturnedSignaturesReport(HasReport):
    """The overall verdict on a signing answer (``ok`` only for TOTAL_PASSED; ``indication``,
    ``sub_indication``, ``checks`` read through ``report``), one :class:`SignatureVerification` per
    sent hash, the chain report (None when no signing certificate could be found) and the vendor's
    answer ``status`` (ADSS ``SignStatus``; None for vendors without one)."""

    report: Report
    documents: tuple[SignatureVerification, ...]
    chain: ChainReport | None = None
    status: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = self.report.to_dict()
        if self.status is not None:
            out["status"] = str(self.status)
        out["documents"] = [d.to_dict() for d in self.documents]
        out["chain"] = None if self.chain is None else self.chain.to_dict()
        return out


def optional_aware(at: object) -> dt.datetime | None:
    """``at`` unchanged when it is None or an aware datetime; InputError otherwise."""
    if at is not None and (not isinstance(at, dt.datetime) or at.tzinfo is None or at.utcoffset() is None):
        raise InputError("at", "must be an aware datetime (UTC)")
    return at


def recovered_digest_info(key: PublicKeyLike, signature: bytes) -> tuple[HashAlgorithm, bytes] | None:
    """For an RSA key: the (algorithm, digest) of the DigestInfo a PKCS#1 v1.5 signature carries,
    i.e. what the key actually signed (absent NULL parameters tolerated). None for other keys, for
    an RSASSA-PSS-restricted :class:`~cryptokit.signatures.public_keys.PublicKey`, and for anything that
    is not a v1.5 signature block under the key."""
    raw = getattr(key, "key", key)  # a cryptokit PublicKey wraps the cryptography key
    if not isinstance(raw, rsa.RSAPublicKey) or getattr(key, "pss", None) is not None:
        return None
    try:
        data = raw.recover_data_from_signature(signature, padding.PKCS1v15(), None)
        return parse_digest_info(data, allow_absent_params=True)
    except (_CryptoInvalidSignature, ValueError, TypeError, CryptokitError):
        return None


def iter_nearest(index: int, count: int) -> Iterator[int]:
    """The positions ``0..count-1`` other than ``index``, nearest to it first (the lower one first on
    a tie), generated lazily: taking k of them costs O(k), whatever ``count`` is."""
    for distance in range(1, max(index, count - 1 - index) + 1):
        if index - distance >= 0:
            yield index - distance
        if index + distance < count:
            yield index + distance


def _ints(**values: object) -> None:
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int):
            raise InputError(name, f"must be an integer, not {type(value).__name__}")


def nearest_first(index: int, count: int, limit: int) -> list[int]:
    """The positions ``0..count-1`` other than ``index``, nearest to it first, at most ``limit``."""
    _ints(index=index, count=count, limit=limit)
    return list(islice(iter_nearest(index, count), max(limit, 0)))


class ProbeBudget:
    """How many more swap probes (signature verifications over another sent hash) one response may
    cost. Share one instance across every signature of a response: the total stays bounded however
    many signatures fail."""

    __slots__ = ("left",)

    def __init__(self, total: int) -> None:
        _ints(total=total)
        self.left = max(total, 0)

    def take(self, candidates: Iterable[int]) -> Iterator[int]:
        """``candidates`` while the budget lasts, one unit per position handed out."""
        if self.left <= 0:
            return
        for j in candidates:
            self.left -= 1
            yield j
            if self.left <= 0:
                return


def pss_shaped_for(
    key: PublicKeyLike, signature: bytes, algorithms: Iterable[HashAlgorithm]
) -> set[HashAlgorithm] | None:
    """For a plain RSA key: those of ``algorithms`` under which ``signature`` is a well-formed
    EMSA-PSS encoding (MGF1 with the same hash, as :func:`~cryptokit.signatures.identify_signature`
    tries). One public-key operation per algorithm, no verification.

    A signature with no DigestInfo (:func:`recovered_digest_info` is None) and an empty answer here
    verifies over no hash of those algorithms, so nothing is worth probing. None when nothing can be
    ruled out this way (not an RSA key, an RSASSA-PSS-restricted key, a modulus over
    :data:`cryptokit.signatures.rsa_pss.MAX_MODULUS_BITS`). Proves nothing about a signature it keeps.
    """
    from .signatures.rsa_pss import MAX_MODULUS_BITS, pss_salt_length

    raw = getattr(key, "key", key)
    if not isinstance(raw, rsa.RSAPublicKey) or getattr(key, "pss", None) is not None:
        return None
    if raw.key_size > MAX_MODULUS_BITS:
        return None
    shaped: set[HashAlgorithm] = set()
    for alg in set(algorithms):
        try:
            if pss_salt_length(raw, signature, alg, alg) is not None:
                shaped.add(alg)
        except (ValueError, TypeError):
            continue
    return shaped


def find_signed_hash(
    key: PublicKeyLike,
    signature: bytes,
    hashes: Sequence[HashToSign],
    candidates: Iterable[int],
    *,
    pss_salt_length: int | None = None,
    pss_mgf_hash: HashArg | None = None,
) -> int | None:
    """The first of ``candidates`` (positions in ``hashes``) whose hash ``signature`` verifies over
    under ``key`` (with :func:`~cryptokit.signatures.identify_signature`), or None."""
    from .signatures.sign_verify import identify_signature

    if not isinstance(candidates, Iterable) or not isinstance(hashes, Sequence) or isinstance(hashes, (str, bytes)):
        raise InputError("hashes", "must be a sequence of HashToSign, candidates an iterable of positions")
    for j in candidates:
        if isinstance(j, bool) or not isinstance(j, int) or not -len(hashes) <= j < len(hashes):
            raise InputError("candidates", "must be positions in hashes")
        other = hashes[j]
        if not isinstance(other, HashToSign):
            raise InputError(f"hashes[{j}]", "must be a HashToSign")
        try:
            identify_signature(
                key,
                signature,
                other.digest,
                other.algorithm,
                pss_salt_length=pss_salt_length,
                pss_mgf_hash=pss_mgf_hash,
            )
        except CryptokitError:
            continue
        return j
    return None


def signing_certificate(
    certificate: object, certificate_chain: object = None
) -> tuple[x509.Certificate | None, list[x509.Certificate], Check | None]:
    """The signer's certificate, the other certificates given, or a failed check saying why not.

    ``certificate`` and ``certificate_chain`` are anything
    :func:`cryptokit.certificates.load_certificates` reads. When ``certificate`` is a bundle, the
    signer is its one end-entity certificate that issues no other; no or several candidates is
    NO_SIGNING_CERTIFICATE_FOUND, an unreadable chain CERTIFICATE_CHAIN_GENERAL_FAILURE.
    """
    from .certificates import load_certificates

    try:
        certs = load_certificates(certificate)  # type: ignore[arg-type]
    except CryptokitError as exc:
        msg = f"the signing certificate cannot be read: {exc}"
        return None, [], Check.failed("signing-certificate", SubIndication.NO_SIGNING_CERTIFICATE_FOUND, msg)
    others: list[x509.Certificate] = []
    if certificate_chain is not None:
        try:
            others = load_certificates(certificate_chain)  # type: ignore[arg-type]
        except CryptokitError as exc:
            msg = f"the certificate chain cannot be read: {exc}"
            return None, [], Check.failed("certificate-chain", SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE, msg)
    if len(certs) == 1:
        leaf = certs[0]
    else:
        issuers = {c.issuer for c in certs if c.issuer != c.subject}
        ends = [c for c in certs if not is_ca(c) and c.subject not in issuers]
        if len(ends) != 1:
            msg = f"the certificate bundle holds {len(certs)} certificates and {len(ends)} end-entity candidates"
            return None, [], Check.failed("signing-certificate", SubIndication.NO_SIGNING_CERTIFICATE_FOUND, msg)
        leaf = ends[0]
    rest = [c for c in certs if c != leaf] + [c for c in others if c != leaf]
    return leaf, rest, None


def chain_report_check(chain: ChainReport, leaf: x509.Certificate) -> Check:
    """The one ``certificate-chain`` check a vendor report carries for its signer's chain report."""
    if not isinstance(leaf, x509.Certificate) or not hasattr(chain, "path") or not hasattr(chain, "ok"):
        raise InputError("chain", "must be a ChainReport and leaf its certificate")
    subject = leaf.subject.rfc4514_string()
    path = [c.subject.rfc4514_string() for c in chain.path]
    if chain.ok:
        return Check.passed(
            "certificate-chain", "the signing certificate chains to a trust anchor", subject=subject, path=path
        )
    first = chain.failures()[0] if chain.failures() else None
    message = first.message if first is not None else "the certificate chain is not valid"
    sub = chain.sub_indication or SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE
    return Check.failed(
        "certificate-chain", sub, message, subject=subject, path=path, chain_indication=chain.indication.value
    )
