"""eMudhra emCA, sans-I/O: both halves of the certificate API's cryptography.

``from cryptokit.protocols import emca`` then ``emca.Validity``, ``emca.parse_valid_from``,
``emca.parse_request_ids``, ``emca.auth_key``, the createX509CertificatesByIdWithMultipleCsrData
client (:func:`build_create_certificates_request`, :func:`parse_create_certificates_response`) and
server (:func:`open_create_certificates_request`, :func:`issue_certificates`, :func:`build_response`).
README.md ("AES-256 envelopes and eMudhra emCA") says what the vendor documents and what cryptokit chose.
"""

from __future__ import annotations

from . import auth, errors, framing, requests, responses, server, strings
from .auth import *  # noqa: F403
from .errors import *  # noqa: F403
from .framing import *  # noqa: F403
from .requests import *  # noqa: F403
from .responses import *  # noqa: F403
from .server import *  # noqa: F403
from .strings import *  # noqa: F403

__all__ = [*errors.__all__, *auth.__all__, *strings.__all__, *framing.__all__, *requests.__all__,
    *responses.__all__, *server.__all__]
