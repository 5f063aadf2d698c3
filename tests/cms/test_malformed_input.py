"""Mutated, truncated and random inputs: cms_verify fails closed with VerificationFailed and never raises
anything else; truncations and garbage are FORMAT_FAILURE."""

from __future__ import annotations

from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cryptokit.cms import CmsPolicy, cms_sign, cms_verify
from cryptokit.cms.ber import BerError, scan
from cryptokit.errors import VerificationFailed
from cryptokit.pkcs12 import KeyBundle
from cryptokit.report import Report, SubIndication
from tests.cms.test_verify import CONTENT, build_cms, ec_signer
from tests.pki import make_pki

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def samples() -> tuple[tuple[bytes, object], ...]:
    pki = make_pki("p256")
    bundle = KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain))
    signer, cert = ec_signer()
    return (
        (cms_sign(CONTENT, bundle), pki.leaf),  # DER
        (build_cms(CONTENT, [signer]), cert),  # vendor BER
    )


def _outcome(data: bytes, trusted: object) -> SubIndication | None:
    """None when it verifies; the sub-indication when it fails. Any other exception fails the test."""
    try:
        cms_verify(data, trusted_signers=[trusted], policy=CmsPolicy(max_size=1 << 16))  # type: ignore[list-item]
    except VerificationFailed as exc:
        report: Report = exc.report
        assert not report.ok
        return report.sub_indication
    return None


@FUZZ
@given(which=st.integers(0, 1), data=st.data())
def test_mutations_fail_closed(which: int, data: st.DataObject) -> None:
    original, trusted = samples()[which]
    buf = bytearray(original)
    for _ in range(data.draw(st.integers(1, 4))):
        kind = data.draw(st.sampled_from(["flip", "set", "insert", "delete"]))
        at = data.draw(st.integers(0, len(buf) - 1))
        if kind == "flip":
            buf[at] ^= 1 << data.draw(st.integers(0, 7))
        elif kind == "set":
            buf[at] = data.draw(st.sampled_from([0x00, 0x80, 0xFF, 0x30, 0x04, 0x24]))
        elif kind == "insert":
            buf[at:at] = data.draw(st.binary(min_size=1, max_size=4))
        else:
            del buf[at]
    mutated = bytes(buf)
    outcome = _outcome(mutated, trusted)
    if outcome is None:
        # Only a change outside what is signed and checked can still verify; the content never changes.
        result = cms_verify(mutated, trusted_signers=[trusted])  # type: ignore[list-item]
        assert result.content == CONTENT


@FUZZ
@given(which=st.integers(0, 1), cut=st.integers(min_value=1))
def test_truncation_is_format_failure(which: int, cut: int) -> None:
    original, trusted = samples()[which]
    truncated = original[: cut % len(original)]
    assert _outcome(truncated, trusted) is SubIndication.FORMAT_FAILURE


@FUZZ
@given(junk=st.binary(max_size=300))
def test_garbage_is_format_failure(junk: bytes) -> None:
    _, trusted = samples()[0]
    assert _outcome(junk, trusted) is SubIndication.FORMAT_FAILURE
    assert _outcome(b"\x30\x80" + junk, trusted) is SubIndication.FORMAT_FAILURE


@FUZZ
@given(junk=st.binary(max_size=200))
def test_scanner_raises_only_ber_error(junk: bytes) -> None:
    try:
        root, _ = scan(junk, max_depth=8, max_nodes=1000)
    except BerError:
        return
    assert root.start == 0 and root.end == len(junk)


def test_scanner_flags_ber_forms_and_refuses_malformed() -> None:
    assert scan(b"\x30\x03\x02\x01\x01") == (scan(b"\x30\x03\x02\x01\x01")[0], False)
    assert scan(b"\x30\x80\x02\x01\x01\x00\x00")[1] is True  # indefinite length
    assert scan(b"\x30\x81\x03\x02\x01\x01")[1] is True  # non-minimal length
    assert scan(b"\x24\x80\x04\x01a\x04\x01b\x00\x00")[1] is True  # constructed OCTET STRING
    root, _ = scan(b"\x30\x80\x02\x01\x01\x00\x00")
    assert (root.content_start, root.content_end, root.end, root.indefinite) == (2, 5, 7, True)
    for bad, why in [
        (b"\x30\x03\x02\x01\x01\x00", "trailing"),
        (b"\x04\x80\x00\x00", "primitive"),
        (b"\x30\x05\x02\x01\x01", "truncated"),
        (b"\x30\x80\x02\x01\x01", "end-of-contents"),
        (b"\x30\x02\x00\x00", "end-of-contents"),
        (b"\x30\xff", "length"),
    ]:
        try:
            scan(bad)
        except BerError as exc:
            assert why in str(exc), (bad, str(exc))
        else:
            raise AssertionError(bad)


def test_strict_policy_accepts_cryptokit_der() -> None:
    der, trusted = samples()[0]
    assert cms_verify(der, trusted_signers=[trusted], policy=CmsPolicy.strict()).encoding == "der"  # type: ignore[list-item]
