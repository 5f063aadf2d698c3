"""The cold path (``cache=None``) re-does every signature each call; what it memoises across calls
(facts read from a certificate's DER) never changes a report."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

import cryptokit.chain.validate as validate_mod
from cryptokit.chain import ChainPolicy, validate_chain
from tests.pki import DAY, NOW, make_cert, make_key, make_pki, name


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


@pytest.fixture(scope="module")
def pki() -> Any:
    return make_pki("p256", label="cold-path")


def test_every_cold_call_verifies_every_signature(pki: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = validate_mod.verify_signature

    def counting(key: Any, sig: bytes, tbs: bytes, *args: Any) -> Any:
        calls.append(sig.hex())
        return real(key, sig, tbs, *args)

    monkeypatch.setattr(validate_mod, "verify_signature", counting)
    for _ in range(3):
        r = validate_chain(
            _der(pki.leaf), intermediates=[_der(pki.intermediate)], trust_anchors=[_der(pki.root)], at=NOW, cache=None
        )
        assert r.ok, r.failures()
    assert len(calls) == 6  # leaf and issuing CA, on each of the three calls


def _cases(pki: Any) -> list[tuple[str, Any, list[Any], list[Any], dict[str, Any]]]:
    other = make_cert(name("Someone Else CA"), make_key("p256", "cold-other"), ca=True)
    expired = make_cert(
        name("Expired Signer"), make_key("p256", "cold-exp"), pki.intermediate, pki.intermediate_key,
        not_before=NOW - 30 * DAY, not_after=NOW - DAY,
    )  # fmt: skip
    return [
        ("valid", pki.leaf, [pki.intermediate], [pki.root], {}),
        ("expired", expired, [pki.intermediate], [pki.root], {}),
        ("wrong anchor", pki.leaf, [pki.intermediate], [other], {}),
        ("leaf is the anchor", pki.root, [], [pki.root], {}),
        ("revocation required", pki.leaf, [pki.intermediate], [pki.root], {"policy": _REQUIRE_REVOCATION}),
        ("unordered, duplicated", pki.leaf, [pki.root, pki.intermediate, pki.intermediate], [pki.root], {}),
    ]


_REQUIRE_REVOCATION = ChainPolicy.rfc5280(require_revocation=True)


@pytest.mark.parametrize("form", ["der", "object"])
def test_memoised_facts_give_the_same_report(pki: Any, form: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The report with an empty facts memo (every certificate read afresh) is the report with a full
    one, for passing and failing chains, from DER and from certificate objects."""
    load = (lambda c: _der(c)) if form == "der" else (lambda c: x509.load_der_x509_certificate(_der(c)))

    def run(leaf: Any, inters: list[Any], anchors: list[Any], extra: dict[str, Any]) -> dict[str, Any]:
        r = validate_chain(
            load(leaf), intermediates=[load(c) for c in inters], trust_anchors=[load(c) for c in anchors],
            at=NOW, cache=None, **extra,
        )  # fmt: skip
        return r.to_dict()

    for label, *case in _cases(pki):
        monkeypatch.setattr(validate_mod, "_FACTS_BY_DER", {})
        fresh = run(*case)
        assert len(validate_mod._FACTS_BY_DER) >= 1
        assert run(*case) == fresh, label


def test_the_leaf_given_again_as_an_anchor_object(pki: Any) -> None:
    """Paths compare certificates by identity: a leaf that is also an anchor (another object, the same
    DER) is found as the one-certificate path."""
    copy = x509.load_der_x509_certificate(_der(pki.root))
    r = validate_chain(copy, trust_anchors=[pki.root], at=NOW, cache=None)
    assert r.ok and len(r.path) == 1


def test_the_facts_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validate_mod, "_FACTS_BY_DER", {})
    monkeypatch.setattr(validate_mod, "_MAX_MEMO", 3)
    key = make_key("p256", "cold-bound")
    roots = [make_cert(name(f"Bound Root {i}"), key, ca=True) for i in range(5)]
    for root in roots:
        assert validate_chain(root, trust_anchors=[root], at=NOW + dt.timedelta(0), cache=None).ok
    assert len(validate_mod._FACTS_BY_DER) == 3
    assert _der(roots[-1]) in validate_mod._FACTS_BY_DER and _der(roots[0]) not in validate_mod._FACTS_BY_DER


def test_cache_keys_hash_once_and_compare_by_content(pki: Any) -> None:
    """A report cached for certificate objects is found for other objects of the same DER and not
    for other certificates, however the cache's per-object hash memo has turned over."""
    from cryptokit.chain import ChainCache

    cache: ChainCache[Any] = ChainCache(maxsize=1, bucket_seconds=60)
    at = dt.datetime(NOW.year, NOW.month, NOW.day, 12, 0, 10, tzinfo=dt.UTC)
    first = validate_chain(pki.leaf, intermediates=[pki.intermediate], trust_anchors=[pki.root], at=at, cache=cache)
    assert cache.stats().misses == 1
    for _ in range(6):  # new objects each time: the memo of object hashes (4 x maxsize) is cleared on the way
        again = validate_chain(
            x509.load_der_x509_certificate(_der(pki.leaf)),
            intermediates=[x509.load_der_x509_certificate(_der(pki.intermediate))],
            trust_anchors=[x509.load_der_x509_certificate(_der(pki.root))],
            at=at,
            cache=cache,
        )
        assert again is first
    assert cache.stats().hits == 6
    other = make_pki("p256", label="cold-path-other")
    k1 = cache.key((pki.leaf, (pki.intermediate,), pki.root, None, 3))
    k2 = cache.key((x509.load_der_x509_certificate(_der(pki.leaf)), (pki.intermediate,), pki.root, None, 3))
    k3 = cache.key((other.leaf, (pki.intermediate,), pki.root, None, 3))
    assert k1 == k2 and hash(k1) == hash(k2) and k1 != k3
    with pytest.raises(TypeError):
        cache.key(([],))


@pytest.mark.parametrize("required", [True, False])
def test_without_crls_the_revocation_check_is_the_one_the_lookups_give(pki: Any, required: bool) -> None:
    """check_revocation without CRLs (no lookups, the points kept in the facts) says what it says when
    it searches CRLs that do not apply: for a certificate without cRLDistributionPoints, one whose
    cRLIssuer is another CA (named in the message) and one whose cRLIssuer is its own issuer."""
    from cryptography.hazmat.primitives import hashes

    from cryptokit.chain.revocation import check_revocation, distribution_points

    other = make_cert(name("Unrelated CRL Issuer"), make_key("p256", "cold-crl-other"), ca=True)
    stray = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(name("Nobody At All"))
        .last_update(NOW - DAY)
        .next_update(NOW + DAY)
        .add_extension(x509.CRLNumber(1), critical=False)
        .sign(make_key("p256", "cold-crl-nobody"), hashes.SHA256())
    )
    key = make_key("p256", "cold-crl-leaf")
    leaves = [pki.leaf]
    for crl_issuer in (other.subject, pki.intermediate.subject):
        dp = x509.DistributionPoint(None, None, None, [x509.DirectoryName(crl_issuer)])
        leaves.append(
            make_cert(name("Leaf With cRLIssuer"), key, pki.intermediate, pki.intermediate_key,
                      extra_extensions=[(x509.CRLDistributionPoints([dp]), False)])
        )  # fmt: skip
    messages = set()
    for leaf in leaves:
        kw: dict[str, Any] = {"required": required, "subject": "leaf"}
        searched = check_revocation(leaf, pki.intermediate, [stray], NOW, **kw)
        assert check_revocation(leaf, pki.intermediate, [], NOW, **kw) == searched
        assert check_revocation(leaf, pki.intermediate, [], NOW, points=distribution_points(leaf), **kw) == searched
        messages.add(searched.message)
    assert len(messages) == 2 and any("Unrelated CRL Issuer" in m for m in messages)


def test_the_revocation_check_kept_with_the_facts_follows_the_policy(pki: Any) -> None:
    """Without CRLs and OCSP responses the revocation check is kept with the certificate's facts,
    per ``require_revocation``: the same leaf validated under both settings, in turn, gets the
    skipped check and the TRY_LATER failure each time, as the lookups give them."""
    from cryptokit.chain.ocsp import combine
    from cryptokit.chain.revocation import check_revocation

    key = make_key("p256", "cold-kept")
    leaf = _der(make_cert(name("Revocation Kept"), key, pki.intermediate, pki.intermediate_key))
    args: dict[str, Any] = {"intermediates": [pki.intermediate], "trust_anchors": [pki.root], "at": NOW, "cache": None}
    strict = ChainPolicy.document_signing(require_revocation=True)
    for _ in range(2):
        for policy in (None, strict):
            required = policy is not None
            r = validate_chain(leaf, policy=policy, **args)
            check = next(c for c in r.checks if c.name == "revocation" and "Revocation Kept" in (c.subject or ""))
            cert = x509.load_der_x509_certificate(leaf)
            direct = check_revocation(cert, pki.intermediate, [], NOW, required=required, subject=check.subject or "")
            assert check == combine(direct, None, required=required, subject=check.subject or "")
            assert check.outcome.value == ("failed" if required else "skipped")
            assert r.ok is not required


def test_a_kept_public_key_is_its_own_certificates(pki: Any) -> None:
    """Issuer keys are kept with each CA certificate's facts across calls: two CAs with the same name
    and different keys, given in turn, each verify only the leaves their own key signed (the kept
    key of one never stands in for the other's), and a cold call still verifies every signature."""
    ca_key, other_key = make_key("p256", "cold-kept-ca"), make_key("p256", "cold-kept-other")
    ca = make_cert(name("Kept Key CA"), ca_key, pki.root, pki.root_key, ca=True)
    twin = make_cert(name("Kept Key CA"), other_key, pki.root, pki.root_key, ca=True)
    leaf = _der(make_cert(name("Kept Key Leaf"), make_key("p256", "cold-kept-leaf"), ca, ca_key))
    for _ in range(2):
        for issuer, ok in ((ca, True), (twin, False), (_der(ca), True), (_der(twin), False)):
            r = validate_chain(leaf, intermediates=[issuer], trust_anchors=[pki.root], at=NOW, cache=None)
            assert r.ok is ok
            if not ok:
                assert [c.name for c in r.failures()] == ["signature"]


def test_a_full_facts_memo_evicts_its_oldest_in_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the facts memo is full, its oldest eighth goes at once: it never holds more than
    ``_MAX_MEMO`` certificates, the newest stay, the oldest go first."""
    monkeypatch.setattr(validate_mod, "_FACTS_BY_DER", {})
    monkeypatch.setattr(validate_mod, "_MAX_MEMO", 16)
    facts = validate_mod._Facts("memo")
    for i in range(40):
        validate_mod._remember(b"der %d" % i, facts)
        assert len(validate_mod._FACTS_BY_DER) <= 16
    kept = list(validate_mod._FACTS_BY_DER)
    assert kept == [b"der %d" % i for i in range(40 - len(kept), 40)] and len(kept) >= 14


@pytest.mark.parametrize("required", [True, False])
def test_a_kept_revocation_check_for_another_subject_is_the_lookups_one(
    pki: Any, required: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without CRLs and OCSP responses, what the revocation check says besides its subject is kept
    per distribution points value (shared by the leaves of one issuer) and used for a new leaf: each
    leaf's check (implicit point, URI points, a cRLIssuer naming another CA or the issuer itself) is
    the one check_revocation gives it, with its own subject."""
    from cryptokit.chain.ocsp import combine
    from cryptokit.chain.revocation import check_revocation
    from cryptokit.testing.chains import realistic_leaf_extensions

    monkeypatch.setattr(validate_mod, "_NO_DATA", {})
    other = make_cert(name("Another CRL Issuer"), make_key("p256", "kept-rev-other"), ca=True)
    kinds: list[list[Any]] = [[], realistic_leaf_extensions(0)]
    for crl_issuer in (other.subject, pki.intermediate.subject):
        dp = x509.DistributionPoint(None, None, None, [x509.DirectoryName(crl_issuer)])
        kinds.append([(x509.CRLDistributionPoints([dp]), False)])
    key = make_key("p256", "kept-rev-leaf")
    policy = ChainPolicy.document_signing(require_revocation=required)
    messages = set()
    for k, extensions in enumerate(kinds):
        for i in range(3):
            cert = make_cert(name(f"Kept Revocation {k} {i}"), key, pki.intermediate, pki.intermediate_key,
                             extra_extensions=extensions)  # fmt: skip
            r = validate_chain(
                _der(cert), intermediates=[_der(pki.intermediate)], trust_anchors=[_der(pki.root)], at=NOW,
                policy=policy, cache=None,
            )  # fmt: skip
            (check,) = [c for c in r.checks if c.name == "revocation" and c.subject == f"CN=Kept Revocation {k} {i}"]
            direct = check_revocation(cert, pki.intermediate, [], NOW, required=required, subject=check.subject or "")
            assert check == combine(direct, None, required=required, subject=check.subject or "")
            messages.add(check.message)
    assert len(messages) == 2 and len(validate_mod._NO_DATA) >= 3


def test_the_kept_revocation_checks_are_bounded(pki: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The no-data revocation checks kept per distribution points value are emptied when full (a
    bound stated in SECURITY.md): leaves with six cRLDistributionPoints values never make it hold
    more than the bound, and each leaf still gets its own check."""
    monkeypatch.setattr(validate_mod, "_NO_DATA", {})
    monkeypatch.setattr(validate_mod, "_MAX_MEMO", 3)
    key = make_key("p256", "kept-rev-bound")
    for i in range(6):
        uri = x509.UniformResourceIdentifier(f"http://crl.example/bound-{i}.crl")
        dps = x509.CRLDistributionPoints([x509.DistributionPoint([uri], None, None, None)])
        leaf = make_cert(name(f"Bounded Revocation {i}"), key, pki.intermediate, pki.intermediate_key,
                         extra_extensions=[(dps, False)])  # fmt: skip
        r = validate_chain(_der(leaf), intermediates=[_der(pki.intermediate)], trust_anchors=[_der(pki.root)],
                           at=NOW, cache=None)  # fmt: skip
        assert r.ok and len(validate_mod._NO_DATA) <= 3
        (check,) = [c for c in r.checks if c.name == "revocation" and c.subject == f"CN=Bounded Revocation {i}"]
        assert check.outcome.value == "skipped"
