"""OneSpan DIGIPASS Gateway (REST v2) push signature, sans-I/O.

:func:`build_get_prepared_signature_request` fetches the Secure Channel message for a pushed
``requestKey``; :func:`build_auth_signature_request` sends the user's Digipass e-signature back;
:func:`parse_response` reads ``resultCodes``. The e-signature is computed from a token secret held
by the authentication server: it cannot be verified offline, so cryptokit checks its format only
and reports no "verified" flag; only the server's ``returnCode`` 0 means it was accepted.
"""

from __future__ import annotations

from . import errors, requests, responses
from .errors import *  # noqa: F403
from .requests import *  # noqa: F403
from .responses import *  # noqa: F403

__all__ = [*errors.__all__, *requests.__all__, *responses.__all__]
