"""Complaint intake (read back and confirmed before it is filed), and reports,
suggestions and praise."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.filing import file_ticket, known_phone
from actions.forms import StepwiseFormValidation
from actions.repairs import parse_phone
from actions.session import backend_channel, clear_form_slots, hand_off, ticket_slots
from actions.text import joined, moment, phrase, say_sentence, ticket_no
from glossary.masking import mask_phone
from glossary.replies import complaints as replies

CONFIDENTIAL_WORDS = ("保密", "不要透露", "别透露", "不要告诉", "别告诉", "不想让他知道")
ANONYMOUS_WORDS = ("匿名", "不留", "不方便留", "不想留")
NO_PHONE_WORDS = ("不用", "不留", "不方便", "不需要", "算了")
# An opener such as "我要投诉你们的工作人员" says nothing about what happened: once these
# words are taken out, fewer than MIN_CONTENT characters remain.
OPENER_WORDS = sorted((
    "你好", "您好", "喂", "请问", "我们", "我", "要", "想", "得", "必须", "投诉", "举报", "反映", "反应", "建议",
    "意见", "表扬", "提", "一下", "下", "你们", "他们", "的", "工作人员", "员工", "师傅", "营业厅", "供电所",
    "供电公司", "电力公司", "国家电网", "国网", "电网", "客服", "有个", "有", "一个", "一些", "点", "个",
    "这个", "那个", "事情", "事", "问题", "情况", "人", "了", "啊", "呢", "吧", "吗", "可以", "能", "给", "对",
    "关于", "一位", "位", "名",
), key=len, reverse=True)
MIN_CONTENT = 3
# The parts of the read-back a customer can correct, and the words that name them.
FIELDS = {
    "complaint_what": ("经过", "事情", "内容", "什么事"),
    "complaint_when": ("时间", "日期", "哪天", "几点", "时候"),
    "complaint_where": ("地点", "地方", "人员", "营业厅", "哪里", "是谁"),
    "complaint_outcome": ("诉求", "要求", "希望", "处理"),
    "contact_phone": ("电话", "号码", "手机"),
}
CONFIRM_WORDS = ("确认", "提交", "没问题", "对的", "正确", "可以")
CORRECT_WORDS = ("不对", "错了", "不是", "修改", "改一下", "改成", "有误", "不正确")


def says_nothing(text: str) -> bool:
    """True for an opener with no account of what happened ("我要投诉你们的工作人员")."""
    rest = re.sub(r"[\s，。！？、,.!?~…:：；;]", "", text or "")
    for word in OPENER_WORDS:
        rest = rest.replace(word, "")
    return len(rest) < MIN_CONTENT


def field_named(text: str) -> str | None:
    return next((field for field, words in FIELDS.items() if any(w in text for w in words)), None)


@lru_cache(maxsize=1)
def complaint_classes() -> dict[str, list[str]]:
    return yaml.safe_load((Path(__file__).parent / "content" / "complaint_classes.yml").read_text("utf-8"))


def guess_class(text: str) -> str | None:
    return next((cls for cls, words in complaint_classes().items() if any(w in text for w in words)), None)


def _complaint_text(tracker: Tracker) -> str:
    get = tracker.get_slot
    return (f"【事情经过】{get('complaint_what')}【发生时间】{get('complaint_when')}"
            f"【地点或人员】{get('complaint_where')}【客户诉求】{get('complaint_outcome')}")


class ValidateComplaintForm(StepwiseFormValidation):
    def name(self) -> str:
        return "validate_complaint_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        """At the read-back "不对" is a correction, even when the NLU heard it as 取消."""
        text = tracker.latest_message.get("text") or ""
        if (tracker.get_slot("requested_slot") == "complaint_confirmed" and any(w in text for w in CORRECT_WORDS)
                and tracker.get_intent_of_latest_message() == "cancel"):
            return await FormValidationAction.run(self, dispatcher, tracker, domain)
        return await super().run(dispatcher, tracker, domain)

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        if tracker.get_slot("complaint_fixing"):
            at = domain_slots.index("complaint_confirmed")
            return [*domain_slots[:at], "complaint_fix", *domain_slots[at:]]
        return domain_slots

    async def extract_complaint_what(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> dict[str, Any]:
        """The message that started the complaint, when it already says what happened."""
        text = (tracker.latest_message.get("text") or "").strip()
        if (not tracker.get_slot("complaint_what") and tracker.get_intent_of_latest_message() == "file_complaint"
                and not says_nothing(text)):
            return {"complaint_what": text}
        return {}

    async def extract_contact_phone(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> dict[str, Any]:
        return known_phone(tracker)

    async def extract_complaint_confirmed(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                          domain: DomainDict) -> dict[str, Any]:
        """Yes files it; "不对" (with or without the part to change) corrects one part."""
        if tracker.get_slot("requested_slot") != "complaint_confirmed":
            return {}
        text = (tracker.latest_message.get("text") or "").strip()
        intent = tracker.get_intent_of_latest_message()
        if any(w in text for w in CORRECT_WORDS) or intent in ("deny", "cancel"):
            return {"complaint_confirmed": False}
        if intent == "affirm" or any(w in text for w in CONFIRM_WORDS):
            return {"complaint_confirmed": True}
        # Something else: perhaps the correction itself ("时间是前天").
        return {"complaint_confirmed": False}

    async def extract_complaint_fix(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "complaint_fix":
            return {}
        return {"complaint_fix": (tracker.latest_message.get("text") or "").strip()}

    def validate_complaint_what(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> dict[str, Any]:
        text = str(value or "").strip()
        if says_nothing(text):
            if tracker.get_slot("requested_slot") == "complaint_what":
                self.retry(dispatcher, tracker, "complaint_what", replies.WHAT_AGAIN)
            return {"complaint_what": None}
        return {"complaint_what": text, "confidential": any(w in text for w in CONFIDENTIAL_WORDS) or None}

    def validate_contact_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> dict[str, Any]:
        text = str(value)
        if any(word in text for word in ANONYMOUS_WORDS):
            say_sentence(dispatcher, tracker, replies.ANONYMOUS_TAKEN)
            return {"contact_phone": "匿名", "anonymous": True}
        phone = parse_phone(text)
        if phone is None:
            self.retry(dispatcher, tracker, "contact_phone", replies.COMPLAINT_PHONE_AGAIN)
        return {"contact_phone": phone}

    def validate_complaint_confirmed(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> dict[str, Any]:
        if value:
            return {"complaint_confirmed": True}
        field = field_named(tracker.latest_message.get("text") or "")
        if field is None:
            return {"complaint_confirmed": None, "complaint_fixing": True}
        return self._reopen(dispatcher, tracker, field)

    def validate_complaint_fix(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> dict[str, Any]:
        field = field_named(str(value or ""))
        if field is None:
            self.retry(dispatcher, tracker, "complaint_fix", replies.FIX_WHICH)
            return {"complaint_fix": None}
        return self._reopen(dispatcher, tracker, field)

    @staticmethod
    def _reopen(dispatcher: CollectingDispatcher, tracker: Tracker, field: str) -> dict[str, Any]:
        """Only the named part is asked again; the others keep the customer's words."""
        say_sentence(dispatcher, tracker, replies.REOPEN)
        return {field: None, "anonymous": None if field == "contact_phone" else tracker.get_slot("anonymous"),
                "complaint_confirmed": None, "complaint_fixing": None, "complaint_fix": None}


class ActionAskComplaintConfirmed(Action):
    """Read the complaint back before filing it (一次性告知: the customer checks it all at once)."""

    def name(self) -> str:
        return "action_ask_complaint_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        get = tracker.get_slot
        phone = get("contact_phone")
        contact = (phrase(replies.CONTACT_ANONYMOUS) if get("anonymous") else mask_phone(phone) if phone
                   else phrase(replies.CONTACT_NONE))
        say_sentence(dispatcher, tracker, replies.READ_BACK, what=get("complaint_what"), when=get("complaint_when"),
                     where=get("complaint_where"), outcome=get("complaint_outcome"), contact=contact)
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
            "customer": {} if anonymous else {
                "phone": tracker.get_slot("contact_phone"),
                "account_no": tracker.get_slot("account_no") if tracker.get_slot("verified") else None},
        }
        ticket = await file_ticket(dispatcher, tracker, body, "complaint")
        if ticket is None:
            return reset
        deadlines = ticket["deadlines"]
        reply = moment(deadlines["reply"])
        promise = (phrase(replies.PROMISE_ANONYMOUS, reply=reply) if anonymous
                   else phrase(replies.PROMISE, first_contact=moment(deadlines["first_contact"]), reply=reply))
        say_sentence(dispatcher, tracker, replies.COMPLAINT_FILED, ticket=ticket_no(ticket["id"]), promise=promise,
                     repeat=phrase(replies.REPEAT) if ticket["is_repeat"] else "")
        events = [*reset, *ticket_slots(ticket)]
        if ticket.get("escalation_intent") or ticket.get("escalated"):
            say_sentence(dispatcher, tracker, replies.ESCALATED)
            events += await hand_off(dispatcher, tracker, "escalation")
        return events


FEEDBACK_TYPES = {"report_violation": "report", "give_suggestion": "suggestion", "praise": "praise"}


class ValidateFeedbackForm(StepwiseFormValidation):
    def name(self) -> str:
        return "validate_feedback_form"

    async def extract_feedback_text(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> dict[str, Any]:
        """The message that started it, when it already says something ("我有个建议" does not)."""
        text = (tracker.latest_message.get("text") or "").strip()
        if (not tracker.get_slot("feedback_text") and tracker.get_intent_of_latest_message() in FEEDBACK_TYPES
                and not says_nothing(text)):
            return {"feedback_text": text}
        return {}

    def validate_feedback_text(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> dict[str, Any]:
        text = str(value or "").strip()
        if says_nothing(text):
            if tracker.get_slot("requested_slot") == "feedback_text":
                self.retry(dispatcher, tracker, "feedback_text", replies.FEEDBACK_AGAIN)
            return {"feedback_text": None}
        return {"feedback_text": text}

    def validate_contact_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> dict[str, Any]:
        text = str(value)
        if any(word in text for word in NO_PHONE_WORDS + ANONYMOUS_WORDS):
            return {"contact_phone": "不留"}
        phone = parse_phone(text)
        if phone is None:
            self.retry(dispatcher, tracker, "contact_phone", replies.FEEDBACK_PHONE_AGAIN)
        return {"contact_phone": phone}


FEEDBACK_FILED = {"report": replies.REPORT_FILED, "suggestion": replies.SUGGESTION_FILED,
                  "praise": replies.PRAISE_FILED}


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
        filed = FEEDBACK_FILED[kind]
        if not phone and kind != "praise":
            filed = joined(filed, replies.NO_FEEDBACK)
        say_sentence(dispatcher, tracker, filed, ticket=ticket_no(ticket["id"]),
                     reply=moment(ticket["deadlines"].get("reply")))
        return [*reset, *ticket_slots(ticket)]
