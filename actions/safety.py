"""Safety first: a hazard named in any message, whatever was being asked.

bot/policies/turn.py sends every message with a `hazard` entity here (outside
the repair flow, which hears hazards itself). The customer hears the advice for
that kind of danger first, then is offered an urgent repair; the danger and
their own words are kept, so the repair form does not ask for them again.
"""
from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.forms import latest_entities
from actions.session import clear_form_slots


def hazard_kind(tracker: Tracker) -> str | None:
    found = latest_entities(tracker, "hazard")
    return found[0].get("value") if found else None


class ActionSafetyFirst(Action):
    def name(self) -> str:
        return "action_safety_first"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        # The advice variation is chosen by the `hazard` slot, set from this message.
        dispatcher.utter_message(response="utter_safety_advice")
        dispatcher.utter_message(response="utter_offer_urgent_repair")
        events: list[EventType] = []
        if tracker.active_loop.get("name"):
            events += [ActiveLoop(None), SlotSet("requested_slot", None)]
        return [*events, *clear_form_slots(), SlotSet("hazard", hazard_kind(tracker)),
                SlotSet("safety_hazard", True),
                SlotSet("fault_description", (tracker.latest_message.get("text") or "").strip() or None),
                SlotSet("offer", "repair")]
