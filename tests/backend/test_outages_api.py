"""Outage notices over the API: who is affected, on which local day, and publishing them."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from backend.api.auth import hash_token
from backend.models import Account, Outage, OutageScope, StaffSession, StaffUser
from backend.sla.calendar import TZ
from tests.backend.units_fixture import seed_units

pytestmark = pytest.mark.asyncio

ACCOUNT = "3301234567890"  # 坪山社区, 坪山3号台区 (units_fixture)
NEIGHBOUR = "3301234560005"  # 坪山社区, 坪山5号台区
VILLAGER = "3301234560002"  # 下姜村


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture
async def units(platform):
    await seed_units(platform)
    async with platform.sessions() as session:
        session.add_all([
            Account(account_no=NEIGHBOUR, name="李秀英", phone="13900005555", address="坪山社区8幢",
                    area_id=1, transformer_area="坪山5号台区", tariff="zhejiang"),
            Account(account_no=VILLAGER, name="姜大伯", phone="13700002222", address="下姜村1号",
                    area_id=2, transformer_area="下姜1号台区", tariff="zhejiang"),
        ])
        await session.commit()


async def add_outage(platform, start: str, end: str, scopes, *, type_="planned", status="scheduled",
                     restored: str | None = None, published: str = "2026-03-01T09:00:00") -> int:
    async with platform.sessions() as session:
        outage = Outage(
            type=type_, status=status, start_at=local(start), expected_end_at=local(end),
            restored_at=local(restored) if restored else None, published_at=local(published),
            area_text="淳安县千岛湖镇坪山社区", city="杭州市", county="淳安县", street="千岛湖镇",
            community="坪山社区", line="10kV 坪山线", reason="10kV 线路检修", unit_id="33012701",
            scopes=[OutageScope(area_id=a, transformer_area=t) for a, t in scopes])
        session.add(outage)
        await session.commit()
        return outage.id


async def lookup(client, auth, **params) -> list[dict]:
    resp = await client.get("/api/outages", params=params, headers=auth)
    assert resp.status == 200, await resp.text()
    return (await resp.json())["items"]


async def ids(client, auth, **params) -> set[int]:
    return {n["id"] for n in await lookup(client, auth, **params)}


async def test_area_wide_scope_reaches_every_account_of_the_area(client, auth, platform, units):
    oid = await add_outage(platform, "2026-03-10T08:00", "2026-03-10T17:00", [(1, None)])
    assert await ids(client, auth, account_no=ACCOUNT) == {oid}
    assert await ids(client, auth, account_no=NEIGHBOUR) == {oid}
    assert await ids(client, auth, account_no=VILLAGER) == set()


async def test_transformer_scope_spares_other_transformer_areas_of_the_area(client, auth, platform, units):
    oid = await add_outage(platform, "2026-03-10T08:00", "2026-03-10T17:00", [(1, "坪山3号台区")])
    assert await ids(client, auth, account_no=ACCOUNT) == {oid}
    assert await ids(client, auth, account_no=NEIGHBOUR) == set()
    body = await (await client.get("/api/outages", params={"account_no": NEIGHBOUR}, headers=auth)).json()
    # Nothing found: the customer gets the self-check advice, and no personal data is echoed (not even
    # the 台区, which would tell a 户号 that exists from one that does not: backend/api/lookups.py).
    assert any("漏电保护" in a for a in body["advice"])
    assert body["query"] == {"account_no": "*********0005"}


async def test_notice_fields(client, auth, platform, units):
    oid = await add_outage(platform, "2026-03-10T08:00", "2026-03-10T17:00", [(1, "坪山3号台区")])
    [notice] = await lookup(client, auth, account_no=ACCOUNT)
    assert notice["id"] == oid
    assert notice["type"] == "planned" and notice["type_name"] == "计划停电"
    assert notice["status"] == "scheduled"
    assert notice["start_at"] == "2026-03-10T08:00:00+08:00"
    assert notice["expected_end_at"] == "2026-03-10T17:00:00+08:00"
    assert notice["restored_at"] is None
    assert notice["line"] == "10kV 坪山线" and notice["reason"] == "10kV 线路检修"
    assert notice["area_text"] == "淳安县千岛湖镇坪山社区"
    assert notice["unit"] == {"id": "33012701", "name": "千岛湖供电所"}
    assert notice["scopes"] == [{"area_id": 1, "area": "坪山社区", "transformer_area": "坪山3号台区"}]


@pytest.mark.parametrize("name, found", [
    ("坪山", True), ("千岛湖镇", True), ("淳安县千岛湖镇坪山社区12幢", True), ("下姜", False),
    ("100%", False),
])
async def test_lookup_by_area_name(client, auth, platform, units, name, found):
    oid = await add_outage(platform, "2026-03-10T08:00", "2026-03-10T17:00", [(1, None)])
    assert await ids(client, auth, area=name) == ({oid} if found else set())


async def test_area_name_matches_the_scope_area_not_only_the_notice_text(client, auth, platform, units):
    oid = await add_outage(platform, "2026-03-10T08:00", "2026-03-10T17:00", [(1, None), (2, None)])
    assert await ids(client, auth, area="下姜村") == {oid}


async def test_overnight_outage_shows_on_both_local_days(client, auth, platform, units):
    oid = await add_outage(platform, "2026-03-10T22:00", "2026-03-11T06:00", [(1, None)])
    for day, expected in (("2026-03-09", set()), ("2026-03-10", {oid}), ("2026-03-11", {oid}),
                          ("2026-03-12", set())):
        assert await ids(client, auth, account_no=ACCOUNT, date=day) == expected, day


async def test_days_are_beijing_days_not_utc_days(client, auth, platform, units):
    # 06:00-07:00 Beijing on the 11th is 22:00-23:00 UTC on the 10th.
    oid = await add_outage(platform, "2026-03-11T06:00", "2026-03-11T07:00", [(1, None)])
    assert await ids(client, auth, area="坪山", date="2026-03-10") == set()
    assert await ids(client, auth, area="坪山", date="2026-03-11") == {oid}
    # An outage ending exactly at midnight does not spill into the next day.
    await add_outage(platform, "2026-03-12T20:00", "2026-03-13T00:00", [(1, None)])
    assert await ids(client, auth, area="坪山", date="2026-03-13") == set()


async def test_default_day_is_today_in_beijing(client, auth, platform, units, clock):
    today = await add_outage(platform, "2026-03-10T08:00", "2026-03-10T17:00", [(1, None)])
    tomorrow = await add_outage(platform, "2026-03-11T08:00", "2026-03-11T17:00", [(1, None)])
    assert await ids(client, auth, account_no=ACCOUNT) == {today}
    clock.set(local("2026-03-11T00:30"))  # still the 10th in UTC
    assert await ids(client, auth, account_no=ACCOUNT) == {tomorrow}


async def test_restored_and_cancelled_outages(client, auth, platform, units):
    early = await add_outage(platform, "2026-03-09T20:00", "2026-03-10T08:00", [(1, None)],
                             status="restored", restored="2026-03-09T23:00")
    today = await add_outage(platform, "2026-03-10T06:00", "2026-03-10T17:00", [(1, None)],
                             status="restored", restored="2026-03-10T08:30")
    await add_outage(platform, "2026-03-10T09:00", "2026-03-10T12:00", [(1, None)], status="cancelled")
    [notice] = await lookup(client, auth, account_no=ACCOUNT)
    assert notice["id"] == today
    assert notice["status"] == "restored" and notice["restored_at"] == "2026-03-10T08:30:00+08:00"
    assert await ids(client, auth, account_no=ACCOUNT, date="2026-03-09") == {early}


async def test_overrunning_outage_stays_listed_while_in_progress(client, auth, platform, units):
    oid = await add_outage(platform, "2026-03-09T08:00", "2026-03-09T12:00", [(1, None)],
                           type_="fault", status="in_progress")
    assert await ids(client, auth, account_no=ACCOUNT) == {oid}
    assert await ids(client, auth, account_no=ACCOUNT, date="2026-03-11") == set()


@pytest.mark.parametrize("type_, published, ok", [
    ("planned", "2026-03-03T08:00", True),  # exactly 7 days
    ("planned", "2026-03-03T08:01", False),
    ("temporary", "2026-03-09T08:00", True),
    ("temporary", "2026-03-10T05:00", False),
    ("fault", "2026-03-10T08:10", None),
])
async def test_notice_lead_flag(client, auth, platform, units, type_, published, ok):
    await add_outage(platform, "2026-03-10T08:00", "2026-03-10T17:00", [(1, None)], type_=type_,
                     published=published)
    [notice] = await lookup(client, auth, account_no=ACCOUNT)
    assert notice["notice_lead_ok"] is ok


@pytest.mark.parametrize("params, status, code", [
    ({}, 422, "invalid_input"),
    ({"date": "2026-03-10"}, 422, "invalid_input"),
    ({"area": "坪山", "date": "2026-13-01"}, 422, "invalid_input"),
    ({"area": "坪山", "date": "20260310"}, 422, "invalid_input"),
    ({"area": "坪山", "date": "明天"}, 422, "invalid_input"),
    ({"account_no": "12345"}, 422, "invalid_input"),
    ({"area": "坪"}, 422, "invalid_input"),
])
async def test_bad_lookups_are_clear_4xx(client, auth, units, params, status, code):
    resp = await client.get("/api/outages", params=params, headers=auth)
    assert resp.status == status
    error = (await resp.json())["error"]
    assert error["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])
    assert "3309999999999" not in error["message"]


async def test_needs_authentication(client, units):
    assert (await client.get("/api/outages", params={"area": "坪山"})).status == 401
    assert (await client.post("/api/outages", json={})).status == 401


# --- publishing and status steps --------------------------------------------------------------

NOTICE = {"type": "planned", "start_at": "2026-03-20T08:00:00+08:00",
          "expected_end_at": "2026-03-20T17:00:00+08:00", "reason": "10kV 坪山线检修",
          "line": "10kV 坪山线", "scopes": [{"area_id": 1, "transformer_area": "坪山3号台区"}]}


async def publish(client, auth, **changes):
    return await client.post("/api/outages", json={**NOTICE, **changes}, headers=auth)


async def test_publish_with_enough_lead_has_no_warnings(client, auth, units):
    resp = await publish(client, auth)
    assert resp.status == 201
    notice = await resp.json()
    assert notice["warnings"] == [] and notice["notice_lead_ok"] is True
    assert notice["status"] == "scheduled" and notice["published_at"] == "2026-03-10T09:00:00+08:00"
    assert notice["unit"]["id"] == "33012701"
    assert notice["area_text"] == "淳安县千岛湖镇坪山社区（坪山3号台区供电范围）"
    assert await ids(client, auth, account_no=ACCOUNT, date="2026-03-20") == {notice["id"]}
    assert await ids(client, auth, account_no=NEIGHBOUR, date="2026-03-20") == set()


async def test_planned_notice_with_short_lead_is_published_with_a_warning(client, auth, units):
    resp = await publish(client, auth, start_at="2026-03-12T08:00:00+08:00",
                         expected_end_at="2026-03-12T12:00:00+08:00")
    assert resp.status == 201
    notice = await resp.json()
    assert notice["notice_lead_ok"] is False
    [warning] = notice["warnings"]
    assert "7天" in warning and "1天23小时" in warning


async def test_fault_published_after_it_began_is_in_progress(client, auth, units):
    resp = await publish(client, auth, type="fault", start_at="2026-03-10T08:40:00+08:00",
                         expected_end_at="2026-03-10T12:00:00+08:00")
    notice = await resp.json()
    assert notice["status"] == "in_progress"
    assert notice["notice_lead_ok"] is None and notice["warnings"] == []


@pytest.mark.parametrize("changes, field", [
    ({"scopes": [{"area_id": 99}]}, None),
    ({"expected_end_at": "2026-03-20T07:00:00+08:00"}, "__root__"),
    ({"start_at": "2026-03-20T08:00:00"}, "start_at"),
    ({"start_at": "1773100800"}, "start_at"),
    ({"type": "meteor"}, "type"),
    ({"scopes": []}, "scopes"),
    ({"reason": " "}, "reason"),
])
async def test_publish_rejects_bad_input(client, auth, units, changes, field):
    resp = await publish(client, auth, **changes)
    assert resp.status == 422
    error = (await resp.json())["error"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])
    if field is None:
        assert error["code"] == "unknown_area"


async def test_publish_missing_fields(client, auth, units):
    resp = await client.post("/api/outages", json={"type": "planned"}, headers=auth)
    assert resp.status == 422
    fields = {d["field"] for d in (await resp.json())["error"]["details"]}
    assert {"start_at", "expected_end_at", "reason", "scopes"} <= fields


async def staff_cookie(platform, clock, role: str) -> dict[str, str]:
    async with platform.sessions() as session:
        user = StaffUser(username=f"u_{role}", display_name=role, password_hash="x", role=role,
                         unit_id="33012701")
        session.add(user)
        await session.flush()
        session.add(StaffSession(token_hash=hash_token(f"tok-{role}"), user_id=user.id,
                                 expires_at=clock() + timedelta(hours=8)))
        await session.commit()
    return {"Cookie": f"session=tok-{role}"}


async def test_only_supervisors_and_admins_publish(client, platform, clock, units):
    agent = await staff_cookie(platform, clock, "agent")
    supervisor = await staff_cookie(platform, clock, "supervisor")
    assert (await publish(client, agent)).status == 403
    assert (await publish(client, supervisor)).status == 201


async def step(client, auth, oid, kind, **extra):
    return await client.post(f"/api/outages/{oid}/events", json={"kind": kind, **extra}, headers=auth)


async def test_status_steps_and_illegal_transitions(client, auth, units, clock):
    oid = (await (await publish(client, auth)).json())["id"]
    assert (await step(client, auth, oid, "restore")).status == 409
    clock.set(local("2026-03-20T08:02"))
    resp = await step(client, auth, oid, "start")
    assert resp.status == 200 and (await resp.json())["status"] == "in_progress"
    assert (await step(client, auth, oid, "cancel")).status == 409
    assert (await step(client, auth, oid, "start")).status == 409
    clock.set(local("2026-03-20T15:00"))
    resp = await step(client, auth, oid, "restore", at="2026-03-20T14:30:00+08:00")
    notice = await resp.json()
    assert notice["status"] == "restored" and notice["restored_at"] == "2026-03-20T14:30:00+08:00"
    resp = await step(client, auth, oid, "restore")
    assert resp.status == 409
    assert (await resp.json())["error"]["code"] == "illegal_transition"


async def test_cancel_and_step_errors(client, auth, units):
    oid = (await (await publish(client, auth)).json())["id"]
    assert (await step(client, auth, oid, "start", at="2026-03-20T08:00:00+08:00")).status == 422
    assert (await step(client, auth, oid, "finish")).status == 422
    assert (await step(client, auth, 9999, "start")).status == 404
    assert (await step(client, auth, "abc", "start")).status == 404
    resp = await step(client, auth, oid, "cancel")
    assert (await resp.json())["status"] == "cancelled"
    assert (await step(client, auth, oid, "start")).status == 409
    assert await ids(client, auth, account_no=ACCOUNT, date="2026-03-20") == set()


async def test_restore_time_must_be_after_start_and_not_in_future(client, auth, units, clock):
    oid = (await (await publish(client, auth)).json())["id"]
    clock.set(local("2026-03-20T09:00"))
    await step(client, auth, oid, "start")
    assert (await step(client, auth, oid, "restore", at="2026-03-20T07:00:00+08:00")).status == 422
    assert (await step(client, auth, oid, "restore", at="2026-03-20T11:00:00+08:00")).status == 422
    resp = await step(client, auth, oid, "restore")
    assert (await resp.json())["restored_at"] == "2026-03-20T09:00:00+08:00"
