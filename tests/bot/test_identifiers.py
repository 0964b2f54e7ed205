from __future__ import annotations

from typing import Any

import pytest

from bot.nlu.identifiers import IdentifierExtractor
from glossary.identifiers import find_identifiers, spoken_to_digits
from tests.bot.helpers import create, message


def found(text: str) -> list[tuple[str, str, str]]:
    """(entity, covered text, value) triples, to show spans and values at once."""
    return [(i.entity, text[i.start:i.end], i.value) for i in find_identifiers(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("户号3301234567", [("account_no", "3301234567", "3301234567")]),
        ("户号3301 2345 67890", [("account_no", "3301 2345 67890", "3301234567890")]),
        ("户号是3301-234567890吧", [("account_no", "3301-234567890", "3301234567890")]),
        ("我的户号1101234567890麻烦查下", [("account_no", "1101234567890", "1101234567890")]),
        ("手机13812345678", [("phone", "13812345678", "13812345678")]),
        ("电话138 1234 5678谢谢", [("phone", "138 1234 5678", "13812345678")]),
        ("电话138-1234-5678", [("phone", "138-1234-5678", "13812345678")]),
        ("+86 138 1234 5678", [("phone", "86 138 1234 5678", "13812345678")]),
        ("座机0571-87654321", [("phone", "0571-87654321", "057187654321")]),
        ("打010 8765 4321", [("phone", "010 8765 4321", "01087654321")]),
        ("查工单gd20261126000123进度", [("ticket_id", "gd20261126000123", "GD20261126000123")]),
        ("工单号GD 2026 1126 000123", [("ticket_id", "GD 2026 1126 000123", "GD20261126000123")]),
    ],
)
def test_identifier(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert found(text) == expected


def test_phone_right_after_an_account_number() -> None:
    assert found("户号3301234567 13812345678") == [
        ("account_no", "3301234567", "3301234567"),
        ("phone", "13812345678", "13812345678"),
    ]
    assert found("户号3301 2345 67890，电话13812345678") == [
        ("account_no", "3301 2345 67890", "3301234567890"),
        ("phone", "13812345678", "13812345678"),
    ]
    assert found("户号3301234567电话13812345678") == [
        ("account_no", "3301234567", "3301234567"),
        ("phone", "13812345678", "13812345678"),
    ]


def test_numbers_are_never_read_inside_longer_ones() -> None:
    # Hebei's 130 prefix: the first 11 digits look like a mobile, yet it is one 户号.
    assert found("户号1301381234567") == [("account_no", "1301381234567", "1301381234567")]
    # An 11-digit mobile is not a 10-digit 户号 plus a digit.
    assert found("13912345678") == [("phone", "13912345678", "13912345678")]
    # 13 digits without a province prefix, 12 digits, 21 unseparated digits: nothing.
    assert found("1381234567890") == []
    assert found("138123456788") == []
    assert found("330123456713812345678") == []


def test_ticket_digits_do_not_become_a_phone_or_account() -> None:
    assert found("GD20261126000123 13812345678") == [
        ("ticket_id", "GD20261126000123", "GD20261126000123"),
        ("phone", "13812345678", "13812345678"),
    ]


def test_ten_digits_given_as_a_phone_are_not_an_account() -> None:
    assert found("手机1381234567") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一三八一二三四五六七八", [("phone", "一三八一二三四五六七八", "13812345678")]),
        ("幺三八 幺二三四 五六七八", [("phone", "幺三八 幺二三四 五六七八", "13812345678")]),
        ("户号三三零一二三四五六七", [("account_no", "三三零一二三四五六七", "3301234567")]),
        ("户号三三零一 二三四五 六七八九零", [("account_no", "三三零一 二三四五 六七八九零", "3301234567890")]),
        # The brief's IVR sample has twelve digits (138 1234 5678 8): not a phone.
        ("一三八一二三四五六七八八", []),
    ],
)
def test_spoken_digits(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert found(text) == expected


def test_lone_chinese_numerals_stay_words() -> None:
    assert spoken_to_digits("我家一楼三户都没电") == "我家一楼三户都没电"
    assert spoken_to_digits("一三八") == "138"
    assert found("等了两三天了，一二楼都停电") == []


def entity(kind: str, start: int, end: int, value: str, extractor: str = "DIETClassifier") -> dict[str, Any]:
    return {"entity": kind, "start": start, "end": end, "value": value, "extractor": extractor}


def test_extractor_sets_values_and_wins_conflicts_with_diet(tmp_path: Any) -> None:
    text = "户号3301 2345 67890，电话13812345678，住幸福里小区"
    phone, area = text.index("138"), text.index("幸福里")
    diet = [
        entity("account_no", 2, 11, "3301 2345"),  # partial: replaced by ours
        entity("account_no", phone, phone + 11, "13812345678"),  # wrong type, same span: replaced
        entity("area", area, area + 5, "幸福里小区"),  # unrelated: kept
    ]
    msg = message(text, diet)
    create(IdentifierExtractor, tmp_path).process([msg])
    assert msg.get("entities") == [
        {"entity": "account_no", "start": 2, "end": 17, "value": "3301234567890",
         "confidence_entity": 1.0, "extractor": "IdentifierExtractor"},
        {"entity": "phone", "start": phone, "end": phone + 11, "value": "13812345678",
         "confidence_entity": 1.0, "extractor": "IdentifierExtractor"},
        diet[2],
    ]
    assert "entities" in msg.as_dict(only_output_properties=True)


def test_diet_entities_inside_a_number_are_dropped_but_enclosing_ones_kept(tmp_path: Any) -> None:
    text = "幺三八幺二三四五六七八，地址幸福里3301234567号"  # contrived: the address holds digits
    address_start = text.index("幸福里")
    piece = entity("date", text.index("五六"), text.index("五六") + 2, "五六")
    address = entity("address", address_start, len(text), text[address_start:])
    msg = message(text, [piece, address])
    create(IdentifierExtractor, tmp_path).process([msg])
    assert [(e["entity"], e["value"]) for e in msg.get("entities")] == [
        ("phone", "13812345678"), ("address", text[address_start:]), ("account_no", "3301234567")]


def test_extractor_drops_diet_identifiers_the_rules_reject(tmp_path: Any) -> None:
    # 9 digits are no 户号, and "3乘以7" holds none: the form asks again instead.
    typo = entity("account_no", 2, 11, "330123456")
    sums = entity("phone", 0, 1, "3")
    msg = message("户号330123456", [typo, sums])
    create(IdentifierExtractor, tmp_path).process([msg])
    assert msg.get("entities") == []


def test_extractor_is_idempotent(tmp_path: Any) -> None:
    msg = message("工单gd20261126000123")
    extractor = create(IdentifierExtractor, tmp_path)
    extractor.process([msg])
    extractor.process([msg])
    assert [e["value"] for e in msg.get("entities")] == ["GD20261126000123"]


@pytest.mark.parametrize("text, entity, value", [
    ("单号gd20261118000346一直没人处理", "ticket_id", "GD20261118000346"),
    ("电话13812345678一定回我", "phone", "13812345678"),
    ("户号3301234567两个月没电", "account_no", "3301234567"),
])
def test_a_number_followed_by_a_chinese_numeral_word(text, entity, value):
    from glossary.identifiers import find_identifiers

    assert [(i.entity, i.value) for i in find_identifiers(text)] == [(entity, value)]
