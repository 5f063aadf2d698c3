"""Every report type answers .ok, .indication, .sub_indication, .checks and .to_dict() the same way,
and raise-or-return is chosen by name (verify_* raises, validate_* returns)."""

from __future__ import annotations

import orjson
import pytest

from cryptokit.cms import CmsResult, cms_sign, cms_verify
from cryptokit.envelope import Envelope
from cryptokit.errors import VerificationFailed
from cryptokit.pkcs12 import KeyBundle
from cryptokit.protocols import emca
from cryptokit.report import Indication, SubIndication
from tests.pki import make_pki
from tests.protocols.emca.test_client_server import KEY, _answer, build, csrs, setup


def _shape(result: object) -> dict[str, object]:
    ok = result.ok  # type: ignore[attr-defined]
    indication = result.indication  # type: ignore[attr-defined]
    assert isinstance(ok, bool) and isinstance(indication, Indication)
    assert ok is (indication is Indication.TOTAL_PASSED)
    sub = result.sub_indication  # type: ignore[attr-defined]
    assert sub is None or isinstance(sub, SubIndication)
    checks = result.checks  # type: ignore[attr-defined]
    assert isinstance(checks, tuple) and checks
    data = result.to_dict()  # type: ignore[attr-defined]
    orjson.dumps(data)  # JSON-able
    assert data["ok"] is ok and data["indication"] == indication.value
    assert len(data["checks"]) == len(checks)
    return data  # type: ignore[no-any-return]


def test_cms_result_has_the_report_shape() -> None:
    pki = make_pki("p256", label="shape")
    bundle = KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain))
    result = cms_verify(cms_sign(b"shape", bundle), trusted_signers=[bundle])
    assert isinstance(result, CmsResult)
    data = _shape(result)
    assert data["ok"] is True and data["content_length"] == 5 and data["encoding"] == "der"
    assert data["signer"] == pki.leaf.subject.rfc4514_string()
    assert [s["index"] for s in data["signers"]] == [0]  # type: ignore[union-attr]


def test_create_certificates_result_has_the_report_shape_and_a_verify_validate_pair() -> None:
    s = setup("ec")
    envelope = Envelope(KEY)
    request = build(s, envelope, csrs("ec", 2), validity="365:00:00:00")
    good = emca.build_response(subscriber_id="SUB-1", certificates=_answer(s, request, envelope))
    result = emca.verify_create_certificates_response(good, request=request)
    data = _shape(result)
    assert data["ok"] is True and sorted(data["certificates"]) == ["CSR-0", "CSR-1"]  # type: ignore[call-overload]
    bad = emca.build_response(
        subscriber_id="SUB-1", certificates=_answer(s, request, envelope, validity=emca.Validity(30))
    )
    with pytest.raises(VerificationFailed) as info:
        emca.verify_create_certificates_response(bad, request=request)
    assert {c.name for c in info.value.report.failures()} == {"validity"}
    lenient = emca.validate_create_certificates_response(bad, request=request)
    data = _shape(lenient)
    assert data["ok"] is False and lenient.sub_indication is not None
    assert {c.name for c in lenient.failures()} == {"validity"}
