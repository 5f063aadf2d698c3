"""ADSS password policy: the local check gives the server's codes 60032/60033/60034."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cryptokit.errors import InputError
from cryptokit.protocols.adss import SPECIAL_CHARACTERS, PasswordPolicy

STRICT = PasswordPolicy(8, 255, upper_lower_letters=True, digits_and_special_char=True)
LAX = PasswordPolicy(8, 255, upper_lower_letters=False, digits_and_special_char=False)


@pytest.mark.parametrize(
    ("password", "codes"),
    [
        ("Abcdef1!", ()),
        ("Ab1!", ("60032",)),
        ("Abcdefgh", ("60033",)),
        ("Abcdefg1", ("60033",)),  # a digit but no special character
        ("Abcdefg!", ("60033",)),  # a special character but no digit
        ("abcdef1!", ("60034",)),
        ("ABCDEF1!", ("60034",)),
        ("abc", ("60032", "60033", "60034")),
        ("", ("60032", "60033", "60034")),
        ("Ab1 cdefg", ("60033",)),  # the space is not in the guide's list
        ("Ab1|cdefg", ()),  # "|" is (the PDF lost it between "{" and "}")
        ("Äb1!cdefg", ()),  # Unicode upper case counts
    ],
)
def test_strict_policy_codes(password: str, codes: tuple[str, ...]) -> None:
    assert STRICT.check(password) == codes


def test_lax_policy_checks_only_length() -> None:
    assert LAX.check("password") == ()
    assert LAX.check("short") == ("60032",)
    assert PasswordPolicy(1, 10).check("x" * 11) == ("60043",)


def test_each_listed_special_character_counts() -> None:
    assert len(SPECIAL_CHARACTERS) == 32
    for ch in SPECIAL_CHARACTERS:
        assert STRICT.check(f"Abcdef1{ch}") == (), ch


def test_from_response_and_sample_semantics() -> None:
    # Guide 4.3 sample: min 8, max 255, upper/lower required, digits+special not required.
    policy = PasswordPolicy.from_response(
        200,
        b'{"min_pass_length": "8", "max_pass_length": "255", "upper_lower_letters": "true", '
        b'"digits_and_special_char": "false"}',
    )
    assert policy.check("Password") == ()
    assert policy.check("password") == ("60034",)
    # the table's spellings
    alt = PasswordPolicy.from_response(
        200,
        b'{"min_pass_length": 6, "max_pass_length": 20, "upper_lowe_letters": false, "Digits_and_special_char": true}',
    )
    assert (alt.min_length, alt.upper_lower_letters, alt.digits_and_special_char) == (6, False, True)


def test_password_never_in_output() -> None:
    secret = "hunter2-SECRET"
    policy = PasswordPolicy(32, 255, upper_lower_letters=True, digits_and_special_char=True)
    codes = policy.check(secret)
    assert codes == ("60032",)
    with pytest.raises(InputError) as info:
        policy.require(secret, "new_password")
    assert secret not in str(info.value) and secret not in repr(info.value)
    assert "60032" in str(info.value) and info.value.field == "new_password"
    assert secret not in repr(policy)


@given(st.text(max_size=40))
def test_check_agrees_with_a_plain_reading(password: str) -> None:
    expected = set()
    if len(password) < 8:
        expected.add("60032")
    if not (
        any(c.isdigit() and c in "0123456789" for c in password) and any(c in SPECIAL_CHARACTERS for c in password)
    ):
        expected.add("60033")
    if not (any(c.isupper() for c in password) and any(c.islower() for c in password)):
        expected.add("60034")
    assert set(STRICT.check(password)) == expected
