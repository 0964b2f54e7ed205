from __future__ import annotations

from datetime import date
from typing import Any

from bot.nlu.dates import DateResolver
from tests.bot.helpers import message

THURSDAY = date(2026, 11, 26)


def resolver() -> DateResolver:
    return DateResolver(clock=lambda: THURSDAY)


def diet(kind: str, text: str, span: str, value: str | None = None) -> dict[str, Any]:
    start = text.index(span)
    return {"entity": kind, "start": start, "end": start + len(span), "value": value or span,
            "extractor": "DIETClassifier", "confidence_entity": 0.9}


def test_resolves_diet_dates_and_keeps_their_span() -> None:
    text = "下周三上午我们小区停电吗"
    found = diet("date", text, "下周三上午")
    msg = message(text, [found])
    resolver().process([msg])
    assert msg.get("entities") == [{**found, "value": "2026-12-02", "processors": ["DateResolver"]}]


def test_adds_dates_diet_missed() -> None:
    msg = message("明天会停电吗，还是28号？")
    resolver().process([msg])
    assert [(e["value"], e["extractor"], e["confidence_entity"]) for e in msg.get("entities")] == [
        ("2026-11-27", "DateResolver", 1.0),
        ("2026-11-28", "DateResolver", 1.0),
    ]


def test_unresolvable_diet_date_is_left_for_the_dialogue() -> None:
    text = "下个月停电吗"
    vague = diet("date", text, "下个月")
    msg = message(text, [vague])
    resolver().process([msg])
    assert msg.get("entities") == [vague]


def test_does_not_read_dates_inside_other_entities() -> None:
    text = "地址是幸福里小区28号，电话13812345678"
    address = diet("address", text, "幸福里小区28号")
    msg = message(text, [address])
    resolver().process([msg])
    assert msg.get("entities") == [address]


def test_past_words_resolve_backwards() -> None:
    msg = message("上周五停了一整天，昨天又停")
    resolver().process([msg])
    assert [e["value"] for e in msg.get("entities")] == ["2026-11-20", "2026-11-25"]
