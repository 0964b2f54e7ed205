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
from actions.text import Both, compose, joined, mask_account, moment, phrase, say_sentence, ticket_no
from glossary.replies import billing as replies
from glossary.replies.billing import TIER_NAMES

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
    customer = tracker.sender_id
    bills = await client.get(f"/api/accounts/{account_no}/bills", customer=customer, phone_last4=last4, months=12)
    account = await client.get(f"/api/accounts/{account_no}", customer=customer,
                               phone_last4=last4) if with_account else None
    return account, bills


def _arrears(bills: dict) -> Both | str:
    """What is still owed, in one complete sentence (a shorter one for the IVR); nothing when nothing is."""
    if Decimal(bills["total_due"]) <= 0:
        return ""
    fee = Decimal(bills["late_fee_total"])
    return phrase(replies.ARREARS, total=_yuan(bills["total_due"]),
                  late_fee=phrase(replies.LATE_FEE, fee=_yuan(fee)) if fee > 0 else "",
                  overdue=phrase(replies.OVERDUE, days=bills["max_days_overdue"]) if bills["max_days_overdue"] else "")


async def bill_summary(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    try:
        _, bills = await _account_data(tracker)
    except (BackendUnavailable, BackendError):
        say_sentence(dispatcher, tracker, replies.BILL_UNAVAILABLE)
        return []
    account = mask_account(tracker.get_slot("account_no"))
    if not bills["items"]:
        say_sentence(dispatcher, tracker, replies.NO_BILLS, account=account)
        return []
    latest = bills["items"][0]
    paid = phrase(replies.PAID) if latest["status"] == "paid" else phrase(replies.UNPAID,
                                                                         due=_yuan(latest["total_due"]))
    history = "、".join(compose(replies.HISTORY_MONTH, False, month=int(b["period"][5:]), amount=_yuan(b["amount"]))
                       for b in reversed(bills["items"][:3]))
    say_sentence(dispatcher, tracker, replies.BILL_SUMMARY, account=account, period=_period(latest["period"]),
                 kwh=latest["kwh_total"], amount=_yuan(latest["amount"]), paid=paid,
                 annual_kwh=latest["annual_kwh"], tier=TIER_NAMES.get(latest["tier"], ""), history=history,
                 arrears=_arrears(bills))
    return []


def _dispute_reasons(bills: dict) -> list[Both]:
    items = bills["items"]
    latest, earlier = items[0], items[1:4]
    reasons = []
    if earlier:
        average = Decimal(sum(b["kwh_total"] for b in earlier)) / len(earlier)
        if average and latest["kwh_total"] >= average * USAGE_JUMP:
            more = (Decimal(latest["kwh_total"]) / average - 1) * 100
            reasons.append(phrase(replies.REASON_USAGE_JUMP, kwh=latest["kwh_total"], months=len(earlier),
                                  average=f"{average:.0f}", more=f"{more:.0f}"))
        if latest["tier"] > earlier[0]["tier"]:
            reasons.append(phrase(replies.REASON_TIER_UP, annual_kwh=latest["annual_kwh"],
                                  tier=TIER_NAMES[latest["tier"]]))
    if latest["kwh_peak"] is not None and latest["kwh_total"]:
        share = Decimal(latest["kwh_peak"]) / latest["kwh_total"] * 100
        if share >= 60:
            reasons.append(phrase(replies.REASON_PEAK, share=f"{share:.0f}"))
    if Decimal(bills["late_fee_total"]) > 0:
        reasons.append(phrase(replies.REASON_LATE_FEE, fee=_yuan(bills["late_fee_total"])))
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
        say_sentence(dispatcher, tracker, replies.DISPUTE_UNAVAILABLE)
        return []
    if not bills["items"]:
        say_sentence(dispatcher, tracker, replies.DISPUTE_NO_BILLS)
        return []
    reasons = _dispute_reasons(bills)
    limit = await commitment(("clocks", "service_request/meter_test", "reply"), "5个工作日")
    if reasons:  # numbered on the page; the hotline gives the first one
        listed = Both("；".join(f"{i}. {reason.text}" for i, reason in enumerate(reasons, 1)), reasons[0].spoken)
        say_sentence(dispatcher, tracker, joined(replies.DISPUTE_REASONS, replies.METER_TEST_OFFER),
                     reasons=listed, limit=limit)
    else:
        say_sentence(dispatcher, tracker, joined(replies.DISPUTE_NO_REASON, replies.METER_TEST_OFFER), limit=limit)
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
        say_sentence(dispatcher, tracker, replies.RECONNECTION_UNAVAILABLE)
        return []
    due = Decimal(bills["total_due"])
    if account["prepaid"] and due <= 0:
        say_sentence(dispatcher, tracker, replies.PREPAID_RECONNECTS)
        return [SlotSet("offer", "repair")]
    if account["status"] != "disconnected_arrears":
        say_sentence(dispatcher, tracker, replies.NOT_DISCONNECTED)
        return [SlotSet("offer", "repair")]
    if due > 0:
        say_sentence(dispatcher, tracker, replies.DISCONNECTED, arrears=_arrears(bills))
        return []
    ticket = await create_service_request(dispatcher, tracker, "reconnection", "欠费已缴清，申请恢复供电（复电）")
    if ticket is None:
        return []
    say_sentence(dispatcher, tracker, replies.RECONNECTION_FILED, ticket=ticket_no(ticket["id"]),
                 reply=moment(ticket["deadlines"]["reply"]))
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
        say_sentence(dispatcher, tracker, replies.TARIFF_EXAMPLE_UNAVAILABLE)
        return []
    segments = "，".join(compose(replies.TARIFF_SEGMENT, False, kwh=seg["kwh"], tier=TIER_NAMES[seg["tier"]],
                                price=seg["price"], amount=_yuan(seg["amount"]))
                        for seg in priced["segments"])
    say_sentence(dispatcher, tracker, replies.TARIFF_EXAMPLE, period=_period(latest["period"]),
                 kwh=latest["kwh_total"], before=latest["annual_kwh"] - latest["kwh_total"], segments=segments,
                 time_of_use=phrase(replies.TIME_OF_USE_PRICED) if priced["time_of_use"] else "",
                 amount=_yuan(priced["amount"]))
    return []
