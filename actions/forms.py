"""What every form's validation has in common, in one place.

- A message that is not an answer (a greeting, thanks, goodbye, a side
  question, 取消, 转人工) fills nothing: the validation returns no slot at all,
  so the form is rejected for this turn and the rules answer it instead.
- A rejected answer is met with a polite, specific prompt; when the same
  question is about to be asked for the third time the prompt also says how
  to get out: 转人工 or 取消 (bot.flows.MAX_ASKS).
"""
from __future__ import annotations

import re
from abc import abstractmethod
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.text import joined, say_sentence
from bot.flows import BY_FORM, MAX_ASKS, NOT_AN_ANSWER, SIDE_ANSWERS
from glossary.identifiers import spoken_to_digits
from glossary.replies.session import WAY_OUT
from glossary.wording import Sentence

# Side questions, as opposed to greetings and thanks.
SIDE_QUESTIONS = frozenset(SIDE_ANSWERS) - {"greet", "thank"}
QUESTION = re.compile(r"[？?吗呢么]\s*$|怎么|怎样|如何|哪里|哪儿|在哪|哪个|几点|多少|什么时候|能不能|可不可以|是不是|有没有")


def times_asked(tracker: Tracker, slot: str) -> int:
    """How often the active form has asked for `slot` and waited for the answer: the listens
    while it was the requested slot (counting SlotSet events instead would also count the
    ones Rasa adds to the tracker it sends for validation)."""
    form = tracker.active_loop.get("name")
    events = tracker.events
    start = max((i for i, e in enumerate(events) if e.get("event") == "active_loop" and e.get("name") == form),
                default=0)
    count, requested = 0, None
    for event in events[start:]:
        if event.get("event") == "slot" and event.get("name") == "requested_slot":
            requested = event.get("value")
        elif event.get("event") == "action" and event.get("name") == "action_listen" and requested == slot:
            count += 1
    return count


def _free_text_asked(tracker: Tracker) -> str | None:
    """The requested slot, when the active form asked for free text there."""
    flow = BY_FORM.get(tracker.active_loop.get("name") or "")
    asked = tracker.get_slot("requested_slot")
    return asked if flow and asked in flow.free_text else None


def told_not_asked(tracker: Tracker) -> str | None:
    """A statement the NLU took for a side question, given where free text was asked
    ("营业厅的人把我户号登记错了" is what the complaint is about, not a question about
    service halls): the slot it answers, else None."""
    text = (tracker.latest_message.get("text") or "").strip()
    if tracker.get_intent_of_latest_message() in SIDE_QUESTIONS and text and not QUESTION.search(text):
        return _free_text_asked(tracker)
    return None


def not_an_answer(tracker: Tracker) -> bool:
    """A greeting, thanks, goodbye, side question, 取消 or 转人工 — but digits are always an
    answer, whatever the NLU made of them ("1111" is the phone's last 4, not a goodbye),
    and so is a statement where free text was asked."""
    text = re.sub(r"[\s\-，。,.、]", "", tracker.latest_message.get("text") or "")
    if text and spoken_to_digits(text).isdigit():
        return False
    return tracker.get_intent_of_latest_message() in NOT_AN_ANSWER and not told_not_asked(tracker)


def latest_entities(tracker: Tracker, entity: str) -> list[dict[str, Any]]:
    return [e for e in tracker.latest_message.get("entities") or [] if e.get("entity") == entity]


class StepwiseFormValidation(FormValidationAction):
    """Base of every form's validation action (see the module docstring)."""

    @abstractmethod
    def name(self) -> str:
        """validate_<form>; abstract so that the action server does not register this base."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """Validate the turn, unless the message is not an answer at all."""
        if tracker.active_loop.get("name") and not_an_answer(tracker):
            return []
        slot = told_not_asked(tracker)
        if slot:  # the domain's mapping left it out (side-question intent): taken here
            tracker.add_slots([SlotSet(slot, (tracker.latest_message.get("text") or "").strip())])
        return await super().run(dispatcher, tracker, domain)

    def retry(self, dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, sentence: Sentence,
              **values: object) -> None:
        """Say why the answer was not taken and what to give instead (a glossary.replies sentence,
        filled in with `values`); offer a way out on the third ask."""
        if times_asked(tracker, slot) >= MAX_ASKS - 1:
            sentence = joined(sentence, WAY_OUT)
        say_sentence(dispatcher, tracker, sentence, **values)
