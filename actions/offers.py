"""Answers to the yes/no offers other actions make (a repair after the outage
self-check, a meter test after a bill dispute)."""
from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.billing import create_service_request
from actions.session import ticket_slots
from actions.text import moment, say_sentence, ticket_no
from glossary.replies import billing as replies


class ActionAcceptOffer(Action):
    """A repair offer continues into the repair form and the tariff example into the identity
    check (by rule); a meter test is filed here."""

    def name(self) -> str:
        return "action_accept_offer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        offer = tracker.get_slot("offer")
        if offer == "tariff_example":  # the identity form runs next (by rule), then the example
            return [SlotSet("offer", None), SlotSet("pending_task", "ask_tariff")]
        if offer != "meter_test":
            return [SlotSet("offer", None)]
        ticket = await create_service_request(dispatcher, tracker, "meter_test", "客户对电费有异议，申请电表校验")
        if ticket is None:
            return [SlotSet("offer", None)]
        say_sentence(dispatcher, tracker, replies.METER_TEST_FILED, ticket=ticket_no(ticket["id"]),
                     reply=moment(ticket["deadlines"]["reply"]))
        return [SlotSet("offer", None), *ticket_slots(ticket)]


class ActionDeclineOffer(Action):
    def name(self) -> str:
        return "action_decline_offer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(response="utter_offer_declined")
        return [SlotSet("offer", None)]
