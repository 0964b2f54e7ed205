"""Every ticket is written exactly once, however often a request is retried."""
from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from backend.models import Ticket, TicketEvent
from tests.backend.tickets.helpers import COMPLAINT, REPAIR, create, step
from tests.backend.units_fixture import seed_units


@pytest.fixture
async def units(platform):
    await seed_units(platform)


async def count(platform, model, *where) -> int:
    async with platform.sessions() as session:
        return await session.scalar(select(func.count(model.id)).where(*where))


async def test_same_key_returns_the_same_ticket(client, auth, units, platform):
    first = await create(client, auth, REPAIR, **{"Idempotency-Key": "conv-1:turn-7"})
    resp = await client.post("/api/tickets", json=REPAIR,
                             headers={**auth, "Idempotency-Key": "conv-1:turn-7"})
    assert resp.status == 201
    assert resp.headers["Idempotent-Replayed"] == "true"
    assert (await resp.json())["id"] == first["id"]
    assert await count(platform, Ticket) == 1


async def test_same_key_for_a_different_request_is_refused(client, auth, units, platform):
    await create(client, auth, REPAIR, **{"Idempotency-Key": "k-1"})
    resp = await client.post("/api/tickets", json=COMPLAINT, headers={**auth, "Idempotency-Key": "k-1"})
    assert resp.status == 409
    assert (await resp.json())["error"]["code"] == "idempotency_key_reused"
    assert await count(platform, Ticket) == 1


async def test_concurrent_duplicates_create_one_ticket(client, auth, units, platform):
    headers = {**auth, "Idempotency-Key": "retry-storm"}
    responses = await asyncio.gather(*(client.post("/api/tickets", json=COMPLAINT, headers=headers)
                                       for _ in range(8)))
    assert {r.status for r in responses} == {201}
    ids = {(await r.json())["id"] for r in responses}
    assert len(ids) == 1
    assert await count(platform, Ticket) == 1
    replayed = [r.headers["Idempotent-Replayed"] for r in responses]
    assert replayed.count("false") == 1


async def test_without_a_key_each_request_is_a_new_ticket(client, auth, units, platform):
    await create(client, auth, COMPLAINT)
    await create(client, auth, COMPLAINT)
    assert await count(platform, Ticket) == 2


async def test_retried_step_is_recorded_once(client, auth, units, platform):
    ticket = await create(client, auth, COMPLAINT)
    headers = {**auth, "Idempotency-Key": "urge-1"}
    url = f"/api/tickets/{ticket['id']}/events"
    responses = await asyncio.gather(*(client.post(url, json={"kind": "urge"}, headers=headers)
                                       for _ in range(5)))
    assert {r.status for r in responses} == {201}
    detail = await (await client.get(f"/api/tickets/{ticket['id']}", headers=auth)).json()
    assert detail["urge_count"] == 1
    assert await count(platform, TicketEvent, TicketEvent.kind == "urge") == 1


async def test_racing_steps_are_judged_one_after_the_other(client, auth, units):
    """Two agents press "restore" at once: one wins, the other sees the new state."""
    ticket = await create(client, auth, REPAIR)
    await step(client, auth, ticket["id"], "arrive")
    url = f"/api/tickets/{ticket['id']}/events"
    responses = await asyncio.gather(*(client.post(url, json={"kind": "restore"}, headers=auth)
                                       for _ in range(4)))
    assert sorted(r.status for r in responses) == [201, 409, 409, 409]
    detail = await (await client.get(f"/api/tickets/{ticket['id']}", headers=auth)).json()
    assert [e["kind"] for e in detail["events"]].count("restore") == 1
