"""Every cryptokit exception survives a pickle round trip (a worker process, a task queue, a cache).

The classes are found by walking the package and following ``__subclasses__`` (a new class is
covered without editing this file). Each is built with a value for every parameter of its
constructor, defaults included (so an attribute a ``__reduce__`` forgets shows up), then pickled and
unpickled; the copy must have the same type, the same text, the same ``args`` and the same attributes.
"""

from __future__ import annotations

import importlib
import inspect
import pickle
import pkgutil
from typing import Any

import pytest

import cryptokit
from cryptokit.errors import CryptokitError
from cryptokit.report import Check, Report, SubIndication

#: A value for each constructor parameter name that occurs in the package's exception classes, never
#: its default, so a parameter a ``__reduce__`` drops changes the copy.
_VALUES: dict[str, Any] = {
    "field": "request.field",
    "rule": "must be the rule",
    "message": "the message text",
    "report": Report.from_checks([Check.failed("format", SubIndication.FORMAT_FAILURE, "bad", subject="x")]),
    "reason": "stale",
    "vendor": "somevendor",
    "code": "C-17",
    "http_status": 418,
    "state": "STATE_A",
    "event": "event_b",
    "document": 3,
    "name": "doc.pdf",
    "kind": "timeout",
    "method": "POST",
    "path": "/csc/v1/signatures/signHash",
    "detail": "read timed out",
    "attempts": 4,
    "bound": True,
    "status": "DECLINED",
    "request_id": "req-42",
    "return_code": 7,
    "status_code": 1007,
    "expected": "alice",
    "received": "mallory",
    "profile_id": "PROFILE-9",
    "prepared": (),
}


def _all_modules() -> None:
    for info in pkgutil.walk_packages(cryptokit.__path__, "cryptokit."):
        if info.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(info.name)
        except ImportError:  # an optional extra that is not installed here
            continue


def _error_classes() -> list[type[CryptokitError]]:
    _all_modules()
    found: dict[str, type[CryptokitError]] = {}
    todo: list[type[CryptokitError]] = [CryptokitError]
    while todo:
        cls = todo.pop()
        if cls.__module__.startswith("cryptokit"):
            found[f"{cls.__module__}.{cls.__qualname__}"] = cls
        todo.extend(cls.__subclasses__())
    return [found[key] for key in sorted(found)]


CLASSES = _error_classes()


def _instance(cls: type[CryptokitError]) -> CryptokitError:
    if not any("__init__" in vars(c) for c in cls.__mro__ if c.__module__.startswith("cryptokit")):
        # Exception's own constructor: one message
        return cls(_VALUES["message"])
    params = list(inspect.signature(cls).parameters.values())
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for param in params:
        if param.name not in _VALUES:
            raise AssertionError(f"{cls.__qualname__}: add a value for parameter {param.name!r} to _VALUES")
        elif param.kind is param.KEYWORD_ONLY:
            kwargs[param.name] = _VALUES[param.name]
        else:
            args.append(_VALUES[param.name])
    return cls(*args, **kwargs)


def _attributes(error: BaseException) -> dict[str, Any]:
    return {k: v for k, v in vars(error).items() if not k.startswith("__")}


def test_the_walk_finds_the_vendor_families() -> None:
    names = {cls.__qualname__ for cls in CLASSES}
    for expected in ("CscSadExpired", "ProfileDoesNotExist", "UnknownMethod", "AdssPollTimeout", "OneSpanLocked"):
        assert expected in names
    assert len(CLASSES) > 60


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: f"{cls.__module__}.{cls.__qualname__}")
def test_error_survives_pickle(cls: type[CryptokitError]) -> None:
    error = _instance(cls)
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is cls
    assert str(again) == str(error)
    assert again.args == error.args
    assert _attributes(again) == _attributes(error)
