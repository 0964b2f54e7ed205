"""Ratings and business types reach the actions as values they understand."""
from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.values import ValueNormaliser, canonical


@pytest.mark.parametrize("kind, text, value", [
    ("rating", "非常满意", "satisfied"),
    ("rating", "打五颗星", "satisfied"),
    ("rating", "不太满意", "dissatisfied"),
    ("rating", "还算满意吧", "basically_satisfied"),
    ("rating", "给3分", "basically_satisfied"),
    ("business_type", "过个户", "ownership_transfer"),
    ("business_type", "装个充电桩", "ev_charger"),
    ("business_type", "新房通电", "new_connection"),
    ("business_type", "拆表", "account_closure"),
    ("rating", "嗯", None),
])
def test_canonical_values(kind, text, value):
    assert canonical(kind, text) == value


def test_component_maps_and_drops():
    message = Message(data={"text": "打五颗星，嗯", "entities": [
        {"entity": "rating", "start": 0, "end": 4, "value": "打五颗星"},
        {"entity": "rating", "start": 5, "end": 6, "value": "嗯"},
        {"entity": "area", "start": 5, "end": 6, "value": "嗯"},
    ]})
    ValueNormaliser().process([message])
    assert [(e["entity"], e["value"]) for e in message.get("entities")] == [("rating", "satisfied"), ("area", "嗯")]
