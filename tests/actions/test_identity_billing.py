"""Identity before account data; bills, disputes and reconnection from the customer's own data."""
from __future__ import annotations

from datetime import date

from rasa_sdk.executor import CollectingDispatcher

from actions.identity import ActionAfterIdentity, ValidateIdentityForm
from actions.offers import ActionAcceptOffer
from tests.actions.conftest import ACCOUNT, add_bills, texts, tracker

VERIFIED = {"account_no": ACCOUNT, "phone_last4": "5678", "verified": True}
MONTHS = [("2025-12", 150, "80.70", "80.70", date(2026, 1, 15)),
          ("2026-01", 160, "86.08", "86.08", date(2026, 2, 15)),
          ("2026-02", 140, "75.32", "0", date(2026, 3, 15))]


async def test_right_last4_verifies_wrong_one_asks_again(client, dispatcher):
    form = ValidateIdentityForm()
    turn = tracker({"account_no": ACCOUNT})
    assert await form.validate_phone_last4("1111", dispatcher, turn, {}) == {"phone_last4": None, "verified": False}
    assert "不一致" in texts(dispatcher) and texts(dispatcher).startswith("抱歉")
    assert await form.validate_phone_last4("5678", dispatcher, turn, {}) == {"phone_last4": "5678", "verified": True}


async def test_lockout_ends_the_check_without_account_data(client, dispatcher, platform):
    form = ValidateIdentityForm()
    turn = tracker({"account_no": ACCOUNT})
    for _ in range(platform.rules.identity_max_failures):
        await form.validate_phone_last4("0000", dispatcher, turn, {})
    locked = await form.validate_phone_last4("5678", dispatcher, turn, {})
    assert locked == {"phone_last4": "locked", "verified": False}
    assert "验证失败次数过多" in texts(dispatcher)
    after = CollectingDispatcher()
    await ActionAfterIdentity().run(after, tracker({**locked, "pending_task": "query_bill"}), {})
    assert "电费" not in texts(after)


def identity_turn(text: str, asked: str | None, slots: dict | None = None, entities: list | None = None):
    turn = tracker({"requested_slot": asked, **(slots or {})}, text=text, entities=entities)
    turn.active_loop = {"name": "identity_form"}
    return turn


async def test_account_number_must_have_10_or_13_digits(dispatcher):
    form = ValidateIdentityForm()
    found = await form.extract_account_no(dispatcher, identity_turn("3301 2345 67890", "account_no"), {})
    assert found == {"account_no": ACCOUNT}
    short = await form.extract_account_no(dispatcher, identity_turn("33012", "account_no"), {})
    assert short == {"account_no": None} and texts(dispatcher).startswith("抱歉")
    # 13 digits without a province prefix are not a 户号 anywhere.
    assert await form.extract_account_no(dispatcher, identity_turn("9901234567890", "account_no"), {}) == {
        "account_no": None}


async def test_another_account_resets_the_whole_identity(dispatcher):
    form = ValidateIdentityForm()
    turn = identity_turn("查一下3301999999999的电费", None, VERIFIED)
    turn.slots["requested_slot"] = None
    events = await form.run(dispatcher, turn, {"forms": {"identity_form": {"required_slots": [
        "account_no", "phone_last4"]}}, "slots": {}})
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    # The check starts again: the form asks for the last 4 digits of the new account.
    assert slots["account_no"] == "3301999999999" and slots["verified"] is False and slots["phone_last4"] is None
    same = await form.extract_account_no(dispatcher, identity_turn(f"户号{ACCOUNT}", None, VERIFIED), {})
    assert same == {}


async def test_account_and_last4_in_one_message(dispatcher):
    form = ValidateIdentityForm()
    turn = identity_turn(f"{ACCOUNT} 5678", "account_no", {"account_no": ACCOUNT})
    assert await form.extract_phone_last4(dispatcher, turn, {}) == {"phone_last4": "5678"}


async def test_the_third_identity_question_mentions_a_way_out(client, dispatcher):
    form = ValidateIdentityForm()
    ask = [{"event": "slot", "name": "requested_slot", "value": "phone_last4"}, {"event": "action", "name": "action_listen"}]
    events = [{"event": "active_loop", "name": "identity_form"}, *(ask * 2)]
    turn = tracker({"account_no": ACCOUNT, "requested_slot": "phone_last4"}, text="1111", events=events)
    turn.active_loop = {"name": "identity_form"}
    await form.validate_phone_last4("1111", dispatcher, turn, {})
    assert "转人工" in texts(dispatcher) and "取消" in texts(dispatcher)


async def test_bill_summary_reads_the_latest_bill_and_what_is_owed(client, platform, dispatcher):
    await add_bills(platform, ACCOUNT, MONTHS)
    await ActionAfterIdentity().run(dispatcher, tracker({**VERIFIED, "pending_task": "query_bill"}), {})
    said = texts(dispatcher)
    assert "尾号7890" in said and "2026年2月用电140度，电费75.32元，尚未缴清" in said
    assert "近三个月电费：12月80.70元、1月86.08元、2月75.32元" in said
    assert ACCOUNT not in said


async def test_dispute_explains_a_jump_and_offers_a_meter_test(client, platform, dispatcher):
    await add_bills(platform, ACCOUNT, [*MONTHS[:2], ("2026-02", 400, "215.20", "0", date(2026, 3, 15))])
    events = await ActionAfterIdentity().run(dispatcher, tracker({**VERIFIED, "pending_task": "bill_dispute"}), {})
    said = texts(dispatcher)
    # 400 kWh against a 155 kWh average of the earlier months: 158 % more.
    assert "本月用电400度，比前2个月平均155度多了158%" in said
    assert "5个工作日内告知校验结果" in said
    assert {"event": "slot", "timestamp": None, "name": "offer", "value": "meter_test"} in events
    accepted = CollectingDispatcher()
    await ActionAcceptOffer().run(accepted, tracker({**VERIFIED, "offer": "meter_test"}), {})
    assert "已为您申请电表校验，工单号GD" in texts(accepted)


async def test_reconnection_after_payment_files_the_24h_request(client, platform, dispatcher):
    await add_bills(platform, ACCOUNT, [("2026-01", 160, "86.08", "86.08", date(2026, 2, 15))],
                    status="disconnected_arrears")
    await ActionAfterIdentity().run(dispatcher, tracker({**VERIFIED, "pending_task": "ask_reconnection"}), {})
    said = texts(dispatcher)
    assert "已为您提交复电申请" in said and "3月11日 09:00前" in said  # 24 h from 2026-03-10 09:00


async def test_reconnection_with_arrears_says_what_to_pay(client, platform, dispatcher):
    await add_bills(platform, ACCOUNT, MONTHS, status="disconnected_arrears")
    await ActionAfterIdentity().run(dispatcher, tracker({**VERIFIED, "pending_task": "ask_reconnection"}), {})
    said = texts(dispatcher)
    assert "因欠费停电" in said and "75.32元" in said and "复电申请" not in said
