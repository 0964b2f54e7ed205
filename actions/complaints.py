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
from actions.text import say, spoken_ticket_id, when
from glossary.masking import mask_phone

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
                self.retry(dispatcher, tracker, "complaint_what",
                           "请您具体说一下发生了什么，例如哪位工作人员、什么时候、做了什么。",
                           "请您具体说一下发生了什么。")
            return {"complaint_what": None}
        return {"complaint_what": text, "confidential": any(w in text for w in CONFIDENTIAL_WORDS) or None}

    def validate_contact_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> dict[str, Any]:
        text = str(value)
        if any(word in text for word in ANONYMOUS_WORDS):
            say(dispatcher, tracker, "好的，按匿名投诉受理。匿名后我们无法向您反馈处理结果，处理也可能受到一定限制。",
                "好的，按匿名受理，匿名后无法向您反馈处理结果。")
            return {"contact_phone": "匿名", "anonymous": True}
        phone = parse_phone(text)
        if phone is None:
            self.retry(dispatcher, tracker, "contact_phone",
                       "抱歉，没有识别到电话号码。请您提供11位手机号码或带区号的固定电话；如希望匿名，请回复“匿名”。",
                       "抱歉没有听清号码，请再说一次；希望匿名请说匿名。")
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
            self.retry(dispatcher, tracker, "complaint_fix", "抱歉，没有听清要修改哪一项。")
            return {"complaint_fix": None}
        return self._reopen(dispatcher, tracker, field)

    @staticmethod
    def _reopen(dispatcher: CollectingDispatcher, tracker: Tracker, field: str) -> dict[str, Any]:
        """Only the named part is asked again; the others keep the customer's words."""
        say(dispatcher, tracker, "好的，请您重新说一下这一项，其他内容保持不变。", "好的，请重新说一下这一项。")
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
        contact = "匿名" if get("anonymous") else mask_phone(phone) if phone else "未留"
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
            "customer": {} if anonymous else {
                "phone": tracker.get_slot("contact_phone"),
                "account_no": tracker.get_slot("account_no") if tracker.get_slot("verified") else None},
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
            f"您的投诉已受理，工单号{spoken_ticket_id(ticket['id'])}。{spoken_contact}")
        events = [*reset, *ticket_slots(ticket)]
        if ticket.get("escalation_intent") or ticket.get("escalated"):
            say(dispatcher, tracker, "您的诉求我们非常重视，已升级处理。", "您的诉求我们非常重视，已升级处理。")
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
                self.retry(dispatcher, tracker, "feedback_text", "请您具体说一下内容，我们会如实记录。")
            return {"feedback_text": None}
        return {"feedback_text": text}

    def validate_contact_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> dict[str, Any]:
        text = str(value)
        if any(word in text for word in NO_PHONE_WORDS + ANONYMOUS_WORDS):
            return {"contact_phone": "不留"}
        phone = parse_phone(text)
        if phone is None:
            self.retry(dispatcher, tracker, "contact_phone",
                       "抱歉，没有识别到电话号码。请您重新提供；不方便留电话请回复“不留”。",
                       "抱歉没有听清号码，请再说一次；不方便留请说不留。")
        return {"contact_phone": phone}


# (text, spoken) confirmations; {id} and {spoken_id} are the ticket number, {reply} its reply deadline.
FEEDBACK_FILED = {
    "report": ("您的举报已受理，工单号{id}，我们会严格保密并认真核查，{reply}前给出处理意见。",
               "您的举报已受理，工单号{spoken_id}。我们会严格保密，{spoken_reply}前给出处理意见。"),
    "suggestion": ("感谢您的宝贵建议，已记录，工单号{id}，我们会在{reply}前答复。",
                   "感谢您的建议，工单号{spoken_id}，我们会在{spoken_reply}前答复。"),
    "praise": ("非常感谢您的表扬！我们会转达给相关工作人员，工单号{id}。",
               "非常感谢您的表扬，我们会转达给相关工作人员。"),
}
NO_FEEDBACK = ("由于未留联系电话，处理结果将无法向您反馈。", "由于未留电话，处理结果无法反馈给您。")


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
        reply = ticket["deadlines"].get("reply")
        values = {"id": ticket["id"], "spoken_id": spoken_ticket_id(ticket["id"]), "reply": when(reply),
                  "spoken_reply": when(reply, True)}
        text, spoken = (template.format(**values) for template in FEEDBACK_FILED[kind])
        if not phone and kind != "praise":
            text, spoken = text + NO_FEEDBACK[0], spoken + NO_FEEDBACK[1]
        say(dispatcher, tracker, text, spoken)
        return [*reset, *ticket_slots(ticket)]
