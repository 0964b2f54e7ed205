"""bot/rasa_patches.py makes Rasa cheaper and never different: the action server's answer is
accepted and refused exactly as Rasa 3.6.21's own code does, with its schema checked once."""
from __future__ import annotations

import jsonschema
import pytest
from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction

from bot import rasa_patches

UPSTREAM = rasa_patches.UPSTREAM_VALIDATE_ACTION_RESULT
ACTION = RemoteAction("action_check_outage", None)
ANSWERS_RASA_TAKES = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "place", "value": "屏门村", "timestamp": None}],
     "responses": [{"text": "屏门村明天没有停电计划。"}]},
    {"events": [{"event": "active_loop", "name": None}, {"event": "followup", "name": "utter_goodbye"}]},
    {},
]
ANSWERS_RASA_REFUSES = [
    {"events": {"event": "slot"}},
    {"events": [{"name": "place"}]},
    {"events": [{"event": "slot", "name": 5}]},
    {"responses": ["屏门村明天没有停电计划。"]},
]


@pytest.mark.parametrize("answer", ANSWERS_RASA_TAKES)
def test_an_answer_rasa_accepts_is_accepted(answer):
    assert UPSTREAM is not rasa_patches.validate_action_result
    assert UPSTREAM(ACTION, answer) is True
    assert rasa_patches.validate_action_result(ACTION, answer) is True


@pytest.mark.parametrize("answer", ANSWERS_RASA_REFUSES)
def test_an_answer_rasa_refuses_is_refused_with_the_same_message(answer):
    with pytest.raises(ValidationError) as upstream:
        UPSTREAM(ACTION, answer)
    with pytest.raises(ValidationError) as patched:
        rasa_patches.validate_action_result(ACTION, answer)
    assert patched.value.message == upstream.value.message
    assert "Failed to validate Action server response" in patched.value.message


def test_the_schema_is_checked_once_not_on_every_action(monkeypatch):
    cls = validators.validator_for(RemoteAction.action_response_format_spec())
    checks = []
    original = cls.check_schema.__func__
    monkeypatch.setattr(cls, "check_schema", classmethod(lambda c, s, *a, **k: (checks.append(1),
                                                                                   original(c, s, *a, **k))[1]))
    rasa_patches.action_result_validator.cache_clear()
    try:
        for answer in ANSWERS_RASA_TAKES * 3:
            rasa_patches.validate_action_result(ACTION, answer)
        assert len(checks) == 1
        checks.clear()
        for answer in ANSWERS_RASA_TAKES:
            jsonschema.validate(answer, RemoteAction.action_response_format_spec())
        assert len(checks) == len(ANSWERS_RASA_TAKES)  # what Rasa itself pays on every custom action
    finally:
        rasa_patches.action_result_validator.cache_clear()


def test_applying_installs_the_cheaper_validation_in_rasa():
    rasa_patches.apply()
    rasa_patches.apply()
    assert RemoteAction._validate_action_result is rasa_patches.validate_action_result
