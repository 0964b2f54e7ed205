from __future__ import annotations

from typing import Any

import pytest
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from bot.nlu.normaliser import ORIGINAL_TEXT, TextNormaliser
from bot.nlu.text_normalisation import fold_width, normalise, to_simplified
from tests.bot.helpers import create, message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("電費怎麼繳", "电费怎么缴"),
        ("戶號３３０１２３４５６７", "户号3301234567"),
        ("ＧＤ２０２６１１２６０００１２３", "GD20261126000123"),
        ("０５７１－８７６５４３２１", "0571-87654321"),
        ("  我家　　停電了  \t 怎麼辦 ", "我家 停电了 怎么办"),
        ("交了費，怎麼還沒電？", "交了费，怎么还没电？"),  # Chinese punctuation stays
        ("覆電要多久", "复电要多久"),  # phrase-level conversion
        ("电费怎么缴", "电费怎么缴"),
    ],
)
def test_normalise_text(raw: str, expected: str) -> None:
    assert normalise(raw).text == expected


def test_conversions_keep_every_position() -> None:
    # Every OpenCC t2s phrase below maps n characters to n; the whole-text check guards it.
    text = "乾隆年間頭髮覆電瞭解藉口沈默臺灣後天週三禮拜"
    assert len(to_simplified(text)) == len(text)
    assert len(fold_width("ＡＢＣ１２３　－．／＋")) == len("ＡＢＣ１２３　－．／＋")


def test_offsets_map_spans_through_collapsed_whitespace() -> None:
    raw = "  戶號  3301   2345 67890 "
    result = normalise(raw)
    start = raw.index("3301")
    assert result.text == "户号 3301 2345 67890"
    assert result.text[slice(*result.span(start, len(raw) - 1))] == "3301 2345 67890"
    assert result.text[slice(*result.span(2, 4))] == "户号"


TRAINING = """
version: "3.1"
nlu:
- intent: inform
  examples: |
    - 戶號是[３３０１　２３４５　６７８９０](account_no)
    - 我想[過戶]{"entity": "business_type", "value": "ownership_transfer"}
    - [明天](date)  [幸福裏小區](area)停電嗎
- synonym: meter_test
  examples: |
    - 校驗電錶
"""


def test_training_data_spans_stay_valid(tmp_path: Any) -> None:
    data = RasaYAMLReader().reads(TRAINING)
    create(TextNormaliser, tmp_path).process_training_data(data)
    examples = data.training_examples
    assert [e.get("text") for e in examples] == ["户号是3301 2345 67890", "我想过户", "明天 幸福里小区停电吗"]
    for example in examples:
        for entity in example.get("entities"):
            span = example.get("text")[entity["start"]:entity["end"]]
            assert span.strip() == span and span
            if entity["entity"] in {"account_no", "date", "area"}:
                assert entity["value"] == span
    assert examples[0].get("entities")[0]["value"] == "3301 2345 67890"
    assert examples[1].get("entities")[0] == {
        "start": 2, "end": 4, "value": "ownership_transfer", "entity": "business_type"}
    assert examples[2].get("entities")[1]["value"] == "幸福里小区"
    assert examples[0].get(ORIGINAL_TEXT) == "戶號是３３０１　２３４５　６７８９０"
    assert data.entity_synonyms["校验电表"] == "meter_test"


def test_messages_are_normalised_and_original_kept(tmp_path: Any) -> None:
    msg = message("電費怎麼繳？戶號３３０１２３４５６７")
    create(TextNormaliser, tmp_path).process([msg])
    output = msg.as_dict(only_output_properties=True)
    assert output["text"] == "电费怎么缴？户号3301234567"
    assert output[ORIGINAL_TEXT] == "電費怎麼繳？戶號３３０１２３４５６７"


def test_intent_payloads_are_left_alone(tmp_path: Any) -> None:
    payload = '/inform{"account_no": "３３０１　２３４５"}'
    msg = message(payload)
    create(TextNormaliser, tmp_path).process([msg])
    assert msg.get("text") == payload


def test_training_cache_key_follows_the_rules_module() -> None:
    from rasa.engine.training.fingerprinting import calculate_fingerprint_key

    addon = TextNormaliser.fingerprint_addon({})
    assert addon and addon == TextNormaliser.fingerprint_addon({})
    assert calculate_fingerprint_key(TextNormaliser, {}, {})  # Rasa accepts the addon
