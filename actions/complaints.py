"""Complaint intake (read back and confirmed before it is filed), and reports,
suggestions and praise."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.filing import file_ticket, known_phone
from actions.repairs import parse_phone
from actions.session import backend_channel, clear_form_slots, hand_off, ticket_slots
from actions.text import say, when

CONFIDENTIAL_WORDS = ("保密", "不要透露", "别透露", "不要告诉", "别告诉", "不想让他知道")
ANONYMOUS_WORDS = ("匿名", "不留", "不方便留", "不想留")
NO_PHONE_WORDS = ("不用", "不留", "不方便", "不需要", "算了")
# A bare "我要投诉" says nothing about what happened.
MIN_COMPLAINT_TEXT = 8


@lru_cache(maxsize=1)
def complaint_classes() -> dict[str, list[str]]:
    return yaml.safe_load((Path(__file__).parent / "content" / "complaint_classes.yml").read_text("utf-8"))


def guess_class(text: str) -> str | None:
    return next((cls for cls, words in complaint_classes().items() if any(w in text for w in words)), None)


def _complaint_text(tracker: Tracker) -> str:
    get = tracker.get_slot
    return (f"【事情经过】{get('complaint_what')}【发生时间】{get('complaint_when')}"
            f"【地点或人员】{get('complaint_where')}【客户诉求】{get('complaint_outcome')}")


class ValidateComplaintForm(FormValidationAction):
    def name(self) -> str:
        return "validate_complaint_form"

    async def extract_complaint_what(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> dict[str, Any]:
        text = (tracker.latest_message.get("text") or "").strip()
        if (not tracker.get_slot("complaint_what") and tracker.get_intent_of_latest_message() == "file_complaint"
                and len(text) >= MIN_COMPLAINT_TEXT):
            return {"complaint_what": text}
        return {}

    async def extract_contact_phone(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> dict[str, Any]:
        return known_phone(tracker)

    def validate_complaint_what(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> dict[str, Any]:
        text = str(value).strip()
        if len(text) < 2:
            return {"complaint_what": None}
        return {"complaint_what": text, "confidential": any(w in text for w in CONFIDENTIAL_WORDS) or None}

    def validate_contact_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> dict[str, Any]:
        text = str(value)
        if any(word in text for word in ANONYMOUS_WORDS):
            say(dispatcher, tracker, "好的，按匿名投诉受理。匿名后我们无法向您反馈处理结果，处理也可能受到一定限制。")
            return {"contact_phone": "匿名", "anonymous": True}
        phone = parse_phone(text)
        if phone is None:
            say(dispatcher, tracker, "电话号码格式不正确，请提供11位手机号码或带区号的固定电话；如希望匿名，请回复“匿名”。")
        return {"contact_phone": phone}

    def validate_complaint_confirmed(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> dict[str, Any]:
        if value:
            return {"complaint_confirmed": True}
        say(dispatcher, tracker, "好的，我们重新记录，请您再说一下事情经过。")
        return {slot: None for slot in ("complaint_what", "complaint_when", "complaint_where",
                                        "complaint_outcome", "complaint_confirmed")}


class ActionAskComplaintConfirmed(Action):
    """Read the complaint back before filing it (一次性告知: the customer checks it all at once)."""

    def name(self) -> str:
        return "action_ask_complaint_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        get = tracker.get_slot
        phone = get("contact_phone")
        contact = "匿名" if get("anonymous") else f"{phone[:3]}****{phone[-4:]}" if phone else "未留"
        say(dispatcher, tracker,
            f"请确认您的投诉内容：事情经过：{get('complaint_what')}；发生时间：{get('complaint_when')}；"
            f"地点或人员：{get('complaint_where')}；您的诉求：{get('complaint_outcome')}；联系电话：{contact}。"
            "确认提交请回复“确认”，需要修改请回复“不对”。",
            f"您投诉的是：{get('complaint_what')}。确认提交请说确认，需要修改请说不对。")
        return []


class ActionSubmitComplaint(Action):
    def name(self) -> str:
        return "action_submit_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        reset = clear_form_slots()
        if not tracker.get_slot("complaint_confirmed"):
            return reset
        anonymous = bool(tracker.get_slot("anonymous"))
        description = _complaint_text(tracker)
        body = {
            "type": "complaint", "channel": backend_channel(tracker), "description": description,
            "complaint_class": guess_class(description), "anonymous": anonymous,
            "confidential": bool(tracker.get_slot("confidential")), "conversation_id": tracker.sender_id,
            "customer": {} if anonymous else {"phone": tracker.get_slot("contact_phone"),
                                              "account_no": tracker.get_slot("account_no")},
        }
        ticket = await file_ticket(dispatcher, tracker, body, "complaint")
        if ticket is None:
            return reset
        deadlines = ticket["deadlines"]
        contact = "" if anonymous else f"我们将在{when(deadlines['first_contact'])}前与您联系，"
        spoken_contact = "" if anonymous else f"我们将在{when(deadlines['first_contact'], True)}前与您联系。"
        repeat = "我们注意到您此前反映过同类问题，已作为重复投诉提请督办。" if ticket["is_repeat"] else ""
        say(dispatcher, tracker,
            f"您的投诉已受理，工单号{ticket['id']}。{contact}并在{when(deadlines['reply'])}前答复处理意见。{repeat}"
            "感谢您的监督。",
            f"您的投诉已受理。{spoken_contact}")
        events = [*reset, *ticket_slots(ticket)]
        if ticket.get("escalation_intent") or ticket.get("escalated"):
            say(dispatcher, tracker, "您的诉求我们非常重视，已升级处理。")
            events += await hand_off(dispatcher, tracker, "escalation")
        return events


FEEDBACK_TYPES = {"report_violation": "report", "give_suggestion": "suggestion", "praise": "praise"}


class ValidateFeedbackForm(FormValidationAction):
    def name(self) -> str:
        return "validate_feedback_form"

    async def extract_feedback_text(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> dict[str, Any]:
        text = (tracker.latest_message.get("text") or "").strip()
        if (not tracker.get_slot("feedback_text") and tracker.get_intent_of_latest_message() in FEEDBACK_TYPES
                and len(text) >= MIN_COMPLAINT_TEXT):
            return {"feedback_text": text}
        return {}

    def validate_contact_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> dict[str, Any]:
        text = str(value)
        if any(word in text for word in NO_PHONE_WORDS + ANONYMOUS_WORDS):
            return {"contact_phone": "不留"}
        phone = parse_phone(text)
        if phone is None:
            say(dispatcher, tracker, "电话号码格式不正确，请重新提供；不方便留电话请回复“不留”。")
        return {"contact_phone": phone}


class ActionSubmitFeedback(Action):
    def name(self) -> str:
        return "action_submit_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        kind = FEEDBACK_TYPES.get(tracker.get_slot("pending_task") or "", "suggestion")
        phone = tracker.get_slot("contact_phone")
        phone = None if phone == "不留" else phone
        body = {"type": kind, "channel": backend_channel(tracker), "description": tracker.get_slot("feedback_text"),
                "anonymous": kind == "report" and phone is None, "conversation_id": tracker.sender_id,
                "customer": {"phone": phone} if phone else {}}
        reset = clear_form_slots()
        ticket = await file_ticket(dispatcher, tracker, body, kind)
        if ticket is None:
            return reset
        reply = when(ticket["deadlines"].get("reply"))
        text = {
            "report": f"您的举报已受理，工单号{ticket['id']}，我们会严格保密并认真核查，{reply}前给出处理意见。",
            "suggestion": f"感谢您的宝贵建议，已记录，工单号{ticket['id']}，我们会在{reply}前答复。",
            "praise": f"非常感谢您的表扬！我们会转达给相关工作人员，工单号{ticket['id']}。",
        }[kind]
        say(dispatcher, tracker, text + ("" if phone or kind == "praise" else "由于未留联系电话，处理结果将无法向您反馈。"))
        return [*reset, *ticket_slots(ticket), SlotSet("pending_task", None)]
