"""Chinese date expressions -> calendar dates, for NLU and for custom actions.

No Rasa imports: actions re-resolve slot values with the same rules the NLU used.

Semantics (all relative to `today`, a date in Asia/Shanghai; weeks run Monday-Sunday):

- 今天/明天/后天/大后天, 昨天/前天/大前天: fixed day offsets (0, +1, +2, +3, -1, -2, -3).
- 周三/星期三/礼拜三 alone: the coming Wednesday, today if today is a Wednesday.
  周末 alone: the coming Saturday (today on a Saturday or a Sunday).
- 这周三/本周三/这个星期三: the Wednesday of the current week, even if it has passed
  (the speaker named the week explicitly). 下周三 / 下下周三 / 上周三 / 上上周三: that
  weekday one / two calendar weeks later / earlier.
- 28号 (no month): this month's 28th unless it has passed, then next month's; a month
  without that day is skipped (31号 on 26 Nov -> 31 Dec). Customers ask about outages ahead.
- 本月15号 / 下个月3号 / 上个月20号: that day of the named month, past or not; None if invalid.
- 11月28日, 11月28号, 12.1, 12-01, 12/1 (no year): the occurrence nearest to today, ties to
  the future. A date a few days back (a complaint about last week's outage) stays in this
  year and 1月5日 said in late November is next January; nobody names a date ~11 months
  ahead. 今年/明年/去年 before the month pins the year.
- 2026年12月1日, 2026-12-01, 2026/12/1, 2026.12.1: explicit.

Numbers may be Chinese numerals (十一月二十八号, 二零二六年) as speech recognition writes them.
Past-oriented words (昨天, 上周五, 上个月) are the only ones resolved backwards.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo

try:
    from zoneinfo import ZoneInfo

    SHANGHAI: tzinfo = ZoneInfo("Asia/Shanghai")
except Exception:  # noqa: BLE001 - no tz database: China has had no DST since 1991
    SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

Resolver = Callable[[date], date | None]

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
           "八": 8, "九": 9}
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}
_RELATIVE_DAYS = {
    "大后天": 3, "大後天": 3, "后天": 2, "後天": 2,
    "明天": 1, "明日": 1, "明儿": 1, "明兒": 1, "明早": 1, "明晚": 1,
    "今天": 0, "今日": 0, "今儿": 0, "今兒": 0, "今早": 0, "今晚": 0,
    "昨天": -1, "昨日": -1, "昨儿": -1, "昨兒": -1, "昨晚": -1,
    "大前天": -3, "前天": -2,
}
_WEEK_SHIFT = {"下下": 2, "下": 1, "上上": -2, "上": -1, "这": 0, "這": 0, "本": 0, "今": 0}
_MONTH_SHIFT = {"本": 0, "这": 0, "這": 0, "当": 0, "當": 0, "下": 1, "上": -1}
_YEAR_SHIFT = {"今年": 0, "明年": 1, "去年": -1}

# Month/day numbers: ASCII digits or Chinese numerals up to 三十一 (validated after matching).
_NUM = r"(?:[0-9]{1,2}|[一二三四五六七八九十]{1,3})"
_YEAR4 = r"(?:[0-9]{4}|[零〇一二三四五六七八九]{4})"
_DAY_SUFFIX = r"[日号號]"

_FULL = re.compile(rf"(?<![0-9])(?P<y>{_YEAR4})\s*年\s*(?P<m>{_NUM})\s*月\s*(?P<d>{_NUM})\s*{_DAY_SUFFIX}?")
_ISO = re.compile(
    r"(?<![0-9.\-/])(?P<y>[0-9]{4})(?P<s>[-/.])(?P<m>[0-9]{1,2})(?P=s)(?P<d>[0-9]{1,2})(?![0-9])"
)
_MONTH_DAY = re.compile(
    rf"(?P<yr>今年|明年|去年)?(?<![0-9])(?P<m>{_NUM})\s*月(?:份)?\s*(?P<d>{_NUM})(?![0-9])\s*(?P<suf>{_DAY_SUFFIX})?"
)
_NUMERIC_MONTH_DAY = re.compile(
    rf"(?<![0-9.\-/:])(?P<m>[0-9]{{1,2}})(?P<s>[./-])(?P<d>[0-9]{{1,2}})(?![0-9.\-/:%]){_DAY_SUFFIX}?"
)
_DAY = re.compile(
    rf"(?P<pre>(?:本|这|這|当|當|下|上)(?:个|個)?月)?(?<![0-9])(?P<d>[0-9]{{1,2}}(?:{_DAY_SUFFIX})|"
    rf"[一二三四五六七八九十]{{1,3}}[号號])"
)
_WEEKDAY = re.compile(
    r"(?P<rel>下下|上上|下|上|这|這|本|今)?(?:个|個)?(?:周|週|星期|礼拜|禮拜)(?P<wd>[一二三四五六日天末])"
)
_RELATIVE = re.compile("|".join(sorted(_RELATIVE_DAYS, key=len, reverse=True)))

# A "28号" right after these is a house/building number, not a date (幸福里28号, 3栋28号).
_ADDRESS_BEFORE = set("路街巷弄里村组組区區道苑园園楼樓栋棟幢座号號第室门門元#-") | set(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)
# ... and so is one followed by these (28号楼, 3号线, 1号窗口).
_ADDRESS_AFTER = re.compile(
    r"\s*(?:楼|樓|线|線|院|门|門|房|室|栋|棟|幢|单元|單元|机|機|窗|键|鍵|位|床|车|車|台|柜|櫃|口|箱|表)"
)
# 12.5元 / 3.5度 are amounts, not 12月5日 / 3月5日.
_AMOUNT_AFTER = re.compile(r"\s*(?:元|块|塊|度|千瓦|kw|KW|万|萬|个|個|米|倍|折|伏|v|V|安|a|A|%|分|角|毛)")
_AMOUNT_BEFORE = re.compile(r"(?:费|費|价|價|钱|錢|额|額|元|块|塊|度)\s*$")
# 一周一次 / 两星期 are durations; 每周三 is a recurrence: neither is a date.
_COUNT_BEFORE = set("一二两兩三四五六七八九十几幾每多半0123456789")


@dataclass(frozen=True)
class DateExpression:
    start: int
    end: int
    text: str
    resolve: Resolver


def find(text: str) -> list[tuple[int, int, str]]:
    """Date expressions in `text`, leftmost-longest and non-overlapping, as (start, end, text)."""
    return [(e.start, e.end, e.text) for e in expressions(text)]


def resolve(text: str, today: date) -> date | None:
    """The date meant by the first resolvable date expression in `text`, or None."""
    for expression in expressions(text):
        resolved = expression.resolve(today)
        if resolved is not None:
            return resolved
    return None


def today_in_shanghai(now: datetime | None = None) -> date:
    """Today's date in Asia/Shanghai; `now` (aware) lets callers and tests fix the clock."""
    return (now or datetime.now(SHANGHAI)).astimezone(SHANGHAI).date()


def expressions(text: str) -> list[DateExpression]:
    """All date expressions in `text` with their resolvers, leftmost-longest, non-overlapping."""
    candidates = sorted(_candidates(text), key=lambda e: (e.start, -(e.end - e.start)))
    chosen: list[DateExpression] = []
    for candidate in candidates:
        if not chosen or candidate.start >= chosen[-1].end:
            chosen.append(candidate)
    return chosen


def _candidates(text: str) -> list[DateExpression]:
    found: list[DateExpression] = []

    def add(match: re.Match[str], resolver: Resolver | None) -> None:
        if resolver is not None:
            found.append(DateExpression(match.start(), match.end(), match.group(), resolver))

    for m in _RELATIVE.finditer(text):
        add(m, _offset(_RELATIVE_DAYS[m.group()]))
    for m in _FULL.finditer(text):
        add(m, _explicit(_year(m["y"]), _number(m["m"]), _number(m["d"])))
    for m in _ISO.finditer(text):
        add(m, _explicit(int(m["y"]), int(m["m"]), int(m["d"])))
    for m in _MONTH_DAY.finditer(text):
        if not m["suf"] and not m["d"].isascii():
            continue  # 一月一次: a Chinese-numeral day needs its 日/号 to be a date
        month, day = _number(m["m"]), _number(m["d"])
        add(m, _year_shifted(_YEAR_SHIFT[m["yr"]], month, day) if m["yr"] else _nearest(month, day))
    for m in _NUMERIC_MONTH_DAY.finditer(text):
        if not _looks_like_amount(text, m):
            add(m, _nearest(int(m["m"]), int(m["d"])))
    for m in _DAY.finditer(text):
        day = _number(m["d"][:-1])
        if m["pre"]:
            add(m, _in_month(_MONTH_SHIFT[m["pre"][0]], day))
        elif not _looks_like_address(text, m):
            add(m, _coming_day(day))
    for m in _WEEKDAY.finditer(text):
        if m["rel"] is None and m.start() > 0 and text[m.start() - 1] in _COUNT_BEFORE:
            continue
        add(m, _weekday(_WEEK_SHIFT.get(m["rel"] or "", None), _WEEKDAYS[m["wd"]], m["wd"] == "末"))
    return found


def _looks_like_address(text: str, m: re.Match[str]) -> bool:
    before = text[m.start() - 1] if m.start() > 0 else ""
    return before in _ADDRESS_BEFORE or bool(_ADDRESS_AFTER.match(text, m.end()))


def _looks_like_amount(text: str, m: re.Match[str]) -> bool:
    if m["s"] != ".":
        return False
    before = text[max(0, m.start() - 4):m.start()]
    return bool(_AMOUNT_AFTER.match(text, m.end()) or _AMOUNT_BEFORE.search(before))


def _number(token: str) -> int | None:
    """12 / 十二 / 二十八 / 三十一 -> int; anything else (二八, 十十) -> None."""
    if token.isascii():
        return int(token) if token.isdigit() else None
    if "十" not in token:
        return _DIGITS.get(token) if len(token) == 1 else None
    tens, _, units = token.partition("十")
    if "十" in units or (tens and tens not in _DIGITS) or (units and units not in _DIGITS):
        return None
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[units] if units else 0)


def _year(token: str) -> int:
    return int(token) if token.isascii() else int("".join(str(_DIGITS[c]) for c in token))


def _make(year: int, month: int | None, day: int | None) -> date | None:
    try:
        return date(year, month, day) if month and day else None
    except ValueError:
        return None


def _plausible(month: int | None, day: int | None) -> bool:
    return month is not None and day is not None and 1 <= month <= 12 and 1 <= day <= 31


def _offset(days: int) -> Resolver:
    return lambda today: today + timedelta(days=days)


def _explicit(year: int, month: int | None, day: int | None) -> Resolver | None:
    return (lambda today: _make(year, month, day)) if _plausible(month, day) else None


def _year_shifted(shift: int, month: int | None, day: int | None) -> Resolver | None:
    return (lambda today: _make(today.year + shift, month, day)) if _plausible(month, day) else None


def _nearest(month: int | None, day: int | None) -> Resolver | None:
    if not _plausible(month, day):
        return None

    def run(today: date) -> date | None:
        options = [d for y in (today.year - 1, today.year, today.year + 1) if (d := _make(y, month, day))]
        # Ties (exactly half a year either way) go to the future: the service looks ahead.
        return min(options, key=lambda d: (abs((d - today).days), d < today), default=None)

    return run


def _add_months(year: int, month: int, shift: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + shift
    return index // 12, index % 12 + 1


def _in_month(shift: int, day: int | None) -> Resolver | None:
    if not _plausible(1, day):
        return None

    def run(today: date) -> date | None:
        return _make(*_add_months(today.year, today.month, shift), day)

    return run


def _coming_day(day: int | None) -> Resolver | None:
    if not _plausible(1, day):
        return None

    def run(today: date) -> date | None:
        for shift in range(13):
            candidate = _make(*_add_months(today.year, today.month, shift), day)
            if candidate is not None and candidate >= today:
                return candidate
        return None

    return run


def _weekday(week_shift: int | None, weekday: int, weekend: bool) -> Resolver:
    def run(today: date) -> date:
        if week_shift is None:
            # Bare 周三: the coming one. 周末 on a Sunday is still this weekend: today.
            if weekend and today.weekday() == 6:
                return today
            return today + timedelta(days=(weekday - today.weekday()) % 7)
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=week_shift)
        if weekend and week_shift == 0 and today.weekday() == 6:
            return today
        return monday + timedelta(days=weekday)

    return run
