"""Issue 16: the differential generator (cryptokit.testing.chains) against cryptography's verifier.

Each case changes one property of a conforming chain; cryptokit and cryptography's Rust verifier
(client verifier, permissive end-entity policy) must agree, except on the cases listed in
``DELIBERATE`` (also the README's table), where they must still disagree: a listed difference that
stops being one is reported so the table stays true."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cryptokit.testing.chains import DELIBERATE, build_case, case_names, compare

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize("case", case_names())
def test_verdict_agrees_with_cryptography_or_is_a_listed_difference(case: str) -> None:
    outcome = compare(build_case(case))
    if case in DELIBERATE:
        assert not outcome.agree, f"{case}: listed as deliberate but both now say {outcome.ours}"
        assert outcome.deliberate == DELIBERATE[case]
    else:
        assert outcome.agree, outcome


def test_baseline_passes_both_and_each_case_changes_something() -> None:
    baseline = compare(build_case("baseline"))
    assert baseline.ours and baseline.oracle
    outcomes = [compare(build_case(c)) for c in case_names()]
    refused = [o.case for o in outcomes if not (o.ours and o.oracle)]
    assert len(refused) > 40, refused  # most single changes break a rule one of the two enforces


def test_deliberate_differences_are_all_cases_and_in_the_readme_table() -> None:
    names = set(case_names())
    assert set(DELIBERATE) <= names
    text = README.read_text(encoding="utf-8")
    table = text[text.index("Deliberate differences") :]
    for case in DELIBERATE:
        assert re.search(rf"`{re.escape(case)}`", table), case
