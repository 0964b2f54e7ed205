"""Filing a ticket from a conversation: exactly once, and never lost.

Every action that writes a ticket goes through here: the Idempotency-Key is
derived from the customer's message, an unreachable backend sends the ticket
to the outbox (delivered later under the same key) and the customer is told
plainly; a refusal is told in the words glossary/replies/refusals.py has for its code.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.backend import BackendError, BackendUnavailable, backend, turn_key
from actions.outbox import keep_for_later
from actions.text import NO_BACKEND, say_refusal, say_sentence


async def file_ticket(dispatcher: CollectingDispatcher, tracker: Tracker, body: dict[str, Any],
                      purpose: str) -> dict[str, Any] | None:
    """The created ticket, or None when it was kept for later or refused (the customer was told)."""
    key = turn_key(tracker, purpose)
    try:
        return await backend().post("/api/tickets", body, key=key)
    except BackendUnavailable:
        await keep_for_later(key, body)
        say_sentence(dispatcher, tracker, NO_BACKEND)
    except BackendError as error:
        if error.status < 500:
            say_refusal(dispatcher, tracker, error)
            return None
        # A fault of ours, not of the request: kept and retried with the same key like an outage.
        await keep_for_later(key, body)
        say_sentence(dispatcher, tracker, NO_BACKEND)
    return None


def known_phone(tracker: Tracker) -> dict[str, Any]:
    """A phone number the customer already gave serves as the contact number (no second question)."""
    known = tracker.get_slot("phone")
    if known and not tracker.get_slot("contact_phone"):
        return {"contact_phone": known}
    return {}
