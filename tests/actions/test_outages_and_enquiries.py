"""Outage lookup, tariffs and business processes as the customer hears them."""
from __future__ import annotations

from datetime import datetime, timedelta

from actions.enquiries import ActionBusinessProcess, ActionTariff, tier_lines
from actions.outages import ActionOutageLookup, ValidateOutageForm
from backend.models import Outage, OutageScope
from backend.sla.calendar import TZ
from tests.actions.conftest import texts, tracker


async def add_outage(platform, start: datetime) -> None:
    async with platform.sessions() as session:
        outage = Outage(type="planned", status="scheduled", start_at=start, expected_end_at=start + timedelta(hours=8),
                        published_at=start - timedelta(days=8), area_text="千岛湖镇坪山社区", city="杭州市",
                        county="淳安县", street="千岛湖镇", community="坪山社区", line="10kV 城东线",
                        reason="线路检修", unit_id="33012701")
        outage.scopes.append(OutageScope(area_id=1))
        session.add(outage)
        await session.commit()


async def place_of(form: ValidateOutageForm, text: str, slots: dict | None = None) -> dict:
    """What the outage form makes of a message: extraction, then validation."""
    from rasa_sdk.executor import CollectingDispatcher

    turn = tracker(slots, text=text, intent="query_outage")
    extracted = await form.extract_outage_place(CollectingDispatcher(), turn, {})
    return await form.validate_outage_place(extracted["outage_place"], CollectingDispatcher(), turn, {})


PINGSHAN = {"level": "area", "name": "坪山社区", "full_name": "杭州市淳安县千岛湖镇坪山社区", "county": "淳安县",
            "area_ids": [1], "area_id": 1, "site_class": "urban"}


async def test_a_planned_outage_is_read_out_with_the_place(client, platform, dispatcher):
    await add_outage(platform, datetime(2026, 3, 11, 8, 0, tzinfo=TZ))
    await ActionOutageLookup().run(dispatcher, tracker({"place": PINGSHAN, "date": "2026-03-11"}), {})
    said = texts(dispatcher)
    assert "为您查到淳安县坪山社区3月11日的停电信息" in said
    assert "计划停电：3月11日 08:00开始，预计3月11日 16:00恢复供电" in said and "线路检修" in said


async def test_no_outage_gives_self_check_advice_and_a_repair_offer(client, dispatcher):
    events = await ActionOutageLookup().run(dispatcher, tracker({"place": PINGSHAN}), {})
    assert "暂未查到淳安县坪山社区3月10日的停电" in texts(dispatcher) and "需要为您报修吗" in texts(dispatcher)
    assert "。；" not in texts(dispatcher)
    assert events[-1] == {"event": "slot", "timestamp": None, "name": "offer", "value": "repair"}


async def test_the_place_is_resolved_from_the_words_or_a_number(client, dispatcher):
    form = ValidateOutageForm()
    found = await place_of(form, "我家住在坪山社区，明天停电吗")
    assert found["outage_place"] == "淳安县坪山社区" and found["place"]["area_ids"] == [1]
    by_number = await place_of(form, "户号3301-2345-67890")
    assert by_number["place"] == {"account_no": "3301234567890"} and "7890" in by_number["outage_place"]


async def test_a_clarified_place_is_resolved_with_the_earlier_words(client, dispatcher):
    form = ValidateOutageForm()
    found = await place_of(form, "淳安的", {"requested_slot": "outage_place", "place_mention": "坪山社区"})
    assert found["outage_place"] == "淳安县坪山社区"


def test_tiers_are_worded_from_the_table():
    tiers = [{"tier": 1, "upto_kwh": 2760, "price": "0.538"}, {"tier": 2, "upto_kwh": 4800, "price": "0.588"},
             {"tier": 3, "upto_kwh": None, "price": "0.838"}]
    assert tier_lines(tiers) == ("第1档（年用电2760度及以下）0.538元/度；第2档（年用电2761至4800度）0.588元/度；"
                                 "第3档（年用电4801度以上）0.838元/度")


async def test_tariff_answer_uses_the_configured_prices(client, dispatcher):
    await ActionTariff().run(dispatcher, tracker(), {})
    said = texts(dispatcher)
    assert "0.538元/度" in said and "22:00-08:00为低谷" in said and "户号" in said


async def test_business_process_states_materials_and_the_commitment(client, dispatcher):
    await ActionBusinessProcess().run(dispatcher, tracker({"business_type": "new_connection"}), {})
    said = texts(dispatcher)
    assert "身份证件" in said and "受理后5个工作日内完成" in said
    other = type(dispatcher)()
    await ActionBusinessProcess().run(other, tracker(), {})
    assert "过户" in texts(other) and "充电桩" in texts(other)
