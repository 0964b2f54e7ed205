"""Working-day calendar. 2026 facts below are as chinese_calendar 1.11.0 reports
them (checked by printing is_workday for each day before writing the tests):
  New Year: off Jan 1-3, Sun Jan 4 works.
  Spring Festival: off Feb 15-23, Sat Feb 14 and Sat Feb 28 work.
  Mid-Autumn: off Sep 25-27. National Day: off Oct 1-7, Sun Sep 20 and
  Sat Oct 10 work. March 2026 has no holidays. Dec 28-31 2026 are working days.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from backend.sla.calendar import WorkCalendar

SH = ZoneInfo("Asia/Shanghai")


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


def end_of(y: int, m: int, d: int) -> datetime:
    return sh(y, m, d, 23, 59, 59)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def one(frm: str = "2027-01-01", to: str = "2027-01-01", year: int = 2027) -> str:
    """A year file with a single holiday range."""
    return f"year: {year}\nholidays:\n  - {{name: x, from: {frm}, to: {to}}}\n"


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar(None)


def test_package_facts_for_2026(cal: WorkCalendar) -> None:
    assert cal.source_for_year(2026) == "chinese_calendar"
    assert not cal.is_workday(date(2026, 10, 1))
    assert not cal.is_workday(date(2026, 10, 7))
    assert cal.is_workday(date(2026, 10, 8))
    assert cal.is_workday(date(2026, 10, 10))  # make-up Saturday
    assert not cal.is_workday(date(2026, 10, 11))  # ordinary Sunday
    assert cal.is_workday(date(2026, 2, 14))  # make-up Saturday
    assert not cal.is_workday(date(2026, 2, 23))
    assert cal.is_workday(date(2026, 2, 24))


def test_national_day_evening_complaint(cal: WorkCalendar) -> None:
    # Oct 8 Thu, Oct 9 Fri, Oct 10 make-up Sat, Oct 12 Mon, Oct 13 Tue.
    deadline = cal.add_working_days(sh(2026, 9, 30, 20, 0), 5)
    assert deadline == end_of(2026, 10, 13)
    assert deadline.tzinfo is SH
    assert deadline.microsecond == 0
    assert deadline.isoformat() == "2026-10-13T23:59:59+08:00"


def test_spring_festival(cal: WorkCalendar) -> None:
    # Fri Feb 13: the make-up Sat Feb 14 counts, then Feb 15-23 are off.
    assert cal.add_working_days(sh(2026, 2, 13, 10, 0), 1) == end_of(2026, 2, 14)
    assert cal.add_working_days(sh(2026, 2, 13, 10, 0), 2) == end_of(2026, 2, 24)
    # Started during the holiday: the first working day is Tue Feb 24.
    assert cal.add_working_days(sh(2026, 2, 17, 9, 0), 1) == end_of(2026, 2, 24)
    # Feb 24-27 then the make-up Sat Feb 28 is the 5th.
    assert cal.add_working_days(sh(2026, 2, 23, 9, 0), 5) == end_of(2026, 2, 28)


def test_make_up_saturday_counts(cal: WorkCalendar) -> None:
    # Fri Oct 9 + 1wd is Sat Oct 10, not Mon Oct 12.
    assert cal.add_working_days(sh(2026, 10, 9, 9, 0), 1) == end_of(2026, 10, 10)


def test_saturday_start_counts_from_next_working_day(cal: WorkCalendar) -> None:
    # Sat Mar 7 2026: Sun is off, so Mon Mar 9 is the first working day.
    assert cal.add_working_days(sh(2026, 3, 7, 10, 0), 1) == end_of(2026, 3, 9)
    assert cal.add_working_days(sh(2026, 3, 7, 10, 0), 5) == end_of(2026, 3, 13)
    # A working-day start does not count itself either.
    assert cal.add_working_days(sh(2026, 3, 9, 8, 0), 1) == end_of(2026, 3, 10)


def test_start_at_2359_vs_midnight(cal: WorkCalendar) -> None:
    assert cal.add_working_days(sh(2026, 3, 10, 23, 59), 1) == end_of(2026, 3, 11)
    assert cal.add_working_days(sh(2026, 3, 11, 0, 0), 1) == end_of(2026, 3, 12)


def test_start_date_is_taken_in_shanghai(cal: WorkCalendar) -> None:
    # 16:30 UTC on Mar 10 is 00:30 on Mar 11 in Shanghai.
    start = datetime(2026, 3, 10, 16, 30, tzinfo=UTC)
    deadline = cal.add_working_days(start, 1)
    assert deadline == end_of(2026, 3, 12)
    assert deadline.utcoffset() is not None
    assert deadline.tzinfo is SH


def test_crossing_into_2027_uses_fallback_and_warns_once(
    cal: WorkCalendar, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="backend.sla.calendar")
    # Dec 29, 30, 31 (2026, package), then fallback: Fri Jan 1 off, Jan 2-3
    # weekend, Mon Jan 4, Tue Jan 5.
    assert cal.add_working_days(sh(2026, 12, 28, 10, 0), 5) == end_of(2027, 1, 5)
    assert cal.add_working_days(sh(2026, 12, 28, 10, 0), 6) == end_of(2027, 1, 6)
    assert not cal.is_workday(date(2027, 5, 2))
    assert cal.source_for_year(2027) == "fallback"
    warnings = [r for r in caplog.records if r.name == "backend.sla.calendar"]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert "2027" in warnings[0].getMessage()
    assert "2027.yml" in warnings[0].getMessage()


def test_fallback_rules(cal: WorkCalendar) -> None:
    off = [date(2027, 1, 1), date(2027, 5, 1), date(2027, 10, 1), date(2027, 10, 3)]
    assert not any(cal.is_workday(d) for d in off)
    assert not cal.is_workday(date(2027, 1, 2))  # Saturday
    assert cal.is_workday(date(2027, 10, 4))  # Monday, beyond the fixed dates
    assert cal.source_for_year(2003) == "fallback"  # before the package's range


FAKE_2027 = """\
year: 2027
holidays:
  - {name: 元旦, from: 2027-01-01, to: 2027-01-01}
  - {name: test, from: 2027-01-04, to: 2027-01-04}
workdays: []
"""


def test_year_file_overrides_fallback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(tmp_path, "2027.yml", FAKE_2027)
    cal = WorkCalendar(tmp_path)
    caplog.set_level(logging.WARNING, logger="backend.sla.calendar")
    assert cal.source_for_year(2027) == "file"
    # Jan 4 is now off: Dec 29, 30, 31, Jan 5, Jan 6.
    assert cal.add_working_days(sh(2026, 12, 28, 10, 0), 5) == end_of(2027, 1, 6)
    assert not caplog.records


def test_year_file_overrides_package(tmp_path: Path) -> None:
    text = one("2026-03-09", "2026-03-10", 2026) + "workdays: [2026-03-08]\n"
    write(tmp_path, "2026.yml", text)
    cal = WorkCalendar(tmp_path)
    assert cal.source_for_year(2026) == "file"
    assert cal.source_for_year(2025) == "chinese_calendar"
    assert cal.add_working_days(sh(2026, 3, 7, 10, 0), 1) == end_of(2026, 3, 8)
    assert cal.add_working_days(sh(2026, 3, 8, 10, 0), 1) == end_of(2026, 3, 11)
    # The file replaces the package for the whole year: Oct 1 is not listed.
    assert cal.is_workday(date(2026, 10, 1))


def test_example_template_is_ignored() -> None:
    holidays = Path(__file__).parents[3] / "backend" / "config" / "holidays"
    assert WorkCalendar(holidays).source_for_year(2026) == "chinese_calendar"


ONE = one()
# (file text, fragment of the error that proves the intended check fired)
BAD_FILES = {
    "bad date": (one("2027-02-30", "2027-03-01"), "out of range"),
    "to before from": (one("2027-05-03", "2027-05-01"), "before 'from'"),
    "outside year": (one("2026-12-31"), "outside 2027"),
    "holiday and workday": (
        one("2027-02-06", "2027-02-07") + "workdays: [2027-02-06]\n",
        "both a holiday and a workday",
    ),
    "workday outside year": (ONE + "workdays: [2028-01-08]\n", "outside 2027"),
    "weekday workday": (ONE + "workdays: [2027-01-05]\n", "is a weekday"),
    "year mismatch": (one(year=2028), "must be 2027"),
    "empty holidays": ("year: 2027\nholidays: []\nworkdays: []\n", "non-empty"),
    "unknown key": (ONE + "extra: 1\n", "unknown keys"),
    "missing to": (ONE.replace(", to: 2027-01-01", ""), "exactly"),
    "not yaml": ("year: [2027\n", "cannot read"),
    "datetime": (one("2027-01-01 08:00:00"), "YYYY-MM-DD"),
    "quoted bad date": (one(to="'2027-13-01'"), "YYYY-MM-DD"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_invalid_year_file_raises_naming_the_file(tmp_path: Path, case: str) -> None:
    text, reason = BAD_FILES[case]
    path = write(tmp_path, "2027.yml", text)
    with pytest.raises(ValueError) as excinfo:
        WorkCalendar(tmp_path)
    assert str(path) in str(excinfo.value)
    assert reason in str(excinfo.value)


def test_quoted_dates_are_accepted(tmp_path: Path) -> None:
    write(tmp_path, "2027.yml", ONE.replace("to: 2027-01-01", "to: '2027-01-04'"))
    assert not WorkCalendar(tmp_path).is_workday(date(2027, 1, 4))


@pytest.mark.parametrize("name", ["holidays.yml", "2027.yaml"])
def test_misnamed_year_file_raises(tmp_path: Path, name: str) -> None:
    write(tmp_path, name, FAKE_2027)
    with pytest.raises(ValueError, match=name):
        WorkCalendar(tmp_path)


def test_missing_holiday_dir_raises(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        WorkCalendar(tmp_path / "nope")


def test_naive_datetimes_raise(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.add_working_days(datetime(2026, 3, 9, 10, 0), 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.is_workday(datetime(2026, 3, 9, 10, 0))


@pytest.mark.parametrize("n", [0, -1, True, 1.0, 10_001])
def test_bad_n_raises(cal: WorkCalendar, n: object) -> None:
    with pytest.raises(ValueError):
        cal.add_working_days(sh(2026, 3, 9, 10, 0), n)  # type: ignore[arg-type]
