"""/metrics as Prometheus and the operators see it (issue #11)."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from backend.app import create_app
from backend.observability import gauges
from backend.observability.metrics import REGISTRY
from backend.scheduler import sweep
from backend.sla.calendar import TZ
from tests.backend.tickets.helpers import REPAIR, create, step
from tests.backend.units_fixture import seed_units

SCRAPE = "scrape-only-token"


@pytest.fixture
async def units(platform):
    await seed_units(platform)


@pytest.fixture
async def scraped(platform):
    """The application with a METRICS_TOKEN set."""
    platform.settings = replace(platform.settings, metrics_token=SCRAPE)
    async with TestClient(TestServer(create_app(platform))) as client:
        yield client


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def exposition(client, token: str = SCRAPE) -> str:
    resp = await client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert resp.status == 200, await resp.text()
    assert resp.content_type == "text/plain"
    return await resp.text()


async def test_metrics_need_the_scrape_token_or_the_service_token_and_the_scrape_token_opens_nothing_else(
        scraped, auth):
    assert (await scraped.get("/metrics")).status == 401
    assert (await scraped.get("/metrics", headers={"Authorization": "Bearer wrong"})).status == 401
    assert "p95598_http_request_duration_seconds" in await exposition(scraped)
    assert "p95598_tickets_created_total" in await exposition(scraped, auth["Authorization"].split()[1])
    for method, path in (("GET", "/api/tickets"), ("GET", "/api/conversations"), ("POST", "/api/tickets")):
        resp = await scraped.request(method, path, headers={"Authorization": f"Bearer {SCRAPE}"}, json={})
        assert resp.status == 403, (method, path, resp.status)


async def test_tickets_are_counted_by_type_and_channel_once_however_often_the_request_is_retried(
        scraped, auth, units):
    before = value("p95598_tickets_created_total", type="fault_repair", channel="web")
    for _ in range(3):
        await create(scraped, auth, REPAIR, **{"Idempotency-Key": "conv-7:msg-3:repair"})
    await create(scraped, auth, {**REPAIR, "channel": "wechat"})
    assert value("p95598_tickets_created_total", type="fault_repair", channel="web") == before + 1
    assert 'p95598_tickets_created_total{channel="wechat",type="fault_repair"}' in await exposition(scraped)


async def test_requests_are_timed_by_route_template_and_a_scanners_paths_make_no_new_series(scraped, auth, units):
    ticket = await create(scraped, auth, REPAIR)
    before = value("p95598_http_request_duration_seconds_count", method="GET", route="/api/tickets/{id}",
                   status="200")
    await scraped.get(f"/api/tickets/{ticket['id']}", headers=auth)
    assert value("p95598_http_request_duration_seconds_count", method="GET", route="/api/tickets/{id}",
                 status="200") == before + 1
    for n in range(5):
        await scraped.get(f"/wp-admin/{n}.php")
    text = await exposition(scraped)
    assert "/wp-admin" not in text
    assert value("p95598_http_request_duration_seconds_count", method="GET", route="unmatched", status="404") >= 5


async def test_overdue_and_warning_clocks_are_counted_by_unit_and_commitment_and_drop_when_met(
        scraped, auth, units, platform):
    ticket = await create(scraped, auth, REPAIR)  # urban: arrival due at 09:45
    await step(scraped, auth, ticket["id"], "dispatch")
    unit = ticket["unit"]["id"] if isinstance(ticket["unit"], dict) else ticket["unit"]
    start = datetime(2026, 3, 10, 9, 0, tzinfo=TZ)
    await sweep(platform, start + timedelta(minutes=36))
    await gauges.refresh_clocks(platform, force=True)
    assert value("p95598_ticket_clocks", unit=unit, commitment="arrival", state="warning") == 1
    platform.clock.set(start + timedelta(minutes=46))
    await sweep(platform, start + timedelta(minutes=46))
    await gauges.refresh_clocks(platform, force=True)
    assert value("p95598_ticket_clocks", unit=unit, commitment="arrival", state="overdue") == 1
    assert REGISTRY.get_sample_value("p95598_ticket_clocks",
                                     {"unit": unit, "commitment": "arrival", "state": "warning"}) is None
    await step(scraped, auth, ticket["id"], "arrive")
    await gauges.refresh_clocks(platform, force=True)
    assert REGISTRY.get_sample_value("p95598_ticket_clocks",
                                     {"unit": unit, "commitment": "arrival", "state": "overdue"}) is None


async def test_failed_and_throttled_logins_are_counted(scraped, platform):
    failures = value("p95598_staff_login_failures_total")
    throttled = value("p95598_staff_login_throttled_total")
    limit = platform.rules.staff_login.max_failures_per_user
    origin = {"Origin": str(scraped.make_url(""))}
    statuses = [(await scraped.post("/api/auth/login", headers=origin,
                                    json={"username": "nobody", "password": "wrong-password"})).status
                for _ in range(limit + 1)]
    assert statuses == [401] * limit + [429]
    assert value("p95598_staff_login_failures_total") == failures + limit
    assert value("p95598_staff_login_throttled_total") == throttled + 1


async def test_the_assistants_turns_fallbacks_and_unsure_turns_are_counted_by_channel(backend, fake_rasa, auth):
    def counts() -> tuple[float, float, float]:
        return (value("p95598_assistant_turns_total", channel="ivr"),
                value("p95598_assistant_fallbacks_total", channel="ivr"),
                value("p95598_assistant_low_confidence_turns_total", channel="ivr"))

    async def turn(seq: int, text: str) -> None:
        resp = await backend.post("/webhooks/ivr", headers=auth,
                                  json={"call_id": "call-metrics", "seq": seq, "event": "text", "text": text})
        assert resp.status == 200

    turns, fallbacks, unsure = counts()
    await turn(1, "我家停电了")  # report_outage at 0.93
    fake_rasa.intent = {"name": "nlu_fallback", "confidence": 0.31}
    await turn(2, "嗯那个啥")
    fake_rasa.intent = {"name": "ask_bill", "confidence": 0.45}
    await turn(3, "电费是不是")
    assert counts() == (turns + 3, fallbacks + 1, unsure + 2)
    replies = value("p95598_assistant_reply_seconds_count", channel="ivr")
    assert replies >= 3
    fake_rasa.status = 500
    unavailable = value("p95598_assistant_unavailable_total", channel="ivr")
    await turn(4, "喂")
    assert value("p95598_assistant_unavailable_total", channel="ivr") == unavailable + 1
    assert value("p95598_handoffs_total", channel="ivr", reason="assistant_unavailable") >= 1


async def test_the_agents_queue_longest_wait_is_scraped(backend, fake_rasa, auth, platform):
    await exposition(backend, auth["Authorization"].split()[1])
    assert value("p95598_handoff_oldest_waiting_seconds") == 0
    fake_rasa.status = 500  # the hotline caller is queued for an agent when the assistant cannot answer
    resp = await backend.post("/webhooks/ivr", headers=auth,
                              json={"call_id": "call-queued", "seq": 1, "event": "text", "text": "喂"})
    assert resp.status == 200
    platform.clock.advance(minutes=7)
    await exposition(backend, auth["Authorization"].split()[1])
    assert value("p95598_handoff_oldest_waiting_seconds") == 420
