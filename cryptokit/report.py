"""Validation reports in the ETSI EN 319 102-1 / EU DSS model: facts, then policy, then indication.

A validator gathers :class:`Check` values (one per fact per subject: "signature over attributes of
signer 1: failed"), and :func:`derive` turns them into an indication and sub-indication:

- any failed check whose sub-indication is final (FORMAT_FAILURE, HASH_FAILURE, SIG_CRYPTO_FAILURE,
  REVOKED, EXPIRED, NOT_YET_VALID) gives TOTAL_FAILED with that sub-indication;
- otherwise any failed check gives INDETERMINATE with its sub-indication (e.g.
  NO_CERTIFICATE_CHAIN_FOUND, CHAIN_CONSTRAINTS_FAILURE, CRYPTO_CONSTRAINTS_FAILURE, TRY_LATER);
- otherwise TOTAL_PASSED.

The first qualifying check (in the order the validator ran them) names the sub-indication.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

__all__ = [
    "Indication",
    "SubIndication",
    "Outcome",
    "Check",
    "Report",
    "HasReport",
    "derive",
    "fail_closed",
    "failing_closed",
]


class Indication(StrEnum):
    TOTAL_PASSED = "TOTAL_PASSED"
    TOTAL_FAILED = "TOTAL_FAILED"
    INDETERMINATE = "INDETERMINATE"


class SubIndication(StrEnum):
    FORMAT_FAILURE = "FORMAT_FAILURE"
    HASH_FAILURE = "HASH_FAILURE"
    SIG_CRYPTO_FAILURE = "SIG_CRYPTO_FAILURE"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"
    NOT_YET_VALID = "NOT_YET_VALID"
    SIG_CONSTRAINTS_FAILURE = "SIG_CONSTRAINTS_FAILURE"
    CHAIN_CONSTRAINTS_FAILURE = "CHAIN_CONSTRAINTS_FAILURE"
    CERTIFICATE_CHAIN_GENERAL_FAILURE = "CERTIFICATE_CHAIN_GENERAL_FAILURE"
    CRYPTO_CONSTRAINTS_FAILURE = "CRYPTO_CONSTRAINTS_FAILURE"
    CRYPTO_CONSTRAINTS_FAILURE_NO_POE = "CRYPTO_CONSTRAINTS_FAILURE_NO_POE"
    NO_SIGNING_CERTIFICATE_FOUND = "NO_SIGNING_CERTIFICATE_FOUND"
    NO_CERTIFICATE_CHAIN_FOUND = "NO_CERTIFICATE_CHAIN_FOUND"
    REVOKED_NO_POE = "REVOKED_NO_POE"
    OUT_OF_BOUNDS_NO_POE = "OUT_OF_BOUNDS_NO_POE"
    TRY_LATER = "TRY_LATER"
    SIGNED_DATA_NOT_FOUND = "SIGNED_DATA_NOT_FOUND"
    POLICY_PROCESSING_ERROR = "POLICY_PROCESSING_ERROR"


#: Sub-indications that make a result TOTAL_FAILED (EN 319 102-1, table 5); all others are INDETERMINATE.
FINAL_FAILURES = frozenset(
    {
        SubIndication.FORMAT_FAILURE,
        SubIndication.HASH_FAILURE,
        SubIndication.SIG_CRYPTO_FAILURE,
        SubIndication.REVOKED,
        SubIndication.EXPIRED,
        SubIndication.NOT_YET_VALID,
    }
)


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"  # not applicable or not required by the policy; never a pass in disguise


_NO_DETAILS: Mapping[str, Any] = MappingProxyType({})
#: the empty, read-only ``details`` every check without details shares
NO_DETAILS = _NO_DETAILS


def _frozen(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping)) if mapping else _NO_DETAILS  # read-only: one empty one serves all


@dataclass(frozen=True, slots=True)
class Check:
    """One fact about one subject: ``name`` (e.g. ``signature``), ``outcome``, a human
    ``message``, the ``subject`` it is about (a certificate subject, ``signer[0]``, ``doc[3]``),
    the ``sub_indication`` a failure implies, and free-form JSON-able ``details``."""

    name: str
    outcome: Outcome
    message: str = ""
    subject: str | None = None
    sub_indication: SubIndication | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "details", _frozen(self.details))

    def __reduce__(self) -> tuple[Any, ...]:
        # The read-only details view does not pickle; send a dict (the copy freezes it again).
        fields = (self.name, self.outcome, self.message, self.subject, self.sub_indication, dict(self.details))
        return (Check, fields)

    @classmethod
    def passed(cls, name: str, message: str = "", *, subject: str | None = None, **details: Any) -> Check:
        if cls is Check:
            return new_check(name, Outcome.PASSED, message, subject, None, _frozen(details))
        return cls(name, Outcome.PASSED, message, subject, None, details)

    @classmethod
    def failed(
        cls,
        name: str,
        sub_indication: SubIndication,
        message: str,
        *,
        subject: str | None = None,
        **details: Any,
    ) -> Check:
        if cls is Check:
            return new_check(name, Outcome.FAILED, message, subject, sub_indication, _frozen(details))
        return cls(name, Outcome.FAILED, message, subject, sub_indication, details)

    @classmethod
    def skipped(cls, name: str, message: str = "", *, subject: str | None = None, **details: Any) -> Check:
        if cls is Check:
            return new_check(name, Outcome.SKIPPED, message, subject, None, _frozen(details))
        return cls(name, Outcome.SKIPPED, message, subject, None, details)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "outcome": self.outcome.value, "message": self.message}
        if self.subject is not None:
            out["subject"] = self.subject
        if self.sub_indication is not None:
            out["sub_indication"] = self.sub_indication.value
        if self.details:
            out["details"] = {k: _jsonable(v) for k, v in self.details.items()}
        return out


_FIELDS = ("name", "outcome", "message", "subject", "sub_indication", "details")
_SLOTS = tuple(Check.__dict__[f].__set__ for f in _FIELDS)


def new_check(
    name: str,
    outcome: Outcome,
    message: str,
    subject: str | None,
    sub_indication: SubIndication | None,
    details: Mapping[str, Any],
) -> Check:
    """``Check(...)`` with ``details`` already read-only (``MappingProxyType``, e.g. :data:`NO_DETAILS`),
    its slots set directly: what ``passed``, ``failed`` and ``skipped`` build (a chain report builds
    dozens a call), about half the cost of the dataclass ``__init__`` and ``__post_init__`` round
    trip. The value is the same. For validators in this package; not part of the public API."""
    check = object.__new__(Check)
    set_name, set_outcome, set_message, set_subject, set_sub, set_details = _SLOTS
    set_name(check, name)
    set_outcome(check, outcome)
    set_message(check, message)
    set_subject(check, subject)
    set_sub(check, sub_indication)
    set_details(check, details)
    return check


def _jsonable(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, bytes):
        return value.hex()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def derive(checks: Iterable[Check]) -> tuple[Indication, SubIndication | None]:
    """Indication and sub-indication from the checks (see the module docstring). ``checks`` that is
    not an iterable of :class:`Check` is an InputError naming ``checks``."""
    try:
        return _verdict(check.sub_indication for check in checks if check.outcome is Outcome.FAILED)
    except (TypeError, AttributeError):  # the type check costs nothing on the good path
        from .errors import InputError

        raise InputError("checks", "must be an iterable of Check values") from None


def _verdict(failed: Iterable[SubIndication | None]) -> tuple[Indication, SubIndication | None]:
    """:func:`derive` from the sub-indications of the failed checks, in order."""
    first_indeterminate: SubIndication | None = None
    for sub in failed:
        sub = sub or SubIndication.POLICY_PROCESSING_ERROR
        if sub in FINAL_FAILURES:
            return Indication.TOTAL_FAILED, sub
        if first_indeterminate is None:
            first_indeterminate = sub
    if first_indeterminate is not None:
        return Indication.INDETERMINATE, first_indeterminate
    return Indication.TOTAL_PASSED, None


#: A check not built yet: the arguments of :func:`new_check` in order (``details`` read-only). What a
#: validator collects where most reports are read only for their verdict (see :func:`pending_report`).
CheckSpec = tuple[str, Outcome, str, "str | None", "SubIndication | None", Mapping[str, Any]]


def build_check(item: Check | CheckSpec) -> Check:
    """``item`` as a :class:`Check` (a :data:`CheckSpec` is built, a check is itself)."""
    return item if type(item) is Check else new_check(*item)  # type: ignore[misc]


class _Pending:
    """Report's base: a slot for the checks of a :func:`pending_report` until they are first read."""

    __slots__ = ("_pending",)


@dataclass(frozen=True, slots=True)
class Report(_Pending):
    """A verdict and the checks behind it. ``ok`` is True only for TOTAL_PASSED."""

    indication: Indication
    sub_indication: SubIndication | None
    checks: tuple[Check, ...]

    @classmethod
    def from_checks(cls, checks: Iterable[Check]) -> Report:
        items = tuple(checks)
        indication, sub = derive(items)
        return cls(indication, sub, items)

    @property
    def ok(self) -> bool:
        return self.indication is Indication.TOTAL_PASSED

    def failures(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.outcome is Outcome.FAILED)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "indication": self.indication.value,
            "sub_indication": self.sub_indication.value if self.sub_indication else None,
            "checks": [c.to_dict() for c in self.checks],
        }


_CHECKS_SLOT = Report.__dict__["checks"]  # the slot the dataclass made for the field
_PENDING_SLOT = _Pending.__dict__["_pending"]
_INDICATION_SLOT, _SUB_INDICATION_SLOT = Report.__dict__["indication"], Report.__dict__["sub_indication"]


def _checks(report: Report) -> tuple[Check, ...]:
    try:
        return _CHECKS_SLOT.__get__(report, Report)  # type: ignore[no-any-return]
    except AttributeError:
        pending = _PENDING_SLOT.__get__(report, _Pending)  # neither set: the AttributeError of an unset field
        if pending is None:  # another thread built them meanwhile
            return _CHECKS_SLOT.__get__(report, Report)  # type: ignore[no-any-return]
        checks = tuple([c if type(c) is Check else new_check(*c) for c in pending])
        _CHECKS_SLOT.__set__(report, checks)
        _PENDING_SLOT.__set__(report, None)
        return checks


# ``checks`` reads through the field's slot, building a pending report's checks on first use; the
# dataclass's __init__, __eq__, __hash__, __repr__, pickling and replace() all go through it, so a
# pending report is the report its checks would make in every respect.
setattr(Report, "checks", property(_checks, _CHECKS_SLOT.__set__, doc="The checks, in the order they ran."))  # noqa: B010


_FAILED = Outcome.FAILED
_PASSED_VERDICT: tuple[Indication, SubIndication | None] = (Indication.TOTAL_PASSED, None)


def pending_report(items: Sequence[Check | CheckSpec]) -> Report:
    """``Report.from_checks`` of ``items`` built, with the indication derived now and the
    :class:`Check` objects built when ``checks`` (or anything reading it: ``failures()``,
    ``to_dict()``, equality, repr, pickling) is first read: a validator whose reports are mostly
    read for ``ok`` alone does not build dozens of checks a call. For validators in this package;
    not part of the public API."""
    failed: list[SubIndication | None] = []
    for c in items:  # a plain loop: a generator over a chain report's items costs twice as much
        if type(c) is tuple:
            if c[1] is _FAILED:
                failed.append(c[4])
        elif c.outcome is _FAILED:  # type: ignore[union-attr]
            failed.append(c.sub_indication)  # type: ignore[union-attr]
    indication, sub = _verdict(failed) if failed else _PASSED_VERDICT
    report: Report = object.__new__(Report)
    _INDICATION_SLOT.__set__(report, indication)
    _SUB_INDICATION_SLOT.__set__(report, sub)
    _PENDING_SLOT.__set__(report, tuple(items))
    return report


class HasReport:
    """Mixin for a result that carries its verdict in a ``report`` attribute (a :class:`Report`):
    ``ok``, ``indication``, ``sub_indication``, ``checks`` and ``failures()`` read through to it.
    Holds no state (``__slots__ = ()``), so frozen slotted dataclasses can use it."""

    __slots__ = ()

    if TYPE_CHECKING:

        @property
        def report(self) -> Report | HasReport: ...

    @property
    def ok(self) -> bool:
        return self.report.ok

    @property
    def indication(self) -> Indication:
        return self.report.indication

    @property
    def sub_indication(self) -> SubIndication | None:
        return self.report.sub_indication

    @property
    def checks(self) -> tuple[Check, ...]:
        return self.report.checks

    def failures(self) -> tuple[Check, ...]:
        return self.report.failures()

    def to_dict(self) -> dict[str, Any]:
        """The verdict as JSON-able data; results with more to say extend it."""
        return self.report.to_dict()


_R = TypeVar("_R", bound=HasReport)
_P = ParamSpec("_P")


def fail_closed(result: _R, what: str) -> _R:
    """``result`` when its report passed; else :class:`~cryptokit.errors.VerificationFailed` carrying
    it (``.report``), with the indication, sub-indication and first failure in the message. The one
    rule behind every ``verify_*`` that has a ``validate_*`` twin. A ``result`` that carries no report
    is an InputError naming ``result``."""
    try:
        if result.ok:
            return result
    except AttributeError:
        if isinstance(result, HasReport):
            raise  # a fault inside a real result's report: not the caller's input
        from .errors import InputError

        raise InputError("result", f"must be a result with a report, not {type(result).__name__}") from None
    from .errors import VerificationFailed

    failures = result.failures()
    reason = f": {failures[0].message}" if failures else ""
    sub = f" / {result.sub_indication.value}" if result.sub_indication is not None else ""
    raise VerificationFailed(f"{what} failed verification ({result.indication.value}{sub}){reason}", result)


def failing_closed(validate: Callable[_P, _R], what: str) -> Callable[_P, _R]:
    """The ``verify_*`` twin of a ``validate_*`` function: same arguments, :func:`fail_closed` result.
    ``validate`` not a named function or ``what`` not text is an InputError naming it."""
    if not callable(validate) or not isinstance(getattr(validate, "__name__", None), str):
        from .errors import InputError

        raise InputError("validate", f"must be a named function, not {type(validate).__name__}")
    if not isinstance(what, str):
        from .errors import InputError

        raise InputError("what", f"must be text, not {type(what).__name__}")

    @functools.wraps(validate)
    def verify(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        return fail_closed(validate(*args, **kwargs), what)

    name = validate.__name__.replace("validate_", "verify_", 1)
    verify.__name__, verify.__qualname__ = name, validate.__qualname__.replace(validate.__name__, name)
    verify.__doc__ = (
        f":func:`{validate.__name__}`, failing closed: the same arguments and result, but a failed check "
        "raises :class:`~cryptokit.errors.VerificationFailed` carrying the result (``.report``)."
    )
    return verify
