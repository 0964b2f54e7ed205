"""Identity check before any account data (PIPL): 户号 plus the phone's last 4 digits."""
from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import billing
from actions.backend import BackendError, BackendUnavailable, backend
from actions.forms import StepwiseFormValidation, latest_entities
from actions.session import identity_events
from actions.text import say_refusal, say_sentence
from glossary.identifiers import parse_account_no, spoken_to_digits
from glossary.replies import identity as replies

# phone_last4 values that end the form without a verified identity.
LOCKED, UNAVAILABLE = "locked", "unavailable"


def _four_digits(text: str, account_no: str | None) -> str | None:
    """A separate group of exactly four digits (spoken digits too), not part of the 户号."""
    shadow = spoken_to_digits(text or "")
    if account_no:
        shadow = re.sub(r"[\s\-]", "", shadow).replace(account_no, " ")
    groups = re.findall(r"(?<!\d)\d{4}(?!\d)", shadow)
    return groups[-1] if len(groups) == 1 else None


def _named_account(tracker: Tracker) -> str | None:
    """The 户号 in the customer's latest message, if any."""
    found = [e["value"] for e in latest_entities(tracker, "account_no")]
    return found[0] if found else parse_account_no(tracker.latest_message.get("text"))


class ValidateIdentityForm(StepwiseFormValidation):
    """户号 then the last 4 digits; a new 户号 at any point starts the check again."""

    def name(self) -> str:
        return "validate_identity_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        if tracker.get_slot("verified") and tracker.get_slot("account_no") and _named_account(tracker) is None:
            return []  # verified earlier in this session, and no account named now
        return domain_slots

    async def extract_account_no(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> dict[str, Any]:
        number = _named_account(tracker)
        if number and number != tracker.get_slot("account_no"):
            return {"account_no": number}
        if tracker.get_slot("requested_slot") == "account_no" and not number:
            self.retry(dispatcher, tracker, "account_no", replies.ACCOUNT_AGAIN)
            return {"account_no": None}
        return {}

    def validate_account_no(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> dict[str, Any]:
        """A new 户号: the identity unit starts again (set here, because rasa_sdk keeps only a
        form's own slots from extraction and `verified` is not one of them)."""
        return {"account_no": value, "phone_last4": None, "verified": False}

    async def extract_phone_last4(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> dict[str, Any]:
        text = tracker.latest_message.get("text") or ""
        account_no = tracker.get_slot("account_no")
        last4 = _four_digits(text, account_no)
        if last4 and account_no and not tracker.get_slot("verified"):
            return {"phone_last4": last4}
        if tracker.get_slot("requested_slot") == "phone_last4" and not parse_account_no(text):
            self.retry(dispatcher, tracker, "phone_last4", replies.LAST4_AGAIN)
            return {"phone_last4": None}
        return {}

    async def validate_phone_last4(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict[str, Any]:
        if value is None:
            return {"phone_last4": None}
        try:
            await backend().post("/api/accounts/verify",
                                 {"account_no": tracker.get_slot("account_no"), "phone_last4": value},
                                 customer=tracker.sender_id)
        except BackendUnavailable:
            say_sentence(dispatcher, tracker, replies.VERIFY_UNAVAILABLE)
            return {"phone_last4": UNAVAILABLE, "verified": False}
        except BackendError as error:
            if error.status == 429:
                say_refusal(dispatcher, tracker, error)
                return {"phone_last4": LOCKED, "verified": False}
            self.retry(dispatcher, tracker, "phone_last4", replies.MISMATCH)
            return {"phone_last4": None, "verified": False}
        return {"phone_last4": value, "verified": True}


class ActionAfterIdentity(Action):
    """Carry out what the customer asked for once the identity check has ended."""

    def name(self) -> str:
        return "action_after_identity"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        if not tracker.get_slot("verified"):
            if tracker.get_slot("phone_last4") not in (LOCKED, UNAVAILABLE):
                say_sentence(dispatcher, tracker, replies.NOT_VERIFIED)
            # A check that did not pass leaves no half identity behind.
            return [SlotSet("pending_task", None), *identity_events()]
        task = tracker.get_slot("pending_task")
        steps = {"query_bill": billing.bill_summary, "bill_dispute": billing.bill_dispute,
                 "ask_reconnection": billing.reconnection, "ask_tariff": billing.tariff_example}
        handler = steps.get(task or "", billing.bill_summary)
        return [SlotSet("pending_task", None), *await handler(dispatcher, tracker)]
