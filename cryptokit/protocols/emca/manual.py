"""Manual authorization ("Is Manual Authorization Enabled" in emCA): the pending -> follow-up state.

With manual authorization on, the create call answers request ids (``ID1|requestId1~...``) instead
of certificates; an operator approves or rejects each; the client fetches the certificate with
``getCertificateByRequestID`` (signed content: the request id). The states and every allowed
transition are in one table, :data:`TRANSITIONS`; a fetch changes nothing except that an approved
request is issued once (``issue``), after which every fetch returns the same certificate.

The vendor documents the pending answer only; the follow-up parameter names, the pending and
rejected answers are cryptokit's choices (see the README's emCA section).
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from cryptography import x509

from ...csr import CsrInfo
from ...errors import InputError, PolicyViolation
from .errors import ManualAuthorizationMisuse
from .strings import Validity

__all__ = ["State", "Event", "TRANSITIONS", "next_state", "PendingRequest", "ManualAuthorization"]


class State(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    ISSUED = "issued"


class Event(StrEnum):
    APPROVE = "approve"  # operator
    REJECT = "reject"  # operator
    ISSUE = "issue"  # server, on the first follow-up after approval


#: (state, event) -> next state. Anything not listed is refused. REJECTED and ISSUED are final.
TRANSITIONS: Final[Mapping[tuple[State, Event], State]] = MappingProxyType(
    {
        (State.PENDING, Event.APPROVE): State.APPROVED,
        (State.PENDING, Event.REJECT): State.REJECTED,
        (State.APPROVED, Event.ISSUE): State.ISSUED,
    }
)


def next_state(state: State, event: Event) -> State:
    """The state after ``event``; :class:`~.errors.ManualAuthorizationMisuse` when the table does not
    allow it."""
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise ManualAuthorizationMisuse(str(state), str(event)) from None


@dataclass(frozen=True, slots=True)
class PendingRequest:
    """One CSR waiting for (or past) manual authorization."""

    request_id: str
    user_name: str
    application_id: str
    profile_id: str
    subscriber_id: str
    csr_id: str
    csr: CsrInfo = field(repr=False)
    validity: Validity | None
    valid_from: dt.datetime | None
    state: State = State.PENDING
    certificate: x509.Certificate | None = field(default=None, repr=False)


class ManualAuthorization:
    """An in-memory, thread-safe store of pending requests (a service would back it with its database).

    ``profiles``: the certificate profiles with manual authorization on (None: every profile).
    ``max_entries`` bounds the store (PolicyViolation beyond it). Request ids are 80 random bits.
    """

    __slots__ = ("_by_app", "_entries", "_lock", "max_entries", "profiles")

    def __init__(self, profiles: Iterable[str] | None = None, *, max_entries: int = 100_000) -> None:
        self.profiles = frozenset(profiles) if profiles is not None else None
        self.max_entries = max_entries
        self._entries: dict[str, PendingRequest] = {}
        self._by_app: dict[tuple[str, str], dict[str, str]] = {}
        self._lock = threading.Lock()

    def applies(self, profile_id: str) -> bool:
        return self.profiles is None or profile_id in self.profiles

    def find(self, user_name: str, application_id: str) -> dict[str, str] | None:
        """csr id -> request id of what ``user_name`` already submitted for ``application_id``."""
        with self._lock:
            found = self._by_app.get((user_name, application_id))
            return dict(found) if found is not None else None

    def submit(
        self,
        *,
        user_name: str,
        application_id: str,
        profile_id: str,
        subscriber_id: str,
        csrs: Mapping[str, CsrInfo],
        validity: Validity | None,
        valid_from: dt.datetime | None,
    ) -> dict[str, str]:
        """Queue each CSR; csr id -> new request id. The same (user, applicationId) again returns the
        ids it already has (the seed's applicationId rule) without queueing anything."""
        with self._lock:
            existing = self._by_app.get((user_name, application_id))
            if existing is not None:
                return dict(existing)
            if len(self._entries) + len(csrs) > self.max_entries:
                raise PolicyViolation("the manual authorization queue is full")
            ids: dict[str, str] = {}
            for csr_id, csr in csrs.items():
                request_id = secrets.token_hex(10)
                ids[csr_id] = request_id
                self._entries[request_id] = PendingRequest(
                    request_id, user_name, application_id, profile_id, subscriber_id, csr_id, csr, validity, valid_from
                )
            self._by_app[(user_name, application_id)] = ids
            return dict(ids)

    def get(self, request_id: str, user_name: str | None = None) -> PendingRequest | None:
        """The request, or None when unknown (or, with ``user_name``, owned by another user)."""
        with self._lock:
            entry = self._entries.get(request_id)
        if entry is None or (user_name is not None and entry.user_name != user_name):
            return None
        return entry

    def _apply(self, request_id: str, event: Event, certificate: x509.Certificate | None = None) -> PendingRequest:
        with self._lock:
            entry = self._entries.get(request_id)
            if entry is None:
                raise InputError("request_id", "is not a known request id")
            changed = replace(entry, state=next_state(entry.state, event), certificate=certificate or entry.certificate)
            self._entries[request_id] = changed
            return changed

    def approve(self, request_id: str) -> PendingRequest:
        """Operator: PENDING -> APPROVED."""
        return self._apply(request_id, Event.APPROVE)

    def reject(self, request_id: str) -> PendingRequest:
        """Operator: PENDING -> REJECTED."""
        return self._apply(request_id, Event.REJECT)

    def issue(self, request_id: str, certificate: x509.Certificate) -> PendingRequest:
        """Server: APPROVED -> ISSUED, keeping ``certificate`` for every later fetch."""
        if not isinstance(certificate, x509.Certificate):
            raise InputError("certificate", "must be an x509.Certificate")
        return self._apply(request_id, Event.ISSUE, certificate)

    def __repr__(self) -> str:
        return f"ManualAuthorization({len(self._entries)} requests)"
