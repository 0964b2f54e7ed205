"""SLA durations: parsing, deadlines and the Chinese wording customers see."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from backend.sla.calendar import WorkCalendar
from backend.sla.durations import Duration, parse_duration

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar(None)


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("45m", 45, "m"),
        ("24h", 24, "h"),
        ("7d", 7, "d"),
        ("5wd", 5, "wd"),
        ("120m", 120, "m"),
        (" 10wd ", 10, "wd"),
    ],
)
def test_parse(text: str, value: int, unit: str) -> None:
    assert parse_duration(text) == Duration(value, unit)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    ["", "5", "wd", "0m", "-5m", "5 wd", "5WD", "1.5h", "5w", "5days", "５wd", "5wdx"],
)
def test_parse_rejects_bad_input(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_parse_rejects_non_strings() -> None:
    with pytest.raises(ValueError, match="invalid duration 5"):
        parse_duration(5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "unit"), [(0, "m"), (True, "h"), (2.0, "d"), (1, "w")]
)
def test_constructor_validates(value: object, unit: str) -> None:
    with pytest.raises(ValueError):
        Duration(value, unit)  # type: ignore[arg-type]


def test_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        parse_duration("5wd").value = 6  # type: ignore[misc]


def test_str_in_chinese() -> None:
    assert [str(parse_duration(t)) for t in ("45m", "24h", "7d", "5wd")] == [
        "45分钟",
        "24小时",
        "7天",
        "5个工作日",
    ]


def test_seconds() -> None:
    assert parse_duration("45m").seconds == 2700
    assert parse_duration("24h").seconds == 86400
    assert parse_duration("7d").seconds == 604800
    with pytest.raises(ValueError, match="wd"):
        _ = parse_duration("5wd").seconds


def test_calendar_time_ignores_holidays(cal: WorkCalendar) -> None:
    # Calendar time runs straight through the National Day holiday.
    start = datetime(2026, 9, 30, 20, 0, tzinfo=SH)
    assert parse_duration("45m").after(start, cal) == datetime(
        2026, 9, 30, 20, 45, tzinfo=SH
    )
    assert parse_duration("24h").after(start, cal) == datetime(
        2026, 10, 1, 20, 0, tzinfo=SH
    )
    assert parse_duration("7d").after(start, cal) == datetime(
        2026, 10, 7, 20, 0, tzinfo=SH
    )


def test_working_days_use_the_calendar(cal: WorkCalendar) -> None:
    start = datetime(2026, 9, 30, 20, 0, tzinfo=SH)
    deadline = parse_duration("5wd").after(start, cal)
    assert deadline.isoformat() == "2026-10-13T23:59:59+08:00"


def test_result_is_in_shanghai(cal: WorkCalendar) -> None:
    start = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    deadline = parse_duration("90m").after(start, cal)
    assert deadline.tzinfo is SH
    assert deadline.isoformat() == "2026-03-10T21:30:00+08:00"


def test_foreign_dst_zone_still_gives_exact_hours(cal: WorkCalendar) -> None:
    # US clocks spring forward on 2026-03-08; 24h must still be 24 real hours.
    start = datetime(2026, 3, 7, 12, 0, tzinfo=ZoneInfo("America/New_York"))
    deadline = parse_duration("24h").after(start, cal)
    assert deadline - start == timedelta(hours=24)


def test_naive_start_raises(cal: WorkCalendar) -> None:
    for text in ("45m", "5wd"):
        with pytest.raises(ValueError, match="timezone-aware"):
            parse_duration(text).after(datetime(2026, 3, 10, 12, 0), cal)
