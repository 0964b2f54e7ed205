"""The complaint form channel: POST /api/public/complaints (JSON and form) and GET /complaint."""
from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime

import pytest
from sqlalchemy import func, select

from backend.models import Ticket
from backend.web.complaint_form import KEY_PREFIX, LIMITER
from tests.backend.units_fixture import seed_units

URL = "/api/public/complaints"
VALID = {
    "description": "营业厅工作人员办理过户时态度恶劣，还让我跑了三趟",
    "customer": {"name": "赵晓东", "phone": "139 0000 2222", "account_no": "3301234567890"},
    "address": "杭州市淳安县千岛湖镇坪山社区12幢301",
    "occurred_at": "2026-03-09T15:30",
    "desired_outcome": "希望给个说法并道歉",
}
TOKEN = "tok_0123456789abcdefXYZ"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
async def units(platform):
    await seed_units(platform)


async def tickets(platform) -> list[Ticket]:
    async with platform.sessions() as session:
        return list((await session.scalars(select(Ticket).order_by(Ticket.id))).all())


async def count(platform) -> int:
    async with platform.sessions() as session:
        return await session.scalar(select(func.count(Ticket.id)))


async def error_of(resp, status: int) -> dict:
    assert resp.status == status, await resp.text()
    error = (await resp.json())["error"]
    assert CHINESE.search(error["message"]) and error["message"][0] in "请抱", error
    return error


async def test_valid_complaint_is_a_form_channel_complaint_with_both_deadlines(client, units, platform, auth):
    resp = await client.post(URL, json=VALID, headers={"Idempotency-Key": TOKEN})
    assert resp.status == 201, await resp.text()
    body = await resp.json()
    assert body["type"] == "complaint" and re.fullmatch(r"GD\d{14}", body["id"])
    # Filed 2026-03-10 09:00 (Tuesday): first contact within 24 h, reply within 5 working days.
    assert body["deadlines"]["first_contact"] == "2026-03-11T09:00:00+08:00"
    assert datetime.fromisoformat(body["deadlines"]["reply"]).utcoffset() is not None
    (ticket,) = await tickets(platform)
    assert ticket.channel == "form" and ticket.type == "complaint" and ticket.grade == "general"
    assert ticket.customer_phone == "13900002222" and ticket.account_no == "3301234567890"
    assert ticket.idempotency_key == KEY_PREFIX + TOKEN
    assert "发生时间：2026年3月9日 15:30" in ticket.description
    assert "期望处理结果：希望给个说法并道歉" in ticket.description
    detail = await (await client.get(f"/api/tickets/{body['id']}", headers=auth)).json()
    assert detail["events"][0]["actor"] == "public:form"
    assert detail["area"]["name"].endswith("坪山社区")  # the address placed it like any channel


async def test_missing_description_names_the_field(client, units, platform):
    resp = await client.post(URL, json={**VALID, "description": "  "})
    error = await error_of(resp, 422)
    assert [d["field"] for d in error["details"]] == ["description"]
    assert error["message"] == "请填写投诉内容，简要说明发生了什么。"
    assert await count(platform) == 0


async def test_bad_phone_uses_the_project_phone_rule(client, units, platform):
    resp = await client.post(URL, json={**VALID, "customer": {"phone": "1234567"}})
    error = await error_of(resp, 422)
    assert error["details"] == [{"field": "customer.phone",
                                 "message": "请您提供11位手机号码，或带区号的固定电话号码。"}]
    assert await count(platform) == 0


async def test_every_problem_is_listed_in_page_order(client, units):
    resp = await client.post(URL, json={"description": "", "customer": {"account_no": "12"},
                                        "occurred_at": "昨天"})
    error = await error_of(resp, 422)
    assert [d["field"] for d in error["details"]] == [
        "description", "customer.phone", "customer.account_no", "occurred_at"]
    assert all(d["message"][0] in "请抱" for d in error["details"])


async def test_missing_phone_is_required_unless_anonymous(client, units, platform):
    resp = await client.post(URL, json={**VALID, "customer": {"name": "赵晓东"}})
    error = await error_of(resp, 422)
    assert error["details"][0]["field"] == "customer.phone"
    assert "匿名" in error["message"]


async def test_anonymous_complaint_needs_no_phone_and_keeps_nothing_personal(client, units, platform):
    body = {"description": "抄表员多次不按时抄表，估抄电量", "anonymous": True,
            "customer": {"name": "不想留名"}}
    resp = await client.post(URL, json=body)
    assert resp.status == 201, await resp.text()
    (ticket,) = await tickets(platform)
    assert ticket.anonymous is True
    assert (ticket.customer_name, ticket.customer_phone, ticket.account_no) == (None, None, None)


async def test_confidential_complaint_is_masked_even_for_staff(client, units, platform, auth):
    resp = await client.post(URL, json={**VALID, "confidential": True})
    ticket_id = (await resp.json())["id"]
    detail = await (await client.get(f"/api/tickets/{ticket_id}", headers=auth)).json()
    assert detail["confidential"] is True
    assert detail["customer"]["phone"] == "139****2222"
    assert detail["customer"]["name"] == "赵**"


async def test_escalation_intent_in_the_form_raises_the_grade(client, units, platform):
    body = {**VALID, "desired_outcome": "再不解决我就找媒体曝光"}
    assert (await client.post(URL, json=body)).status == 201
    (ticket,) = await tickets(platform)
    assert ticket.escalation_intent and ticket.grade == "important"


async def test_double_post_with_the_same_key_makes_one_ticket(client, units, platform):
    headers = {"Idempotency-Key": TOKEN}
    first, second = await asyncio.gather(client.post(URL, json=VALID, headers=headers),
                                         client.post(URL, json=VALID, headers=headers))
    assert {first.status, second.status} == {201}
    assert (await first.json())["id"] == (await second.json())["id"]
    assert sorted([first.headers["Idempotent-Replayed"], second.headers["Idempotent-Replayed"]]) == [
        "false", "true"]
    assert await count(platform) == 1


async def test_same_key_for_another_complaint_is_refused_politely(client, units, platform):
    headers = {"Idempotency-Key": TOKEN}
    assert (await client.post(URL, json=VALID, headers=headers)).status == 201
    resp = await client.post(URL, json={**VALID, "description": "另一件事：电费突然翻倍"}, headers=headers)
    error = await error_of(resp, 409)
    assert error["code"] == "already_submitted"
    assert await count(platform) == 1


async def test_a_public_key_cannot_reach_another_channels_ticket(client, units, platform, auth):
    """Keys are namespaced: the same string used by the assistant is a different key here."""
    service = {**VALID, "type": "complaint", "channel": "web"}
    service.pop("occurred_at"), service.pop("desired_outcome")
    assert (await client.post("/api/tickets", json=service,
                              headers={**auth, "Idempotency-Key": TOKEN})).status == 201
    assert (await client.post(URL, json=VALID, headers={"Idempotency-Key": TOKEN})).status == 201
    assert await count(platform) == 2


async def test_malformed_token_is_refused(client, units):
    resp = await client.post(URL, json=VALID, headers={"Idempotency-Key": "<script>"})
    assert (await error_of(resp, 400))["code"] == "invalid_token"


async def test_burst_from_one_address_gets_429(client, units, platform, clock):
    limit = platform.rules.public_form.max_submissions
    for _ in range(limit):
        assert (await client.post(URL, json={"description": ""})).status == 422
    resp = await client.post(URL, json=VALID)
    error = await error_of(resp, 429)
    assert error["code"] == "rate_limited"
    assert int(resp.headers["Retry-After"]) > 0
    assert await count(platform) == 0
    clock.advance(seconds=platform.rules.public_form.window_seconds + 1)
    assert (await client.post(URL, json=VALID)).status == 201


async def test_the_limit_comes_from_configuration(client, platform):
    limiter = client.server.app[LIMITER]
    assert limiter.limit == platform.rules.public_form.max_submissions


async def test_staff_credentials_give_no_authority_here(client, units, platform, auth):
    resp = await client.post(URL, json={**VALID, "customer": {"name": "赵晓东"}},
                             headers={**auth, "Cookie": "session=whatever"})
    await error_of(resp, 422)  # still needs the phone: no identity is taken from the caller
    resp = await client.post(URL, json=VALID, headers=auth)
    detail = await (await client.get(f"/api/tickets/{(await resp.json())['id']}", headers=auth)).json()
    assert detail["events"][0]["actor"] == "public:form"


async def test_body_size_limit(client, units, platform):
    big = {**VALID, "description": "停电" * 20000}
    resp = await client.post(URL, json=big)
    assert (await error_of(resp, 413))["code"] == "too_large"


async def test_unknown_fields_and_other_media_types_are_4xx(client, units):
    await error_of(await client.post(URL, json={**VALID, "type": "praise"}), 422)
    resp = await client.post(URL, data=b"x", headers={"Content-Type": "text/plain"})
    assert (await error_of(resp, 415))["code"] == "unsupported_media_type"


async def test_personal_data_never_reaches_the_log(client, units, platform, caplog):
    caplog.set_level(logging.INFO)  # the backend's level; a driver's DEBUG echo is not ours
    assert (await client.post(URL, json=VALID)).status == 201
    for _ in range(platform.rules.public_form.max_submissions):
        await client.post(URL, json=VALID)
    text = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("13900002222", "1390000", "赵晓东", "3301234567890", "坪山社区12幢"):
        assert secret not in text
    assert "complaint form: ticket GD" in text and "over the limit" in text


# --- the page and the plain form post (no script) ------------------------------------

async def test_page_is_accessible_and_locked_down(client):
    resp = await client.get("/complaint")
    assert resp.status == 200
    html = await resp.text()
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script>" not in html and not re.search(r"\son[a-z]+=", html)  # no inline script or handler
    assert 'style="' not in html and "<style" not in html
    assert '<html lang="zh-CN">' in html
    for name in ("description", "name", "phone", "account_no", "address", "occurred_at",
                 "desired_outcome", "anonymous", "confidential"):
        assert f'<label for="{name}">' in html and f'id="{name}"' in html
    assert re.search(r'name="token" value="[A-Za-z0-9_-]{16,64}"', html)
    again = await (await client.get("/complaint")).text()
    assert re.search(r'name="token" value="([^"]+)"', html)[1] != re.search(r'name="token" value="([^"]+)"', again)[1]
    assert (await client.get("/static/complaint/complaint.js")).status == 200


async def test_form_post_without_script_renders_the_receipt_and_a_reload_files_nothing_new(client, units, platform):
    form = {"description": "供电所承诺的电表更换一直没人来", "name": "钱多多", "phone": "13700001111",
            "account_no": "", "address": "", "occurred_at": "", "desired_outcome": "",
            "token": TOKEN}
    first = await client.post(URL, data=form)
    assert first.status == 201
    html = await first.text()
    ticket_no = re.search(r'id="result-id">(GD\d{14})<', html)[1]
    assert re.search(r'id="result-first-contact">2026年3月11日 09:00<', html)
    assert re.search(r'id="result-reply">\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d<', html)
    reload = await client.post(URL, data=form)  # the browser's "resubmit the form?"
    assert ticket_no in await reload.text()
    assert await count(platform) == 1


async def test_form_post_with_errors_shows_them_by_the_fields(client, units, platform):
    form = {"description": "电工上门收了好处费", "name": "孙", "phone": "", "token": TOKEN}
    resp = await client.post(URL, data=form)
    assert resp.status == 422
    html = await resp.text()
    assert re.search(r'<p id="phone-error" class="error">请填写联系电话', html)
    phone = re.search(r"<input [^>]*id=\"phone\"[^>]*>", html)[0]
    assert "autofocus" in phone and 'aria-invalid="true"' in phone and "phone-error" in phone
    assert "电工上门收了好处费" in html and f'value="{TOKEN}"' in html  # kept, same token
    assert 'role="alert"' in html
    assert await count(platform) == 0


async def test_two_requests_writing_the_same_survey_link_at_once_leave_one(client, units, platform):
    """The double click's second half: both requests find the ticket, both miss its survey link
    and both insert it (found by CI on PostgreSQL: the replay answered 500)."""
    from sqlalchemy import delete

    from backend import surveys
    from backend.models import Survey
    from backend.tickets.queries import load_ticket

    resp = await client.post(URL, json=VALID, headers={"Idempotency-Key": TOKEN})
    assert resp.status == 201
    number = (await resp.json())["id"]
    async with platform.sessions() as session:  # back to the moment before the link was written
        await session.execute(delete(Survey))
        await session.commit()

    async def write() -> None:
        async with platform.sessions() as session:
            ticket = await load_ticket(session, ticket_no=number)
            link = surveys.link_token(platform.settings.api_token, ticket.id, TOKEN)
            await surveys.ensure_link(session, ticket, link, platform.clock())

    await asyncio.gather(write(), write(), write())
    async with platform.sessions() as session:
        assert len((await session.scalars(select(Survey.id))).all()) == 1
    replay = await client.post(URL, json=VALID, headers={"Idempotency-Key": TOKEN})
    assert replay.status == 201 and replay.headers["Idempotent-Replayed"] == "true"
