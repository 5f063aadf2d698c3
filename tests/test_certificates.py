from __future__ import annotations

import base64
import json
import subprocess
import warnings
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import x509 as a_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import ExtendedKeyUsageOID
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cryptokit.certificates import certificate_summary, load_certificate, load_certificates
from cryptokit.errors import CryptokitError, InputError
from tests.conftest import OPENSSL, requires_openssl
from tests.pki import Pki, make_pki

P7 = Path(__file__).resolve().parent.parent / "vectors" / "pkcs7"
BER = (P7 / "amazon-roots.p7b").read_bytes()
DER = (P7 / "amazon-roots.der").read_bytes()
AMAZON = ["CN=Amazon Root CA 3,O=Amazon,C=US", "CN=Amazon Root CA 2,O=Amazon,C=US"]


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki("p256", eku=[x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36"), ExtendedKeyUsageOID.EMAIL_PROTECTION])


def _pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def _subjects(certs: list[x509.Certificate]) -> list[str]:
    return [c.subject.rfc4514_string() for c in certs]


def test_ber_bundle_matches_der_twin_without_warnings() -> None:
    assert BER[:2] == b"\x30\x80"  # really indefinite length
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from_ber = load_certificates(BER)
        from_b64 = load_certificates(base64.b64encode(BER).decode())
    assert from_ber == load_certificates(DER) == from_b64
    assert _subjects(from_ber) == AMAZON
    # the same certificates cryptography finds in the DER twin, in the same order
    assert from_ber == pkcs7.load_der_pkcs7_certificates(DER)


def test_vendor_sample_prefix() -> None:
    text = base64.b64encode(BER).decode()
    assert text.startswith("MIAGCSqGSI")  # what ADSS samples start with
    wrapped = "\n".join(text[i : i + 76] for i in range(0, len(text), 76)) + "\n"
    assert _subjects(load_certificates(wrapped)) == AMAZON


def test_pem_pkcs7() -> None:
    certs = load_certificates((P7 / "isrg.pem").read_bytes())
    assert _subjects(certs) == ["CN=ISRG Root X1,O=Internet Security Research Group,C=US"]


def test_pem_many_in_order(pki: Pki) -> None:
    text = b"subject=ignored text openssl writes\n" + _pem(pki.leaf, pki.intermediate, pki.root)
    assert load_certificates(text) == [pki.leaf, pki.intermediate, pki.root]
    assert load_certificates(text.decode()) == [pki.leaf, pki.intermediate, pki.root]
    crlf = text.replace(b"\n", b"\r\n")
    assert load_certificates(crlf) == [pki.leaf, pki.intermediate, pki.root]


def test_pem_mixed_certificate_and_pkcs7(pki: Pki) -> None:
    mixed = _pem(pki.leaf) + (P7 / "isrg.pem").read_bytes()
    certs = load_certificates(mixed)
    assert certs[0] == pki.leaf and len(certs) == 2


def test_pem_with_non_ascii_text_around_blocks(pki: Pki) -> None:
    text = "Bag Attributes\n    friendlyName: \u263a signer\n" + _pem(pki.leaf).decode()
    assert load_certificates(text) == [pki.leaf]


def test_der_and_base64_forms(pki: Pki) -> None:
    der = _der(pki.leaf)
    assert load_certificates(der) == [pki.leaf]
    assert load_certificates(bytearray(der)) == [pki.leaf]
    assert load_certificates(base64.b64encode(der)) == [pki.leaf]
    assert load_certificates(base64.b64encode(der).decode()) == [pki.leaf]
    b64_of_pem = base64.b64encode(_pem(pki.leaf, pki.root)).decode()
    assert load_certificates(b64_of_pem) == [pki.leaf, pki.root]


def test_lists_objects_and_mixtures(pki: Pki) -> None:
    items: list[bytes | str | x509.Certificate] = [
        pki.leaf,
        _der(pki.intermediate),
        base64.b64encode(BER).decode(),
        _pem(pki.root),
    ]
    certs = load_certificates(items)
    assert certs[:2] == [pki.leaf, pki.intermediate]
    assert _subjects(certs[2:4]) == AMAZON
    assert certs[4] == pki.root
    assert load_certificates((pki.leaf,)) == [pki.leaf]
    assert load_certificates(pki.leaf) == [pki.leaf]


def test_load_certificate_exactly_one(pki: Pki) -> None:
    assert load_certificate(_der(pki.leaf)) == pki.leaf
    with pytest.raises(InputError, match="exactly one"):
        load_certificate(BER)


@pytest.mark.parametrize(
    "data,rule",
    [
        (b"", "empty"),
        ("   \n", "empty"),
        (b"\x30\x03\x02\x01\x00", "X.509"),
        (b"not base64 !", "alphabet"),
        ("QR==", "non-canonical"),
        (base64.b64encode(b"plain text"), "neither DER nor PEM"),
        (base64.b64encode(base64.b64encode(DER)), "neither DER nor PEM"),
        ("caf\u00e9", "alphabet"),
        (DER + b"\x00", "PKCS#7"),
        (12, "must be bytes"),
        ([[DER]], "nested"),
        ([], "no certificate"),
    ],
)
def test_junk_is_input_error(data: object, rule: str) -> None:
    with pytest.raises(InputError, match=rule):
        load_certificates(data)  # type: ignore[arg-type]


def test_nothing_dropped_silently(pki: Pki) -> None:
    key_pem = pki.leaf_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(InputError, match="label"):
        load_certificates(_pem(pki.leaf) + key_pem)
    truncated = _pem(pki.leaf) + b"-----BEGIN CERTIFICATE-----\nMIIB\n"
    with pytest.raises(InputError, match="BEGIN"):
        load_certificates(truncated)
    broken = _pem(pki.leaf).replace(b"MII", b"MIJ", 1)
    with pytest.raises(InputError):
        load_certificates(broken + _pem(pki.root))


def _edited(cert: x509.Certificate, edit: Any) -> bytes:
    parsed = a_x509.Certificate.load(_der(cert))
    edit(parsed["tbs_certificate"])
    return bytes(parsed.dump(force=True))


def test_what_cryptography_only_warns_about_is_refused(pki: Pki) -> None:
    def negative_serial(tbs: Any) -> None:
        tbs["serial_number"] = -5

    def long_country(tbs: Any) -> None:
        tbs["subject"] = a_x509.Name.build({"common_name": "x", "country_name": "INDIA"})

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InputError, match="serial number"):
            load_certificates(_edited(pki.leaf, negative_serial))
        with pytest.raises(InputError, match="two letters"):
            load_certificates(_edited(pki.leaf, long_country))
        # the edits alone keep the certificate loadable (control)
        assert load_certificates(_edited(pki.leaf, lambda tbs: None)) == [pki.leaf]


def test_pkcs7_not_signed_data_and_empty() -> None:
    from asn1crypto import cms as a_cms

    data = a_cms.ContentInfo({"content_type": "data", "content": b"x"}).dump()
    with pytest.raises(InputError, match="not SignedData"):
        load_certificates(data)
    empty = a_cms.ContentInfo(
        {
            "content_type": "signed_data",
            "content": {
                "version": "v1",
                "digest_algorithms": [],
                "encap_content_info": {"content_type": "data"},
                "signer_infos": [],
            },
        }
    ).dump()
    with pytest.raises(InputError, match="no certificates"):
        load_certificates(empty)


def test_bounds(pki: Pki) -> None:
    with pytest.raises(InputError, match="limit"):
        load_certificates(_der(pki.leaf), max_size=100)
    with pytest.raises(InputError, match="more than"):
        load_certificates(BER, max_count=1)
    with pytest.raises(InputError):
        load_certificates(_pem(pki.leaf, pki.root, pki.intermediate), max_count=2)
    with pytest.raises(InputError, match="more than"):
        load_certificates([pki.leaf] * 3, max_count=2)


def test_summary(pki: Pki) -> None:
    leaf = certificate_summary(pki.leaf)
    json.dumps(leaf)
    assert leaf["subject"] == pki.leaf.subject.rfc4514_string()
    assert leaf["issuer"] == pki.intermediate.subject.rfc4514_string()
    assert int(leaf["serial"], 16) == pki.leaf.serial_number and len(leaf["serial"]) % 2 == 0
    assert leaf["not_before"] == pki.leaf.not_valid_before_utc.isoformat() and leaf["not_before"].endswith("+00:00")
    assert leaf["key"] == {"type": "ec", "size": 256, "curve": "secp256r1"}
    assert leaf["key_usage"] == ["digitalSignature", "nonRepudiation"]
    assert leaf["extended_key_usage"] == [
        {"oid": "1.3.6.1.5.5.7.3.36", "name": "documentSigning"},
        {"oid": "1.3.6.1.5.5.7.3.4", "name": "emailProtection"},
    ]
    ski = x509.SubjectKeyIdentifier.from_public_key(pki.leaf_key.public_key()).digest.hex()
    assert leaf["ski"] == ski
    inter_ski = pki.intermediate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest.hex()
    assert leaf["aki"] == inter_ski
    assert leaf["is_ca"] is False and leaf["self_issued"] is False
    assert leaf["sha256"] == pki.leaf.fingerprint(hashes.SHA256()).hex()
    root = certificate_summary(pki.root)
    assert root["is_ca"] is True and root["self_issued"] is True
    assert root["key_usage"] == ["keyCertSign", "cRLSign"]
    assert root["extended_key_usage"] is None


@requires_openssl
@pytest.mark.parametrize("serial", [-5, -0x15, -0x123, -0x80, -0xFF, -(2**159 - 1), 0, 0x7F, 0x80, 0x123])
def test_summary_serial_reads_as_openssl_shows_it(pki: Pki, serial: int) -> None:
    """The serial as ``openssl x509 -serial`` prints it: a negative one's sign is not counted in the
    padding (-0x15 was "0-15", -0x123 "-123"), and a serial RFC 5280 forbids is flagged."""
    from cryptokit.testing import resign

    def change(tbs: Any) -> None:
        tbs["serial_number"] = serial

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cryptography warns about building it: the test's business
        cert = resign(pki.leaf, pki.intermediate_key, change)
    shown = subprocess.run(
        [OPENSSL or "openssl", "x509", "-noout", "-serial"],
        input=cert.public_bytes(serialization.Encoding.PEM),
        capture_output=True,
        check=True,
    ).stdout.decode().strip()
    summary = certificate_summary(cert)
    assert "serial=" + summary["serial"].upper() == shown
    assert int(summary["serial"], 16) == serial
    assert summary["serial_positive"] is (serial > 0)


def test_summary_rsa_and_vendor_cert() -> None:
    rsa_pki = make_pki("rsa2048")
    assert certificate_summary(rsa_pki.leaf)["key"] == {"type": "rsa", "size": 2048, "curve": None}
    amazon2 = load_certificates(DER)[1]
    summary = certificate_summary(amazon2)
    assert summary["key"]["type"] == "rsa" and summary["key"]["size"] == 4096
    # expected values from `openssl x509 -serial -fingerprint -sha256`
    assert summary["serial"] == "066c9fd29635869f0a0fe58678f85b26bb8a37"
    assert summary["sha256"] == "1ba5b2aa8c65401a82960118f80bec4f62304d83cec4713a19c39c011ea46db4"
    assert summary["not_after"] == "2040-05-26T00:00:00+00:00"
    with pytest.raises(InputError):
        certificate_summary(b"not a cert")  # type: ignore[arg-type]


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_raise_only_cryptokit_errors(data: bytes) -> None:
    try:
        load_certificates(data)
    except CryptokitError:
        pass


@settings(max_examples=80, deadline=None)
@given(st.integers(0, len(BER) - 1), st.integers(0, 255), st.integers(0, len(BER)))
@example(position=61, value=1, cut=0)  # certificate version v2 -> cryptography's InvalidVersion
@example(position=119, value=0, cut=0)  # a name value's tag 0: cryptography 49 raised KeyError from cert.subject
def test_mutated_bundle_raise_only_cryptokit_errors(position: int, value: int, cut: int) -> None:
    mutated = bytearray(BER)
    mutated[position] = value
    for candidate in (bytes(mutated), BER[:cut]):
        try:
            certs = load_certificates(candidate)
            for cert in certs:
                certificate_summary(cert)
        except CryptokitError:
            pass


def _outcome(der: bytes, quick: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """What load_der_certificate does with ``der`` (warnings are errors), with or without the quick admission."""
    import cryptokit.certificates as certificates
    from cryptokit.certificates import load_der_certificate

    with monkeypatch.context() as m:
        if not quick:
            m.setattr(certificates, "plainly_admissible", lambda der, tbs_at: False)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                cert = load_der_certificate(der, "cert", allow_non_positive_serial=False)
            except Exception as exc:  # the outcome under test, whatever it is
                return type(exc).__name__, str(exc)
            return "loaded", _der(cert).hex()


_DIRECTORY = a_x509.GeneralName(name="directory_name", value=a_x509.Name.build({"common_name": "ca"}))


def _aki(serial: int) -> Any:
    fields = {"authority_cert_issuer": [_DIRECTORY], "authority_cert_serial_number": serial}

    def edit(tbs: Any) -> None:
        for ext in tbs["extensions"]:
            if ext["extn_id"].native == "authority_key_identifier":
                ext["extn_value"] = a_x509.AuthorityKeyIdentifier({"key_identifier": b"\x01" * 20, **fields})

    return edit


def _subject(**attrs: Any) -> Any:
    def edit(tbs: Any) -> None:
        tbs["subject"] = a_x509.Name.build({"common_name": "x", **attrs})

    return edit


def _country_as(string_type: str, value: str) -> Any:
    def edit(tbs: Any) -> None:
        atv = a_x509.NameTypeAndValue(
            {"type": "country_name", "value": a_x509.DirectoryString(name=string_type, value=value)}
        )
        tbs["subject"] = a_x509.Name(name="", value=a_x509.RDNSequence([a_x509.RelativeDistinguishedName([atv])]))

    return edit


_QUICK_CASES: dict[str, Any] = {
    "unchanged": lambda tbs: None,
    "negative serial": lambda tbs: tbs.__setitem__("serial_number", -5),
    "zero serial": lambda tbs: tbs.__setitem__("serial_number", 0),
    "country INDIA": _subject(country_name="INDIA"),
    "jurisdiction country INDIA": _subject(incorporation_country="INDIA"),
    "jurisdiction country IN": _subject(incorporation_country="IN"),
    "country as BMPString": _country_as("bmp_string", "IN"),
    "country é in UTF8String": _country_as("utf8_string", "é"),
    "country in UTF8String": _country_as("utf8_string", "IN"),
    "AKI with a negative authorityCertSerialNumber": _aki(-3),
    "AKI with a positive authorityCertSerialNumber": _aki(3),
}


@pytest.mark.parametrize("case", sorted(_QUICK_CASES))
def test_quick_admission_agrees_with_the_full_check(pki: Pki, case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The byte-level admission (no asn1crypto parse) loads exactly what the full check loads and
    refuses nothing itself: every edit gives the same outcome both ways, without a warning."""
    der = _edited(pki.leaf, _QUICK_CASES[case])
    assert _outcome(der, True, monkeypatch) == _outcome(der, False, monkeypatch)


def test_quick_admission_is_taken_for_plain_certificates(pki: Pki) -> None:
    from cryptokit.certificates import plainly_admissible

    for der in (_der(pki.leaf), _der(pki.intermediate), _der(pki.root), _edited(pki.leaf, _subject(country_name="IN"))):
        assert plainly_admissible(der, None)
    for case in ("negative serial", "zero serial", "country INDIA", "AKI with a positive authorityCertSerialNumber"):
        assert not plainly_admissible(_edited(pki.leaf, _QUICK_CASES[case]), None), case
    for cert in load_certificates(DER):  # real roots from the vectors
        assert plainly_admissible(_der(cert), None)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_quick_admission_agrees_on_mutated_certificates(data: st.DataObject) -> None:
    """Random byte edits of a real certificate: the quick path and the full check agree on every one."""
    base = bytearray(_der(_MUTATED_PKI.leaf))
    for _ in range(data.draw(st.integers(1, 3))):
        base[data.draw(st.integers(0, len(base) - 1))] = data.draw(st.integers(0, 255))
    der = bytes(base)
    with pytest.MonkeyPatch.context() as mp:
        assert _outcome(der, True, mp) == _outcome(der, False, mp)


_MUTATED_PKI = make_pki("p256", label="mutated")
