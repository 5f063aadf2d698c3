"""emCA validity, validFrom and request-id strings."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cryptokit.errors import InputError
from cryptokit.protocols import emca
from cryptokit.protocols.emca.errors import InvalidFromDate, InvalidValidity, error_from_text

UTC = dt.UTC


# --- validity ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["365:12:45:45", "120:23:45:54", "0:00:00:00", "36135:23:59:59", "1:00:00:00"])
def test_validity_vendor_samples_round_trip(text: str) -> None:
    v = emca.Validity.parse(text)
    assert str(v) == text
    assert emca.Validity.parse(str(v)) == v


def test_validity_values() -> None:
    v = emca.Validity.parse("120:23:45:54")
    assert (v.days, v.hours, v.minutes, v.seconds) == (120, 23, 45, 54)
    assert v.to_timedelta() == dt.timedelta(days=120, hours=23, minutes=45, seconds=54)
    assert v.total_seconds == int(v.to_timedelta().total_seconds())
    assert emca.Validity.from_timedelta(v.to_timedelta()) == v
    assert str(emca.Validity.parse("7:1:2:3")) == "7:01:02:03"  # canonical form


@pytest.mark.parametrize(
    "text",
    [
        "36136:00:00:00",  # days over 36135
        "1:24:00:00",  # hours over 23
        "1:00:60:00",
        "1:00:00:60",
        "-1:00:00:00",
        "1:00:00",  # three fields
        "1:00:00:00:00",
        "",
        " 1:00:00:00",
        "1:00:00:00\n",
        "a:00:00:00",
        "\u0661:00:00:00",  # ARABIC-INDIC DIGIT ONE: not an ASCII digit
        "123456:00:00:00",
        "1:000:00:00",
        "1.5:00:00:00",
    ],
)
def test_validity_violations_are_vendor_text(text: str) -> None:
    with pytest.raises(InputError, match="Invalid validity") as info:
        emca.Validity.parse(text)
    assert info.value.field == "validity"
    # and the message maps back to the vendor's typed error
    assert isinstance(error_from_text(info.value.rule), InvalidValidity)


@pytest.mark.parametrize("args", [(36136,), (0, 24), (0, 0, 60), (0, 0, 0, 60), (-1,), (True,), (1.0,)])
def test_validity_constructor_bounds(args: tuple[object, ...]) -> None:
    with pytest.raises(InputError, match="Invalid validity"):
        emca.Validity(*args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "delta",
    [
        dt.timedelta(seconds=-1),
        dt.timedelta(days=36136),
        dt.timedelta(seconds=1, microseconds=1),
    ],
)
def test_validity_from_timedelta_refuses(delta: dt.timedelta) -> None:
    with pytest.raises(InputError, match="Invalid validity"):
        emca.Validity.from_timedelta(delta)


@given(st.integers(0, emca.Validity(36135, 23, 59, 59).total_seconds))
def test_validity_timedelta_round_trip(seconds: int) -> None:
    v = emca.Validity.from_timedelta(dt.timedelta(seconds=seconds))
    assert v.to_timedelta() == dt.timedelta(seconds=seconds)
    assert emca.Validity.parse(str(v)) == v


# --- validFrom ---------------------------------------------------------------------------------


def test_valid_from_sample_default_utc() -> None:
    when = emca.parse_valid_from("12:12:2019 00:00:00")
    assert when == dt.datetime(2019, 12, 12, tzinfo=UTC)
    assert when.utcoffset() == dt.timedelta(0)
    assert emca.format_valid_from(when) == "12:12:2019 00:00:00"


def test_valid_from_explicit_zone() -> None:
    ist = ZoneInfo("Asia/Kolkata")
    when = emca.parse_valid_from("12:12:2019 00:00:00", tz=ist)
    assert when == dt.datetime(2019, 12, 11, 18, 30, tzinfo=UTC)
    assert emca.format_valid_from(when, tz=ist) == "12:12:2019 00:00:00"
    assert emca.format_valid_from(when) == "11:12:2019 18:30:00"


def test_valid_from_drops_microseconds() -> None:
    assert emca.format_valid_from(dt.datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=UTC)) == "29:02:2024 23:59:59"


@pytest.mark.parametrize(
    "text",
    [
        "31:02:2019 00:00:00",
        "29:02:2019 00:00:00",  # not a leap year
        "00:01:2019 00:00:00",
        "12:13:2019 00:00:00",
        "12:12:2019 24:00:00",
        "12:12:2019 23:60:00",
        "12:12:2019 23:59:60",
        "12/12/2019 00:00:00",
        "12:12:19 00:00:00",
        "1:12:2019 00:00:00",
        "12:12:2019T00:00:00",
        "12:12:2019 00:00",
        "",
        "12:12:0000 00:00:00",
    ],
)
def test_valid_from_refuses(text: str) -> None:
    with pytest.raises(InputError, match="Invalid From Date") as info:
        emca.parse_valid_from(text)
    assert info.value.field == "validFrom"
    assert isinstance(error_from_text(info.value.rule), InvalidFromDate)


def test_valid_from_dst_gap_refused() -> None:
    with pytest.raises(InputError, match="Invalid From Date"):
        emca.parse_valid_from("31:03:2024 02:30:00", tz=ZoneInfo("Europe/Berlin"))


def test_valid_from_naive_and_bad_tz_refused() -> None:
    with pytest.raises(InputError, match="Invalid From Date"):
        emca.format_valid_from(dt.datetime(2019, 12, 12))
    with pytest.raises(InputError) as info:
        emca.parse_valid_from("12:12:2019 00:00:00", tz=None)  # type: ignore[arg-type]
    assert info.value.field == "tz"


# --- request ids -------------------------------------------------------------------------------


def test_request_ids_vendor_example() -> None:
    ids = emca.parse_request_ids("ID1|requestId1~ID2|requestId2")
    assert ids == {"ID1": "requestId1", "ID2": "requestId2"}
    assert list(ids) == ["ID1", "ID2"]
    assert emca.format_request_ids(ids) == "ID1|requestId1~ID2|requestId2"
    assert emca.parse_request_ids("ID1|r1") == {"ID1": "r1"}


@pytest.mark.parametrize(
    "text",
    [
        "",
        "~",
        "ID1|r1~",
        "~ID1|r1",
        "ID1|r1~~ID2|r2",
        "ID1|r1~ID1|r2",  # duplicate id
        "ID1",
        "ID1|",
        "|r1",
        "ID1|r1|x",
        "ID1||r1",
    ],
)
def test_request_ids_refused(text: str) -> None:
    with pytest.raises(InputError):
        emca.parse_request_ids(text)


@pytest.mark.parametrize("ids", [{}, {"a|b": "r"}, {"a": "r~s"}, {"": "r"}, {"a": ""}])
def test_format_request_ids_refused(ids: dict[str, str]) -> None:
    with pytest.raises(InputError):
        emca.format_request_ids(ids)


_PART = st.text(st.characters(blacklist_characters="|~", blacklist_categories=["Cs"]), min_size=1, max_size=8)


@given(
    st.dictionaries(
        _PART,
        _PART,
        min_size=1,
        max_size=8,
    )
)
def test_request_ids_round_trip(ids: dict[str, str]) -> None:
    assert emca.parse_request_ids(emca.format_request_ids(ids)) == ids
