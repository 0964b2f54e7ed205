"""Fault repair: the ticket reaches the backend once, with the right clocks; the
customer hears the arrival deadline; danger is heard in any answer; an address
the area table does not know still gets a ticket."""
from __future__ import annotations

from sqlalchemy import func, select

from actions.repairs import ActionSubmitRepair, ValidateRepairForm
from backend.models import Ticket
from tests.actions.conftest import texts, tracker

REPAIR_SLOTS = {"fault_description": "家里突然没电了，邻居家有电", "safety_hazard": False,
                "address": "淳安县千岛湖镇坪山社区12幢301", "area_id": 1, "site_class": "urban",
                "contact_phone": "13812345678"}
HAZARD = [{"entity": "hazard", "value": "sparks", "start": 0, "end": 2}]


async def count_tickets(platform) -> int:
    async with platform.sessions() as session:
        return await session.scalar(select(func.count(Ticket.id)))


def asked(slot: str, times: int = 1) -> list[dict]:
    """Events of a form that has asked for `slot` this many times."""
    ask = [{"event": "slot", "name": "requested_slot", "value": slot}, {"event": "action", "name": "action_listen"}]
    return [{"event": "active_loop", "name": "repair_form"}, *(ask * times)]


def form_turn(slot: str, text: str, intent: str = "inform", times: int = 1, slots: dict | None = None,
              entities: list[dict] | None = None):
    turn = tracker({"requested_slot": slot, **(slots or {})}, text=text, intent=intent, entities=entities,
                   events=asked(slot, times))
    turn.active_loop = {"name": "repair_form"}
    return turn


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


async def test_an_address_outside_the_area_table_still_gets_a_ticket(client, platform, dispatcher):
    unknown = {**REPAIR_SLOTS, "address": "幸福里小区3号楼2单元", "area_id": None, "site_class": "urban"}
    await ActionSubmitRepair().run(dispatcher, tracker(unknown), {})
    said = texts(dispatcher)
    assert "已为您受理故障报修，工单号GD" in said and "人工核实后派单" in said
    async with platform.sessions() as session:
        ticket = await session.scalar(select(Ticket))
    assert ticket.needs_manual_dispatch and ticket.address == "幸福里小区3号楼2单元"


async def test_a_hazard_in_any_answer_is_taken_and_advised_once(dispatcher):
    form = ValidateRepairForm()
    turn = form_turn("address", "门口那个表箱在冒火花", entities=HAZARD)
    assert await form.extract_safety_hazard(dispatcher, turn, {}) == {"safety_hazard": True}
    assert form.validate_safety_hazard(True, dispatcher, turn, {}) == {"safety_hazard": True}
    assert dispatcher.messages[0]["response"] == "utter_safety_advice"
    # Already known: no second question, no second advice.
    again = form_turn("address", "还在冒火花", entities=HAZARD, slots={"safety_hazard": True})
    assert await form.extract_safety_hazard(dispatcher, again, {}) == {}


async def test_the_hazard_question_takes_words_as_well_as_yes_and_no(dispatcher):
    form = ValidateRepairForm()
    assert await form.extract_safety_hazard(dispatcher, form_turn("safety_hazard", "有，在冒火花", entities=HAZARD),
                                            {}) == {"safety_hazard": True}
    assert await form.extract_safety_hazard(dispatcher, form_turn("safety_hazard", "有"), {}) == {"safety_hazard": True}
    assert await form.extract_safety_hazard(dispatcher, form_turn("safety_hazard", "没有", intent="deny"),
                                            {}) == {"safety_hazard": False}


async def test_danger_makes_the_ticket_urgent(client, dispatcher):
    await ActionSubmitRepair().run(dispatcher, tracker({**REPAIR_SLOTS, "safety_hazard": True}), {})
    assert "您的报修已按紧急处理" in texts(dispatcher)


async def test_address_in_a_known_area_gives_its_site_class(client, dispatcher):
    form = ValidateRepairForm()
    result = await form.validate_address("枫树岭镇下姜村38号", dispatcher, form_turn("address", ""), {})
    assert result == {"address": "枫树岭镇下姜村38号", "area_id": 2, "site_class": "rural"}
    unknown = await form.validate_address("幸福里小区3号楼2单元", dispatcher, form_turn("address", ""), {})
    assert unknown == {"address": "幸福里小区3号楼2单元", "area_id": None}  # the site class is asked next


async def test_a_bare_remark_is_not_an_address_and_the_reason_is_polite(dispatcher):
    result = await ValidateRepairForm().validate_address("在这", dispatcher, form_turn("address", "在这"), {})
    assert result == {"address": None}
    assert texts(dispatcher).startswith("抱歉") and "太简略" not in texts(dispatcher)


async def test_site_class_from_the_customers_words_never_lands_in_the_area(dispatcher):
    form = ValidateRepairForm()
    assert await form.extract_site_class(dispatcher, form_turn("site_class", "在山里，挺偏的"), {}) == {
        "site_class": "remote"}
    assert await form.extract_site_class(dispatcher, form_turn("site_class", "城区"), {}) == {"site_class": "urban"}
    assert await form.extract_site_class(dispatcher, form_turn("site_class", "不知道"), {}) == {"site_class": None}


async def test_the_site_class_is_asked_at_most_twice(dispatcher):
    form = ValidateRepairForm()
    slots = ["fault_description", "safety_hazard", "address", "site_class", "contact_phone"]
    assert "site_class" in await form.required_slots(slots, dispatcher, form_turn("site_class", "", times=1), {})
    assert "site_class" not in await form.required_slots(slots, dispatcher, form_turn("site_class", "", times=2), {})


def test_phone_is_checked_politely_and_the_third_ask_offers_a_way_out(dispatcher):
    form = ValidateRepairForm()
    assert form.validate_contact_phone("138 1234 5678", dispatcher, form_turn("contact_phone", ""), {}) == {
        "contact_phone": "13812345678"}
    assert form.validate_contact_phone("12345", dispatcher, form_turn("contact_phone", "12345"), {}) == {
        "contact_phone": None}
    assert texts(dispatcher).startswith("抱歉") and "转人工" not in texts(dispatcher)
    form.validate_contact_phone("12345", dispatcher, form_turn("contact_phone", "12345", times=2), {})
    assert "转人工" in dispatcher.messages[-1]["text"] and "取消" in dispatcher.messages[-1]["text"]


async def test_ivr_hears_the_ticket_number_in_groups(client, dispatcher):
    await ActionSubmitRepair().run(dispatcher, tracker(REPAIR_SLOTS, channel="ivr"), {})
    said = texts(dispatcher)
    assert "9点45分前到达" in said
    assert "G D，二零二六，零三幺零，零零零，" in said and "GD2026" not in said
