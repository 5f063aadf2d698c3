"""The vendor-neutral half of ``adss.sign_documents`` and ``csc.sign_documents``.

Documents become :class:`~cryptokit.cms.PreparedCms` values, one HTTP exchange goes through the
caller's callable, and each returned signature is finished into a verified CMS, with errors that name
the document. The vendor packages supply the requests, the parsing and their swap diagnosis.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from .._dsa import public_key as load_public_key
from ..cms import CmsPolicy, PreparedCms, cms_prepare
from ..errors import (
    CryptokitError,
    DocumentSigningError,
    ForeignSignature,
    InputError,
    MisplacedSignature,
    SignatureCountMismatch,
    SignatureLengthError,
    VerificationFailed,
)
from ..hashing import HashToSign
from . import HttpRequest
from ._args import known_options

__all__ = [
    "Exchange",
    "Prepared",
    "Diagnosis",
    "DocumentOptions",
    "SigningPending",
    "as_items",
    "check_returned",
    "exchange",
    "finish_all",
    "prepare_documents",
]

#: Performs one HTTP exchange: an HttpRequest in, ``(status, headers, body)`` out (an
#: :class:`~cryptokit.protocols.HttpResponse` unpacks as that triple).
Exchange = Callable[[HttpRequest], Any]

#: Most documents one call signs (ADSS's bound on one request; CSC calls are split by ``multisign``).
MAX_DOCUMENTS = 10_000


class SigningPending(CryptokitError):
    """The service has not signed yet (ADSS PENDING, CSC asynchronous ``responseID``).

    ``request_id`` is what to poll with; ``prepared`` the :class:`~cryptokit.cms.PreparedCms` of each
    document in order (store them with ``to_dict``, finish each with its signature once it arrives).
    """

    def __init__(self, message: str, request_id: str | None, prepared: Sequence[PreparedCms]) -> None:
        self.request_id = request_id
        self.prepared = tuple(prepared)
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Prepared:
    """One document on its way: its position, name and prepared CMS."""

    index: int
    name: str
    cms: PreparedCms


def _name(document: object, index: int, names: Sequence[str | None] | None) -> str:
    if names is not None and names[index] is not None:
        return str(names[index])
    if isinstance(document, os.PathLike):
        return os.fsdecode(os.fspath(document))
    return f"document {index}"


class DocumentOptions(TypedDict, total=False):
    """How each document's CMS is made, the same for ``adss.sign_documents`` and ``csc.sign_documents``:
    ``hash`` ("sha256"), ``detached`` (True), ``signing_time`` (now), ``scheme`` and
    ``pss_salt_length`` (by the key, see :func:`~cryptokit.cms.cms_prepare`), ``doc_aliases`` (one
    name per document, used in errors; ADSS also sends them as ``doc_alias``) and ``policy`` (the
    :class:`~cryptokit.cms.CmsPolicy` each finished CMS is verified under)."""

    hash: str
    detached: bool
    signing_time: dt.datetime | None
    scheme: str | None
    pss_salt_length: int | None
    doc_aliases: Sequence[str | None] | None
    policy: CmsPolicy | None


_DOCUMENT_OPTIONS = frozenset(DocumentOptions.__optional_keys__)


def prepare_documents(
    function: str,
    documents: Sequence[object],
    *,
    certificate: x509.Certificate,
    chain: Sequence[x509.Certificate],
    options: DocumentOptions,
) -> list[Prepared]:
    """A :class:`Prepared` per document: bytes (the content), a path (streamed when detached) or a
    HashToSign (the content's digest, detached only), made as ``options`` say (a keyword they do not
    know is an InputError naming it). Refusals name the document."""
    known_options(function, options, _DOCUMENT_OPTIONS)
    names = options.get("doc_aliases")
    if isinstance(documents, (str, bytes, bytearray, memoryview, os.PathLike, HashToSign)) or not isinstance(
        documents, Sequence
    ):
        raise InputError("documents", "must be a sequence of documents (bytes, paths or HashToSign digests)")
    if not documents:
        raise InputError("documents", "must not be empty")
    if len(documents) > MAX_DOCUMENTS:
        raise InputError("documents", f"holds more than {MAX_DOCUMENTS} documents")
    if names is not None and (isinstance(names, (str, bytes)) or len(names) != len(documents)):
        raise InputError("doc_aliases", f"must hold one name per document ({len(documents)})")
    out = []
    for index, document in enumerate(documents):
        name = _name(document, index, names)
        if isinstance(document, str):
            raise InputError(f"documents[{index}]", "a str is ambiguous: pass bytes for data or a pathlib.Path")
        content: Any = None if isinstance(document, HashToSign) else document
        digest = document if isinstance(document, HashToSign) else None
        try:
            prepared = cms_prepare(
                content,
                digest=digest,
                hash=options.get("hash", "sha256"),
                certificate=certificate,
                chain=chain,
                detached=options.get("detached", True),
                signing_time=options.get("signing_time"),
                scheme=options.get("scheme"),
                pss_salt_length=options.get("pss_salt_length"),
                policy=options.get("policy"),
            )
        except InputError as exc:
            field = exc.field.replace("content", f"documents[{index}]").replace("digest", f"documents[{index}]")
            raise InputError(field, f"{exc.rule} ({name})") from None
        out.append(Prepared(index, name, prepared))
    return out


def exchange(send: object, request: HttpRequest) -> tuple[int, bytes]:
    """Call ``send`` once and check it gave ``(status, headers, body)``; returns ``(status, body)``."""
    if not callable(send):
        raise InputError("send", "must be a callable performing one HTTP exchange")
    answer = send(request)
    try:
        status, _headers, body = answer
    except (TypeError, ValueError):
        raise InputError("send", "must return (status, headers, body) or an HttpResponse") from None
    if isinstance(status, bool) or not isinstance(status, int):
        raise InputError("send", "returned a status that is not an int")
    if isinstance(body, str):
        body = body.encode("utf-8")
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise InputError("send", "returned a body that is not bytes")
    return status, bytes(body)


def as_items(prepared: object) -> list[Prepared]:
    """``Prepared`` values, or PreparedCms (from :class:`SigningPending` or ``from_dict``) named by position."""
    if isinstance(prepared, (str, bytes)) or not isinstance(prepared, Sequence) or not prepared:
        raise InputError("prepared", "must be a non-empty sequence of PreparedCms")
    out = []
    for index, item in enumerate(prepared):
        if isinstance(item, Prepared):
            item = item.cms
        if not isinstance(item, PreparedCms):
            raise InputError(f"prepared[{index}]", "must be a PreparedCms")
        name = prepared[index].name if isinstance(prepared[index], Prepared) else f"document {index}"
        out.append(Prepared(index, name, item))
    return out


def _describe(cert: x509.Certificate) -> str:
    return cert.subject.rfc4514_string()


def check_count(items: Sequence[Prepared], signatures: Sequence[bytes]) -> None:
    """One signature per document, or :class:`SignatureCountMismatch` naming the first unmatched one."""
    if len(signatures) == len(items):
        return
    first = items[min(len(signatures), len(items) - 1)]
    raise SignatureCountMismatch(
        f"{len(signatures)} signatures returned for {len(items)} documents sent "
        f"(first document without its own signature: {first.name})",
        document=first.index,
        name=first.name,
    )


def check_length(item: Prepared, signature: bytes) -> None:
    """A signature whose length cannot be one of the certificate's key: :class:`SignatureLengthError`."""
    key = load_public_key(item.cms.certificate)
    if isinstance(key, rsa.RSAPublicKey):
        size = (key.key_size + 7) // 8
        if len(signature) != size:
            raise SignatureLengthError(
                f"{item.name}: the signature is {len(signature)} bytes; an RSA-{key.key_size} signature is {size}",
                document=item.index,
                name=item.name,
            )
    elif isinstance(key, ec.EllipticCurvePublicKey):
        from ..signatures.ecdsa_encoding import is_strict_der, order_byte_length

        n = order_byte_length(key)
        if len(signature) != 2 * n and not is_strict_der(signature, key):
            raise SignatureLengthError(
                f"{item.name}: the signature is {len(signature)} bytes, neither raw r||s ({2 * n} bytes) nor DER "
                f"on {key.curve.name}",
                document=item.index,
                name=item.name,
            )


def document_failure(
    items: Sequence[Prepared],
    item: Prepared,
    message: str,
    *,
    foreign: bool,
    signs: int | None,
    failures: dict[int, str],
) -> DocumentSigningError:
    """The typed error for one document whose returned signature failed, recorded in ``failures``:
    ``foreign`` (it does not verify under the key at all), misplaced (``signs``: the position of the
    document whose hash it is over), or any other failure. Shared by the ADSS and CSC signers."""
    if foreign:
        failures[item.index] = "foreign"
        return DocumentSigningError(f"{item.name}: {message}", document=item.index, name=item.name)
    if signs is not None:
        failures[item.index] = "misplaced"
        return MisplacedSignature(
            f"{item.name}: the signature returned at its position is over the hash of {items[signs].name} "
            "(the service changed the order)",
            document=item.index,
            name=item.name,
        )
    failures[item.index] = "other"
    return DocumentSigningError(f"{item.name}: {message}", document=item.index, name=item.name)


def all_foreign(items: Sequence[Prepared], failures: Mapping[int, str]) -> None:
    """Every signature failed to verify under the key at all: the service signed with another key."""
    if items and len(failures) == len(items) and all(v == "foreign" for v in failures.values()):
        cert = items[0].cms.certificate
        raise ForeignSignature(
            f"the service answered for another certificate: none of the {len(items)} signatures verifies under "
            f"the key of {_describe(cert)} (first: {items[0].name})",
            document=items[0].index,
            name=items[0].name,
        )


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """Why one returned signature failed: ``message``; ``foreign`` when it does not verify under the
    certificate's key at all; ``signs``, the position of the document whose hash it is over (a
    swapped order), when the vendor's check found one."""

    message: str
    foreign: bool = False
    signs: int | None = None


def check_returned(
    items: Sequence[Prepared],
    signatures: Sequence[bytes],
    diagnose: Callable[[int, Prepared, bytes], Diagnosis | None],
) -> None:
    """The returned signatures, one per document in order, before any CMS is finished: their count and
    lengths, then ``diagnose(position, item, signature)`` for each (the vendor's check: None when it
    verified). Raises the first failure as its typed error naming the document, or
    :class:`~cryptokit.errors.ForeignSignature` when none verifies under the key at all."""
    check_count(items, signatures)
    for item, signature in zip(items, signatures, strict=True):
        check_length(item, signature)
    failures: dict[int, str] = {}
    first: DocumentSigningError | None = None
    for position, (item, signature) in enumerate(zip(items, signatures, strict=True)):
        found = diagnose(position, item, signature)
        if found is not None:
            error = document_failure(
                items, item, found.message, foreign=found.foreign, signs=found.signs, failures=failures
            )
            first = first or error
    all_foreign(items, failures)
    if first is not None:
        raise first


def finish_all(items: Sequence[Prepared], signatures: Sequence[bytes], *, policy: CmsPolicy | None) -> list[bytes]:
    """Finish each document with its signature (auto-detected ECDSA encoding); a failure names it."""
    out = []
    for item, signature in zip(items, signatures, strict=True):
        try:
            out.append(item.cms.finish(signature, signature_encoding="auto", policy=policy))
        except VerificationFailed as exc:
            raise DocumentSigningError(
                f"{item.name}: the signed CMS does not verify: {exc}", exc.report, document=item.index, name=item.name
            ) from None
        except InputError as exc:
            raise SignatureLengthError(f"{item.name}: {exc}", document=item.index, name=item.name) from None
    return out
