"""bot/rasa_patches.py makes Rasa cheaper and never different: the action server's answer is
accepted and refused exactly as Rasa 3.6.21's own code does, with its schema checked once."""
from __future__ import annotations

import jsonschema
import pytest
from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa_sdk import Tracker as SdkTracker

from actions.steering import previous_user_text
from bot import rasa_patches

UPSTREAM = rasa_patches.UPSTREAM_VALIDATE_ACTION_RESULT
UPSTREAM_RETRIEVE = rasa_patches.UPSTREAM_RETRIEVE_FROM_SQL
SLOTS = [TextSlot(name, mappings=[]) for name in ("description", "date")]
DOMAIN = Domain.from_dict({"intents": ["complain", "inform", "ask_bill"],
                           "slots": {name: {"type": "text", "mappings": []} for name in ("description", "date")},
                           "forms": {"complaint_form": {"required_slots": ["description", "date"]}}})
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


def conversation(sender: str = "c-7") -> DialogueStateTracker:
    """Three customer messages with their slots, a form and the bot's answers."""
    events = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    for number, (text, intent) in enumerate([("我要投诉", "complain"), ("抄表员态度很差", "inform"),
                                             ("昨天下午", "inform")], start=1):
        events += [UserUttered(text, {"name": intent, "confidence": 0.9}, input_channel="rest"),
                   ActionExecuted("complaint_form"), ActiveLoop("complaint_form"),
                   SlotSet("description" if number == 2 else "date", text), BotUttered(f"第{number}问"),
                   ActionExecuted("action_listen")]
    return DialogueStateTracker.from_events(sender, events, slots=SLOTS)


def test_the_action_server_gets_the_whole_state_and_the_events_from_the_previous_message():
    tracker = conversation()
    upstream = rasa_patches.UPSTREAM_ACTION_CALL_FORMAT(ACTION, tracker, DOMAIN)
    slim = rasa_patches.action_call_format(ACTION, tracker, DOMAIN)
    assert {k: v for k, v in slim["tracker"].items() if k != "events"} == \
        {k: v for k, v in upstream["tracker"].items() if k != "events"}
    assert slim["tracker"]["events"] == upstream["tracker"]["events"][-12:]  # from the 2nd-latest message
    assert slim["tracker"]["events"][0]["text"] == "抄表员态度很差"
    assert {k: v for k, v in slim.items() if k != "tracker"} == {k: v for k, v in upstream.items() if k != "tracker"}
    # What our actions and rasa_sdk read of the events comes out the same.
    full, cut = SdkTracker.from_dict(upstream["tracker"]), SdkTracker.from_dict(slim["tracker"])
    assert previous_user_text(cut) == previous_user_text(full) == "抄表员态度很差"
    assert cut.get_latest_input_channel() == full.get_latest_input_channel() == "rest"
    assert cut.slots_to_validate() == full.slots_to_validate()
    assert cut.latest_message == full.latest_message and cut.active_loop == full.active_loop


def test_a_conversation_with_one_message_sends_every_event():
    tracker = DialogueStateTracker.from_events("c-8", [ActionExecuted("action_listen"), UserUttered("停电了")],
                                               slots=SLOTS)
    assert len(rasa_patches.recent_events(tracker)) == 2


def test_event_types_resolve_as_rasa_resolves_them():
    for name in ("user", "bot", "slot", "action", "active_loop", "session_started", "followup", "reset_slots"):
        assert rasa_patches.resolve_event_type(name) is rasa_patches.UPSTREAM_RESOLVE_EVENT(name)
    assert rasa_patches.resolve_event_type("no_such_event", SlotSet) is SlotSet
    with pytest.raises(ValueError):
        rasa_patches.resolve_event_type("no_such_event")


async def test_a_tracker_loads_from_the_sql_store_as_rasa_loads_it(tmp_path):
    store = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "trackers.db"))
    await store.save(conversation())
    later = conversation()  # a second session of the same customer: only it is loaded
    for event in [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
                  UserUttered("查电费", {"name": "ask_bill", "confidence": 0.8})]:
        later.update(event)
    await store.save(later)
    for all_sessions in (False, True):
        ours = await rasa_patches.retrieve_from_sql(store, "c-7", all_sessions)
        rasas = await UPSTREAM_RETRIEVE(store, "c-7", all_sessions)
        assert ours is not None and rasas is not None
        assert ours.current_state(EventVerbosity.ALL) == rasas.current_state(EventVerbosity.ALL)
    assert await rasa_patches.retrieve_from_sql(store, "nobody", False) is None
