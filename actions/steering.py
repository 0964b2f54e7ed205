"""The customer steers a form: switches to another task (asked first), goes
back to it, or says goodbye in the middle of it.

bot/policies/turn.py decides when a message inside a form starts another task
and sends it to `action_confirm_switch`; the yes/no that follows goes to
`action_switch_task` or `action_resume_form`.
"""
from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.session import clear_form_slots
from actions.text import Both, phrase, say_sentence
from bot.flows import BY_FORM, BY_INTENT, TASK_NAMES
from glossary.replies import session as replies


def current_flow_name(tracker: Tracker) -> Both | str:
    flow = BY_FORM.get(tracker.active_loop.get("name") or "")
    return flow.name if flow else phrase(replies.ANY_FLOW)


def previous_user_text(tracker: Tracker) -> str:
    """What the customer said before their latest message (the request a yes/no answers)."""
    said = [e.get("text") or "" for e in tracker.events if e.get("event") == "user"]
    return said[-2].strip() if len(said) >= 2 else ""


class ActionConfirmSwitch(Action):
    """"您正在办理投诉，是否先为您查询停电？" — nothing is dropped without a yes."""

    def name(self) -> str:
        return "action_confirm_switch"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        intent = tracker.get_intent_of_latest_message()
        task = TASK_NAMES.get(intent) or phrase(replies.ANY_TASK)
        say_sentence(dispatcher, tracker, replies.CONFIRM_SWITCH, current=current_flow_name(tracker), task=task)
        return [SlotSet("switch_to", intent)]


class ActionSwitchTask(Action):
    """Yes: leave the current form (its answers are dropped) and start the new task."""

    def name(self) -> str:
        return "action_switch_task"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        intent = tracker.get_slot("switch_to")
        flow = BY_INTENT.get(intent or "")
        events: list[EventType] = [ActiveLoop(None), SlotSet("requested_slot", None), *clear_form_slots()]
        if flow is None:
            dispatcher.utter_message(response="utter_how_can_i_help")
            return events
        say_sentence(dispatcher, tracker, replies.SWITCHING, task=TASK_NAMES[intent])
        # The request the customer made before saying yes carries the details of the new task.
        request = previous_user_text(tracker)
        seeds = {"report_fault": "fault_description", "file_complaint": "complaint_what"}
        if intent in seeds and request:
            events.append(SlotSet(seeds[intent], request))
        if flow.remember_task:
            events.append(SlotSet("pending_task", intent))
        return [*events, FollowupAction(flow.form)]


class ActionResumeForm(Action):
    """No: the form goes on and asks its question again."""

    def name(self) -> str:
        return "action_resume_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        say_sentence(dispatcher, tracker, replies.RESUMING, current=current_flow_name(tracker))
        return [SlotSet("switch_to", None)]


class ActionGoodbyeInForm(Action):
    """Goodbye in the middle of a form: nothing is filed, and the customer is told so."""

    def name(self) -> str:
        return "action_goodbye_in_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        say_sentence(dispatcher, tracker, replies.GOODBYE_IN_FORM, current=current_flow_name(tracker))
        return [ActiveLoop(None), SlotSet("requested_slot", None), *clear_form_slots()]
