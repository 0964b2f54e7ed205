"""Fault repair intake: what happened, danger first, where, who to call back.

Danger is heard in any answer (the `hazard` entity), is never asked for once
named, and its advice comes before anything else. The address is the
customer's whole answer; the backend's area table gives its site class, and
when the table does not know the place the site class is asked (at most
twice, then the backend's configured default applies) and the ticket is
filed all the same: the backend routes it for manual dispatch (首问负责).
"""
from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.filing import file_ticket, known_phone
from actions.forms import StepwiseFormValidation, latest_entities, times_asked
from actions.places import AMBIGUOUS, FOUND, TOO_VAGUE, resolve_place
from actions.session import backend_channel, clear_form_slots, ticket_slots
from actions.text import moment, phrase, say_sentence, ticket_no
from bot.nlu.hazards import detect_hazards
from glossary import identifiers
from glossary.names import SITE_CLASSES as SITE_NAMES
from glossary.replies import repairs as replies

FAULT_WORDS = ("没电", "停电", "断电", "跳闸", "电压", "闪", "火花", "冒烟", "电线", "电表", "漏电", "短路",
               "不稳", "烧", "灯")
SITE_WORDS = {"remote": ("山区", "偏远", "边远", "海岛", "山里", "牧区", "岛上"),
              "rural": ("农村", "村里", "乡下", "村"),
              "urban": ("城区", "市区", "城里", "县城", "镇上", "小区", "城市", "街道")}
# A site-class question unanswered this often leaves it to the backend's default.
SITE_CLASS_ASKS = 2
# Words that make an answer an address rather than a remark ("在这" is not an address).
ADDRESS_HINT = re.compile(r"[0-9一二三四五六七八九十]|[省市区县镇乡村街路巷弄道里苑园楼幢栋号室组]|小区|社区|单元")
YES_WORDS, NO_WORDS = ("有", "是的", "对"), ("没有", "没", "无", "不是")


def has_hazard(text: str) -> bool:
    return bool(detect_hazards(text))


def parse_phone(value: Any) -> str | None:
    """The phone number in an answer, digits only (glossary.identifiers)."""
    return identifiers.parse_phone(str(value))


class ValidateRepairForm(StepwiseFormValidation):
    def name(self) -> str:
        return "validate_repair_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        known_area = tracker.get_slot("area_id") is not None
        if known_area or times_asked(tracker, "site_class") >= SITE_CLASS_ASKS:
            return [slot for slot in domain_slots if slot != "site_class"]
        return domain_slots

    async def extract_fault_description(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                        domain: DomainDict) -> dict[str, Any]:
        text = (tracker.latest_message.get("text") or "").strip()
        asked = tracker.get_slot("requested_slot") == "fault_description"
        reported = tracker.get_intent_of_latest_message() == "report_fault" and (
            any(word in text for word in FAULT_WORDS) or has_hazard(text))
        if not tracker.get_slot("fault_description") and (asked or reported):
            return {"fault_description": text}
        return {}

    async def extract_safety_hazard(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> dict[str, Any]:
        """A hazard in any answer counts; the question itself takes yes/no in words too (有，在冒火花)."""
        if latest_entities(tracker, "hazard") and tracker.get_slot("safety_hazard") is not True:
            return {"safety_hazard": True}
        if tracker.get_slot("requested_slot") != "safety_hazard":
            return {}
        intent = tracker.get_intent_of_latest_message()
        text = (tracker.latest_message.get("text") or "").strip()
        if intent == "deny" or text.startswith(NO_WORDS):
            return {"safety_hazard": False}
        if intent == "affirm" or text.startswith(YES_WORDS):
            return {"safety_hazard": True}
        self.retry(dispatcher, tracker, "safety_hazard", replies.HAZARD_YES_NO)
        return {"safety_hazard": None}

    async def extract_contact_phone(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> dict[str, Any]:
        return known_phone(tracker)

    async def extract_site_class(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "site_class":
            return {}
        text = tracker.latest_message.get("text") or ""
        for site, words in SITE_WORDS.items():
            if any(word in text for word in words):
                return {"site_class": site}
        if times_asked(tracker, "site_class") < SITE_CLASS_ASKS:
            say_sentence(dispatcher, tracker, replies.SITE_CLASS_AGAIN)
        return {"site_class": None}

    def validate_fault_description(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict[str, Any]:
        text = str(value or "").strip()
        if len(text) < 2:
            self.retry(dispatcher, tracker, "fault_description", replies.FAULT_AGAIN)
            return {"fault_description": None}
        return {"fault_description": text}

    def validate_safety_hazard(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> dict[str, Any]:
        # Advice once, when the danger is first heard in this form (not again after safety-first).
        heard_now = bool(latest_entities(tracker, "hazard")) or tracker.get_slot("requested_slot") == "safety_hazard"
        if value and heard_now:
            dispatcher.utter_message(response="utter_safety_advice")
        return {"safety_hazard": None if value is None else bool(value)}

    async def validate_address(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> dict[str, Any]:
        address = str(value or "").strip(" ，。,.")
        if len(address) < 4 or not ADDRESS_HINT.search(address):
            self.retry(dispatcher, tracker, "address", replies.ADDRESS_TOO_VAGUE)
            return {"address": None}
        resolution = await resolve_place(address)
        if resolution is None:  # the backend is down: keep the address, ask the site class
            return {"address": address, "area_id": None}
        if resolution.status == FOUND and resolution.place and resolution.place.area_id is not None:
            return {"address": address, "area_id": resolution.place.area_id,
                    "site_class": resolution.place.site_class}
        if resolution.status in (AMBIGUOUS, TOO_VAGUE):
            self.retry(dispatcher, tracker, "address", replies.ADDRESS_AGAIN, question=resolution.question())
            return {"address": None}
        # Not in the area table: the ticket is still filed and dispatched by hand.
        return {"address": address, "area_id": None}

    def validate_contact_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> dict[str, Any]:
        phone = parse_phone(value)
        if phone is None:
            self.retry(dispatcher, tracker, "contact_phone", replies.PHONE_AGAIN)
        return {"contact_phone": phone}


class ActionSubmitRepair(Action):
    def name(self) -> str:
        return "action_submit_repair"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        hazard = bool(tracker.get_slot("safety_hazard"))
        body = {
            "type": "fault_repair", "channel": backend_channel(tracker),
            "description": tracker.get_slot("fault_description") or "客户报修",
            "address": tracker.get_slot("address"), "area_id": tracker.get_slot("area_id"),
            "site_class": tracker.get_slot("site_class"), "safety_hazard": hazard,
            "conversation_id": tracker.sender_id,
            "customer": {"phone": tracker.get_slot("contact_phone"),
                         "account_no": tracker.get_slot("account_no") if tracker.get_slot("verified") else None},
        }
        reset = clear_form_slots()
        ticket = await file_ticket(dispatcher, tracker, body, "repair")
        if ticket is None:
            return reset
        deadlines = ticket["deadlines"]
        say_sentence(dispatcher, tracker, replies.REPAIR_FILED, ticket=ticket_no(ticket["id"]),
                     urgent=phrase(replies.URGENT) if hazard else "",
                     site=SITE_NAMES.get(ticket.get("site_class") or "", ""),
                     arrival=moment(deadlines["arrival"]), restore=moment(deadlines["restore"]),
                     manual=phrase(replies.MANUAL_DISPATCH) if ticket.get("needs_manual_dispatch") else "")
        return [*reset, *ticket_slots(ticket)]
