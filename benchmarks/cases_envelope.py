"""Envelope benchmarks: seal + open of a 1 MiB JSON body against raw AES-GCM, in the same run.

All AES-256-GCM, all against ``cryptography``'s ``AESGCM`` called by hand:

- ``envelope-1mib-json-raw``: :meth:`Envelope.seal` of a 1 MiB JSON document and
  :meth:`Envelope.open_json` of the token (orjson + AES-GCM + base64 text, the wire format) against
  raw ``AESGCM`` doing the same round trip with no base64 at all (orjson.dumps, encrypt, decrypt,
  orjson.loads). This is the issue's target: the whole envelope beside the bare cipher.
- ``envelope-1mib-json``: :meth:`Envelope.seal` / :meth:`Envelope.open` against the same steps
  written by hand with the standard library's base64 (what a careful user would write without
  cryptokit). cryptokit's SIMD base64 (pybase64) is why this ratio is far above 1.
- ``envelope-1mib-raw``: :meth:`Envelope.seal_bytes` / :meth:`Envelope.open_bytes` (no base64)
  against bare ``AESGCM.encrypt`` / ``AESGCM.decrypt`` of the serialised body.
"""

from __future__ import annotations

import binascii
import os
from collections.abc import Callable
from typing import Any

import orjson
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from cryptokit.envelope import Envelope

from .ratio import Ratio, measure

MiB = 1024 * 1024


def json_body(size: int = MiB) -> dict[str, Any]:
    """A JSON document whose orjson serialisation is ``size`` bytes or a little more."""
    row = {"id": 0, "csr": "A" * 200, "subject": "CN=Test User,O=cryptokit,C=IN", "ok": True}
    per = len(orjson.dumps(row)) + 1
    return {"requests": [dict(row, id=i) for i in range((size // per) + 1)]}


def case_envelope_json_vs_raw(quick: bool = False) -> Ratio:
    doc = json_body(MiB)
    key = os.urandom(32)
    env = Envelope(key)
    aesgcm = AESGCM(key)
    rounds = 5 if quick else 20
    assert env.open_json(env.seal(doc)) == doc

    def bare() -> None:
        for _ in range(rounds):
            nonce = os.urandom(12)
            orjson.loads(aesgcm.decrypt(nonce, aesgcm.encrypt(nonce, orjson.dumps(doc), None), None))

    def ours() -> None:
        for _ in range(rounds):
            env.open_json(env.seal(doc))

    return measure(
        "envelope seal+open_json, 1 MiB JSON, base64 token (vs raw AESGCM + orjson, no base64)",
        bare,
        ours,
        ops=rounds,
        target=0.8,
        repeat=3 if quick else 7,
    )


def case_envelope_json(quick: bool = False) -> Ratio:
    doc = json_body(MiB)
    key = os.urandom(32)
    env = Envelope(key)
    aesgcm = AESGCM(key)
    rounds = 5 if quick else 20

    def bare() -> None:
        for _ in range(rounds):
            nonce = os.urandom(12)
            token = binascii.b2a_base64(nonce + aesgcm.encrypt(nonce, orjson.dumps(doc), None), newline=False)
            raw = binascii.a2b_base64(token, strict_mode=True)
            aesgcm.decrypt(raw[:12], raw[12:], None)

    def ours() -> None:
        for _ in range(rounds):
            env.open(env.seal(doc))

    return measure(
        "envelope seal+open, 1 MiB JSON, base64 token (vs hand-written AESGCM+orjson+binascii base64)",
        bare,
        ours,
        ops=rounds,
        target=0.8,
        repeat=3 if quick else 7,
    )


def case_envelope_raw(quick: bool = False) -> Ratio:
    body = orjson.dumps(json_body(MiB))
    key = os.urandom(32)
    env = Envelope(key)
    aesgcm = AESGCM(key)
    rounds = 10 if quick else 50

    def bare() -> None:
        for _ in range(rounds):
            nonce = os.urandom(12)
            aesgcm.decrypt(nonce, aesgcm.encrypt(nonce, body, None), None)

    def ours() -> None:
        for _ in range(rounds):
            env.open_bytes(env.seal_bytes(body))

    return measure(
        "envelope seal_bytes+open_bytes, 1 MiB (vs bare AESGCM encrypt+decrypt)",
        bare,
        ours,
        ops=rounds,
        target=0.8,
        repeat=3 if quick else 7,
    )


CASES: dict[str, Callable[..., Ratio]] = {
    "envelope-1mib-json-raw": case_envelope_json_vs_raw,
    "envelope-1mib-json": case_envelope_json,
    "envelope-1mib-raw": case_envelope_raw,
}
