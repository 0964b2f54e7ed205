"""Bills, bill disputes, reconnection and the tariff worked example, for a
verified customer. Every figure comes from the backend; nothing is priced here."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend import BackendError, BackendUnavailable, backend
from actions.filing import file_ticket
from actions.session import backend_channel, ticket_slots
from actions.settings import ActionSettings
from actions.text import mask_account, say, spoken_ticket_id, when

TIER_NAMES = {1: "第一档", 2: "第二档", 3: "第三档"}
# A month this much above the recent average is worth pointing out.
USAGE_JUMP = Decimal("1.3")


def _period(period: str) -> str:
    year, month = period.split("-")
    return f"{int(year)}年{int(month)}月"


def _yuan(value: str | Decimal) -> str:
    return f"{Decimal(value):.2f}元"


async def _account_data(tracker: Tracker, with_account: bool = False) -> tuple[dict | None, dict]:
    account_no, last4 = tracker.get_slot("account_no"), tracker.get_slot("phone_last4")
    client = backend()
    bills = await client.get(f"/api/accounts/{account_no}/bills", phone_last4=last4, months=12)
    account = await client.get(f"/api/accounts/{account_no}", phone_last4=last4) if with_account else None
    return account, bills


def _arrears_text(bills: dict, spoken: bool = False) -> str:
    """What is still owed, in one complete sentence (a shorter one for the IVR)."""
    if Decimal(bills["total_due"]) <= 0:
        return ""
    if spoken:
        return f"目前待缴电费合计{_yuan(bills['total_due'])}，可用网上国网App或微信、支付宝缴纳。"
    fee = Decimal(bills["late_fee_total"])
    fee_text = f"（含违约金{_yuan(fee)}）" if fee > 0 else ""
    overdue = f"，最长已逾期{bills['max_days_overdue']}天" if bills["max_days_overdue"] else ""
    return (f"目前待缴电费合计{_yuan(bills['total_due'])}{fee_text}{overdue}。"
            "可通过网上国网App、支付宝或微信生活缴费等渠道缴纳。")


async def bill_summary(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    try:
        _, bills = await _account_data(tracker)
    except (BackendUnavailable, BackendError):
        say(dispatcher, tracker, "非常抱歉，暂时无法查询账单，请稍后再试或使用网上国网App查询。")
        return []
    if not bills["items"]:
        say(dispatcher, tracker, f"您户号{mask_account(tracker.get_slot('account_no'))}暂无账单记录。")
        return []
    latest = bills["items"][0]
    paid = "已缴清" if latest["status"] == "paid" else f"尚未缴清，待缴{_yuan(latest['total_due'])}"
    history = "、".join(f"{int(b['period'][5:])}月{_yuan(b['amount'])}" for b in reversed(bills["items"][:3]))
    text = (f"您户号{mask_account(tracker.get_slot('account_no'))}的账单：{_period(latest['period'])}"
            f"用电{latest['kwh_total']}度，电费{_yuan(latest['amount'])}，{paid}。"
            f"本年度累计用电{latest['annual_kwh']}度，处于阶梯电价{TIER_NAMES.get(latest['tier'], '')}。"
            f"近三个月电费：{history}。{_arrears_text(bills)}")
    ivr = (f"您{_period(latest['period'])}用电{latest['kwh_total']}度，电费{_yuan(latest['amount'])}，"
           f"{paid}。{_arrears_text(bills, spoken=True)}")
    say(dispatcher, tracker, text, ivr)
    return []


def _dispute_reasons(bills: dict) -> list[str]:
    items = bills["items"]
    latest, earlier = items[0], items[1:4]
    reasons = []
    if earlier:
        average = Decimal(sum(b["kwh_total"] for b in earlier)) / len(earlier)
        if average and latest["kwh_total"] >= average * USAGE_JUMP:
            more = (Decimal(latest["kwh_total"]) / average - 1) * 100
            reasons.append(f"本月用电{latest['kwh_total']}度，比前{len(earlier)}个月平均{average:.0f}度多了"
                           f"{more:.0f}%，常见原因是天气变化后空调、取暖器、电热水器等用电增加")
        if latest["tier"] > earlier[0]["tier"]:
            reasons.append(f"本年度累计用电已达{latest['annual_kwh']}度，进入{TIER_NAMES[latest['tier']]}，"
                           "超出部分的电价更高")
    if latest["kwh_peak"] is not None and latest["kwh_total"]:
        share = Decimal(latest["kwh_peak"]) / latest["kwh_total"] * 100
        if share >= 60:
            reasons.append(f"您执行峰谷电价，本月高峰时段用电占{share:.0f}%，高峰电价比低谷高")
    if Decimal(bills["late_fee_total"]) > 0:
        reasons.append(f"有逾期未缴的电费，产生违约金{_yuan(bills['late_fee_total'])}")
    return reasons


async def commitment(path: tuple[str, ...], fallback: str = "") -> str:
    """A commitment's wording ("5个工作日") from the backend's configuration."""
    try:
        node: Any = await backend().get("/api/service-commitments")
        for key in path:
            node = node[key]
        return node["text"]
    except (BackendUnavailable, BackendError, KeyError, TypeError):
        return fallback


async def bill_dispute(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    try:
        _, bills = await _account_data(tracker)
    except (BackendUnavailable, BackendError):
        say(dispatcher, tracker, "非常抱歉，暂时无法调取您的用电数据，请稍后再试，或说“转人工”。")
        return []
    if not bills["items"]:
        say(dispatcher, tracker, "抱歉，该户号暂无账单记录，暂时无法分析电费。如有疑问，您可以说“转人工”。",
            "抱歉，该户号暂无账单记录。如有疑问请说转人工。")
        return []
    reasons = _dispute_reasons(bills)
    found = ("根据您的用电数据，电费偏高可能有以下原因：" + "；".join(
        f"{i}. {r}" for i, r in enumerate(reasons, 1)) + "。") if reasons else (
        "从您的用电数据看，本月用电量与前几个月基本持平，电费计算未见异常。")
    limit = await commitment(("clocks", "service_request/meter_test", "reply"), "5个工作日")
    offer = (f"如您仍怀疑电表计量不准，可以申请电表校验，我们会在{limit}内告知校验结果。"
             "需要为您申请吗？如对计费有异议，也可以说“我要投诉”。")
    say(dispatcher, tracker, found + offer,
        (reasons[0] + "。" if reasons else "您本月用电与前几个月基本持平。") + "需要为您申请电表校验吗？")
    return [SlotSet("offer", "meter_test")]


async def create_service_request(dispatcher: CollectingDispatcher, tracker: Tracker, kind: str,
                                 description: str) -> dict | None:
    """File a service request for the verified account (phone on record)."""
    body = {"type": "service_request", "kind": kind, "channel": backend_channel(tracker),
            "description": description, "conversation_id": tracker.sender_id,
            "customer": {"account_no": tracker.get_slot("account_no")}}
    return await file_ticket(dispatcher, tracker, body, kind)


async def reconnection(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    try:
        account, bills = await _account_data(tracker, with_account=True)
    except (BackendUnavailable, BackendError):
        say(dispatcher, tracker, "非常抱歉，暂时无法查询账户状态，请稍后再试，或说“转人工”。")
        return []
    due = Decimal(bills["total_due"])
    if account["prepaid"] and due <= 0:
        say(dispatcher, tracker, "您是智能费控用户，缴费到账后一般会自动恢复供电。如缴费后超过1小时仍未来电，"
            "请检查家中总开关；仍无电的话，需要为您报修吗？")
        return [SlotSet("offer", "repair")]
    if account["status"] != "disconnected_arrears":
        say(dispatcher, tracker, "系统显示您的户号没有欠费停电记录。如家中仍无电，可能是线路或设备故障，需要为您报修吗？")
        return [SlotSet("offer", "repair")]
    if due > 0:
        say(dispatcher, tracker, f"您的户号因欠费停电，{_arrears_text(bills)}缴清后我们会尽快为您恢复供电。",
            f"您的户号因欠费停电，{_arrears_text(bills, spoken=True)}缴清后会尽快为您恢复供电。")
        return []
    ticket = await create_service_request(dispatcher, tracker, "reconnection", "欠费已缴清，申请恢复供电（复电）")
    if ticket is None:
        return []
    say(dispatcher, tracker, f"已为您提交复电申请，工单号{ticket['id']}。我们将在{when(ticket['deadlines']['reply'])}前"
        "为您恢复供电，请保持电话畅通。",
        f"已为您提交复电申请，工单号{spoken_ticket_id(ticket['id'])}。我们将在"
        f"{when(ticket['deadlines']['reply'], True)}前恢复供电。")
    return ticket_slots(ticket)


async def tariff_example(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Price the customer's own latest month, segment by segment."""
    try:
        _, bills = await _account_data(tracker)
        latest = bills["items"][0]
        priced = await backend().get(
            f"/api/tariffs/{ActionSettings.load().tariff}/price", kwh=latest["kwh_total"],
            annual_kwh_before=latest["annual_kwh"] - latest["kwh_total"],
            kwh_peak=latest["kwh_peak"], kwh_valley=latest["kwh_valley"])
    except (BackendUnavailable, BackendError, IndexError):
        say(dispatcher, tracker, "非常抱歉，暂时无法按您的用电为您测算。")
        return []
    parts = "，".join(f"{seg['kwh']}度按{TIER_NAMES[seg['tier']]}{seg['price']}元/度计{_yuan(seg['amount'])}"
                     for seg in priced["segments"])
    tou = "（已按峰谷时段分别计价）" if priced["time_of_use"] else ""
    say(dispatcher, tracker,
        f"以您{_period(latest['period'])}用电{latest['kwh_total']}度为例：本年度此前已用"
        f"{latest['annual_kwh'] - latest['kwh_total']}度，本月{parts}{tou}，合计{_yuan(priced['amount'])}。",
        f"按您{_period(latest['period'])}的用电，电费合计{_yuan(priced['amount'])}。")
    return []
