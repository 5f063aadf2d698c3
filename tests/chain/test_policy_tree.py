"""Certificate policies (issue 17): RFC 5280 6.1.2-6.1.5 on crafted chains, the ChainPolicy options,
the report's policy sets, document_signing(required_policies=) and the bound on the policy tree."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from cryptography import x509

from cryptokit.chain import ChainPolicy, validate_chain
from cryptokit.chain import policy_tree as pt
from cryptokit.chain.policy import ANY_POLICY
from cryptokit.errors import InputError
from cryptokit.report import Outcome, SubIndication
from cryptokit.testing import make_cert, make_key, make_pki, name, policy_extensions

P1, P2, P3 = "1.3.6.1.4.1.55555.1", "1.3.6.1.4.1.55555.2", "1.3.6.1.4.1.55555.3"
QCP_N_QSCD = "0.4.0.194112.1.2"
Ext = list[tuple[x509.ExtensionType, bool]]


def chain(*cas: Ext, leaf: Ext, self_issued_after: int | None = None, label: str = "pt") -> dict[str, Any]:
    """root -> CA 1 -> ... -> leaf with the given extensions (CA i gets ``cas[i-1]``); with
    ``self_issued_after=k`` a self-issued certificate of CA k (a key rollover) follows it, with CA
    k's extensions, and issues the next one."""
    root_key = make_key("p256", label + "root")
    root = make_cert(name(f"{label} root"), root_key, ca=True)
    issuer, issuer_key = root, root_key
    inters: list[x509.Certificate] = []
    for i, ext in enumerate(cas, start=1):
        key = make_key("p256", f"{label}ca{i}")
        cert = make_cert(name(f"{label} CA {i}"), key, issuer, issuer_key, ca=True, extra_extensions=ext)
        inters.append(cert)
        issuer, issuer_key = cert, key
        if self_issued_after == i:
            key2 = make_key("p256", f"{label}ca{i}new")
            cert2 = make_cert(name(f"{label} CA {i}"), key2, issuer, issuer_key, ca=True, extra_extensions=ext)
            inters.append(cert2)
            issuer, issuer_key = cert2, key2
    leaf_cert = make_cert(
        name(f"{label} signer"), make_key("p256", label + "leaf"), issuer, issuer_key, extra_extensions=leaf
    )
    return {"leaf": leaf_cert, "intermediates": inters, "trust_anchors": [root], "cache": None}


def policies(*oids: str, **kw: Any) -> Ext:
    return policy_extensions(list(oids), **kw)


def policy_check(report: Any) -> Any:
    return next(c for c in report.checks if c.name in ("certificate_policies", "policy_tree_bound"))


# --------------------------------------------------------------------------- options


def test_options_default_to_rfc5280_defaults_and_keep_the_policy_hashable() -> None:
    p = ChainPolicy.rfc5280()
    assert p.user_initial_policy_set == frozenset({ANY_POLICY})
    assert (p.initial_explicit_policy, p.initial_policy_mapping_inhibit, p.initial_any_policy_inhibit) == (
        False,
        False,
        False,
    )
    q = p.replace(user_initial_policy_set=[P1, x509.ObjectIdentifier(P2)], initial_explicit_policy=True)
    assert isinstance(q.user_initial_policy_set, frozenset) and q.user_initial_policy_set == {P1, P2}
    assert hash(q) != hash(p) and q == p.replace(user_initial_policy_set={P2, P1}, initial_explicit_policy=True)


@pytest.mark.parametrize(
    ("options", "field", "rule"),
    [
        ({"user_initial_policy_set": {"qcp-n"}}, "user_initial_policy_set", "dotted OID"),
        ({"user_initial_policy_set": {"1.2.03"}}, "user_initial_policy_set", "dotted OID"),
        ({"user_initial_policy_set": {"5.1"}}, "user_initial_policy_set", "dotted OID"),
        ({"user_initial_policy_set": P1}, "user_initial_policy_set", "not a single value"),
        ({"user_initial_policy_set": set()}, "user_initial_policy_set", "at least one"),
        ({"user_initial_policy_set": {1}}, "user_initial_policy_set", "not int"),
        ({"initial_explicit_policy": 1}, "initial_explicit_policy", "must be a bool"),
        ({"initial_policy_mapping_inhibit": "yes"}, "initial_policy_mapping_inhibit", "must be a bool"),
        ({"initial_any_policy_inhibit": None}, "initial_any_policy_inhibit", "must be a bool"),
    ],
)
def test_bad_option_values_are_input_errors_naming_field_and_rule(
    options: dict[str, Any], field: str, rule: str
) -> None:
    for make in (lambda: ChainPolicy.rfc5280(**options), lambda: ChainPolicy(**options)):
        with pytest.raises(InputError) as exc:
            make()
        assert exc.value.field == field and rule in str(exc.value)


def test_required_policies_bad_values() -> None:
    with pytest.raises(InputError, match="anyPolicy") as exc:
        ChainPolicy.document_signing(required_policies=[ANY_POLICY])
    assert exc.value.field == "required_policies"
    with pytest.raises(InputError, match="one or the other"):
        ChainPolicy.document_signing(required_policies=[P1], user_initial_policy_set={P2})
    with pytest.raises(InputError, match="dotted OID") as exc:
        ChainPolicy.document_signing(required_policies=["QCP-n-qscd"])
    assert exc.value.field == "required_policies"


# --------------------------------------------------------------------------- document_signing(required_policies=)


def test_document_signing_required_policies_sets_the_rfc_inputs() -> None:
    p = ChainPolicy.document_signing(required_policies=[QCP_N_QSCD, "0.4.0.194112.1.0"])
    assert p.profile == "document_signing"
    assert p.user_initial_policy_set == {QCP_N_QSCD, "0.4.0.194112.1.0"}
    assert p.initial_explicit_policy is True


def test_required_policy_present_in_the_leaf_passes_and_is_reported() -> None:
    pki = make_pki("p256", label="qcp-yes", policies=[QCP_N_QSCD])
    policy = ChainPolicy.document_signing(required_policies=[QCP_N_QSCD, "0.4.0.194112.1.0"])
    r = validate_chain(pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], policy=policy, cache=None)
    assert r.ok, r.failures()
    assert r.user_constrained_policies == {QCP_N_QSCD}
    assert r.authority_constrained_policies == {QCP_N_QSCD}
    d = r.to_dict()
    assert d["user_constrained_policies"] == [QCP_N_QSCD] and d["authority_constrained_policies"] == [QCP_N_QSCD]


def test_required_policy_absent_fails_naming_the_leaf() -> None:
    pki = make_pki("p256", label="qcp-no", policies=["0.4.0.194112.1.0"])  # QCP-n, not QCP-n-qscd
    policy = ChainPolicy.document_signing(required_policies=[QCP_N_QSCD])
    r = validate_chain(pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], policy=policy, cache=None)
    assert not r.ok and r.sub_indication is SubIndication.CHAIN_CONSTRAINTS_FAILURE
    (failure,) = r.failures()
    assert failure.name == "certificate_policies"
    assert failure.subject == pki.leaf.subject.rfc4514_string() and failure.details["position"] == 2
    assert "became empty at certificate 2 of 2" in failure.message
    assert r.authority_constrained_policies == {"0.4.0.194112.1.0"} and r.user_constrained_policies == frozenset()
    # the same chain without the requirement passes and reports what the leaf has
    ok = validate_chain(pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], cache=None)
    assert ok.ok and ok.user_constrained_policies == {"0.4.0.194112.1.0"}


def test_chain_without_policies_takes_the_short_way_and_still_fails_an_explicit_requirement() -> None:
    pki = make_pki("p256", label="nopol")
    r = validate_chain(pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], cache=None)
    check = policy_check(r)
    assert r.ok and check.outcome is Outcome.PASSED and "no certificate policies" in check.message
    assert r.user_constrained_policies == frozenset() == r.authority_constrained_policies
    strict = ChainPolicy.rfc5280(initial_explicit_policy=True)
    r2 = validate_chain(pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], policy=strict, cache=None)
    assert not r2.ok and policy_check(r2).outcome is Outcome.FAILED
    # the issuing CA (certificate 1) is where the tree became empty
    assert policy_check(r2).subject == pki.intermediate.subject.rfc4514_string()


# --------------------------------------------------------------------------- RFC 5280 processing


def test_tree_becomes_empty_in_the_middle_names_that_certificate() -> None:
    c = chain(policies(P1, require_explicit_policy=0), [], leaf=policies(P1), label="mid")
    r = validate_chain(**c)
    (failure,) = r.failures()
    assert failure.name == "certificate_policies" and failure.details["position"] == 2
    assert failure.subject == c["intermediates"][1].subject.rfc4514_string()
    assert "requireExplicitPolicy" in failure.message


def test_policy_mapping_user_domain_and_mapping_inhibit() -> None:
    c = chain(policies(P1, mappings=[(P1, P2)]), leaf=policies(P2), label="map")
    r = validate_chain(**c, policy=ChainPolicy.rfc5280(user_initial_policy_set={P1}, initial_explicit_policy=True))
    assert r.ok and r.user_constrained_policies == {P1}, r.failures()
    # the leaf's P2 is reached only through the mapping: refused when mapping is inhibited
    inhibited = ChainPolicy.rfc5280(initial_explicit_policy=True, initial_policy_mapping_inhibit=True)
    r2 = validate_chain(**c, policy=inhibited)
    assert not r2.ok and policy_check(r2).name == "certificate_policies"
    # and when the user asks for P2 itself (the CA's domain has no P2)
    r3 = validate_chain(**c, policy=ChainPolicy.rfc5280(user_initial_policy_set={P2}, initial_explicit_policy=True))
    assert not r3.ok


@pytest.mark.parametrize("pair", [(ANY_POLICY, P2), (P1, ANY_POLICY)])
def test_mapping_to_or_from_any_policy_is_refused(pair: tuple[str, str]) -> None:
    c = chain(policies(P1, mappings=[pair]), leaf=policies(P1), label="mapany" + pair[0][-1])
    r = validate_chain(**c)
    (failure,) = r.failures()
    assert failure.name == "certificate_policies" and "anyPolicy" in failure.message
    assert failure.subject == c["intermediates"][0].subject.rfc4514_string()


def test_inhibit_policy_mapping_from_a_ca() -> None:
    # CA 1 inhibits mapping for the certificates below it (skipCerts 0): CA 2's mapping deletes P1
    c = chain(
        policies(P1, inhibit_policy_mapping=0),
        policies(P1, mappings=[(P1, P2)]),
        leaf=policies(P2),
        label="ipm",
    )
    assert not validate_chain(**c, policy=ChainPolicy.rfc5280(initial_explicit_policy=True)).ok
    c2 = chain(
        policies(P1, inhibit_policy_mapping=1), policies(P1, mappings=[(P1, P2)]), leaf=policies(P2), label="ipm1"
    )
    r = validate_chain(**c2, policy=ChainPolicy.rfc5280(initial_explicit_policy=True))
    assert r.ok and r.user_constrained_policies == {P1}


def test_inhibit_any_policy_from_a_ca_and_from_the_options() -> None:
    c = chain(policies(ANY_POLICY, inhibit_any_policy=0), policies(ANY_POLICY), leaf=policies(P1), label="iap")
    explicit = ChainPolicy.rfc5280(initial_explicit_policy=True)
    r = validate_chain(**c, policy=explicit)
    assert not r.ok and policy_check(r).details["position"] == 2  # CA 2's anyPolicy no longer counts
    loose = validate_chain(**c)
    assert loose.ok and loose.user_constrained_policies == frozenset()
    c2 = chain(policies(ANY_POLICY), policies(ANY_POLICY), leaf=policies(P1), label="iap2")
    assert validate_chain(**c2, policy=explicit).user_constrained_policies == {P1}
    r2 = validate_chain(**c2, policy=explicit.replace(initial_any_policy_inhibit=True))
    assert not r2.ok and policy_check(r2).details["position"] == 1


def test_self_issued_certificates_do_not_decrement_the_counters() -> None:
    # requireExplicitPolicy 2 at CA 1, then a self-issued CA 1 and a leaf without policies: explicit_policy
    # goes 2 -> 2 (self-issued) -> 1 at the wrap-up, so the path is valid; counting the self-issued one fails it
    c = chain(policies(ANY_POLICY, require_explicit_policy=2), leaf=[], self_issued_after=1, label="si")
    r = validate_chain(**c)
    assert len(r.path) == 4 and r.ok, r.failures()
    c2 = chain(policies(ANY_POLICY, require_explicit_policy=2), policies(ANY_POLICY), leaf=[], label="si2")
    r2 = validate_chain(**c2)
    assert len(r2.path) == 4 and not r2.ok and policy_check(r2).name == "certificate_policies"


def test_any_policy_in_the_user_set_or_the_leaf() -> None:
    c = chain(policies(ANY_POLICY), leaf=policies(ANY_POLICY), label="anyleaf")
    r = validate_chain(**c)
    assert r.user_constrained_policies == {ANY_POLICY}
    r2 = validate_chain(**c, policy=ChainPolicy.rfc5280(user_initial_policy_set={P3}, initial_explicit_policy=True))
    assert r2.ok and r2.user_constrained_policies == {P3}


def test_qualifiers_are_carried_to_the_report() -> None:
    notice = x509.UserNotice(None, "signatures under this policy are qualified")
    info = x509.PolicyInformation(x509.ObjectIdentifier(P1), ["https://ca.example/cps", notice])
    c = chain(policies(ANY_POLICY), leaf=[(x509.CertificatePolicies([info]), False)], label="quals")
    r = validate_chain(**c, policy=ChainPolicy.rfc5280(required_policies=[P1]))
    assert r.ok
    quals = policy_check(r).details["qualifiers"][P1]
    assert quals == ["https://ca.example/cps", "userNotice: signatures under this policy are qualified"]
    (as_json,) = [c for c in r.to_dict()["checks"] if c["name"] == "certificate_policies"]
    assert as_json["details"]["qualifiers"][P1][0] == "https://ca.example/cps"


def test_policy_options_key_the_cache() -> None:
    pki = make_pki("p256", label="qcp-cache", policies=[P1])
    args: dict[str, Any] = {"intermediates": pki.chain, "trust_anchors": [pki.root]}
    at = dt.datetime.now(dt.UTC)
    assert validate_chain(pki.leaf, at=at, **args).ok
    assert not validate_chain(pki.leaf, at=at, policy=ChainPolicy.document_signing(required_policies=[P2]), **args).ok


# --------------------------------------------------------------------------- the bound


def _explosive(k: int, depth: int, label: str) -> dict[str, Any]:
    """CVE-2023-0464's shape: every CA asserts k policies and maps each to all k, so the RFC tree
    has k**i nodes at depth i."""
    oids = [f"1.3.6.1.4.1.55555.9.{j}" for j in range(k)]
    maps = [(a, b) for a in oids for b in oids]
    cas = [policies(*oids, mappings=maps) for _ in range(depth)]
    return chain(*cas, leaf=policies(*oids), label=label)


def test_policy_tree_explosion_fails_closed_within_the_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    created: list[int] = []
    original = pt._Tree.charge

    def counting(self: Any, count: int) -> None:
        created.append(count)
        original(self, count)

    monkeypatch.setattr(pt._Tree, "charge", counting)
    c = _explosive(12, 6, "boom")  # 12**6 ~ 3 million nodes without the bound
    r = validate_chain(**c)
    assert not r.ok and r.sub_indication is SubIndication.CHAIN_CONSTRAINTS_FAILURE
    (failure,) = r.failures()
    assert failure.name == "policy_tree_bound" and failure.details["max_nodes"] == pt.MAX_POLICY_NODES
    assert "CVE-2023-0464" in failure.message and failure.details["position"] in (2, 3)
    # the work done is the bound, not the tree: the charges stop right after MAX_POLICY_NODES
    assert sum(created[:-1]) <= pt.MAX_POLICY_NODES < sum(created)


def test_small_multi_policy_chain_stays_under_the_bound() -> None:
    r = validate_chain(**_explosive(3, 3, "small"))  # 3 + 9 + 27 + 81 nodes and 9-entry mappings
    assert r.ok and len(r.user_constrained_policies) == 3, r.failures()


def test_policy_facts_refuses_an_unparsable_policy_mappings() -> None:
    bad = x509.UnrecognizedExtension(x509.ObjectIdentifier("2.5.29.33"), b"\x30\x03\x02\x01\x00")
    c = chain([(bad, False), *policies(P1)], leaf=policies(P1), label="badmap")
    r = validate_chain(**c)
    (failure,) = r.failures()
    assert failure.name == "certificate_policies" and "unparsable" in failure.message


def test_report_without_a_path_has_empty_policy_sets() -> None:
    pki = make_pki("p256", label="nopath", policies=[P1])
    other = make_pki("p256", label="other")
    r = validate_chain(pki.leaf, intermediates=pki.chain, trust_anchors=[other.root], cache=None)
    assert not r.ok and r.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND
    assert r.user_constrained_policies == frozenset() == r.authority_constrained_policies
    assert r.to_dict()["user_constrained_policies"] == []


# --------------------------------------------------------------------------- results kept across calls


class _Forgetful(dict):  # type: ignore[type-arg]
    """A memo that never finds anything: every path is processed afresh."""

    def get(self, *args: Any) -> None:
        return None


def test_a_kept_passed_result_is_what_processing_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    """A passed ``certificate_policies`` result is kept per path policy facts and inputs, and used for
    another leaf with the same certificatePolicies value: each report (its subject, sets, qualifiers;
    passing and failing, under several inputs) is the one processing the path afresh gives, and the
    qualifier lists of two reports are not one object."""
    from cryptography.hazmat.primitives.serialization import Encoding

    info = x509.PolicyInformation(x509.ObjectIdentifier(P1), ["https://ca.example/cps"])
    variants = [policies(P1, P2), [(x509.CertificatePolicies([info]), False)], policies(P3), policies(ANY_POLICY)]
    root_key, ca_key = make_key("p256", "kept-root"), make_key("p256", "kept-ca")
    root = make_cert(name("kept root"), root_key, ca=True)
    ca = make_cert(name("kept CA"), ca_key, root, root_key, ca=True, extra_extensions=policies(P1, ANY_POLICY))
    leaf_key = make_key("p256", "kept-leaf")
    leaves = [
        make_cert(name(f"kept signer {i}"), leaf_key, ca, ca_key, extra_extensions=variants[i % len(variants)])
        for i in range(12)
    ]
    options = [
        ChainPolicy.rfc5280(),
        ChainPolicy.rfc5280(user_initial_policy_set={P1}),
        ChainPolicy.rfc5280(user_initial_policy_set={P2}, initial_explicit_policy=True),
        ChainPolicy.rfc5280(initial_any_policy_inhibit=True),
    ]

    at = dt.datetime.now(dt.UTC)

    def reports() -> list[dict[str, Any]]:
        out = []
        for leaf in leaves:
            for policy in options:
                r = validate_chain(
                    leaf.public_bytes(Encoding.DER), intermediates=[ca.public_bytes(Encoding.DER)],
                    trust_anchors=[root], policy=policy, at=at, cache=None,
                )  # fmt: skip
                out.append(r.to_dict())
        return out

    monkeypatch.setattr(pt, "_PASSED", _Forgetful())
    afresh = reports()
    monkeypatch.setattr(pt, "_PASSED", {})
    kept = reports()
    assert 0 < len(pt._PASSED) <= len(variants) * len(options)  # one entry per value and inputs, not per leaf
    assert kept == afresh == reports()
    assert {d["ok"] for d in kept} == {True, False}
    subjects = {c["subject"] for d in kept for c in d["checks"] if c["name"] == "certificate_policies"}
    assert len(subjects) == len(leaves)
    a, b = (validate_chain(leaf, intermediates=[ca], trust_anchors=[root], cache=None) for leaf in leaves[1:6:4])
    qa, qb = policy_check(a).details["qualifiers"][P1], policy_check(b).details["qualifiers"][P1]
    assert qa == qb == ["https://ca.example/cps"] and qa is not qb


def test_the_kept_passed_results_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """The passed policy results kept across calls are emptied when full (SECURITY.md states the
    bound): four policy values under one CA never make it hold more than two, and every report is
    the one processing afresh gives."""
    monkeypatch.setattr(pt, "_MAX_PASSED", 2)
    c = chain(policies(ANY_POLICY), leaf=policies(P1), label="kept-bound")
    ca, ca_key = c["intermediates"][0], make_key("p256", "kept-boundca1")
    leaf_key = make_key("p256", "kept-boundleaf")
    at = dt.datetime.now(dt.UTC)
    kept: dict[Any, Any] = {}
    for i, oid in enumerate((P1, P2, P3, QCP_N_QSCD)):
        leaf = make_cert(name(f"bounded signer {i}"), leaf_key, ca, ca_key, extra_extensions=policies(oid))
        args: dict[str, Any] = {"intermediates": [ca], "trust_anchors": c["trust_anchors"], "at": at, "cache": None}
        monkeypatch.setattr(pt, "_PASSED", _Forgetful())
        afresh = validate_chain(leaf, **args)
        monkeypatch.setattr(pt, "_PASSED", kept)
        r = validate_chain(leaf, **args)
        assert r.ok and r.to_dict() == afresh.to_dict() and r.user_constrained_policies == {oid}
        kept = pt._PASSED
        assert 1 <= len(kept) <= 2
