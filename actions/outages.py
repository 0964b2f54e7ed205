"""Outage lookup by 户号 or area and date; self-check advice and a repair offer
when no notice explains the customer's loss of supply."""
from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend import BackendError, BackendUnavailable, backend
from actions.session import clear_form_slots
from actions.text import digits, is_ivr, say, when
from glossary.identifiers import ACCOUNT_NO_RE as ACCOUNT_NO

# Words around a place name that are not part of it ("我家住在幸福里小区").
PLACE_NOISE = re.compile(r"^(我家|我们|我|家)?(住在|在|是|位于)?|(那边|这边|附近|的)$")
MAX_NOTICES = 3


class ValidateOutageForm(FormValidationAction):
    def name(self) -> str:
        return "validate_outage_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        if tracker.get_slot("account_no") or tracker.get_slot("area"):
            return []
        return domain_slots

    def validate_outage_place(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> dict[str, Any]:
        number = digits(str(value))
        if ACCOUNT_NO.match(number):
            return {"outage_place": number, "account_no": number}
        place = PLACE_NOISE.sub("", str(value).strip(" ，。,.")).strip()
        if len(place) < 2:
            say(dispatcher, tracker, "请告诉我户号，或小区、村、街道的名称。")
            return {"outage_place": None}
        return {"outage_place": place, "area": place}


def _notice(item: dict, ivr: bool) -> str:
    end = item["restored_at"] or item["expected_end_at"]
    verb = "已于" if item["restored_at"] else "预计"
    place = item["area_text"] if not ivr else (item.get("community") or item.get("street") or item["area_text"])
    return (f"{item['type_name']}：{when(item['start_at'], ivr)}开始，{verb}{when(end, ivr)}恢复供电，"
            f"范围：{place}，原因：{item['reason']}")


class ActionOutageLookup(Action):
    def name(self) -> str:
        return "action_outage_lookup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        account_no, area, day = (tracker.get_slot(s) for s in ("account_no", "area", "date"))
        reset = clear_form_slots("address")
        try:
            found = await backend().get("/api/outages", account_no=account_no if account_no else None,
                                        area=None if account_no else area, date=day)
        except BackendUnavailable:
            say(dispatcher, tracker, "非常抱歉，停电信息暂时无法查询，请稍后再试，或通过网上国网App查看停电公告。")
            return reset
        except BackendError as error:
            dispatcher.utter_message(text=error.message)
            return reset
        ivr = is_ivr(tracker)
        day_text = when(found["date"] + "T23:59:00+08:00")  # "11月28日"
        if found["items"]:
            items = found["items"][:MAX_NOTICES]
            more = f"另有{found['total'] - MAX_NOTICES}条，可在网上国网App查看。" if found["total"] > MAX_NOTICES else ""
            lines = "；\n".join(_notice(i, ivr) for i in items)
            say(dispatcher, tracker, f"为您查到{day_text}的停电信息：\n{lines}。{more}",
                f"为您查到停电信息：{_notice(items[0], True)}。")
            return reset
        advice = "；".join(a.rstrip("。") for a in found["advice"][:3]) if found.get("advice") else (
            "请先确认是否欠费，检查家中总开关或漏电保护器是否跳闸，看看邻居家是否有电")
        say(dispatcher, tracker, f"暂未查到该区域{day_text}的停电计划或故障停电信息。建议您：{advice}。"
            "如果确认不是自家线路问题，需要为您报修吗？",
            "暂未查到停电信息。请先检查家中总开关是否跳闸、是否欠费。需要为您报修吗？")
        return [*reset, SlotSet("offer", "repair")]
