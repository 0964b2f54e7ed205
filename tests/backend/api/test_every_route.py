"""Auth and bad input on every route the OpenAPI document lists: a clear JSON
4xx, never a 5xx. New routes are covered as soon as they are declared."""
from __future__ import annotations

import re
import secrets
from datetime import timedelta

import pytest

from backend.api import OPENAPI
from backend.api.auth import hash_token
from backend.api.policy import POLICY, SERVICE
from backend.models import StaffSession, StaffUser
from tests.backend.units_fixture import seed_units

GARBAGE_QUERY = {"date": "明天", "from": "2026-13-45", "to": "x", "page": "-1", "per_page": "9999",
                 "overdue": "perhaps", "type": "teleport", "status": "gone", "months": "lots"}


def operations(client):
    doc = client.server.app[OPENAPI]
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            yield method.upper(), re.sub(r"\{[^}]+\}", "GD20260101000001", path), op


def is_public(op) -> bool:
    return op.get("security") == []


async def assert_json_error(resp, statuses) -> dict:
    assert resp.status in statuses, (resp.method, resp.url, resp.status, await resp.text())
    body = await resp.json()
    assert set(body["error"]) >= {"code", "message"}
    return body


async def test_protected_routes_refuse_missing_and_wrong_tokens(client):
    checked = 0
    for method, path, op in operations(client):
        if is_public(op):
            continue
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Cookie": "session=forged"}):
            resp = await client.request(method, path, headers=headers)
            body = await assert_json_error(resp, {401})
            assert body["error"]["code"] == "unauthorized"
        checked += 1
    assert checked >= 4


async def province_supervisor(platform, clock) -> dict[str, str]:
    """A supervisor's session at the province: for the routes the service token may not call (reveals)."""
    token = secrets.token_urlsafe(16)
    async with platform.sessions() as session:
        user = StaffUser(username="boss_33", display_name="boss", role="supervisor", unit_id="33", password_hash="x")
        session.add(user)
        await session.flush()
        session.add(StaffSession(token_hash=hash_token(token), user_id=user.id, expires_at=clock() + timedelta(hours=8)))
        await session.commit()
    return {"Cookie": f"session={token}"}


async def test_bad_bodies_and_queries_get_4xx_never_5xx(client, auth, platform, clock):
    await seed_units(platform)
    staff = await province_supervisor(platform, clock)
    templates = {(m, re.sub(r"\{[^}]+\}", "GD20260101000001", t)): rule for (m, t), rule in POLICY.items()}
    for method, path, op in operations(client):
        rule = templates.get((method, path))
        caller = auth if rule is None or SERVICE in rule.who else staff
        if method == "GET":
            resp = await client.get(path, params=GARBAGE_QUERY, headers=auth)
            # A declared 503 is a door left unconfigured on purpose (WeChat without WECHAT_TOKEN).
            declared = resp.status == 503 and "503" in op["responses"]
            assert resp.status < 500 or declared, (path, await resp.text())
            continue
        if "requestBody" not in op:  # e.g. logout: nothing to validate
            continue
        for raw in (b"{not json", b"[]", b"{}", b'{"kind": 5, "type": [], "description": null}',
                    "\u0000\ud800".encode("utf-8", "surrogatepass")):
            resp = await client.request(method, path, data=raw,
                                        headers={**caller, "Content-Type": "application/json"})
            await assert_json_error(resp, {400, 404, 409, 422})


async def test_unknown_paths_and_methods_are_json_errors(client, auth):
    body = await assert_json_error(await client.get("/api/nothing-here", headers=auth), {404})
    assert body["error"]["message"] == "请求的资源不存在。"
    await assert_json_error(await client.delete("/api/tickets", headers=auth), {405})


async def test_openapi_document_describes_the_ticket_api(client):
    resp = await client.get("/api/openapi.json")
    assert resp.status == 200
    doc = await resp.json()
    assert doc["openapi"].startswith("3.")
    create = doc["paths"]["/api/tickets"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("TicketCreate")
    assert "Idempotency-Key" in [p["name"] for p in create["parameters"]]
    assert "type" in doc["components"]["schemas"]["TicketCreate"]["properties"]


@pytest.mark.parametrize("body, field", [
    ({"type": "complaint", "description": "态度差", "customer": {"phone": "12345"}}, "customer.phone"),
    ({"type": "complaint", "description": "态度差", "customer": {"account_no": "33012"}},
     "customer.account_no"),
    ({"type": "outage", "description": "停电了"}, "type"),
    ({"type": "complaint", "description": " "}, "description"),
    ({"type": "complaint", "description": "态度差", "surprise": 1}, "surprise"),
])
async def test_ticket_validation_names_the_field_in_chinese(client, auth, platform, body, field):
    await seed_units(platform)
    resp = await client.post("/api/tickets", json=body, headers=auth)
    error = (await assert_json_error(resp, {422}))["error"]
    assert field in [d["field"] for d in error["details"]]
    assert re.search(r"[\u4e00-\u9fff]", error["message"])
