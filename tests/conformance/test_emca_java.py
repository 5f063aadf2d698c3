"""emCA against a Java/BouncyCastle peer, both directions (the sources are in ``tests/java/``).

- A Java emCA client (BouncyCastle CSRs; CMS in DER, BER and streamed form; a keytool PKCS#12 and a
  BouncyCastle PKCS#12; every envelope profile; plain and MIME base64; both framings) against
  cryptokit's server half behind a local HTTP server.
- cryptokit's client (its defaults) against a Java server (``com.sun.net.httpserver`` on 127.0.0.1,
  an ephemeral port) that verifies every CMS with BouncyCastle and compares the signed content with
  the CSRs byte for byte, then issues the certificates from its own CA.

Skipped only where Java or the BouncyCastle jars are absent (CI installs them: ``.ci/run``).
"""

from __future__ import annotations

import http.server
import os
import queue
import shutil
import subprocess
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from cryptokit.csr import build_csr
from cryptokit.envelope import PROFILES, Envelope
from cryptokit.pkcs12 import KeyBundle, load_pfx
from cryptokit.protocols import HttpRequest, emca
from tests.pki import make_key, make_pki

SOURCES = Path(__file__).resolve().parent / "java"
JARS = [Path("/usr/share/java") / f"{name}.jar" for name in ("bcprov", "bcpkix", "bcutil")]
JAVA, JAVAC, KEYTOOL = shutil.which("java"), shutil.which("javac"), shutil.which("keytool")
MISSING = [str(j) for j in JARS if not j.exists()] + [
    tool for tool, path in (("java", JAVA), ("javac", JAVAC), ("keytool", KEYTOOL)) if path is None
]
pytestmark = pytest.mark.skipif(
    bool(MISSING),
    reason="the Java peer needs OpenJDK (default-jdk-headless) and BouncyCastle (libbcprov-java, "
    f"libbcpkix-java); missing: {', '.join(MISSING)}",
)

AES_KEY = bytes(range(32))
EMKEY = "java-peer-emKey/7Q=="
PROFILE_ID = "JAVA-PROFILE"
PASSWORD = "java-peer-password"
P12_PASSWORD = "p12-pass"
TIMEOUT = 180  # seconds any one Java process may take


def _classpath(classes: Path) -> str:
    return os.pathsep.join([str(classes), *map(str, JARS)])


@pytest.fixture(scope="module")
def classes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("java-classes")
    sources = sorted(str(p) for p in SOURCES.glob("*.java"))
    assert JAVAC is not None
    subprocess.run(
        [JAVAC, "-nowarn", "-cp", _classpath(out), "-d", str(out), *sources],
        check=True,
        capture_output=True,
        timeout=TIMEOUT,
    )
    return out


def _java(classes: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert JAVA is not None
    return subprocess.run(
        [JAVA, "-cp", _classpath(classes), *args], capture_output=True, text=True, timeout=TIMEOUT, check=True
    )


# --- the Java client against cryptokit's server half ---------------------------------------------


@dataclass(frozen=True)
class Signer:
    maker: str  # "keytool" or "bc"
    kind: str  # "ec" or "rsa"
    path: Path

    @property
    def user(self) -> str:
        return f"java-{self.maker}-{self.kind}"


def _make_p12(classes: Path, folder: Path, maker: str, kind: str) -> Signer:
    path = folder / f"{maker}-{kind}.p12"
    if maker == "keytool":
        assert KEYTOOL is not None
        algorithm = (
            ["-keyalg", "EC", "-groupname", "secp256r1"] if kind == "ec" else ["-keyalg", "RSA", "-keysize", "2048"]
        )
        subprocess.run(
            [KEYTOOL, "-genkeypair", "-alias", "signer", *algorithm, "-dname", "CN=keytool signer,O=cryptokit interop",
             "-validity", "30", "-storetype", "PKCS12", "-keystore", str(path),
             "-storepass", P12_PASSWORD, "-keypass", P12_PASSWORD],
            check=True, capture_output=True, timeout=TIMEOUT,
        )  # fmt: skip
    else:
        _java(classes, "EmcaJavaClient", "make-p12", str(path), P12_PASSWORD, kind)
    return Signer(maker, kind, path)


class _Handler(http.server.BaseHTTPRequestHandler):
    """cryptokit's server half behind HTTP: the envelope profile is the path segment before the method."""

    service: dict[str, Any]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        segments = [s for s in self.path.split("/") if s]
        profile = segments[-2] if len(segments) >= 2 and segments[-2] in PROFILES else "aes-256-gcm"
        request = HttpRequest("POST", self.path, headers=dict(self.headers.items()), body=body)
        response = emca.handle_request(
            request,
            envelope=Envelope(AES_KEY, profile),  # type: ignore[arg-type]
            registry=self.service["registry"],
            ca=self.service["ca"],
            source_ip=self.client_address[0],
        )
        self.service["seen"].append((self.path, response.status))
        self.send_response(response.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


CMS_FORMS = ("der", "ber", "stream")
CASES = [
    {
        "name": f"{cms}-{profile}",
        "cms": cms,
        "profile": profile,
        "signer": ("keytool-ec", "bc-rsa", "keytool-rsa", "bc-ec")[(i + j) % 4],
        "framing": ("per-csr", "joined")[(i + j) % 2],
        "b64": ("plain", "mime")[(i + 2 * j) % 3 % 2],
    }
    for i, cms in enumerate(CMS_FORMS)
    for j, profile in enumerate(PROFILES)
]
REFUSALS = {
    "no-emkey": ({"no.emkey": "true"}, "200 Failure Invalid request details found"),
    "x509-method-name": ({"method": emca.METHOD_CREATE_X509_CERTIFICATES}, "404 Failure Invalid request details found"),
    "unregistered-user": ({"user": "java-nobody"}, "200 Failure Invalid request details found"),
}


@pytest.fixture(scope="module")
def java_client_run(classes: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("java-client")
    signers = {f"{m}-{k}": _make_p12(classes, folder, m, k) for m in ("keytool", "bc") for k in ("ec", "rsa")}
    registry = emca.InMemoryRegistry([PROFILE_ID])
    for signer in signers.values():
        # cryptokit reads the keytool and BouncyCastle PKCS#12 files to register their certificates
        bundle = load_pfx(signer.path.read_bytes(), P12_PASSWORD)
        assert bundle.private_key is not None and bundle.certificate is not None
        registry.register(signer.user, PASSWORD, bundle.certificate, allowed_ips=["127.0.0.1"], emkey=EMKEY)
    pki = make_pki("p256", label="emca-java-ca")
    ca = KeyBundle(pki.intermediate_key, pki.intermediate, (pki.root,))
    (folder / "ca.der").write_bytes(pki.intermediate.public_bytes(serialization.Encoding.DER))
    service = {"registry": registry, "ca": ca, "seen": []}
    handler = type("Handler", (_Handler,), {"service": service})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    lines = [
        f"url=http://127.0.0.1:{server.server_address[1]}",
        f"aes.key.hex={AES_KEY.hex()}",
        f"emkey={EMKEY}",
        f"password={PASSWORD}",
        f"profile.id={PROFILE_ID}",
        f"ca.cert={folder / 'ca.der'}",
    ]
    cases = [*CASES, *({"name": name, "cms": "der", "profile": "aes-256-gcm", "signer": "keytool-ec",
                        "framing": "per-csr", "b64": "plain", **extra, "expect": expect}
                       for name, (extra, expect) in REFUSALS.items())]  # fmt: skip
    for index, case in enumerate(cases):
        signer = signers[case["signer"]]
        prefix = f"case.{index}."
        lines += [f"{prefix}user={signer.user}", f"{prefix}p12={signer.path}", f"{prefix}p12.maker={signer.maker}"]
        lines += [f"{prefix}p12.password={P12_PASSWORD}", f"{prefix}app=APP-{uuid.uuid4()}"]
        lines += [f"{prefix}{k}={v}" for k, v in case.items() if k != "signer" and k != "user"]
        if "user" in case:
            lines.append(f"{prefix}user={case['user']}")
    lines.append(f"case.count={len(cases)}")
    config = folder / "client.properties"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        out = _java(classes, "EmcaJavaClient", "run", str(config)).stdout
    finally:
        server.shutdown()
        server.server_close()
    results = {}
    for line in out.splitlines():
        if line.startswith("RESULT "):
            _, name, verdict = line.split(" ", 2)
            results[name] = verdict
    assert len(service["seen"]) == len(cases)  # every case reached the server over HTTP
    return results


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_java_client_against_the_server_half(java_client_run: dict[str, str], case: dict[str, str]) -> None:
    verdict = java_client_run[case["name"]]
    assert verdict.startswith("OK certs=2"), verdict
    # the CMS really had the claimed shape: DER is definite-length, BER and streamed are indefinite
    assert verdict.endswith("cms=3082" if case["cms"] == "der" else "cms=3080"), verdict


@pytest.mark.parametrize("name", list(REFUSALS))
def test_java_client_refusals(java_client_run: dict[str, str], name: str) -> None:
    verdict = java_client_run[name]
    assert verdict.startswith("OK refused " + REFUSALS[name][1]), verdict


def test_every_axis_is_covered() -> None:
    axes = {
        "cms": CMS_FORMS,
        "profile": PROFILES,
        "framing": ("per-csr", "joined"),
        "b64": ("plain", "mime"),
        "signer": ("keytool-ec", "keytool-rsa", "bc-ec", "bc-rsa"),
    }
    for axis, values in axes.items():
        assert {c[axis] for c in CASES} == set(values), axis


# --- cryptokit's client against the Java server --------------------------------------------------


@dataclass
class JavaServer:
    url: str
    ca: x509.Certificate
    csrs: dict[str, bytes]
    process: subprocess.Popen[str]
    signer: KeyBundle
    log: Path


def _read_port(process: subprocess.Popen[str], timeout: float) -> int:
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    try:
        line = lines.get(timeout=timeout)
    except queue.Empty:
        raise AssertionError(f"the Java server printed no port within {timeout} s") from None
    assert line.startswith("PORT "), f"unexpected first line from the Java server: {line!r}"
    return int(line.split()[1])


@pytest.fixture(scope="module")
def java_server(classes: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[JavaServer]:
    folder = tmp_path_factory.mktemp("java-server")
    pki = make_pki("rsa2048", label="emca-java-server-client")
    signer = KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain))
    (folder / "signer.der").write_bytes(pki.leaf.public_bytes(serialization.Encoding.DER))
    csrs = {
        "ID1": build_csr(make_key("p256", "java-server-csr-1"), {"CN": "Python Subscriber 1", "O": "Acme", "C": "IN"}),
        "ID2": build_csr(make_key("rsa2048", "java-server-csr-2"), {"CN": "Python Subscriber 2", "O": "Acme"}),
    }
    (folder / "csrs").mkdir()
    for csr_id, der in csrs.items():
        (folder / "csrs" / f"{csr_id}.der").write_bytes(der)
    config = folder / "server.properties"
    config.write_text(
        "\n".join([
            f"signer.cert={folder / 'signer.der'}", f"ca.out={folder / 'ca.der'}", f"csr.dir={folder / 'csrs'}",
            f"emkey={EMKEY}", f"aes.key.hex={AES_KEY.hex()}", "user=alice", f"password={PASSWORD}",
            f"profile.id={PROFILE_ID}", "lifetime.seconds=300", f"log.file={folder / 'server.log'}",
        ]) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    assert JAVA is not None
    process = subprocess.Popen(
        [JAVA, "-cp", _classpath(classes), "EmcaJavaServer", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = _read_port(process, TIMEOUT)
        ca = x509.load_der_x509_certificate((folder / "ca.der").read_bytes())
        yield JavaServer(f"http://127.0.0.1:{port}", ca, csrs, process, signer, folder / "server.log")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _post(server: JavaServer, request: HttpRequest, prefix: str) -> tuple[int, bytes]:
    http_request = urllib.request.Request(
        server.url + prefix + request.path, data=request.body, headers=dict(request.headers), method=request.method
    )
    try:
        with urllib.request.urlopen(http_request, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _request(server: JavaServer, profile: str, **kw: Any) -> emca.CreateCertificatesRequest:
    options: dict[str, Any] = {
        "application_id": f"APP-{uuid.uuid4()}",
        "profile_id": PROFILE_ID,
        "subscriber_id": "PY-SUB",
        "username": "alice",
        "password": PASSWORD,
        "signer": server.signer,
        "envelope": Envelope(AES_KEY, profile),  # type: ignore[arg-type]
        "auth": emca.EmcaAuth(emkey=EMKEY),
        "validity": "45:00:00:00",
    }
    options.update(kw)
    return emca.build_create_certificates_request(server.csrs, **options)


@pytest.mark.parametrize("framing", [emca.DEFAULT_FRAMING, emca.JoinedCsrFraming()], ids=lambda f: f.name)
@pytest.mark.parametrize("profile", PROFILES)
def test_client_against_the_java_server(java_server: JavaServer, profile: str, framing: emca.CsrFraming) -> None:
    request = _request(java_server, profile, framing=framing)
    status, body = _post(java_server, request, f"/{profile}")
    assert body.startswith(b'{"response":"')  # the Java server wraps its answer as the seed shows
    result = emca.parse_create_certificates_response(status, body, request=request)
    assert result.ok and list(result.certificates) == ["ID1", "ID2"] and not result.existing
    for issued in result.certificates.values():
        issued.certificate.verify_directly_issued_by(java_server.ca)


def test_java_server_refuses_another_signer(java_server: JavaServer) -> None:
    other = make_pki("p256", label="emca-java-server-stranger")
    request = _request(java_server, "aes-256-gcm", signer=KeyBundle(other.leaf_key, other.leaf))
    with pytest.raises(emca.SignatureVerificationFailed):
        emca.parse_create_certificates_response(*_post(java_server, request, ""), request=request)


def test_java_server_compares_the_signed_csrs(java_server: JavaServer) -> None:
    """The Java server checks the signed content against the expected CSRs: one CSR more is refused."""
    extra = {**java_server.csrs, "ID3": build_csr(make_key("p256", "java-server-csr-3"), {"CN": "Not expected"})}
    request = _request(java_server, "aes-256-gcm")
    request = emca.build_create_certificates_request(
        extra,
        application_id="APP-extra",
        profile_id=PROFILE_ID,
        subscriber_id="PY-SUB",
        username="alice",
        password=PASSWORD,
        signer=java_server.signer,
        envelope=Envelope(AES_KEY),
        auth=emca.EmcaAuth(emkey=EMKEY),
    )
    with pytest.raises(emca.InvalidData):
        emca.parse_create_certificates_response(*_post(java_server, request, ""), request=request)


def test_java_server_routes_by_the_seeds_method_name(java_server: JavaServer) -> None:
    request = _request(java_server, "aes-256-gcm", method=emca.METHOD_CREATE_X509_CERTIFICATES)
    status, body = _post(java_server, request, "")
    assert status == 404
    with pytest.raises(emca.UnknownMethod):
        emca.parse_create_certificates_response(status, body, request=request)
    default = _request(java_server, "aes-256-gcm")
    assert emca.parse_create_certificates_response(*_post(java_server, default, ""), request=default).ok


def test_java_server_log_shows_the_checks(java_server: JavaServer) -> None:
    """What the Java server checked: every CMS verified, the content compared byte for byte, in both framings."""
    for framing in (emca.DEFAULT_FRAMING, emca.JoinedCsrFraming()):
        request = _request(java_server, "aes-256-cbc", framing=framing)
        answer = _post(java_server, request, "/aes-256-cbc")
        assert emca.parse_create_certificates_response(*answer, request=request).ok
    lines = java_server.log.read_text(encoding="utf-8").splitlines()
    assert "CHECKED framing=per-csr profile=aes-256-cbc csrs=2 content=byte-for-byte" in lines
    assert "CHECKED framing=joined profile=aes-256-cbc csrs=2 content=byte-for-byte" in lines
    assert not [line for line in lines if line.startswith("ERROR")]
