"""Secret hygiene: marker values used as passwords, keys, OTPs, tokens and AES keys never show up
in a repr, a str, an exception message (with its __cause__/__context__ chain), a log record, a
warning or CLI output, on success paths and on failing ones.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import os
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from cryptokit.errors import CryptokitError
from cryptokit.hashing import hash_to_sign
from cryptokit.pkcs12 import KeyBundle
from tests.pki import make_key, make_pki

MARKER = "S3CR3T-MARKER-7f1e"
AES_KEY = (MARKER + "-" * 32).encode()[:32]  # 32 bytes that start with the marker
HEX_MARKER = "5ec7e75ec7e7" * 3 + "5ec7"  # 40 hex digits: an emKey-shaped secret
OTP_MARKER = "73194620"  # an OTP/e-signature-shaped secret
FORMS = (
    MARKER,
    MARKER.lower(),
    MARKER.encode().hex(),
    base64.b64encode(MARKER.encode()).decode()[:20],
    AES_KEY.hex(),
    base64.b64encode(AES_KEY).decode()[:40],
    HEX_MARKER,
    OTP_MARKER,
    ", ".join(str(b) for b in MARKER.encode()[:8]),  # the password as a list of byte values
)
ROOT = Path(__file__).resolve().parents[2]


def _leaks(text: str) -> list[str]:
    return [f for f in FORMS if f in text]


def _exception_texts(exc: BaseException) -> Iterator[str]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield str(e)
        yield repr(e)
        yield from (repr(a) for a in e.args)
        for attr in ("field", "rule", "reason", "message", "code"):
            if hasattr(e, attr):
                yield repr(getattr(e, attr))
        report = getattr(e, "report", None)
        if report is not None:
            yield repr(report)
            to_dict = getattr(report, "to_dict", None)
            if callable(to_dict):
                yield repr(to_dict())
        todo += [e.__cause__, e.__context__]


class Probe:
    """Collects every text a caller or a log could see, then asserts none carries a marker."""

    def __init__(self) -> None:
        self.texts: list[tuple[str, str]] = []
        self.failures = 0

    def value(self, label: str, obj: object) -> None:
        self.texts += [(f"{label} repr", repr(obj)), (f"{label} str", str(obj))]

    def fails(self, label: str, fn: Callable[[], Any]) -> BaseException:
        try:
            result = fn()
        except CryptokitError as exc:
            self.failures += 1
            self.texts += [(f"{label} exception", t) for t in _exception_texts(exc)]
            return exc
        raise AssertionError(f"{label}: expected a CryptokitError, got {result!r}")

    def check(self, caplog: pytest.LogCaptureFixture, recwarn: pytest.WarningsRecorder) -> None:
        self.texts += [("log", r.getMessage()) for r in caplog.records]
        self.texts += [("warning", str(w.message)) for w in recwarn.list]
        bad = [(label, _leaks(text), text[:200]) for label, text in self.texts if _leaks(text)]
        assert not bad, bad


@pytest.fixture
def probe(caplog: pytest.LogCaptureFixture, recwarn: pytest.WarningsRecorder) -> Iterator[Probe]:
    caplog.set_level(logging.DEBUG)
    warnings.simplefilter("always")
    p = Probe()
    yield p
    p.check(caplog, recwarn)


@pytest.fixture(scope="module")
def pki() -> Any:
    return make_pki("p256", label="secrets")


@pytest.fixture(scope="module")
def bundle(pki: Any) -> KeyBundle:
    return KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain))


def test_markers_are_detected() -> None:
    """The checker itself finds each form (else every test below could not fail)."""
    for form in FORMS:
        assert _leaks(f"xx{form}yy")
    p = Probe()
    p.value("leaky", {"password": MARKER})
    assert any(_leaks(t) for _, t in p.texts)


# --------------------------------------------------------------------------- PKCS#12


def test_pfx_paths(probe: Probe, bundle: KeyBundle, vectors: Path) -> None:
    from cryptokit.pkcs12 import load_pfx

    pfx = bundle.to_pkcs12(MARKER, kdf_rounds=1000)
    loaded = load_pfx(pfx, MARKER)
    probe.value("bundle", loaded)
    probe.value("bundle", bundle)
    probe.fails("wrong password", lambda: load_pfx(pfx, MARKER + "-wrong"))
    probe.fails("wrong password bytes", lambda: load_pfx(pfx, (MARKER + "x").encode()))
    probe.fails("no password", lambda: load_pfx(pfx, None))
    probe.fails("pfx bytes not a pfx", lambda: load_pfx(MARKER.encode() * 4, MARKER))
    probe.fails("pfx base64 not a pfx", lambda: load_pfx(base64.b64encode(MARKER.encode() * 3), MARKER))
    probe.fails("truncated pfx", lambda: load_pfx(pfx[: len(pfx) // 2], MARKER))
    probe.fails("password on encryption none", lambda: bundle.to_pkcs12(MARKER, encryption="none"))
    for path in sorted((vectors / "pkcs12").glob("*.p12"))[:6]:
        data = path.read_bytes()
        try:
            probe.value(path.name, load_pfx(data, MARKER))
        except CryptokitError as exc:
            probe.texts += [(path.name, t) for t in _exception_texts(exc)]


def test_pfx_password_with_nul(bundle: KeyBundle, capfd: pytest.CaptureFixture[str]) -> None:
    """A password holding NUL made cryptography's Rust PKCS#12 loader panic: a pyo3 PanicException (a
    BaseException, past every ``except Exception``) whose message and stderr listed the password's bytes.
    It must be a typed error that does not echo the password."""
    from cryptokit.pkcs12 import load_pfx

    pfx = bundle.to_pkcs12(MARKER, kdf_rounds=1000)
    for password in (MARKER + "\x00", (MARKER + "\x00").encode()):
        try:
            load_pfx(pfx, password)
        except CryptokitError as exc:
            assert not any(_leaks(t) for t in _exception_texts(exc))
        except BaseException as exc:
            err = capfd.readouterr().err
            pytest.fail(f"{type(exc).__name__} escaped load_pfx; leaks {_leaks(str(exc) + err)}")
        else:
            pytest.fail("a password with NUL opened a PFX made with the password without it")
        assert not _leaks(capfd.readouterr().err)


def test_cli_pfx_password_with_nul(tmp_path: Path, bundle: KeyBundle) -> None:
    """The same through ``cryptokit pfx inspect --password-file``: no traceback, no password bytes."""
    pfx = tmp_path / "signer.pfx"
    pfx.write_bytes(bundle.to_pkcs12(MARKER, kdf_rounds=1000))
    secret = tmp_path / "secret.txt"
    secret.write_bytes(MARKER.encode() + b"\x00\n")
    proc = _cli("pfx", "inspect", "--password-file", str(secret), str(pfx))
    text = (proc.stdout + proc.stderr).decode("utf-8", "replace")
    assert "Traceback" not in text and not _leaks(text), text[-600:]


# --------------------------------------------------------------------------- envelopes


def test_envelope_paths(probe: Probe) -> None:
    from cryptokit.envelope import PROFILES, Envelope
    from cryptokit.hazmat.ciphers import gcm_decrypt

    profile: Any
    for profile in PROFILES:
        env = Envelope(AES_KEY, profile)
        probe.value(profile, env)
        token = env.seal({"password": "x"})
        other = Envelope(bytes(32), profile)
        probe.fails(f"{profile} wrong key", lambda o=other, t=token: o.open_json(t))  # type: ignore[misc]
        probe.fails(f"{profile} garbage", lambda e=env: e.open(MARKER))  # type: ignore[misc]
        probe.fails(f"{profile} not json", lambda e=env: e.open_json(e.seal(MARKER.encode())))  # type: ignore[misc]
    probe.fails("short key", lambda: Envelope(AES_KEY[:31]))
    probe.fails("key as text", lambda: Envelope(AES_KEY.decode()))  # type: ignore[arg-type]
    probe.fails("key text", lambda: Envelope.from_key_text(MARKER))
    probe.fails("key text hex", lambda: Envelope.from_key_text(AES_KEY.hex()[:62]))
    probe.fails("key text b64", lambda: Envelope.from_key_text(base64.b64encode(AES_KEY[:30]).decode()))
    probe.fails("gcm core", lambda: gcm_decrypt(AES_KEY, bytes(12), bytes(40)))
    with pytest.raises(TypeError) as info:
        import pickle

        pickle.dumps(Envelope(AES_KEY))
    probe.texts += [("pickle", t) for t in _exception_texts(info.value)]


# --------------------------------------------------------------------------- ADSS


def test_adss_builders_and_token(probe: Probe) -> None:
    from cryptokit.protocols import adss

    h = hash_to_sign(b"doc")
    built = [
        adss.build_password_grant_request("client", MARKER, "user", MARKER),
        adss.build_client_credentials_request("client", MARKER),
        adss.build_refresh_token_request("client", MARKER, MARKER),
        adss.build_active_directory_request("client", "user", MARKER, client_secret=MARKER),
        adss.build_sso_request(MARKER, token=MARKER),
        adss.build_revoke_tokens_request(MARKER, token=MARKER),
        adss.build_sign_request([h], profile_id="p", cert_alias="a", token=MARKER, cert_password=MARKER),
        adss.build_register_user_request("u1", "u@example.com", token=MARKER, user_password=MARKER),
        adss.build_change_password_request(MARKER, MARKER + "!", token=MARKER),
        adss.build_about_request(token=adss.Token(MARKER, refresh_token=MARKER)),
    ]
    for i, request in enumerate(built):
        probe.value(f"adss request {i}", request)
        assert MARKER.encode() in request.body or any(MARKER in v for v in request.headers.values())
    token = adss.parse_token_response(200, orjson.dumps({"access_token": MARKER, "refresh_token": MARKER}))
    probe.value("token", token)
    strict = adss.PasswordPolicy(min_length=40, upper_lower_letters=True, digits_and_special_char=True)
    probe.fails(
        "policy", lambda: adss.build_register_user_request("u", "u@x.y", token="t", user_password=MARKER, policy=strict)
    )
    probe.fails("policy change", lambda: adss.build_change_password_request("old", MARKER, token="t", policy=strict))
    probe.fails("control char", lambda: adss.build_password_grant_request("c", "s", "u", MARKER + "\n"))
    probe.fails("token newline", lambda: adss.build_about_request(token=MARKER + "\r\n"))
    probe.fails("secret too long", lambda: adss.build_client_credentials_request("c", MARKER * 500))


# --------------------------------------------------------------------------- CSC, OneSpan, Signer.Digital


def test_csc_onespan_signer_digital_builders(probe: Probe) -> None:
    from cryptokit.protocols import csc, onespan, signer_digital

    h = hash_to_sign(b"doc")
    sha256_rsa = "1.2.840.113549.1.1.11"
    probe.value(
        "csc",
        csc.build_sign_hash_request([h], credential_id="c", sign_algo=sha256_rsa, sad=MARKER, access_token=MARKER),
    )
    probe.value(
        "csc v1", csc.build_sign_hash_request(h, credential_id="c", sign_algo=sha256_rsa, sad=MARKER, version=1)
    )
    probe.value("csc info", csc.build_credentials_info_request("c", access_token=MARKER))
    probe.value("csc list", csc.build_credentials_list_request(access_token=MARKER))
    probe.fails("csc token newline", lambda: csc.build_credentials_list_request(access_token=MARKER + "\n"))
    probe.fails(
        "csc sad bad",
        lambda: csc.build_sign_hash_request([h], credential_id="c", sign_algo=sha256_rsa, sad=MARKER * 4000),
    )
    probe.value(
        "onespan auth",
        onespan.build_auth_signature_request(user_id="u", request_key="123", signature=OTP_MARKER, api_key=MARKER),
    )
    probe.value(
        "onespan get", onespan.build_get_prepared_signature_request(request_key="1", serial_number="s", api_key=MARKER)
    )
    probe.fails(
        "onespan bad otp",
        lambda: onespan.build_auth_signature_request(user_id="u", request_key="1", signature=MARKER, api_key="k"),
    )
    probe.fails(
        "onespan bad user",
        lambda: onespan.build_auth_signature_request(
            user_id="u", request_key="1", signature="123456", api_key=MARKER, api_key_user="a:b"
        ),
    )
    where: Any
    for where in ("headers", "query"):
        probe.value(
            "sd gen",
            signer_digital.build_gen_key_auth_otp_request(
                key_label="k", csc_id="c", password=MARKER, credentials_in=where
            ),
        )
        probe.value(
            "sd set",
            signer_digital.build_set_key_auth_otp_request(
                otp=OTP_MARKER,
                key_label="k",
                csc_id="c",
                password=MARKER,
                credentials_in=where,
            ),
        )
    probe.fails(
        "sd bad otp",
        lambda: signer_digital.build_set_key_auth_otp_request(
            otp=MARKER + "\n", key_label="k", csc_id="c", password="p"
        ),
    )
    probe.fails(
        "sd bad password",
        lambda: signer_digital.build_gen_key_auth_otp_request(key_label="k", csc_id="c", password=MARKER + "\x7f"),
    )


def test_signer_digital_key_auth_flow(probe: Probe) -> None:
    from cryptokit.protocols import HttpRequest, signer_digital

    sign = HttpRequest("POST", "/Sign", {}, {"Password": MARKER}, b"{}")
    flow = signer_digital.KeyAuthFlow(sign, key_label="k", csc_id="c", password=MARKER)
    probe.value("flow", flow)
    probe.value("start", flow.start())
    answers = [
        orjson.dumps({"Status_cd": "0", "Error_cd": "OA03A", "Message": "OTP needed"}),
        orjson.dumps({"Status_cd": "1", "Message": "OTP sent"}),
    ]
    for answer in answers:
        probe.value("step", flow.receive(200, answer))
        probe.value("flow", flow)
    probe.fails("bad otp", lambda: flow.submit_otp(OTP_MARKER + "\n"))
    probe.value("set otp", flow.submit_otp(OTP_MARKER))
    probe.value("retry", flow.receive(200, orjson.dumps({"Status_cd": "1"})))
    probe.value("done", flow.receive(200, b'{"signed": true}'))
    probe.fails("out of order", lambda: flow.submit_otp(OTP_MARKER))
    failing = signer_digital.KeyAuthFlow(sign, key_label="k", csc_id="c", password=MARKER)
    failing.start()
    probe.value("failed", failing.receive(401, orjson.dumps({"Status_cd": "0", "Error_cd": "E1", "Message": "no"})))
    probe.fails(
        "bad password", lambda: signer_digital.KeyAuthFlow(sign, key_label="k", csc_id="c", password=MARKER + "\r")
    )


# --------------------------------------------------------------------------- ADSS / CSC server halves


def test_server_halves(probe: Probe) -> None:
    from cryptokit.protocols import HttpRequest, adss, csc

    adss_server = pytest.importorskip("cryptokit.protocols.adss.server")
    csc_server = pytest.importorskip("cryptokit.protocols.csc.server")
    h = hash_to_sign(b"doc")
    token = "S3CR3T-MARKER-7f1e"  # a valid RFC 6750 b64token
    request = adss.build_sign_request([h], profile_id="p", cert_alias="a", token=token, cert_password=MARKER)
    parsed = adss_server.parse_sign_request(request)
    probe.value("SignRequestIn", parsed)
    assert parsed.token_matches(token) and parsed.cert_password_matches(MARKER)
    bad_token = HttpRequest(
        request.method, request.path, {}, {**request.headers, "Authorization": "Bearer " + MARKER + " x"}, request.body
    )
    probe.fails("adss bad token", lambda: adss_server.parse_sign_request(bad_token))
    bad_body = HttpRequest(
        request.method,
        request.path,
        {},
        request.headers,
        request.body.replace(b'"cert_password"', b'"cert_password":1,"x"'),
    )
    probe.fails("adss bad body", lambda: adss_server.parse_sign_request(bad_body))
    csc_request = csc.build_sign_hash_request(
        [h], credential_id="c", sign_algo="1.2.840.113549.1.1.11", sad=MARKER, access_token=token
    )
    parsed_csc = csc_server.parse_sign_hash_request(csc_request)
    probe.value("SignHashIn", parsed_csc)
    assert parsed_csc.sad_matches(MARKER) and parsed_csc.access_token_matches(token)
    bad_csc = HttpRequest(
        csc_request.method,
        csc_request.path,
        {},
        {**csc_request.headers, "Authorization": "Bearer " + MARKER + " x"},
        csc_request.body,
    )
    probe.fails("csc bad token", lambda: csc_server.parse_sign_hash_request(bad_csc))
    for error in (
        probe.fails(
            "adss no token",
            lambda: adss_server.parse_sign_request(HttpRequest("POST", request.path, {}, {}, request.body)),
        ),
    ):
        probe.value("error response", adss_server.build_error_response(error))


# --------------------------------------------------------------------------- emCA


def test_emca_client_and_server(probe: Probe, pki: Any, bundle: KeyBundle) -> None:
    from cryptokit.csr import build_csr
    from cryptokit.envelope import Envelope
    from cryptokit.protocols import HttpRequest, emca

    at = pki.leaf.not_valid_before_utc + dt.timedelta(hours=1)
    env = Envelope(AES_KEY)
    registry = emca.InMemoryRegistry(["P"])
    registry.register("alice", MARKER, pki.leaf, emkey=HEX_MARKER, allowed_ips=emca.ANY)
    probe.value("registry", registry)
    auth = emca.EmcaAuth(emkey=HEX_MARKER, client_id="client-1")
    probe.value("auth", auth)
    csr = build_csr(make_key("p256", "secrets-csr"), {"CN": "S"})
    common: dict[str, Any] = {
        "application_id": "A",
        "profile_id": "P",
        "subscriber_id": "S",
        "username": "alice",
        "signer": bundle,
        "envelope": env,
        "now": at,
    }
    request = emca.build_create_certificates_request({"c1": csr}, password=MARKER, auth=auth, **common)
    probe.value("request", request)
    opened = emca.open_create_certificates_request(request, envelope=env, registry=registry, at=at)
    probe.value("opened", opened)
    probe.value("client", opened.client)

    wrong_pw = emca.build_create_certificates_request({"c1": csr}, password=MARKER + "x", auth=auth, **common)
    probe.fails(
        "wrong password",
        lambda: emca.open_create_certificates_request(wrong_pw, envelope=env, registry=registry, at=at),
    )
    wrong_key = Envelope(bytes(32))
    probe.fails(
        "wrong key", lambda: emca.open_create_certificates_request(request, envelope=wrong_key, registry=registry)
    )
    bad_emkey = emca.build_create_certificates_request(
        {"c1": csr}, password=MARKER, auth=emca.EmcaAuth(emkey="0" * 40), **common
    )
    probe.fails(
        "wrong emkey", lambda: emca.open_create_certificates_request(bad_emkey, envelope=env, registry=registry, at=at)
    )
    for req in (wrong_pw, bad_emkey, request):
        _status, _, body = emca.handle_create_certificates(
            req, envelope=env, registry=registry, ca=KeyBundle(pki.intermediate_key, pki.intermediate), now=at
        )
        probe.texts.append(("answer", body.decode("utf-8", "replace")))
    probe.fails("emkey format", lambda: emca.EmcaAuth(emkey=MARKER, strict_emkey=True))
    probe.fails("emkey text", lambda: emca.EmcaAuth(emkey=MARKER + " \n"))
    probe.fails("static emkey", lambda: emca.check_static_emkey("1" * 40, HEX_MARKER))
    probe.fails("static emkey malformed", lambda: emca.check_static_emkey(MARKER, HEX_MARKER))
    secret = AES_KEY
    probe.fails("hmac emkey", lambda: emca.check_emkey(secret, "0" * 40, "alice"))
    probe.fails("hmac emkey malformed", lambda: emca.check_emkey(secret, MARKER, "alice"))
    probe.fails("short secret", lambda: emca.issue_emkey(MARKER[:8].encode(), "alice"))
    content = emca.format_pkcs12_content({"CN": "S"}, password=MARKER)
    probe.value("pkcs12 content", emca.parse_pkcs12_content(content))
    probe.fails("bad pkcs12 content", lambda: emca.parse_pkcs12_content("CN=S,Password=" + MARKER))

    verifier = emca.AuthKeyVerifier(clock=lambda: at)
    ts = emca.format_ts(at)
    probe.fails("authkey wrong", lambda: verifier.verify("client-1", ts, "txn-1", HEX_MARKER + "0" * 24))
    probe.fails("authkey malformed", lambda: verifier.verify("client-1", ts, "txn-1", MARKER))
    probe.fails(
        "authkey headers",
        lambda: verifier.verify_headers({"ClientID": "c", "ts": ts, "txn": MARKER * 20, "AuthKey": MARKER}),
    )
    probe.fails(
        "http",
        lambda: emca.open_request(HttpRequest("POST", "/", {}, {}, MARKER.encode()), envelope=env, registry=registry),
    )


# --------------------------------------------------------------------------- CLI


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "cryptokit", *args],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env={**os.environ, **(env or {})},
        timeout=60,
        check=False,
    )


def _secret_commands() -> list[tuple[tuple[str, ...], list[str]]]:
    """(command path, secret option names) for every CLI (sub)command with --X-env/--X-file options."""
    import argparse

    from cryptokit.cli.main import build_parser

    found: list[tuple[tuple[str, ...], list[str]]] = []

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        options = [o for a in parser._actions for o in a.option_strings if o.endswith("-env")]
        if options:
            found.append((path, [o[2:-4] for o in options]))
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, (*path, name))

    walk(build_parser(), ())
    return found


def test_cli_secret_paths(
    tmp_path: Path, bundle: KeyBundle, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every CLI command that reads a secret (the ones that exist now), fed markers through env vars
    and files, on failing and succeeding paths: no marker in stdout or stderr, no traceback."""
    from cryptokit.cli.main import main

    commands = _secret_commands()
    pfx = tmp_path / "signer.pfx"
    pfx.write_bytes(bundle.to_pkcs12(MARKER, kdf_rounds=1000))
    wrong_file = tmp_path / "secret.txt"
    wrong_file.write_text(MARKER + "-wrong\n")
    right_file = tmp_path / "right.txt"
    right_file.write_text(MARKER + "\n")
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(MARKER.encode() * 10)
    monkeypatch.setenv("CK_WRONG", MARKER + "-wrong")
    monkeypatch.setenv("CK_RIGHT", MARKER)
    monkeypatch.setenv("CK_KEY", AES_KEY.hex())
    monkeypatch.chdir(tmp_path)
    plain = tmp_path / "plain.txt"
    plain.write_text("hello")
    token_file = tmp_path / "token.txt"
    out = tmp_path / "out.bin"
    monkeypatch.setenv("CK_KEY2", bytes(32).hex())
    monkeypatch.setenv("CK_KEYTEXT", MARKER)
    # Known commands, with their required arguments, on right and wrong secrets.
    runs: list[tuple[str, ...]] = []
    for how in (("--password-env", "CK_WRONG"), ("--password-env", "CK_RIGHT"), ("--password-file", str(wrong_file))):
        runs += [
            ("pfx", "inspect", *how, str(pfx)),
            ("pfx", "inspect", *how, "--json", str(pfx)),
            ("pfx", "inspect", *how, str(garbage)),
            ("cms", "sign", "--pfx", str(pfx), *how, "-o", str(out), str(plain)),
            ("cms", "sign", "--pfx", str(garbage), *how, "--json", "-o", str(out), str(plain)),
        ]
    key_pem = tmp_path / "key.pem"
    runs += [
        (
            "csr",
            "new",
            "--subject",
            "CN=S",
            "--new-key",
            "p256",
            "--key-out",
            str(key_pem),
            "--key-password-env",
            "CK_RIGHT",
            "-o",
            str(out),
        ),
        ("csr", "new", "--subject", "CN=S", "--key", str(key_pem), "--key-password-env", "CK_WRONG", "-o", str(out)),
        (
            "csr",
            "new",
            "--subject",
            "CN=S",
            "--key",
            str(key_pem),
            "--key-password-env",
            "CK_RIGHT",
            "--json",
            "-o",
            str(out),
        ),
        ("emca", "seal", "--key-env", "CK_KEY", "-o", str(token_file), str(plain)),
        ("emca", "open", "--key-env", "CK_KEY", str(token_file)),
        ("emca", "open", "--key-env", "CK_KEY2", str(token_file)),
        ("emca", "open", "--key-env", "CK_KEY", "--json", str(garbage)),
        ("emca", "seal", "--key-env", "CK_KEYTEXT", str(plain)),
        ("emca", "seal", "--key-file", str(wrong_file), str(plain)),
    ]
    # Any other command with a secret option: its secret read on a failing path.
    known = {("pfx", "inspect"), ("cms", "sign"), ("csr", "new"), ("emca", "seal"), ("emca", "open")}
    for path, options in commands:
        if path in known:
            continue
        for opt in options:
            for target in (str(pfx), str(garbage)):
                runs += [(*path, f"--{opt}-env", "CK_WRONG", target), (*path, f"--{opt}-file", str(wrong_file), target)]
    codes: list[int] = []
    leaks: list[tuple[Any, ...]] = []
    for args in runs:
        try:
            codes.append(main(list(args)))
        except SystemExit as exc:
            codes.append(int(exc.code or 0))
        except Exception as exc:  # an uncaught error would print a traceback in the real command
            leaks.append((args, "uncaught", repr(exc)[:200]))
        captured = capsys.readouterr()
        text = captured.out + captured.err
        if _leaks(text):
            leaks.append((args, _leaks(text), text[:300]))
    assert not leaks, leaks
    assert 0 in codes and any(c != 0 for c in codes), codes  # both success and failure paths ran
    # the same, end to end through ``python -m cryptokit``, for the PFX-reading commands
    for path, options in commands[:3]:
        for args in (
            (*path, f"--{options[0]}-env", "CK_WRONG", str(pfx)),
            (*path, f"--{options[0]}-env", "CK_RIGHT", str(pfx)),
        ):
            proc = _cli(*args, env={"CK_WRONG": MARKER + "-wrong", "CK_RIGHT": MARKER})
            text = (proc.stdout + proc.stderr).decode("utf-8", "replace")
            assert "Traceback" not in text, (args, text[-1500:])
            assert not _leaks(text), (args, text[:500])
    assert _cli("--help").returncode == 0
