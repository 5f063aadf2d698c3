"""One rule for the key of a certificate (issue 15, point 4) and certificates with an unknown key
algorithm (point 5): ``signatures.public_keys.certificate_key`` is what ADSS, CSC, emCA, CMS and chain use.

The RSASSA-PSS key is made by the ``openssl`` command (cryptography cannot write an id-RSASSA-PSS
SubjectPublicKeyInfo): SHA-256, MGF1-SHA-256, salt at least 32.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import core as a_core
from asn1crypto import x509 as a_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils

from cryptokit.chain import validate_chain
from cryptokit.errors import InputError, UnsupportedAlgorithm, VerificationFailed
from cryptokit.hashing import hash_to_sign
from cryptokit.protocols import csc, emca
from cryptokit.signatures.public_keys import certificate_key
from cryptokit.testing import make_cert
from tests.pki import make_key, make_pki

UTC = dt.UTC


@pytest.fixture(scope="module")
def pss(tmp_path_factory: pytest.TempPathFactory) -> tuple[x509.Certificate, Any]:
    """A self-signed certificate whose SPKI is id-RSASSA-PSS bound to SHA-256/MGF1-SHA-256/salt 32."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl command not available")
    d: Path = tmp_path_factory.mktemp("pss-key")
    key_cmd = ["openssl", "genpkey", "-algorithm", "RSA-PSS", "-out", str(d / "k.pem")]
    for opt in ("rsa_keygen_bits:2048", "rsa_pss_keygen_md:sha256", "rsa_pss_keygen_mgf1_md:sha256"):
        key_cmd += ["-pkeyopt", opt]
    key_cmd += ["-pkeyopt", "rsa_pss_keygen_saltlen:32"]
    subprocess.run(key_cmd, check=True, capture_output=True)
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-new", "-key", str(d / "k.pem"), "-subj", "/CN=PSS signer"),
            *("-days", "30", "-sigopt", "rsa_padding_mode:pss", "-out", str(d / "c.pem")),
            *(
                "-addext",
                "basicConstraints=critical,CA:true",
                "-addext",
                "keyUsage=critical,keyCertSign,digitalSignature",
            ),
        ],
        check=True,
        capture_output=True,
    )
    key = serialization.load_pem_private_key((d / "k.pem").read_bytes(), None)
    cert = x509.load_pem_x509_certificate((d / "c.pem").read_bytes())
    return cert, key


def _pss(h: hashes.HashAlgorithm, salt: int) -> padding.PSS:
    return padding.PSS(mgf=padding.MGF1(h), salt_length=salt)


def test_certificate_key_reads_the_pss_binding(pss: tuple[x509.Certificate, Any]) -> None:
    cert, _ = pss
    key = certificate_key(cert)
    assert key.pss is not None
    assert (key.pss.hash.name, key.pss.mgf_hash.name, key.pss.salt_length) == ("sha256", "sha256", 32)
    with pytest.raises(InputError):
        certificate_key(cert.public_bytes(serialization.Encoding.DER))  # type: ignore[arg-type]


def _csc_case(cert: x509.Certificate, signature: bytes, digest_alg: str, sign_algo: str, salt: int | None) -> Any:
    h = hash_to_sign(b"document", digest_alg)
    request = csc.build_sign_hash_request(
        [h],
        credential_id="c",
        sign_algo=sign_algo,
        hash_algo=digest_alg,
        pss_salt_length=salt,
        sad="s",
        access_token="t",
    )
    return csc.validate_sign_hash_response(request, [signature], certificates=[cert], trust_anchors=[cert])


@pytest.mark.parametrize(
    ("digest_alg", "sign_algo", "salt", "pad", "accepted"),
    [
        ("sha256", "1.2.840.113549.1.1.10", 32, lambda: _pss(hashes.SHA256(), 32), True),
        ("sha256", "1.2.840.113549.1.1.11", None, padding.PKCS1v15, False),  # PKCS#1 v1.5 for a PSS key
        ("sha256", "1.2.840.113549.1.1.10", 20, lambda: _pss(hashes.SHA256(), 20), False),  # salt below 32
        ("sha384", "1.2.840.113549.1.1.10", 48, lambda: _pss(hashes.SHA384(), 48), False),  # another hash
    ],
    ids=["pss-sha256-salt32", "pkcs1v15", "pss-salt20", "pss-sha384"],
)
def test_csc_honours_the_pss_key_parameters(
    pss: tuple[x509.Certificate, Any], digest_alg: str, sign_algo: str, salt: int | None, pad: Any, accepted: bool
) -> None:
    cert, key = pss
    h = hash_to_sign(b"document", digest_alg)
    chosen = hashes.SHA256() if digest_alg == "sha256" else hashes.SHA384()
    signature = key.sign(h.digest, pad(), utils.Prehashed(chosen))
    report = _csc_case(cert, signature, digest_alg, sign_algo, salt)
    signature_checks = [c for c in report.report.checks if c.name == "signature"]
    assert signature_checks and all((c.outcome.value == "passed") is accepted for c in signature_checks), (
        signature_checks
    )


def test_chain_honours_the_pss_key_parameters(pss: tuple[x509.Certificate, Any]) -> None:
    """A certificate signed by an RSASSA-PSS CA with a shorter salt or another hash than the CA key binds."""
    ca, ca_key = pss
    child_key = make_key("p256", "certificate-key-child")
    now = dt.datetime.now(UTC)

    def child(h: hashes.HashAlgorithm, salt: int) -> x509.Certificate:
        return (
            x509.CertificateBuilder()
            .subject_name(x509.Name.from_rfc4514_string("CN=PSS child"))
            .issuer_name(ca.subject)
            .public_key(child_key.public_key())  # type: ignore[arg-type]
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
                    ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
                ),
                critical=False,
            )
            .sign(ca_key, h, rsa_padding=_pss(h, salt))
        )

    assert validate_chain(child(hashes.SHA256(), 32), trust_anchors=[ca], cache=None).ok
    for bad in (child(hashes.SHA256(), 20), child(hashes.SHA384(), 48)):
        report = validate_chain(bad, trust_anchors=[ca], cache=None)
        assert not report.ok
        assert any("RSASSA-PSS key" in c.message or "salt length" in c.message for c in report.failures())


# --------------------------------------------------------------------------- unknown key algorithms


def unknown_key_certificate(issuer: x509.Certificate, issuer_key: Any, subject: str = "CN=Odd key") -> x509.Certificate:
    """A certificate properly signed by ``issuer`` (ECDSA P-256) whose key algorithm (1.3.6.1.4.1.99999.1)
    no library knows: cryptography parses it, and ``public_key()`` raises its own UnsupportedAlgorithm."""
    template = a_x509.Certificate.load(
        make_cert(subject, make_key("p256", "odd-key"), issuer, issuer_key).public_bytes(serialization.Encoding.DER)
    )
    tbs = template["tbs_certificate"]
    algorithm = a_core.Sequence(contents=a_core.ObjectIdentifier("1.3.6.1.4.1.99999.1").dump() + a_core.Null().dump())
    spki = a_core.Sequence(contents=algorithm.dump() + a_core.BitString((1,) * 256).dump()).dump()
    contents = tbs.contents.replace(tbs["subject_public_key_info"].dump(), spki)
    tbs = a_x509.TbsCertificate.load(a_core.Sequence(contents=contents).dump())
    signature = issuer_key.sign(tbs.dump(), ec.ECDSA(hashes.SHA256()))
    cert = a_x509.Certificate(
        {"tbs_certificate": tbs, "signature_algorithm": template["signature_algorithm"], "signature_value": signature}
    )
    loaded = x509.load_der_x509_certificate(cert.dump())
    loaded.verify_directly_issued_by(issuer)  # properly CA-signed
    return loaded


def test_certificate_key_of_an_unknown_algorithm_is_typed() -> None:
    pki = make_pki("p256", label="odd")
    cert = unknown_key_certificate(pki.intermediate, pki.intermediate_key)
    with pytest.raises(UnsupportedAlgorithm):
        certificate_key(cert)


def test_csc_with_an_unknown_key_algorithm_certificate_is_a_failed_report() -> None:
    pki = make_pki("p256", label="odd")
    cert = unknown_key_certificate(pki.intermediate, pki.intermediate_key)
    h = hash_to_sign(b"document")
    request = csc.build_sign_hash_request(
        [h], credential_id="c", sign_algo="1.2.840.10045.4.3.2", hash_algo="sha256", sad="s", access_token="t"
    )
    signature = pki.leaf_key.sign(h.digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))  # type: ignore[call-arg]
    certificates = [cert, pki.intermediate]
    report = csc.validate_sign_hash_response(request, [signature], certificates=certificates, trust_anchors=[pki.root])
    assert not report.ok
    failed = [c for c in report.report.checks if c.name == "signature"]
    assert failed and failed[0].outcome.value == "failed" and "unusable key" in failed[0].message
    with pytest.raises(VerificationFailed):
        csc.verify_sign_hash_response(request, [signature], certificates=certificates, trust_anchors=[pki.root])


def test_emca_create_certificates_with_an_unknown_key_algorithm_is_typed() -> None:
    from cryptokit.envelope import Envelope
    from tests.protocols.emca.test_client_server import KEY, build, csrs, setup

    s = setup("ec")
    request = build(s, Envelope(KEY), csrs("ec", 1))
    assert s.ca.certificate is not None
    odd = unknown_key_certificate(s.ca.certificate, s.ca.private_key)
    for form in ("der", "pem"):
        status, _, body = emca.build_response(subscriber_id="SUB-1", certificates={"CSR-0": odd}, form=form)  # type: ignore[arg-type]
        with pytest.raises(VerificationFailed):
            emca.parse_create_certificates_response(status, body, request=request)
        result = emca.validate_create_certificates_response(status, body, request=request)
        assert not result.report.ok
        assert any("cannot be used" in c.message for c in result.report.failures())
