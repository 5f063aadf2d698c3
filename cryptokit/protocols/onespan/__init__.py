"""OneSpan DIGIPASS Gateway (REST v2) push signature, sans-I/O.

:func:`build_get_prepared_signature_request` fetches the Secure Channel message for a pushed
``requestKey``; :func:`build_auth_signature_request` sends the user's Digipass e-signature back;
:func:`parse_response` reads ``resultCodes`` (with ``request=``, it also checks that the answered
user is the one the request named) and :func:`parse_prepared_signature_response` returns the
Secure Channel message as a :class:`PreparedSignatureRequest`. Format rules the pages do not state
are cryptokit's documented defaults (:class:`FormatRules`), widened by name.
The e-signature is computed from a token secret held by the authentication server: it cannot be
verified offline, so cryptokit checks its format only and reports no "verified" flag; only the
server's ``returnCode`` 0 means it was accepted. The server half (:class:`EmbeddedGateway`,
``parse_*_http_request``, ``build_*_response``) answers what these builders send, deciding through
a caller's :class:`SignatureBackend` (:class:`MemoryBackend` for tests and demos).
"""

from __future__ import annotations

from . import errors, requests, responses, server
from .errors import *  # noqa: F403
from .requests import *  # noqa: F403
from .responses import *  # noqa: F403
from .server import *  # noqa: F403

__all__ = [*errors.__all__, *requests.__all__, *responses.__all__, *server.__all__]
