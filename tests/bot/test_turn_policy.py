"""TurnPolicy on real trackers: safety comes first in any flow but the repair
form, a task named inside a form is confirmed before anything is dropped, and
an offer lapses when the next turn does not answer it."""
from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.flows import BY_FORM, BY_INTENT, NOT_AN_ANSWER, OFFER_ANSWERS
from bot.policies.turn import decide, lapsed_offers

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def conversation(domain: Domain, intent: str, *, form: str | None = None, asked: str | None = None,
                 slots: dict | None = None, hazard: bool = False, confidence: float = 0.95) -> DialogueStateTracker:
    events = [ActionExecuted("action_listen")]
    if form:
        events += [ActionExecuted(form), ActiveLoop(form), SlotSet("requested_slot", asked), ActionExecuted("action_listen")]
    events = [*events[:-1], *(SlotSet(k, v) for k, v in (slots or {}).items()), events[-1]]
    entities = [{"entity": "hazard", "value": "smoke", "start": 0, "end": 2}] if hazard else []
    events.append(UserUttered("…", {"name": intent, "confidence": confidence}, entities))
    return DialogueStateTracker.from_events("customer", events, domain.slots)


def turn(tracker: DialogueStateTracker, text: str = "") -> str | None:
    message = tracker.latest_message
    return decide(tracker, message.intent["name"], message.intent["confidence"],
                  [e["entity"] for e in message.entities], 0.6, text)


@pytest.mark.parametrize("form,asked", [(None, None), ("complaint_form", "complaint_when"),
                                        ("identity_form", "account_no"), ("outage_form", "outage_place"),
                                        ("ticket_form", "ticket_ref")])
@pytest.mark.parametrize("intent", ["query_outage", "ask_reconnection", "file_complaint", "nlu_fallback"])
def test_a_hazard_is_heard_first_in_every_flow(domain, form, asked, intent):
    assert turn(conversation(domain, intent, form=form, asked=asked, hazard=True)) == "action_safety_first"


def test_the_repair_flow_hears_hazards_itself(domain):
    assert turn(conversation(domain, "inform", form="repair_form", asked="address", hazard=True)) is None
    assert turn(conversation(domain, "report_fault", hazard=True)) is None  # the repair form starts and hears it


def test_another_task_inside_a_form_is_confirmed_first(domain):
    inside = conversation(domain, "query_bill", form="complaint_form", asked="complaint_when")
    assert turn(inside) == "action_confirm_switch"


def test_a_time_answer_mentioning_an_outage_is_still_the_time(domain):
    inside = conversation(domain, "query_outage", form="complaint_form", asked="complaint_when")
    assert turn(inside, "昨天下午停电的时候") is None
    assert turn(inside, "帮我查下停电通知") == "action_confirm_switch"


def test_free_text_answers_are_never_taken_for_a_new_task(domain):
    # "停电三天了都没人来修" is what the complaint is about, not a repair request.
    for form, flow in BY_FORM.items():
        for slot in flow.free_text:
            other = next(i for i in BY_INTENT if BY_INTENT[i].form != form)
            assert turn(conversation(domain, other, form=form, asked=slot)) is None, (form, slot)


def test_an_unsure_intent_does_not_interrupt_a_form(domain):
    unsure = conversation(domain, "query_outage", form="repair_form", asked="contact_phone", confidence=0.4)
    assert turn(unsure) is None


def test_the_same_flow_is_no_switch(domain):
    assert turn(conversation(domain, "bill_dispute", form="identity_form", asked="phone_last4")) is None


def test_yes_and_no_answer_a_pending_switch(domain):
    pending = {"switch_to": "query_outage"}
    assert turn(conversation(domain, "affirm", form="repair_form", asked="contact_phone", slots=pending)) == (
        "action_switch_task")
    assert turn(conversation(domain, "deny", form="repair_form", asked="contact_phone", slots=pending)) == (
        "action_resume_form")


@pytest.mark.parametrize("offer", sorted(OFFER_ANSWERS))
def test_an_offer_lapses_unless_answered_on_the_next_turn(domain, offer):
    answered = conversation(domain, "affirm", slots={"offer": offer})
    assert lapsed_offers(answered, "affirm") == []
    other = conversation(domain, "ask_payment_methods", slots={"offer": offer})
    assert lapsed_offers(other, "ask_payment_methods") == [SlotSet("offer", None)]


def test_a_switch_question_lapses_like_an_offer(domain):
    ignored = conversation(domain, "inform", form="repair_form", asked="contact_phone",
                           slots={"switch_to": "query_outage"})
    assert SlotSet("switch_to", None) in lapsed_offers(ignored, "inform")


def test_not_an_answer_intents_never_fill_a_text_slot():
    import yaml

    slots = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))["slots"]
    for name, slot in slots.items():
        for mapping in slot["mappings"]:
            if mapping["type"] == "from_text":
                assert set(NOT_AN_ANSWER) <= set(mapping.get("not_intent", [])), name
