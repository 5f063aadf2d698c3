"""CMS verification: the library call, the emCA server's request opening, and the command over many files.

Every row compares cryptokit with the same work written by hand with ``asn1crypto``, ``hashlib`` and
``cryptography`` (or with ``openssl cms -verify``), in the same run, interleaved, best of several:

- ``cms-verify``: :func:`cryptokit.cms.cms_verify` of a 1 KiB attached CMS (DER as ``cms_sign`` writes
  it: RSA-2048 PKCS#1 v1.5, SHA-256, signed attributes contentType, signingTime, messageDigest and
  CMSAlgorithmProtection, the signer certificate embedded) with ``trusted_signers=[cert]``, against
  :func:`bare_cms_verify`: parse with asn1crypto, the signer matched by issuerAndSerialNumber or
  subjectKeyIdentifier against the trusted certificate, messageDigest equal to the hashlib digest of
  the content, the RSA signature over the signed attributes re-tagged as SET OF. Target >= 0.7x.
- ``cms-sign``: :func:`cryptokit.cms.cms_sign` of 1 KiB attached with signed attributes (fixed
  signingTime), RSA-2048 PKCS#1 v1.5 and P-256 ECDSA, SHA-256, against :func:`bare_cms_sign`: the same
  SignedData written by hand with asn1crypto (the four attributes as ``CMSAttributes`` dumped with
  ``force=True``, the way ``cms_sign`` itself did it before) and cryptography's signing; for RSA the
  two outputs are asserted byte-identical. Target >= 1.0x.
- ``emca-open-10-csrs``: the emCA server half,
  :func:`cryptokit.protocols.emca.open_create_certificates_request`, on a request carrying 10
  RSA-2048 CSRs (AES-256-GCM envelope; decrypt, password, emKey, parameters, the CMS signature
  against the registered certificate, each CSR's self-signature), in both framings: per-CSR (the
  client's default: 10 CMS, one per CSR) and joined (one CMS over the 10 CSRs). The bare side
  decrypts with ``AESGCM`` + ``orjson``, checks the emKey's presence and the password with ``hmac``,
  runs :func:`bare_cms_verify` on each CMS, loads each CSR with cryptography, verifies its
  self-signature with its key and reads its subject and extensions (refusing a critical one it would
  not issue), as an issuing server must. It does not re-encode the CSR to check DER, check the RSA
  exponent, the hash policy, the attributes or the country values: cryptokit does. Target >= 0.7x.
- ``cms-verify-files``: ``cryptokit cms verify FILE --signer signer.pem`` launched once per file
  (a, on 200 files) and ``cryptokit cms verify FILE... --signer signer.pem`` once over all the files
  (b, 10,000 files), each against ``openssl cms -verify -inform DER -CAfile signer.pem`` launched
  once per file on the same files (the signer certificate is self-signed, so openssl's chain is the
  certificate itself and both sides check the same signature and messageDigest); a third row, the
  floor, launches ``python -c "import cryptography.x509"`` per file. Whole processes, run with
  bytecode cached as an installed package is (the environment of ``cases_startup``); ops = files.

Profile findings for ``cms_verify`` (cProfile, 500-3000 calls on the ``cms-verify`` input; shares of
the cumulative time of one call).

Before (0.13-0.17x): parsing 64%: the bounded BER/DER scanner 16% (97 elements per CMS, two thirds
of them inside the embedded certificate), the embedded certificate parsed twice per call
(cryptography with the admission rules, whose serial check re-parses it with asn1crypto, and
asn1crypto again) 21%, the SignerInfo's asn1crypto values forced eagerly (every attribute's
``.native``) 24%; the trusted certificate re-parsed per call (admission, DER export, asn1crypto)
12%; checks and report 21% (signer match 7%, attributes 6%); the RSA verification itself under 2%.

What changed: (1) what repeats from one CMS to the next is decoded once, cached by its exact bytes
(bounded LRU): the embedded certificate, the sid's issuer and serial, the algorithm identifiers,
the contentType and CMSAlgorithmProtection values, and, per trusted certificate object (by DER),
its admission, asn1crypto twin, serial/issuer and public key; (2) the scanner leaves the embedded
certificates opaque (cryptography's DER parser reads them whole) and the SignerInfo's sid,
algorithm identifiers and attribute values too, each then scanned on its own (cached by bytes)
when the parser reads it, so BER inside them is still seen and the depth bound still holds;
primitive leaves are read inline; (3) the signed attributes are decoded from the scanned tree
(messageDigest as bytes, signingTime with asn1crypto's time types, contentType as OIDs) instead of
forcing asn1crypto's whole SET OF; (4) smaller things: no chain-input loading for the defaults, one
Report per call, the trusted signer matched by precomputed serial and issuer bytes.

After (0.78-0.80x on this host): parse 48% (scanner 22%, signer and attributes 18%), signer checks
42% (signature step 14% of which the RSA verification 7%, attributes 12%, certificate 6%, match
5%), the Check objects of the report 17% across both. The bare row spends its time in asn1crypto's
lazy parse and the RSA verification; the remaining gap is the scanner (the bound on untrusted
input the bare row does not have) and the report's checks (which the bare row does not build).

Profile findings for ``cms_sign`` (timeit, 2026-12-07): building the signed attributes took
800 us of a call (asn1crypto re-encoding the whole SET OF with ``force=True``, then parsing it back),
the P-256 call about 1.35 ms in all. What changed: ``cms.sign.signed_attributes_der`` puts the
attributes together from DER pieces (contentType constant, the OIDs encoded once, the algorithm
identifiers dumped once), shared with ``cms_prepare``: 24 us, bytes unchanged
(``tests/cms/test_sign_golden.py``). After: P-256 0.55 ms a call, RSA-2048 0.78 ms (the RSA
signature about 0.6 ms of it); the rest is the asn1crypto assembly of the SignedData.

Profile findings for the emCA server half (cProfile, 100 requests of the joined framing; shares of
one request; 2026-12-07).

Before (per-CSR 0.61-0.63x, joined 0.38-0.45x against the bare side above; 0.17x and 0.27-0.35x in
the README before ``cms_verify``'s own speed-up and with a bare side that did not read the subject
and extensions): ``verify_csr`` 80% of a request, of which asn1crypto's parse of each CSR for the
subject's country check 24-29%, the subject built twice by cryptography and formatted as RFC 4514
10-12%, the CSRs' RSA verifications 11%, the rest (DER round trip, extensions, attributes, exponent,
key description) about 10%; ``cms_verify`` of the one CMS 15% (per-CSR framing: ten of them, each at
``cms_verify``'s own 0.78x); decrypting and authenticating (JSON, AES-GCM, password HMAC) 3%;
unframing 2%. Per CSR (timeit, three runs): ``verify_csr`` 104-117 us against 37-39 us of the
bare side's work (load, self-signature, subject, extensions).

What changed, no check dropped: (1) the country check is read from the CSR's bytes
(``certificates.plain_country_values``, shared with certificate loading) and asn1crypto parses the
request only when a country value is not plainly two printable letters or when cryptography refuses
the request (so a refusal says the same words as before: ``tests/test_csr.py``,
``test_quick_admission_gives_the_same_outcome_as_the_full_check``); (2) the subject is parsed once;
(3) ``CsrInfo.subject_text`` is formatted when read (the server never reads it). No cache: every
request carries fresh CSR keys, so caching CSR results by bytes would serve this benchmark (which
opens one request again and again) and no server; what repeats between requests, the registered
certificate and the CMS's algorithm identifiers, is what ``cms_verify`` already caches by exact
bytes.

After (three full runs: per-CSR 0.77-0.79x, joined 0.78-0.79x; with only (1) and (2): per-CSR
0.76x, joined 0.69-0.75x): ``verify_csr`` 54% of a joined request, its RSA verification the largest
single part; ``cms_verify`` 32%; per CSR 50-56 us against the bare 37-39 us (what remains is what
the bare side does not check: the DER round trip, attributes, hash policy, exponent, key
description).

Profile findings for the command over files.

Before (0.01x launched per file): the benchmark's children compiled cryptokit from source at every
launch. ``PYTHONDONTWRITEBYTECODE=1`` in the environment keeps ``.pyc`` files from being written, and
an editable checkout then compiles 41 modules per launch (cProfile of one launch: ``compile`` 0.255 of
0.745 s). With bytecode cached, one launch is start-up: the interpreter with the editable-install
finder 35-50 ms, imports about 120 ms (cryptography.x509 about 40, asn1crypto's cms/algos about 15,
``cryptokit.cms`` with its sign and prepare modules, ``cryptokit.chain`` for the chain policy and
argparse the rest), the verification under 1 ms; ``openssl cms -verify`` runs in 4-8 ms. A Python
command launched per file is bounded by the floor row (``import cryptography.x509`` alone, about
75 ms): 0.05-0.1x; start-up itself is issue 23 point 3. The command took one file only, so (b)
could not be measured.

What changed: ``cms verify`` takes several files (the options read once, so the same trusted
certificate object lets ``cms_verify`` reuse its cached admission); the command no longer parses each
CMS twice (its attached/detached check parsed before ``cms_verify`` did: 0.57 of 1.95 s over 2,000
files in cProfile; a detached CMS without content is now read from ``cms_verify``'s report); empty
chain-input lists take ``cms_verify``'s no-input path instead of loading per call.

After (three full runs, openssl at 3.3-7.6 ms a launch): the floor 0.05-0.08x; (a) 0.02-0.03x,
a launch about 145 ms of CPU against the floor's 75 (skipping the chain policy and the email parser
without ``--roots`` took it from about 173); (b) one invocation over 10,000 files 8.7-20.3x
``openssl cms -verify`` launched per file (1,900-3,900 files/s; about 0.5 ms a file: ``cms_verify``
about 0.2 ms, reading the file and writing its line the rest). Before the skip: 11.2-14.4x.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import orjson
from asn1crypto import algos as a_algos
from asn1crypto import cms as a_cms
from asn1crypto import core as a_core
from asn1crypto import x509 as a_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import ExtensionOID

from .cases_startup import _ENV
from .ratio import Ratio, measure

_DER = serialization.Encoding.DER


class BareTrusted:
    """What a hand-written verifier keeps about its one trusted signer (computed once)."""

    def __init__(self, cert: x509.Certificate) -> None:
        asn1 = a_x509.Certificate.load(cert.public_bytes(_DER))
        self.issuer = asn1.issuer.dump()
        self.serial = asn1.serial_number
        self.ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
        key = cert.public_key()
        assert isinstance(key, rsa.RSAPublicKey)
        self.key = key


def bare_cms_verify(der: bytes, trusted: BareTrusted) -> bytes:
    """The checks that make an attached RSA/SHA-256 CMS valid, by hand; returns the content."""
    signed_data = a_cms.ContentInfo.load(der, strict=True)["content"]
    content = signed_data["encap_content_info"]["content"].native
    signer = signed_data["signer_infos"][0]
    sid = signer["sid"]
    if sid.name == "issuer_and_serial_number":
        ias = sid.chosen
        if ias["serial_number"].native != trusted.serial or ias["issuer"].dump() != trusted.issuer:
            raise ValueError("not the trusted signer")
    elif not hmac.compare_digest(sid.chosen.native, trusted.ski):
        raise ValueError("not the trusted signer")
    attrs = signer["signed_attrs"]
    digest = None
    for attr in attrs:
        if attr["type"].native == "message_digest":
            digest = attr["values"][0].native
    if digest is None or not hmac.compare_digest(digest, hashlib.sha256(content).digest()):
        raise ValueError("messageDigest")
    trusted.key.verify(signer["signature"].native, b"\x31" + attrs.dump()[1:], padding.PKCS1v15(), hashes.SHA256())
    return bytes(content)


def bare_cms_sign(content: bytes, key: Any, cert_der: bytes, when: Any) -> bytes:
    """An attached SHA-256 SignedData (v1, issuerAndSerialNumber, the four signed attributes) by hand."""
    from cryptography.hazmat.primitives.asymmetric import ec

    cert = a_x509.Certificate.load(cert_der)
    digest_alg = {"algorithm": "sha256", "parameters": a_core.Null()}
    if isinstance(key, rsa.RSAPrivateKey):
        sig_alg: dict[str, Any] = {"algorithm": "rsassa_pkcs1v15", "parameters": a_core.Null()}
    else:
        sig_alg = {"algorithm": "sha256_ecdsa"}
    digest_alg_v, sig_alg_v = a_algos.DigestAlgorithm(digest_alg), a_algos.SignedDigestAlgorithm(sig_alg)
    protection = a_cms.CMSAlgorithmProtection({"digest_algorithm": digest_alg_v, "signature_algorithm": sig_alg_v})
    attrs = a_cms.CMSAttributes(
        [
            a_cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
            a_cms.CMSAttribute({"type": "signing_time", "values": [a_cms.Time({"utc_time": when})]}),
            a_cms.CMSAttribute({"type": "message_digest", "values": [hashlib.sha256(content).digest()]}),
            a_cms.CMSAttribute({"type": "cms_algorithm_protection", "values": [protection]}),
        ]
    )
    attrs_der = attrs.dump(force=True)
    if isinstance(key, rsa.RSAPrivateKey):
        signature = key.sign(attrs_der, padding.PKCS1v15(), hashes.SHA256())
    else:
        signature = key.sign(attrs_der, ec.ECDSA(hashes.SHA256()))
    ias = a_cms.IssuerAndSerialNumber({"issuer": cert.issuer, "serial_number": cert.serial_number})
    signer_info = {
        "version": "v1",
        "sid": a_cms.SignerIdentifier({"issuer_and_serial_number": ias}),
        "digest_algorithm": digest_alg_v,
        "signed_attrs": a_cms.CMSAttributes.load(attrs_der),
        "signature_algorithm": sig_alg_v,
        "signature": signature,
    }
    signed_data = {
        "version": "v1",
        "digest_algorithms": [digest_alg_v],
        "encap_content_info": {"content_type": "data", "content": content},
        "certificates": [a_cms.CertificateChoices({"certificate": cert})],
        "signer_infos": [a_cms.SignerInfo(signer_info)],
    }
    return bytes(a_cms.ContentInfo({"content_type": "signed_data", "content": a_cms.SignedData(signed_data)}).dump())


def case_cms_sign(quick: bool = False) -> list[Ratio]:
    import datetime as dt

    from cryptokit.cms import cms_sign, cms_verify
    from cryptokit.pkcs12 import KeyBundle
    from cryptokit.testing import make_cert, make_key, name

    when = dt.datetime.now(dt.UTC).replace(microsecond=0)
    content = os.urandom(1024)
    n = 100 if quick else 1000
    rows = []
    for kind, label in (("rsa2048", "RSA-2048 PKCS#1 v1.5"), ("p256", "P-256 ECDSA")):
        key = make_key(kind, "bench-cms-sign")
        cert = make_cert(name("cryptokit bench signer", o="cryptokit", c="IN"), key)
        bundle, cert_der = KeyBundle(key, cert, ()), cert.public_bytes(_DER)
        ours_der, bare_der = cms_sign(content, bundle, signing_time=when), bare_cms_sign(content, key, cert_der, when)
        for der in (ours_der, bare_der):
            assert cms_verify(der, trusted_signers=[cert]).content == content
        assert kind != "rsa2048" or ours_der == bare_der  # the same bytes: the same work

        def bare(key: Any = key, cert_der: bytes = cert_der) -> None:
            for _ in range(n):
                bare_cms_sign(content, key, cert_der, when)

        def ours(bundle: Any = bundle) -> None:
            for _ in range(n):
                cms_sign(content, bundle, signing_time=when)

        title = f"cms_sign, 1 KiB attached, {label}, SHA-256, signed attributes (vs asn1crypto + cryptography by hand)"
        rows.append(measure(title, bare, ours, ops=n, target=1.0, repeat=3 if quick else 5))
    return rows


def _signer(label: str = "bench-cms") -> tuple[Any, x509.Certificate]:
    from cryptokit.testing import make_cert, make_key, name

    key = make_key("rsa2048", label)
    return key, make_cert(name("cryptokit bench signer", o="cryptokit", c="IN"), key)


def case_cms_verify(quick: bool = False) -> Ratio:
    from cryptokit.cms import cms_sign, cms_verify
    from cryptokit.pkcs12 import KeyBundle

    key, cert = _signer()
    content = os.urandom(1024)
    der = cms_sign(content, KeyBundle(key, cert, ()))
    trusted = BareTrusted(cert)
    assert bare_cms_verify(der, trusted) == content == cms_verify(der, trusted_signers=[cert]).content
    n = 200 if quick else 2000

    def bare() -> None:
        for _ in range(n):
            bare_cms_verify(der, trusted)

    def ours() -> None:
        for _ in range(n):
            cms_verify(der, trusted_signers=[cert])

    return measure(
        "cms_verify, 1 KiB attached, RSA-2048, signed attributes, trusted_signers=[cert] "
        "(vs asn1crypto + hashlib + cryptography by hand)",
        bare,
        ours,
        ops=n,
        target=0.7,
        repeat=3 if quick else 7,
    )


# --------------------------------------------------------------------------- emCA server half

_PASSWORD = "correct horse battery staple"
#: the critical extensions a hand-written issuing server would accept in a CSR
_ISSUABLE = frozenset({ExtensionOID.KEY_USAGE, ExtensionOID.BASIC_CONSTRAINTS})
_EMKEY = "0123456789abcdef0123456789abcdef01234567"


def _emca_request(framing: str, csrs: int = 10) -> tuple[Any, Callable[[], object], Callable[[], object]]:
    import binascii

    from cryptokit.csr import build_csr
    from cryptokit.envelope import Envelope
    from cryptokit.pkcs12 import KeyBundle
    from cryptokit.protocols import emca
    from cryptokit.protocols.emca.framing import JoinedCsrFraming, PerCsrFraming, unframe_csrs
    from cryptokit.testing import make_key

    key, cert = _signer("bench-emca")
    aes_key = os.urandom(32)
    envelope = Envelope(aes_key)
    registry = emca.InMemoryRegistry(["PROFILE-1"])
    registry.register("alice", _PASSWORD, cert, allowed_ips=emca.ANY)
    items = {
        f"CSR-{i}": build_csr(make_key("rsa2048", f"bench-emca-csr-{i}"), {"CN": f"Subscriber {i}", "O": "Acme"})
        for i in range(csrs)
    }
    chosen = PerCsrFraming() if framing == "per-csr" else JoinedCsrFraming()
    request = emca.build_create_certificates_request(
        items,
        application_id="APP-1",
        profile_id="PROFILE-1",
        subscriber_id="SUB-1",
        username="alice",
        password=_PASSWORD,
        signer=KeyBundle(key, cert, ()),
        envelope=envelope,
        auth=emca.EmcaAuth(emkey=_EMKEY),
        framing=chosen,
    )
    trusted = BareTrusted(cert)
    aesgcm = AESGCM(aes_key)
    password = _PASSWORD.encode()

    def bare_open() -> dict[str, bytes]:
        outer = orjson.loads(request.body)
        if not request.header("emKey"):
            raise ValueError("emKey")
        raw = binascii.a2b_base64(outer["requestData"], strict_mode=True)
        inner = orjson.loads(aesgcm.decrypt(raw[:12], raw[12:], None))
        if inner["userName"] != outer["userName"] or not hmac.compare_digest(inner["password"].encode(), password):
            raise ValueError("credentials")
        signature = inner["signature"]
        if "|" in signature:  # per-CSR: id|base64(CMS)~...
            ders = {}
            for item in signature.split("~"):
                csr_id, b64 = item.split("|", 1)
                ders[csr_id] = bare_cms_verify(binascii.a2b_base64(b64, strict_mode=True), trusted)
        else:
            ders = unframe_csrs(bare_cms_verify(binascii.a2b_base64(signature, strict_mode=True), trusted))
        for der in ders.values():
            csr = x509.load_der_x509_csr(der)
            public_key = csr.public_key()
            assert isinstance(public_key, rsa.RSAPublicKey)
            public_key.verify(csr.signature, csr.tbs_certrequest_bytes, padding.PKCS1v15(), hashes.SHA256())
            # what the issuing server reads next: the subject, and the extensions asked for
            if not csr.subject or any(e.critical and e.oid not in _ISSUABLE for e in csr.extensions):
                raise ValueError("CSR")
        return ders

    def ours_open() -> object:
        return emca.open_create_certificates_request(request, envelope=envelope, registry=registry)

    opened: Any = ours_open()
    assert set(bare_open()) == set(opened.csrs) == set(items) and opened.framing == chosen.name
    return request, bare_open, ours_open


def case_emca_open(quick: bool = False) -> list[Ratio]:
    n = 20 if quick else 200
    rows = []
    for framing in ("per-csr", "joined"):
        _, bare_open, ours_open = _emca_request(framing)

        def bare(run: Callable[[], object] = bare_open) -> None:
            for _ in range(n):
                run()

        def ours(run: Callable[[], object] = ours_open) -> None:
            for _ in range(n):
                run()

        what = "10 CMS, one per CSR (client default)" if framing == "per-csr" else "one CMS over the 10 CSRs"
        rows.append(
            measure(
                f"emCA open_create_certificates_request, 10 RSA-2048 CSRs, {framing} framing ({what}; "
                "vs AESGCM + orjson + the CMS and CSR checks by hand)",
                bare,
                ours,
                ops=n,
                target=0.7,
                repeat=3 if quick else 7,
            )
        )
    return rows


# --------------------------------------------------------------------------- the command over files


def write_p7s_files(directory: Path, count: int) -> tuple[Path, list[Path]]:
    """``count`` attached CMS files (1 KiB of distinct content each, one RSA-2048 signer) and signer.pem."""
    from cryptokit.cms import cms_sign
    from cryptokit.pkcs12 import KeyBundle

    key, cert = _signer("bench-files")
    bundle = KeyBundle(key, cert, ())
    signer = directory / "signer.pem"
    signer.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files = []
    for i in range(count):
        path = directory / f"doc{i:05d}.p7s"
        path.write_bytes(cms_sign(os.urandom(1024), bundle))
        files.append(path)
    return signer, files


def _each(argvs: Sequence[Sequence[str]]) -> float:
    t0 = time.perf_counter()
    for argv in argvs:
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_ENV)
    return time.perf_counter() - t0


def _best(name: str, bare: Sequence[Sequence[str]], ours: Sequence[Sequence[str]], ops: int, target: float,
          repeat: int) -> Ratio:  # fmt: skip
    """Interleave ``repeat`` passes of each list of command lines; keep the best pass of each."""
    best_bare = best_ours = float("inf")
    for _ in range(repeat):
        best_bare = min(best_bare, _each(bare))
        best_ours = min(best_ours, _each(ours))
    return Ratio(name, ops, best_bare, best_ours, target)


def case_cms_files(quick: bool = False, files: int = 10_000, per_file: int = 200) -> list[Ratio]:
    """Rows: the floor (an interpreter importing cryptography.x509, launched per file), (a) cryptokit
    launched per file, both on the first ``per_file`` files, (b) one cryptokit invocation over all
    ``files``; openssl launched per file on the same files in each row."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise ImportError("openssl command", name="openssl")
    if quick:
        files, per_file = 20, 10
    command = [sys.executable, "-m", "cryptokit", "cms", "verify"]
    with tempfile.TemporaryDirectory() as tmp:
        signer, paths = write_p7s_files(Path(tmp), files)

        def openssl_argv(path: Path) -> list[str]:
            return [openssl, "cms", "-verify", "-inform", "DER", "-in", str(path), "-CAfile", str(signer),
                    "-out", os.devnull]  # fmt: skip

        # warm (page cache, .pyc files) and must pass: a file that fails makes the launch raise
        _each([openssl_argv(paths[0]), [*command, str(paths[0]), "--signer", str(signer)]])
        sample = paths[:per_file]
        floor = [sys.executable, "-c", "import cryptography.x509"]
        return [
            _best(
                f"floor: python -c 'import cryptography.x509' launched per file, {len(sample)} files (vs openssl "
                "cms -verify per file; what any Python command launched per file is bounded by)",
                [openssl_argv(p) for p in sample],
                [floor for _ in sample],
                ops=len(sample),
                target=0.0,
                repeat=2 if quick else 1,
            ),
            _best(
                f"cryptokit cms verify launched per file, {len(sample)} files (vs openssl cms -verify per file; "
                "ops = files)",
                [openssl_argv(p) for p in sample],
                [[*command, str(p), "--signer", str(signer)] for p in sample],
                ops=len(sample),
                target=0.0,
                repeat=2 if quick else 1,
            ),
            _best(
                f"cryptokit cms verify, one invocation over {len(paths):,} files (vs openssl cms -verify per file; "
                "ops = files)",
                [openssl_argv(p) for p in paths],
                [[*command, *map(str, paths), "--signer", str(signer)]],
                ops=len(paths),
                target=1.0,
                repeat=2 if quick else 1,
            ),
        ]


CASES: dict[str, Callable[..., Ratio | list[Ratio]]] = {
    "cms-verify": case_cms_verify,
    "cms-sign": case_cms_sign,
    "emca-open-10-csrs": case_emca_open,
    "cms-verify-files": case_cms_files,
}
