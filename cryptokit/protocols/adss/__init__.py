"""Ascertia ADSS Server, CSP service (REST v2), sans-I/O.

Builders return :class:`~cryptokit.protocols.HttpRequest` values (paths relative to the server's
base URL, e.g. ``https://server:8779``); parsers take ``(status, body)`` and return typed values,
raise an :class:`AdssError` subclass for an ADSS error answer and :class:`~cryptokit.errors.InputError`
for a body that is not the documented shape. :func:`validate_sign_response` checks returned
signatures offline (scheme, encoding, chain) and returns a DSS-style report (check ``.ok``);
:func:`verify_sign_response` returns it only when it passed and raises
:class:`~cryptokit.errors.VerificationFailed` (with ``.report``) otherwise.

    from cryptokit.protocols import adss
    req = adss.build_sign_request(hashes, profile_id="CSP Service Profile", cert_alias=alias, token=tok)
    result = adss.parse_sign_response(status, body)
    report = adss.verify_sign_response(req, result, certificate=cert, trust_anchors=[root])

:class:`SignStatusPoller` (:mod:`.poll`) drives a PENDING request to its final status, sans-I/O.

The server half (:mod:`.server`): :func:`parse_sign_request`, :func:`sign_hashes`,
:func:`build_sign_response`, :func:`build_error_response` and :class:`EmbeddedSigner`.
"""

from __future__ import annotations

from typing import Any

from . import errors, password_policy, poll, requests, responses, server, values, verify
from .errors import *  # noqa: F403
from .password_policy import *  # noqa: F403
from .poll import *  # noqa: F403
from .requests import *  # noqa: F403
from .responses import *  # noqa: F403
from .server import *  # noqa: F403
from .values import *  # noqa: F403
from .verify import *  # noqa: F403

# documents in, verified CMS out (loaded on first use: it imports the CMS block)
_DOCUMENTS = ("sign_documents", "finish_documents", "SigningPending", "DocumentOptions")

__all__ = [
    *errors.__all__,
    *values.__all__,
    *password_policy.__all__,
    *requests.__all__,
    *responses.__all__,
    *verify.__all__,
    *poll.__all__,
    *server.__all__,
    *_DOCUMENTS,
]


def __getattr__(name: str) -> Any:
    if name in _DOCUMENTS:
        from . import documents

        return getattr(documents, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

