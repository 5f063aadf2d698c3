"""ChainPolicy composites: AllOf / AnyOf with no constraint are refused, not silently passed."""

from __future__ import annotations

import pytest

from cryptokit.chain import AllOf, AnyOf, ChainPolicy, RequireLeafKeyUsage, validate_chain
from cryptokit.errors import InputError
from tests.pki import make_pki


@pytest.mark.parametrize("composite", [AllOf, AnyOf])
@pytest.mark.parametrize("constraints", [(), [], None])
def test_an_empty_composite_is_refused(composite: type, constraints: object) -> None:
    with pytest.raises(InputError) as info:
        composite(constraints)
    assert info.value.field == "constraints" and composite.__name__ in info.value.rule


def test_a_composite_of_one_constraint_still_decides() -> None:
    pki = make_pki("p256")
    usage = RequireLeafKeyUsage("digital_signature")
    policy = ChainPolicy.document_signing().with_constraints(AllOf((usage,)))
    assert validate_chain(pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], policy=policy, cache=None).ok
    refused = ChainPolicy.document_signing().with_constraints(AnyOf((RequireLeafKeyUsage("key_cert_sign"),)))
    report = validate_chain(pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], policy=refused, cache=None)
    assert not report.ok and [c.name for c in report.failures()] == ["any_of"]
