"""The Signer.Digital key-authorization recovery as a sans-I/O state machine (in the style of h11).

A Sign call answered with OA03A, OA03B or OA04 means the key needs an OTP authorization. The
documented recovery is: GenKeyAuthOTP (the owner gets an OTP) -> SetKeyAuthOTP with that OTP ->
the same Sign call again, once. :class:`KeyAuthFlow` holds the state; the caller does the I/O::

    flow = KeyAuthFlow(sign_request, key_label="InvoiceSigner", csc_id=cid, password=pwd)
    step = flow.start()                          # the Sign request
    while isinstance(step, HttpRequest):
        status, body = send(step)                # your transport
        step = flow.receive(status, body)
        if isinstance(step, AwaitingOtp):
            step = flow.submit_otp(ask_user())   # the SetKeyAuthOTP request
    # step is Completed (the Sign answer to parse) or Failed (stage + typed error)

Every outcome other than the documented path is reported as :class:`Failed` (never raised, never
looped): an error at any stage, or a second OTP demand after the one retry. Calling a method the
current state does not expect raises :class:`KeyAuthFlowMisuse` (an InputError). The states and
their transitions are the one table :data:`TRANSITIONS`: every method checks it before acting and
every move is checked against it. The password and the OTP never appear in ``repr`` or in messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Unpack

from ...encoding import utf8
from ...errors import CryptokitError, InputError, KeyAuthOtpRequired
from .. import HttpRequest
from .._json import http_status
from .errors import KeyAuthFlowMisuse
from .requests import (
    GenKeyAuthOptions,
    KeyAuthOptions,
    build_gen_key_auth_otp_request,
    build_set_key_auth_otp_request,
)
from .responses import parse_response, raise_for_sign_answer

__all__ = ["FlowState", "TRANSITIONS", "AwaitingOtp", "Completed", "Failed", "KeyAuthFlow"]


class FlowState(StrEnum):
    IDLE = "idle"
    SIGNING = "signing"  # first Sign call sent
    GENERATING = "generating"  # GenKeyAuthOTP sent
    AWAITING_OTP = "awaiting_otp"  # the owner has been sent an OTP; call submit_otp()
    SUBMITTING = "submitting"  # SetKeyAuthOTP sent
    RETRYING = "retrying"  # second (last) Sign call sent
    DONE = "done"
    FAILED = "failed"


_S = FlowState
#: (state, method) -> the states that call may lead to. A method not listed for a state is a misuse.
TRANSITIONS: Mapping[tuple[FlowState, str], frozenset[FlowState]] = MappingProxyType(
    {
        (_S.IDLE, "start"): frozenset({_S.SIGNING}),
        (_S.SIGNING, "receive"): frozenset({_S.DONE, _S.GENERATING, _S.FAILED}),
        (_S.GENERATING, "receive"): frozenset({_S.AWAITING_OTP, _S.FAILED}),
        (_S.AWAITING_OTP, "submit_otp"): frozenset({_S.SUBMITTING}),
        (_S.SUBMITTING, "receive"): frozenset({_S.RETRYING, _S.FAILED}),
        (_S.RETRYING, "receive"): frozenset({_S.DONE, _S.FAILED}),
    }
)


@dataclass(frozen=True, slots=True)
class AwaitingOtp:
    """GenKeyAuthOTP succeeded: ask the key owner for the OTP and pass it to :meth:`KeyAuthFlow.submit_otp`."""

    key_label: str
    message: str | None = None


@dataclass(frozen=True, slots=True)
class Completed:
    """The Sign call was answered without an OTP demand; ``body`` is its answer, for the caller to parse.

    ``otp_authorized`` says whether the key-authorization path was taken before this answer.
    """

    status: int
    body: bytes = field(repr=False)
    otp_authorized: bool = False


@dataclass(frozen=True, slots=True)
class Failed:
    """The flow stopped: ``stage`` ("sign", "gen_otp", "set_otp" or "retry") and the typed ``error``."""

    stage: str
    error: CryptokitError


Step = HttpRequest | AwaitingOtp | Completed | Failed


def _sign_answer(status: int, body: bytes | str) -> CryptokitError | None:
    """The error a Sign answer carries (in any shape: see :func:`~.responses.raise_for_sign_answer`), or None."""
    try:
        raise_for_sign_answer(status, body)
    except CryptokitError as exc:
        return exc
    return None


class KeyAuthFlow:
    """Drive Sign -> (OA03x) GenKeyAuthOTP -> OTP -> SetKeyAuthOTP -> Sign once more. See the module docstring."""

    __slots__ = ("_csc_id", "_key_label", "_options", "_password", "_profile_param", "_sign_request", "_state")

    def __init__(
        self,
        sign_request: HttpRequest,
        *,
        key_label: str,
        csc_id: str,
        password: str,
        **options: Unpack[GenKeyAuthOptions],
    ) -> None:
        """``options``: :class:`~.requests.GenKeyAuthOptions`, as the two builders take them."""
        if not isinstance(sign_request, HttpRequest):
            raise InputError("sign_request", "must be the HttpRequest of the Sign call")
        self._sign_request = sign_request
        self._key_label = key_label
        self._csc_id = csc_id
        self._password = password
        self._profile_param = options.pop("profile_param", "ClientAppProfName")
        self._options: KeyAuthOptions = options
        # Build once now so that bad arguments fail at construction, not halfway through.
        self._gen_request()
        self._state = FlowState.IDLE

    @property
    def state(self) -> FlowState:
        return self._state

    def __repr__(self) -> str:
        return f"KeyAuthFlow(state={self._state.value}, key_label={self._key_label!r})"

    def _expect(self, method: str) -> FlowState:
        """The current state, when ``method`` is one of its transitions; KeyAuthFlowMisuse otherwise."""
        if (self._state, method) not in TRANSITIONS:
            raise KeyAuthFlowMisuse(self._state.value, method)
        return self._state

    def _move(self, method: str, origin: FlowState, target: FlowState) -> None:
        if target not in TRANSITIONS[(origin, method)]:  # pragma: no cover - the table and the code disagree
            raise AssertionError(f"KeyAuthFlow: {origin.value} --{method}--> {target.value} is not in TRANSITIONS")
        self._state = target

    def _gen_request(self) -> HttpRequest:
        return build_gen_key_auth_otp_request(
            key_label=self._key_label,
            csc_id=self._csc_id,
            password=self._password,
            profile_param=self._profile_param,
            **self._options,
        )

    def _fail(self, origin: FlowState, stage: str, error: CryptokitError) -> Failed:
        self._move("receive", origin, FlowState.FAILED)
        return Failed(stage, error)

    def start(self) -> HttpRequest:
        """The first Sign request."""
        origin = self._expect("start")
        self._move("start", origin, FlowState.SIGNING)
        return self._sign_request

    def receive(self, status: int, body: bytes | str) -> Step:
        """Feed the answer to the request last returned; get the next request or an outcome."""
        state = self._expect("receive")
        http_status(status)
        if state in (FlowState.SIGNING, FlowState.RETRYING):
            stage = "sign" if state is FlowState.SIGNING else "retry"
            error = _sign_answer(status, body)
            if error is None:
                self._move("receive", state, FlowState.DONE)
                raw = utf8(body, "body") if isinstance(body, str) else bytes(body)
                return Completed(status, raw, otp_authorized=state is FlowState.RETRYING)
            if isinstance(error, KeyAuthOtpRequired) and state is FlowState.SIGNING:
                self._move("receive", state, FlowState.GENERATING)
                return self._gen_request()
            return self._fail(state, stage, error)
        stage = "gen_otp" if state is FlowState.GENERATING else "set_otp"
        try:
            resp = parse_response(status, body)
        except CryptokitError as exc:
            return self._fail(state, stage, exc)
        if state is FlowState.GENERATING:
            self._move("receive", state, FlowState.AWAITING_OTP)
            return AwaitingOtp(self._key_label, resp.message)
        self._move("receive", state, FlowState.RETRYING)
        return self._sign_request

    def submit_otp(self, otp: str) -> HttpRequest:
        """The SetKeyAuthOTP request carrying the owner's ``otp`` (checked for shape, never shown)."""
        origin = self._expect("submit_otp")
        request = build_set_key_auth_otp_request(
            otp=otp, key_label=self._key_label, csc_id=self._csc_id, password=self._password, **self._options
        )
        self._move("submit_otp", origin, FlowState.SUBMITTING)
        return request
