"""PENDING to a final status: a sans-I/O poller for ``POST /v2/sign/status`` (h11 style).

With "authorise remote signing" ADSS answers a sign request PENDING with a ``request_id``; the
client polls ``/v2/sign/status`` until the user authorised (SUCCESS), refused (DECLINED), let it
time out (TIMEOUT) or the service failed (FAILED). :class:`SignStatusPoller` holds that state; the
caller does the waiting and the I/O::

    poller = adss.SignStatusPoller.for_answer(sign_request, first_result, profile_id="CSP Service Profile",
                                              token=token, certificate=cert, trust_anchors=[root])
    step = poller.start()
    while isinstance(step, adss.Poll):
        time.sleep(step.delay)                   # or await asyncio.sleep(step.delay)
        status, body = send(step.request)        # your transport
        step = poller.receive(status, body)
    # step is adss.Signed(result, report): SUCCESS, every signature verified like a direct answer

The delay grows from ``first_delay`` by ``backoff`` up to ``max_delay`` and never reaches past the
overall ``deadline`` (seconds from :meth:`SignStatusPoller.start`, read from ``clock``, by default
:func:`time.monotonic`); ``max_polls`` bounds the number of polls. Outcomes:

* SUCCESS: the signatures are checked with :func:`~.signing.verify_sign_response` against the
  hashes of ``sign_request`` (every verification keyword as there); :class:`Signed` is returned, or
  :class:`~cryptokit.errors.VerificationFailed` (with ``.report``) is raised;
* TIMEOUT, DECLINED, FAILED raise :class:`~.errors.AdssSignTimeout`, :class:`~.errors.AdssSignDeclined`,
  :class:`~.errors.AdssSignFailed` (all :class:`~.errors.AdssSignStatusError`);
* still PENDING at the deadline or after ``max_polls`` polls: :class:`~.errors.AdssPollTimeout`;
* an ADSS error answer to a poll (e.g. 60045 :class:`~.errors.AdssInvalidToken`) or a malformed
  answer is raised as :func:`~.signing.parse_sign_status` raises it, and the poller waits in state
  INTERRUPTED: :meth:`SignStatusPoller.resume` (with a renewed ``token`` if need be) gives the next
  poll within the same deadline, or the caller gives up.

Calling a method the current state does not expect raises :class:`~cryptokit.errors.InputError`.
The poller never sleeps, never reads a socket, and keeps the token out of ``repr``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from ...errors import CryptokitError, InputError
from ...hashing import HashToSign
from ...report import HasReport
from .. import HttpRequest
from . import _wire
from .errors import AdssPollTimeout, AdssSignDeclined, AdssSignFailed, AdssSignStatusError, AdssSignTimeout
from .requests import TokenArg, _token_text, build_sign_status_request
from .responses import parse_sign_status
from .values import SignResult, SignStatus
from .verify import SignResponseReport, verify_sign_response

if TYPE_CHECKING:
    import datetime as dt

    from ...certificates import CertificateLike
    from ...chain import ChainPolicy
    from ...chain.ocsp import OcspLike
    from ...chain.revocation import CrlLike
    from .values import UserCertificate

__all__ = ["PollState", "Poll", "Signed", "SignStatusPoller", "raise_for_sign_status"]

#: Upper bounds of the poller's arguments (a day of polling, one poll a second at most on average).
MAX_DEADLINE = 86_400.0
MAX_POLLS = 86_400

_STATUS_ERRORS: dict[SignStatus, type[AdssSignStatusError]] = {
    SignStatus.TIMEOUT: AdssSignTimeout,
    SignStatus.DECLINED: AdssSignDeclined,
    SignStatus.FAILED: AdssSignFailed,
}


def raise_for_sign_status(result: SignResult, request_id: str | None = None) -> None:
    """Raise the typed error of a final status without signatures (TIMEOUT, DECLINED, FAILED);
    return for SUCCESS and PENDING. Proves nothing about SUCCESS signatures: verify them."""
    if not isinstance(result, SignResult):
        raise InputError("result", "must be a SignResult from parse_sign_response or parse_sign_status")
    cls = _STATUS_ERRORS.get(result.status)
    if cls is not None:
        raise cls(result.status.value, result.request_id or request_id)


class PollState(StrEnum):
    IDLE = "idle"  # start() not called yet
    WAITING = "waiting"  # a Poll was handed out: wait its delay, send it, receive() the answer
    INTERRUPTED = "interrupted"  # a poll's answer raised an error: resume() or give up
    DONE = "done"  # Signed returned
    FAILED = "failed"  # a final status, the deadline, or a failed verification was raised


@dataclass(frozen=True, slots=True)
class Poll:
    """The next status request to send after waiting ``delay`` seconds; ``attempt`` counts from 1."""

    request: HttpRequest
    delay: float
    attempt: int


@dataclass(frozen=True, slots=True)
class Signed(HasReport):
    """SUCCESS: the status answer (``result.signatures`` in request order) and its passing report
    (``ok``, ``indication``, ``checks``, ``to_dict()`` read through to it)."""

    result: SignResult
    report: SignResponseReport

    @property
    def signatures(self) -> tuple[bytes, ...]:
        return self.result.signatures


def _seconds(value: object, field: str, *, minimum: float, maximum: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(field, "must be a finite number of seconds")
    if not minimum <= value <= maximum:
        raise InputError(field, f"must be between {minimum:g} and {maximum:g}")
    return float(value)


class SignStatusPoller:
    """Poll ``/v2/sign/status`` for one ``request_id`` until a final status; see the module docstring.

    ``sign_request``: the :class:`HttpRequest` the sign request was sent as (or its hashes), to
    verify SUCCESS signatures against. ``certificate``, ``certificate_chain``, ``trust_anchors``,
    ``at``, ``policy``, ``crls``, ``ocsp_responses``, ``allow_absent_null`` and ``require_scheme`` are those of
    :func:`~.signing.verify_sign_response`. ``profile_id``, ``token``, ``app_name`` and
    ``accept_language`` go into each status request.
    """

    __slots__ = (
        "_attempt",
        "_backoff",
        "_clock",
        "_deadline",
        "_ends_at",
        "_first_delay",
        "_immediate",
        "_max_delay",
        "_max_polls",
        "_next_delay",
        "_request_options",
        "_sign_request",
        "_state",
        "_token",
        "_verify_options",
        "profile_id",
        "request_id",
    )

    def __init__(
        self,
        sign_request: HttpRequest | Sequence[HashToSign],
        request_id: str,
        *,
        profile_id: str,
        token: TokenArg,
        certificate: CertificateLike | UserCertificate,
        trust_anchors: CertificateLike,
        certificate_chain: CertificateLike | None = None,
        at: dt.datetime | None = None,
        policy: ChainPolicy | None = None,
        crls: CrlLike = (),
        ocsp_responses: OcspLike = (),
        allow_absent_null: bool = False,
        require_scheme: str | Sequence[str] | frozenset[str] | None = None,
        app_name: str | None = None,
        accept_language: str | None = None,
        first_delay: float = 1.0,
        max_delay: float = 30.0,
        backoff: float = 2.0,
        deadline: float = 300.0,
        max_polls: int = 1000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.request_id = _wire.text_arg(request_id, "request_id", max_len=256)
        self.profile_id = _wire.text_arg(profile_id, "profile_id", max_len=256)
        self._token = _token_text(token)
        self._sign_request = sign_request
        self._verify_options: dict[str, Any] = {
            "certificate": certificate,
            "certificate_chain": certificate_chain,
            "trust_anchors": trust_anchors,
            "at": at,
            "policy": policy,
            "crls": crls,
            "ocsp_responses": ocsp_responses,
            "allow_absent_null": allow_absent_null,
            "require_scheme": require_scheme,
        }
        self._request_options: dict[str, Any] = {"app_name": app_name, "accept_language": accept_language}
        self._deadline = _seconds(deadline, "deadline", minimum=0.001, maximum=MAX_DEADLINE)
        self._first_delay = _seconds(first_delay, "first_delay", minimum=0.0, maximum=self._deadline)
        self._max_delay = _seconds(max_delay, "max_delay", minimum=self._first_delay, maximum=MAX_DEADLINE)
        self._backoff = _seconds(backoff, "backoff", minimum=1.0, maximum=10.0)
        if isinstance(max_polls, bool) or not isinstance(max_polls, int) or not 1 <= max_polls <= MAX_POLLS:
            raise InputError("max_polls", f"must be an integer between 1 and {MAX_POLLS}")
        self._max_polls = max_polls
        if not callable(clock):
            raise InputError("clock", "must be a callable returning seconds (like time.monotonic)")
        self._clock = clock
        self._poll_request()  # bad request arguments fail now, not at the first poll
        self._state = PollState.IDLE
        self._attempt = 0
        self._next_delay = self._first_delay
        self._ends_at = 0.0
        self._immediate: SignResult | None = None

    @classmethod
    def for_answer(
        cls, sign_request: HttpRequest | Sequence[HashToSign], result: SignResult, **options: Any
    ) -> SignStatusPoller:
        """A poller for the parsed answer of ``/v2/sign/request`` itself, so that one loop serves
        both kinds of signing: PENDING polls its ``request_id``; SUCCESS makes :meth:`start` verify
        and return :class:`Signed` at once; TIMEOUT, DECLINED and FAILED raise their error here."""
        if not isinstance(result, SignResult):
            raise InputError("result", "must be the SignResult of parse_sign_response")
        raise_for_sign_status(result)
        request_id = result.request_id or "-"  # a SUCCESS answer need not carry one; nothing is polled then
        poller = cls(sign_request, request_id, **options)
        if result.status is SignStatus.SUCCESS:
            poller._immediate = result
        return poller

    @property
    def state(self) -> PollState:
        return self._state

    @property
    def attempts(self) -> int:
        """How many polls were handed out."""
        return self._attempt

    def __repr__(self) -> str:
        return f"SignStatusPoller(request_id={self.request_id!r}, state={self._state.value}, attempts={self._attempt})"

    # ----------------------------------------------------------------- internals

    def _expect(self, method: str, *states: PollState) -> None:
        if self._state not in states:
            raise InputError("poller", f"{method}() is not expected in state {self._state.value}")

    def _poll_request(self) -> HttpRequest:
        return build_sign_status_request(self.profile_id, self.request_id, token=self._token, **self._request_options)

    def _timeout(self, why: str) -> AdssPollTimeout:
        self._state = PollState.FAILED
        return AdssPollTimeout(
            SignStatus.TIMEOUT.value,
            self.request_id,
            f"the sign request {self.request_id!r} was still PENDING {why} ({self._attempt} polls)",
        )

    def _next(self, delay: float | None = None) -> Poll:
        """The next poll, its delay capped by the time left; AdssPollTimeout when none is left."""
        left = self._ends_at - self._clock()
        if left <= 0:
            raise self._timeout(f"at the {self._deadline:g} s deadline")
        if self._attempt >= self._max_polls:
            raise self._timeout(f"after max_polls={self._max_polls}")
        wait = self._next_delay if delay is None else delay
        if delay is None:
            self._next_delay = min(self._max_delay, self._next_delay * self._backoff)
        self._attempt += 1
        self._state = PollState.WAITING
        return Poll(self._poll_request(), min(wait, left), self._attempt)

    def _finish(self, result: SignResult) -> Signed:
        self._state = PollState.FAILED  # until verification passed
        report = verify_sign_response(self._sign_request, result, **self._verify_options)
        self._state = PollState.DONE
        return Signed(result, report)

    # ----------------------------------------------------------------- events

    def start(self) -> Poll | Signed:
        """The first poll (after ``first_delay``), or :class:`Signed` for a SUCCESS answer given to
        :meth:`for_answer`. Starts the deadline."""
        self._expect("start", PollState.IDLE)
        self._ends_at = self._clock() + self._deadline
        if self._immediate is not None:
            return self._finish(self._immediate)
        return self._next()

    def receive(self, status: int, body: bytes | bytearray | memoryview | str | None) -> Poll | Signed:
        """Feed the answer to the last :class:`Poll`; get the next one or :class:`Signed` (see the
        module docstring for what raises)."""
        self._expect("receive", PollState.WAITING)
        try:
            result = parse_sign_status(status, body)
        except CryptokitError:
            self._state = PollState.INTERRUPTED
            raise
        if result.status is SignStatus.PENDING:
            return self._next()
        if result.status is SignStatus.SUCCESS:
            return self._finish(result)
        self._state = PollState.FAILED
        raise_for_sign_status(result, self.request_id)
        raise AssertionError("unreachable: every final status without signatures raises")  # pragma: no cover

    def resume(self, *, token: TokenArg | None = None) -> Poll:
        """After an error raised by :meth:`receive`: the next poll, at once (``delay`` 0) when
        ``token`` is a renewed token (the refused one is dropped), otherwise after the usual
        backoff; within the same deadline and poll limit."""
        self._expect("resume", PollState.INTERRUPTED)
        if token is not None:
            self._token = _token_text(token)
            return self._next(0.0)
        return self._next()
