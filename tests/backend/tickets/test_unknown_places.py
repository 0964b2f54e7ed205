"""An unknown place never blocks a ticket (首问负责).

A complaint or repair whose place the area table does not know is accepted, goes
to the unit of the most specific place recognised (else the top unit), is flagged
needs_manual_dispatch with a system note, and its clocks run from acceptance.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from backend.models import Area
from backend.sla.calendar import TZ
from tests.backend.tickets.helpers import COMPLAINT, create, step
from tests.backend.units_fixture import seed_units

pytestmark = pytest.mark.asyncio

REPAIR = {"type": "fault_repair", "channel": "web", "description": "家里突然停电，邻居家也没电",
          "customer": {"name": "王建国", "phone": "13812345678"}}
NOTE = "地点未能匹配到供电区域，需人工派单"


@pytest.fixture
async def units(platform):
    await seed_units(platform)
    async with platform.sessions() as session:
        # A second 下姜村, in another town of the same county: the name alone is ambiguous.
        session.add(Area(id=4, name="下姜村", city="杭州市", county="淳安县", street="威坪镇", site_class="rural",
                         unit_id="33012701"))
        await session.commit()
    platform.places.invalidate()


def at(text: str) -> str:
    return datetime.fromisoformat(text).replace(tzinfo=TZ).isoformat()


async def detail(client, auth, ticket_id: str) -> dict:
    return await (await client.get(f"/api/tickets/{ticket_id}", headers=auth)).json()


def notes(ticket: dict) -> list[str]:
    return [e["note"] for e in ticket["events"] if e["kind"] == "note" and e["actor"] == "system"]


async def test_repair_at_an_address_outside_the_table_is_filed_with_clocks_running(client, auth, units):
    ticket = await create(client, auth, {**REPAIR, "address": "淳安县千岛湖镇幸福里小区3号楼2单元"})
    assert ticket["status"] == "accepted" and ticket["id"].startswith("GD20260310")
    # The street is known: its unit takes it, with its areas' one site class.
    assert ticket["unit"] == {"id": "33012701", "name": "千岛湖供电所"}
    assert ticket["needs_manual_dispatch"] is True and ticket["site_class"] == "urban"
    assert ticket["deadlines"] == {"dispatch": at("2026-03-10T09:05:00"), "arrival": at("2026-03-10T09:45:00"),
                                   "restore": at("2026-03-10T12:45:00")}
    full = await detail(client, auth, ticket["id"])
    assert full["area"] is None
    assert [n for n in notes(full) if n.startswith(NOTE)] == [
        f"{NOTE}：“幸福里小区”不在区域表中，位于杭州市淳安县千岛湖镇。"]
    assert {c["name"]: c["state"] for c in full["clocks"]} == {
        "dispatch": "running", "arrival": "running", "restore": "running"}


async def test_retried_with_the_same_key_it_is_still_one_ticket(client, auth, units):
    body = {**REPAIR, "address": "幸福里小区3号楼2单元"}
    first = await client.post("/api/tickets", json=body, headers={**auth, "Idempotency-Key": "turn-42"})
    again = await client.post("/api/tickets", json=body, headers={**auth, "Idempotency-Key": "turn-42"})
    assert (first.status, again.status) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert (await first.json())["id"] == (await again.json())["id"]
    listed = await (await client.get("/api/tickets", params={"manual_dispatch": "true"}, headers=auth)).json()
    assert listed["total"] == 1


async def test_nothing_recognised_goes_to_the_top_unit_with_the_default_site_class(client, auth, units):
    ticket = await create(client, auth, {**REPAIR, "address": "幸福里小区3号楼2单元"})
    assert ticket["unit"]["id"] == "33" and ticket["needs_manual_dispatch"] is True
    assert ticket["site_class"] == "urban"  # places.default_site_class: the strictest clock
    assert ticket["deadlines"]["arrival"] == at("2026-03-10T09:45:00")
    assert notes(await detail(client, auth, ticket["id"])) == [
        f"{NOTE}：“幸福里小区”不在区域表中；未能确定城区/农村/特殊边远地区，暂按城区抢修时限计时。"]


async def test_the_default_site_class_is_configuration(client, auth, units, platform):
    platform.rules = replace(platform.rules, default_site_class="rural")
    ticket = await create(client, auth, {**REPAIR, "address": "某个不认识的地方5号"})
    assert ticket["site_class"] == "rural" and ticket["deadlines"]["arrival"] == at("2026-03-10T10:30:00")


async def test_a_site_class_the_customer_gave_is_kept(client, auth, units):
    ticket = await create(client, auth, {**REPAIR, "address": "幸福里小区3号楼", "site_class": "remote"})
    assert ticket["site_class"] == "remote" and ticket["deadlines"]["arrival"] == at("2026-03-10T11:00:00")


async def test_an_unknown_area_name_is_accepted_and_routed_by_the_address(client, auth, units):
    ticket = await create(client, auth, {**REPAIR, "area": "红旗村", "address": "淳安县红旗村5号"})
    assert ticket["unit"]["id"] == "330127" and ticket["needs_manual_dispatch"] is True
    # The county's areas are urban, rural and remote: no one class, so the default.
    assert ticket["site_class"] == "urban"


async def test_an_ambiguous_area_name_is_narrowed_by_the_address(client, auth, units):
    ticket = await create(client, auth, {**REPAIR, "area": "下姜村", "address": "枫树岭镇下姜村38号"})
    assert (ticket["unit"]["id"], ticket["needs_manual_dispatch"], ticket["site_class"]) == (
        "33012702", False, "rural")
    assert (await detail(client, auth, ticket["id"]))["area"]["id"] == 2


async def test_an_ambiguous_area_name_the_address_cannot_narrow_goes_to_their_common_unit(client, auth, units):
    ticket = await create(client, auth, {**REPAIR, "area": "下姜村", "address": "下姜村38号"})
    assert ticket["unit"]["id"] == "330127" and ticket["needs_manual_dispatch"] is True
    assert ticket["site_class"] == "rural"  # both are rural
    [note] = notes(await detail(client, auth, ticket["id"]))
    assert note == f"{NOTE}：“下姜村”有多处（杭州市淳安县威坪镇下姜村、杭州市淳安县枫树岭镇下姜村）。"


async def test_the_resolved_area_id_is_taken_as_it_is(client, auth, units):
    ticket = await create(client, auth, {**REPAIR, "area_id": 3, "address": "白马村12号"})
    assert (ticket["unit"]["id"], ticket["site_class"], ticket["needs_manual_dispatch"]) == (
        "33012702", "remote", False)


async def test_an_area_id_that_no_longer_exists_still_files(client, auth, units):
    ticket = await create(client, auth, {**REPAIR, "area_id": 999})
    assert ticket["unit"]["id"] == "33" and ticket["needs_manual_dispatch"] is True


async def test_a_complaint_at_an_unknown_place_is_accepted_too(client, auth, units):
    ticket = await create(client, auth, {**COMPLAINT, "address": "红旗村"})
    assert ticket["needs_manual_dispatch"] is True and ticket["deadlines"]["first_contact"]
    plain = await create(client, auth, COMPLAINT)  # no place named: the top unit, nothing to flag
    assert plain["needs_manual_dispatch"] is False


async def test_the_list_filters_them_and_dispatch_clears_the_flag(client, auth, units):
    flagged = await create(client, auth, {**REPAIR, "address": "幸福里小区3号楼"})
    await create(client, auth, {**REPAIR, "area": "坪山社区"})

    async def manual() -> list[str]:
        page = await (await client.get("/api/tickets", params={"manual_dispatch": "true"}, headers=auth)).json()
        return [t["id"] for t in page["items"]]

    assert await manual() == [flagged["id"]]
    await step(client, auth, flagged["id"], "dispatch", expect=201, unit="33012701")
    assert await manual() == []
