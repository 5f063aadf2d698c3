"""Issue 16, points 7 and 8: CRLs are used only within their scope and only when they are
conforming, the report names the CRL that decided, and the cost stays linear (counted, not timed)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from cryptokit.chain import ChainPolicy, validate_chain
from cryptokit.chain import revocation as rev
from cryptokit.chain import validate as val
from cryptokit.report import SubIndication
from cryptokit.testing import make_cert, make_key, name
from cryptokit.testing.chains import decoy_intermediates

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
DAY = dt.timedelta(days=1)
REQUIRED = ChainPolicy.rfc5280(require_revocation=True)
RK, IK, LK = make_key("p256", "crl16-root"), make_key("p256", "crl16-inter"), make_key("p256", "crl16-leaf")
ROOT = make_cert(name("CRL16 Root"), RK, ca=True)
INTER = make_cert(name("CRL16 CA"), IK, ROOT, RK, ca=True)


def _dp(uri: str) -> x509.CRLDistributionPoints:
    return x509.CRLDistributionPoints([x509.DistributionPoint([x509.UniformResourceIdentifier(uri)], None, None, None)])


#: a CRL entry: serial, or (serial, reason), or (serial, reason, certificateIssuer name)
Entry = int | tuple[int, x509.ReasonFlags] | tuple[int, x509.ReasonFlags, x509.Name]


def _crl(
    issuer: x509.Certificate,
    key: Any,
    *,
    revoked: tuple[Entry, ...] = (),
    number: int | None = 1,
    number_critical: bool = False,
    idp: x509.IssuingDistributionPoint | None = None,
    delta_base: int | None = None,
    this_update: dt.datetime | None = None,
    next_update: dt.datetime | None = None,
) -> bytes:
    """A CRL of ``issuer`` signed with ``key``; ``delta_base`` makes it a delta CRL (deltaCRLIndicator)."""
    b = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.subject)
        .last_update(this_update or NOW - DAY)
        .next_update(next_update or NOW + DAY)
    )
    if number is not None:
        b = b.add_extension(x509.CRLNumber(number), critical=number_critical)
    if idp is not None:
        b = b.add_extension(idp, critical=True)
    if delta_base is not None:
        b = b.add_extension(x509.DeltaCRLIndicator(delta_base), critical=True)
    for item in revoked:
        serial, *rest = item if isinstance(item, tuple) else (item,)
        rb = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(NOW - 2 * DAY)
        if rest:
            rb = rb.add_extension(x509.CRLReason(rest[0]), critical=False)
        if len(rest) > 1:
            rb = rb.add_extension(x509.CertificateIssuer([x509.DirectoryName(rest[1])]), critical=True)
        b = b.add_revoked_certificate(rb.build())
    return b.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _idp(uri: str | None = None, **flags: Any) -> x509.IssuingDistributionPoint:
    options = dict(
        only_contains_user_certs=False,
        only_contains_ca_certs=False,
        indirect_crl=False,
        only_contains_attribute_certs=False,
        only_some_reasons=None,
    )
    options.update(flags)
    full = [x509.UniformResourceIdentifier(uri)] if uri else None
    return x509.IssuingDistributionPoint(full_name=full, relative_name=None, **options)  # type: ignore[arg-type]


ROOT_CRL = _crl(ROOT, RK)


def _leaf(dp: str | None = "http://crl.test/A.crl") -> x509.Certificate:
    extra = [(_dp(dp), False)] if dp else None
    return make_cert(name("CRL16 Leaf"), LK, INTER, IK, extra_extensions=extra)


def _validate(leaf: x509.Certificate, crls: list[bytes], policy: ChainPolicy = REQUIRED) -> Any:
    return validate_chain(leaf, intermediates=[INTER], trust_anchors=[ROOT], crls=crls, policy=policy, cache=None)


def _leaf_revocation(report: Any) -> Any:
    return next(c for c in report.checks if c.name == "revocation" and "Leaf" in c.subject)


def test_partition_crl_covers_only_its_distribution_point() -> None:
    leaf = _leaf("http://crl.test/A.crl")
    part_a = _crl(INTER, IK, idp=_idp("http://crl.test/A.crl"), number=7)
    part_b = _crl(INTER, IK, idp=_idp("http://crl.test/B.crl"), number=8)
    good = _validate(leaf, [ROOT_CRL, part_a])
    assert good.ok, good.failures()
    assert "#7" in _leaf_revocation(good).message and "#7" in _leaf_revocation(good).details["crl"]
    wrong = _validate(leaf, [ROOT_CRL, part_b])
    assert not wrong.ok and wrong.sub_indication is SubIndication.TRY_LATER
    check = _leaf_revocation(wrong)
    assert "#8" in check.message and "cRLDistributionPoints" in check.message
    # not required: the out-of-scope CRL is not used, so it cannot say "not revoked" (skipped)
    lenient = _validate(leaf, [ROOT_CRL, part_b], ChainPolicy.rfc5280())
    assert lenient.ok and _leaf_revocation(lenient).outcome.value == "skipped"
    # a certificate without cRLDistributionPoints is not covered by a partition CRL
    assert _validate(_leaf(None), [ROOT_CRL, part_a]).sub_indication is SubIndication.TRY_LATER


def test_partition_crl_revokes_only_in_scope() -> None:
    leaf = _leaf("http://crl.test/A.crl")
    revoking_b = _crl(INTER, IK, idp=_idp("http://crl.test/B.crl"), revoked=(leaf.serial_number,))
    assert _validate(leaf, [ROOT_CRL, revoking_b], ChainPolicy.rfc5280()).ok  # B says nothing about A's certificates
    revoking_a = _crl(INTER, IK, idp=_idp("http://crl.test/A.crl"), revoked=(leaf.serial_number,))
    report = _validate(leaf, [ROOT_CRL, revoking_a])
    assert report.sub_indication is SubIndication.REVOKED and "#1" in _leaf_revocation(report).details["crl"]


@pytest.mark.parametrize(
    ("crl", "word"),
    [
        (_crl(INTER, IK, idp=_idp(only_contains_ca_certs=True)), "onlyContainsCACerts"),
        (_crl(INTER, IK, idp=_idp(only_contains_attribute_certs=True)), "attribute certificates"),
        (_crl(INTER, IK, delta_base=1), "no usable complete CRL"),
        (_crl(INTER, IK, number=None), "no cRLNumber"),
        (_crl(INTER, IK, number_critical=True), "critical"),
    ],
)
def test_unusable_crls_give_try_later_with_the_reason(crl: bytes, word: str) -> None:
    report = _validate(_leaf(None), [ROOT_CRL, crl])
    assert not report.ok and report.sub_indication is SubIndication.TRY_LATER
    check = _leaf_revocation(report)
    assert (word in check.message and "CRL #" in check.message) or "CRL of" in check.message


def test_only_user_certs_crl_does_not_cover_a_ca() -> None:
    user_only_root_crl = _crl(ROOT, RK, idp=_idp(only_contains_user_certs=True))
    report = _validate(_leaf(None), [user_only_root_crl, _crl(INTER, IK)])
    assert report.sub_indication is SubIndication.TRY_LATER
    failed = report.failures()[0]
    assert "CRL16 CA" in failed.subject and "onlyContainsUserCerts" in failed.message


def test_crl_from_issuer_without_crl_sign_is_unusable() -> None:
    ik = make_key("p256", "crl16-nocrlsign")
    inter = make_cert(
        name("CRL16 NoSign CA"), ik, ROOT, RK, ca=True, key_usage={"key_cert_sign": True, "crl_sign": False}
    )
    leaf = make_cert(name("CRL16 Leaf"), LK, inter, ik)
    crl = _crl(inter, ik)
    report = validate_chain(
        leaf, intermediates=[inter], trust_anchors=[ROOT], crls=[ROOT_CRL, crl], policy=REQUIRED, cache=None
    )
    assert report.sub_indication is SubIndication.TRY_LATER
    assert "cRLSign" in report.failures()[0].message


# --------------------------------------------------------------------------- linear cost, counted


class _Counter:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.crl_signatures = 0
        self.entry_walks = 0
        self.cert_signatures = 0
        real_signed, real_walk, real_verify = rev._signed_by, rev._walk_entries, val._verify_signature

        def signed(crl: Any, cert: Any) -> bool:
            self.crl_signatures += 1
            return real_signed(crl, cert)

        def walk(crl: Any, *args: Any) -> Any:
            self.entry_walks += 1
            return real_walk(crl, *args)

        def verify(cert: Any, issuer: Any, *rest: Any) -> Any:
            self.cert_signatures += 1
            return real_verify(cert, issuer, *rest)

        monkeypatch.setattr(rev, "_signed_by", signed)
        monkeypatch.setattr(rev, "_walk_entries", walk)
        monkeypatch.setattr(val, "_verify_signature", verify)


DECOYS = decoy_intermediates(INTER, ROOT, 240, label="crl16-decoy")


def test_240_decoys_with_two_crls_cost_linear_work(monkeypatch: pytest.MonkeyPatch) -> None:
    leaf = _leaf(None)
    counter = _Counter(monkeypatch)
    policy = REQUIRED.replace(max_candidates=1024)
    report = validate_chain(
        leaf,
        intermediates=[*DECOYS, INTER],
        trust_anchors=[ROOT],
        crls=[ROOT_CRL, _crl(INTER, IK)],
        policy=policy,
        cache=None,
    )
    assert report.ok, report.failures()
    # each decoy path costs its two certificate signatures and no CRL work
    assert counter.cert_signatures <= 2 * (len(DECOYS) + 1) + 2
    assert counter.crl_signatures <= 2, counter.crl_signatures
    assert counter.entry_walks <= 2, counter.entry_walks


def test_240_decoys_and_a_separate_crl_signer_share_one_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CA's CRL is signed by a separate CRL-signing key of the CA's name: the alternate-signer
    search meets all 240 decoys, and each is sub-validated once for the whole call."""
    signer_key = make_key("p256", "crl16-crlsigner")
    signer = make_cert(
        name("CRL16 CA"), signer_key, ROOT, RK, ca=True, key_usage={"key_cert_sign": False, "crl_sign": True}
    )
    leaf = _leaf(None)
    counter = _Counter(monkeypatch)
    policy = REQUIRED.replace(max_candidates=1024)
    report = validate_chain(
        leaf,
        intermediates=[*DECOYS, INTER, signer],
        trust_anchors=[ROOT],
        crls=[ROOT_CRL, _crl(INTER, signer_key)],
        policy=policy,
        cache=None,
    )
    assert report.ok, report.failures()
    n = len(DECOYS) + 2
    assert counter.cert_signatures <= 3 * n + 4, counter.cert_signatures
    assert counter.crl_signatures <= n + 4, counter.crl_signatures
    assert counter.entry_walks <= 2, counter.entry_walks


def _der_len(n: int) -> bytes:
    if n < 128:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _tlv(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + _der_len(len(content)) + content


def _int(value: int) -> bytes:
    return _tlv(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def _time(when: dt.datetime) -> bytes:
    return _tlv(0x17, when.strftime("%y%m%d%H%M%SZ").encode())


def _big_crl(issuer: x509.Certificate, key: ec.EllipticCurvePrivateKey, serials: range) -> bytes:
    """A CRL with one entry per serial, written as DER directly (cryptography's builder is quadratic)."""
    alg = _tlv(0x30, _tlv(0x06, bytes.fromhex("2a8648ce3d040302")))  # ecdsa-with-SHA256
    revoked_at = _time(NOW - 2 * DAY)
    entries = b"".join(_tlv(0x30, _int(s) + revoked_at) for s in serials)
    crl_number = _tlv(0x30, _tlv(0x06, bytes.fromhex("551d14")) + _tlv(0x04, _int(1)))
    tbs = _tlv(
        0x30,
        _int(1)
        + alg
        + issuer.subject.public_bytes()
        + _time(NOW - DAY)
        + _time(NOW + DAY)
        + _tlv(0x30, entries)
        + _tlv(0xA0, _tlv(0x30, crl_number)),
    )
    signature = key.sign(tbs, ec.ECDSA(hashes.SHA256()))
    return _tlv(0x30, tbs + alg + _tlv(0x03, b"\x00" + signature))


def test_one_100k_entry_crl_is_walked_once(monkeypatch: pytest.MonkeyPatch) -> None:
    big = _big_crl(INTER, IK, range(1_000_000, 1_100_000))
    leaf = _leaf(None)
    counter = _Counter(monkeypatch)
    report = _validate(leaf, [ROOT_CRL, big])
    assert report.ok, report.failures()
    assert counter.entry_walks == 2 and counter.crl_signatures == 2  # the root's CRL and the big one, once each
    revoked_leaf = make_cert(name("CRL16 Leaf"), LK, INTER, IK, serial=1_050_000)
    counter.entry_walks = 0
    report = validate_chain(
        revoked_leaf,
        intermediates=[*DECOYS[:20], INTER],
        trust_anchors=[ROOT],
        crls=[ROOT_CRL, big],
        policy=REQUIRED.replace(max_candidates=64),
        cache=None,
    )
    assert report.sub_indication is SubIndication.REVOKED
    assert counter.entry_walks <= 2
