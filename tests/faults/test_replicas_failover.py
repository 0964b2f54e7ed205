"""The production profile under failure (issue #10): two backends, two action servers and two
Rasa replicas on the machine's PostgreSQL and Redis.

One hotline call reports a fault, its turns sent to the two backends in turn. Mid-conversation
the Rasa replica that holds the conversation is killed, then the first action server while a
call of the filing turn is on its way to it, then the first backend. Every turn is answered by
the assistant (never the "unavailable" sentence), in order, each reaching Rasa once, and the
repair is filed once with the number the caller heard. A web chat page open on one backend
gets an agent's line sent through the other, live.
"""
from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import aiohttp
import pytest

from backend.replicas import Replicas
from glossary import wording
from glossary.identifiers import spoken_to_digits
from tests.conftest import scratch_pg_database
from tests.faults.conftest import record
from tests.faults.customers import SERVICE, Caller, WebChat, heard
from tests.faults.replicated import Replicated, running_replicas

pytestmark = pytest.mark.postgres
PHONE = "13955508642"
TURNS = [("我家突然没电了", "冒烟"), ("没有", "地址"), ("千岛湖镇环湖社区9幢101", "电话"),
         (PHONE, "工单号"), ("停电了一般多久能修好", "")]
CALL_WAIT_SECONDS = 30.0


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory):
    with scratch_pg_database() as platform_db, scratch_pg_database() as tracker_db, \
            running_replicas(tmp_path_factory.mktemp("replicas"), platform_db, tracker_db) as running:
        yield running


async def test_one_call_across_two_backends_survives_one_of_each_process_killed(system: Replicated):
    first_backend, second_backend = system.backend_urls
    answers: list[str] = []
    async with aiohttp.ClientSession() as http:
        call = Caller(http, first_backend, "call-failover-1")

        async def turn(n: int, via: str) -> str:
            said = heard(await call.says(TURNS[n][0], via=via))
            answers.append(said)
            return said

        await turn(0, first_backend)
        await turn(1, second_backend)
        conversation = system.conversation_id("ivr", "call-failover-1")
        own = Replicas(system.rasa_urls).order(conversation)[0]  # the replica the router sends it to
        killed_rasa = system.rasas[system.rasa_urls.index(own)]
        await asyncio.to_thread(killed_rasa.kill)
        await turn(2, first_backend)  # the other replica takes the form from the shared tracker

        calls_before = system.to_first_actions.chunks_to_server
        system.to_first_actions.delay = 1.0  # a call to the first action server is held on its way
        filing = asyncio.create_task(turn(3, second_backend))
        deadline = time.monotonic() + CALL_WAIT_SECONDS
        while system.to_first_actions.chunks_to_server == calls_before and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        killed_in_call = system.to_first_actions.chunks_to_server > calls_before
        await asyncio.to_thread(system.actions[0].kill)
        filed = await filing
        system.to_first_actions.delay = 0.0
        assert killed_in_call, "no call of the filing turn went to the first action server: no fault exercised"

        await asyncio.to_thread(system.backends[0].kill)
        await turn(4, second_backend)

        for (_, expected), said in zip(TURNS, answers, strict=True):
            assert said and expected in said and wording.ASSISTANT_UNAVAILABLE_QUEUED[1] not in said, answers
        tickets = await _repairs(http, second_backend)
        assert len(tickets) == 1, tickets
        spoken = re.sub(r"[^A-Z0-9]", "", spoken_to_digits(filed))  # the IVR reads it out digit by digit
        assert tickets[0]["id"] in spoken, f"the number heard is not the one filed: {filed}"
        events = await _tracker_events(http, next(u for u in system.rasa_urls if u != own), conversation)

    heard_by_rasa = [e["text"] for e in events if e["event"] == "user"]
    assert heard_by_rasa == [text for text, _ in TURNS], "a turn was lost, repeated or reordered"
    customer_lines = system.query("SELECT count(*) FROM messages WHERE conversation_id = :c AND sender = 'customer'",
                                  c=conversation)
    assert customer_lines == [(len(TURNS),)]
    record("production profile, one of each process killed", backends=2, action_servers=2, rasa_replicas=2,
           turns=len(TURNS), answered=len(answers), tickets=len(tickets), duplicates=0, lost=0,
           action_call_cut=int(killed_in_call))


async def test_an_agents_line_through_one_backend_reaches_the_page_open_on_the_other(system: Replicated):
    await asyncio.to_thread(system.ensure_backends)
    customers_backend, agents_backend = system.backend_urls
    async with aiohttp.ClientSession() as http:
        page = await WebChat(http, customers_backend).open()
        [(conversation,)] = system.query("SELECT id FROM conversations WHERE channel = 'web' "
                                         "ORDER BY created_at DESC LIMIT 1")
        cookie = await _login(http, agents_backend, "agent1")
        staff = {"Cookie": cookie, "Origin": agents_backend}
        async with http.post(f"{agents_backend}/api/conversations/{conversation}/claim", headers=staff) as resp:
            assert resp.status == 200, await resp.text()
        line = "您好，我是人工客服，请问您家的户号是多少？"
        async with http.post(f"{agents_backend}/api/conversations/{conversation}/messages", headers=staff,
                             json={"text": line}) as resp:
            assert resp.status == 201, await resp.text()
        shown = await _lines_until(page, line)
        await page.close()
    assert line in shown
    pending = system.query("SELECT count(*) FROM messages WHERE conversation_id = :c AND awaiting_delivery",
                           c=conversation)
    assert pending == [(0,)], "the line waited for the customer's next turn instead of arriving live"
    record("agent line across backends", live=1)


async def _repairs(http: aiohttp.ClientSession, url: str) -> list[dict[str, Any]]:
    async with http.get(f"{url}/api/tickets", params={"type": "fault_repair", "phone": PHONE},
                        headers=SERVICE) as resp:
        assert resp.status == 200, await resp.text()
        return (await resp.json())["items"]


async def _tracker_events(http: aiohttp.ClientSession, rasa: str, conversation: str) -> list[dict[str, Any]]:
    async with http.get(f"{rasa}/conversations/{conversation}/tracker") as resp:
        assert resp.status == 200, await resp.text()
        return (await resp.json())["events"]


async def _login(http: aiohttp.ClientSession, url: str, username: str) -> str:
    async with http.post(f"{url}/api/auth/login", headers={"Origin": url},
                         json={"username": username, "password": f"demo-{username}-95598"}) as resp:
        assert resp.status == 200, await resp.text()
        return f"session={resp.cookies['session'].value}"


async def _lines_until(page: WebChat, text: str) -> str:
    """What the page is shown until `text` arrives (the agent's line, pushed to its socket)."""
    assert page.ws is not None
    shown = ""
    deadline = time.monotonic() + 10
    while text not in shown and time.monotonic() < deadline:
        frame = await page.ws.receive_json(timeout=max(0.1, deadline - time.monotonic()))
        if frame["type"] == "lines":
            shown += "".join(line.get("text") or "" for line in frame["lines"])
    return shown
