"""The access table (backend/api/policy.py) walked route by route.

Generated from the table and the application's router, so a route added
without an entry, or an entry left behind by a removed route, fails here:
- every registered route has an entry, and every entry a route;
- every route is called anonymously, with the service token and as each staff
  role of unit A (汾口供电所), and answers as the table says: 401 without
  credentials, 403 `role_not_allowed` for a caller the rule does not name,
  and otherwise never an access refusal on A's own records;
- every route whose scope concerns a record (ticket, outage, account, a new
  ticket, a subtree list) is called on unit B's record (千岛湖供电所, the
  sibling station): staff of A get 403 `outside_unit`, admins and the
  service token do not;
- a route acting on the whole tree's record (scope ROOT: publishing the
  province's monthly assessment) refuses unit A's staff with `outside_unit`
  (A is a station, the record covers every unit); admins publish.
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from backend.api import scope
from backend.api.auth import hash_token
from backend.api.policy import ADMIN, AGENT, POLICY, PUBLIC, SCRAPER, SERVICE, SUPERVISOR
from backend.app import create_app
from backend.models import Account, ImprovementPlan, StaffSession, StaffUser
from glossary.identifiers import plan_number
from tests.backend.tickets.helpers import REPAIR
from tests.backend.units_fixture import seed_units

UNIT_A, UNIT_B = "33012702", "33012701"
ACCOUNT_A, ACCOUNT_B = "3301234567891", "3301234567890"  # B's is the fixture's (坪山社区)
LAST4 = "5678"
ROLES = (AGENT, SUPERVISOR, ADMIN)
REFUSALS = {"unauthorized", "role_not_allowed", "no_access_rule"}
PUBLISHED_MONTH = "2026-02"  # over at the fixture's clock (2026-03-10); the walk's admin publishes it
PLAN = {"indicator": "overdue_count", "from": "2026-02-01", "to": "2026-02-28", "problem": "2月超时工单偏多",
        "target": 0, "measures": "每日核对未联系工单", "due_date": "2026-06-30"}
NOTICE = {"type": "planned", "start_at": "2026-03-20T08:00:00+08:00",
          "expected_end_at": "2026-03-20T18:00:00+08:00", "reason": "线路检修"}


@dataclass
class Unit:
    """One unit's records, as the requests name them."""

    ticket: str
    outage: int
    account: str
    area_id: int
    area: str
    unit: str
    conversation: str
    plan: str = ""  # an improvement plan whose responsible unit is this one


PRIVACY_REQUEST = {"phone": "13912340000", "reference": "客户来电申请，已核对身份证"}


@dataclass
class Call:
    """One request: path parameters are filled from the unit's records."""

    body: Callable[[Unit], Any] | None = None
    query: Callable[[Unit], dict[str, str]] = field(default=lambda u: {})


# How to call a route so that its handler reaches the record check. Routes whose
# scope concerns a record must have one; the others are called without a body.
CALLS: dict[tuple[str, str], Call] = {
    ("POST", "/api/tickets"): Call(body=lambda u: {**REPAIR, "area": u.area}),
    ("GET", "/api/tickets"): Call(query=lambda u: {"unit": u.unit}),
    ("GET", "/api/tickets/{id}"): Call(),
    ("POST", "/api/tickets/{id}/events"): Call(body=lambda u: {"kind": "note", "note": "已联系客户"}),
    ("GET", "/api/tickets/{id}/steps"): Call(),
    ("POST", "/api/tickets/{id}/survey"): Call(body=lambda u: {"rating": "satisfied"}),
    ("POST", "/api/tickets/{id}/reveal"): Call(body=lambda u: {"reason": "回访需要核对电话"}),
    ("POST", "/api/conversations/{id}/reveal"): Call(body=lambda u: {"reason": "回访需要核对电话"}),
    ("GET", "/api/console/tickets"): Call(query=lambda u: {"unit": u.unit}),
    ("GET", "/api/console/tickets/{id}"): Call(),
    ("GET", "/api/kpi"): Call(query=lambda u: {"unit": u.unit}),
    ("GET", "/api/kpi/export"): Call(query=lambda u: {"unit": u.unit}),
    ("GET", "/console/dashboard"): Call(query=lambda u: {"unit": u.unit}),
    ("GET", "/api/outages"): Call(query=lambda u: {"account_no": u.account}),
    ("POST", "/api/conversations/handoffs"): Call(body=lambda u: {"channel": "web", "sender_id": u.conversation,
                                                                  "reason": "request_human"}),
    ("GET", "/api/conversations"): Call(),
    ("GET", "/api/conversations/{id}"): Call(),
    ("POST", "/api/conversations/{id}/claim"): Call(),
    ("POST", "/api/conversations/{id}/messages"): Call(body=lambda u: {"text": "您好，我来为您处理"}),
    ("POST", "/api/conversations/{id}/release"): Call(),
    ("POST", "/api/conversations/{id}/close"): Call(),
    ("POST", "/api/conversations/{id}/transfer"): Call(body=lambda u: {"to": "a_agent"}),
    ("GET", "/api/conversations/{id}/assist"): Call(),
    ("GET", "/console/events"): Call(query=lambda u: {"open": u.conversation}),
    ("POST", "/api/outages"): Call(body=lambda u: {**NOTICE, "scopes": [{"area_id": u.area_id}]}),
    ("POST", "/api/outages/{id}/events"): Call(body=lambda u: {"kind": "cancel"}),
    ("POST", "/api/accounts/verify"): Call(body=lambda u: {"account_no": u.account, "phone_last4": LAST4}),
    ("GET", "/api/accounts/{account_no}"): Call(query=lambda u: {"phone_last4": LAST4}),
    ("GET", "/api/accounts/{account_no}/bills"): Call(query=lambda u: {"phone_last4": LAST4}),
    ("GET", "/api/audit"): Call(query=lambda u: {"unit": u.unit}),
    ("POST", "/api/assessments"): Call(body=lambda u: {"month": PUBLISHED_MONTH}),
    ("POST", "/api/privacy/export"): Call(body=lambda u: PRIVACY_REQUEST),
    ("POST", "/api/privacy/erase"): Call(body=lambda u: PRIVACY_REQUEST),
    ("GET", "/api/plans"): Call(query=lambda u: {"unit": u.unit}),
    ("POST", "/api/plans"): Call(body=lambda u: {**PLAN, "unit": u.unit, "responsible_unit": u.unit}),
    ("GET", "/api/plans/{id}"): Call(),
    ("POST", "/api/plans/{id}/progress"): Call(body=lambda u: {"note": "已召开分析会"}),
    ("POST", "/api/plans/{id}/complete"): Call(body=lambda u: {"note": "措施已落实"}),
    ("POST", "/api/plans/{id}/withdraw"): Call(body=lambda u: {"reason": "与其他计划重复"}),
}
# Further ways into another unit's records through one route.
EXTRA_B_CALLS: list[tuple[str, str, Call]] = [
    # A ticket in A's own area naming B's conversation would make B's transcript A's to read.
    ("POST", "/api/tickets", Call(body=lambda u: {**REPAIR, "area": "下姜村", "conversation_id": u.conversation})),
    ("POST", "/api/tickets", Call(body=lambda u: {"type": "urge", "channel": "web", "description": "催一下",
                                                  "customer": {"phone": "13812345678"}, "parent_id": u.ticket})),
]
CHECKED_ON_B = set(scope.RECORD_SCOPES) | {scope.NEW_TICKET, scope.SUBTREE, scope.ROOT}
# Routes of those scopes that never refuse B's record but leave it out: a list and the console's feed
# show only what the transcript rule allows, and outages by 户号 answer B's like an unknown 户号
# (tests/backend/api/test_lookups.py and test_transcript_rule.py check what they answer).
LEFT_OUT_NOT_REFUSED = {("GET", "/api/conversations"), ("GET", "/console/events"), ("GET", "/api/outages")}


def routes_of(app) -> set[tuple[str, str]]:
    """(method, canonical template) of every route the application serves; HEAD is judged as GET."""
    return {(route.method, resource.canonical) for resource in app.router.resources()
            for route in resource if route.method != "HEAD"}


def path_for(template: str, rule_scope: str, unit: Unit) -> str:
    """The template with its parameters filled from the unit's records."""
    ids = {scope.TICKET: unit.ticket, scope.OUTAGE: str(unit.outage), scope.CONVERSATION: unit.conversation,
           scope.PLAN: unit.plan}
    values = {"id": ids.get(rule_scope, "1"), "account_no": unit.account, "key": "zhejiang",
              "month": PUBLISHED_MONTH}
    path = re.sub(r"\{(\w+)[^}]*\}", lambda m: values.get(m.group(1), "x"), template)
    return path + "/chat.css" if template.startswith("/static/chat") else path


@pytest.fixture
async def world(client, auth, platform, clock) -> dict[str, Unit]:
    """Units A and B, each with a ticket, an outage notice and an account; A's staff of every role."""
    await seed_units(platform)
    async with platform.sessions() as session:
        session.add(Account(account_no=ACCOUNT_A, name="张三", phone="13912345678", address="淳安县枫树岭镇下姜村5号",
                            area_id=2, transformer_area="下姜1号台区", tariff="zhejiang"))
        for role in ROLES:
            session.add(StaffUser(username=f"a_{role}", display_name=role, password_hash="x", role=role,
                                  unit_id=UNIT_A))
        await session.commit()
    units = {}
    for name, area_id, area, account in (("A", 2, "下姜村", ACCOUNT_A), ("B", 1, "坪山社区", ACCOUNT_B)):
        handoff = await client.post("/api/conversations/handoffs", headers=auth,
                                    json={"channel": "web", "sender_id": f"c-walk-{name}", "reason": "request_human"})
        conversation = (await handoff.json())["id"]  # the unit's customer: a ticket filed from it lands there
        ticket = await (await client.post("/api/tickets", headers=auth,
                                          json={**REPAIR, "area": area, "conversation_id": conversation})).json()
        outage = await (await client.post("/api/outages", headers=auth,
                                          json={**NOTICE, "scopes": [{"area_id": area_id}]})).json()
        units[name] = Unit(ticket["id"], outage["id"], account, area_id, area, ticket["unit"]["id"], conversation)
    assert units["A"].unit == UNIT_A and units["B"].unit == UNIT_B
    for name, unit in units.items():  # A's plan made by A's supervisor, B's by B's own
        unit.plan = await plan_of(platform, clock, unit.unit, f"{name.lower()}_{SUPERVISOR}")
    return units


async def plan_of(platform, clock, unit_id: str, creator: str) -> str:
    """An improvement plan of `unit_id` made by `creator` (a supervisor, created if missing); its number."""
    async with platform.sessions() as session:
        user = await session.scalar(select(StaffUser).where(StaffUser.username == creator))
        if user is None:
            user = StaffUser(username=creator, display_name=creator, password_hash="x", role=SUPERVISOR,
                             unit_id=unit_id)
            session.add(user)
            await session.flush()
        plan = ImprovementPlan(plan_no=plan_number(date(2026, 3, 10), user.id), indicator="overdue_count", unit_id=unit_id,
                               period_from=date(2026, 2, 1), period_to=date(2026, 2, 28), problem="超时工单偏多",
                               target_op="<=", target_value=0, measures="每日核对", responsible_unit_id=unit_id,
                               due_date=date(2026, 6, 30), status="in_progress", created_by=user.id,
                               created_at=clock(), updated_at=clock())
        session.add(plan)
        await session.commit()
        return plan.plan_no


async def credentials(platform, clock, auth, caller: str) -> dict[str, str]:
    """Headers for a caller; each staff call gets a fresh session (logout ends one)."""
    if caller == "anonymous":
        return {}
    if caller == SERVICE:
        return auth
    token = secrets.token_urlsafe(16)
    async with platform.sessions() as session:
        user_id = await session.scalar(select(StaffUser.id).where(StaffUser.username == f"a_{caller}"))
        session.add(StaffSession(token_hash=hash_token(token), user_id=user_id,
                                 expires_at=clock() + timedelta(hours=8)))
        await session.commit()
    return {"Cookie": f"session={token}"}


async def call(client, method: str, template: str, rule_scope: str, unit: Unit, how: Call,
               headers: dict[str, str]) -> tuple[int, str | None]:
    """Make the request; the status and the JSON error code, if any."""
    kwargs: dict[str, Any] = {"headers": headers, "params": how.query(unit)}
    if how.body is not None:
        kwargs["json"] = how.body(unit)
    # A page's redirect to its login page is the answer, not the login page behind it.
    resp = await client.request(method, path_for(template, rule_scope, unit), allow_redirects=False, **kwargs)
    code = None
    if resp.content_type == "application/json":
        body = await resp.json()
        code = body["error"]["code"] if isinstance(body, dict) and isinstance(body.get("error"), dict) else None
    return resp.status, code


async def test_every_route_has_an_entry_and_every_entry_a_route(client):
    served = routes_of(client.server.app)
    assert served - set(POLICY) == set(), "routes without an access rule: add them to backend/api/policy.py"
    assert set(POLICY) - served == set(), "access rules for routes that do not exist"
    for key, rule in POLICY.items():
        assert rule.scope in scope.SCOPES, key
        assert rule.who and rule.who <= {PUBLIC, SERVICE, SCRAPER, *ROLES}, key
        if rule.scope in CHECKED_ON_B:
            assert key in CALLS, f"{key}: say in CALLS how to reach its record check"


async def test_each_caller_gets_the_tables_verdict(client, auth, platform, clock, world):
    for (method, template), rule in POLICY.items():
        how = CALLS.get((method, template), Call())
        for caller in ("anonymous", SERVICE, *ROLES):
            headers = await credentials(platform, clock, auth, caller)
            status, code = await call(client, method, template, rule.scope, world["A"], how, headers)
            where = (method, template, caller, status, code, how.body(world["B"]) if how.body else None)
            if PUBLIC in rule.who:
                assert code not in REFUSALS and status != 401, where
            elif caller == "anonymous" and rule.login_page:
                resp = await client.get(path_for(template, rule.scope, world["A"]), allow_redirects=False)
                assert status == 302 and resp.headers["Location"] == rule.login_page, where
            elif caller == "anonymous":
                assert status == 401 and code == "unauthorized", where
            elif caller in rule.who and rule.scope == scope.ROOT and caller != ADMIN:
                assert status == 403 and code == "outside_unit", where
            elif caller in rule.who:
                assert code not in REFUSALS | {"outside_unit"}, where
            else:
                assert status == 403 and code == "role_not_allowed", where


async def test_another_units_records_are_refused_to_unit_staff(client, auth, platform, clock, world):
    calls = [(m, t, CALLS[(m, t)]) for (m, t), r in POLICY.items()
             if r.scope in CHECKED_ON_B and (m, t) not in LEFT_OUT_NOT_REFUSED] + EXTRA_B_CALLS
    checked = 0
    for method, template, how in calls:
        rule = POLICY[(method, template)]
        # A's staff first: an allowed call (the service token's) may file a ticket in A's area that
        # names B's conversation, which rightly makes it A's customer's from then on.
        for caller in (AGENT, SUPERVISOR, ADMIN, SERVICE):
            if caller not in rule.who:
                continue
            headers = await credentials(platform, clock, auth, caller)
            status, code = await call(client, method, template, rule.scope, world["B"], how, headers)
            where = (method, template, caller, status, code, how.body(world["B"]) if how.body else None)
            if caller in (SERVICE, ADMIN):
                assert code not in REFUSALS | {"outside_unit"}, where
            else:
                assert status == 403 and code == "outside_unit", where
                checked += 1
    assert checked >= 30


async def test_staff_sessions_are_refused_on_service_only_routes(client, platform, clock, auth, world):
    headers = await credentials(platform, clock, auth, SUPERVISOR)
    for path in ("/api/conversations/handoffs", "/webhooks/ivr"):
        resp = await client.post(path, json={}, headers=headers)
        body = await resp.json()
        assert resp.status == 403 and body["error"]["code"] == "role_not_allowed"
        assert "仅供系统服务调用" in body["error"]["message"]


async def test_cross_site_changes_with_the_session_cookie_are_refused(client, platform, clock, auth, world):
    ticket = world["A"].ticket
    note = {"kind": "note", "note": "已联系客户"}
    for origin in ("https://evil.example", "null"):
        headers = {**await credentials(platform, clock, auth, SUPERVISOR), "Origin": origin}
        resp = await client.post(f"/api/tickets/{ticket}/events", json=note, headers=headers)
        assert resp.status == 403 and (await resp.json())["error"]["code"] == "cross_origin"
    own = f"http://{client.server.host}:{client.server.port}"
    headers = {**await credentials(platform, clock, auth, SUPERVISOR), "Origin": own}
    assert (await client.post(f"/api/tickets/{ticket}/events", json=note, headers=headers)).status == 201
    reading = {**await credentials(platform, clock, auth, SUPERVISOR), "Origin": "https://evil.example"}
    assert (await client.get(f"/api/tickets/{ticket}", headers=reading)).status == 200
    service = {**auth, "Origin": "https://evil.example"}  # a token is not sent by browsers on their own
    assert (await client.post(f"/api/tickets/{ticket}/events", json=note, headers=service)).status == 201


async def test_idempotency_keys_belong_to_their_caller(client, platform, clock, auth, world):
    body = {**REPAIR, "area": "下姜村"}
    first = await client.post("/api/tickets", json=body, headers={**auth, "Idempotency-Key": "k-1"})
    agent = await credentials(platform, clock, auth, AGENT)
    mine = await client.post("/api/tickets", json=body, headers={**agent, "Idempotency-Key": "k-1"})
    assert mine.status == 201 and mine.headers["Idempotent-Replayed"] == "false"
    assert (await mine.json())["id"] != (await first.json())["id"]
    again = await client.post("/api/tickets", json=body, headers={**agent, "Idempotency-Key": "k-1"})
    assert again.headers["Idempotent-Replayed"] == "true" and (await again.json())["id"] == (await mine.json())["id"]
    other = {**REPAIR, "area": "坪山社区"}  # the service's ticket in unit B is never replayed to A's agent
    await client.post("/api/tickets", json=other, headers={**auth, "Idempotency-Key": "k-2"})
    resp = await client.post("/api/tickets", json=other, headers={**agent, "Idempotency-Key": "k-2"})
    assert resp.status == 403 and (await resp.json())["error"]["code"] == "outside_unit"
    resp = await client.post("/api/tickets", json=body, headers={**auth, "Idempotency-Key": "x" * 101})
    assert resp.status == 422 and (await resp.json())["error"]["code"] == "idempotency_key_too_long"


async def test_a_route_missing_from_the_table_is_refused_and_logged(platform, auth, caplog):
    async def handler(request: web.Request) -> web.Response:
        return web.json_response({"open": True})

    app = create_app(platform)
    app.router.add_get("/api/shipped-without-a-rule", handler)
    async with TestClient(TestServer(app)) as fresh:
        resp = await fresh.get("/api/shipped-without-a-rule", headers=auth)
        assert resp.status == 403 and (await resp.json())["error"]["code"] == "no_access_rule"
    assert "/api/shipped-without-a-rule has no entry in the access table" in caplog.text
