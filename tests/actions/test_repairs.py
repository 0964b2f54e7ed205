"""Fault repair: the ticket reaches the backend once, with the right clocks, and
the customer hears the arrival deadline."""
from __future__ import annotations

from sqlalchemy import func, select

from actions.repairs import ActionSubmitRepair, ValidateRepairForm
from backend.models import Ticket
from tests.actions.conftest import texts, tracker

REPAIR_SLOTS = {"fault_description": "家里突然没电了，邻居家有电", "safety_hazard": False,
                "address": "淳安县千岛湖镇坪山社区12幢301", "area": "坪山社区", "site_class": "urban",
                "contact_phone": "13812345678"}


async def count_tickets(platform) -> int:
    async with platform.sessions() as session:
        return await session.scalar(select(func.count(Ticket.id)))


async def test_repair_is_filed_and_the_arrival_deadline_told(client, platform, dispatcher, clock):
    events = await ActionSubmitRepair().run(dispatcher, tracker(REPAIR_SLOTS), {})
    said = texts(dispatcher)
    assert "已为您受理故障报修，工单号GD20260310" in said
    assert "3月10日 09:45前到达现场" in said  # urban: 45 minutes from 09:00
    assert any(e.get("name") == "last_ticket_id" and e["value"].startswith("GD") for e in events)
    assert await count_tickets(platform) == 1


async def test_a_retried_turn_files_one_ticket(client, platform, dispatcher):
    turn = tracker(REPAIR_SLOTS, message_id="same-message")
    await ActionSubmitRepair().run(dispatcher, turn, {})
    await ActionSubmitRepair().run(dispatcher, turn, {})
    assert await count_tickets(platform) == 1
    # The next message of the customer is a new request.
    await ActionSubmitRepair().run(dispatcher, tracker(REPAIR_SLOTS), {})
    assert await count_tickets(platform) == 2


async def test_danger_is_urgent_and_safety_advice_comes_first(client, dispatcher):
    form = ValidateRepairForm()
    result = form.validate_fault_description("门口电线掉地上了还在冒火花", dispatcher, tracker(), {})
    assert result["safety_hazard"] is True
    assert dispatcher.messages[0]["response"] == "utter_safety_advice"
    await ActionSubmitRepair().run(dispatcher, tracker({**REPAIR_SLOTS, "safety_hazard": True}), {})
    assert "您的报修已按紧急处理" in texts(dispatcher)


async def test_address_in_a_known_area_gives_its_site_class(client, dispatcher):
    result = await ValidateRepairForm().validate_address("枫树岭镇下姜村38号", dispatcher, tracker(), {})
    assert result == {"address": "枫树岭镇下姜村38号", "area": "下姜村", "site_class": "rural"}
    unknown = await ValidateRepairForm().validate_address("某某路88号", dispatcher, tracker(), {})
    assert unknown == {"address": "某某路88号"}  # the form then asks 城区/农村/山区


def test_site_class_from_the_customers_words(dispatcher):
    form = ValidateRepairForm()
    assert form.validate_site_class("在山里，挺偏的", dispatcher, tracker(), {}) == {"site_class": "remote"}
    assert form.validate_site_class("农村", dispatcher, tracker(), {}) == {"site_class": "rural"}
    assert form.validate_site_class("不知道", dispatcher, tracker(), {}) == {"site_class": None}


def test_phone_is_checked(dispatcher):
    form = ValidateRepairForm()
    assert form.validate_contact_phone("138 1234 5678", dispatcher, tracker(), {}) == {"contact_phone": "13812345678"}
    assert form.validate_contact_phone("12345", dispatcher, tracker(), {}) == {"contact_phone": None}
    assert "格式不正确" in texts(dispatcher)


async def test_ivr_hears_a_short_spoken_answer(client, dispatcher):
    await ActionSubmitRepair().run(dispatcher, tracker(REPAIR_SLOTS, channel="ivr"), {})
    said = texts(dispatcher)
    assert "9点45分前到达" in said and "工单号" not in said
