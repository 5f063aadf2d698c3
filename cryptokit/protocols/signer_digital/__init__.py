"""Signer.Digital "Kluis" cloud signing: key-authorization OTP, sans-I/O.

:func:`build_gen_key_auth_otp_request` and :func:`build_set_key_auth_otp_request` build the two
calls, :func:`parse_response` reads their ``RespErrPl`` answers, and :class:`KeyAuthFlow` drives
the documented recovery when a Sign call answers OA03A, OA03B or OA04
(:class:`~cryptokit.errors.KeyAuthOtpRequired`). The server half, :class:`EmbeddedSigner` (``server``),
answers the same calls with a caller-supplied :class:`KeyAuthBackend` deciding.
"""

from __future__ import annotations

from . import errors, flow, requests, responses, server
from .errors import *  # noqa: F403
from .flow import *  # noqa: F403
from .requests import *  # noqa: F403
from .responses import *  # noqa: F403
from .server import *  # noqa: F403

__all__ = [*errors.__all__, *requests.__all__, *responses.__all__, *flow.__all__, *server.__all__]
