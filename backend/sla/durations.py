"""SLA durations as written in service_rules.yml: "45m", "24h", "7d", "5wd"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, cast, get_args

from backend.sla.calendar import TZ, WorkCalendar, require_aware

Unit = Literal["m", "h", "d", "wd"]
UNITS: tuple[Unit, ...] = get_args(Unit)

_SECONDS: dict[str, int] = {"m": 60, "h": 3600, "d": 86400}
_CHINESE: dict[str, str] = {"m": "分钟", "h": "小时", "d": "天", "wd": "个工作日"}
# ASCII digits only: \d would also accept full-width digits such as "５wd",
# which an operator would not mean to type.
_PATTERN = re.compile(r"([0-9]+)(m|h|d|wd)")


@dataclass(frozen=True)
class Duration:
    value: int
    unit: Unit

    def __post_init__(self) -> None:
        # bool is an int subclass; True as a limit is always a mistake.
        if type(self.value) is not int or self.value < 1:
            raise ValueError(f"duration value must be an int >= 1, got {self.value!r}")
        if self.unit not in UNITS:
            raise ValueError(f"duration unit must be one of {UNITS}, got {self.unit!r}")

    @property
    def seconds(self) -> int:
        """Length in seconds; working days have no fixed length, so "wd" raises."""
        if self.unit == "wd":
            raise ValueError(f"{self.value}wd has no fixed length in seconds")
        return self.value * _SECONDS[self.unit]

    def after(self, start: datetime, calendar: WorkCalendar) -> datetime:
        """Deadline for a clock started at ``start``, in Asia/Shanghai."""
        require_aware(start, "start")
        if self.unit == "wd":
            return calendar.add_working_days(start, self.value)
        # Convert first: aware "+" is wall-clock arithmetic in start's own zone,
        # which would stretch or shrink across a foreign DST change. Shanghai
        # has had no DST since 1991, so there "7d" is exactly 7 * 24h.
        return start.astimezone(TZ) + timedelta(seconds=self.seconds)

    def __str__(self) -> str:
        # Shown to customers, e.g. "我们将在5个工作日内答复".
        return f"{self.value}{_CHINESE[self.unit]}"


def parse_duration(text: str) -> Duration:
    """Parse "45m", "24h", "7d" or "5wd" (positive integer, lowercase unit)."""
    # A non-string (YAML reads `limit: 5` as int) gets the same message as
    # any other malformed limit, since both are operator config errors.
    match = _PATTERN.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise ValueError(
            f"invalid duration {text!r}: expected a positive integer followed by "
            "m (minutes), h (hours), d (days) or wd (working days), e.g. '45m', '5wd'"
        )
    return Duration(int(match.group(1)), cast(Unit, match.group(2)))
