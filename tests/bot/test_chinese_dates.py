from datetime import UTC, date, datetime

import pytest

from bot.nlu import chinese_dates

THURSDAY = date(2026, 11, 26)  # a Thursday


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("今天", "2026-11-26"),
        ("明天", "2026-11-27"),
        ("后天", "2026-11-28"),
        ("大后天", "2026-11-29"),
        ("昨天", "2026-11-25"),
        ("前天", "2026-11-24"),
        ("周四", "2026-11-26"),  # bare weekday: today when it is that weekday
        ("周三", "2026-12-02"),
        ("星期三", "2026-12-02"),
        ("礼拜三", "2026-12-02"),
        ("周日", "2026-11-29"),
        ("礼拜天", "2026-11-29"),
        ("这周六", "2026-11-28"),
        ("这周一", "2026-11-23"),  # the named week wins even when the day has passed
        ("本周五", "2026-11-27"),
        ("下周三", "2026-12-02"),
        ("下星期三", "2026-12-02"),
        ("下个礼拜一", "2026-11-30"),
        ("下下周一", "2026-12-07"),
        ("上周五", "2026-11-20"),
        ("周末", "2026-11-28"),
        ("28号", "2026-11-28"),
        ("26号", "2026-11-26"),
        ("25号", "2026-12-25"),
        ("31号", "2026-12-31"),  # November has no 31st
        ("本月15号", "2026-11-15"),
        ("下个月3号", "2026-12-03"),
        ("上个月20号", "2026-10-20"),
        ("11月28日", "2026-11-28"),
        ("11月28号", "2026-11-28"),
        ("12月1日", "2026-12-01"),
        ("1月5日", "2027-01-05"),
        ("11月20日", "2026-11-20"),  # a few days back: the past date, not next year's
        ("明年1月5号", "2027-01-05"),
        ("2026年12月1日", "2026-12-01"),
        ("2026-12-01", "2026-12-01"),
        ("2026/12/1", "2026-12-01"),
        ("12.1", "2026-12-01"),
        ("12-01", "2026-12-01"),
        ("12.1号", "2026-12-01"),
        ("十一月二十八号", "2026-11-28"),
        ("二十八号", "2026-11-28"),
        ("二零二六年十二月一日", "2026-12-01"),
        ("週三", "2026-12-02"),  # Traditional, for callers that did not normalise
    ],
)
def test_resolves_expression(expression: str, expected: str) -> None:
    assert chinese_dates.find(expression) == [(0, len(expression), expression)]
    assert chinese_dates.resolve(expression, THURSDAY) == date.fromisoformat(expected)


@pytest.mark.parametrize(
    "text",
    ["电费12.5元", "一度电0.58", "一周一次", "每周三抄表", "幸福里28号", "28号楼停电", "3号线", "一月一次",
     "13812345678", "0571-87654321", "GD20261126000123", "2月30号以后"],
)
def test_not_a_date(text: str) -> None:
    assert chinese_dates.resolve(text, THURSDAY) is None


def test_finds_expressions_in_a_sentence() -> None:
    text = "明天下午停电吗？还是下周三，或者12月5号"
    assert chinese_dates.find(text) == [(0, 2, "明天"), (10, 13, "下周三"), (16, 21, "12月5号")]
    assert chinese_dates.resolve(text, THURSDAY) == date(2026, 11, 27)


def test_sunday_edge_cases() -> None:
    sunday = date(2026, 11, 29)
    assert chinese_dates.resolve("周末", sunday) == sunday
    assert chinese_dates.resolve("周一", sunday) == date(2026, 11, 30)
    assert chinese_dates.resolve("下周一", sunday) == date(2026, 11, 30)
    assert chinese_dates.resolve("这周一", sunday) == date(2026, 11, 23)


def test_month_and_year_rollover() -> None:
    assert chinese_dates.resolve("5号", date(2026, 12, 20)) == date(2027, 1, 5)
    assert chinese_dates.resolve("下个月3号", date(2026, 12, 20)) == date(2027, 1, 3)
    assert chinese_dates.resolve("30号", date(2027, 1, 31)) == date(2027, 3, 30)  # Feb has no 30th
    assert chinese_dates.resolve("12月31日", date(2027, 1, 2)) == date(2026, 12, 31)
    assert chinese_dates.resolve("2月29日", date(2027, 1, 10)) == date(2028, 2, 29)


def test_today_in_shanghai_crosses_midnight_before_utc() -> None:
    late_utc = datetime(2026, 11, 26, 17, 30, tzinfo=UTC)  # 01:30 on the 27th in Shanghai
    assert chinese_dates.today_in_shanghai(late_utc) == date(2026, 11, 27)
