"""Masking as lists, logs and transcripts show personal data (PIPL)."""
from __future__ import annotations

import pytest

from backend.privacy import mask_account_no, mask_address, mask_name, mask_phone, mask_text


@pytest.mark.parametrize("fn, raw, shown", [
    (mask_phone, "13812345678", "138****5678"),
    (mask_phone, "0571-87654321", "057****4321"),
    (mask_account_no, "3301234567890", "*********7890"),
    (mask_account_no, "1234567890", "******7890"),
    (mask_name, "张三", "张*"),
    (mask_name, "欧阳娜娜", "欧***"),
    (mask_address, "杭州市西湖区文三路幸福里小区3幢2单元501", "杭州市西湖区文三路幸福里小区****"),
    (mask_address, "淳安县枫树岭镇下姜村38号", "淳安县枫树岭镇下姜村****"),
    (mask_phone, None, None),
])
def test_masks(fn, raw, shown):
    assert fn(raw) == shown


def test_free_text_masks_every_identifier():
    text = "我的户号3301234567890，手机13812345678，身份证330102199001011234"
    assert mask_text(text) == "我的户号******7890，手机138****5678，身份证330102********1234"


def test_free_text_leaves_ordinary_numbers():
    assert mask_text("停电3小时，损失200元") == "停电3小时，损失200元"
