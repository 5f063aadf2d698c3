"""No foreign exception escapes a public function (issue 15, point 5).

Every public ``parse_*``, ``load_*``, ``open_*``, ``verify_*`` and ``validate_*`` function of the
package is found by walking it (a new one is covered without editing this file) and fed, in every
required argument:

* ``str`` values holding lone surrogates, which is what ``bytes.decode(..., "surrogateescape")``
  gives for an answer that is not UTF-8 (they made ``UnicodeEncodeError`` escape every vendor
  parser, ``load_certificates``, ``validate_chain`` and ``AuthKeyVerifier.verify``);
* a properly CA-signed certificate whose key algorithm nobody knows, as an object, PEM text and DER
  (``cryptography``'s own ``UnsupportedAlgorithm`` escaped the CSC and emCA verifiers).

The only allowed outcomes are a return value or a :class:`CryptokitError`.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cryptokit
from cryptokit.errors import CryptokitError
from cryptokit.protocols.emca import AuthKeyVerifier
from tests.pki import make_pki
from tests.signatures.test_certificate_key import unknown_key_certificate

PREFIXES = ("parse_", "load_", "open_", "verify_", "validate_")
#: Functions of the bulk engine's worker protocol: they read rows the engine itself built and pickled
#: (not input from outside); the public entry point, ``verify_many``, checks every job first. And the
#: one direct cryptography call of the verification fast path, documented to raise cryptography's own
#: exceptions, which its callers (``verify_digest``, the bulk worker) turn into typed ones.
INTERNAL = {
    "cryptokit.bulk.worker.verify_chunk",
    "cryptokit.bulk.worker.verify_rows",
    "cryptokit.signatures.prehashed.verify_direct",
}


def _public_functions() -> dict[str, Callable[..., Any]]:
    found: dict[str, Callable[..., Any]] = {}
    for info in pkgutil.walk_packages(cryptokit.__path__, "cryptokit."):
        if info.name.startswith(("cryptokit.cli", "cryptokit.__main__")) or "._" in info.name:
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an optional extra (pyHanko, httpx, ...) that is not installed here
            continue
        for name, obj in vars(module).items():
            if not name.startswith(PREFIXES) or not callable(obj):
                continue
            if getattr(obj, "__module__", "") != module.__name__:
                continue  # counted where it is defined
            qualified = f"{module.__name__}.{name}"
            if qualified not in INTERNAL:
                found[qualified] = obj
    verifier = AuthKeyVerifier()
    found["cryptokit.protocols.emca.AuthKeyVerifier.verify"] = verifier.verify
    found["cryptokit.protocols.emca.AuthKeyVerifier.verify_headers"] = verifier.verify_headers
    return found


FUNCTIONS = _public_functions()


def test_the_walk_finds_the_functions_the_issue_names() -> None:
    for name in (
        "cryptokit.certificates.load_certificates",
        "cryptokit.chain.validate.validate_chain",
        "cryptokit.protocols.csc.verify.validate_sign_hash_response",
        "cryptokit.protocols.csc.verify.verify_sign_hash_response",
        "cryptokit.protocols.emca.verify.parse_create_certificates_response",
        "cryptokit.protocols.adss.responses.parse_sign_response",
        "cryptokit.pkcs12.load_pfx",
    ):
        assert name in FUNCTIONS, name
    assert len(FUNCTIONS) > 40


def _call(fn: Callable[..., Any], value: Any) -> None:
    """``fn`` with ``value`` in every required parameter (an HTTP status where one is asked)."""
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for p in inspect.signature(fn).parameters.values():
        if p.default is not inspect.Parameter.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        v = 200 if p.name in ("status", "status_code") else value
        if p.kind is p.KEYWORD_ONLY:
            kwargs[p.name] = v
        else:
            args.append(v)
    try:
        fn(*args, **kwargs)
    except CryptokitError:
        pass


SURROGATE_TEXT = (
    st.lists(
        st.one_of(
            st.characters(min_codepoint=0xDC80, max_codepoint=0xDCFF),  # surrogateescape of bytes 0x80..0xff
            st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
            st.sampled_from(['{"a": "', '"}', "-----BEGIN CERTIFICATE-----\n", "CN=x~O=y", "|", " ", "MII"]),
            st.text(max_size=4),
        ),
        min_size=1,
        max_size=12,
    )
    .map("".join)
    .filter(lambda s: any(0xD800 <= ord(c) <= 0xDFFF for c in s))
)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=SURROGATE_TEXT)
def test_lone_surrogates_raise_only_cryptokit_errors(name: str, text: str) -> None:
    _call(FUNCTIONS[name], text)


@pytest.fixture(scope="module")
def odd_certificate_forms() -> list[Any]:
    pki = make_pki("p256", label="odd")
    cert = unknown_key_certificate(pki.intermediate, pki.intermediate_key)
    return [
        cert,
        [cert, pki.intermediate],
        cert.public_bytes(serialization.Encoding.PEM).decode(),
        cert.public_bytes(serialization.Encoding.DER),
    ]


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_unknown_key_algorithm_certificates_raise_only_cryptokit_errors(
    name: str, odd_certificate_forms: list[Any]
) -> None:
    for value in odd_certificate_forms:
        _call(FUNCTIONS[name], value)
