"""ADSS and CSC return one result shape for returned signatures, take the same certificate keywords
and share one swapped-order search bound."""

from __future__ import annotations

from typing import Any

import pytest

from cryptokit import returned_signatures
from cryptokit.errors import InputError
from cryptokit.hashing import hash_to_sign
from cryptokit.protocols import adss, csc
from cryptokit.signatures import sign_digest
from tests.pki import make_pki
from tests.protocols.csc.test_verify import answer, request, same_verdict, sign_all


@pytest.fixture(scope="module")
def pki() -> Any:
    return make_pki("p256", label="shape")


def test_one_pair_of_result_classes() -> None:
    assert adss.DocumentVerification is csc.HashVerification is returned_signatures.SignatureVerification
    assert adss.SignResponseReport is csc.SignHashReport is returned_signatures.ReturnedSignaturesReport


def test_both_vendors_report_in_the_same_shape(pki: Any) -> None:
    hashes = [hash_to_sign(d) for d in (b"a", b"b")]
    sigs = [sign_digest(pki.leaf_key, h.digest, h.algorithm) for h in hashes]
    a = adss.validate_sign_response(
        hashes,
        adss.SignResult(adss.SignStatus.SUCCESS, "r1", tuple(sigs)),
        certificate=pki.leaf,
        certificate_chain=pki.chain,
        trust_anchors=[pki.root],
    )
    req = csc.build_sign_hash_request(hashes, credential_id="c", sad="s", sign_algo="1.2.840.10045.4.3.2")
    c = csc.validate_sign_hash_response(
        req, tuple(sigs), certificate=pki.leaf, certificate_chain=pki.chain, trust_anchors=[pki.root]
    )
    assert a.ok and c.ok and type(a) is type(c)
    da, dc = a.to_dict(), c.to_dict()
    assert da.pop("status") == "SUCCESS" and "status" not in dc
    assert set(da) == set(dc) == {"ok", "indication", "sub_indication", "checks", "documents", "chain"}
    assert [set(d) for d in da["documents"]] == [set(d) for d in dc["documents"]]
    assert [d.scheme for d in a.documents] == [d.scheme for d in c.documents] == ["ecdsa", "ecdsa"]


def test_csc_takes_the_adss_certificate_keywords(pki: Any) -> None:
    req = request("1.2.840.10045.4.3.2")
    result = answer(sign_all(pki.leaf_key, req))
    old = csc.validate_sign_hash_response(req, result, certificates=[pki.leaf, *pki.chain], trust_anchors=[pki.root])
    new = csc.validate_sign_hash_response(
        req, result, certificate=pki.leaf, certificate_chain=pki.chain, trust_anchors=[pki.root]
    )
    assert old.ok and same_verdict(old, new)
    with pytest.raises(InputError) as info:
        csc.validate_sign_hash_response(
            req, result, certificate=pki.leaf, certificates=[pki.leaf], trust_anchors=[pki.root]
        )
    assert info.value.field == "certificate"
    with pytest.raises(InputError):
        csc.validate_sign_hash_response(req, result, trust_anchors=[pki.root])


def test_csc_swap_search_has_the_shared_bound(pki: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Garbage for every signature of a long request costs at most MAX_SWAP_PROBES probes in all."""
    probes: list[int] = []
    real = returned_signatures.find_signed_hash

    def counting(key: Any, signature: bytes, hashes: Any, candidates: Any, **kw: Any) -> Any:
        def counted() -> Any:
            for j in candidates:
                probes.append(j)
                yield j

        return real(key, signature, hashes, counted(), **kw)

    monkeypatch.setattr(returned_signatures, "find_signed_hash", counting)  # CSC calls it through the module
    n = 3 * returned_signatures.MAX_SWAP_PROBES
    hashes = [hash_to_sign(str(i).encode()) for i in range(n)]
    req = csc.build_sign_hash_request(hashes, credential_id="c", sad="s", sign_algo="1.2.840.10045.4.3.2")
    garbage = tuple(sign_digest(pki.leaf_key, hash_to_sign(b"other").digest, "sha256") for _ in range(n))
    report = csc.validate_sign_hash_response(req, garbage, certificate=pki.leaf, trust_anchors=[pki.root])
    assert not report.ok
    assert len(probes) == returned_signatures.MAX_SWAP_PROBES
