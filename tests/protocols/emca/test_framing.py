"""emCA signed content: CSR framings (with real CMS) and the createPKCS12 DN strings."""

from __future__ import annotations

import base64

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from cryptokit.cms import cms_sign, cms_verify
from cryptokit.csr import build_csr
from cryptokit.errors import InputError, VerificationFailed
from cryptokit.pkcs12 import KeyBundle
from cryptokit.protocols import emca
from cryptokit.protocols.emca.framing import check_csr_id
from tests.pki import make_key, make_pki

PKI = make_pki("p256", label="framing")
SIGNER = KeyBundle(PKI.leaf_key, PKI.leaf)
OTHER = make_pki("p256", label="framing-other")
CSRS = {f"ID{i}": build_csr(make_key("p256", f"framing-csr{i}"), {"CN": f"u{i}"}) for i in range(3)}


def sign(content: bytes) -> bytes:
    return cms_sign(content, SIGNER)


def verify(cms: bytes) -> bytes:
    return cms_verify(cms, trusted_signers=[PKI.leaf]).content


def verify_other(cms: bytes) -> bytes:
    return cms_verify(cms, trusted_signers=[OTHER.leaf]).content


def test_frame_format_is_id_pipe_base64_joined_by_tilde() -> None:
    framed = emca.frame_csrs(CSRS)
    expected = "~".join(f"{i}|{base64.b64encode(d).decode()}" for i, d in CSRS.items())
    assert framed == expected.encode()
    assert emca.unframe_csrs(framed) == CSRS


@pytest.mark.parametrize("framing", [emca.JoinedCsrFraming(), emca.PerCsrFraming()])
def test_framings_round_trip_with_cms(framing: emca.CsrFraming) -> None:
    signature = framing.sign(CSRS, sign)
    assert framing.open(signature, verify) == CSRS
    with pytest.raises(VerificationFailed):
        framing.open(signature, verify_other)  # not the registered signer


def test_joined_framing_is_one_cms_over_the_framed_csrs() -> None:
    signature = emca.JoinedCsrFraming().sign(CSRS, sign)
    result = cms_verify(base64.b64decode(signature), trusted_signers=[PKI.leaf])
    assert result.content == emca.frame_csrs(CSRS)


def test_per_csr_framing_is_one_cms_per_csr() -> None:
    signature = emca.PerCsrFraming().sign(CSRS, sign)
    parts = dict(p.split("|") for p in signature.split("~"))
    assert list(parts) == list(CSRS)
    for csr_id, b64 in parts.items():
        assert cms_verify(base64.b64decode(b64), trusted_signers=[PKI.leaf]).content == CSRS[csr_id]


def test_tampered_joined_signature_fails() -> None:
    raw = bytearray(base64.b64decode(emca.JoinedCsrFraming().sign(CSRS, sign)))
    raw[len(raw) // 2] ^= 1
    with pytest.raises(VerificationFailed):
        emca.JoinedCsrFraming().open(base64.b64encode(bytes(raw)).decode(), verify)


@pytest.mark.parametrize(
    "content",
    [b"", b"ID1", b"ID1|", b"|AAAA", b"ID1|AAAA~ID1|AAAA", b"ID 1|AAAA", b"ID1|AA$A", b"ID1|AAAA~", "é|AAAA".encode()],
)
def test_unframe_refuses(content: bytes) -> None:
    with pytest.raises(InputError):
        emca.unframe_csrs(content)


@pytest.mark.parametrize("content", [None, 5, 1.5, [], [1], {"a": 1}, "ID1|AAAA", object()])
def test_unframe_refuses_wrong_types(content: object) -> None:
    with pytest.raises(InputError, match="signature: signed content must be bytes"):
        emca.unframe_csrs(content)  # type: ignore[arg-type]


def test_unframe_does_not_take_an_int_as_a_length() -> None:
    import tracemalloc

    tracemalloc.start()
    try:
        with pytest.raises(InputError):
            emca.unframe_csrs(64 * 1024 * 1024)  # type: ignore[arg-type]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024
    assert emca.unframe_csrs(bytearray(b"ID1|AAAA")) == emca.unframe_csrs(memoryview(b"ID1|AAAA"))


@pytest.mark.parametrize("csrs", [{}, {"a|b": b"x"}, {"a~b": b"x"}, {"": b"x"}, {"a": b""}, {"x" * 129: b"x"}])
def test_frame_refuses(csrs: dict[str, bytes]) -> None:
    with pytest.raises(InputError):
        emca.frame_csrs(csrs)


def test_csr_id_rule() -> None:
    assert check_csr_id("ID-1.a_b") == "ID-1.a_b"
    for bad in ("", "a b", "a|b", "a~b", "a\n", 5):
        with pytest.raises(InputError):
            check_csr_id(bad)


def test_sign_content_single_methods() -> None:
    serial = "0123456789ABCDEF"
    signature = emca.sign_content(serial, sign)
    assert emca.open_content(signature, verify) == serial.encode()
    with pytest.raises(InputError):
        emca.open_content("not base64!", verify)


# --- createPKCS12 content ----------------------------------------------------------------------

SUBJECT = {"CN": "Asha Rao", "SERIALNUMBER": "1234", "E": "asha@example.in", "O": "Acme", "S": "Karnataka", "C": "IN"}


@pytest.mark.parametrize("separator", [",", "~"])
@pytest.mark.parametrize("vendor_spelling", [True, False])
def test_pkcs12_content_round_trip(separator: str, vendor_spelling: bool) -> None:
    text = emca.format_pkcs12_content(
        dict(SUBJECT, PostalCode="560001"),
        password="s3cret",
        separator=separator,
        vendor_spelling=vendor_spelling,
    )
    key_field = "KeyAlogirthmAndSize" if vendor_spelling else "KeyAlgorithmAndSize"
    assert text == separator.join(
        [
            "CN=Asha Rao",
            "SERIALNUMBER=1234",
            "E=asha@example.in",
            "O=Acme",
            "S=Karnataka",
            "C=IN",
            "PostalCode=560001",
            f"{key_field}=RSA-2048",
            "Password=s3cret",
        ]
    )
    parsed = emca.parse_pkcs12_content(text)
    assert parsed.separator == separator and parsed.vendor_spelling is vendor_spelling
    assert (parsed.key_algorithm, parsed.key_size, parsed.password) == ("RSA", 2048, "s3cret")
    assert parsed.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Asha Rao"
    assert parsed.subject.get_attributes_for_oid(NameOID.POSTAL_CODE)[0].value == "560001"
    assert "s3cret" not in repr(parsed)


def test_pkcs12_content_vendor_sample_shape() -> None:
    sample = (
        "CN=Test,SERIALNUMBER=1,E=a@b.in,O=Org,S=KA,C=IN,PostalCode=560001,KeyAlogirthmAndSize=RSA-2048,Password=pw"
    )
    parsed = emca.parse_pkcs12_content(sample)
    assert parsed.vendor_spelling and parsed.key_size == 2048
    assert isinstance(parsed.subject, x509.Name)
    tilde = emca.parse_pkcs12_content(sample.replace(",", "~"))
    assert tilde.subject == parsed.subject and tilde.separator == "~"


def test_pkcs12_password_with_a_separator_is_refused() -> None:
    """The vendor documents no escaping: emCA would split such a password (issue 15). Backslashes are
    plain characters."""
    for password in ("a,b", "a~b"):
        with pytest.raises(InputError) as info:
            emca.format_pkcs12_content({"CN": "x"}, password=password)
        assert info.value.field == "password" and password not in str(info.value)
    text = emca.format_pkcs12_content({"CN": "x"}, password="c\\d")
    assert emca.parse_pkcs12_content(text).password == "c\\d"


@pytest.mark.parametrize(
    "text",
    [
        "CN=x,Password=pw",  # no key field
        "CN=x,KeyAlogirthmAndSize=RSA-2048",  # no password
        "CN=x,KeyAlogirthmAndSize=DSA-1024,Password=pw",
        "CN=x,KeyAlogirthmAndSize=RSA-2048,KeyAlgorithmAndSize=RSA-2048,Password=pw",
        "KeyAlogirthmAndSize=RSA-2048,Password=pw",  # no subject
        "CN=x,junk,KeyAlogirthmAndSize=RSA-2048,Password=pw",
        "",
    ],
)
def test_pkcs12_content_refused(text: str) -> None:
    with pytest.raises(InputError) as info:
        emca.parse_pkcs12_content(text)
    assert "pw" not in str(info.value)
