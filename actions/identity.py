"""Identity check before any account data (PIPL): 户号 plus the phone's last 4 digits."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import billing
from actions.backend import BackendError, BackendUnavailable, backend
from actions.text import digits, say
from glossary.identifiers import ACCOUNT_NO_RE as ACCOUNT_NO

# phone_last4 values that end the form without a verified identity.
LOCKED, UNAVAILABLE = "locked", "unavailable"


class ValidateIdentityForm(FormValidationAction):
    def name(self) -> str:
        return "validate_identity_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        if tracker.get_slot("verified") and tracker.get_slot("account_no"):
            return []  # verified earlier in this session
        return domain_slots

    def validate_account_no(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> dict[str, Any]:
        number = digits(str(value))
        if not ACCOUNT_NO.match(number):
            say(dispatcher, tracker, "户号应为10位或13位数字，请核对后重新输入。", "户号应为十位或十三位数字，请重新输入。")
            return {"account_no": None}
        return {"account_no": number, "verified": False}

    async def validate_phone_last4(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict[str, Any]:
        last4 = digits(str(value))
        if len(last4) != 4:
            say(dispatcher, tracker, "请输入预留手机号码的后4位数字。")
            return {"phone_last4": None}
        try:
            await backend().post("/api/accounts/verify",
                                 {"account_no": tracker.get_slot("account_no"), "phone_last4": last4})
        except BackendUnavailable:
            say(dispatcher, tracker, "非常抱歉，系统暂时无法核实身份，请稍后再试或拨打95598。")
            return {"phone_last4": UNAVAILABLE, "verified": False}
        except BackendError as error:
            if error.status == 429:
                dispatcher.utter_message(text=error.message)
                return {"phone_last4": LOCKED, "verified": False}
            say(dispatcher, tracker, "户号或手机号码后4位与登记信息不一致，请核对后重新输入手机号码后4位。",
                "信息不一致，请重新输入手机号码后四位。")
            return {"phone_last4": None, "verified": False}
        return {"phone_last4": last4, "verified": True}


class ActionAfterIdentity(Action):
    """Carry out what the customer asked for once the identity check has ended."""

    def name(self) -> str:
        return "action_after_identity"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        if not tracker.get_slot("verified"):
            if tracker.get_slot("phone_last4") not in (LOCKED, UNAVAILABLE):
                say(dispatcher, tracker, "身份核实未完成，暂时无法为您查询账户信息。如需帮助，可以说“转人工”。")
            return [SlotSet("pending_task", None), SlotSet("phone_last4", None)]
        task = tracker.get_slot("pending_task")
        steps = {"query_bill": billing.bill_summary, "bill_dispute": billing.bill_dispute,
                 "ask_reconnection": billing.reconnection, "ask_tariff": billing.tariff_example}
        handler = steps.get(task or "", billing.bill_summary)
        return [SlotSet("pending_task", None), *await handler(dispatcher, tracker)]
