"""glossary.speech: what speech synthesis reads to a hotline caller."""
from __future__ import annotations

import pytest

from glossary.speech import speakable, spoken_money, spoken_ticket_id


def test_ticket_numbers_are_read_in_groups():
    assert spoken_ticket_id("GD20261129000123") == "G D，二零二六，幺幺二九，零零零，幺二三"
    assert speakable("工单号GD20261129000123。") == "工单号G D，二零二六，幺幺二九，零零零，幺二三。"


@pytest.mark.parametrize("text, expected", [
    ("户号3301234567", "户号三三零幺，二三四，五六七"),
    ("电话13812345678", "电话幺三八，幺二三四，五六七八"),
    ("您的户号******7890", "您的户号尾号七八九零"),
    ("手机138****5678", "手机尾号五六七八"),
    ("户号尾号7890", "户号尾号七八九零"),
])
def test_identifiers_are_read_digit_by_digit(text, expected):
    assert speakable(text) == expected


@pytest.mark.parametrize("yuan, decimals, expected", [
    ("12", "50", "12元5角"), ("12", None, "12元"), ("0", "05", "5分"), ("3", "05", "3元零5分"), ("0", "5", "5角"),
])
def test_money_in_yuan_and_jiao(yuan, decimals, expected):
    assert spoken_money(yuan, decimals) == expected


def test_screen_only_things_are_dropped_and_nothing_is_cut():
    text = "## 缴费方式 😀\n- **网上国网** App\n- 详见[官网](https://www.95598.cn)或 https://x.cn/a?b=1 。\n电费¥128.3。"
    assert speakable(text) == "缴费方式，网上国网 App，详见官网或。电费128元3角。"
    long = "这是一句很长的话。" * 40
    assert speakable(long) == long


def test_a_tariff_with_three_decimals_is_left_to_the_synthesis():
    assert speakable("电价0.538元/千瓦时") == "电价0.538元每千瓦时"
    assert speakable("电价0.55元/千瓦时") == "电价5角5分每千瓦时"
