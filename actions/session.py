"""Conversation control: session start, cancel, misunderstandings, human handoff."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import (
    ActionExecuted,
    ActiveLoop,
    EventType,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
)
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend import BackendError, BackendUnavailable, backend
from actions.text import phrase, say_sentence
from bot.flows import FLOWS, IDENTITY_SLOTS
from glossary.rasa_names import FALLBACK_INTENT
from glossary.replies import session as replies

# Slots cleared when a flow ends (filed, answered, cancelled or switched away
# from): every form's own slots, and the slots that live for one turn or one
# flow (bot/flows.py has the lifetimes). The identity unit is not among them.
FLOW_SLOTS = tuple(dict.fromkeys([
    *(slot for flow in FLOWS for slot in flow.slots),
    "pending_task", "switch_to", "offer", "hazard", "place", "date", "business_type",
]))
# Rasa channel name → the backend's channel vocabulary.
CHANNELS = {"ivr": "ivr", "wechat": "wechat", "rest": "web", "socketio": "web"}


def clear_form_slots(*keep: str) -> list[EventType]:
    """End the current flow: forget everything that belonged to it."""
    return [SlotSet(slot, None) for slot in FLOW_SLOTS if slot not in keep]


def identity_events(account_no: str | None = None, phone_last4: str | None = None,
                    verified: bool = False) -> list[EventType]:
    """The identity unit (户号, phone digits, verified) is set and reset together."""
    values = {"account_no": account_no, "phone_last4": phone_last4, "verified": verified}
    return [SlotSet(slot, values[slot]) for slot in IDENTITY_SLOTS]


def backend_channel(tracker: Tracker) -> str:
    return CHANNELS.get(tracker.get_latest_input_channel() or "", "web")


class ActionSessionStart(Action):
    """A new session opens with the privacy notice (PIPL: say what is collected and why).

    Not on the hotline: its greeting (glossary.wording.IVR_GREETING, spoken when the
    call starts, before any words reach the assistant) already says it, and a caller
    would otherwise hear a second welcome after their first sentence."""

    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        started_by = tracker.get_slot("session_started_metadata") or {}
        if started_by.get("channel") != "ivr":
            dispatcher.utter_message(response="utter_privacy_notice")
        return [SessionStarted(), ActionExecuted("action_listen")]


class ActionRememberTask(Action):
    """Remember what the customer asked for before a form runs, so the action
    after the form knows what to do."""

    def name(self) -> str:
        return "action_remember_task"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        return [SlotSet("pending_task", tracker.get_intent_of_latest_message())]


class ActionCancel(Action):
    def name(self) -> str:
        return "action_cancel"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(response="utter_cancelled")
        return [ActiveLoop(None), SlotSet("requested_slot", None), *clear_form_slots()]


def _summary(tracker: Tracker) -> str:
    """The last things the customer said, for the agent who takes over (stored masked)."""
    said = [e.get("text", "") for e in tracker.events if e.get("event") == "user" and e.get("text")]
    task = tracker.get_slot("pending_task")
    lines = [f"客户诉求：{task}"] if task else []
    return "\n".join(lines + [f"客户：{text}" for text in said[-5:]])


async def hand_off(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str) -> list[EventType]:
    body = {"channel": backend_channel(tracker), "sender_id": tracker.sender_id, "reason": reason,
            "summary": _summary(tracker)}
    try:
        queued = await backend().post("/api/conversations/handoffs", body)
    except (BackendUnavailable, BackendError):
        say_sentence(dispatcher, tracker, replies.HANDOFF_UNAVAILABLE)
        return [ActiveLoop(None), SlotSet("requested_slot", None)]
    ahead = queued["queue_position"] - 1
    say_sentence(dispatcher, tracker, replies.HANDOFF_QUEUED,
                 ahead=phrase(replies.AHEAD, count=ahead) if ahead else "")
    # The IVR turns this into a transfer to the agents' queue.
    dispatcher.utter_message(json_message={"handoff": {"queue": "95598", "reason": reason,
                                                       "conversation_id": queued["id"]}})
    return [ActiveLoop(None), SlotSet("requested_slot", None)]


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        return await hand_off(dispatcher, tracker, "request_human")


def consecutive_misunderstandings(tracker: Tracker) -> int:
    """How many of the customer's latest messages in a row were not understood."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = (event.get("parse_data") or {}).get("intent", {}).get("name")
        if intent != FALLBACK_INTENT:
            break
        count += 1
    return max(count, 1)


class ActionFallback(Action):
    """First misunderstanding: ask to rephrase; the second in a row: a human takes over."""

    def name(self) -> str:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        if consecutive_misunderstandings(tracker) >= 2:
            return await hand_off(dispatcher, tracker, "misunderstood_twice")
        dispatcher.utter_message(response="utter_please_rephrase")
        # Forget the message so an active form asks its question again.
        return [UserUtteranceReverted()]


def ticket_slots(ticket: dict[str, Any]) -> list[EventType]:
    return [SlotSet("last_ticket_id", ticket["id"])]
