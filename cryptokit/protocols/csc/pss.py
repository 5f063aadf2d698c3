"""RSASSA-PSS-params for CSC ``signAlgoParams``: the library's one implementation, under CSC's names.

See :mod:`cryptokit.signatures.pss_params` (absent fields take the RFC 4055 defaults; only MGF1 and trailer
field 1 are accepted).
"""

from __future__ import annotations

from ...signatures.pss_params import MAX_PARAMS, PssParams, encode_pss_params, parse_pss_params

__all__ = ["PssParams", "encode_pss_params", "parse_pss_params", "MAX_PARAMS"]
