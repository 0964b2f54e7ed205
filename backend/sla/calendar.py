"""Statutory working-day calendar (Asia/Shanghai) for SLA deadlines.

Each year's schedule comes from the first source that has it: an operator
year file, then the ``chinese_calendar`` package, then a degraded fallback.
"""

from __future__ import annotations

import calendar
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import chinese_calendar
import yaml

logger = logging.getLogger(__name__)

TZ = ZoneInfo("Asia/Shanghai")
Source = Literal["file", "chinese_calendar", "fallback"]

# Fixed-date statutory holidays; lunar ones cannot be known without the
# published schedule, so the fallback under-counts holidays rather than guess.
FALLBACK_HOLIDAYS = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})
# Real SLAs are days to weeks; a bound turns a config typo into an error
# instead of a long loop that ends in a date overflow.
MAX_WORKING_DAYS = 10_000
_YEAR_FILE = re.compile(r"[0-9]{4}")
# The years a date in a request may name: outside them no record exists, and `date + 1 day`
# or a month's last day overflows. MONTH is YYYY-MM in those years (the API's pattern for a
# month: query, path and body), so month=0000-01 is a 422 before anything builds date(0, 1, 1).
YEARS = range(1900, 2200)


def year_pattern(years: range) -> str:
    """A regular expression for the 4-digit years of `years`: range(1900, 2200) is (?:19[0-9]{2}|…)."""
    parts = []
    for century in range(years.start // 100, (years.stop - 1) // 100 + 1):
        inside = [year for year in range(century * 100, century * 100 + 100) if year in years]
        parts.append(f"{century}[0-9]{{2}}" if len(inside) == 100 else "|".join(map(str, inside)))
    return "(?:" + "|".join(parts) + ")"


MONTH = rf"^{year_pattern(YEARS)}-(?:0[1-9]|1[0-2])$"


def month_range(month: str) -> tuple[date, date]:
    """The first and last day of a YYYY-MM month: the period an assessment covers (export, publication)."""
    year, number = int(month[:4]), int(month[5:7])
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def require_aware(value: datetime, name: str = "datetime") -> datetime:
    """Return ``value`` unchanged; ValueError if naive, TypeError if no datetime."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value.isoformat()}")
    return value


# The years the installed chinese-calendar knows; it raises for any other.
_PACKAGE_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)


@dataclass(frozen=True)
class YearSchedule:
    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]  # make-up working days (调休) on weekends


class HolidayFileError(ValueError):
    """A bad holiday directory or year file; the message starts with the path."""


def _as_date(raw: Any, where: str) -> date:
    # PyYAML already turns unquoted ISO dates into date; quoted ones are str.
    # datetime is a date subclass but a time of day means a malformed entry.
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise HolidayFileError(f"{where}: {raw!r} is not a valid YYYY-MM-DD date")


def load_year_file(path: Path) -> YearSchedule:
    """Parse and strictly validate one ``<year>.yml`` file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError) as exc:  # ValueError: 2027-02-30
        raise HolidayFileError(f"{path}: cannot read holiday file: {exc}") from exc
    if not isinstance(data, dict):
        raise HolidayFileError(f"{path}: expected a mapping of year, holidays")
    unknown = set(data) - {"year", "holidays", "workdays"}
    if unknown:
        raise HolidayFileError(f"{path}: unknown keys {sorted(map(str, unknown))}")
    year = data.get("year")
    if type(year) is not int or str(year) != path.stem:
        raise HolidayFileError(f"{path}: 'year' must be {path.stem}, got {year!r}")

    def in_year(d: date, where: str) -> date:
        if d.year != year:
            raise HolidayFileError(
                f"{where}: {d} is outside {year}; put it in {d.year}.yml"
            )
        return d

    holidays: set[date] = set()
    entries = data.get("holidays")
    # An empty list is an unfilled template; loading it would silently make
    # every weekday of the year a working day.
    if not isinstance(entries, list) or not entries:
        raise HolidayFileError(f"{path}: 'holidays' must be a non-empty list")
    for i, entry in enumerate(entries):
        where = f"{path}: holidays[{i}]"
        if not isinstance(entry, dict) or set(entry) != {"name", "from", "to"}:
            raise HolidayFileError(f"{where}: expected exactly the keys name, from, to")
        if not isinstance(entry["name"], str) or not entry["name"].strip():
            raise HolidayFileError(f"{where}: 'name' must be a non-empty string")
        first = in_year(_as_date(entry["from"], f"{where}.from"), where)
        last = in_year(_as_date(entry["to"], f"{where}.to"), where)
        if last < first:
            raise HolidayFileError(f"{where}: 'to' {last} is before 'from' {first}")
        days = (last - first).days + 1
        holidays.update(first + timedelta(days=k) for k in range(days))

    workdays: set[date] = set()
    raw_workdays = data.get("workdays", [])
    if not isinstance(raw_workdays, list):
        raise HolidayFileError(f"{path}: 'workdays' must be a list of dates")
    for i, raw in enumerate(raw_workdays):
        where = f"{path}: workdays[{i}]"
        d = in_year(_as_date(raw, where), where)
        if d in holidays:
            raise HolidayFileError(f"{where}: {d} is both a holiday and a workday")
        # Weekdays are working days anyway, so one listed here is a typo.
        if d.weekday() < 5:
            raise HolidayFileError(f"{where}: {d} is a weekday; list weekend days only")
        workdays.add(d)
    return YearSchedule(year, frozenset(holidays), frozenset(workdays))


class WorkCalendar:
    """Working days in mainland China, with operator overrides per year."""

    def __init__(self, holiday_dir: Path | None = None) -> None:
        self._holiday_dir = holiday_dir
        self._files: dict[int, YearSchedule] = {}
        self._sources: dict[int, Source] = {}
        if holiday_dir is not None:
            self._load_dir(Path(holiday_dir))

    def _load_dir(self, holiday_dir: Path) -> None:
        # Load everything up front so a bad file stops startup, not a request.
        if not holiday_dir.is_dir():
            raise HolidayFileError(f"{holiday_dir}: holiday directory does not exist")
        for path in sorted(holiday_dir.iterdir()):
            if path.suffix not in (".yml", ".yaml"):
                continue  # README.md, *.yml.example and the like
            if path.suffix == ".yaml":
                raise HolidayFileError(f"{path}: only .yml is read; rename it")
            if not _YEAR_FILE.fullmatch(path.stem):
                raise HolidayFileError(f"{path}: name it <year>.yml, e.g. 2027.yml")
            schedule = load_year_file(path)
            self._files[schedule.year] = schedule

    def source_for_year(self, year: int) -> Source:
        """Which source decides working days in ``year``."""
        if year not in self._sources:
            self._sources[year] = self._resolve(year)
        return self._sources[year]

    def _resolve(self, year: int) -> Source:
        if year in self._files:
            return "file"
        if year in _PACKAGE_YEARS:
            return "chinese_calendar"
        # Resolved once per year and cached, so this warns once per year.
        target = (
            f"{year}.yml to a holiday directory (none is configured)"
            if self._holiday_dir is None
            else str(self._holiday_dir / f"{year}.yml")
        )
        logger.warning(
            "Holiday schedule for %d is missing; using fallback (weekends plus "
            "Jan 1, May 1-2, Oct 1-3), so deadlines may be too early. Add %s "
            "(see backend/config/holidays/README.md).",
            year,
            target,
        )
        return "fallback"

    def is_workday(self, d: date) -> bool:
        """True if ``d`` is a working day (a datetime is read in Asia/Shanghai)."""
        if isinstance(d, datetime):
            d = require_aware(d, "d").astimezone(TZ).date()
        source = self.source_for_year(d.year)
        if source == "file":
            schedule = self._files[d.year]
            if d in schedule.workdays:
                return True
            return d.weekday() < 5 and d not in schedule.holidays
        if source == "chinese_calendar":
            return bool(chinese_calendar.is_workday(d))
        return d.weekday() < 5 and (d.month, d.day) not in FALLBACK_HOLIDAYS

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """End (23:59:59, Asia/Shanghai) of the n-th working day after start's date.

        The start day never counts, even if it is a working day: the clock
        gives whole working days, as service_rules.yml defines "wd".
        """
        require_aware(start, "start")
        if type(n) is not int or not 1 <= n <= MAX_WORKING_DAYS:
            raise ValueError(f"n must be an int in 1..{MAX_WORKING_DAYS}, got {n!r}")
        day = start.astimezone(TZ).date()
        remaining = n
        while remaining:
            day += timedelta(days=1)
            if self.is_workday(day):
                remaining -= 1
        return datetime.combine(day, time(23, 59, 59), tzinfo=TZ)
