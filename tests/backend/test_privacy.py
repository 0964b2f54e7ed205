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


@pytest.mark.parametrize("said, shown", [
    ("我叫王建国，家里停电了", "我叫王**，家里停电了"),
    ("联系人：李梅 电话13812345678", "联系人：李* 电话138****5678"),
    ("户主是欧阳娜娜", "户主是欧***"),
    ("姓名:张三", "姓名:张*"),
    ("户名是坪山社区12幢的", "户名是坪山社区****的"),  # a place after the cue is not a name
    ("我是户主，我姓王", "我是户主，我姓王"),
])
def test_free_text_masks_a_name_it_introduces(said, shown):
    assert mask_text(said) == shown


def test_free_text_masks_the_names_it_is_known_to_hold():
    note = "已电话联系王建国先生，王建国说明天在家"
    assert mask_text(note, names=["王建国", None, "王"]) == "已电话联系王**先生，王**说明天在家"


def test_free_text_masks_every_identifier():
    text = "我的户号3301234567890，手机13812345678，身份证330102199001011234"
    assert mask_text(text) == "我的户号******7890，手机138****5678，身份证330102********1234"


@pytest.mark.parametrize("said, shown", [
    ("电话138.1234.5678", "电话138****5678"),
    ("电话 1 3 8 1 2 3 4 5 6 7 8", "电话 138****5678"),
    ("手机１３８１２３４５６７８", "手机138****5678"),
    ("我手机幺三八一二三四五六七八", "我手机138****5678"),
    ("号码是一三八 一二三四 五六七八", "号码是138****5678"),
    ("座机0571-87654321", "座机057****4321"),
    ("户号3301 2345 67890", "户号******7890"),
    ("户号3301-234-567", "户号******4567"),
    ("户号三三零一二三四五六七", "户号******4567"),
    ("住在幸福里小区3幢2单元501室", "住在幸福里小区****"),
    ("屏门村二十三号停电", "屏门村****停电"),
    ("文三路88号门口电线断了", "文三路****门口电线断了"),
])
def test_free_text_masks_every_spelling_customers_use(said, shown):
    assert mask_text(said) == shown


@pytest.mark.parametrize("text", [
    "2026-11-29 20:53:23,123 INFO backend.router sweep done",  # a log line's time is not a 户号
    "工单GD20261130000057已受理",
    "工单号G D，二零二六，幺幺三零，零零零，零五七",  # a ticket number read out on the hotline
    "金额1234.56元，共3.5度",
    "村里2个变压器，小区一共三幢楼",
    "地铁三号线附近，第一组路灯坏了",
    "2026年11月29日20时停电",
])
def test_free_text_leaves_dates_tickets_amounts_and_ordinary_words(text):
    assert mask_text(text) == text


def test_free_text_leaves_ordinary_numbers():
    assert mask_text("停电3小时，损失200元") == "停电3小时，损失200元"
