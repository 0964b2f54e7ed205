"""Creating tickets over the API: the deadlines a customer is told, and where the ticket goes."""
from __future__ import annotations

from datetime import datetime

import pytest

from backend.sla.calendar import TZ
from tests.backend.units_fixture import seed_units

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def units(platform):
    await seed_units(platform)


def at(text: str) -> str:
    return datetime.fromisoformat(text).replace(tzinfo=TZ).isoformat()


async def post(client, auth, body, **headers):
    return await client.post("/api/tickets", json=body, headers={**auth, **headers})


REPAIR = {"type": "fault_repair", "channel": "web", "description": "家里突然停电，邻居家也没电",
          "customer": {"name": "王建国", "phone": "13812345678"}}


@pytest.mark.parametrize("area, site, arrival, restore", [
    ("坪山社区", "urban", "2026-03-10T09:45:00", "2026-03-10T12:45:00"),
    ("下姜村", "rural", "2026-03-10T10:30:00", "2026-03-10T14:30:00"),
    ("白马村", "remote", "2026-03-10T11:00:00", "2026-03-10T15:00:00"),
])
async def test_repair_clocks_follow_the_site_class_of_the_area(client, auth, units, area, site,
                                                               arrival, restore):
    resp = await post(client, auth, {**REPAIR, "area": area})
    assert resp.status == 201
    ticket = await resp.json()
    assert ticket["site_class"] == site
    assert ticket["deadlines"]["arrival"] == at(arrival)
    # Until the crew arrives, the restore clock runs from the arrival deadline.
    assert ticket["deadlines"]["restore"] == at(restore)
    assert ticket["deadlines"]["dispatch"] == at("2026-03-10T09:05:00")
    assert ticket["id"].startswith("GD20260310")
    assert ticket["status"] == "accepted"


async def test_repair_without_known_site_class_takes_the_configured_default(client, auth, units):
    # Never refused (首问负责): tests/backend/tickets/test_unknown_places.py has the rest.
    resp = await post(client, auth, {**REPAIR, "address": "某个不认识的地方5号"})
    assert resp.status == 201
    ticket = await resp.json()
    assert ticket["site_class"] == "urban" and ticket["needs_manual_dispatch"] is True
    assert ticket["deadlines"]["arrival"] == at("2026-03-10T09:45:00")


async def test_repair_address_inside_a_known_area_finds_its_unit(client, auth, units):
    resp = await post(client, auth, {**REPAIR, "address": "淳安县枫树岭镇下姜村38号"})
    ticket = await resp.json()
    assert ticket["unit"]["id"] == "33012702"
    assert ticket["site_class"] == "rural"


async def test_account_number_gives_area_and_address(client, auth, units):
    body = {**REPAIR, "customer": {"phone": "13812345678", "account_no": "3301234567890"}}
    ticket = await (await post(client, auth, body)).json()
    assert ticket["unit"]["id"] == "33012701"
    assert ticket["customer"]["account_no"] == "*********7890"
    assert ticket["address"] == "杭州市淳安县千岛湖镇坪山社区****"


async def test_complaint_gets_first_contact_and_five_working_day_reply(client, auth, units, clock):
    # Evening before the National Day holiday 2026 (Oct 1-7 off, Sat Oct 10 a make-up day).
    clock.set(datetime(2026, 9, 30, 20, 30, tzinfo=TZ))
    body = {"type": "complaint", "description": "抄表员态度恶劣，电话里骂人",
            "customer": {"name": "李梅", "phone": "13900001111"}, "complaint_class": "service"}
    ticket = await (await post(client, auth, body)).json()
    assert ticket["deadlines"] == {
        "first_contact": at("2026-10-01T20:30:00"),
        "reply": at("2026-10-13T23:59:59"),
    }
    assert ticket["grade"] == "general" and not ticket["escalated"]


async def test_escalation_intent_raises_grade_and_escalates(client, auth, units):
    body = {"type": "complaint", "description": "三天了还没人处理，再不解决我就打12398投诉并找媒体曝光",
            "customer": {"phone": "13900001111"}}
    resp = await post(client, auth, body)
    ticket = await (await client.get(f"/api/tickets/{(await resp.json())['id']}", headers=auth)).json()
    assert ticket["escalation_intent"] is True
    assert set(ticket["escalation_keywords"].split("、")) == {"12398", "媒体", "曝光"}
    assert ticket["grade"] == "important"
    assert ticket["escalated"] is True
    assert [e["kind"] for e in ticket["events"]] == ["create", "escalate"]


async def test_major_complaint_gets_escalation_clock_met_at_once(client, auth, units, clock):
    body = {"type": "complaint", "description": "停电导致养殖场大量鱼死亡，损失严重",
            "customer": {"phone": "13900001111"}, "grade": "major", "complaint_class": "outage"}
    ticket = await (await post(client, auth, body)).json()
    detail = await (await client.get(f"/api/tickets/{ticket['id']}", headers=auth)).json()
    escalation = next(c for c in detail["clocks"] if c["name"] == "escalation")
    assert escalation["due_at"] == at("2026-03-10T09:15:00")
    assert escalation["state"] == "met"
    assert detail["escalated_at"] == at("2026-03-10T09:00:00")


@pytest.mark.parametrize("kind, reply", [
    ("reconnection", "2026-03-11T09:00:00"),
    ("appliance_damage", "2026-03-11T09:00:00"),
    ("meter_fault", "2026-03-16T23:59:59"),  # Wed, Thu, Fri, then Mon
    ("meter_test", "2026-03-17T23:59:59"),
    ("other", "2026-03-17T23:59:59"),
])
async def test_service_request_clocks(client, auth, units, kind, reply):
    body = {"type": "service_request", "kind": kind, "description": "申请办理相关业务",
            "customer": {"phone": "13812345678"}, "area": "坪山社区"}
    ticket = await (await post(client, auth, body)).json()
    assert ticket["kind"] == kind
    assert ticket["deadlines"]["reply"] == at(reply)


@pytest.mark.parametrize("ticket_type", ["report", "suggestion"])
async def test_report_and_suggestion_reply_in_ten_working_days(client, auth, units, ticket_type):
    body = {"type": ticket_type, "description": "有人在小区私拉电线偷电",
            "customer": {"phone": "13812345678"}}
    ticket = await (await post(client, auth, body)).json()
    # Tue 2026-03-10 + 10 working days = Tue 2026-03-24 (no holidays in March 2026).
    assert ticket["deadlines"] == {"reply": at("2026-03-24T23:59:59")}


async def test_ticket_without_area_goes_to_the_province_centre(client, auth, units):
    body = {"type": "suggestion", "description": "希望停电能提前发短信通知",
            "customer": {"phone": "13812345678"}}
    ticket = await (await post(client, auth, body)).json()
    assert ticket["unit"] == {"id": "33", "name": "国网浙江省电力有限公司"}


async def test_anonymous_complaint_keeps_no_identity_and_notes_the_limit(client, auth, units):
    body = {"type": "complaint", "description": "营业厅工作人员上班时间玩手机",
            "customer": {"name": "张三", "phone": "13812345678"}, "anonymous": True}
    ticket = await (await post(client, auth, body)).json()
    detail = await (await client.get(f"/api/tickets/{ticket['id']}", headers=auth)).json()
    assert detail["anonymous"] is True
    assert detail["customer"] == {"name": None, "phone": None, "account_no": None}
    assert any("匿名" in (e["note"] or "") for e in detail["events"])


async def test_urge_records_a_chase_on_the_original(client, auth, units):
    original = await (await post(client, auth, {**REPAIR, "area": "坪山社区"})).json()
    body = {"type": "urge", "description": "等了一个小时还没人来", "parent_id": original["id"],
            "customer": {"phone": "13812345678"}}
    resp = await post(client, auth, body)
    assert resp.status == 201
    parent = await (await client.get(f"/api/tickets/{original['id']}", headers=auth)).json()
    assert parent["urge_count"] == 1
    assert parent["events"][-1]["kind"] == "urge"


async def _closed_complaint(client, auth, body):
    from tests.backend.tickets.helpers import step

    ticket = await (await post(client, auth, body)).json()
    await step(client, auth, ticket["id"], "reply", note="已处理")
    await step(client, auth, ticket["id"], "callback", rating="satisfied")
    return ticket


async def test_repeat_complaint_links_to_the_closed_one_and_is_flagged(client, auth, units, clock):
    body = {"type": "complaint", "description": "电费账单金额不对", "complaint_class": "business",
            "customer": {"phone": "13900001111"}}
    first = await _closed_complaint(client, auth, body)
    clock.advance(days=20)
    again = await (await post(client, auth, {**body, "description": "上次的电费问题又出现了"})).json()
    detail = await (await client.get(f"/api/tickets/{again['id']}", headers=auth)).json()
    assert detail["is_repeat"] is True
    assert detail["parent_id"] == first["id"]
    assert any(e["kind"] == "repeat" for e in detail["events"])
    flagged = await (await client.get("/api/tickets?repeat=true", headers=auth)).json()
    assert [t["id"] for t in flagged["items"]] == [again["id"]]


@pytest.mark.parametrize("change, days", [
    ({"complaint_class": "service"}, 20),          # another matter
    ({"customer": {"phone": "13700002222"}}, 20),  # another customer
    ({}, 120),                                     # outside the 90-day window
])
async def test_not_a_repeat(client, auth, units, clock, change, days):
    body = {"type": "complaint", "description": "电费账单金额不对", "complaint_class": "business",
            "customer": {"phone": "13900001111"}}
    await _closed_complaint(client, auth, body)
    clock.advance(days=days)
    again = await (await post(client, auth, {**body, **change})).json()
    assert again["is_repeat"] is False


async def test_open_earlier_complaint_is_not_a_repeat(client, auth, units):
    body = {"type": "complaint", "description": "电费账单金额不对", "complaint_class": "business",
            "customer": {"phone": "13900001111"}}
    await post(client, auth, body)
    again = await (await post(client, auth, body)).json()
    assert again["is_repeat"] is False


async def test_reply_deadline_across_the_new_year_uses_the_fallback_calendar(client, auth, units, clock,
                                                                             caplog):
    # chinese-calendar knows nothing of 2027: weekends and Jan 1 are assumed off, and it is logged.
    clock.set(datetime(2026, 12, 28, 10, 0, tzinfo=TZ))
    body = {"type": "complaint", "description": "年底电费催缴短信太频繁",
            "customer": {"phone": "13900001111"}}
    with caplog.at_level("WARNING", logger="backend.sla.calendar"):
        ticket = await (await post(client, auth, body)).json()
    # Dec 29, 30, 31, (Jan 1 holiday, Jan 2-3 weekend) Jan 4, Jan 5.
    assert ticket["deadlines"]["reply"] == at("2027-01-05T23:59:59")
    assert "2027" in caplog.text


async def test_ticket_keeps_the_bot_conversation_it_came_from(client, auth, units):
    # The bot's sender id may exist only in Rasa's tracker store when the ticket is written.
    body = {"type": "suggestion", "description": "希望增加夜间缴费提醒", "conversation_id": "rasa-sender-42",
            "customer": {"phone": "13812345678"}}
    ticket = await (await post(client, auth, body)).json()
    detail = await (await client.get(f"/api/tickets/{ticket['id']}", headers=auth)).json()
    assert detail["conversation_id"] == "rasa-sender-42"
