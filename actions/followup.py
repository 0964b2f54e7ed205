"""Follow-up on an existing ticket: progress, chasing (催办) and the customer's rating.

A rating given while the ticket's callback is due (replied) answers the callback: it
meets the callback clock and closes the ticket, or sends it back for rework. A closed
ticket's rating is its satisfaction survey's answer (POST /api/tickets/{id}/survey,
source 问卷: backend/surveys.py); it changes nothing on the ticket."""
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
from actions.text import (
    BUSY,
    DEADLINE_NAMES,
    STATUS_NAMES,
    TYPE_NAMES,
    moment,
    phrase,
    say_refusal,
    say_sentence,
    ticket_no,
)
from glossary.identifiers import TICKET_ID_RE as TICKET_ID  # noqa: F401 - kept for importers
from glossary.identifiers import parse_ticket_id
from glossary.names import RATINGS
from glossary.replies import followup as replies

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
            self.retry(dispatcher, tracker, "ticket_ref", replies.TICKET_REF_AGAIN)
            return {"ticket_ref": None}
        try:
            found = await backend().get("/api/tickets", phone=phone, per_page=1)
        except (BackendUnavailable, BackendError):
            say_sentence(dispatcher, tracker, BUSY)
            return {"ticket_ref": "unavailable"}
        if not found["items"]:
            self.retry(dispatcher, tracker, "ticket_ref", replies.NO_TICKETS_FOR_PHONE)
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
    clock = _next_deadline(ticket)
    deadline: object = ""
    if clock is not None:
        step = DEADLINE_NAMES.get(clock["name"]) or phrase(replies.ANY_STEP)
        sentence = replies.OVERDUE if clock["state"] == "overdue" else replies.PROMISED
        deadline = phrase(sentence, step=step, due=moment(clock["due_at"]))
    say_sentence(dispatcher, tracker, replies.PROGRESS, ticket=ticket_no(ticket["id"]),
                 type=TYPE_NAMES[ticket["type"]], status=STATUS_NAMES[ticket["status"]], unit=ticket["unit"]["name"],
                 deadline=deadline)


async def _urge(dispatcher: CollectingDispatcher, tracker: Tracker, ticket: dict) -> list[EventType]:
    """Record the chase on the ticket itself; its handler already has the customer's phone."""
    note = tracker.latest_message.get("text") or "客户催办"
    try:
        await backend().post(f"/api/tickets/{ticket['id']}/events", {"kind": "urge", "note": note},
                             key=turn_key(tracker, "urge"))
    except BackendError as error:
        say_refusal(dispatcher, tracker, error)
        return []
    except BackendUnavailable:
        say_sentence(dispatcher, tracker, replies.URGE_UNAVAILABLE)
        return []
    say_sentence(dispatcher, tracker, replies.URGED, ticket=ticket_no(ticket["id"]))
    return []


async def _rate(dispatcher: CollectingDispatcher, tracker: Tracker, ticket: dict) -> list[EventType]:
    rating = tracker.get_slot("rating")
    try:
        await backend().post(f"/api/tickets/{ticket['id']}/events", {"kind": "callback", "rating": rating},
                             key=turn_key(tracker, "rating"))
    except BackendError as error:
        if error.code == "illegal_step":  # not answered yet: rated at the callback
            say_sentence(dispatcher, tracker, replies.RATING_TOO_EARLY)
        elif error.code == "ticket_closed":  # handled and closed: the customer's own survey answer
            await _rate_closed(dispatcher, tracker, ticket, rating, error)
        else:
            say_refusal(dispatcher, tracker, error)
        return [SlotSet("rating", None)]
    except BackendUnavailable:
        say_sentence(dispatcher, tracker, replies.RATING_UNAVAILABLE)
        return [SlotSet("rating", None)]
    if rating == "dissatisfied":
        say_sentence(dispatcher, tracker, replies.DISSATISFIED)
    else:
        say_sentence(dispatcher, tracker, replies.RATED, rating=RATING_NAMES[rating])
    return [SlotSet("rating", None)]


async def _rate_closed(dispatcher: CollectingDispatcher, tracker: Tracker, ticket: dict, rating: str,
                       closed: BackendError) -> None:
    """The survey answer of a closed ticket; one closed without a reply (withdrawn) is told it is closed."""
    try:
        await backend().post(f"/api/tickets/{ticket['id']}/survey",
                             {"rating": rating, "conversation_id": tracker.sender_id}, key=turn_key(tracker, "survey"))
    except BackendError as error:
        if error.code == "survey_answered":
            say_sentence(dispatcher, tracker, replies.ALREADY_RATED)
        else:  # not handled (withdrawn, a duplicate): nothing to rate, the ticket is closed
            say_refusal(dispatcher, tracker, closed)
        return
    except BackendUnavailable:
        say_sentence(dispatcher, tracker, replies.RATING_UNAVAILABLE)
        return
    if rating == "dissatisfied":
        say_sentence(dispatcher, tracker, replies.DISSATISFIED_CLOSED)
    else:
        say_sentence(dispatcher, tracker, replies.RATED_CLOSED, rating=RATING_NAMES[rating])


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
            say_sentence(dispatcher, tracker, BUSY)
            return reset
        except BackendError as error:
            say_refusal(dispatcher, tracker, error)
            return reset
        if task == "urge_ticket":
            events = await _urge(dispatcher, tracker, ticket)
        elif task == "rate_service":
            events = await _rate(dispatcher, tracker, ticket)
        else:
            await _progress(dispatcher, tracker, ticket)
            events = []
        return [*reset, *events, *ticket_slots(ticket)]
