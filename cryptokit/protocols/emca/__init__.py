"""eMudhra emCA, sans-I/O: both halves of the certificate API's cryptography.

``from cryptokit.protocols import emca`` then ``emca.Validity``, ``emca.parse_valid_from``,
``emca.parse_request_ids``, ``emca.auth_key``, the createCertificatesByIdWithMultipleCsrData
client (:func:`build_create_certificates_request`, :func:`parse_create_certificates_response`), the
manual-authorization follow-up (:func:`build_follow_up_requests`,
:func:`parse_get_certificate_by_request_id_response`) and the server half (:func:`handle_request`
routing to :func:`handle_create_certificates` and :func:`handle_get_certificate_by_request_id`).
README.md ("AES-256 envelopes and eMudhra emCA") says what the vendor documents and what cryptokit chose.
"""

from __future__ import annotations

from . import auth, errors, framing, manual, methods, requests, responses, server, strings, verify
from .auth import *  # noqa: F403
from .errors import *  # noqa: F403
from .framing import *  # noqa: F403
from .manual import *  # noqa: F403
from .methods import *  # noqa: F403
from .requests import *  # noqa: F403
from .responses import *  # noqa: F403
from .server import *  # noqa: F403
from .strings import *  # noqa: F403
from .verify import *  # noqa: F403

__all__ = [
    *errors.__all__,
    *auth.__all__,
    *strings.__all__,
    *framing.__all__,
    *methods.__all__,
    *manual.__all__,
    *requests.__all__,
    *responses.__all__,
    *verify.__all__,
    *server.__all__,
]
