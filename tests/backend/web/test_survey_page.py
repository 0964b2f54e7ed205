"""Ticket surveys: the complaint form's survey link (/survey/{token}: only once the ticket is closed,
once, rate-limited, Chinese 4xx for bad input) and the survey line in a closed ticket's conversation;
staff read the answers on GET /api/tickets/{id}, masked, and the ticket's state is not changed."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from backend.models import Message, Survey, Ticket
from backend.router import ROUTER
from backend.web import survey_wording as say
from tests.backend.units_fixture import seed_units

URL = "/api/public/complaints"
COMPLAINT = {"description": "抄表员多次没有上门，电费按估算收取，打电话也没人理",
             "customer": {"name": "赵晓东", "phone": "13900002222"}, "address": "杭州市淳安县千岛湖镇坪山社区12幢301"}
TOKEN = "tok_survey_0123456789abc"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
async def units(platform):
    await seed_units(platform)


async def file(client, token: str = TOKEN) -> dict:
    resp = await client.post(URL, json=COMPLAINT, headers={"Idempotency-Key": token})
    assert resp.status == 201, await resp.text()
    return await resp.json()


async def step(client, auth, ticket: str, body: dict) -> dict:
    resp = await client.post(f"/api/tickets/{ticket}/events", json=body, headers=auth)
    assert resp.status == 201, await resp.text()
    return await resp.json()


async def close(client, auth, ticket: str) -> None:
    await step(client, auth, ticket, {"kind": "reply", "note": "已核实，按实际读数重新计算电费"})
    await step(client, auth, ticket, {"kind": "callback", "rating": "satisfied"})


async def refused(resp, status: int, code: str) -> None:
    assert resp.status == status, await resp.text()
    error = (await resp.json())["error"]
    assert error["code"] == code and CHINESE.search(error["message"]), error


async def surveys(platform) -> list[Survey]:
    async with platform.sessions() as session:
        return list((await session.scalars(select(Survey).order_by(Survey.id))).all())


async def test_the_forms_link_answers_once_the_ticket_is_closed_and_only_once(client, auth, platform, units):
    filed = await file(client)
    link = filed["survey_url"]
    assert re.fullmatch(r"/survey/[A-Za-z0-9_-]{20,}", link)
    assert (await file(client))["survey_url"] == link  # a double click shows the same link
    [survey] = await surveys(platform)
    assert survey.token_hash and link.rsplit("/", 1)[1] not in (survey.token_hash or "")
    open_page = await client.get(link)
    assert open_page.status == 409 and say.LINK_REFUSALS["not_closed"] in await open_page.text()
    await refused(await client.post(link, json={"rating": "satisfied"}), 409, "not_closed")
    await close(client, auth, filed["id"])
    page = await client.get(link)
    assert page.status == 200 and 'name="rating"' in await page.text()
    await refused(await client.post(link, json={"rating": "5"}), 422, "rating")
    limit = platform.rules.survey.comment_max_chars
    await refused(await client.post(link, json={"rating": "dissatisfied", "comment": "差" * (limit + 1)}), 422,
                  "comment_too_long")
    answered = await client.post(link, json={"rating": "dissatisfied", "comment": "处理太慢，联系我13812345678"})
    assert answered.status == 200 and (await answered.json())["message"] == say.LINK_THANKS
    await refused(await client.post(link, json={"rating": "satisfied"}), 409, "answered")
    [survey] = await surveys(platform)
    async with platform.sessions() as session:
        ticket = await session.scalar(select(Ticket).where(Ticket.ticket_no == filed["id"]))
    assert (survey.rating, survey.comment) == ("dissatisfied", "处理太慢，联系我138****5678")
    assert survey.unit_id == ticket.unit_id and survey.offered_at == ticket.closed_at
    assert ticket.status == "closed" and ticket.rating == "satisfied"  # the survey changes no state
    detail = await (await client.get(f"/api/tickets/{filed['id']}", headers=auth)).json()
    [shown] = detail["surveys"]
    assert (shown["rating"], shown["source"], shown["comment"]) == ("dissatisfied", "survey", survey.comment)


async def test_unknown_and_expired_links_and_a_form_post(client, auth, platform, clock, units):
    await refused(await client.post("/survey/not-a-real-token-000000000", json={"rating": "satisfied"}), 404,
                  "unknown")
    assert (await client.get("/survey/not-a-real-token-000000000")).status == 404
    first, second = await file(client, "tok_first_0123456789ab"), await file(client, "tok_second_123456789ab")
    await close(client, auth, first["id"])
    await close(client, auth, second["id"])
    form = await client.post(first["survey_url"], data={"rating": "basically_satisfied", "comment": ""})
    assert form.status == 200 and say.LINK_THANKS in await form.text()  # works without script
    by_ticket = {s.ticket_id: s.rating for s in await surveys(platform)}
    assert set(by_ticket.values()) == {"basically_satisfied", None}  # the other ticket is untouched
    clock.advance(days=platform.rules.survey.link_days + 1)
    await refused(await client.post(second["survey_url"], json={"rating": "satisfied"}), 410, "expired")


async def test_posts_are_rate_limited_per_address(client, platform, units):
    for _ in range(platform.rules.survey.max_posts):
        await client.post("/survey/guess-0000000000000000000", json={"rating": "satisfied"})
    await refused(await client.post("/survey/guess-0000000000000000000", json={"rating": "satisfied"}), 429,
                  "rate_limited")


async def test_a_closed_tickets_conversation_gets_the_survey_line(client, auth, platform, units):
    router = client.server.app[ROUTER]
    conversation = await router.open("web", "page-token-1")
    body = {"type": "consultation", "channel": "web", "description": "咨询峰谷电价怎么申请",
            "customer": {"name": "王建国", "phone": "13812345678"}, "area": "坪山社区",
            "conversation_id": conversation.id}
    resp = await client.post("/api/tickets", json=body, headers=auth)
    ticket = (await resp.json())["id"]
    await close(client, auth, ticket)
    [survey] = await surveys(platform)
    assert (survey.subject, survey.channel, survey.conversation_id) == ("ticket", "web", conversation.id)
    async with platform.sessions() as session:
        line = await session.get(Message, survey.line_id)
    assert line.text == say.TICKET_OFFER["web"].format(ticket=ticket) and line.awaiting_delivery  # no page open
    await router.outbox.take_pending(conversation.id)  # the page comes back: the line is delivered
    [reply] = await router.handle_customer_message(conversation, f"/survey {survey.id} rate satisfied")
    assert reply.text == say.ASK_COMMENT["web"]
    assert (await surveys(platform))[0].rating == "satisfied"
    await step(client, auth, ticket, {"kind": "reopen", "reason": "客户再次来电"})
    await close(client, auth, ticket)
    assert len(await surveys(platform)) == 1  # closed again after rework: asked once


async def test_a_ticket_closed_without_a_reply_gets_no_survey(client, auth, platform, units):
    filed = await file(client)
    await step(client, auth, filed["id"], {"kind": "close", "reason": "客户撤诉"})
    [link] = await surveys(platform)
    assert link.rating is None
    await refused(await client.post(filed["survey_url"], json={"rating": "satisfied"}), 409, "not_handled")
    async with platform.sessions() as session:
        assert await session.scalar(select(func.count(Message.id))) == 0


async def test_the_assistant_records_a_closed_tickets_rating_as_its_survey_answer(client, auth, platform, units):
    filed = await file(client)
    url = f"/api/tickets/{filed['id']}/survey"
    await refused(await client.post(url, json={"rating": "satisfied"}, headers=auth), 409, "not_closed")
    await close(client, auth, filed["id"])
    await refused(await client.post(url, json={"rating": "5"}, headers=auth), 422, "rating_invalid")
    body = {"rating": "basically_satisfied", "conversation_id": None}
    answered = await client.post(url, json=body, headers=auth)
    assert answered.status == 201 and (await answered.json())["source"] == "survey"
    [survey] = await surveys(platform)  # the form's open link survey was answered, not a second one
    assert survey.rating == "basically_satisfied" and survey.token_hash
    await refused(await client.post(url, json={"rating": "dissatisfied"}, headers=auth), 409, "survey_answered")
    await refused(await client.post(filed["survey_url"], json={"rating": "satisfied"}), 409, "answered")
