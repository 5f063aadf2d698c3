"""Certificate policy processing against pyhanko-certvalidator (issue 17): the same crafted chains
and RFC 5280 6.1.1 inputs, the same verdict and the same user-constrained policy set.

pyhanko-certvalidator processes policies with its own RFC 5280 implementation (with a bounded
policy graph, ``max_policy_graph_nodes``); it comes with the dev extra through pyHanko.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from cryptokit.chain import ChainPolicy, validate_chain
from cryptokit.chain.policy import ANY_POLICY

from ..chain.test_policy_tree import P1, P2, P3, chain, policies

certvalidator = pytest.importorskip("pyhanko_certvalidator")
a_x509 = pytest.importorskip("asn1crypto.x509")

# (id, CA extensions from the anchor down, leaf extensions, self-issued after CA k, ChainPolicy options)
CASES: list[tuple[str, list[Any], Any, int | None, dict[str, Any]]] = [
    ("mapping", [policies(P1, mappings=[(P1, P2)])], policies(P2), None, {"required_policies": [P1]}),
    ("mapping-wrong-domain", [policies(P1, mappings=[(P1, P2)])], policies(P2), None, {"required_policies": [P2]}),
    (
        "mapping-inhibited",
        [policies(P1, mappings=[(P1, P2)])],
        policies(P2),
        None,
        {"initial_explicit_policy": True, "initial_policy_mapping_inhibit": True},
    ),
    (
        "inhibit-mapping-ca",
        [policies(P1, inhibit_policy_mapping=0), policies(P1, mappings=[(P1, P2)])],
        policies(P2),
        None,
        {"initial_explicit_policy": True},
    ),
    (
        "inhibit-any-ca",
        [policies(ANY_POLICY, inhibit_any_policy=0), policies(ANY_POLICY)],
        policies(P1),
        None,
        {"initial_explicit_policy": True},
    ),
    ("inhibit-any-loose", [policies(ANY_POLICY, inhibit_any_policy=0), policies(ANY_POLICY)], policies(P1), None, {}),
    (
        "inhibit-any-initial",
        [policies(ANY_POLICY), policies(ANY_POLICY)],
        policies(P1),
        None,
        {"required_policies": [P1], "initial_any_policy_inhibit": True},
    ),
    (
        "any-everywhere",
        [policies(ANY_POLICY), policies(ANY_POLICY)],
        policies(P1, P2),
        None,
        {"required_policies": [P2]},
    ),
    ("any-leaf", [policies(P1, P2)], policies(ANY_POLICY), None, {"required_policies": [P2, P3]}),
    ("require-explicit-0", [policies(P1, require_explicit_policy=0), []], policies(P1), None, {}),
    ("require-explicit-1-ok", [policies(P1, require_explicit_policy=1)], policies(P1), None, {}),
    ("require-explicit-1-leaf", [policies(P1, require_explicit_policy=1)], [], None, {}),
    ("self-issued-rollover", [policies(ANY_POLICY, require_explicit_policy=2)], [], 1, {}),
    ("self-issued-counted", [policies(ANY_POLICY, require_explicit_policy=2), policies(ANY_POLICY)], [], None, {}),
    ("overlap", [policies(P1, P2, P3), policies(P1, P2)], policies(P2, P3), None, {"required_policies": [P2, P3]}),
]


def _asn1(cert: Any) -> Any:
    return a_x509.Certificate.load(cert.public_bytes(Encoding.DER))


def _pyhanko(c: dict[str, Any], options: dict[str, Any]) -> tuple[bool, frozenset[str]]:
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.errors import PathValidationError
    from pyhanko_certvalidator.policy_decl import PKIXValidationParams

    user = frozenset(options.get("required_policies", ["any_policy"]))
    params = PKIXValidationParams(
        user_initial_policy_set=user,
        initial_explicit_policy=options.get("initial_explicit_policy", "required_policies" in options),
        initial_policy_mapping_inhibit=options.get("initial_policy_mapping_inhibit", False),
        initial_any_policy_inhibit=options.get("initial_any_policy_inhibit", False),
    )
    ctx = ValidationContext(
        trust_roots=[_asn1(r) for r in c["trust_anchors"]],
        moment=dt.datetime.now(dt.UTC),
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    validator = CertificateValidator(
        _asn1(c["leaf"]), [_asn1(i) for i in c["intermediates"]], validation_context=ctx, pkix_params=params
    )
    try:
        path = asyncio.run(validator.async_validate_path())
    except PathValidationError:
        return False, frozenset()
    names = {q.user_domain_policy_id for q in path.qualified_policies()}
    return True, frozenset(ANY_POLICY if n == "any_policy" else n for n in names)


@pytest.mark.parametrize(("case_id", "cas", "leaf", "self_issued", "options"), CASES, ids=[c[0] for c in CASES])
def test_policy_processing_agrees_with_pyhanko_certvalidator(
    case_id: str, cas: list[Any], leaf: Any, self_issued: int | None, options: dict[str, Any]
) -> None:
    c = chain(*cas, leaf=leaf, self_issued_after=self_issued, label=f"ph-{case_id}")
    ours = validate_chain(**c, policy=ChainPolicy.rfc5280(**options))
    theirs_ok, theirs_policies = _pyhanko(c, options)
    assert ours.ok is theirs_ok, (case_id, [f.message for f in ours.failures()])
    if theirs_ok:
        assert ours.user_constrained_policies == theirs_policies, case_id
    else:
        assert {f.name for f in ours.failures()} == {"certificate_policies"}, ours.failures()


def test_the_cases_cover_both_verdicts() -> None:
    """The oracle comparison is not one-sided: some cases pass and some fail."""
    verdicts = {
        validate_chain(
            **chain(*cas, leaf=leaf, self_issued_after=si, label=f"ph-{cid}"), policy=ChainPolicy.rfc5280(**o)
        ).ok
        for cid, cas, leaf, si, o in CASES
    }
    assert verdicts == {True, False}
