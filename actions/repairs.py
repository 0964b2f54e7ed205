"""Fault repair intake: what happened, danger first, where, who to call back."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend import BackendError, BackendUnavailable, backend
from actions.filing import file_ticket, known_phone
from actions.session import backend_channel, clear_form_slots, ticket_slots
from actions.text import say, when
from glossary import identifiers
from glossary.identifiers import PHONE_RE as PHONE  # noqa: F401 - kept for importers
from glossary.names import SITE_CLASSES as SITE_NAMES
from bot.nlu.hazards import detect_hazards

FAULT_WORDS = ("没电", "停电", "断电", "跳闸", "电压", "闪", "火花", "冒烟", "电线", "电表", "漏电", "短路",
               "不稳", "烧", "灯")
SITE_WORDS = {"remote": ("山区", "偏远", "边远", "海岛", "山里", "牧区"),
              "rural": ("农村", "村里", "乡下", "村"),
              "urban": ("城区", "市区", "城里", "县城", "镇上", "小区", "城市")}


def has_hazard(text: str) -> bool:
    """A danger reported in `text`, negations understood (bot.nlu.hazards, the NLU's own rules)."""
    return bool(detect_hazards(text))


def parse_phone(value: Any) -> str | None:
    """The phone number in an answer, digits only (glossary.identifiers)."""
    return identifiers.parse_phone(str(value))


class ValidateRepairForm(FormValidationAction):
    def name(self) -> str:
        return "validate_repair_form"

    async def extract_fault_description(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                        domain: DomainDict) -> dict[str, Any]:
        # The message that reported the fault usually describes it already.
        text = tracker.latest_message.get("text") or ""
        if (not tracker.get_slot("fault_description") and tracker.get_intent_of_latest_message() == "report_fault"
                and any(word in text for word in FAULT_WORDS)):
            return {"fault_description": text}
        return {}

    async def extract_contact_phone(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> dict[str, Any]:
        return known_phone(tracker)

    def validate_fault_description(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict[str, Any]:
        text = str(value).strip()
        if len(text) < 2:
            return {"fault_description": None}
        if has_hazard(text) and tracker.get_slot("safety_hazard") is None:
            dispatcher.utter_message(response="utter_safety_advice")
            return {"fault_description": text, "safety_hazard": True}
        return {"fault_description": text}

    def validate_safety_hazard(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> dict[str, Any]:
        if value and tracker.get_slot("requested_slot") == "safety_hazard":
            dispatcher.utter_message(response="utter_safety_advice")
        return {"safety_hazard": bool(value)}

    async def validate_address(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> dict[str, Any]:
        address = str(value).strip()
        if len(address) < 4:
            say(dispatcher, tracker, "地址太简略了，请说明到小区或村，以及楼栋门牌。")
            return {"address": None}
        try:
            found = await backend().get("/api/areas", text=address)
        except (BackendUnavailable, BackendError):
            return {"address": address}  # the site class will be asked instead
        if found["items"]:
            area = found["items"][0]
            return {"address": address, "area": area["name"], "site_class": area["site_class"]}
        return {"address": address}

    def validate_site_class(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> dict[str, Any]:
        text = str(value)
        if text in SITE_WORDS:
            return {"site_class": text}
        for site, words in SITE_WORDS.items():
            if any(word in text for word in words):
                return {"site_class": site}
        say(dispatcher, tracker, "请回答城区、农村，或山区等特殊边远地区。")
        return {"site_class": None}

    def validate_contact_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> dict[str, Any]:
        phone = parse_phone(value)
        if phone is None:
            say(dispatcher, tracker, "电话号码格式不正确，请提供11位手机号码或带区号的固定电话。")
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
            "address": tracker.get_slot("address"), "area": tracker.get_slot("area"),
            "site_class": tracker.get_slot("site_class"), "safety_hazard": hazard,
            "conversation_id": tracker.sender_id,
            "customer": {"phone": tracker.get_slot("contact_phone"),
                         "account_no": tracker.get_slot("account_no")},
        }
        reset = clear_form_slots()
        ticket = await file_ticket(dispatcher, tracker, body, "repair")
        if ticket is None:
            return reset
        deadlines = ticket["deadlines"]
        urgent = "您的报修已按紧急处理。" if hazard else ""
        site = SITE_NAMES.get(ticket["site_class"], "")
        say(dispatcher, tracker,
            f"{urgent}已为您受理故障报修，工单号{ticket['id']}。按{site}抢修承诺，抢修人员将在"
            f"{when(deadlines['arrival'])}前到达现场，到达后尽快恢复供电（预计{when(deadlines['restore'])}前）。"
            "请保持电话畅通。",
            f"{urgent}已为您受理报修，抢修人员将在{when(deadlines['arrival'], True)}前到达，请保持电话畅通。")
        return [*reset, *ticket_slots(ticket), SlotSet("offer", None)]
