"""emCA method names and routing by path (both halves).

The seed (``createCertificatesByIdWithMultipleCsrData``) is the contract; other emCA versions
document ``createX509CertificatesByIdWithMultipleCsrData`` for the same call, kept as an option.
A request's method is the last segment of its path (``/emCAServices/api/<method>`` or ``/<method>``).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Final

from ...errors import InputError
from .. import HttpRequest
from .errors import UnknownMethod

__all__ = [
    "METHOD_CREATE_CERTIFICATES",
    "METHOD_CREATE_X509_CERTIFICATES",
    "METHOD_GET_CERTIFICATE_BY_REQUEST_ID",
    "CREATE_METHODS",
    "method_of",
    "route",
]

#: The seed's method name (the default on both halves).
METHOD_CREATE_CERTIFICATES: Final = "createCertificatesByIdWithMultipleCsrData"
#: The same call under the name other emCA versions document (an option: ``method=``/``methods=``).
METHOD_CREATE_X509_CERTIFICATES: Final = "createX509CertificatesByIdWithMultipleCsrData"
#: The follow-up of a manually authorized request ("another API" in the seed).
METHOD_GET_CERTIFICATE_BY_REQUEST_ID: Final = "getCertificateByRequestID"
#: The create method names a server half answers by default: the seed's only.
CREATE_METHODS: Final = frozenset({METHOD_CREATE_CERTIFICATES})
_MAX_PATH = 2048


def method_of(path: object) -> str | None:
    """The method a path names: its last non-empty segment (query and fragment dropped); None if none."""
    if not isinstance(path, str) or len(path) > _MAX_PATH:
        return None
    bare = path.split("?", 1)[0].split("#", 1)[0]
    segments = [s for s in bare.split("/") if s]
    return segments[-1] if segments else None


def check_http_request(value: object) -> HttpRequest:
    """``value`` when it is an :class:`HttpRequest`; InputError ``http_request`` otherwise."""
    if not isinstance(value, HttpRequest):
        raise InputError("http_request", f"must be an HttpRequest, not {type(value).__name__}")
    return value


def route(http_request: HttpRequest, methods: Collection[str]) -> str:
    """The method ``http_request`` calls when it is a POST to one of ``methods`` (exact, case-sensitive,
    as a Java servlet mapping is); :class:`UnknownMethod` (HTTP 404) otherwise. InputError when
    ``http_request`` is not an :class:`HttpRequest` (a caller's bug)."""
    check_http_request(http_request)
    name = method_of(http_request.path)
    if http_request.method.upper() != "POST" or name is None or name not in methods:
        raise UnknownMethod()
    return name
