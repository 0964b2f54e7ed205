"""Follow-up on an existing ticket: progress, chasing (催办) and the callback rating."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend import BackendError, BackendUnavailable, backend, turn_key
from actions.forms import StepwiseFormValidation
from actions.repairs import parse_phone
from actions.session import clear_form_slots, ticket_slots
from actions.text import BUSY, DEADLINE_NAMES, STATUS_NAMES, TYPE_NAMES, say, when
from glossary.identifiers import TICKET_ID_RE as TICKET_ID  # noqa: F401 - kept for importers
from glossary.identifiers import parse_ticket_id
from glossary.names import RATINGS

# The ratings a customer can give; callback_failed is recorded by the backend, not said.
RATING_NAMES = {code: name for code, name in RATINGS.items() if code != "callback_failed"}


def _known_ticket(tracker: Tracker) -> str | None:
    return tracker.get_slot("ticket_id") or tracker.get_slot("last_ticket_id")


class ValidateTicketForm(StepwiseFormValidation):
    def name(self) -> str:
        return "validate_ticket_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        slots = [] if _known_ticket(tracker) else list(domain_slots)
        if tracker.get_slot("pending_task") == "rate_service" and not tracker.get_slot("rating"):
            slots.append("rating")
        return slots

    async def validate_ticket_ref(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> dict[str, Any]:
        text = str(value)
        ticket_id = parse_ticket_id(text)
        if ticket_id:
            return {"ticket_ref": ticket_id, "ticket_id": ticket_id}
        phone = parse_phone(text)
        if phone is None:
            self.retry(dispatcher, tracker, "ticket_ref",
                       "抱歉，没有识别到工单编号或手机号码。请您再提供一次，工单编号以GD开头。",
                       "抱歉没有听清，请再说一次工单编号或手机号码。")
            return {"ticket_ref": None}
        try:
            found = await backend().get("/api/tickets", phone=phone, per_page=1)
        except (BackendUnavailable, BackendError):
            say(dispatcher, tracker, *BUSY)
            return {"ticket_ref": "unavailable"}
        if not found["items"]:
            self.retry(dispatcher, tracker, "ticket_ref", "抱歉，没有查到该号码登记的工单。请您核对号码，或者提供工单编号。",
                       "抱歉，没有查到该号码的工单，请核对后再说一次。")
            return {"ticket_ref": None}
        ticket_id = found["items"][0]["id"]
        return {"ticket_ref": ticket_id, "ticket_id": ticket_id}

    def validate_rating(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                        domain: DomainDict) -> dict[str, Any]:
        return {"rating": value if value in RATING_NAMES else None}


def _next_deadline(ticket: dict) -> dict | None:
    open_clocks = [c for c in ticket["clocks"] if c["state"] in ("running", "warning", "overdue")]
    return min(open_clocks, key=lambda c: c["due_at"]) if open_clocks else None


async def _progress(dispatcher: CollectingDispatcher, tracker: Tracker, ticket: dict) -> None:
    status = STATUS_NAMES[ticket["status"]]
    text = f"工单{ticket['id']}（{TYPE_NAMES[ticket['type']]}）当前状态：{status}，处理单位：{ticket['unit']['name']}。"
    clock = _next_deadline(ticket)
    if clock is not None:
        what = DEADLINE_NAMES.get(clock["name"], "处理")
        if clock["state"] == "overdue":
            text += f"{what}已超过承诺时限（{when(clock['due_at'])}），我们已督促处理单位尽快处理，如需催办请说“催一下”。"
        else:
            text += f"承诺在{when(clock['due_at'])}前{what}。"
    say(dispatcher, tracker, text, f"您的工单当前状态：{status}。" + (
        f"承诺在{when(clock['due_at'], True)}前{DEADLINE_NAMES.get(clock['name'], '处理')}。" if clock else ""))


async def _urge(dispatcher: CollectingDispatcher, tracker: Tracker, ticket: dict) -> list[EventType]:
    """Record the chase on the ticket itself; its handler already has the customer's phone."""
    note = tracker.latest_message.get("text") or "客户催办"
    try:
        await backend().post(f"/api/tickets/{ticket['id']}/events", {"kind": "urge", "note": note},
                             key=turn_key(tracker, "urge"))
    except BackendError as error:
        dispatcher.utter_message(text=error.message)
        return []
    except BackendUnavailable:
        say(dispatcher, tracker, "非常抱歉，系统暂时繁忙，催办未能提交，请稍后再试或拨打95598。",
                "非常抱歉，系统暂时繁忙，催办未能提交，请稍后再试或说转人工。")
        return []
    say(dispatcher, tracker, f"已为您催办工单{ticket['id']}，处理单位会尽快处理并与您联系。给您带来不便，敬请谅解。",
        "已为您催办，处理单位会尽快与您联系。")
    return []


async def _rate(dispatcher: CollectingDispatcher, tracker: Tracker, ticket: dict) -> list[EventType]:
    rating = tracker.get_slot("rating")
    try:
        await backend().post(f"/api/tickets/{ticket['id']}/events", {"kind": "callback", "rating": rating},
                             key=turn_key(tracker, "rating"))
    except BackendError as error:
        if error.status == 409:
            say(dispatcher, tracker, "该工单目前还在处理中，处理完成后我们会回访您，届时再请您评价。")
        else:
            dispatcher.utter_message(text=error.message)
        return [SlotSet("rating", None)]
    except BackendUnavailable:
        say(dispatcher, tracker, "非常抱歉，评价暂时未能提交，请稍后再试。")
        return [SlotSet("rating", None)]
    if rating == "dissatisfied":
        say(dispatcher, tracker, "非常抱歉没能让您满意，已将工单退回重新处理，处理人员会尽快与您联系。")
    else:
        say(dispatcher, tracker, f"感谢您的评价（{RATING_NAMES[rating]}），我们会继续努力为您提供更好的服务。")
    return [SlotSet("rating", None)]


class ActionTicketFollowup(Action):
    def name(self) -> str:
        return "action_ticket_followup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        task = tracker.get_slot("pending_task")
        # Ticket number, rating and task belong to this flow only.
        reset = clear_form_slots()
        ticket_id = _known_ticket(tracker)
        if not ticket_id or tracker.get_slot("ticket_ref") == "unavailable":
            return reset
        try:
            ticket = await backend().get(f"/api/tickets/{ticket_id}")
        except BackendUnavailable:
            say(dispatcher, tracker, *BUSY)
            return reset
        except BackendError as error:
            dispatcher.utter_message(text=error.message)
            return reset
        if task == "urge_ticket":
            events = await _urge(dispatcher, tracker, ticket)
        elif task == "rate_service":
            events = await _rate(dispatcher, tracker, ticket)
        else:
            await _progress(dispatcher, tracker, ticket)
            events = []
        return [*reset, *events, *ticket_slots(ticket)]
