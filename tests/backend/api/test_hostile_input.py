"""Inputs a careless script or a curious visitor sends (issue #9, "Low"): every route
answers them with a JSON 4xx in Chinese, never a 5xx, and nothing is stored half-way."""
from __future__ import annotations

import re

import pytest

from tests.backend.api.test_every_route import assert_json_error, operations, province_supervisor
from tests.backend.units_fixture import seed_units

HOSTILE_QUERIES = [
    {"page": "99999999999999999999"},
    {"page": "1", "per_page": "99999999999999999999"},
    {"to": "9999-12-31"},
    {"from": "0001-01-01"},
    {"from": "0001-01-01", "to": "9999-12-31"},
    {"date": "9999-12-31"},
    {"date": "0001-01-01"},
    {"months": "99999999999999999999"},
]
DEEP = b"[" * 50_000
LONE_SURROGATE = b'{"type": "complaint", "description": "\\ud800\\udfff\\ud800", "username": "\\ud800", ' \
                 b'"password": "\\ud800", "text": "\\ud800", "reason": "\\ud800", ' \
                 b'"customer": {"name": "\\ud800", "phone": "13812345678"}}'


async def test_hostile_queries_are_4xx_or_answered(client, auth, platform):
    await seed_units(platform)
    for method, path, op in operations(client):
        if method != "GET":
            continue
        for query in HOSTILE_QUERIES:
            resp = await client.get(path, params=query, headers=auth)
            declared = resp.status == 503 and "503" in op["responses"]
            assert resp.status < 500 or declared, (path, query, resp.status, await resp.text())


@pytest.mark.parametrize("raw", [DEEP, LONE_SURROGATE], ids=["deeply-nested", "lone-surrogate"])
async def test_hostile_bodies_are_4xx_on_every_route(client, auth, platform, raw):
    await seed_units(platform)
    for method, path, op in operations(client):
        if method == "GET" or "requestBody" not in op:
            continue
        for headers in ({}, auth):  # the unauthenticated login reads the body too
            resp = await client.request(method, path, data=raw,
                                        headers={**headers, "Content-Type": "application/json"})
            assert resp.status < 500, (method, path, resp.status, await resp.text())


async def test_the_login_refuses_a_deeply_nested_body_in_chinese(client):
    resp = await client.post("/api/auth/login", data=DEEP, headers={"Content-Type": "application/json"})
    body = await assert_json_error(resp, {400, 422})
    assert re.search(r"[\u4e00-\u9fff]", body["error"]["message"])


async def test_a_chunked_body_cannot_pass_the_size_limit(client, auth):
    async def chunks():
        yield b'{"type": "complaint", "description": "'
        for _ in range(200):
            yield b"x" * 1024
        yield b'"}'

    resp = await client.post("/api/tickets", data=chunks(), headers={**auth, "Content-Type": "application/json"})
    body = await assert_json_error(resp, {413})
    assert body["error"]["code"] == "too_large"


@pytest.mark.parametrize("path", ["/chat/session", "/api/public/complaints"])
@pytest.mark.parametrize("raw", [b"[" * 1500, LONE_SURROGATE], ids=["deeply-nested", "lone-surrogate"])
async def test_the_customer_doors_refuse_hostile_bodies_in_chinese(client, platform, path, raw):
    await seed_units(platform)
    resp = await client.post(path, data=raw, headers={"Content-Type": "application/json"})
    body = await assert_json_error(resp, {400, 422})
    assert re.search(r"[\u4e00-\u9fff]", body["error"]["message"])


@pytest.mark.parametrize("path, query", [
    ("/api/kpi/export", {"month": "0000-01"}),
    ("/api/plans", {"month": "0000-01"}),
    ("/api/assessments/0000-01", {}),
    ("/api/kpi/export", {"month": "9999-12"}),
])
async def test_a_month_outside_the_calendar_is_refused_not_a_500(client, platform, clock, path, query):
    """Found by the fuzz campaign: month=0000-01 matched YYYY-MM and reached date(0, 1, 1)."""
    await seed_units(platform)
    staff = await province_supervisor(platform, clock)
    resp = await client.get(path, params=query, headers=staff)
    body = await assert_json_error(resp, {422})
    assert re.search(r"[\u4e00-\u9fff]", body["error"]["message"])


async def test_an_ivr_turn_numbered_past_any_integer_is_refused_not_a_500(client, auth, platform):
    """Found by the fuzz campaign: seq=10^35 passed `ge=0` and overflowed the database's integer."""
    await seed_units(platform)
    resp = await client.post("/webhooks/ivr", headers=auth, json={
        "call_id": "fuzz-call-1", "seq": 10**35, "event": "hangup"})
    body = await assert_json_error(resp, {422})
    assert body["error"]["details"][0]["field"] == "seq"


async def test_an_area_id_past_the_database_integer_is_refused_not_a_500(client, auth, platform):
    """Found while declaring area_ids: 12-digit ids passed the check and overflowed PostgreSQL's integer."""
    await seed_units(platform)
    resp = await client.get("/api/outages", params={"area_ids": "999999999999,5"}, headers=auth)
    body = await assert_json_error(resp, {422})
    assert body["error"]["details"][0]["field"] == "area_ids"


async def test_a_single_area_id_past_the_database_integer_is_refused_not_a_500(client, auth, platform):
    """Found by the fuzz pass in a fresh clone: area_id=2**63 overflowed SQLite's INTEGER (the route
    read its query without the bounds every other query gets)."""
    await seed_units(platform)
    resp = await client.get("/api/outages", params={"area_id": str(2**63)}, headers=auth)
    body = await assert_json_error(resp, {422})
    assert body["error"]["details"][0]["field"] == "area_id"


async def test_an_over_long_address_gets_the_json_error_not_the_parsers_text(client, auth, platform):
    # Found by the fuzz campaign (GET /api/areas, an 8,792-byte request line): aiohttp's parser
    # answered a text/plain 400 in English, which no API client can read as our error.
    await seed_units(platform)
    resp = await client.get("/api/areas", params={"name": "屏" * 3000}, headers=auth)  # 27,000 bytes encoded
    body = await assert_json_error(resp, {414})
    assert body["error"]["code"] == "uri_too_long" and body["error"]["message"] == "请求地址过长。"
    # 7,200 bytes reach the handler, which refuses the name by its declared length.
    resp = await client.get("/api/areas", params={"name": "屏" * 800}, headers=auth)
    assert (await assert_json_error(resp, {422}))["error"]["details"][0]["field"] == "name"
